"""Many steady states of cascade networks solved together (:func:`solve_many`).

The evaluation's capability searches ask hundreds of steady states of the same few plants at
other rates and settings, a round at a time. :func:`solve_many` answers a round as
:meth:`~enrichwatch.physics.network.Network.solve` answers each request, but solves the
requests that can share their iterations as one problem over the disjoint union of their
networks (:class:`~enrichwatch.physics.steady_state.Batch`): one block-diagonal banded system
per Newton iteration for all. Every member iterates as it would alone; a member that leaves
that path is solved on its own.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> ir6 = load_catalog().get("IR-6")
>>> feed = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> first = design_cascade(ir6, feed, Assay.from_weight_percent(20.0),
...                        Assay.from_weight_percent(2.0), feed_kg_per_yr=300.0, name="A")
>>> net = Network([first], feeds=[ExternalFeed("feed", "A", feed, 300.0)])
>>> together = solve_many([(net, None, None), (net, {"A.product": 40.0}, None)])
>>> together[0].withdrawals["A.product"] == net.solve().withdrawals["A.product"]
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ConvergenceError
from . import steady_state as ss
from .network import (
    _NETWORK_SOLVE,
    Network,
    NetworkState,
    _balance_worst,
    _known_mismatch,
    _newton_shift_steps,
)
from .sparse_systems import one_blas_thread
from .states import StreamState

__all__ = ["solve_many"]


_SOLVE_ERRORS = (ConvergenceError, ValueError)


def solve_many(requests) -> list:
    """Many steady states at once: ``requests`` is a sequence of ``(network, withdrawal_rates,
    start)``, each answered as ``network.solve(withdrawal_rates, start=start)`` would answer
    it (``withdrawal_rates`` None: the design cuts): a :class:`NetworkState`, or the
    ConvergenceError or ValueError that solve raises (returned, not raised).

    The requests that impose one withdrawal rate, or none, on a network whose systems are
    banded (cascades and small networks) are solved together, as one problem over the
    disjoint union of their networks (:class:`~enrichwatch.physics.steady_state.Batch`): one
    cut-shift Newton iteration and one composition Newton iteration for all, each a
    block-diagonal banded solve of cost linear in the stages. Every member iterates as it
    would alone (its own tests, steps and stopping point), so the answers are those of the
    solves one by one to rounding (relative ~1e-14; at most the solver tolerance); a member
    that leaves that path (a cut-shift search that needs its bracket, a line search that must
    shorten a step, a singular or overflowing system, a check that fails) is solved on its
    own, where its solve decides and raises what it raises. The rest, and every request on a
    network whose ``solve`` does not answer as :meth:`Network.solve` (a subclass of its own),
    are solved one by one. A network that keeps its solves (``_recall``, ``_keep``) answers
    from them and keeps the new ones. Deterministic: no timing enters.
    """
    requests = list(requests)
    out: list = [None] * len(requests)
    groups: dict[int, list[int]] = {}
    for j, (network, rates, start) in enumerate(requests):
        if not _batchable(network, rates, start):
            out[j] = _alone(network, rates, start)
            continue
        found = network._recall(rates)
        if found is not None:
            out[j] = found
        else:
            groups.setdefault(len(network.isotopes()), []).append(j)
    for members in groups.values():
        answers: list = [None] * len(members)
        if len(members) > 1:
            try:
                answers = _solve_together([requests[j] for j in members])
            except (ArithmeticError, ValueError, np.linalg.LinAlgError):
                pass            # a batch that breaks down numerically: each member alone
        for j, found in zip(members, answers, strict=True):
            network, rates, start = requests[j]
            if found is None:
                found = _alone(network, rates, start)
            elif not isinstance(found, Exception):
                network._keep(rates, found)
            out[j] = found
    return out


def _alone(network, rates, start):
    """``network.solve(rates, start=start)``, or the error it raises."""
    try:
        return network.solve(rates) if rates is None else network.solve(rates, start=start)
    except _SOLVE_ERRORS as err:
        return err


def _batchable(network, rates, start) -> bool:
    """Whether a request can join a batch: a network whose solve answers as
    :meth:`Network.solve` (and that one not replaced), a start that is a state or none, no
    rate or one plain rate of a withdrawal, within the feed, with another withdrawal left."""
    if not (isinstance(network, Network) and Network.solve is _NETWORK_SOLVE
            and getattr(type(network).solve, "batchable", False)):
        return False
    if start is not None and not isinstance(start, NetworkState):
        return False
    if rates is None:
        return True
    if not isinstance(rates, Mapping) or len(rates) != 1:
        return False
    (label, rate), = rates.items()
    names = network.withdrawal_names
    if isinstance(rate, bool) or not isinstance(rate, (float, int)) or \
            label not in names or len(names) < 2:
        return False
    return bool(0.0 < rate < network._total_feed)


@dataclass
class _Member:
    """One request of a batch, as :meth:`Network._solve` takes it apart."""

    network: Network
    rates: dict[str, float]
    start: NetworkState | None
    isotopes: tuple[str, ...]
    external: np.ndarray
    comps: np.ndarray
    feeds: Mapping[str, StreamState]
    owner: str | None = None
    stages: slice | None = None      # the owner's stages in the union
    index: int = 0                   # the withdrawal in the union
    orient: float = 1.0
    goal: float = 1.0
    shift: float = 0.0
    evaluated: dict = field(default_factory=dict)
    slopes: list = field(default_factory=list)


def _solve_together(requests) -> list:
    """The states of the batchable ``requests`` (one isotope count), None for a member to be
    solved alone."""
    members = []
    for network, rates, start in requests:
        isotopes = network.isotopes()
        external, comps, feeds = network._external(isotopes)
        plain = {} if rates is None else {k: float(v) for k, v in rates.items()}
        members.append(_Member(network, plain, start, isotopes, external, comps, feeds))
    batch = ss.batch_graph(tuple(m.network.graph for m in members), len(members[0].isotopes))
    if batch is None:
        return [None] * len(members)
    with one_blas_thread():
        cuts, flows = _batch_shifts(members, batch)
        return _batch_states(members, batch, cuts, flows)


def _batch_shifts(members: list[_Member], batch: ss.Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each member's cut shift (:meth:`Network._shifts_for_rates`, one rate: Newton's method
    from the start's shift, every evaluation of the members' flows one batched solve) and the
    union's cuts and flows at those shifts. A member whose Newton search does not settle gets
    a shift of nan (to be solved alone)."""
    design = np.concatenate([m.network._design_cut_array for m in members])
    odds = np.concatenate([m.network._design_odds for m in members])
    external = np.concatenate([m.external for m in members])
    owned = np.zeros(len(design), dtype=bool)
    searches = {}
    stages, withdrawals = batch.stages.tolist(), batch.withdrawals.tolist()
    for i, m in enumerate(members):
        if not m.rates:
            continue
        (label, rate), = m.rates.items()
        m.owner = label.rsplit(".", 1)[0]
        local = m.network._stages(m.owner)
        first = stages[i]
        m.stages = slice(first + local.start, first + local.stop)
        owned[m.stages] = True
        m.index = withdrawals[i] + m.network.withdrawal_names.index(label)
        m.orient, m.goal = (1.0 if label.endswith(".product") else -1.0), float(rate)
        # _shift_guess's shift (its bracket width is not used here)
        guess = 0.0 if m.start is None else float(m.start.cut_shifts.get(m.owner, 0.0))
        known = _known_mismatch(m.start, label, m.owner, m.orient, m.goal)
        searches[i] = _newton_shift_steps(guess, known)
    asked = {}
    for i, search in searches.items():
        asked[i] = next(search)

    flow_blocks = batch.blocks("flow", 1)

    def flows_at(shift_of: np.ndarray, slope: bool):
        cuts = design.copy()
        shifted = odds[owned] * np.exp(shift_of[batch.member][owned])
        cuts[owned] = shifted / (1.0 + shifted)
        if not slope:
            return cuts, ss.solve_flows(batch.graph, cuts, external, flow_blocks)
        moved = np.where(owned, cuts * (1.0 - cuts), 0.0)
        flows, d_flows = ss.solve_flows_and_slope(batch.graph, cuts, external, moved,
                                                  flow_blocks)
        return cuts, flows, ss.withdrawal_flows_and_slope(batch.graph, cuts, flows, moved,
                                                          d_flows)

    shifts = np.zeros(len(members))
    while asked:
        for i, x in asked.items():
            shifts[i] = x
        cuts, flows, (out, d_out) = flows_at(shifts, True)
        for m in members:
            if not m.rates and not m.evaluated:         # at the design cuts throughout
                m.evaluated[0.0] = (cuts, flows)
        rates, d_rates, at = out.tolist(), d_out.tolist(), shifts.tolist()  # floats, as float()
        for i in list(asked):
            m = members[i]
            m.evaluated[at[i]] = (cuts, flows)
            rate, d_rate = rates[m.index], d_rates[m.index]
            if rate > 0.0:
                m.slopes.append(d_rate / rate)
                value = (m.orient * math.log(rate / m.goal), m.orient * d_rate / rate)
            else:
                value = (m.orient * math.log(1e-300 / m.goal), math.nan)
            try:
                asked[i] = searches[i].send(value)
            except StopIteration as stop:
                del asked[i]
                m.shift = math.nan if stop.value is None else float(stop.value)
    for i, m in enumerate(members):
        shifts[i] = m.shift
    if all(math.isnan(m.shift) or m.shift in m.evaluated for m in members):
        cuts, flows = np.empty_like(design), np.empty_like(design)
    else:
        cuts, flows = flows_at(np.nan_to_num(shifts), False)
    for i, m in enumerate(members):      # the flows where the search evaluated them, as alone
        kept = m.evaluated.get(m.shift)
        if kept is not None:
            sl = batch.part(i)
            cuts[sl], flows[sl] = kept[0][sl], kept[1][sl]
    return cuts, flows


