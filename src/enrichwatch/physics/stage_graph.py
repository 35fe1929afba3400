"""The stages of a steady-state solve and the streams between them: the routing graph
(:class:`StageGraph`, :class:`Streams`), the patterns of its sparse systems, unions of graphs
solved as one (:func:`batch_graph`), and the total flows and withdrawals for fixed cuts.

Each stage ``i`` takes a feed flow ``L_i`` [kg U/yr] and splits it at its **mass cut**
``theta_i`` into heads ``theta_i L_i`` and tails ``(1 - theta_i) L_i``. Cuts are inputs (the
hydraulic design of the cascade), so the total flows solve one *linear* system
``(I - H diag(theta) - T diag(1 - theta)) L = b``, where ``H[d, s]`` (``T[d, s]``) is the
fraction of the heads (tails) of stage ``s`` routed to stage ``d`` and ``b`` the external feeds
(:func:`solve_flows`). The compositions, found by Newton's method on the systems whose patterns
are built here, are :mod:`~enrichwatch.physics.steady_state`'s.

Every matrix is sparse (a stage talks to its two neighbours, plus one entry per link between
cascades), so none is formed densely and none is inverted. The routing is held as lists of
streams (:class:`Streams`), built once per network layout; the systems of one graph keep their
pattern (:class:`~enrichwatch.physics.sparse_systems.SparsePattern`: banded LU for a cascade,
and for a network once its unknowns are renumbered along its loops (reverse Cuthill-McKee) when
that makes it narrow; SuperLU for a network that stays wide) and only their values change.

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

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.sparse import coo_array, csc_array, csr_array, diags_array, eye_array

from .sparse_systems import SparsePattern

__all__ = [
    "Batch",
    "StageGraph",
    "Streams",
    "batch_graph",
    "flow_matrix",
    "solve_flows",
    "solve_flows_and_slope",
    "withdrawal_flows",
    "withdrawal_flows_and_slope",
    "withdrawn",
]


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


def solve_flows(graph: StageGraph, cuts: np.ndarray, external: np.ndarray,
                blocks: list[tuple[int, int, int, int]] | None = None) -> np.ndarray:
    """Stage feed flows ``L`` [kg U/yr] for fixed cuts and external feeds ``b``; ``blocks``:
    the graph is a :class:`Batch`'s union, solved member by member (:meth:`Batch.blocks`)."""
    r = graph.routes
    values = np.concatenate([np.ones(graph.n_stages),
                             -(r.heads * cuts[r.src] + r.tails * (1.0 - cuts[r.src]))])
    if blocks is not None:
        return graph.flow_pattern.solve_blocks(values, np.asarray(external, dtype=float),
                                               blocks)
    return graph.flow_pattern.solve(values, np.asarray(external, dtype=float))


def solve_flows_and_slope(graph: StageGraph, cuts: np.ndarray, external: np.ndarray,
                          moved: np.ndarray,
                          blocks: list[tuple[int, int, int, int]] | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Stage feed flows ``L`` (as :func:`solve_flows`) and their derivative ``dL`` when the
    cuts move at the rates ``moved`` (``d theta``).

    ``A L = b`` with ``A = I - H diag(theta) - T diag(1 - theta)``, so
    ``A dL = (H - T) diag(d theta) L``: one more solve with the same factored matrix.
    ``blocks``: as for :func:`solve_flows`.
    """
    r = graph.routes
    values = np.concatenate([np.ones(graph.n_stages),
                             -(r.heads * cuts[r.src] + r.tails * (1.0 - cuts[r.src]))])
    solve = graph.flow_pattern.factorised(values, blocks)
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


# -- several graphs as one ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Batch:
    """Several stage graphs solved as one: their disjoint union, whose systems are the
    block-diagonal stacks of the members' systems, each member's unknowns in the banded order
    of its own systems (so the stack is banded, as wide as its widest member).
    :func:`~enrichwatch.physics.steady_state.solve_compositions_batch` solves it.

    The stack is assembled at once, but each member's block is factored on its own, with the
    member's own half-widths (:meth:`blocks`): LAPACK given the member's band gets what it
    gets for the member alone. Given the whole stack (or the member's block at the stack's
    widths) its vector kernels run over other lengths, and some OpenBLAS kernels (Haswell's,
    chosen on this project's AMD machines) round the same entries differently then (a fused
    multiply-add in a kernel's body, a separate multiply and add in its tail): a member's
    answer would depend, in its last bits, on the members solved with it.

    Attributes
    ----------
    graph : StageGraph
        The union: member ``m``'s stages and withdrawals follow those of the members before it.
    stages, withdrawals : ndarray of int, shape (B + 1,)
        Where each member's stages (withdrawals) start, and their total.
    member : ndarray of int, shape (S,)
        The member of each stage.
    bands : dict of str to tuple of (int, int)
        Each member's own (lower, upper) half-widths of its ``"flow"``, ``"components"`` and
        ``"newton"`` systems, one pair a member.
    """

    graph: StageGraph
    stages: np.ndarray
    withdrawals: np.ndarray
    member: np.ndarray
    bands: dict[str, tuple[tuple[int, int], ...]]

    @property
    def size(self) -> int:
        return len(self.stages) - 1

    def blocks(self, system: str, width: int, live: np.ndarray | None = None
               ) -> list[tuple[int, int, int, int]]:
        """``(start, stop, lower, upper)`` of each (``live``) member's block of the union's
        ``system`` (``width`` unknowns a stage), with the member's own half-widths: the blocks
        :meth:`~enrichwatch.physics.sparse_systems.SparsePattern.solve_blocks` takes."""
        bounds, bands = self.stages.tolist(), self.bands[system]
        members = range(self.size) if live is None else np.flatnonzero(live).tolist()
        return [(bounds[m] * width, bounds[m + 1] * width, *bands[m]) for m in members
                if bounds[m + 1] > bounds[m]]

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
    bands = {"flow": tuple((g.flow_pattern.lower, g.flow_pattern.upper) for g in graphs),
             "components": tuple((s.components.lower, s.components.upper) for s in systems),
             "newton": tuple((s.newton.lower, s.newton.upper) for s in systems)}
    return Batch(union, stages, withdrawals, member, bands)

