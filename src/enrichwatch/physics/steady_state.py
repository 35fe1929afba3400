"""Steady state of any set of separating stages joined by streams (the engine under cascades
and networks).

The model (stated once, used everywhere):

* Each stage ``i`` takes a feed flow ``L_i`` [kg U/yr] and splits it at its **mass cut**
  ``theta_i`` into heads ``theta_i L_i`` and tails ``(1 - theta_i) L_i``. Cuts are inputs (the
  hydraulic design of the cascade), so the total flows solve one *linear* system
  ``(I - H diag(theta) - T diag(1 - theta)) L = b``, where ``H[d, s]`` (``T[d, s]``) is the
  fraction of the heads (tails) of stage ``s`` routed to stage ``d`` and ``b`` the external feeds.
* Separation: the heads and tails of a stage satisfy, for every isotope ``k``,
  ``(w^h_k / w^h_238) = gamma_ik (w^t_k / w^t_238)`` (mass-fraction ratios equal atom-fraction
  ratios up to a constant factor that cancels). Writing ``t_i = w^h_238 / w^t_238``, the share of
  isotope ``k`` that leaves in the heads is
  ``a_ik = theta_i gamma_ik t_i / (theta_i gamma_ik t_i + 1 - theta_i)``.
* For given ``t`` the component flows solve one linear system per isotope,
  ``(I - H diag(a_k) - T diag(1 - a_k)) N_k = b_k``; ``t`` is then fixed by requiring that each
  stage's heads carry the share ``theta_i`` of the stage's actual feed,
  ``sum_k (a_ik - theta_i) N_ik = 0`` (written without cancellation; see
  :func:`solve_compositions`). This is solved by Newton's method on ``u = ln t`` with the exact
  Jacobian, and the converged state is checked stage by stage.

Mass is conserved isotope by isotope by construction: every component flow solves a
conservation system exactly (to rounding).

The stages, the streams between them and the total flows (the first point) are
:mod:`~enrichwatch.physics.stage_graph`'s (:class:`StageGraph`, :func:`solve_flows`; importable
from here as well); this module solves the compositions, one graph at a time
(:func:`solve_compositions`) or several as one (:func:`solve_compositions_batch`).

Linear algebra (issue 14): every matrix above is sparse, held in the patterns of the graph's
systems (:mod:`~enrichwatch.physics.stage_graph`), and none is inverted. The isotopes are solved
together, as one block-diagonal system (one block per isotope: a cascade's stays tridiagonal).
The Newton step ``J du = -r`` is solved without forming ``J``, which is dense
(``J = (diag(sum_k c'_k N_k) + sum_k diag(c_k) M_k^-1 D diag(a_k b_k N_k)) / L`` with
``M_k = I - H diag(a_k) - T diag(b_k)`` and ``D = H - T``), from the equivalent sparse
bordered system in ``(dN, du)``::

    M_k dN_k - D diag(a_k b_k N_k) du = 0                    (every isotope k)
    sum_k diag(c_k) dN_k + diag(sum_k c'_k N_k) du = -r L    (every stage with flow; du_i = 0
                                                             for a stage without)

so each Newton iteration costs time linear in the stages and links.

Examples
--------
One stage fed 1 kg U/yr (U-235 and U-238 only) at a cut of 0.4, with a stage factor of 1.3:
the heads' U-235/U-238 ratio is 1.3 times the tails', and the heads carry the cut.

>>> import numpy as np
>>> from enrichwatch.physics.stage_graph import StageGraph, solve_flows, withdrawn
>>> graph = StageGraph(np.zeros((1, 1)), np.zeros((1, 1)),      # no streams between stages
...                    [[1.0], [0.0]], [[0.0], [1.0]])          # heads out at 0, tails at 1
>>> cuts = np.array([0.4])
>>> flows = solve_flows(graph, cuts, np.array([1.0]))
>>> sol = solve_compositions(graph, cuts, flows, np.array([[1.3, 1.0]]),
...                          np.array([[0.00711, 0.99289]]))    # kg/yr of U-235, U-238
>>> (h235, h238), (t235, t238) = withdrawn(graph, sol.heads_components, sol.tails_components)
>>> round(float((h235 / h238) / (t235 / t238)), 9), round(float(h235 + h238), 9)
(1.3, 0.4)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from ..errors import ConvergenceError
from .sparse_systems import one_blas_thread
from .stage_graph import (
    Batch,
    StageGraph,
    Streams,
    _Systems,
    batch_graph,
    flow_matrix,
    solve_flows,
    solve_flows_and_slope,
    withdrawal_flows,
    withdrawal_flows_and_slope,
    withdrawn,
)

# the names of physics.stage_graph stay importable from here, where they were first
__all__ = [
    "NEWTON_MAX_ITERATIONS",
    "Batch",
    "StageGraph",
    "StageSolution",
    "Streams",
    "batch_graph",
    "flow_matrix",
    "solve_compositions",
    "solve_compositions_batch",
    "solve_flows",
    "solve_flows_and_slope",
    "withdrawal_flows",
    "withdrawal_flows_and_slope",
    "withdrawn",
]

_NEWTON_TOL = 1e-13
#: Most Newton iterations of a composition solve, unless the caller sets fewer or more.
NEWTON_MAX_ITERATIONS = 60
_NEWTON_MAX_ITER = NEWTON_MAX_ITERATIONS
#: Halvings of a Newton step tried by the line search before the step counts as stalled.
_LINE_SEARCH_HALVINGS = 30
#: Stalled Newton steps in a row, and in all, after which the solve gives up (a converging
#: solve meets none: none of the ~1,800 solves of the physics, facility and breakout tests did).
_MAX_STALLS = 2
_MAX_FAILED_SEARCHES = 3
#: Most stages for the dense least-squares Newton step taken when the sparse Newton system is
#: exactly singular (a degenerate network): it costs O(S^3), ~1 s at 1,000 stages and minutes
#: at the plant limit of 10,000; beyond this the solve gives up instead.
_DENSE_FALLBACK_MAX_STAGES = 1000


@dataclass(frozen=True)
class StageSolution:
    """Converged steady state of a stage graph (all arrays over stages ``S`` and isotopes ``K``).

    ``feed_components[i, k]`` is the mass flow of isotope ``k`` into stage ``i`` [kg/yr];
    ``heads_share[i, k]`` the share of it leaving in the heads; ``log_ratio[i]`` the converged
    Newton unknown ``u_i = ln t_i`` (``start`` of a neighbouring solve, see
    :func:`solve_compositions`).
    """

    cuts: np.ndarray
    flows: np.ndarray
    feed_components: np.ndarray
    heads_share: np.ndarray
    tails_share: np.ndarray
    iterations: int
    log_ratio: np.ndarray | None = None
    withdrawals: np.ndarray | None = None     # (W, K), when a batch found them for all at once

    @property
    def heads_components(self) -> np.ndarray:
        return self.feed_components * self.heads_share

    @property
    def tails_components(self) -> np.ndarray:
        return self.feed_components * self.tails_share


#: Below this many columns numpy adds a row's entries one after the other (its pairwise
#: summation starts at 8), as :func:`_row_sums` does.
_SEQUENTIAL_SUM = 8


def _row_sums(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=1)`` of an (S, K) array, bit for bit: for fewer than 8 columns (an isotope
    count) added column by column, in order, as numpy adds them, at a tenth of the cost of
    its reduction over such short rows (measured: 2 against 19 us at 1152 x 3)."""
    if x.ndim != 2 or not 0 < x.shape[1] < _SEQUENTIAL_SUM:
        return x.sum(axis=1)
    out = x[:, 0] + 0.0                 # numpy's sum starts at 0.0 (so -0.0 + -0.0 is 0.0)
    for k in range(1, x.shape[1]):
        out += x[:, k]
    return out