def _factors_235_many(items: list[tuple[Network, np.ndarray, np.ndarray]], *,
                      union: tuple[np.ndarray, np.ndarray, list[int]] | None = None) -> list:
    """:meth:`Network._factors_235` of every ``(network, cuts, flows)`` of ``items``: the
    stages of every member whose machine is the same (equal values) evaluated in one call of
    the machine's stage factor (elementwise: the same values as member by member); None for
    a member where a machine no longer separates. ``union``: ``(cuts, flows, firsts)``, the
    arrays whose stages from ``firsts[k]`` on are item ``k``'s (each machine's stages then
    gathered from them at once, the same values)."""
    by_machine: dict[Any, list[tuple[int, int, np.ndarray, np.ndarray]]] = {}
    keys: dict[int, Any] = {}
    for k, (network, cuts, flows) in enumerate(items):
        for g, (machine, _, stages, counts) in enumerate(network._factor_groups):
            key = keys.get(id(machine))
            if key is None:
                try:
                    key = (machine, hash(machine))
                except TypeError:            # pragma: no cover - machines are frozen values
                    key = id(machine)
                keys[id(machine)] = key
            by_machine.setdefault(key, []).append(
                (k, g, stages, counts) if union is not None else
                (k, g, np.maximum(flows[stages] / counts, 1e-12), cuts[stages]))
    found: list[dict[int, np.ndarray]] = [{} for _ in items]
    separates = [True] * len(items)
    for parts in by_machine.values():
        k0, g0 = parts[0][0], parts[0][1]
        machine = items[k0][0]._factor_groups[g0][0]
        if union is not None:
            at = np.concatenate([stages + union[2][k] for k, _, stages, _ in parts])
            gamma = machine._gamma_235(
                np.maximum(union[1][at] / np.concatenate([c for _, _, _, c in parts]), 1e-12),
                union[0][at])
        else:
            gamma = machine._gamma_235(np.concatenate([q for _, _, q, _ in parts]),
                                       np.concatenate([th for _, _, _, th in parts]))
        sizes = [len(q) for _, _, q, _ in parts]
        ends = np.cumsum(sizes).tolist()
        ok = np.isfinite(gamma) & (gamma > 1.0)
        # each part's stages all separating (a part of no stages separates)
        failing = np.add.reduceat(~ok, [end - size for end, size in zip(ends, sizes,
                                                                     strict=True)]) \
            if len(gamma) and all(sizes) else [int(not np.all(ok[e - s:e]))
                                               for e, s in zip(ends, sizes, strict=True)]
        for (k, g, _, _), end, size, bad in zip(parts, ends, sizes, failing, strict=True):
            found[k][g] = gamma[end - size:end]
            if bad:
                separates[k] = False
    return [[(law, stages, gammas[g]) for g, (_, law, stages, _)
             in enumerate(network._factor_groups)] if separate else None
            for (network, _, _), gammas, separate in zip(items, found, separates, strict=True)]


