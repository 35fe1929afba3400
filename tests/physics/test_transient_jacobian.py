"""The Jacobian handed to the integrator: dense for small systems, sparse above
``DENSE_JACOBIAN_MAX`` unknowns, the same entries and the same run either way."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from enrichwatch.physics.transient import Model, Watch, integrate
from enrichwatch.physics.transient.system import DENSE_JACOBIAN_MAX
from tests.physics.transient_helpers import chain, filled


def _size(n: int) -> int:
    """Unknowns of a :func:`chain` of ``n`` stages (product and tails withdrawn)."""
    return 2 * n + 4


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 30), inventory=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_dense_jacobian_has_the_entries_of_the_sparse_one(n, inventory, seed):
    op = replace(chain(n, n // 2), inventory_driven=inventory)
    model = Model(op, 0.0)
    rng = np.random.default_rng(seed)
    y = filled(op, 0.00711)
    y[:n] *= rng.uniform(0.5, 1.5, n)
    y[n:2 * n] *= rng.uniform(0.5, 1.5, n)
    dense = model.dense_jac(0.3, y)
    assert isinstance(dense, np.ndarray)
    np.testing.assert_array_equal(dense, model.jac(0.3, y).toarray())
    assert np.count_nonzero(dense) > 0


def test_threshold_picks_the_form():
    """Dense up to the threshold (inclusive), sparse above it, unless asked."""
    small = next(n for n in range(2, 200) if _size(n + 1) > DENSE_JACOBIAN_MAX)
    below, above = Model(chain(small, 1)), Model(chain(small + 1, 1))
    assert below.size <= DENSE_JACOBIAN_MAX < above.size
    y_below, y_above = filled(below.op, 0.01), filled(above.op, 0.01)
    assert below.dense_jacobian and isinstance(below.solver_jac(0.0, y_below), np.ndarray)
    assert not above.dense_jacobian
    assert sparse.issparse(above.solver_jac(0.0, y_above))
    assert not Model(below.op, dense_jacobian=False).dense_jacobian
    assert Model(above.op, dense_jacobian=True).dense_jacobian


def test_large_plants_keep_the_sparse_path():
    op = chain(200, 60)
    run = integrate([(op, 0.0, 1.0)], filled(op, 0.00711), rtol=1e-6)
    model = run.segments[0].model
    assert model.size > DENSE_JACOBIAN_MAX and not model.dense_jacobian
    assert sparse.issparse(model.solver_jac(0.5, run.final_state))


@pytest.mark.parametrize("method", ["Radau", "BDF"])
def test_dense_and_sparse_paths_give_the_same_run(method):
    """A small cascade over two segments with a threshold crossing: both forms of the
    Jacobian give the same trajectory, withdrawals and crossing to the integrator's
    tolerance (they differ only in the rounding of the LU factors)."""
    op = chain(12, 4, gamma=1.3)
    y0 = filled(op, 0.00711)
    watch, thresholds = [Watch("top", 11, "heads")], [0.012, 0.014]
    segments = [(op, 0.0, 3.0), (op, 3.0, 40.0)]
    rtol = 1e-8
    runs = {dense: integrate(segments, y0, method=method, rtol=rtol, atol=1e-10,
                             watch=watch, thresholds=thresholds, dense_jacobian=dense)
            for dense in (True, False)}
    dense, sparse_run = runs[True], runs[False]
    assert all(s.model.dense_jacobian for s in dense.segments)
    assert not any(s.model.dense_jacobian for s in sparse_run.segments)
    times = np.linspace(3.0, 40.0, 37)
    a = dense.segments[1].state(times)
    b = sparse_run.segments[1].state(times)
    scale = np.max(np.abs(b), axis=1, keepdims=True)
    assert np.max(np.abs(a - b) / scale) < 100 * rtol
    assert len(dense.crossings) == len(sparse_run.crossings) >= 1
    for c, d in zip(dense.crossings, sparse_run.crossings, strict=True):
        assert (c.watch, c.threshold, c.direction) == (d.watch, d.threshold, d.direction)
        assert c.time_h == pytest.approx(d.time_h, rel=100 * rtol)


def test_a_run_is_not_reused_across_jacobian_forms():
    op = chain(6, 2)
    y0 = filled(op, 0.00711)
    segments = [(op, 0.0, 1.0), (op, 1.0, 2.0)]
    first = integrate(segments, y0, dense_jacobian=True)
    same = integrate(segments, y0, dense_jacobian=True, reuse=first)
    other = integrate(segments, y0, dense_jacobian=False, reuse=first)
    assert same.segments[0] is first.segments[0]
    assert other.segments[0] is not first.segments[0]
