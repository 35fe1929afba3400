"""The Radau solver the transient runs use (physics.transient.radau.LapackRadau): scipy's Radau
with its dense LU called straight from LAPACK gives bit-identical runs."""

import importlib
import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import LinAlgWarning

from enrichwatch.physics.transient import (
    History,
    Model,
    Variant,
)
from enrichwatch.physics.transient.plant import build_operations
from enrichwatch.physics.transient.radau import LapackRadau
from enrichwatch.physics.transient.results import run_history
from tests.physics.transient_helpers import fordow_like

# the module (the package's name ``integrate`` is the function)
integrate_module = importlib.import_module("enrichwatch.physics.transient.integrate")


HISTORIES = fordow_like()


def _segments(history: History, variant: Variant):
    ops, y0 = build_operations(history, variant)
    return [(op, t0, t1) for op, (t0, t1) in zip(ops, history.times(), strict=True)], y0


@pytest.mark.parametrize("name", sorted(HISTORIES))
@pytest.mark.parametrize("variant", [Variant(), Variant(holdup_g=0.3), Variant(holdup_g=10.0)],
                         ids=["nominal", "0.3 g", "10 g"])
def test_lapack_radau_steps_exactly_as_scipys_radau(name, variant):
    """Every segment of the history, each solver from the same state: the same steps, states,
    counts and dense output, bit for bit."""
    segments, y = _segments(HISTORIES[name], variant)
    for op, t0, t1 in segments:
        model = Model(op, t0)
        assert model.dense_jacobian
        atol = 1e-10 * np.concatenate([op.holdup, op.holdup,
                                       np.full(model.size - 2 * model.n, op.holdup.sum())])
        runs = [solve_ivp(model.rhs, (t0, t1), y, method=method, rtol=1e-6, atol=atol,
                          jac=model.solver_jac, dense_output=True)
                for method in ("Radau", LapackRadau)]
        plain, fast = runs
        assert plain.status == fast.status == 0
        np.testing.assert_array_equal(fast.t, plain.t)
        np.testing.assert_array_equal(fast.y, plain.y)
        assert (fast.nfev, fast.njev, fast.nlu) == (plain.nfev, plain.njev, plain.nlu)
        times = np.linspace(t0, t1, 97)
        np.testing.assert_array_equal(fast.sol(times), plain.sol(times))
        y = plain.y[:, -1]


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_method_radau_runs_as_scipys_radau(name, monkeypatch):
    """``method="Radau"`` through run_history: the answers of scipy's own class, identical."""
    history = HISTORIES[name]
    fast = run_history(history, rtol=1e-6)
    monkeypatch.setattr(integrate_module, "_SOLVERS", {})
    plain = run_history(history, rtol=1e-6)
    assert fast.method == plain.method == "Radau"
    np.testing.assert_array_equal(fast.stage_assays, plain.stage_assays)
    np.testing.assert_array_equal(fast.withdrawn, plain.withdrawn)
    assert fast.peaks == plain.peaks
    assert fast.first_reached == plain.first_reached
    assert fast.withdrawn_above == plain.withdrawn_above
    assert fast.crossings == plain.crossings


def _newton_matrix(size: int, value: float) -> np.ndarray:
    return np.identity(size) * value


def test_non_finite_input_raises_as_scipy_does():
    solver = LapackRadau(lambda t, y: -y, 0.0, np.ones(3), 1.0, jac=-np.identity(3))
    bad = _newton_matrix(3, 2.0)
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="infs or NaNs"):
        solver.lu(bad)
    lu = solver.lu(_newton_matrix(3, 2.0))
    with pytest.raises(ValueError, match="infs or NaNs"):
        solver.solve_lu(lu, np.array([1.0, np.inf, 0.0]))
    np.testing.assert_array_equal(solver.solve_lu(lu, np.array([2.0, 4.0, 6.0])), [1, 2, 3])


def test_huge_finite_entries_are_not_taken_for_infinite():
    """The sum of the entries overflows; every entry is finite, so no error (as scipy)."""
    solver = LapackRadau(lambda t, y: -y, 0.0, np.ones(2), 1.0, jac=-np.identity(2))
    lu = solver.lu(_newton_matrix(2, 1.0))
    x = solver.solve_lu(lu, np.array([1e308, 1e308]))
    np.testing.assert_array_equal(x, [1e308, 1e308])


def test_singular_matrix_warns_as_scipy_does():
    solver = LapackRadau(lambda t, y: -y, 0.0, np.ones(2), 1.0, jac=-np.identity(2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solver.lu(np.zeros((2, 2)))
    assert any(issubclass(w.category, LinAlgWarning) and "exactly zero" in str(w.message)
               for w in caught)
    assert solver.nlu == 1


def test_sparse_jacobians_keep_scipys_superlu():
    from scipy import sparse
    from scipy.sparse.linalg import SuperLU

    solver = LapackRadau(lambda t, y: -y, 0.0, np.ones(2), 1.0,
                         jac=sparse.csc_matrix(-np.identity(2)))
    lu = solver.lu(sparse.csc_matrix(_newton_matrix(2, 2.0)))
    assert isinstance(lu, SuperLU)
    np.testing.assert_array_equal(solver.solve_lu(lu, np.array([2.0, 4.0])), [1.0, 2.0])
