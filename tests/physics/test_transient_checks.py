"""The checks of shared/reference/transient-notes.md ("Checks any implementation should pass"):
the steady-state limit equals the steady solver, U-235 and total mass are conserved, the ratio
chain holds at total reflux, scaling the flows scales time, two integrators agree, and
0 < x < z < y < 1. Multi-isotope transients are not implemented (the model is binary), so the
last check of the list has no test."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.transient import (
    Configuration,
    FeedSetting,
    History,
    Model,
    Segment,
    ValveSetting,
    heads_assay,
    integrate,
    run_history,
    steady_limit,
    tails_assay,
)
from enrichwatch.physics.transient.plant import HOURS_PER_YEAR, Variant, _Builder
from tests.physics.transient_helpers import chain, filled, vector, vector_operation

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})


def _pair():
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(60.0), W(5.0), total_machines=166, name="B")
    return a, b


@pytest.fixture(scope="module")
def fordow_binary():
    """Two 166-machine IR-6 cascades in series, B's tails back to A (binary feed)."""
    a, b = _pair()
    feed = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    declared = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    moved = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage - 2),
                             Link("B", "tails", "A")], feed)
    return {"declared": Configuration.from_network("declared", declared),
            "moved": Configuration.from_network("moved", moved)}


# -- 1. the steady-state limit is the steady solver's state ---------------------------------------
@pytest.mark.parametrize("name", ["declared", "moved"])
def test_steady_limit_equals_the_steady_solver(fordow_binary, name):
    """Long after start-up (40 slowest time constants) and by Newton on the balances, every
    stage and both withdrawals match :meth:`Network.solve` to 1e-9 (relative)."""
    config = fordow_binary[name]
    first = run_history(History("probe", fordow_binary, (Segment("production", 1.0, name),)))
    hours = 40 * first.segments[0].time_constants_h[0]
    history = History("start-up", fordow_binary, (Segment("production", hours, name),))
    result = run_history(history, rtol=1e-11, atol=1e-13)
    state = config.network.solve()
    steady = np.concatenate([state.cascades[c].stage_assay for c in ("A", "B")])
    np.testing.assert_allclose(result.stage_assays[-1], steady, rtol=1e-9)
    for label in ("B.product", "A.tails"):
        expected = state.withdrawals[label].composition.fraction("U235")
        assert result.streams[label][-1] == pytest.approx(expected, rel=1e-9)
        assert result.segments[0].steady[label] == pytest.approx(expected, rel=1e-9)
    k = result.withdrawals.index("B.product")
    assert result.withdrawal_rates[-1, k] * HOURS_PER_YEAR == pytest.approx(
        state.withdrawals["B.product"].rate_kg_per_yr, rel=1e-9)


# -- 2. mass conservation -------------------------------------------------------------------------
@settings(max_examples=8, deadline=None)
@given(st.sampled_from(["open", "closed", "throttled"]),
       st.sampled_from(["feed-on", "drain", "isolated"]), st.floats(0.3, 10.0))
def test_mass_is_conserved(fordow_binary, product, second, grams):
    """U-235 and total uranium: fed = withdrawn + change in hold-up, over any history."""
    valve = {"open": ValveSetting(1.0), "closed": ValveSetting(0.0),
             "throttled": ValveSetting(0.4)}[product]
    off = {"feed": FeedSetting(on=False)}
    shut = {"B.product": ValveSetting(0.0), "A.tails": ValveSetting(0.0)}
    later = {"feed-on": Segment("on", 30.0, "moved"),
             "drain": Segment("drain", 30.0, "declared", feeds=off, closure="inventory"),
             "isolated": Segment("isolated", 30.0, "declared", feeds=off, withdrawals=shut,
                                 closure="closed_throughput")}[second]
    from enrichwatch.physics.transient import HoldUp

    history = History("h", fordow_binary,
                      (Segment("start", 10.0, "declared", withdrawals={"B.product": valve}),
                       later, Segment("back", 34.0, "declared")),
                      holdup=HoldUp(rotor_g=grams / 2, pipework_g=grams / 2))
    b = run_history(history, rtol=1e-9).balance
    assert abs(b["residual_kg_u"]) <= 1e-9 * b["fed_kg_u"]
    assert abs(b["residual_kg_u235"]) <= 1e-9 * b["fed_kg_u235"]


