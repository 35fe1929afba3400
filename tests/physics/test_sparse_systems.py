"""Sparse systems of a fixed pattern: both paths (banded LU, SuperLU) solve like a dense solve."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.errors import ConfigurationError
from enrichwatch.physics import sparse_systems
from enrichwatch.physics.sparse_systems import SparsePattern


def _random_system(rng, n, band, extra):
    """Entries of a random non-singular matrix: a band, ``extra`` far entries and repeats."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    near = np.abs(i - j) <= band
    rows, cols = i[near], j[near]
    far_r, far_c = rng.integers(0, n, extra), rng.integers(0, n, extra)
    rows, cols = np.concatenate([rows, far_r, rows[:3]]), np.concatenate([cols, far_c, cols[:3]])
    values = rng.uniform(-1.0, 1.0, len(rows))
    dense = np.zeros((n, n))
    np.add.at(dense, (rows, cols), values)
    dense[np.arange(n), np.arange(n)] += 2.0 * (2 * band + 1 + extra)     # well conditioned
    rows, cols = np.concatenate([rows, np.arange(n)]), np.concatenate([cols, np.arange(n)])
    values = np.concatenate([values, np.full(n, 2.0 * (2 * band + 1 + extra))])
    return rows, cols, values, dense


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 160), st.integers(0, 4), st.integers(0, 6), st.integers(0, 2**32 - 1))
def test_solve_equals_a_dense_solve(n, band, extra, seed):
    """Every path (banded, dense, SuperLU: chosen by the size and width) solves as LAPACK's
    dense solve does."""
    rng = np.random.default_rng(seed)
    rows, cols, values, dense = _random_system(rng, n, band, extra)
    pattern = SparsePattern.from_entries(rows, cols, n)
    rhs = rng.normal(size=n)
    kept = rhs.copy()
    np.testing.assert_allclose(pattern.solve(values, rhs), np.linalg.solve(dense, rhs),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(rhs, kept)                 # the right-hand side is left alone
    many = rng.normal(size=(n, 3))
    np.testing.assert_allclose(pattern.solve(values, many), np.linalg.solve(dense, many),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n, method", [(200, "superlu"), (100, "dense"), (2, "banded")])
def test_narrow_patterns_are_banded_and_wide_ones_dense_or_superlu_by_size(n, method):
    band = SparsePattern.from_entries(np.r_[0:n, 1:n], np.r_[0:n, 0:n - 1], n)
    assert band.method == "banded" and (band.lower, band.upper) == (min(n - 1, 1), 0)
    wide = SparsePattern.from_entries(np.r_[0:n, n - 1], np.r_[0:n, 0], n)
    assert wide.method == method and wide.lower == n - 1


@pytest.mark.parametrize("n, corner", [(1, 0), (5, 0), (60, 59), (200, 199)])
def test_singular_matrices_raise_linalg_error(n, corner):
    """A zero row (here the last) is an exactly singular matrix on every path."""
    rows = np.r_[0:n - 1, corner]
    cols = np.r_[0:n - 1, 0]
    pattern = SparsePattern.from_entries(rows, cols, n)
    values = np.r_[np.ones(n - 1), 0.0]
    with pytest.raises(np.linalg.LinAlgError):
        pattern.solve(values, np.ones(n))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 160), st.integers(0, 4), st.integers(0, 6), st.sampled_from(
    [None, "banded", "dense", "superlu"]), st.integers(0, 2**32 - 1))
def test_reordered_and_forced_paths_and_factorised_solves_equal_a_dense_solve(
        n, band, extra, method, seed):
    """With reordering allowed (reverse Cuthill-McKee for wide patterns), or a method forced,
    :meth:`solve` and each solve of :meth:`factorised` give LAPACK's dense solve."""
    rng = np.random.default_rng(seed)
    rows, cols, values, dense = _random_system(rng, n, band, extra)
    pattern = SparsePattern.from_entries(rows, cols, n, reorder=True, method=method)
    assert method is None or pattern.method == method
    if pattern.order is not None:
        assert sorted(pattern.order.tolist()) == list(range(n))
        assert np.array_equal(pattern.order[pattern.position], np.arange(n))
    rhs, many = rng.normal(size=n), rng.normal(size=(n, 3))
    kept = rhs.copy()
    solve = pattern.factorised(values)
    for got in (pattern.solve(values, rhs), solve(rhs), solve(rhs)):
        np.testing.assert_allclose(got, np.linalg.solve(dense, rhs), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(rhs, kept)
    np.testing.assert_allclose(solve(many), np.linalg.solve(dense, many), rtol=1e-10,
                               atol=1e-12)


def test_a_wide_pattern_is_banded_once_renumbered_when_reordering_is_allowed():
    """The diagonal and one corner entry: as wide as it gets in its own order, but
    tridiagonal after reverse Cuthill-McKee; without ``reorder`` it stays wide."""
    n = 200
    rows, cols = np.r_[0:n, n - 1], np.r_[0:n, 0]
    assert SparsePattern.from_entries(rows, cols, n).method == "superlu"
    pattern = SparsePattern.from_entries(rows, cols, n, reorder=True)
    assert pattern.method == "banded" and pattern.lower + pattern.upper <= 2
    values = np.r_[np.full(n, 2.0), 1.0]
    dense = np.diag(np.full(n, 2.0))
    dense[n - 1, 0] = 1.0
    rhs = np.arange(1.0, n + 1.0)
    np.testing.assert_allclose(pattern.solve(values, rhs), np.linalg.solve(dense, rhs),
                               rtol=1e-14)


@pytest.mark.parametrize("method", ["banded", "dense", "superlu"])
def test_factorised_singular_matrices_raise_linalg_error(method):
    n = 5
    pattern = SparsePattern.from_entries(np.r_[0:n - 1, n - 1], np.r_[0:n - 1, 0], n,
                                         method=method)
    with pytest.raises(np.linalg.LinAlgError):
        pattern.factorised(np.r_[np.ones(n - 1), 0.0])


def test_an_unknown_method_is_refused():
    with pytest.raises(ConfigurationError, match="'lu'"):
        SparsePattern.from_entries(np.arange(2), np.arange(2), 2, method="lu")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3)), min_size=1, max_size=5),
       st.integers(0, 2**32 - 1), st.data())
