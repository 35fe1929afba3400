"""Networks of fixed cascades joined by streams, with recycle, external feeds and withdrawals.

A :class:`Network` holds named :class:`~enrichwatch.physics.cascade.FixedCascade` objects,
:class:`Link` streams (the product or tails of one cascade, or a fraction of it, into the feed
stage or any chosen stage of another, loops allowed) and :class:`ExternalFeed` inputs. Whatever
share of a cascade's product or tails is not linked onward leaves the network as a withdrawal
named ``"<cascade>.product"`` or ``"<cascade>.tails"``.

The whole network is solved at once by :mod:`enrichwatch.physics.steady_state`: one linear
system for the total flows, one for the isotope flows, Newton's method for the stage
compositions. The routing is built once per network as a list of streams (sparse: each stage
feeds its two neighbours, plus one stream per link), so a solve costs time about linear in the
stages and links. Flows are in kg U per year.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> ir6 = load_catalog().get("IR-6")
>>> feed = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> first = design_cascade(ir6, feed, Assay.from_weight_percent(20.0),
...                        Assay.from_weight_percent(2.0), feed_kg_per_yr=300.0, name="A")
>>> net = Network([first], feeds=[ExternalFeed("feed", "A", feed, 300.0)])
>>> state = net.solve()
>>> sorted(state.withdrawals)
['A.product', 'A.tails']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..composition import Composition, require_composition
from ..constants import URANIUM_ISOTOPES
from ..errors import (
    ConfigurationError,
    ConvergenceError,
    InputTypeError,
    MassError,
    UnknownNameError,
)
from ..units import as_float
from . import steady_state as ss
from .sparse_systems import one_blas_thread
from .states import CascadeState, StreamState, stream_state

if TYPE_CHECKING:   # cascade.py imports this module
    from .cascade import FixedCascade

__all__ = ["OUTPUTS", "ExternalFeed", "Link", "Network", "NetworkState"]

OUTPUTS = ("product", "tails")
_BALANCE_TOL = 1e-9
_NAMES_SHOWN = 6        # cascade names listed in an error; more are summarised


@dataclass(frozen=True)
class Link:
    """A stream from one cascade's output into another cascade.

    Parameters
    ----------
    source : str
        Cascade name whose output is routed.
    output : {'product', 'tails'}
        Which output.
    target : str
        Receiving cascade.
    stage : int, optional
        Receiving stage (0 = tails end); default the target's feed stage.
    fraction : float
        Share of the output routed here, in (0, 1].
    """

    source: str
    output: str
    target: str
    stage: int | None = None
    fraction: float = 1.0


@dataclass(frozen=True)
class ExternalFeed:
    """Material fed into the network from outside.

    Parameters
    ----------
    name : str
        Label of the feed.
    target : str
        Receiving cascade.
    composition : Composition
        Isotopics of the feed.
    rate_kg_per_yr : float or pint Quantity
        Feed rate [kg U/yr], > 0; a quantity is converted to kg/yr (a month is 1/12 year) and
        held as a float.
    stage : int, optional
        Receiving stage; default the target's feed stage.

    Raises
    ------
    InputTypeError
        ``composition`` not a Composition, a rate that is not a number;
        :class:`~enrichwatch.errors.UnitError` for a quantity that is not a mass rate.
    """

    name: str
    target: str
    composition: Composition
    rate_kg_per_yr: float
    stage: int | None = None

    def __post_init__(self) -> None:
        require_composition(self.composition, "composition")
        rate = as_float(self.rate_kg_per_yr, "rate_kg_per_yr", "kg/yr")
        object.__setattr__(self, "rate_kg_per_yr", rate)


@dataclass(frozen=True)
class NetworkState:
    """Steady state of a network: one :class:`CascadeState` per cascade, and the withdrawals.

    ``cascades`` is a read-only mapping whose states are built from the solution when first
    read (a scan that needs only the withdrawals never builds them); the values are the same
    either way. ``log_ratio`` (the converged Newton unknowns, one per stage) and
    ``cut_shifts`` (the log-odds shift of each cascade whose withdrawal rate was imposed) are
    what a solve of the same network at a neighbouring setting can start from
    (``Network.solve(..., start=state)``); so is ``rate_slopes``, the derivative of the log of
    an imposed withdrawal rate in its cascade's cut shift where the shift search last
    evaluated it (Newton's first step of the next search)."""

    cascades: Mapping[str, CascadeState]
    withdrawals: Mapping[str, StreamState]
    feeds: Mapping[str, StreamState]
    isotopes: tuple[str, ...]
    newton_iterations: int
    log_ratio: np.ndarray | None = None
    cut_shifts: Mapping[str, float] = field(default_factory=dict)
    rate_slopes: Mapping[str, float] = field(default_factory=dict)

    def link_rate_kg_per_yr(self, link: Link) -> float:
        """Rate a link carries [kg U/yr]: its share of its source cascade's output."""
        return link.fraction * getattr(self.cascades[link.source], link.output).rate_kg_per_yr

    def balance_residual(self) -> np.ndarray:
        """Relative imbalance (in - out) / in of each isotope over the whole network."""
        inflow = sum(np.array([s.isotope_kg_per_yr[i] for i in self.isotopes])
                     for s in self.feeds.values())
        outflow = sum(np.array([s.isotope_kg_per_yr[i] for i in self.isotopes])
                      for s in self.withdrawals.values())
        return (inflow - outflow) / np.maximum(inflow, 1e-300)


class _CascadeStates(Mapping):
    """Cascade name -> :class:`CascadeState` of one solution, each built on first read and
    kept (the solution is immutable, so every read gives the same value)."""

    def __init__(self, cascades: Mapping, offsets: Mapping[str, int], isotopes,
                 sol: ss.StageSolution, *, shared: bool = False) -> None:
        # ``shared``: the mappings are copies already, never changed (shared by the states)
        self._cascades = cascades if shared else dict(cascades)
        self._offsets = offsets if shared else dict(offsets)
        self._isotopes = tuple(isotopes)
        self._sol = sol
        self._built: dict[str, CascadeState] = {}

    def __getitem__(self, name: str) -> CascadeState:
        state = self._built.get(name)
        if state is None:
            c = self._cascades[name]
            sl = slice(self._offsets[name], self._offsets[name] + c.n_stages)
            state = self._built[name] = CascadeState.from_solution(c, self._isotopes, self._sol,
                                                                   sl)
        return state

    def __iter__(self):
        return iter(self._cascades)

    def __len__(self) -> int:
        return len(self._cascades)

    def __repr__(self) -> str:
        return repr(dict(self))


class _Withdrawals(Mapping):
    """Withdrawal name -> :class:`StreamState` of one solution, each built on first read and
    kept (a search that reads one withdrawal builds only that one; the values are the same
    either way)."""

    def __init__(self, names, isotopes, flows: np.ndarray,
                 index: Mapping[str, int] | None = None) -> None:
        # ``index``: name -> row of ``flows``, built already (shared by the states, never changed)
        self._index = {name: w for w, name in enumerate(names)} if index is None else index
        self._isotopes, self._flows = isotopes, flows
        self._built: dict[str, StreamState] = {}

    def __getitem__(self, name: str) -> StreamState:
        state = self._built.get(name)
        if state is None:
            state = self._built[name] = stream_state(self._isotopes,
                                                     self._flows[self._index[name]])
        return state

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


class Network:
    """Fixed cascades joined by streams; see the module docstring.

    Parameters
    ----------
    cascades : iterable of FixedCascade
        Cascades, each with a unique ``name``.
    links : iterable of Link
        Streams between cascades.
    feeds : iterable of ExternalFeed
        External feeds (at least one).
    max_newton_iterations : int
        Most Newton iterations of each composition solve (default 60): every solve is bounded
        by counts, never by time, and one that does not converge raises a
        :class:`~enrichwatch.errors.ConvergenceError` naming the setting and the worst stage.

    The cascades, links and feeds are fixed once the network is built: its routing, design
    cuts, feed inputs and stage-factor groups are built once and kept.
    """

    def __init__(self, cascades: Iterable, links: Iterable[Link] = (),
                 feeds: Iterable[ExternalFeed] = (), *,
                 max_newton_iterations: int = ss.NEWTON_MAX_ITERATIONS) -> None:
        cap = max_newton_iterations
        if isinstance(cap, bool) or not isinstance(cap, int | np.integer) or cap < 1:
            raise ConfigurationError("max_newton_iterations", max_newton_iterations,
                                     "a whole number >= 1")
        self.max_newton_iterations = int(max_newton_iterations)
        self.cascades: dict[str, FixedCascade] = {}
        for cascade in cascades:
            if cascade.name in self.cascades:
                raise ConfigurationError("cascade.name", cascade.name, "unique cascade names")
            self.cascades[cascade.name] = cascade
        self.links = tuple(links)
        self.feeds = tuple(feeds)
        self._offsets = dict(zip(self.cascades, np.cumsum(
            [0] + [c.n_stages for c in self.cascades.values()])[:-1].tolist(), strict=True))
        self._check()
        self._inputs: tuple | None = None          # built by _external
        self._graph, self._withdrawal_names = self._build_graph()
        self._check_exits()

    @property
    def graph(self) -> ss.StageGraph:
        """Routing of all the stages (cascades in the order given, each from its tails end)."""
        return self._graph

    @property
    def withdrawal_names(self) -> tuple[str, ...]:
        """Names of the streams leaving the network, as keys of ``solve().withdrawals``."""
        return tuple(self._withdrawal_names)

    # -- validation ---------------------------------------------------------------------------
    def _cascade(self, name: str, param: str):
        if name not in self.cascades:
            raise UnknownNameError(param, name, f"one of the cascades {sorted(self.cascades)}")
        return self.cascades[name]

    def _stage(self, cascade, stage, param):
        if stage is None:
            return cascade.feed_stage
        if not isinstance(stage, int | np.integer) or not 0 <= stage < cascade.n_stages:
            last = cascade.n_stages - 1
            raise ConfigurationError(param, stage, f"a stage of {cascade.name!r} from 0 to {last}")
        return int(stage)

    def _check(self) -> None:
        if not self.cascades:
            raise ConfigurationError("cascades", [], "at least one cascade")
        if not self.feeds:
            raise ConfigurationError("feeds", [], "at least one external feed")
        routed: dict[tuple[str, str], float] = {}
        for i, link in enumerate(self.links):
            self._cascade(link.source, f"links[{i}].source")
            target = self._cascade(link.target, f"links[{i}].target")
            self._stage(target, link.stage, f"links[{i}].stage")
            if link.output not in OUTPUTS:
                raise ConfigurationError(f"links[{i}].output", link.output, "'product' or 'tails'")
            if not 0.0 < link.fraction <= 1.0:
                raise ConfigurationError(f"links[{i}].fraction", link.fraction, "a share in (0, 1]")
            key = (link.source, link.output)
            routed[key] = routed.get(key, 0.0) + link.fraction
            if routed[key] > 1.0 + 1e-12:
                raise ConfigurationError(f"links[{i}].fraction", link.fraction,
                                         f"shares of {link.source}.{link.output} summing to <= 1")
        for i, feed in enumerate(self.feeds):
            target = self._cascade(feed.target, f"feeds[{i}].target")
            self._stage(target, feed.stage, f"feeds[{i}].stage")
            rate = feed.rate_kg_per_yr
            if not np.isfinite(rate) or rate <= 0.0:
                raise MassError(f"feeds[{i}].rate_kg_per_yr", rate, "a finite feed rate > 0")

    # -- graph --------------------------------------------------------------------------------
    def _build_graph(self):
        """Routing of all stages (:func:`_routing`, shared by networks of the same layout) and
        the names of the withdrawals."""
        index = {name: i for i, name in enumerate(self.cascades)}
        links = tuple((index[link.source], link.output, self._offsets[link.target]
                       + self._stage(self.cascades[link.target], link.stage, ""),
                       float(link.fraction)) for link in self.links)
        graph, outputs = _routing(tuple(c.n_stages for c in self.cascades.values()), links)
        names = list(self.cascades)
        return graph, [f"{names[i]}.{output}" for i, output in outputs]

    def _check_exits(self) -> None:
        """Every stage must drain to a withdrawal, else material accumulates without end.

        Within a cascade every stage reaches both ends (heads go up, tails down), so a stage
        drains exactly when its cascade does: when one of the cascade's outputs is withdrawn,
        or is linked into a cascade that drains. The walk is over cascades and links only.
        """
        drains = {label.rsplit(".", 1)[0] for label in self._withdrawal_names}
        senders: dict[str, set[str]] = {name: set() for name in self.cascades}
        for link in self.links:
            senders[link.target].add(link.source)
        todo = list(drains)
        while todo:
            for source in senders[todo.pop()] - drains:
                drains.add(source)
                todo.append(source)
        if len(drains) < len(self.cascades):
            stuck = sorted(set(self.cascades) - drains)
            raise ConfigurationError("links", " -> ".join(stuck),
                                     "a network where every loop has an exit (a withdrawal); "
                                     f"cascades {stuck} route all their product and tails back "
                                     "into each other")

    # -- solve --------------------------------------------------------------------------------
    def isotopes(self) -> tuple[str, ...]:
        return self._isotopes

    @functools.cached_property
    def _isotopes(self) -> tuple[str, ...]:
        present = {iso for f in self.feeds for iso in f.composition.isotopes}
        return tuple(i for i in URANIUM_ISOTOPES if i in present)

    def _external(self, isotopes):
        """External total and isotope inputs of each stage, (S,) and (S, K), and the feeds'
        streams: built once per network (read-only), as the feeds are fixed."""
        if self._inputs is None or self._inputs[0] != isotopes:
            n = self._graph.n_stages
            total, comps = np.zeros(n), np.zeros((n, len(isotopes)))
            for f in self.feeds:
                s = self._offsets[f.target] + self._stage(self.cascades[f.target], f.stage, "")
                total[s] += f.rate_kg_per_yr
                for k, iso in enumerate(isotopes):
                    comps[s, k] += f.rate_kg_per_yr * f.composition.fraction(iso)
            feeds = {f.name: stream_state(isotopes, f.rate_kg_per_yr * np.array(
                [f.composition.fraction(i) for i in isotopes])) for f in self.feeds}
            self._inputs = (isotopes, _read_only(total), _read_only(comps), feeds)
        return self._inputs[1:]

    def _inflow(self, feeds: Mapping[str, StreamState]) -> np.ndarray:
        """Every isotope's total external feed [kg/yr] (of :meth:`_external`'s feeds; kept)."""
        kept = self.__dict__.get("_inflow_of")
        if kept is None or kept[0] is not feeds:
            total = np.zeros(len(next(iter(feeds.values())).isotope_kg_per_yr))
            for f in feeds.values():
                total = total + np.array(list(f.isotope_kg_per_yr.values()))
            kept = self.__dict__["_inflow_of"] = (feeds, total)
        return kept[1]

    @functools.cached_property
    def _total_feed(self) -> float:
        """The total external feed [kg U/yr]."""
        return float(self._external(self.isotopes())[0].sum())

    @functools.cached_property
    def _design_cut_array(self) -> np.ndarray:
        """Every stage's design cut, built once (read-only; :meth:`_design_cuts` copies)."""
        cuts = np.concatenate([np.asarray(c.stage_cuts, dtype=float)
                               for c in self.cascades.values()])
        cuts.flags.writeable = False
        return cuts

    @functools.cached_property
    def _design_odds(self) -> np.ndarray:
        """``theta / (1 - theta)`` of the design cuts, built once: the rate-imposing solves
        shift them again and again."""
        odds = self._design_cut_array / (1.0 - self._design_cut_array)
        odds.flags.writeable = False
        return odds

    def _design_cuts(self) -> np.ndarray:
        return self._design_cut_array.copy()

    def _cuts(self, log_odds_shift: Mapping[str, float]) -> np.ndarray:
        cuts = self._design_cuts()
        for name, shift in log_odds_shift.items():
            o, c = self._offsets[name], self.cascades[name]
            sl = slice(o, o + c.n_stages)
            odds = self._design_odds[sl] * np.exp(shift)
            cuts[sl] = odds / (1.0 + odds)
        return cuts

    def _shifts_for_rates(self, rates: Mapping[str, float], external: np.ndarray,
                          start: NetworkState | None = None):
        """Per-cascade cut shifts (log-odds) that give the requested withdrawal rates; the
        root search starts from the shifts of ``start`` (a neighbouring solve) where it has
        them, else from zero. Also the cuts and flows at those shifts when the search solved
        them there (else None), and the derivative of the log withdrawal rate in the shift
        where the search last evaluated it (``NetworkState.rate_slopes``).

        One rate: Newton's method with the exact derivative of the mismatch (one more solve
        with the same factored flow matrix, :func:`~enrichwatch.physics.steady_state.
        solve_flows_and_slope`), safeguarded by the bracket it builds (:func:`_newton_shift`),
        and the bracket search with Brent's method (as before) if it does not settle; both stop
        when the shift is known to 1e-14 (absolute and relative). A ``start`` that imposed the
        same withdrawal gives Newton's first step without a solve: from its rate and its rate
        slope. Several rates: Powell's hybrid method on the mismatches."""
        if not rates:
            return {}, None, {}
        owners = []
        for label, rate in rates.items():
            if label not in self._withdrawal_names:
                raise UnknownNameError("withdrawal_rates", label,
                                       f"one of the withdrawals {self._withdrawal_names}")
            if not np.isfinite(rate) or rate <= 0.0 or rate >= external.sum():
                raise MassError(f"withdrawal_rates[{label}]", rate,
                                f"a rate between 0 and the total feed {external.sum():.6g} kg U/yr")
            owners.append(label.rsplit(".", 1)[0])
        if len(set(owners)) != len(owners):
            raise ConfigurationError("withdrawal_rates", dict(rates),
                                     "at most one withdrawal rate per cascade")
        if len(rates) >= len(self._withdrawal_names):
            raise ConfigurationError("withdrawal_rates", dict(rates),
                                     "rates for all but at least one withdrawal (the feeds fix "
                                     "the total, so the last withdrawal takes what is left)")
        index = [self._withdrawal_names.index(lbl) for lbl in rates]
        target = np.array(list(rates.values()))
        # raising the cuts sends more to the product and less to the tails: orient each
        # mismatch so that it rises with the shift
        sign = np.array([1.0 if lbl.endswith(".product") else -1.0 for lbl in rates])

        def mismatch(shift):
            cuts = self._cuts(dict(zip(owners, shift, strict=True)))
            flows = ss.solve_flows(self._graph, cuts, external)
            out = ss.withdrawal_flows(self._graph, cuts, flows)
            return sign * np.log(np.maximum(out[index], 1e-300) / target)

        guess, width = _shift_guess(start, owners, rates)
        where = self._where(rates)
        if len(owners) > 1:
            shifts = _solve_shifts(mismatch, len(owners), where, guess, width)
            return dict(zip(owners, shifts, strict=True)), None, {}
        sl = self._stages(owners[0])
        orient, goal = float(sign[0]), float(target[0])
        memo: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        slopes: list[float] = []

        def with_slope(shift: float) -> tuple[float, float]:
            """The mismatch and its derivative in the shift (flows kept for the solve, the
            derivative of the log rate for the next solve)."""
            cuts = self._cuts({owners[0]: shift})
            moved = np.zeros_like(cuts)
            moved[sl] = cuts[sl] * (1.0 - cuts[sl])              # d(cut)/d(shift)
            flows, slope = ss.solve_flows_and_slope(self._graph, cuts, external, moved)
            memo[shift] = cuts, flows
            out, d_out = ss.withdrawal_flows_and_slope(self._graph, cuts, flows, moved, slope)
            rate, d_rate = float(out[index[0]]), float(d_out[index[0]])
            if not rate > 0.0:
                return orient * math.log(1e-300 / goal), math.nan
            slopes.append(d_rate / rate)
            return orient * math.log(rate / goal), orient * d_rate / rate

        label = next(iter(rates))
        known = _known_mismatch(start, label, owners[0], orient, goal)
        shift = _newton_shift(with_slope, 0.0 if guess is None else float(guess[0]), known)
        if shift is None:                 # Newton's method did not settle: the bracket search
            shift = float(_solve_shifts(mismatch, 1, where, guess, width)[0])
            slopes.clear()
        return ({owners[0]: shift}, memo.get(shift),
                {label: slopes[-1]} if slopes and math.isfinite(slopes[-1]) else {})

    def _stages(self, name: str) -> slice:
        """The stages of cascade ``name`` in the network's numbering."""
        return slice(self._offsets[name], self._offsets[name] + self.cascades[name].n_stages)

    def solve(self, withdrawal_rates: Mapping[str, float] | None = None, *,
              start: NetworkState | None = None) -> NetworkState:
        """Steady state of the whole network.

        Parameters
        ----------
        withdrawal_rates : mapping, optional
            Withdrawal name -> rate [kg U/yr] to impose (at most one per cascade); a rate may be
            a pint quantity, converted to kg/yr (a month is 1/12 year). The cuts of
            the owning cascade then shift together (their odds scale by one common factor) until
            the rate is met; otherwise every stage runs at its design cut.
        start : NetworkState, optional
            A solved state of this network (or one of the same layout) at a neighbouring
            setting, to start from (a warm start: a scan of withdrawal rates solves each rate
            from the last). The answer meets the same convergence tests as a cold start, so it
            agrees with one to the solver tolerance (relative ~1e-12); a warm start that does
            not converge is retried cold.

        Returns
        -------
        NetworkState

        Raises
        ------
        ConvergenceError
            If the composition solve fails; the message names the cascades involved.
        InputTypeError
            ``withdrawal_rates`` not a mapping, or a rate that is not a number;
            :class:`~enrichwatch.errors.UnitError` for a quantity that is not a mass rate.
        """
        withdrawal_rates = _withdrawal_rates(withdrawal_rates)
        if start is not None and not isinstance(start, NetworkState):
            raise InputTypeError("start", start, "a NetworkState of this network, or None")
        with one_blas_thread():
            if start is not None:
                try:
                    return self._solve(withdrawal_rates, start)
                except ConvergenceError:
                    pass        # the cold start below decides, as without a start
            return self._solve(withdrawal_rates, None)

    solve.batchable = True  # type: ignore[attr-defined]  # see solve_many

    def _recall(self, withdrawal_rates) -> NetworkState | None:
        """A state kept from an earlier solve at these rates, for :func:`solve_many` (None:
        solve; a subclass whose ``solve`` keeps its solves says otherwise,
        :class:`~enrichwatch.facility.solve.MemoNetwork`)."""
        return None

    def _keep(self, withdrawal_rates, state: NetworkState) -> None:
        """Keep a state :func:`solve_many` just solved (nothing here; see :meth:`_recall`)."""

    def _solve(self, withdrawal_rates: dict[str, float],
               start: NetworkState | None) -> NetworkState:
        isotopes = self.isotopes()
        external, comps, feeds = self._external(isotopes)
        shifts, solved, slopes = self._shifts_for_rates(withdrawal_rates or {}, external,
                                                        start)
        if solved is None:
            cuts = self._cuts(shifts)
            flows = ss.solve_flows(self._graph, cuts, external)
        else:
            cuts, flows = solved
        if np.any(flows < -1e-9 * external.sum()):
            raise ConfigurationError("withdrawal_rates", dict(withdrawal_rates or {}),
                                     "rates that leave every stage a positive flow")
        flows = np.maximum(flows, 0.0)
        gamma = self._stage_factors(isotopes, cuts, flows)
        sol = ss.solve_compositions(self._graph, cuts, flows, gamma, comps,
                                    where=self._where(withdrawal_rates),
                                    max_iterations=self.max_newton_iterations,
                                    stage_label=self._stage_label,
                                    start=None if start is None else start.log_ratio)
        return self._state(isotopes, sol, shifts, feeds, slopes)

    def _named(self) -> str:
        """``'network of A, B'``; for many cascades their count and the first and last."""
        names = list(self.cascades)
        if len(names) <= _NAMES_SHOWN:
            return "network of " + ", ".join(names)
        return f"network of {len(names)} cascades ({', '.join(names[:3])}, ..., {names[-1]})"

    def _where(self, rates: Mapping[str, float]) -> str:
        """The network and the setting solved, as a ConvergenceError names them."""
        if not rates:
            return f"{self._named()} at the design cuts"
        imposed = ", ".join(f"{label} withdrawn at {rate:.6g} kg U/yr"
                            for label, rate in rates.items())
        return f"{self._named()} with {imposed} (the owning cascades' cuts shifted together)"

    def _stage_label(self, stage: int) -> str:
        """``'stage 12 of cascade B'`` for the network-wide stage index ``stage``."""
        name = next(n for n, c in reversed(self.cascades.items())
                    if self._offsets[n] <= stage)
        return f"stage {stage - self._offsets[name]} of cascade {name}"

    def _stage_factors(self, isotopes, cuts, flows) -> np.ndarray:
        """Stage factors (S, K) of every stage: the cascades of one machine and separation law
        together (the same values as cascade by cascade); a flow at which a machine no longer
        separates is reported cascade by cascade
        (:meth:`~enrichwatch.physics.cascade.FixedCascade.stage_factors`)."""
        groups = self._factors_235(cuts, flows)
        if groups is None:
            return self._stage_factors_each(isotopes, cuts, flows)
        out = np.empty((len(cuts), len(isotopes)))
        for law, stages, gamma in groups:
            out[stages] = law.stage_factors(isotopes, gamma)
        return out

    def _factors_235(self, cuts, flows) -> list[tuple] | None:
        """The U-235 stage factors of each group of :attr:`_factor_groups`, ``(law, stages,
        gamma_235)``; None when a machine no longer separates at its flow (then
        :meth:`_stage_factors_each` reports it, cascade by cascade)."""
        out = []
        for machine, law, stages, counts in self._factor_groups:
            gamma = machine._gamma_235(np.maximum(flows[stages] / counts, 1e-12), cuts[stages])
            if not np.all(np.isfinite(gamma) & (gamma > 1.0)):
                return None
            out.append((law, stages, gamma))
        return out

    def _stage_factors_each(self, isotopes, cuts, flows) -> np.ndarray:
        parts = []
        for name, c in self.cascades.items():
            sl = self._stages(name)
            parts.append(c.stage_factors(isotopes, flows[sl], cuts[sl]))
        return np.concatenate(parts)

    @functools.cached_property
    def _factor_groups(self) -> tuple[tuple, ...]:
        """``(machine, law, stages, machines per stage)`` of the cascades sharing a machine
        and a separation law (equal values), stages in the network's numbering."""
        groups: list[tuple] = []
        for name, c in self.cascades.items():
            group = next((g for g in groups if g[0] == c.machine and g[1] == c.law), None)
            if group is None:
                group = (c.machine, c.law, [], [])
                groups.append(group)
            group[2].append(np.arange(self._offsets[name], self._offsets[name] + c.n_stages))
            group[3].append(np.array(c.machines_per_stage))
        return tuple((machine, law, _read_only(np.concatenate(stages)),
                      _read_only(np.concatenate(counts)))
                     for machine, law, stages, counts in groups)

    @functools.cached_property
    def _state_maps(self) -> tuple[dict[str, int], dict, dict[str, int]]:
        """The mappings every state of this network reads (withdrawal name -> row, the
        cascades, their first stages): copied once, shared by the states, never changed."""
        return ({name: w for w, name in enumerate(self._withdrawal_names)},
                dict(self.cascades), dict(self._offsets))

    def _state(self, isotopes, sol: ss.StageSolution, shifts: Mapping[str, float],
               feeds: Mapping[str, StreamState], slopes: Mapping[str, float], *,
               worst: float | None = None) -> NetworkState:
        """The state of ``sol``; raises a ConvergenceError when its isotope balance closes
        only to more than ``_BALANCE_TOL`` (``worst``: that figure found already, as
        :func:`_balance_worst` finds it, for a batch's members at once)."""
        out = sol.withdrawals
        if out is None:
            out = ss.withdrawn(self._graph, sol.heads_components, sol.tails_components)
        index, cascades_copy, offsets_copy = self._state_maps
        withdrawals = _Withdrawals(self._withdrawal_names, isotopes, out, index)
        cascades = _CascadeStates(cascades_copy, offsets_copy, isotopes, sol, shared=True)
        state = NetworkState(cascades, withdrawals, dict(feeds), isotopes, sol.iterations,
                             sol.log_ratio, {name: float(x) for name, x in shifts.items()},
                             dict(slopes))
        if worst is None:
            worst = float(_balance_worst(self._inflow(feeds)[None, :],
                                         np.maximum(out, 0.0).sum(axis=0)[None, :])[0])
        if worst > _BALANCE_TOL:
            raise ConvergenceError(self._named(),
                                   f"isotope balance closes only to {worst:.1e} (relative)")
        return state


def _balance_worst(inflow: np.ndarray, outflow: np.ndarray) -> np.ndarray:
    """NetworkState.balance_residual's largest size of each row of ``inflow`` (every isotope's
    external feed) against ``outflow`` (its withdrawals, each clipped at zero, added row by
    row as sum() adds them), from the arrays the states are built from."""
    return np.max(np.abs((inflow - outflow) / np.maximum(inflow, 1e-300)), axis=1)


@functools.lru_cache(maxsize=16)
def _routing(sizes: tuple[int, ...], links: tuple[tuple[int, str, int, float], ...]):
    """Routing of cascades of ``sizes`` stages (in order) as streams, sparse: each cascade's
    heads up and tails down, then the ``links`` (source cascade, output, receiving stage,
    fraction); and the outputs ``(cascade, output)`` not wholly linked on, which leave as
    withdrawals. Cached: networks of one layout (a cascade solved again and again) share the
    graph and with it the patterns of its linear systems."""
    offsets = np.cumsum((0,) + sizes)
    n = int(offsets[-1])
    up = np.ones(max(n - 1, 0), dtype=bool)         # stage s feeds s + 1 within its cascade
    up[offsets[1:-1] - 1] = False
    within = np.flatnonzero(up)
    ones, zeros = np.ones(len(within)), np.zeros(len(within))
    dst, src, heads, tails = [within + 1, within], [within, within + 1], [ones, zeros], [zeros,
                                                                                         ones]

    def output_stage(cascade: int, output: str) -> int:
        return int(offsets[cascade]) + (sizes[cascade] - 1 if output == "product" else 0)

    remaining = {(i, out): 1.0 for i in range(len(sizes)) for out in OUTPUTS}
    for source, output, stage, fraction in links:
        is_product = output == "product"
        dst.append(np.array([stage]))
        src.append(np.array([output_stage(source, output)]))
        heads.append(np.array([fraction if is_product else 0.0]))
        tails.append(np.array([0.0 if is_product else fraction]))
        remaining[(source, output)] -= fraction
    outputs = tuple(key for key, share in remaining.items() if share > 1e-12)
    share = np.array([remaining[key] for key in outputs])
    product = np.array([output == "product" for _, output in outputs], dtype=bool)
    exits = ss.Streams.combine(np.arange(len(outputs)), [output_stage(*key) for key in outputs],
                               np.where(product, share, 0.0), np.where(product, 0.0, share), n)
    routes = ss.Streams.combine(np.concatenate(dst), np.concatenate(src),
                                np.concatenate(heads), np.concatenate(tails), n)
    return ss.StageGraph.from_streams(n, len(outputs), routes, exits), outputs


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _withdrawal_rates(rates) -> dict[str, float]:
    """Withdrawal name -> rate [kg U/yr] as floats, pint quantities converted."""
    if rates is None:
        return {}
    if not isinstance(rates, Mapping):
        raise InputTypeError("withdrawal_rates", rates,
                             "a mapping of withdrawal name to rate [kg U/yr]")
    return {label: as_float(rate, f"withdrawal_rates[{label}]", "kg/yr")
            for label, rate in rates.items()}


def _remembered(f):
    """``f`` of one float, each value computed once (the bracket search and the root search
    ask for the ends of the bracket again; ``f`` is a deterministic function)."""
    values: dict[float, float] = {}

    def remembered(x: float) -> float:
        x = float(x)
        if x not in values:
            values[x] = f(x)
        return values[x]

    return remembered


def _shift_guess(start: NetworkState | None, owners: list[str], rates: Mapping[str, float]
                 ) -> tuple[np.ndarray | None, float]:
    """Where the cut-shift search starts from a neighbouring ``start``: its shifts, and the
    half-width of a first bracket, twice the largest change of log withdrawal rate asked for
    (the rate moves about one for one with the shift; the bracket is doubled until it holds
    the root). A cascade without a shift in ``start`` ran at its design cuts there (shift
    0). ``(None, 1)`` without a start: the cold search."""
    if start is None:
        return None, 1.0
    change = max(abs(math.log(rate / start.withdrawals[label].rate_kg_per_yr))
                 if label in start.withdrawals and start.withdrawals[label].rate_kg_per_yr > 0
                 else math.inf for label, rate in rates.items())
    return (np.array([start.cut_shifts.get(name, 0.0) for name in owners]),
            min(max(2.0 * change, 1e-9), 1.0))


#: Shift tolerance (absolute and relative) of the cut-shift searches, Brent's and Newton's.
_SHIFT_TOL = 1e-14
#: Newton's method on a cut shift: most iterations, and largest step without a bracket
#: (the rate moves about one for one with the shift: e^4 ~ 55x).
_SHIFT_NEWTON_ITER = 40
_SHIFT_NEWTON_STEP = 4.0
#: Margin on the error of the last Newton step, estimated from the quadratic convergence.
_SHIFT_MARGIN = 100.0
#: The bracket search gives up beyond these shifts; Newton's method hands over there.
_SHIFT_LIMIT = 40.0


def _known_mismatch(start: NetworkState | None, label: str, owner: str, orient: float,
                    goal: float) -> tuple[float, float] | None:
    """The mismatch and its slope at the shift of a ``start`` that imposed withdrawal
    ``label`` (from its rate and rate slope), else None."""
    if start is None or label not in start.rate_slopes or owner not in start.cut_shifts:
        return None
    stream = start.withdrawals.get(label)
    slope = start.rate_slopes[label]
    if stream is None or not stream.rate_kg_per_yr > 0.0 or not math.isfinite(slope):
        return None
    return orient * math.log(stream.rate_kg_per_yr / goal), orient * slope


def _newton_shift(f, x: float, known: tuple[float, float] | None = None) -> float | None:
    """Root of ``f(shift) -> (mismatch, slope)``, an increasing function, by Newton's method
    from ``x``: :func:`_newton_shift_steps` with ``f`` evaluated at each shift it asks for."""
    search = _newton_shift_steps(x, known)
    try:
        shift = next(search)
        while True:
            shift = search.send(f(shift))
    except StopIteration as stop:
        return stop.value


def _newton_shift_steps(x: float, known: tuple[float, float] | None = None):
    """Generator (yields each shift to evaluate, is sent ``(mismatch, slope)`` there): root of
    the mismatch, an increasing function of the shift, by Newton's method from ``x``; None if
    it does not settle (the caller then searches a bracket).

    Safeguarded: the points evaluated bracket the root as soon as they straddle it, and a step
    that leaves the bracket (or a slope that is not positive) bisects it instead; without a
    bracket a step is at most ``_SHIFT_NEWTON_STEP``. It stops when the shift is known to
    ``_SHIFT_TOL`` (absolute and relative, as the bracket search stops): at a point whose
    Newton step is below that, or after a Newton step whose own error is below it by the
    quadratic convergence measured on the two steps before (error ~ C step^2, C ~ step /
    previous step^2, with a margin of ``_SHIFT_MARGIN``; steps of at most 1e-6 only). Bounded
    by counts: at most ``_SHIFT_NEWTON_ITER`` evaluations. ``known``: the mismatch and slope
    at ``x`` from a neighbouring solve, for a first step without an evaluation (its stopping
    tests are left to the points evaluated).
    """
    lo, hi = -math.inf, math.inf
    last = math.nan                               # the previous Newton step
    if known is not None and known[1] > 0.0 and math.isfinite(known[0] / known[1]):
        last = -known[0] / known[1]
        if abs(last) > _SHIFT_NEWTON_STEP:
            last = math.copysign(_SHIFT_NEWTON_STEP, last)
        x = x + last
    for _ in range(_SHIFT_NEWTON_ITER):
        value, slope = yield x
        if value == 0.0:
            return x
        if not math.isfinite(value):
            return None
        if value < 0.0:
            lo = x
        else:
            hi = x
        tol = 0.5 * _SHIFT_TOL * (1.0 + abs(x))
        step = -value / slope if slope > 0.0 and math.isfinite(slope) else math.nan
        if abs(step) <= tol:
            return x
        if math.isfinite(lo) and math.isfinite(hi):
            if not lo < x + step < hi:          # (never true for a step that is nan)
                if hi - lo <= 2.0 * tol:
                    return 0.5 * (lo + hi)
                step = 0.5 * (lo + hi) - x
                last = math.nan
        elif not math.isfinite(step):
            return None
        elif abs(step) > _SHIFT_NEWTON_STEP:
            step = math.copysign(_SHIFT_NEWTON_STEP, step)
            last = math.nan
        if abs(step) <= 1e-6 and _SHIFT_MARGIN * abs(step) ** 3 <= tol * last**2:
            return x + step                     # C step^2 below the tolerance (see above)
        last = step
        x = x + step
        if abs(x) > _SHIFT_LIMIT:
            return None
    return None


def _solve_shifts(mismatch, n: int, where: str, guess: np.ndarray | None = None,
                  width: float = 1.0) -> np.ndarray:
    """Root of ``mismatch`` (log rate ratios) over per-cascade cut shifts; ``where`` names the
    network and setting in a ConvergenceError. The search starts from ``guess`` (default
    zero) with a bracket of +-``width`` around it, doubled until it holds the root. Each
    value of the mismatch is computed once."""
    from scipy.optimize import brentq, root  # loaded when a rate is first imposed

    if n == 1:
        f = _remembered(lambda s: float(mismatch(np.array([s]))[0]))
        centre = 0.0 if guess is None else float(guess[0])
        down = up = width
        lo, hi = centre - down, centre + up
        while f(lo) > 0.0 and lo > -40.0:
            down *= 2.0
            lo = centre - down
        while f(hi) < 0.0 and hi < 40.0:
            up *= 2.0
            hi = centre + up
        if f(lo) > 0.0 or f(hi) < 0.0:
            raise ConvergenceError(where, "no cut setting gives the requested rate")
        return np.array([brentq(f, lo, hi, xtol=_SHIFT_TOL, rtol=_SHIFT_TOL)])
    sol = root(mismatch, np.zeros(n) if guess is None else guess, method="hybr", tol=1e-14)
    if not sol.success or np.max(np.abs(mismatch(sol.x))) > 1e-10:
        raise ConvergenceError(where, f"cut shifts did not converge: {sol.message}")
    return sol.x


#: Network.solve as defined here (network_batch batches only networks whose solve is this one,
#: as bound when this module loads: a subclass's or a patched solve is called as it is)
_NETWORK_SOLVE = Network.solve