def _union_factors(kept: list[_Member], sizes: list[int], groups: list[list[tuple]]
                   ) -> np.ndarray:
    """The stage factors (S, K) of the union of the ``kept`` members (``sizes`` stages each)
    from their U-235 factors (``groups``: :meth:`Network._factors_235` of each, or one group
    ``(None, None, factors)`` already whole): each separation law applied once to the stages
    of every member that has it (the same values as member by member, law by law)."""
    out = np.empty((sum(sizes), len(kept[0].isotopes)))
    together: dict[tuple, tuple[Any, list, list]] = {}
    first = 0
    for m, size, member_groups in zip(kept, sizes, groups, strict=True):
        for law, stages, gamma in member_groups:
            if law is None:
                out[first:first + size] = gamma
                continue
            entry = together.setdefault((id(law), m.isotopes), (law, [], []))
            entry[1].append(stages + first)
            entry[2].append(gamma)
        first += size
    for (_, isotopes), (law, stages, gamma) in together.items():
        out[np.concatenate(stages)] = law.stage_factors(isotopes, np.concatenate(gamma))
    return out


def _batch_states(members: list[_Member], batch: ss.Batch, cuts: np.ndarray,
                  flows: np.ndarray) -> list:
    """The members' composition solves together, and their states (None: solve alone). A
    member whose shift search did not settle, whose flows turn negative or whose machines no
    longer separate at its flows is left to its solve alone (which raises what it raises)."""
    candidates = []
    floor = np.array([-1e-9 * m.external.sum() for m in members])
    negative = np.logical_or.reduceat(flows < floor[batch.member], batch.stages[:-1]) \
        if np.all(np.diff(batch.stages) > 0) else \
        [(flows[batch.part(i)] < floor[i]).any() for i in range(len(members))]
    clipped = np.maximum(flows, 0.0)
    for i, m in enumerate(members):
        if math.isnan(m.shift) or negative[i]:
            continue
        sl = batch.part(i)
        candidates.append((i, sl, cuts[sl], clipped[sl]))
    factors = _factors_235_many([(members[i].network, c, f) for i, _, c, f in candidates],
                                union=(cuts, clipped, [sl.start for _, sl, _, _ in candidates]))
    keep, gammas, starts = [], [], []
    for (i, sl, c, f), groups in zip(candidates, factors, strict=True):
        m = members[i]
        if groups is None:
            try:
                groups = [(None, None, m.network._stage_factors_each(m.isotopes, c, f))]
            except _SOLVE_ERRORS:
                continue
        keep.append((i, sl, f))
        gammas.append(groups)
        starts.append(None if m.start is None else m.start.log_ratio)
    states: list = [None] * len(members)
    if not keep:
        return states
    if len(keep) < len(members):
        fewer = ss.batch_graph(tuple(members[i].network.graph for i, _, _ in keep),
                               len(members[0].isotopes))
        if fewer is None:       # pragma: no cover - its members were banded in the batch
            return states
        batch = fewer
    kept = [members[i] for i, _, _ in keep]
    cap = max(m.network.max_newton_iterations for m in kept)
    solutions = ss.solve_compositions_batch(
        batch, np.concatenate([cuts[sl] for _, sl, _ in keep]),
        np.concatenate([f for _, _, f in keep]),
        _union_factors(kept, [len(f) for _, _, f in keep], gammas),
        np.concatenate([m.comps for m in kept]), _starts(starts, [len(f) for _, _, f in keep]),
        max_iterations=cap)
    worsts = _balances(kept, solutions)
    for (i, _, _), m, sol, worst in zip(keep, kept, solutions, worsts, strict=True):
        if sol is None or sol.iterations > m.network.max_newton_iterations:
            continue
        shifts = {m.owner: m.shift} if m.owner is not None else {}
        slopes = {next(iter(m.rates)): m.slopes[-1]} if (
            m.owner is not None and m.slopes and math.isfinite(m.slopes[-1])) else {}
        try:
            states[i] = m.network._state(m.isotopes, sol, shifts, m.feeds, slopes,
                                         worst=worst)
        except ConvergenceError:
            continue
    return states


