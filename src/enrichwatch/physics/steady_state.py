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

Linear algebra (issue 14): every matrix above is sparse (a stage talks to its two neighbours,
plus one entry per link between cascades), so none is formed densely and none is inverted. The
routing is held as lists of streams (:class:`Streams`), built once per network layout; the
systems of one graph keep their pattern
(:class:`~enrichwatch.physics.sparse_systems.SparsePattern`: banded LU for a cascade, and for a
network once its unknowns are renumbered along its loops (reverse Cuthill-McKee) when that makes
it narrow; SuperLU for a network that stays wide) and only their values change. The isotopes
are solved together, as one block-diagonal system (one block per isotope: a cascade's stays
tridiagonal). The Newton step ``J du = -r`` is solved without forming ``J``, which is dense
(``J = (diag(sum_k c'_k N_k) + sum_k diag(c_k) M_k^-1 D diag(a_k b_k N_k)) / L`` with
``M_k = I - H diag(a_k) - T diag(b_k)`` and ``D = H - T``), from the equivalent sparse
bordered system in ``(dN, du)``::

    M_k dN_k - D diag(a_k b_k N_k) du = 0                    (every isotope k)
    sum_k diag(c_k) dN_k + diag(sum_k c'_k N_k) du = -r L    (every stage with flow; du_i = 0
                                                             for a stage without)

so each Newton iteration costs time linear in the stages and links.

Examples
--------
Three stages, heads up and tails down, fed 1 kg U/yr in the middle at cuts of one half:

>>> import numpy as np
>>> up = np.diag(np.ones(2), -1)                     # [d, s]: heads of stage s to s + 1
>>> product, tails = np.zeros((2, 3)), np.zeros((2, 3))
>>> product[0, 2] = tails[1, 0] = 1.0                # withdrawals: product, tails
>>> graph = StageGraph(up, up.T, product, tails)
>>> cuts = np.full(3, 0.5)
>>> flows = solve_flows(graph, cuts, np.array([0.0, 1.0, 0.0]))
>>> flows.round(6).tolist(), withdrawal_flows(graph, cuts, flows).round(6).tolist()
([1.0, 2.0, 1.0], [0.5, 0.5])
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NoReturn

import numpy as np
from scipy.sparse import coo_array, csc_array, csr_array, diags_array, eye_array

from ..errors import ConvergenceError
from .sparse_systems import SparsePattern, one_blas_thread

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
class Streams:
    """Streams from the stages, each (receiver, sending stage) pair once, in row-major order.

    Attributes
    ----------
    dst, src : ndarray of int, shape (E,)
        Receiving stage (or withdrawal) and sending stage.
    heads, tails : ndarray, shape (E,)
        Fraction of the sender's heads and of its tails that the stream carries [1].
    """

    dst: np.ndarray
    src: np.ndarray
    heads: np.ndarray
    tails: np.ndarray

    @classmethod
    def combine(cls, dst, src, heads, tails, n_src: int) -> Streams:
        """Streams from entries ``(dst[e], src[e])`` carrying ``heads[e]``, ``tails[e]``;
        entries at the same pair add up."""
        dst, src = np.asarray(dst, dtype=np.int64), np.asarray(src, dtype=np.int64)
        keys, where = np.unique(dst * n_src + src, return_inverse=True)
        where = where.ravel()
        return cls(keys // n_src, keys % n_src,
                   np.bincount(where, weights=np.asarray(heads, dtype=float),
                               minlength=len(keys)),
                   np.bincount(where, weights=np.asarray(tails, dtype=float),
                               minlength=len(keys)))

    @classmethod
    def from_matrices(cls, heads, tails) -> Streams:
        """Streams of the routing matrices ``heads[d, s]``, ``tails[d, s]`` (dense or sparse)."""
        h, t = coo_array(heads), coo_array(tails)
        return cls.combine(np.concatenate([h.row, t.row]), np.concatenate([h.col, t.col]),
                           np.concatenate([h.data, np.zeros(t.nnz)]),
                           np.concatenate([np.zeros(h.nnz), t.data]), h.shape[1])

    def matrix(self, fractions: np.ndarray, shape: tuple[int, int]) -> csr_array:
        """``[d, s]`` matrix of ``fractions`` (``heads`` or ``tails``), sparse."""
        keep = fractions != 0.0
        return csr_array((fractions[keep], (self.dst[keep], self.src[keep])), shape=shape)


@dataclass(frozen=True, eq=False, init=False)
class StageGraph:
    """Routing of the stages' heads and tails, held as lists of streams (sparse).

    ``StageGraph(heads_route, tails_route, heads_out, tails_out)`` takes the routing matrices
    (dense or sparse) below; :meth:`from_streams` takes the streams themselves.

    Attributes
    ----------
    heads_route, tails_route : sparse array, shape (S, S)
        ``[d, s]``: fraction of the heads (tails) of stage ``s`` fed to stage ``d``.
    heads_out, tails_out : sparse array, shape (W, S)
        ``[w, s]``: fraction of the heads (tails) of stage ``s`` leaving through withdrawal ``w``.
    routes, exits : Streams
        The same as streams between stages and from stages to withdrawals.
    """

    n_stages: int
    n_withdrawals: int
    routes: Streams
    exits: Streams

    def __init__(self, heads_route, tails_route, heads_out, tails_out) -> None:
        heads_out = coo_array(heads_out)
        self._set(coo_array(heads_route).shape[0], heads_out.shape[0],
                  Streams.from_matrices(heads_route, tails_route),
                  Streams.from_matrices(heads_out, tails_out))

    @classmethod
    def from_streams(cls, n_stages: int, n_withdrawals: int, routes: Streams,
                     exits: Streams) -> StageGraph:
        """Graph of ``n_stages`` stages joined by ``routes`` and leaving through ``exits``."""
        graph = cls.__new__(cls)
        graph._set(n_stages, n_withdrawals, routes, exits)
        return graph

    def _set(self, n_stages, n_withdrawals, routes, exits) -> None:
        for name, value in (("n_stages", int(n_stages)), ("n_withdrawals", int(n_withdrawals)),
                            ("routes", routes), ("exits", exits), ("_systems", {})):
            object.__setattr__(self, name, value)

    @property
    def heads_route(self) -> csr_array:
        return self.routes.matrix(self.routes.heads, (self.n_stages, self.n_stages))

    @property
    def tails_route(self) -> csr_array:
        return self.routes.matrix(self.routes.tails, (self.n_stages, self.n_stages))

    @property
    def heads_out(self) -> csr_array:
        return self.exits.matrix(self.exits.heads, (self.n_withdrawals, self.n_stages))

    @property
    def tails_out(self) -> csr_array:
        return self.exits.matrix(self.exits.tails, (self.n_withdrawals, self.n_stages))

    @cached_property
    def flow_pattern(self) -> SparsePattern:
        """Pattern of the total-flow matrix: the identity first, then :attr:`routes`."""
        stage = np.arange(self.n_stages)
        return SparsePattern.from_entries(np.concatenate([stage, self.routes.dst]),
                                          np.concatenate([stage, self.routes.src]),
                                          self.n_stages, reorder=True)

    @cached_property
    def columns(self) -> _RouteColumns:
        """The routes' shares as columns, for the composition solves (built once)."""
        r = self.routes
        return _RouteColumns(-r.heads[:, None], -r.tails[:, None],
                             -(r.heads - r.tails)[:, None], r.heads - r.tails,
                             _single_exits(self.exits, self.n_withdrawals))

    def systems_of(self, n_isotopes: int, systems: _Systems) -> None:
        """Use ``systems`` as this graph's systems for ``n_isotopes`` isotopes (a batch's
        stack, :func:`batch_graph`)."""
        self._systems[n_isotopes] = systems  # type: ignore[attr-defined]

    def systems(self, n_isotopes: int) -> _Systems:
        """The sparse systems of this graph for ``n_isotopes`` isotopes (built once)."""
        systems: dict[int, _Systems] = self._systems  # type: ignore[attr-defined]
        if n_isotopes not in systems:
            systems[n_isotopes] = _Systems.build(self, n_isotopes)
        return systems[n_isotopes]


@dataclass(frozen=True, eq=False)
class _RouteColumns:
    """Negated heads and tails shares of the routes, (E, 1), for the off-diagonal entries
    ``-(H diag(a_k) + T diag(b_k))``; ``-(H - T)`` as a column and ``H - T`` as a row; and
    whether every withdrawal is one exit stream, in order (then :func:`withdrawn` needs no
    sums)."""

    heads: np.ndarray
    tails: np.ndarray
    drive: np.ndarray
    difference: np.ndarray
    single_exits: bool


def _single_exits(exits: Streams, n_withdrawals: int) -> bool:
    return len(exits.dst) == n_withdrawals and bool(np.all(exits.dst == np.arange(n_withdrawals)))


@dataclass(frozen=True, eq=False)
class _Systems:
    """Patterns of the component and Newton systems of one graph and isotope count.

    Component ``(i, k)`` (stage ``i``, isotope ``k``) is unknown ``k S + i``: one isotope after
    the other, so that a cascade's system stays tridiagonal. In the Newton system the unknowns
    go stage by stage, ``(i, k)`` at ``i (K + 1) + k`` and ``du_i`` at ``i (K + 1) + K``, so
    that it is banded too. Entries: the identity, then the routes ``(e, k)`` (route-major),
    then in the Newton system ``-D diag(a b N)``, the ``c`` border and its diagonal. Both
    are renumbered when that makes them banded (:class:`SparsePattern`). ``ones`` is the
    identity's entries.
    """

    n_isotopes: int
    components: SparsePattern
    newton: SparsePattern
    ones: np.ndarray

    @classmethod
    def build(cls, graph: StageGraph, n_iso: int,
              orders: tuple[np.ndarray, np.ndarray] | None = None) -> _Systems:
        """The systems of ``graph``; ``orders``: the banded orders of the component and the
        Newton unknowns to use (a stack of graphs, :func:`batch_graph`), else chosen here."""
        n, width = graph.n_stages, n_iso + 1
        comp_order, newton_order = (None, None) if orders is None else orders
        dst, src = graph.routes.dst, graph.routes.src
        iso = np.arange(n_iso)
        diag = np.arange(n * n_iso)
        components = _pattern(np.concatenate([diag, (dst[:, None] + iso * n).ravel()]),
                              np.concatenate([diag, (src[:, None] + iso * n).ravel()]),
                              n * n_iso, comp_order)
        node = np.arange(n)[:, None] * width + iso                 # (i, k) in the Newton system
        du = np.arange(n) * width + n_iso
        rows = [node.ravel(), node[dst].ravel(), node[dst].ravel(), np.repeat(du, n_iso), du]
        cols = [node.ravel(), node[src].ravel(), np.repeat(du[src], n_iso), node.ravel(), du]
        ones = np.ones(n * n_iso)
        ones.flags.writeable = False
        return cls(n_iso, components, _pattern(np.concatenate(rows), np.concatenate(cols),
                                               n * width, newton_order), ones)


def _pattern(rows: np.ndarray, cols: np.ndarray, size: int,
             order: np.ndarray | None) -> SparsePattern:
    """The pattern of a system, renumbered as it narrows it, or banded in ``order``."""
    if order is None:
        return SparsePattern.from_entries(rows, cols, size, reorder=True)
    return SparsePattern.from_entries(rows, cols, size, order=order)


def flow_matrix(graph: StageGraph, cuts: np.ndarray) -> csc_array:
    """``I - H diag(theta) - T diag(1 - theta)``: the total-flow conservation matrix (sparse)."""
    return csc_array(eye_array(graph.n_stages) - graph.heads_route @ diags_array(cuts)
                     - graph.tails_route @ diags_array(1.0 - cuts))


def solve_flows(graph: StageGraph, cuts: np.ndarray, external: np.ndarray) -> np.ndarray:
    """Stage feed flows ``L`` [kg U/yr] for fixed cuts and external feeds ``b``."""
    r = graph.routes
    values = np.concatenate([np.ones(graph.n_stages),
                             -(r.heads * cuts[r.src] + r.tails * (1.0 - cuts[r.src]))])
    return graph.flow_pattern.solve(values, np.asarray(external, dtype=float))


def solve_flows_and_slope(graph: StageGraph, cuts: np.ndarray, external: np.ndarray,
                          moved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stage feed flows ``L`` (as :func:`solve_flows`) and their derivative ``dL`` when the
    cuts move at the rates ``moved`` (``d theta``).

    ``A L = b`` with ``A = I - H diag(theta) - T diag(1 - theta)``, so
    ``A dL = (H - T) diag(d theta) L``: one more solve with the same factored matrix.
    """
    r = graph.routes
    values = np.concatenate([np.ones(graph.n_stages),
                             -(r.heads * cuts[r.src] + r.tails * (1.0 - cuts[r.src]))])
    solve = graph.flow_pattern.factorised(values)
    flows = solve(np.asarray(external, dtype=float))
    return flows, solve(np.bincount(r.dst, weights=graph.columns.difference
                                    * (moved * flows)[r.src], minlength=graph.n_stages))


def withdrawal_flows_and_slope(graph: StageGraph, cuts: np.ndarray, flows: np.ndarray,
                               moved: np.ndarray, slope: np.ndarray
                               ) -> tuple[np.ndarray, np.ndarray]:
    """Withdrawals (as :func:`withdrawal_flows`) and their derivative, for flows moving at
    ``slope`` as the cuts move at ``moved`` (:func:`solve_flows_and_slope`)."""
    moving = moved * flows + cuts * slope
    return (withdrawn(graph, cuts * flows, (1.0 - cuts) * flows),
            withdrawn(graph, moving, slope - moving))


def withdrawal_flows(graph: StageGraph, cuts: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """Total flow leaving through each withdrawal [kg U/yr]."""
    return withdrawn(graph, cuts * flows, (1.0 - cuts) * flows)


def withdrawn(graph: StageGraph, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """Flow leaving through each withdrawal, shape (W, ...), from the stages' heads and tails
    flows, shape (S, ...) (totals, or isotope by isotope) [kg/yr]."""
    e = graph.exits
    if graph.columns.single_exits:      # one stream per withdrawal, in order: nothing to add
        if heads.ndim == 1:
            return e.heads * heads[e.src] + e.tails * tails[e.src]
        return (e.heads[:, None] * heads[e.src].reshape(len(e.src), -1) + e.tails[:, None]
                * tails[e.src].reshape(len(e.src), -1)).reshape((graph.n_withdrawals,)
                                                                + heads.shape[1:])
    h, t = heads.reshape(graph.n_stages, -1), tails.reshape(graph.n_stages, -1)
    flows = e.heads[:, None] * h[e.src] + e.tails[:, None] * t[e.src]
    # bincount adds the streams in order, as np.add.at does (the same sums), at a tenth the cost
    out = np.empty((graph.n_withdrawals, flows.shape[1]))
    for j in range(flows.shape[1]):
        out[:, j] = np.bincount(e.dst, weights=flows[:, j], minlength=graph.n_withdrawals)
    return out.reshape((graph.n_withdrawals,) + heads.shape[1:])


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
        return shares, unrouted, comps, resid, math.sqrt(resid.dot(resid))   # the 2-norm


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


# -- several graphs solved together -----------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Batch:
    """Several stage graphs solved as one: their disjoint union, whose systems are the
    block-diagonal stacks of the members' systems, each member's unknowns in the banded order
    of its own systems (so the stack is banded, as wide as its widest member, and LAPACK's
    banded LU of it does for each block what it does for the member alone: the blocks share no
    entry, and a pivot is never taken from a block below).

    Attributes
    ----------
    graph : StageGraph
        The union: member ``m``'s stages and withdrawals follow those of the members before it.
    stages, withdrawals : ndarray of int, shape (B + 1,)
        Where each member's stages (withdrawals) start, and their total.
    member : ndarray of int, shape (S,)
        The member of each stage.
    """

    graph: StageGraph
    stages: np.ndarray
    withdrawals: np.ndarray
    member: np.ndarray

    @property
    def size(self) -> int:
        return len(self.stages) - 1

    def part(self, m: int) -> slice:
        """Member ``m``'s stages in the union."""
        return slice(int(self.stages[m]), int(self.stages[m + 1]))


_BATCHES: dict[tuple, Batch | None] = {}
_BATCHES_LOCK = threading.Lock()
#: Batches kept (keyed by their members' graphs, which networks of one layout share).
_BATCHES_KEPT = 64


def batch_graph(graphs: tuple[StageGraph, ...], n_isotopes: int) -> Batch | None:
    """The :class:`Batch` of ``graphs`` (in order) for ``n_isotopes`` isotopes; None when a
    member's systems are not banded (they are then solved one by one). Kept for the next batch
    of the same graphs."""
    key = (graphs, n_isotopes)
    with _BATCHES_LOCK:
        if key in _BATCHES:
            return _BATCHES[key]
    built = _build_batch(graphs, n_isotopes)
    with _BATCHES_LOCK:
        while len(_BATCHES) >= _BATCHES_KEPT:
            _BATCHES.pop(next(iter(_BATCHES)))
        return _BATCHES.setdefault(key, built)


def _build_batch(graphs: tuple[StageGraph, ...], n_iso: int) -> Batch | None:
    systems = [g.systems(n_iso) for g in graphs]
    if not all(s.components.banded and s.newton.banded and g.flow_pattern.banded
               for g, s in zip(graphs, systems, strict=True)):
        return None
    stages = np.cumsum([0] + [g.n_stages for g in graphs])
    withdrawals = np.cumsum([0] + [g.n_withdrawals for g in graphs])
    n = int(stages[-1])

    def streams(parts: list[Streams], dst_offsets) -> Streams:
        return Streams(np.concatenate([p.dst + o for p, o in zip(parts, dst_offsets,
                                                                  strict=False)]),
                       np.concatenate([p.src + o for p, o in zip(parts, stages, strict=False)]),
                       np.concatenate([p.heads for p in parts]),
                       np.concatenate([p.tails for p in parts]))

    union = StageGraph.from_streams(n, int(withdrawals[-1]),
                                    streams([g.routes for g in graphs], stages),
                                    streams([g.exits for g in graphs], withdrawals))
    comp = np.concatenate([(o // g.n_stages) * n + first + o % g.n_stages for g, o, first in
                           zip(graphs, (s.components.unknown_order for s in systems), stages,
                               strict=False)])
    newton = np.concatenate([s.newton.unknown_order + first * (n_iso + 1)
                             for s, first in zip(systems, stages, strict=False)])
    flow = np.concatenate([g.flow_pattern.unknown_order + first
                           for g, first in zip(graphs, stages, strict=False)])
    union.systems_of(n_iso, _Systems.build(union, n_iso, (comp, newton)))
    stage = np.arange(n)
    union.__dict__["flow_pattern"] = SparsePattern.from_entries(
        np.concatenate([stage, union.routes.dst]), np.concatenate([stage, union.routes.src]),
        n, order=flow)
    member = np.repeat(np.arange(len(graphs)), np.diff(stages))
    return Batch(union, stages, withdrawals, member)


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
    """The 2-norm of each member's residual (its stages start at ``first``)."""
    return np.sqrt(np.add.reduceat(resid * resid, first))


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


def _runs(live: np.ndarray, stages: np.ndarray, width: int) -> list[tuple[int, int]]:
    """The unknowns ``(start, stop)`` of the runs of consecutive ``live`` members, ``width``
    unknowns a stage (the stack keeps each member's unknowns together, in member order)."""
    runs: list[tuple[int, int]] = []
    begin = None
    for m, alive in enumerate(live.tolist() + [False]):
        if alive and begin is None:
            begin = m
        elif not alive and begin is not None:
            runs.append((int(stages[begin]) * width, int(stages[m]) * width))
            begin = None
    return runs


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
            values, rhs, _runs(live, batch.stages, n_iso)).reshape(n_iso, -1).T
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
        finite = np.isfinite(np.concatenate([a, b, c, dc, comps], axis=1)).all(axis=1)
        live &= np.logical_and.reduceat(finite, batch.stages[:-1])
        if not live.any():
            return None
    rhs = np.zeros(n * (n_iso + 1))
    rhs[n_iso::n_iso + 1] = -resid
    try:
        return p.systems.newton.solve_blocks(border, rhs, _runs(live, batch.stages, n_iso + 1)
                                             )[n_iso::n_iso + 1]
    except np.linalg.LinAlgError:
        return None
