"""Stage systems in time: routing, flow closures, and the balance equations with their sparse
Jacobian.

Stages are numbered over the whole plant; each holds ``H_i`` kg U of well-mixed gas carrying
``N_i`` kg U-235 (assay ``z_i = N_i / H_i``). Within a time segment the routing, the cuts and
the stage flows ``L_i`` [kg U/h] are those of one :class:`Operation` (hydraulics instantaneous:
the flows are re-solved at each change of segment). The state is
``[H (S), N (S), W (W), W235 (W)]``, ``W`` being what has left through each withdrawal since
the start [kg U and kg U-235], and

* ``dN_i/dt = sum_j (Hr_ij h_j + Tr_ij t_j) + f(t) b235_i - L_i z_i``,
  with U-235 heads ``h_j = L_j (z_j - (1 - theta_j) x_j)`` and tails ``t_j = (1 - theta_j) L_j x_j``
  (:mod:`.stage`);
* ``dH_i/dt = sum_j (Hr_ij theta_j + Tr_ij (1 - theta_j)) L_j + f(t) b_i - L_i``, which the
  constant-flow closures make zero (the inflow of every stage equals its flow, so ``H`` stays);
* ``dW_w/dt`` and ``dW235_w/dt``: the withdrawn share of the same streams.

``f(t)`` is the ramp of the feed (and, under fixed cuts, of every flow, which is linear in the
feed). Flow closures (:func:`stage_flows`): **fixed cuts** (``(I - Hr diag(theta) -
Tr diag(1 - theta)) L = b``), a **closed block** at total reflux with its flows the null vector
of that matrix scaled to the block's previous total throughput or so that no stage exceeds its
design flow, and **inventory-driven** flows (``L_i = H_i L_i^ref / H_i^ref``: each stage's
throughput follows its gas inventory, so a cascade fed nothing drains through open withdrawals;
with ``H = H^ref`` it is the fixed-cut state). A withdrawal valve open by a fraction passes that
share of its stream; the rest returns to the stage it came from (reflux at a closed valve).

Examples
--------
>>> import numpy as np
>>> r = Routing.from_destinations([1, "product"], ["tails", 0])
>>> sol = stage_flows(r, np.array([0.5, 0.5]), np.array([1.0, 0.0]))
>>> sol.flows.round(6).tolist()
[1.333333, 0.666667]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import spsolve

from ...errors import ConfigurationError
from .stage import heads_assay, tails_assay, tails_only

__all__ = ["CLOSURES", "DENSE_JACOBIAN_MAX", "FlowSolution", "Model", "Operation", "Routing",
           "stage_flows"]

#: The flow closures a segment may use.
CLOSURES = ("fixed_cuts", "closed_throughput", "closed_design", "inventory")
_EMPTY = 1e-12
_DENSE_RHS = 120
_CACHE = 16
#: Largest system (unknowns: ``2 * stages + 2 * withdrawals``) whose Jacobian is handed to the
#: integrator as a dense array; larger ones get it sparse (CSC). With a dense Jacobian solve_ivp
#: factorises its Newton matrices by LAPACK's dense LU instead of SuperLU (``splu``), whose
#: set-up per factorisation costs more than an O(N^3) dense LU of a few dozen unknowns but
#: grows only about linearly. Chosen by measurement (2026-12, scipy 1.17, OpenBLAS: CPU time of
#: whole runs, the two forms in alternating processes, 3-5 rounds of 3-5 repeats on a loaded
#: 2-core machine; medians per round):
#:
#: * 68 unknowns (the Fordow plant, 14 + 18 stages): the evaluation's 11 stated runs
#:   0.69-0.83 s CPU dense against 0.72-0.89 s sparse (dense ahead in 6 rounds of 7, by 5-12 %,
#:   with the same steps, function and Jacobian evaluations and LU factorisations); the bench
#:   history about even (0.23-0.27 s either way);
#: * 72 (a 34-stage two-cascade network): even, sparse ahead in 4 rounds of 5 (0.29-0.35 s
#:   against 0.32-0.36 s);
#: * 86 (41 stages): sparse ahead, 0.24-0.25 s against 0.24-0.36 s;
#: * 140 (68 stages): sparse ahead, 0.34-0.62 s against 0.42-0.58 s, and further ahead as the
#:   dense LU's cubic cost grows.
#:
#: So dense up to 70 unknowns, where it measured faster, and sparse from where it no longer
#: is. (A plain chain cascade, whose banded pattern keeps SuperLU's work small, stays even to
#: about 100 unknowns; the networks with links decide.) The BLAS pools are held to one thread
#: while integrating (:func:`~..sparse_systems.one_blas_thread`): OpenBLAS's threaded LU from
#: about 100 unknowns cost 10-25 times the CPU time on the loaded machine.
DENSE_JACOBIAN_MAX = 70


def _csr(matrix, shape) -> sparse.csr_matrix:
    out = sparse.csr_matrix(matrix, shape=shape, dtype=float)
    out.eliminate_zeros()
    return out


@dataclass(frozen=True)
class Routing:
    """Where each stage's heads and tails go (all matrices sparse).

    Attributes
    ----------
    heads_route, tails_route : csr_matrix, shape (S, S)
        ``[d, s]``: share of the heads (tails) of stage ``s`` fed to stage ``d``.
    heads_out, tails_out : csr_matrix, shape (W, S)
        ``[w, s]``: share of the heads (tails) of stage ``s`` leaving through withdrawal ``w``.
    withdrawals : tuple of str
        Names of the withdrawals, in row order.
    """

    heads_route: sparse.csr_matrix
    tails_route: sparse.csr_matrix
    heads_out: sparse.csr_matrix
    tails_out: sparse.csr_matrix
    withdrawals: tuple[str, ...]

    @property
    def n_stages(self) -> int:
        return int(self.heads_route.shape[0])

    @cached_property
    def _stacked(self) -> tuple:
        """``G = [[Hr, Tr], [Ho, To]]`` (CSR) and, up to 120 stages, its dense copy (else
        ``G`` again): :class:`Model`'s routing of the stage streams, built once per routing."""
        g = sparse.bmat([[self.heads_route, self.tails_route],
                         [self.heads_out, self.tails_out]], format="csr")
        return g, g.toarray() if self.n_stages <= _DENSE_RHS else g

    @cached_property
    def _jacobian_shapes(self) -> dict:
        """:class:`Model`'s Jacobian template, CSC pattern and dense positions for this routing,
        by whether the flows are inventory-driven (filled by the first model of each)."""
        return {}

    @classmethod
    def from_destinations(cls, heads_to: Sequence[int | str], tails_to: Sequence[int | str]
                          ) -> Routing:
        """Routing where each stage sends all its heads and all its tails to one place: a
        stage number, or a withdrawal name (``heads_to=[1, 2, "product"]``).

        >>> r = Routing.from_destinations([1, "product"], ["tails", 0])
        >>> r.withdrawals
        ('product', 'tails')
        """
        n = len(heads_to)
        names = list(dict.fromkeys(d for d in (*heads_to, *tails_to) if isinstance(d, str)))
        mats = {k: sparse.lil_matrix(s) for k, s in
                (("hr", (n, n)), ("tr", (n, n)), ("ho", (len(names), n)),
                 ("to", (len(names), n)))}
        for kind, dests in (("h", heads_to), ("t", tails_to)):
            for s, d in enumerate(dests):
                if isinstance(d, str):
                    mats[kind + "o"][names.index(d), s] = 1.0
                else:
                    mats[kind + "r"][int(d), s] = 1.0
        return cls(_csr(mats["hr"], (n, n)), _csr(mats["tr"], (n, n)),
                   _csr(mats["ho"], (len(names), n)), _csr(mats["to"], (len(names), n)),
                   tuple(names))

    def with_openings(self, openings: Mapping[str, float]) -> Routing:
        """The routing with withdrawal valves partly open: withdrawal ``w`` passes the share
        ``openings[w]`` (in [0, 1]) of its stream; the rest returns to its source stage
        (valves fully open change nothing: the routing itself when all are)."""
        openings = {name: share for name, share in openings.items() if share != 1.0}
        if not openings:
            return self
        n, m = self.n_stages, len(self.withdrawals)
        if n <= _DENSE_RHS:         # small plants: the same arithmetic on dense copies
            heads_route, tails_route = self.heads_route.toarray(), self.tails_route.toarray()
            heads_out, tails_out = self.heads_out.toarray(), self.tails_out.toarray()
            for name, share in openings.items():
                w = self.withdrawals.index(name)
                for out, route in ((heads_out, heads_route), (tails_out, tails_route)):
                    for s in np.flatnonzero(out[w]).tolist():
                        g = out[w, s]
                        route[s, s] += g * (1.0 - share)
                        out[w, s] = g * share
        else:
            heads_route, tails_route = self.heads_route.tolil(), self.tails_route.tolil()
            heads_out, tails_out = self.heads_out.tolil(), self.tails_out.tolil()
            for name, share in openings.items():
                w = self.withdrawals.index(name)
                for out, route in ((heads_out, heads_route), (tails_out, tails_route)):
                    # a copy: setting an entry to 0 removes it from the row being read
                    for s, g in list(zip(out.rows[w], out.data[w], strict=True)):
                        route[s, s] += g * (1.0 - share)
                        out[w, s] = g * share
        return Routing(_csr(heads_route, (n, n)), _csr(tails_route, (n, n)),
                       _csr(heads_out, (m, n)), _csr(tails_out, (m, n)), self.withdrawals)

    def flow_matrix(self, cuts: np.ndarray) -> sparse.csc_matrix:
        """``I - Hr diag(theta) - Tr diag(1 - theta)`` (sparse; for small plants formed
        dense, the same entries with the same arithmetic, and stored sparse)."""
        if self.n_stages <= _DENSE_RHS:
            return sparse.csc_matrix(np.identity(self.n_stages)
                                     - self.heads_route.toarray() * cuts
                                     - self.tails_route.toarray() * (1.0 - cuts))
        eye = sparse.identity(self.n_stages, format="csc")
        return (eye - self.heads_route @ sparse.diags(cuts)
                - self.tails_route @ sparse.diags(1.0 - cuts)).tocsc()

    def exit_share(self, cuts: np.ndarray) -> np.ndarray:
        """Share of each stage's flow that leaves the plant [1]."""
        heads, tails = self._exits
        return heads * cuts + tails * (1.0 - cuts)

    @cached_property
    def _exits(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of each stage's heads and of its tails that leaves the plant [1]."""
        return (np.asarray(self.heads_out.sum(axis=0)).ravel(),
                np.asarray(self.tails_out.sum(axis=0)).ravel())


@dataclass(frozen=True)
class FlowSolution:
    """Stage flows of one closure [kg U/h], with what the closure found.

    ``closed_blocks`` are the sets of stages at total reflux (no feed, no exit); ``stuck`` the
    stages that receive material and cannot pass it to any exit; ``dry`` the stages left with
    no flow (nothing reaches them).
    """

    flows: np.ndarray
    closed_blocks: tuple[np.ndarray, ...] = ()
    stuck: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    dry: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _draining(routing: Routing, cuts: np.ndarray) -> np.ndarray:
    """Stages from which material can reach an exit: those found going upstream from the
    stages with an exit (a breadth-first search from an added node linked to them)."""
    n = routing.n_stages
    exits = np.flatnonzero(routing.exit_share(cuts) > 0.0)
    # edge d -> s where stage s sends gas to stage d (the [d, s] entries), and n -> exits
    upstream = (routing.heads_route + routing.tails_route).tocoo()
    keep = upstream.data > 0
    rows = np.concatenate([upstream.row[keep], np.full(exits.size, n)])
    cols = np.concatenate([upstream.col[keep], exits])
    graph = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    reach = np.zeros(n + 1, dtype=bool)
    reach[breadth_first_order(graph, n, directed=True, return_predecessors=False)] = True
    return reach[:n]


def _null_vector(matrix) -> np.ndarray:
    """The null vector of a closed block's flow matrix (sparse, or a dense array), summing
    to 1."""
    n = matrix.shape[0]
    if n == 1:
        return np.ones(1)
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    if sparse.issparse(matrix):
        pinned = matrix.tolil()
        pinned[n - 1, :] = np.ones(n)
        v = np.atleast_1d(spsolve(pinned.tocsc(), rhs))
    else:
        pinned = np.array(matrix, dtype=float)
        pinned[n - 1, :] = 1.0
        try:
            v = np.linalg.solve(pinned, rhs)
        except np.linalg.LinAlgError:       # singular: as spsolve's non-finite answer
            v = np.full(n, np.nan)
    if not np.all(np.isfinite(v)) or np.min(v) < -1e-9 or \
            np.max(np.abs(matrix @ v)) > 1e-9 * np.max(np.abs(v)):
        raise ConfigurationError("closure", "closed block",
                                 "a closed block whose stages all exchange gas (one loop)")
    return np.maximum(v, 0.0)


def _groups_sparse(routing: Routing, cuts: np.ndarray):
    """(flow matrix, group label of each stage, stages that drain to an exit), sparse."""
    n = routing.n_stages
    _, labels = connected_components(routing.heads_route + routing.tails_route
                                     + sparse.identity(n), directed=False)
    return routing.flow_matrix(cuts), labels, _draining(routing, cuts)


def _groups_dense(routing: Routing, cuts: np.ndarray):
    """:func:`_groups_sparse` for a small plant, with dense arrays and plain searches: the
    same matrix entries, the same groups (numbered in the order of their first stage, as
    scipy's ``connected_components`` numbers them) and the same draining stages."""
    n = routing.n_stages
    heads, tails = routing.heads_route.toarray(), routing.tails_route.toarray()
    matrix = np.identity(n) - heads * cuts - tails * (1.0 - cuts)
    routed = heads + tails
    linked = (routed != 0.0) | (routed.T != 0.0)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for r, c in zip(*(a.tolist() for a in np.nonzero(linked)), strict=True):
        neighbours[r].append(c)
    labels = np.full(n, -1)
    count = 0
    for first in range(n):
        if labels[first] >= 0:
            continue
        labels[first], todo = count, [first]
        while todo:
            for d in neighbours[todo.pop()]:
                if labels[d] < 0:
                    labels[d] = count
                    todo.append(d)
        count += 1
    # upstream from the exits: stage s sends gas to stage d where routed[d, s] > 0
    sources: list[list[int]] = [[] for _ in range(n)]
    for d, src in zip(*(a.tolist() for a in np.nonzero(routed > 0.0)), strict=True):
        sources[d].append(src)
    draining = routing.exit_share(cuts) > 0.0
    todo = np.flatnonzero(draining).tolist()
    while todo:
        for s in sources[todo.pop()]:
            if not draining[s]:
                draining[s] = True
                todo.append(s)
    return matrix, labels, draining


def _solve(block, rhs: np.ndarray) -> np.ndarray:
    """``block x = rhs`` (dense or sparse; a singular block gives NaN, as spsolve does)."""
    if sparse.issparse(block):
        return np.atleast_1d(spsolve(block, rhs))
    try:
        return np.linalg.solve(block, rhs)
    except np.linalg.LinAlgError:
        return np.full(rhs.shape, np.nan)


def stage_flows(routing: Routing, cuts: np.ndarray, feed: np.ndarray, *,
                closed_scale: Callable[[np.ndarray, np.ndarray], float] | None = None
                ) -> FlowSolution:
    """Stage flows [kg U/h] for the cuts and external feeds [kg U/h].

    Every group of connected stages with an exit solves the fixed-cut system; a group with
    neither feed nor exit is a closed block at total reflux: without ``closed_scale`` its flows
    are zero (reported in ``closed_blocks``), with it they are the flow matrix's null vector
    ``v`` times ``closed_scale(block, v)``. Plants of up to 120 stages are solved with dense
    arrays (LAPACK), larger ones with sparse matrices (SuperLU): the same equations, the flows
    agreeing to rounding.
    """
    cuts = np.asarray(cuts, dtype=float)
    feed = np.asarray(feed, dtype=float)
    n = routing.n_stages
    dense = n <= _DENSE_RHS
    matrix, labels, draining = (_groups_dense if dense else _groups_sparse)(routing, cuts)
    flows, closed, stuck = np.zeros(n), [], []
    for label in np.unique(labels):
        idx = np.flatnonzero(labels == label)
        block = matrix[np.ix_(idx, idx)] if dense else matrix[idx][:, idx].tocsc()
        if draining[idx].any():
            stuck.extend(idx[~draining[idx]].tolist())
            if feed[idx].sum() > 0.0 and draining[idx].all():
                flows[idx] = _solve(block, feed[idx])
        elif feed[idx].sum() > 0.0:
            stuck.extend(idx.tolist())
        else:
            closed.append(idx)
            if closed_scale is not None:
                v = _null_vector(block)
                flows[idx] = v * closed_scale(idx, v)
    flows = np.where(np.abs(flows) < _EMPTY * max(float(np.abs(flows).max(initial=0.0)),
                                                  1e-300), 0.0, flows)
    return FlowSolution(flows, tuple(closed), np.array(sorted(stuck), dtype=int),
                        np.flatnonzero(flows <= 0.0))


@dataclass(frozen=True)
class Operation:
    """The operating state of every stage during one time segment (kg U, kg U/h, h).

    Parameters
    ----------
    routing : Routing
    cuts : ndarray, shape (S,)
        Mass cut of each stage [1].
    flows : ndarray, shape (S,)
        Stage flows at the end of any ramp [kg U/h]; when ``inventory_driven``, the flows at
        the hold-up ``holdup``.
    feed, feed_u235 : ndarray, shape (S,)
        External feed into each stage at the end of any ramp [kg U/h and kg U-235/h].
    holdup : ndarray, shape (S,)
        Nominal hold-up of each stage [kg U] (the reference of inventory-driven flows).
    gamma : ndarray, optional
        Stage factor of each stage [1]; or ``gamma_of``, a function of the stage flows
        [kg U/h], an array of shape (..., S), giving it (the machine model, re-evaluated as
        the flows ramp or follow the inventory). One of the two is required.
    inventory_driven : bool
        Flows follow the hold-up: ``L_i = flows_i H_i / holdup_i``.
    ramp_from, ramp_h : float
        Feed (and fixed-cut flows) rise linearly from ``ramp_from`` times their value at the
        start of the segment to their value after ``ramp_h`` hours (0: no ramp).
    closed_blocks : tuple of ndarray
        Stages at total reflux (each block's U-235 inventory is conserved).
    """

    routing: Routing
    cuts: np.ndarray
    flows: np.ndarray
    feed: np.ndarray
    feed_u235: np.ndarray
    holdup: np.ndarray
    gamma: np.ndarray | None = None
    gamma_of: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    inventory_driven: bool = False
    ramp_from: float = 1.0
    ramp_h: float = 0.0
    closed_blocks: tuple[np.ndarray, ...] = ()

    def __post_init__(self) -> None:
        if self.gamma is None and self.gamma_of is None:
            raise ConfigurationError("gamma", None, "stage factors or a function giving them")
        if np.any(np.asarray(self.holdup) <= 0.0):
            raise ConfigurationError("holdup", float(np.min(self.holdup)),
                                     "a hold-up > 0 [kg U] in every stage")

    def ramp(self, t_rel: float) -> float:
        """Feed scale ``f`` [1] at ``t_rel`` hours into the segment."""
        if self.ramp_h <= 0.0:
            return 1.0
        return self.ramp_from + (1.0 - self.ramp_from) * min(1.0, max(t_rel, 0.0) / self.ramp_h)

    def ramps(self, t_rel: np.ndarray) -> np.ndarray:
        """:meth:`ramp` at many times [h] into the segment."""
        t_rel = np.asarray(t_rel, dtype=float)
        if self.ramp_h <= 0.0:
            return np.ones_like(t_rel)
        share = np.minimum(1.0, np.maximum(t_rel, 0.0) / self.ramp_h)
        return self.ramp_from + (1.0 - self.ramp_from) * share

    def scaled(self, flows: float = 1.0, holdup: float = 1.0) -> Operation:
        """The operation with every flow and feed times ``flows`` and every hold-up times
        ``holdup`` (the stage factors kept): the time-scaling check of the model."""
        return replace(self, flows=self.flows * flows, feed=self.feed * flows,
                       feed_u235=self.feed_u235 * flows, holdup=self.holdup * holdup,
                       gamma=self.gamma_at(self.flows), gamma_of=None)

    def gamma_at(self, flows: np.ndarray) -> np.ndarray:
        """Stage factors [1] at the stage flows [kg U/h]."""
        if self.gamma is not None:
            return np.asarray(self.gamma, dtype=float)
        assert self.gamma_of is not None
        return np.asarray(self.gamma_of(flows), dtype=float)


def _coefficients(cuts: np.ndarray, gamma: np.ndarray):
    g1 = gamma - 1.0
    return g1, 4.0 * (1.0 - cuts) * g1, 1.0 + cuts * g1


class Model:
    """Right-hand side and analytic sparse Jacobian of one segment (see the module text).

    Parameters
    ----------
    op : Operation
    t0 : float
        Start of the segment [h] (the ramp runs from here).
    dense_jacobian : bool, optional
        Whether :meth:`solver_jac` hands the integrator a dense array (solve_ivp then uses a
        dense LU) rather than a sparse matrix (SuperLU); by default dense up to
        :data:`DENSE_JACOBIAN_MAX` unknowns. Both give the same Jacobian entries.
    """

    def __init__(self, op: Operation, t0: float = 0.0, *,
                 dense_jacobian: bool | None = None) -> None:
        self.op, self.t0 = op, t0
        r = op.routing
        self.n, self.w = r.n_stages, len(r.withdrawals)
        self.cuts = np.asarray(op.cuts, dtype=float)
        # G: [stages; withdrawals] x [heads of stages, tails of stages], and (small systems)
        # its dense copy, which multiplies faster (the Jacobian stays sparse); built once per
        # routing (the variants of a sweep share their segments' routings)
        self.g, self._g = r._stacked
        self.size = 2 * self.n + 2 * self.w
        self._fixed_gamma = op.gamma is not None or not op.inventory_driven and op.ramp_h <= 0
        self._gamma = op.gamma_at(op.flows) if self._fixed_gamma else None
        self._cache: dict[bytes, tuple] = {}
        th = self.cuts
        self._out_total = (r.heads_out @ (th * op.flows) + r.tails_out @ ((1 - th) * op.flows))
        self._split = np.concatenate([th, 1.0 - th])
        self._coef = None if self._gamma is None else _coefficients(th, self._gamma)
        self._floor = _EMPTY * np.asarray(op.holdup, dtype=float)
        self._tail_share = 1.0 - self.cuts
        # the flows of a segment at fixed flows without a ramp (``flows * 1.0``, the same)
        self._steady_flows = np.asarray(op.flows, dtype=float) * 1.0
        self.dense_jacobian = (self.size <= DENSE_JACOBIAN_MAX if dense_jacobian is None
                               else bool(dense_jacobian))
        # the Jacobian's structure depends on the routing and the closure only: built once
        shapes = r._jacobian_shapes
        found = shapes.get(op.inventory_driven)
        if found is None:
            self._template = self._jacobian_template()
            self._csc = self._pattern()
            # where each stored CSC entry sits in the row-major dense Jacobian
            indices, indptr, _ = self._csc
            col = np.repeat(np.arange(self.size), np.diff(indptr))
            self._flat = indices.astype(np.int64) * self.size + col
            found = shapes[op.inventory_driven] = (self._template, self._csc, self._flat)
        self._template, self._csc, self._flat = found

    # -- pieces ---------------------------------------------------------------------------------
    def flows(self, t: float, holdup: np.ndarray) -> np.ndarray:
        """Stage flows [kg U/h] at time ``t`` and hold-up ``holdup``."""
        if self.op.inventory_driven:
            return self.op.flows * holdup / self.op.holdup
        return self.op.flows * self.op.ramp(t - self.t0)

    def gamma(self, flows: np.ndarray) -> np.ndarray:
        """Stage factors [1] at the stage flows (fixed, or the operation's function of the
        flows, remembered for the last few flows asked: the integrator asks again and again)."""
        if self._gamma is not None:
            return self._gamma
        return self._varying(flows)[0]

    def _varying(self, flows: np.ndarray):
        """(stage factors, their coefficients of the stage relation) at the stage flows."""
        key = flows.tobytes()
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE:
                self._cache.pop(next(iter(self._cache)))
            gamma = self.op.gamma_at(flows)
            found = self._cache[key] = (gamma, _coefficients(self.cuts, gamma))
        return found

    def unpack(self, y: np.ndarray):
        n = self.n
        holdup = np.maximum(y[:n], _EMPTY * self.op.holdup)
        return holdup, y[n:2 * n] / holdup

    def assays(self, t: float, y: np.ndarray):
        """(z, x, y, flows) of every stage at state ``y``: hold-up, tails and heads assays."""
        holdup, z = self.unpack(y)
        flows = self.flows(t, holdup)
        x = tails_only(z, self.cuts, self.gamma(flows))
        return z, x, heads_assay(z, x, self.cuts), flows

    def assays_at(self, times: np.ndarray, states: np.ndarray):
        """Vectorised :meth:`assays`: ``states`` of shape (size, T) at ``times`` (T,) give
        (z, x, y, flows), each of shape (T, S)."""
        n = self.n
        holdup = np.maximum(states[:n].T, _EMPTY * self.op.holdup)
        z = states[n:2 * n].T / holdup
        if self.op.inventory_driven:
            flows = self.op.flows * holdup / self.op.holdup
        else:
            scale = self.op.ramps(np.atleast_1d(times) - self.t0)
            flows = scale[:, None] * self.op.flows
        # fixed stage factors broadcast over the times (the same values elementwise)
        gamma = self._gamma if self._gamma is not None else self.op.gamma_at(flows)
        x = tails_only(z, self.cuts, gamma)
        return z, x, heads_assay(z, x, self.cuts), flows

    @property
    def fixed_gamma(self) -> bool:
        """Whether the stage factors are fixed over the segment (not following the flows)."""
        return self._gamma is not None

    def stage_assays_at(self, states: np.ndarray, s: int):
        """:meth:`assays_at` of stage ``s`` alone, for fixed stage factors: ``states`` its
        hold-up and U-235 rows, shape (2, T), give its (z, x, y), each (T,) (the same
        formulas elementwise)."""
        assert self._gamma is not None
        holdup = np.maximum(states[0], _EMPTY * self.op.holdup[s])
        z = states[1] / holdup
        cut = self.cuts[s:s + 1]
        x = tails_only(z, cut, self._gamma[s:s + 1])
        return z, x, heads_assay(z, x, cut)

    # -- the equations --------------------------------------------------------------------------
    def stage_gamma(self, t: float, y: np.ndarray, s: int) -> float:
        """Stage factor of stage ``s`` at time ``t`` and state ``y``."""
        if self._gamma is not None:
            return float(self._gamma[s])
        holdup = np.maximum(y[:self.n], _EMPTY * self.op.holdup)
        return float(self.gamma(self.flows(t, holdup))[s])

    def _tails(self, z: np.ndarray, flows: np.ndarray) -> np.ndarray:
        """Tails assays (the arithmetic of :func:`.stage.tails_assay`, its coefficients kept
        per set of stage factors)."""
        g1, four_a, b0 = self._coef if self._coef is not None else self._varying(flows)[1]
        z = np.minimum(np.maximum(z, 0.0), 1.0)
        b = b0 - z * g1
        return 2.0 * z / (b + np.sqrt(b * b + four_a * z))

    def rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        """``dy/dt`` [kg/h]."""
        n, w, op = self.n, self.w, self.op
        holdup = np.maximum(y[:n], self._floor)
        z = y[n:2 * n] / holdup
        inventory = op.inventory_driven
        if inventory:
            f, flows = 1.0, op.flows * holdup / op.holdup
        elif op.ramp_h <= 0.0:
            f, flows = 1.0, self._steady_flows
        else:
            f = op.ramp(t - self.t0)
            flows = op.flows * f
        x = self._tails(z, flows)
        tails5 = self._tail_share * flows * x
        out_z = flows * z
        out = np.empty(self.size)
        buf = np.empty(2 * n)
        np.subtract(out_z, tails5, out=buf[:n])
        buf[n:] = tails5
        if inventory:
            both = self._g @ np.column_stack([buf, self._split * np.concatenate([flows, flows])])
            u235, total = both[:, 0], both[:, 1]
            out[:n] = total[:n] + op.feed - flows
            out[2 * n:2 * n + w] = total[n:]
        else:
            u235 = self._g @ buf
            out[:n] = 0.0      # the closure makes every stage's inflow equal its flow
            out[2 * n:2 * n + w] = self._out_total if f == 1.0 else f * self._out_total
        out[n:2 * n] = u235[:n] + (op.feed_u235 if f == 1.0 else f * op.feed_u235) - out_z
        out[2 * n + w:] = u235[n:]
        return out

    def _jacobian_template(self):
        """(rows, cols, kinds, stages, weights) of every Jacobian entry; the value of an entry
        is ``weight * V[kind, stage]`` for the derivative table ``V`` of :meth:`jac`."""
        n, w = self.n, self.w
        g = self.g.tocoo()
        stage = g.col % n
        tails = g.col >= n
        to_stage = g.row < n
        n_row = np.where(to_stage, n + g.row, 2 * n + w + (g.row - n))
        h_row = np.where(to_stage, g.row, 2 * n + (g.row - n))
        rows = [n_row, n_row]
        cols = [n + stage, stage]
        kinds = [np.where(tails, 1, 0), np.where(tails, 3, 2)]
        stages, weights = [stage, stage], [g.data, g.data]
        if self.op.inventory_driven:
            rows.append(h_row)
            cols.append(stage)
            kinds.append(np.where(tails, 5, 4))
            stages.append(stage)
            weights.append(g.data)
        idx = np.arange(n)
        diag = [(n + idx, n + idx, 6), (n + idx, idx, 7)]
        if self.op.inventory_driven:
            diag.append((idx, idx, 8))
        for r, c, k in diag:
            rows.append(r)
            cols.append(c)
            kinds.append(np.full(n, k))
            stages.append(idx)
            weights.append(-np.ones(n))
        return tuple(np.concatenate(a) for a in (rows, cols, kinds, stages, weights))

    def _pattern(self):
        """The Jacobian's CSC pattern: ``(indices, indptr, slot)``, ``slot[k]`` being where
        template entry ``k`` adds (entries at the same place summed)."""
        rows, cols = self._template[:2]
        flat = cols.astype(np.int64) * self.size + rows
        unique, slot = np.unique(flat, return_inverse=True)
        indptr = np.searchsorted(unique // self.size, np.arange(self.size + 1))
        return (unique % self.size).astype(np.int32), indptr.astype(np.int32), slot

    def _entries(self, t: float, y: np.ndarray) -> np.ndarray:
        """Value of every template entry of the Jacobian at ``(t, y)``."""
        th = self.cuts
        holdup, z = self.unpack(y)
        flows = self.flows(t, holdup)
        x, dx = tails_assay(z, th, self.gamma(flows))
        v = np.zeros((9, self.n))
        if self.op.inventory_driven:
            c = self.op.flows / self.op.holdup
            v[0] = c * (1.0 - (1.0 - th) * dx)
            v[1] = c * (1.0 - th) * dx
            v[3] = c * (1.0 - th) * (x - z * dx)
            v[2] = -v[3]
            v[4], v[5] = th * c, (1.0 - th) * c
            v[6], v[8] = c, c
        else:
            v[0] = flows * (1.0 - (1.0 - th) * dx) / holdup
            v[1] = flows * (1.0 - th) * dx / holdup
            v[2], v[3] = -z * v[0], -z * v[1]
            v[6] = flows / holdup
            v[7] = -flows * z / holdup
        _, _, kinds, stages, weights = self._template
        return weights * v[kinds, stages]

    def _data(self, t: float, y: np.ndarray) -> np.ndarray:
        """The Jacobian's stored CSC values at ``(t, y)``."""
        return np.bincount(self._csc[2], self._entries(t, y), minlength=len(self._csc[0]))

    def jac(self, t: float, y: np.ndarray) -> sparse.csc_matrix:
        """``d(dy/dt)/dy`` (sparse; the stage factors' dependence on inventory-driven flows is
        left out, which only slows the integrator's Newton iterations). The sparsity pattern
        is fixed for the segment and built once; each call fills in its values."""
        indices, indptr, _ = self._csc
        return sparse.csc_matrix((self._data(t, y), indices, indptr),
                                 shape=(self.size, self.size))

    def dense_jac(self, t: float, y: np.ndarray) -> np.ndarray:
        """:meth:`jac` as a dense array (the same values; zeros elsewhere)."""
        out = np.zeros(self.size * self.size)
        out[self._flat] = self._data(t, y)
        return out.reshape(self.size, self.size)

    def solver_jac(self, t: float, y: np.ndarray) -> sparse.csc_matrix | np.ndarray:
        """The Jacobian in the form handed to the integrator: :meth:`dense_jac` when
        :attr:`dense_jacobian`, else :meth:`jac`."""
        return self.dense_jac(t, y) if self.dense_jacobian else self.jac(t, y)