def _driven(graph: StageGraph, ab_n: np.ndarray) -> np.ndarray:
    """The Newton system's ``-D diag(a b N)`` entries, route by route, raveled."""
    return (graph.columns.drive * np.take(ab_n, graph.routes.src, axis=0)).ravel()


def _split(theta, rest, gamma, u):
    """Shares of each isotope to the heads (a) and to the tails (b = 1 - a), the split
    residual weight c = (a - theta) / (theta (1 - theta)), and its derivative in ``u``, all
    without cancellation; ``theta`` the cuts and ``rest`` one less the cuts, as (S, 1)."""
    gt = gamma * np.exp(u)[:, None]
    heads = theta * gt
    denom = heads + rest
    return heads / denom, rest / denom, (gt - 1.0) / denom, gt / denom**2


def _unrouted(graph: StageGraph, heads_share, tails_share) -> np.ndarray:
    """Minus the share of each isotope's flow in the sending stage that each route carries,
    (E, K): the off-diagonal entries of ``-(H diag(a_k) + T diag(b_k))``."""
    c, src = graph.columns, graph.routes.src
    # np.take: the same rows as indexing, at a third of its cost for (S, K) arrays
    return c.heads * np.take(heads_share, src, axis=0) + c.tails * np.take(tails_share, src,
                                                                           axis=0)


