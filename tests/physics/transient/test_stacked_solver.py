"""The stacked Radau's banded Newton solves and the leaner evaluations behind the evaluation's
transients: each gives what the plain formulas give (exactly where only the bookkeeping
changed, to rounding where the arithmetic did)."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.errors import InputError
from enrichwatch.physics.transient import Model, Variant, newton, variants
from enrichwatch.physics.transient.analysis import Series, steady_limit
from enrichwatch.physics.transient.batch import Stack, integrate_batch
from enrichwatch.physics.transient.integrate import Watch, integrate
from enrichwatch.physics.transient.newton import StackedRadau
from enrichwatch.physics.transient.plant import HOURS_PER_YEAR, _Builder
from enrichwatch.physics.transient.system import Routing
from tests.physics.transient_helpers import built_runs, fordow_like, mixed_models

HISTORIES = fordow_like()
HISTORY = HISTORIES["cylinder change"]


def _built(history=HISTORY):
    return built_runs(history, [v for _, _, v in variants(history, stage_factor=False)])


def _models(segment: int, seed: int, inventory: list[bool], ramp: list[bool]):
    return mixed_models(_built(), segment, seed, inventory, ramp)


def _solver(stack: Stack, y0: np.ndarray, banded: bool) -> StackedRadau:
    t0 = stack.t0
    return StackedRadau(stack.rhs, t0, y0, t0 + 1.0, n_stages=stack.n, blocks=stack.k,
                        inventory=stack.inventory, rtol=1e-6, atol=1e-10,
                        jac=stack.solver_jac if banded else stack.jac,
                        band=stack.band if banded else None)


def test_the_fordow_like_stages_are_factorised_banded():
    """Two linked cascades: renumbered, their stage blocks have a narrow band (the Newton
    matrices of all variants then take one LAPACK banded LU)."""
    models, _ = _models(1, 0, [False] * 4, [False] * 4)
    band = Stack(models).band
    n = models[0].n
    assert band is not None
    assert band.lower + band.upper < n // 4
    assert sorted(band.order.tolist()) == list(range(n))


@pytest.mark.parametrize("c", [37.5, 2.0 - 1.5j, 1e-3])
@pytest.mark.parametrize("inventory", [[False] * 4, [True, False, True, False], [True] * 4])
@pytest.mark.parametrize("segment", [0, 1, 2])
def test_banded_newton_solves_each_block(c, inventory, segment):
    """``solve_lu(lu(c I - J), b)`` with the banded factors solves every block's Newton
    system (against numpy's solver on the full block, to its condition number times
    rounding), the hold-ups moving or not."""
    models, states = _models(segment, 11, inventory, [False] * 4)
    stack = Stack(models)
    y0 = np.concatenate(states)
    solver = _solver(stack, y0, banded=True)
    factor = solver.lu(c * solver.I - solver.J)
    rng = np.random.default_rng(5)
    b = rng.normal(size=y0.size) * (1.0 if isinstance(c, float) else 1 + 1j)
    x = solver.solve_lu(factor, b.copy()).reshape(stack.k, -1)
    for k, block in enumerate(stack.jac(stack.t0, y0)):
        newton = c * np.identity(stack.size) - block
        want = np.linalg.solve(newton, b.reshape(stack.k, -1)[k])
        bound = 100 * np.finfo(float).eps * np.linalg.cond(newton) * np.linalg.norm(want)
        assert np.linalg.norm(x[k] - want) <= bound


def test_zero_hold_up_part_is_solved_without_the_hold_up_product():
    """At fixed flows Radau's right-hand sides are zero on the hold-ups: the solution is
    then zero there, and the rest as with the product (bit for bit)."""
    models, states = _models(2, 3, [False] * 4, [False] * 4)
    stack = Stack(models)
    y0 = np.concatenate(states)
    solver = _solver(stack, y0, banded=True)
    factor = solver.lu(4.0 * solver.I - solver.J)
    b = np.random.default_rng(2).normal(size=y0.size)
    b.reshape(stack.k, -1)[:, :stack.n] = 0.0
    x = solver.solve_lu(factor, b.copy()).reshape(stack.k, -1)
    assert not x[:, :stack.n].any()
    dense = _solver(stack, y0, banded=False)
    want = dense.solve_lu(dense.lu(4.0 * dense.I - dense.J), b.copy()).reshape(stack.k, -1)
    np.testing.assert_allclose(x, want, rtol=1e-12, atol=1e-14 * np.abs(want).max())


def test_non_finite_right_hand_sides_raise_as_scipy_does():
    models, states = _models(1, 1, [False] * 4, [False] * 4)
    stack = Stack(models)
    y0 = np.concatenate(states)
    solver = _solver(stack, y0, banded=True)
    factor = solver.lu(3.0 * solver.I - solver.J)
    for bad in (np.nan, np.inf):
        b = np.ones(y0.size)
        b[7] = bad
        with pytest.raises(ValueError, match="infs or NaNs"):
            solver.solve_lu(factor, b)
    huge = np.full(y0.size, 1e300)
    assert np.isfinite(solver.solve_lu(factor, huge)).all()


def test_the_solver_refuses_blocks_of_the_other_form():
    models, states = _models(1, 1, [False] * 4, [False] * 4)
    stack = Stack(models)
    y0 = np.concatenate(states)
    with pytest.raises(ValueError, match="jac"):
        StackedRadau(stack.rhs, 0.0, y0, 1.0, n_stages=stack.n, blocks=stack.k,
                     inventory=stack.inventory, jac=stack.jac, band=stack.band)
    with pytest.raises(ValueError, match="jac"):
        StackedRadau(stack.rhs, 0.0, y0, 1.0, n_stages=stack.n, blocks=stack.k,
                     inventory=stack.inventory, jac=stack.solver_jac)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), segment=st.integers(0, 2),
       ramp=st.lists(st.booleans(), min_size=4, max_size=4), dt=st.floats(0.0, 5.0))
def test_derivative_table_gives_each_models_jacobian(seed, segment, ramp, dt):
    """At fixed flows the stacked Jacobian comes from one table for all variants: the same
    stored values as each model's own entries, bit for bit."""
    models, states = _models(segment, seed, [False] * 4, ramp)
    stack = Stack(models)
    t = stack.t0 + dt
    y = np.concatenate(states).reshape(stack.k, -1)
    assert stack.band is not None
    table = stack.band.from_table(stack._derivatives(t, y))
    each = stack.band.blocks(np.concatenate([m._data(t, y[k]) for k, m in enumerate(models)]))
    for got, want in zip((table.neg_u235, table.from_hold_up, table.out),
                         (each.neg_u235, each.from_hold_up, each.out), strict=True):
        np.testing.assert_array_equal(got, want)