def _starts(starts: list, sizes: list[int]) -> np.ndarray:
    """The Newton starts of a batch's members one after the other, each ``ss._start`` of
    its ``starts`` entry (a log ratio or None) for its ``sizes`` stages: the entry where it
    fits (shape (n,), finite), else zeros."""
    parts = []
    for start, n in zip(starts, sizes, strict=True):
        start = None if start is None else np.asarray(start, dtype=float)
        parts.append(start if start is not None and start.shape == (n,) else np.zeros(n))
    u = np.concatenate(parts) if parts else np.zeros(0)
    finite = np.isfinite(u)
    if not finite.all():
        first = 0
        for n in sizes:
            if not finite[first:first + n].all():
                u[first:first + n] = 0.0
            first += n
    return u


def _balances(kept: list[_Member], solutions: list) -> list[float | None]:
    """The isotope balance figure (:func:`_balance_worst`) of each member's solution with
    its withdrawals found (None for the others: its state finds its own), all at once: the
    same values as member by member (elementwise; each member's withdrawals added row by
    row, in order, by ``reduceat`` as by ``sum``)."""
    found = [k for k, sol in enumerate(solutions)
             if sol is not None and sol.withdrawals is not None]
    out: list[float | None] = [None] * len(solutions)
    if not found:
        return out
    rows = [solutions[k].withdrawals for k in found]
    first = np.cumsum([0] + [len(r) for r in rows[:-1]])
    if any(len(r) == 0 for r in rows):
        return out
    outflow = np.add.reduceat(np.maximum(np.concatenate(rows), 0.0), first, axis=0)
    inflow = np.array([kept[k].network._inflow(kept[k].feeds) for k in found])
    for k, worst in zip(found, _balance_worst(inflow, outflow).tolist(), strict=True):
        out[k] = worst
    return out