def solve_compositions(graph: StageGraph, cuts: np.ndarray, flows: np.ndarray,
                       gamma: np.ndarray, external_components: np.ndarray,
                       where: str = "stages", *,
                       max_iterations: int = _NEWTON_MAX_ITER,
                       stage_label: Callable[[int], str] | None = None,
                       start: np.ndarray | None = None) -> StageSolution:
    """Newton solve of the stage compositions for fixed flows and stage factors.

    The unknowns are ``u_i = ln t_i``; the residual of stage ``i`` is
    ``sum_k c_ik N_ik / L_i`` with ``c_ik = (a_ik - theta_i) / (theta_i (1 - theta_i))``: it is
    zero when the heads carry exactly the share ``theta_i`` of the stage's *actual* feed. With
    the total-flow matrix non-singular (every stage drains to a withdrawal), that also makes
    each stage's feed equal ``L_i`` — even where tails or heads run round closed loops. Each
    iteration costs time linear in the stages and links (see the module docstring); BLAS runs
    on one thread meanwhile.

    Parameters
    ----------
    graph : StageGraph
    cuts, flows : ndarray, shape (S,)
        Mass cuts [1] and stage feed flows [kg U/yr] (from :func:`solve_flows`).
    gamma : ndarray, shape (S, K)
        Overall stage separation factor of each isotope relative to U-238 [1].
    external_components : ndarray, shape (S, K)
        External isotope mass inputs to each stage [kg/yr].
    where : str
        Name used in a :class:`~enrichwatch.errors.ConvergenceError`.
    max_iterations : int
        Most Newton iterations (default 60); the solve is bounded by counts, never by time.
    stage_label : callable, optional
        Name of stage ``i`` in an error message (default ``"stage i"``).
    start : ndarray, shape (S,), optional
        Where Newton's method starts: the ``log_ratio`` of a converged solve of the same graph
        at a neighbouring setting (a warm start; default all zeros, a cold start). The answer
        meets the same convergence test either way, so it agrees with a cold start to the
        solver tolerance; only the number of iterations changes. A ``start`` of the wrong shape
        or not finite is ignored (cold start).

    Raises
    ------
    ConvergenceError
        No converged state within ``max_iterations`` Newton iterations, a Newton iteration that
        stalls twice in a row, or a residual that overflows; the message names the worst stage.
    """
    # a diverging iteration overflows: that is reported as a ConvergenceError, not as warnings
    with one_blas_thread(), np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        active = flows > 0.0
        scale = np.where(active, flows, 1.0)
        return _newton(_Problem(graph, cuts, flows, gamma, external_components, where, active,
                                scale, graph.systems(gamma.shape[1]),
                                stage_label or "stage {}".format, cuts[:, None],
                                1.0 - cuts[:, None], scale[:, None], bool(np.all(active))),
                       max_iterations, _start(start, len(cuts)))