def test_banded_and_dense_stacks_agree(monkeypatch):
    """Runs with the banded factorisation and with the block inverses (the band judged too
    wide) agree to the integrator's tolerance."""
    runs = _built()
    banded = integrate_batch(runs, rtol=1e-6)
    monkeypatch.setattr(newton, "_BAND_MAX_SHARE", -1.0)
    dense = integrate_batch(runs, rtol=1e-6)
    for a, b in zip(banded, dense, strict=True):
        total = max(float(np.abs(a.final_state[2 * HISTORY.n_stages:]).max()), 1.0)
        np.testing.assert_allclose(a.final_state, b.final_state, rtol=1e-5, atol=1e-5 * total)


def test_a_stage_series_is_the_full_series_column():
    """A watched stage's values on a series, computed alone, are those of every stage's
    assays (bit for bit), for heads, tails and hold-up points."""
    (segs, y0), = _built()[:1]
    run = integrate(segs, y0, rtol=1e-6)
    n = HISTORY.n_stages
    for seg in run.segments:
        for watch in (Watch("top", n - 1, "heads"), Watch("bottom", 0, "tails"),
                      Watch("middle", n // 2, "hold-up"), Watch("anywhere", -1)):
            alone = Series.of(seg).values(watch)
            full = Series.of(seg)
            np.testing.assert_array_equal(alone, watch.pick(full.z, full.x, full.y))


def test_stage_factors_on_the_checked_path_are_the_machine_models():
    """The builder's stage factors (the machine model on its checked-input path) equal the
    public machine model's, and flows it would refuse still raise its error."""
    builder = _Builder(HISTORY, Variant())
    config = next(iter(HISTORY.configurations.values()))
    cuts = builder.cuts(config)
    gamma = builder.gamma_of(cuts)
    flows = builder.production(config).flows * np.linspace(0.3, 1.5, 5)[:, None]
    machines = {id(c.machine): c.machine for c in HISTORY.cascades.values()}
    assert len(machines) == 1
    machine = next(iter(machines.values()))
    per_machine = np.concatenate([np.asarray(c.machines_per_stage, dtype=float)
                                  for c in HISTORY.cascades.values()])
    want = machine.gamma_235(flows * HOURS_PER_YEAR / per_machine, cuts)
    np.testing.assert_array_equal(gamma(flows), want)
    bad = flows[0].copy()
    bad[3] = -1.0
    with pytest.raises(InputError):
        gamma(bad)


def test_closing_a_valve_returns_every_source_stages_stream():
    """A withdrawal fed by two stages: closing its valve sends both streams back (the dense
    arithmetic of small plants and the sparse one of large plants alike)."""
    routing = Routing.from_destinations([1, "product"], ["product", 0])
    closed = routing.with_openings({"product": 0.0})
    assert not closed.heads_out.toarray().any() and not closed.tails_out.toarray().any()
    np.testing.assert_array_equal(np.diag(closed.heads_route.toarray()), [0.0, 1.0])
    np.testing.assert_array_equal(np.diag(closed.tails_route.toarray()), [1.0, 0.0])


def test_dense_steady_limit_is_the_sparse_one():
    """The steady limit found with dense matrices (small systems) is the one found with
    sparse ones, to the Newton tolerance."""
    (segs, y0), = _built()[:1]
    op = segs[0][0]
    dense = steady_limit(Model(op, dense_jacobian=True), y0)
    sparse_limit = steady_limit(Model(op, dense_jacobian=False), y0)
    assert dense is not None and sparse_limit is not None
    np.testing.assert_allclose(dense, sparse_limit, rtol=1e-12, atol=1e-15)
