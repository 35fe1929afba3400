"""Issue 14, the small-network solve: Newton's method on a cascade's cut shift (with the exact
derivative of the withdrawal rate) finds the shift Brent's bracket search found, the stage
factors of cascades sharing a machine are the cascade-by-cascade ones, and the withdrawals of
single exit streams are the summed ones."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConvergenceError, MassError
from enrichwatch.physics import network as nw
from enrichwatch.physics import stage_graph as sg
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.cascade import FixedCascade, design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.separation import PerUnitMass

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
IR1 = load_catalog().get("IR-1")
LEU = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U238": 94.96})
LEU20 = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
_TOL = 1e-9


@pytest.fixture(scope="module")
def pair():
    """The Fordow-like layout: A's product into B below its feed stage, B's tails back."""
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(50.0), W(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    return Network([a, b], [Link("A", "product", "B", stage=7), Link("B", "tails", "A")], feed)


def _rates(state, isotopes):
    return {name: np.array([s.isotope_kg_per_yr[i] for i in isotopes])
            for name, s in state.withdrawals.items()}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["B.product", "A.tails"]), st.floats(0.002, 0.98))
def test_newton_finds_the_shift_of_the_bracket_search(pair, label, share):
    """Against the search used before (bracket doubling and Brent's method, still the
    fallback): the same shift to 1e-12 and the same withdrawals to 1e-9, for rates from
    0.2 % to 98 % of the design rate."""
    natural = pair.solve().withdrawals[label].rate_kg_per_yr
    rates = {label: share * natural}
    newton = pair.solve(rates)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(nw, "_newton_shift", lambda f, x, known=None: None)
        brent = pair.solve(rates)
    (owner,) = brent.cut_shifts
    assert newton.cut_shifts[owner] == pytest.approx(brent.cut_shifts[owner], rel=1e-12,
                                                     abs=1e-12)
    got, want = _rates(newton, pair.isotopes()), _rates(brent, pair.isotopes())
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=_TOL, atol=0.0)
    assert newton.withdrawals[label].rate_kg_per_yr == pytest.approx(rates[label], rel=1e-12)
    assert set(newton.rate_slopes) == {label} and not brent.rate_slopes


def test_a_warm_start_steps_from_its_rate_slope_and_agrees_with_a_cold_solve(pair):
    natural = pair.solve().withdrawals["B.product"].rate_kg_per_yr
    start = pair.solve({"B.product": 0.5 * natural})
    slope = start.rate_slopes["B.product"]
    assert math.isfinite(slope) and slope > 0.0          # raising B's cuts raises its product
    warm = pair.solve({"B.product": 0.6 * natural}, start=start)
    cold = pair.solve({"B.product": 0.6 * natural})
    assert warm.cut_shifts["B"] == pytest.approx(cold.cut_shifts["B"], rel=1e-12, abs=1e-12)
    for name, rate in _rates(cold, pair.isotopes()).items():
        np.testing.assert_allclose(_rates(warm, pair.isotopes())[name], rate, rtol=_TOL)


def test_the_slope_is_the_derivative_of_the_flows(pair):
    """``solve_flows_and_slope`` against central differences of ``solve_flows``."""
    external, _, _ = pair._external(pair.isotopes())
    sl = pair._stages("B")

    def cuts_at(shift):
        return pair._cuts({"B": shift})

    cuts = cuts_at(0.3)
    moved = np.zeros_like(cuts)
    moved[sl] = cuts[sl] * (1.0 - cuts[sl])
    flows, slope = ss.solve_flows_and_slope(pair.graph, cuts, external, moved)
    np.testing.assert_allclose(flows, ss.solve_flows(pair.graph, cuts, external), rtol=1e-13)
    h = 1e-6
    numeric = (ss.solve_flows(pair.graph, cuts_at(0.3 + h), external)
               - ss.solve_flows(pair.graph, cuts_at(0.3 - h), external)) / (2 * h)
    np.testing.assert_allclose(slope, numeric, rtol=1e-6, atol=1e-8 * flows.max())
    out, d_out = ss.withdrawal_flows_and_slope(pair.graph, cuts, flows, moved, slope)
    np.testing.assert_array_equal(out, ss.withdrawal_flows(pair.graph, cuts, flows))
    numeric_out = (ss.withdrawal_flows(pair.graph, cuts_at(0.3 + h),
                                       ss.solve_flows(pair.graph, cuts_at(0.3 + h), external))
                   - ss.withdrawal_flows(pair.graph, cuts_at(0.3 - h),
                                         ss.solve_flows(pair.graph, cuts_at(0.3 - h),
                                                        external))) / (2 * h)
    np.testing.assert_allclose(d_out, numeric_out, rtol=1e-6, atol=1e-8 * out.max())


def test_a_rate_no_cut_setting_gives_is_still_refused():
    """Half of A's tails go on to C, so A's tails withdrawal stays below half the feed:
    Newton's method hands over to the bracket search, which reports it as before."""
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    c = FixedCascade(IR6, (5, 5), 0, name="C")
    feed = a.design.feed_kg_per_yr
    net = Network([a, c], [Link("A", "tails", "C", fraction=0.5)],
                  [ExternalFeed("feed", "A", LEU, feed)])
    with pytest.raises(ConvergenceError, match="no cut setting gives the requested rate"):
        net.solve({"A.tails": 0.8 * feed})