def test_a_stack_in_a_given_order_solves_block_by_block(blocks, seed, data):
    """Block-diagonal systems stacked, each in its own banded order: the stack's solve is the
    dense solve, and so is the solve of any of its blocks alone (the rest zero)."""
    rng = np.random.default_rng(seed)
    rows, cols, values, orders, dense, first = [], [], [], [], [], 0
    for n, band in blocks:
        r, c, v, d = _random_system(rng, n, band, 0)
        rows.append(r + first)
        cols.append(c + first)
        values.append(v)
        orders.append(rng.permutation(n) + first if band else np.arange(n) + first)
        dense.append((first, d))
        first += n
    size = first
    pattern = SparsePattern.from_entries(np.concatenate(rows), np.concatenate(cols), size,
                                         order=np.concatenate(orders))
    assert pattern.banded
    full = np.zeros((size, size))
    for start, d in dense:
        full[start:start + len(d), start:start + len(d)] = d
    rhs = rng.uniform(-1.0, 1.0, size)
    v = np.concatenate(values)
    np.testing.assert_allclose(pattern.solve(v, rhs), np.linalg.solve(full, rhs), atol=1e-10)
    keep = data.draw(st.lists(st.booleans(), min_size=len(blocks), max_size=len(blocks)))
    edges = np.cumsum([0] + [n for n, _ in blocks])
    alone = [SparsePattern.from_entries(r - e, c - e, n, order=o - e, method="banded")
             for r, c, o, e, (n, _) in zip(rows, cols, orders, edges, blocks, strict=False)]
    runs = [(int(edges[k]), int(edges[k + 1]), alone[k].lower, alone[k].upper)
            for k, kept in enumerate(keep) if kept]
    x = pattern.solve_blocks(v, rhs, runs)
    for k, kept in enumerate(keep):
        sl = slice(int(edges[k]), int(edges[k + 1]))
        expect = np.linalg.solve(full[sl, sl], rhs[sl]) if kept else np.zeros(sl.stop - sl.start)
        np.testing.assert_allclose(x[sl], expect, atol=1e-10)
        if kept:        # the block's own solve, bit for bit, whatever the stack's widths
            assert x[sl].tobytes() == alone[k].solve(values[k], rhs[sl]).tobytes()
            solve = pattern.factorised(v, [r for r in runs if r[0] == sl.start])
            assert solve(rhs)[sl].tobytes() == alone[k].factorised(values[k])(rhs[sl]).tobytes()


def test_a_block_is_given_to_lapack_as_alone(monkeypatch):
    """Whatever the other blocks of a stack, LAPACK gets each block with exactly the arguments
    of its own pattern's solve: its own half-widths, its band, its right-hand side (so the
    same arithmetic, on any processor's kernels: some round differently over other lengths)."""
    rng = np.random.default_rng(7)
    systems = [_random_system(rng, n, band, 0) for n, band in ((9, 0), (12, 3), (7, 1))]
    calls = []
    real = sparse_systems._banded_solve

    def recorded(lower, upper, ab, b):
        calls.append((lower, upper, ab.tobytes(), ab.shape, b.tobytes()))
        return real(lower, upper, ab, b)

    monkeypatch.setattr(sparse_systems, "_banded_solve", recorded)
    first, rows, cols, vals, own = 0, [], [], [], []
    for r, c, v, _ in systems:
        n = int(max(r.max(), c.max())) + 1
        own.append(SparsePattern.from_entries(r, c, n, order=np.arange(n), method="banded"))
        rows.append(r + first)
        cols.append(c + first)
        vals.append(v)
        first += n
    stack = SparsePattern.from_entries(np.concatenate(rows), np.concatenate(cols), first,
                                       order=np.arange(first), method="banded")
    rhs = rng.uniform(-1.0, 1.0, first)
    edges = np.cumsum([0] + [p.size for p in own])
    stack.solve_blocks(np.concatenate(vals), rhs, [
        (int(edges[k]), int(edges[k + 1]), p.lower, p.upper) for k, p in enumerate(own)])
    in_stack = calls[:]
    calls.clear()
    for k, (p, v) in enumerate(zip(own, vals, strict=True)):
        p.solve(v, rhs[edges[k]:edges[k + 1]])
    assert in_stack == calls
    assert {c[:2] for c in calls} != {(stack.lower, stack.upper)}     # narrower than the stack