def _start(start: np.ndarray | None, n: int) -> np.ndarray:
    """Newton's first ``u``: ``start`` when it fits (shape (n,), finite), else zeros."""
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape == (n,) and np.all(np.isfinite(start)):
            return start.copy()
    return np.zeros(n)


@dataclass(frozen=True)
class _Problem:
    """One composition solve: the graph, its fixed inputs, and the systems for its isotopes;
    ``active`` marks the stages with a flow, ``scale`` their flows (1 elsewhere); ``theta``,
    ``rest`` and ``scale_column`` the cuts, one less the cuts and ``scale`` as (S, 1)
    columns, and ``all_active`` whether every stage has a flow."""

    graph: StageGraph
    cuts: np.ndarray
    flows: np.ndarray
    gamma: np.ndarray
    external: np.ndarray
    where: str
    active: np.ndarray
    scale: np.ndarray
    systems: _Systems
    stage_label: Callable[[int], str]
    theta: np.ndarray
    rest: np.ndarray
    scale_column: np.ndarray
    all_active: bool

    def components(self, unrouted: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """Solve ``M_k X_k = rhs_k`` for every isotope (``rhs``: (K, S) or (K, S, m));
        ``unrouted`` the off-diagonal entries (:func:`_unrouted`)."""
        size = self.external.size
        values = np.concatenate([self.systems.ones, unrouted.ravel()])
        try:
            x = self.systems.components.solve(values, rhs.reshape(size, -1))
        except np.linalg.LinAlgError as err:
            raise ConvergenceError(self.where, f"singular stage balance ({err})") from None
        return x.reshape(rhs.shape)

    def evaluate(self, u):
        """Shares, minus the routed shares (E, K), component flows (S, K), residual and its
        norm."""
        shares = _split(self.theta, self.rest, self.gamma, u)
        unrouted = _unrouted(self.graph, shares[0], shares[1])
        comps = self.components(unrouted, self.external.T).T
        resid = _row_sums(shares[2] * comps) / self.scale
        if not self.all_active:
            resid = np.where(self.active, resid, 0.0)
        return shares, unrouted, comps, resid, _norm(resid)


def _newton(p: _Problem, max_iterations: int, u: np.ndarray) -> StageSolution:
    """Newton's method with a backtracking line search on ``u = ln t``.

    Bounded by counts only: at most ``max_iterations`` Newton steps of at most
    ``_LINE_SEARCH_HALVINGS`` residual evaluations each; it gives up early (a
    :class:`~enrichwatch.errors.ConvergenceError`) when the residual is not finite or when
    ``_MAX_STALLS`` steps in a row (or ``_MAX_FAILED_SEARCHES`` in all) find no decrease of the
    residual along the Newton direction (the iteration can then only crawl: each such step is
    ~1e-9 of a Newton step). A solve that converges does not meet these, so its result is the
    same as without them. ``u`` is the starting point (zeros: a cold start).
    """
    shares, routed, comps, resid, norm = p.evaluate(u)
    stalls = failures = 0
    for iteration in range(1, max_iterations + 1):
        worst = np.abs(resid).max()         # not finite if any element is not
        if worst < _NEWTON_TOL:
            return _checked(StageSolution(p.cuts, p.flows, comps, shares[0], shares[1],
                                          iteration, u), p.where)
        if not math.isfinite(worst):
            _give_up(p, resid, f"the heads/cut mismatch is not finite (overflow) after "
                               f"{iteration - 1} Newton iterations")
        step = _newton_step(p, shares, routed, comps, resid)
        step *= min(1.0, 4.0 / max(float(np.abs(step).max()), 1e-300))
        for _ in range(_LINE_SEARCH_HALVINGS):     # backtracking line search on the residual
            trial = p.evaluate(u + step)
            if trial[4] < norm or trial[4] < _NEWTON_TOL:
                stalls = 0
                break
            step *= 0.5
        else:
            stalls += 1
            failures += 1
            if stalls >= _MAX_STALLS or failures >= _MAX_FAILED_SEARCHES:
                _give_up(p, resid, f"Newton stalled after {iteration} iterations ({failures} "
                                   f"steps along which no fraction lowers the mismatch)")
        u = u + step
        shares, routed, comps, resid, norm = trial
    _give_up(p, resid, f"after {max_iterations} Newton iterations")


def _give_up(p: _Problem, resid: np.ndarray, why: str) -> NoReturn:
    """Raise the :class:`~enrichwatch.errors.ConvergenceError` of a failed solve: the worst
    stage, its mismatch and flow, and ``why``."""
    size = np.where(np.isfinite(resid), np.abs(resid), np.inf)
    worst = int(np.argmax(size))
    raise ConvergenceError(p.where, f"heads/cut mismatch {size[worst]:.2e} at "
                                    f"{p.stage_label(worst)} (feed flow {p.flows[worst]:.3g} "
                                    f"kg U/yr) {why}")


def _newton_step(p: _Problem, shares, unrouted, comps, resid) -> np.ndarray:
    """``du`` solving ``J du = -r`` through the bordered sparse system (module docstring)."""
    a, b, c, dc = shares
    n, n_iso = comps.shape
    ab_n = a * b * comps                                           # dN enters via da/du = a b
    weight, slope = c / p.scale_column, _row_sums(dc * comps) / p.scale
    if not p.all_active:                                           # inactive stages pinned
        weight, slope = np.where(p.active[:, None], weight, 0.0), np.where(p.active, slope, 1.0)
    border = np.concatenate([
        p.systems.ones, unrouted.ravel(),                          # M_k
        _driven(p.graph, ab_n),                                    # -D diag(a b N)
        weight.ravel(), slope])
    if not np.isfinite(border).all():
        _give_up(p, resid, "(the Newton system overflows)")
    rhs = np.zeros(n * (n_iso + 1))
    rhs[n_iso::n_iso + 1] = -resid
    try:
        return p.systems.newton.solve(border, rhs)[n_iso::n_iso + 1]
    except np.linalg.LinAlgError:
        if n > _DENSE_FALLBACK_MAX_STAGES:      # a dense S x S least squares: minutes, not ms
            _give_up(p, resid, f"(the Newton system is singular, and with {n} stages too "
                               f"large for the dense least-squares step, at most "
                               f"{_DENSE_FALLBACK_MAX_STAGES})")
        return np.linalg.lstsq(_jacobian(p, shares, unrouted, comps), -resid, rcond=None)[0]


def _jacobian(p: _Problem, shares, unrouted, comps) -> np.ndarray:
    """Dense ``d(residual_i)/d(u_j)``, only for the least-squares step when the Newton system
    is exactly singular (a degenerate network): ``dN_k/du = M_k^-1 D diag(a_k b_k N_k)``, from
    one sparse solve with ``S`` right-hand sides."""
    a, b, c, dc = shares
    r = p.graph.routes
    n, n_iso = comps.shape
    rhs = np.zeros((n_iso, n, n))                      # [k, i, j]; routes are unique pairs
    rhs[:, r.dst, r.src] = ((r.heads - r.tails)[:, None] * (a * b * comps)[r.src]).T
    dn = p.components(unrouted, rhs)
    jac = (np.diag((dc * comps).sum(axis=1)) + np.einsum("ik,kij->ij", c, dn)) / p.scale[:, None]
    jac[~p.active] = 0.0
    jac[~p.active, ~p.active] = 1.0
    return jac


def _checked(sol: StageSolution, where: str) -> StageSolution:
    """Every active stage's feed must equal its flow and split at its cut (to 1e-9)."""
    total = _row_sums(sol.feed_components)
    heads = _row_sums(sol.heads_components)
    scale = np.maximum(sol.flows, 1e-300)
    bad = np.maximum(np.abs(total - sol.flows), np.abs(heads - sol.cuts * sol.flows)) / scale
    bad[sol.flows <= 0.0] = 0.0
    if np.max(bad) > 1e-9:
        raise ConvergenceError(where, f"stage balance closes only to {np.max(bad):.1e} at stage "
                                      f"{int(np.argmax(bad))}")
    return sol


# -- several graphs solved together (their union: stage_graph.batch_graph) -------------------
def solve_compositions_batch(batch: Batch, cuts: np.ndarray, flows: np.ndarray,
                             gamma: np.ndarray, external_components: np.ndarray,
                             start: np.ndarray, *, max_iterations: int = _NEWTON_MAX_ITER
                             ) -> list[StageSolution | None]:
    """:func:`solve_compositions` of every member of ``batch`` at once (the arguments are the
    members' own, one after the other; ``start`` the Newton start of each, zeros for a cold
    start). Each member iterates as it would alone: its own convergence test, step limit and
    line search, and it stops at its own iteration (its answer is taken then; it stays in the
    union with a zero step, which leaves it as it is). A member that does not take the plain
    path (no decrease at the full step, a residual that is not finite, no convergence within
    ``max_iterations``, a stage balance that does not close) gets None: its solve alone says
    what happens (and raises the error it raises). A singular or overflowing batch system
    gives None to every member not converged yet."""
    with one_blas_thread(), np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        active = flows > 0.0
        scale = np.where(active, flows, 1.0)
        problem = _Problem(batch.graph, cuts, flows, gamma, external_components, "batch",
                           active, scale, batch.graph.systems(gamma.shape[1]), "stage {}".format,
                           cuts[:, None], 1.0 - cuts[:, None], scale[:, None],
                           bool(np.all(active)))
        return _newton_batch(problem, batch, max_iterations, np.array(start, dtype=float))


def _norms(resid: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The 2-norm of each member's residual (its stages start at ``first``), its squares
    added by ``reduceat``: a segment's sum depends on its values only, not on where it starts
    (the first square, then numpy's summation loop over the others)."""
    return np.sqrt(np.add.reduceat(resid * resid, first))


_WHOLE = np.zeros(1, dtype=np.intp)


def _norm(resid: np.ndarray) -> float:
    """The 2-norm of one residual, added as :func:`_norms` adds each member's (``reduceat``).

    Not ``resid.dot(resid)`` (BLAS) nor ``sum``: they add in other orders, which
    differ in the last bit, and the BLAS order with the processor (OpenBLAS picks its kernel
    at run time). A line search compares two norms, so a last-bit difference can change a
    decision, and then the solution's last digits: a solve alone would not give what it gives
    in a batch, nor the same on every machine.
    """
    return float(_norms(resid, _WHOLE)[0])


def _newton_batch(p: _Problem, batch: Batch, max_iterations: int, u: np.ndarray
                  ) -> list[StageSolution | None]:
    """:func:`_newton` of every member of ``batch`` (see :func:`solve_compositions_batch`).
    Only the members still iterating are solved (their blocks of the union's systems); the
    others keep their last values."""
    out: list[StageSolution | None] = [None] * batch.size
    first, member = batch.stages[:-1], batch.member
    live = np.ones(batch.size, dtype=bool)
    rhs = p.external.T.reshape(p.external.size, 1)
    try:
        shares, routed, comps, resid = _evaluate_batch(p, batch, live, u, rhs)
    except ConvergenceError:                       # a singular union: each solved alone
        return out
    norm = _norms(resid, first)
    for iteration in range(1, max_iterations + 1):
        worst = np.maximum.reduceat(np.abs(resid), first)      # nan where any is nan
        done = live & (worst < _NEWTON_TOL)
        if done.any():
            _take(p, batch, np.flatnonzero(done), out, iteration,
                  (u, comps, shares[0], shares[1]))
            live &= ~done
        live &= np.isfinite(worst)                # (one that overflows: alone)
        if not live.any():
            return out
        step = _batch_step(p, batch, live, shares, routed, comps, resid)
        if step is None:
            return out
        step *= np.where(live, np.minimum(1.0, 4.0 / np.maximum(
            np.maximum.reduceat(np.abs(step), first), 1e-300)), 0.0)[member]
        try:
            trial = _evaluate_batch(p, batch, live, u + step, rhs)
        except ConvergenceError:
            return out
        trial_norm = _norms(trial[3], first)
        rejected = live & ~((trial_norm < norm) | (trial_norm < _NEWTON_TOL))
        if rejected.any():                        # alone, where its line search decides
            live &= ~rejected
            if not live.any():
                return out
            step *= live[member]                  # the others stay where they are
        u = u + step
        shares, routed, comps, resid = trial
        norm = trial_norm
    return out


def _evaluate_batch(p: _Problem, batch: Batch, live: np.ndarray, u: np.ndarray,
                    rhs: np.ndarray):
    """:meth:`_Problem.evaluate` of the ``live`` members (the others' component flows and
    residuals zero); ``rhs`` the external component flows, isotope by isotope, as a
    column."""
    shares = _split(p.theta, p.rest, p.gamma, u)
    unrouted = _unrouted(p.graph, shares[0], shares[1])
    values = np.concatenate([p.systems.ones, unrouted.ravel()])
    n_iso = p.gamma.shape[1]
    try:
        comps = p.systems.components.solve_blocks(
            values, rhs, batch.blocks("components", n_iso, live)).reshape(n_iso, -1).T
    except np.linalg.LinAlgError as err:
        raise ConvergenceError(p.where, f"singular stage balance ({err})") from None
    resid = _row_sums(shares[2] * comps) / p.scale
    if not p.all_active:
        resid = np.where(p.active, resid, 0.0)
    return shares, unrouted, comps, resid


def _take(p: _Problem, batch: Batch, members: np.ndarray, out: list, iteration: int,
          arrays) -> None:
    """Record the converged ``members``' solutions (each a view of the union's arrays), those
    whose stage balances close (:func:`_checked`; the others are left None)."""
    u, comps, heads_share, tails_share = arrays
    sizes = np.diff(batch.stages)[members]
    if len(members) < batch.size and np.all(sizes > 0):    # the stages of ``members`` only
        chosen = np.zeros(batch.size, dtype=bool)
        chosen[members] = True
        rows = np.flatnonzero(chosen[batch.member])
        firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        worst = np.empty(batch.size)
        worst[members] = _worst_balance(     # np.take: indexing's rows, at a third of its cost
            np.take(comps, rows, axis=0), np.take(heads_share, rows, axis=0),
            np.take(p.flows, rows), np.take(p.cuts, rows), firsts)
    else:
        worst = _worst_balance(comps, heads_share, p.flows, p.cuts, batch.stages[:-1])
    # every member's withdrawals at once (the same values as member by member: elementwise,
    # or each withdrawal's streams added in the same order)
    flows = _withdrawn_shares(batch.graph, comps, heads_share, tails_share)
    stages, withdrawals, fine = batch.stages.tolist(), batch.withdrawals.tolist(), \
        (worst <= 1e-9).tolist()
    for m in members.tolist():
        if fine[m]:
            sl = slice(stages[m], stages[m + 1])
            out[m] = StageSolution(p.cuts[sl], p.flows[sl], comps[sl], heads_share[sl],
                                   tails_share[sl], iteration, u[sl],
                                   flows[withdrawals[m]:withdrawals[m + 1]])


def _worst_balance(comps: np.ndarray, heads_share: np.ndarray, flows: np.ndarray,
                   cuts: np.ndarray, first: np.ndarray) -> np.ndarray:
    """:func:`_checked`'s figure for each member (its stages start at ``first``): the worst
    relative mismatch of a stage's feed with its flow or of its heads with its cut."""
    total = _row_sums(comps)
    heads = _row_sums(comps * heads_share)
    scale = np.maximum(flows, 1e-300)
    bad = np.maximum(np.abs(total - flows), np.abs(heads - cuts * flows)) / scale
    bad[flows <= 0.0] = 0.0
    return np.maximum.reduceat(bad, first)


def _withdrawn_shares(graph: StageGraph, comps: np.ndarray, heads_share: np.ndarray,
                      tails_share: np.ndarray) -> np.ndarray:
    """:func:`withdrawn` of the heads and tails component flows ``comps * heads_share`` and
    ``comps * tails_share`` (S, K): those products taken only at the stages a withdrawal
    leaves from when each withdrawal is one stream (the same values, elementwise)."""
    if not graph.columns.single_exits:
        return withdrawn(graph, comps * heads_share, comps * tails_share)
    e = graph.exits
    at = comps[e.src]
    return e.heads[:, None] * (at * heads_share[e.src]) + e.tails[:, None] * (
        at * tails_share[e.src])


def _finite_blocks(graph: StageGraph, batch: Batch, border: np.ndarray, n_iso: int
                   ) -> np.ndarray:
    """Whether each member's block of the union's Newton system (``border``, as
    :func:`_batch_step` lays it out) is finite: :func:`_newton_step`'s test of the member
    alone, whose system holds the same entries (those of its stages and of the routes from
    them)."""
    n, n_routes = graph.n_stages, len(graph.routes.src)
    routes = border[n * n_iso:n * n_iso + 2 * n_routes * n_iso].reshape(2, n_routes, n_iso)
    stages = border[(n + 2 * n_routes) * n_iso:]
    finite = np.isfinite(stages[:n * n_iso].reshape(n, n_iso)).all(axis=1) & np.isfinite(
        stages[n * n_iso:])
    finite[graph.routes.src[~np.isfinite(routes).all(axis=(0, 2))]] = False
    return np.logical_and.reduceat(finite, batch.stages[:-1])


def _batch_step(p: _Problem, batch: Batch, live: np.ndarray, shares, unrouted, comps,
                resid) -> np.ndarray | None:
    """:func:`_newton_step` of the ``live`` members (their blocks of the union's system; a
    member whose system overflows leaves ``live``, to be solved alone); None when a block is
    singular (the members not converged are then solved alone, where the dense fallback may
    apply)."""
    a, b, c, dc = shares
    n, n_iso = comps.shape
    ab_n = a * b * comps
    weight, slope = c / p.scale_column, _row_sums(dc * comps) / p.scale
    if not p.all_active:
        weight, slope = np.where(p.active[:, None], weight, 0.0), np.where(p.active, slope, 1.0)
    border = np.concatenate([p.systems.ones, unrouted.ravel(),
                             _driven(p.graph, ab_n),
                             weight.ravel(), slope])
    if not np.isfinite(border).all():     # the members whose blocks overflow: alone
        live &= _finite_blocks(p.graph, batch, border, n_iso)
        if not live.any():
            return None
    rhs = np.zeros(n * (n_iso + 1))
    rhs[n_iso::n_iso + 1] = -resid
    try:
        return p.systems.newton.solve_blocks(border, rhs,
                                             batch.blocks("newton", n_iso + 1, live)
                                             )[n_iso::n_iso + 1]
    except np.linalg.LinAlgError:
        return None