@pytest.mark.parametrize("value, slope, expected", [
    (0.0, 1.0, 0.0), (math.nan, 1.0, None), (-1.0, math.nan, None), (-1.0, -1.0, None)])
def test_newton_shift_stops_or_hands_over(value, slope, expected):
    """A root at the start, a mismatch that is not finite, or no usable slope before a
    bracket: an answer at once, or None (the bracket search decides)."""
    assert nw._newton_shift(lambda x: (value, slope), 0.0) == expected


def test_newton_shift_bisects_when_a_step_leaves_the_bracket():
    """An increasing function with a misleading slope on one side: the bracket holds."""
    calls = []

    def f(x):
        calls.append(x)
        return math.tanh(x - 0.3), (1e-3 if x > 0.3 else 1.0)
    root = nw._newton_shift(f, 0.0)
    assert root == pytest.approx(0.3, abs=1e-13)
    assert len(calls) <= nw._SHIFT_NEWTON_ITER


def test_stage_factors_of_grouped_cascades_are_those_of_each_cascade():
    """Cascades of one machine and law at once, bit for bit as cascade by cascade, with two
    machines and two laws in the network."""
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(50.0), W(5.0), total_machines=166, name="B")
    c = FixedCascade(IR1, (10, 20, 10), 1, law=PerUnitMass(1.04), name="C")
    d = FixedCascade(IR6, (5, 5), 0, name="D")
    net = Network([a, c, b, d], [Link("A", "product", "B"), Link("B", "tails", "A"),
                                 Link("A", "tails", "C"), Link("C", "product", "D")],
                  [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)])
    assert len(net._factor_groups) == 2
    isotopes = net.isotopes()
    cuts = net._cuts({"B": 0.2})
    flows = ss.solve_flows(net.graph, cuts, net._external(isotopes)[0])
    np.testing.assert_array_equal(net._stage_factors(isotopes, cuts, flows),
                                  net._stage_factors_each(isotopes, cuts, flows))


def test_a_flow_a_machine_cannot_separate_is_named_by_its_cascade(pair):
    isotopes = pair.isotopes()
    cuts = pair._cuts({})
    flows = np.full(len(cuts), 1e300)
    with pytest.raises(MassError, match="flow per machine") as grouped:
        pair._stage_factors(isotopes, cuts, flows)
    with pytest.raises(MassError) as each:
        pair.cascades["A"].stage_factors(isotopes, flows[pair._stages("A")],
                                         cuts[pair._stages("A")])
    assert str(grouped.value) == str(each.value)


def test_single_exit_withdrawals_equal_the_summed_ones(pair):
    """The shortcut for one exit stream per withdrawal against the general sum (the same
    graph with the shortcut switched off)."""
    g = pair.graph
    assert g.columns.single_exits
    general = ss.StageGraph.from_streams(g.n_stages, g.n_withdrawals, g.routes, g.exits)
    general.__dict__["columns"] = sg._RouteColumns(
        *[getattr(g.columns, f) for f in ("heads", "tails", "drive", "difference")], False)
    rng = np.random.default_rng(7)
    for shape in [(g.n_stages,), (g.n_stages, 3)]:
        heads, tails = rng.random(shape), rng.random(shape)
        np.testing.assert_array_equal(ss.withdrawn(g, heads, tails),
                                      ss.withdrawn(general, heads, tails))