# -- 3. the ratio chain at total reflux -----------------------------------------------------------
def test_total_reflux_ratio_chain():
    """transient-c's limit is the closed-form zero-net-transport profile: each stage's tails
    abundance ratio is gamma times the one below (the heads of a stage have the assay of the
    tails of the stage above), scaled to the conserved U-235 inventory."""
    exp = vector("transient-c-total-reflux-top-climb")["expected"]
    op = vector_operation("transient-c-total-reflux-top-climb", closed_total=4.0)
    model = Model(op)
    y0 = filled(op, 0.0)
    y0[12:24] = op.holdup * np.array(vector("transient-c-total-reflux-top-climb")["inputs"]
                                     ["initial_state"]["steady state with feed (fixed cuts)"])
    run = integrate([(op, 0.0, 48.0)], y0, rtol=1e-11, atol=1e-13)
    z, x, y, _ = model.assays(48.0, run.final_state)
    ratio = x / (1 - x)
    np.testing.assert_allclose(ratio[1:] / ratio[:-1], 1.4, rtol=1e-8)
    np.testing.assert_allclose(y[:-1], x[1:], rtol=1e-8)

    def inventory(r0):                       # closed form: tails ratios r0 gamma^i
        r = r0 * 1.4 ** np.arange(12)
        xs = r / (1 + r)
        zs = 0.5 * (1.4 * r / (1 + 1.4 * r)) + 0.5 * xs
        return float(np.sum(op.holdup * zs)) - exp["conserved_u235_inventory_kg"]

    r0 = brentq(inventory, 1e-6, 1.0, xtol=1e-16)
    assert r0 / (1 + r0) == pytest.approx(exp["total_reflux_limit_bottom_tails"], rel=1e-8)
    assert x[0] == pytest.approx(r0 / (1 + r0), rel=1e-8)


# -- 4. time scaling ------------------------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(0.5, 20.0))
def test_scaling_flows_scales_time(k, t):
    """Flows times k: the same transient k times faster; flows and hold-ups times k: the same
    transient."""
    op = chain(10, 3)
    y0 = filled(op, 0.00711)
    base = integrate([(op, 0.0, t)], y0, rtol=1e-10, atol=1e-13).final_state
    fast = op.scaled(flows=k)
    quick = integrate([(fast, 0.0, t / k)], filled(fast, 0.00711), rtol=1e-10,
                      atol=1e-13).final_state
    both = op.scaled(flows=k, holdup=k)
    same = integrate([(both, 0.0, t)], filled(both, 0.00711), rtol=1e-10,
                     atol=1e-13).final_state
    np.testing.assert_allclose(quick[10:20] / op.holdup, base[10:20] / op.holdup, atol=1e-9)
    np.testing.assert_allclose(same[10:20] / both.holdup, base[10:20] / op.holdup, atol=1e-9)


# -- 5. two integrators agree ---------------------------------------------------------------------
def test_two_integrators_agree(fordow_binary):
    """Radau and BDF (both with the analytic sparse Jacobian) give the same history: a
    start-up, an isolation at total reflux and a re-piping."""
    off, shut = {"feed": FeedSetting(on=False)}, {"B.product": ValveSetting(0.0),
                                                    "A.tails": ValveSetting(0.0)}
    history = History("re-piping", fordow_binary,
                      (Segment("start-up", 24.0, "declared"),
                       Segment("isolated", 26.0, "declared", feeds=off, withdrawals=shut,
                               closure="closed_throughput"),
                       Segment("re-piped", 72.0, "moved")), thresholds=(0.6, 0.837))
    radau = run_history(history, method="Radau", rtol=1e-10)
    bdf = run_history(history, method="BDF", rtol=1e-10)
    np.testing.assert_allclose(radau.stage_assays, bdf.stage_assays, atol=1e-7)
    for key, (value, _) in radau.peaks.items():
        assert bdf.peaks[key][0] == pytest.approx(value, abs=1e-7)
    for key, when in radau.first_reached.items():
        assert (when is None) == (bdf.first_reached[key] is None)
        if when is not None:
            assert bdf.first_reached[key] == pytest.approx(when, abs=1e-4)


