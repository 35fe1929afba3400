"""Many small LPs of one structure solved at once: re-use of optimal bases, vectorised.

The Monte Carlo of breakout time re-optimises the fluid programme of :mod:`.program` (H = 1)
for every sample. The programmes differ only in their numbers (rates, stocks), not in their
shape, so a few optimal *bases* serve almost all samples. For a candidate basis B the simplex
optimality test is exact and cheap to vectorise over samples:

* primal feasibility: x_B = B^-1 b >= 0;
* dual feasibility: with y = B^-T c_B, every reduced cost c_j - y . A_j >= 0.

A sample passing both for some candidate has its optimum read off that basis (exactly, up to
rounding). Samples no candidate fits are solved one by one with HiGHS
(:func:`scipy.optimize.linprog`, dual simplex); the basis of each such solution is recovered
from its support (completed to full rank with slack columns) and added to the candidates.

Unreachable samples (too little stock for the target at any speed: tau = 0) have a degenerate
optimum that no recovered basis certifies. For them the dual solution y of HiGHS is kept: if
``b . y = 0`` and ``c - A_k^T y >= 0`` for another sample k, then by weak duality that sample's
optimum is tau = 0 as well (checked for all remaining samples at once), so each batch solves
one unreachable sample, not every one.

Standard form (per sample): minimise ``c . x`` subject to ``A x = b``, ``x >= 0``, with
``x = (a_1..a_J, tau, slacks)``; rows: one capacity row per group, one inventory row per
constrained level, one product row (see :func:`standard_form`).

Examples
--------
>>> import numpy as np
>>> g = np.array([[[-1.75, 1.0]]])
>>> flows = np.broadcast_to(g.reshape(1, 1, 2), (3, 1, 2)).copy()
>>> stock = np.array([[87.5], [87.5], [10.0]])
>>> tau, calls, bases = solve_batch(flows, np.array([0]), stock, np.full(3, 27.78), np.array([3]))
>>> days_from_tau(tau).round(3)           # 10 kg of 60 % cannot make 27.78 kg of 90 %
array([9.26, 9.26,  inf])
"""

from __future__ import annotations

import numpy as np

__all__ = ["days_from_tau", "solve_batch", "standard_form"]

_TOL = 1e-9
_TAU_ZERO = 1e-10


def days_from_tau(tau) -> np.ndarray:
    """T = 1/tau [days]; ``inf`` (unreachable) where tau <= 1e-10 per day, i.e. beyond 1e10
    days, where tau is round-off of an optimum of 0."""
    tau = np.asarray(tau, float)
    out = np.full(tau.shape, np.inf)
    np.divide(1.0, tau, out=out, where=tau > _TAU_ZERO)
    return out


def standard_form(flows, groups, units, stock, deficit):
    """Batched standard form (A, b, c) of the fluid programme.

    Parameters
    ----------
    flows : ndarray (N, J, L)
        Net flow into each level of one unit on column j [kg U/day], per sample.
    groups : ndarray (J,)
        Group index of each column.
    units : ndarray (K,)
        Units per group.
    stock : ndarray (N, L')
        Stock of each constrained level, per sample (the levels whose rows exist).
    deficit : ndarray (N,)
        Product still needed per sample [kg U].
    levels : implicit
        ``flows[..., :L']`` are the constrained levels in the same order as ``stock``, and
        ``flows[..., -1]`` is the product level.

    Returns
    -------
    A : ndarray (N, m, n), b : ndarray (m,), c : ndarray (n,)
    """
    n, j, _ = flows.shape
    k, lev = len(units), stock.shape[1]
    m = k + lev + 1
    a = np.zeros((n, m, j + 1 + m))
    a[:, np.asarray(groups), np.arange(j)] = 1.0                     # capacity rows
    a[:, k:k + lev, :j] = -np.transpose(flows[:, :, :lev], (0, 2, 1))
    a[:, k:k + lev, j] = -stock
    a[:, -1, :j] = -flows[:, :, -1]
    a[:, -1, j] = deficit
    a[:, :, j + 1:] = np.eye(m)
    b = np.concatenate([np.asarray(units, float), np.zeros(lev + 1)])
    c = np.zeros(j + 1 + m)
    c[j] = -1.0
    return a, b, c


def _check(a, b, c, basis, each: bool = True):
    """(optimal mask, tau) of every sample for one candidate basis. A basis singular for some
    sample is checked sample by sample (``each``); a singular single sample does not fit."""
    bm = a[:, :, basis]
    try:
        xb = np.linalg.solve(bm, np.broadcast_to(b, bm.shape[:2])[..., None])[..., 0]
        y = np.linalg.solve(np.transpose(bm, (0, 2, 1)),
                            np.broadcast_to(c[basis], bm.shape[:2])[..., None])[..., 0]
    except np.linalg.LinAlgError:
        if not each:
            raise
        return _check_each(a, b, c, basis)
    reduced = c[None, :] - np.einsum("nm,nmj->nj", y, a)
    scale = 1.0 + np.abs(xb).max(axis=1)
    ok = (xb >= -_TOL * scale[:, None]).all(axis=1)
    # each reduced cost against the size of its own terms: one scale for all columns let a
    # column of small entries through with a reduced cost of -1e-7, a suboptimal basis (days
    # up to 1.5e-5 too long, issue 14)
    yscale = 1.0 + np.abs(y).max(axis=1) * np.abs(a).max(axis=(1, 2))
    terms = np.abs(c)[None, :] + np.einsum("nm,nmj->nj", np.abs(y), np.abs(a))
    ok &= (reduced >= -_TOL * (terms + 1e-6 * yscale[:, None])).all(axis=1)
    ok &= np.isfinite(xb).all(axis=1)
    j = a.shape[2] - a.shape[1] - 1
    pos = np.flatnonzero(np.asarray(basis) == j)
    tau = xb[:, pos[0]] if len(pos) else np.zeros(len(a))
    return ok, tau


def _check_each(a, b, c, basis):
    ok, tau = np.zeros(len(a), bool), np.zeros(len(a))
    for i in range(len(a)):
        try:
            o, t = _check(a[i:i + 1], b, c, basis, each=False)
        except np.linalg.LinAlgError:
            continue
        ok[i], tau[i] = o[0], t[0]
    return ok, tau


def _solve_one(a, b, c):
    """(tau, basis or None, dual y or None) of one sample by HiGHS."""
    from scipy.optimize import linprog  # here: importing this module stays cheap (~0.4 s)

    res = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs-ds",
                  options={"primal_feasibility_tolerance": 1e-10,      # default 1e-7 left
                           "dual_feasibility_tolerance": 1e-10})      # days 2e-6 too long
    if res.status != 0:
        return 0.0, None, None
    j = a.shape[1] - a.shape[0] - 1
    marginals = getattr(getattr(res, "eqlin", None), "marginals", None)
    dual = None if marginals is None else np.asarray(marginals, float)
    return float(res.x[j]), _basis(a, res.x), dual


def _basis(a, x):
    m = a.shape[0]
    support = list(np.flatnonzero(x > _TOL * (1.0 + np.abs(x).max())))
    if len(support) > m:
        return None
    slacks = list(range(a.shape[1] - m, a.shape[1]))
    chosen = list(support)
    for col in slacks + [i for i in range(a.shape[1]) if i not in support]:
        if len(chosen) == m:
            break
        if col in chosen:
            continue
        if np.linalg.matrix_rank(a[:, chosen + [col]]) == len(chosen) + 1:
            chosen.append(col)
    return tuple(chosen) if len(chosen) == m else None


def solve_batch(flows, groups, stock, deficit, units, candidates=()):
    """Fluid optimum tau = 1/T of every sample.

    Parameters
    ----------
    flows : ndarray (N, J, L)
        See :func:`standard_form`.
    groups : ndarray (J,)
    stock : ndarray (N, L')
    deficit : ndarray (N,)
    units : ndarray (K,)
    candidates : iterable of tuple, optional
        Bases to try first.

    Returns
    -------
    tau : ndarray (N,)
        1 / days (0 where the target is unreachable).
    calls : int
        Samples solved one by one.
    candidates : list of tuple
        The candidate bases after the run (to seed the next batch).
    """
    a, b, c = standard_form(flows, groups, units, stock, deficit)
    n = len(a)
    tau, done = np.zeros(n), np.zeros(n, bool)
    cands = [tuple(x) for x in candidates]
    calls = 0
    for basis in cands:
        _apply(a, b, c, basis, tau, done)
    while not done.all():
        i = int(np.flatnonzero(~done)[0])
        t, basis, dual = _solve_one(a[i], b, c)
        calls += 1
        tau[i], done[i] = t, True
        if t <= 0.0 and dual is not None:
            _apply_unreachable(a, b, c, dual, tau, done)
        if basis is not None and basis not in cands:
            cands.append(basis)
            _apply(a, b, c, basis, tau, done)
    return tau, calls, cands


def _apply_unreachable(a, b, c, y, tau, done) -> None:
    """Mark tau = 0 for the samples the dual ``y`` of an unreachable one certifies (weak
    duality: b . y = 0 and every reduced cost c - A_k^T y >= 0 give optimum 0)."""
    todo = np.flatnonzero(~done)
    scale = 1.0 + np.abs(y).max() * max(1.0, float(np.abs(b).max()))
    if len(todo) == 0 or abs(float(b @ y)) > _TOL * scale:
        return
    reduced = c[None, :] - np.einsum("m,nmj->nj", y, a[todo])
    ok = (reduced >= -_TOL * scale * (1.0 + np.abs(a[todo]).max(axis=(1, 2)))[:, None]).all(1)
    tau[todo[ok]] = 0.0
    done[todo[ok]] = True


def _apply(a, b, c, basis, tau, done) -> None:
    todo = np.flatnonzero(~done)
    if len(todo) == 0:
        return
    ok, t = _check(a[todo], b, c, list(basis))
    tau[todo[ok]] = np.maximum(t[ok], 0.0) + 0.0
    done[todo[ok]] = True