def test_explicit_integrator_agrees_on_vector_a():
    """DOP853 (explicit, no Jacobian) against Radau on transient-a."""
    op = vector_operation("transient-a-startup-square-natural")
    y0 = filled(op, 0.00711)
    a = integrate([(op, 0.0, 20.0)], y0, method="Radau", rtol=1e-10, atol=1e-13)
    b = integrate([(op, 0.0, 20.0)], y0, method="DOP853", rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(a.final_state, b.final_state, rtol=1e-8, atol=1e-14)


# -- 6. the ordering of assays --------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.floats(1e-6, 0.999), st.floats(0.05, 0.95), st.floats(1.0001, 3.0))
def test_assays_are_ordered(z, cut, gamma):
    """0 < x < z < y < 1 and the stage relation holds exactly (up to 99.9 %: closer to 1,
    ``1 - y`` itself loses digits to rounding)."""
    x, _ = tails_assay(np.array([z]), np.array([cut]), np.array([gamma]))
    y = heads_assay(np.array([z]), x, np.array([cut]))
    assert 0.0 < x[0] < z < y[0] < 1.0
    assert (y[0] / (1 - y[0])) / (x[0] / (1 - x[0])) == pytest.approx(gamma, rel=1e-9)
    assert cut * y[0] + (1 - cut) * x[0] == pytest.approx(z, rel=1e-12)


def test_tails_derivative_is_exact():
    z = np.linspace(0.01, 0.95, 7)
    cuts, gamma = np.full(7, 0.45), np.full(7, 1.35)
    _, dx = tails_assay(z, cuts, gamma)
    h = 1e-7
    numeric = (tails_assay(z + h, cuts, gamma)[0] - tails_assay(z - h, cuts, gamma)[0]) / (2 * h)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6)


# -- the Jacobian ---------------------------------------------------------------------------------
@pytest.mark.parametrize("closure", ["fixed_cuts", "inventory"])
def test_analytic_jacobian_matches_finite_differences(fordow_binary, closure):
    off = {"feed": FeedSetting(on=False)} if closure == "inventory" else {}
    history = History("j", fordow_binary, (Segment("s", 5.0, "moved", feeds=off,
                                                   closure=closure),))
    builder = _Builder(history, Variant())
    model = Model(builder.operation(history.segments[0], 0, None))
    y = builder.initial()
    y[:model.n] *= np.linspace(0.7, 1.2, model.n)
    y[model.n:2 * model.n] *= np.linspace(0.9, 1.1, model.n)
    jac = model.jac(0.5, y).toarray()
    numeric = np.empty_like(jac)
    for j in range(model.size):
        step = 1e-7 * max(abs(y[j]), 1e-6)
        up, down = y.copy(), y.copy()
        up[j] += step
        down[j] -= step
        numeric[:, j] = (model.rhs(0.5, up) - model.rhs(0.5, down)) / (2 * step)
    # the stage factors' dependence on inventory-driven flows is left out of the Jacobian
    tol = 1e-5 if closure == "fixed_cuts" else 2e-2
    scale = np.max(np.abs(numeric))
    np.testing.assert_allclose(jac, numeric, atol=tol * scale)


def test_steady_limit_of_a_drain_is_empty(fordow_binary):
    history = History("d", fordow_binary, (Segment("drain", 5.0, "declared",
                                                   feeds={"feed": FeedSetting(on=False)},
                                                   closure="inventory"),))
    builder = _Builder(history, Variant())
    model = Model(builder.operation(history.segments[0], 0, None))
    assert steady_limit(model, builder.initial()) is None
