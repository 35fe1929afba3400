"""Operating histories of a plant: configurations (networks of the same cascades), hold-ups,
and time segments, turned into the stage operations the integrator runs.

A :class:`History` names its configurations (:class:`Configuration`: a
:class:`~enrichwatch.physics.network.Network` and the cuts it runs at, from the steady solver),
the hold-up per machine (:class:`HoldUp`), how the run starts and a list of :class:`Segment`
values, each a configuration and its operating state: feeds on or off with their rate and assay
(:class:`FeedSetting`), withdrawal valves open, throttled or closed (:class:`ValveSetting`), the
flow closure and a ramp of the feed. Every configuration must hold the same cascades (names,
stages, machines): a re-piping changes the streams between them, not the machines, and each
stage keeps its gas across the change.

The model is binary: each feed enters at its U-235 weight fraction, the other isotopes counted
with U-238.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(20.0),
...                    Assay.from_weight_percent(2.5), total_machines=166, name="A")
>>> net = Network([a], feeds=[ExternalFeed("feed", "A", leu, a.design.feed_kg_per_yr)])
>>> history = History("start-up", {"plant": Configuration.from_network("plant", net)},
...                   (Segment("production", 24.0, "plant"),))
>>> [w.name for w in history.watches()]
['A.product', 'A.tails', 'anywhere']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ...constants import SECONDS_PER_YEAR
from ...errors import ConfigurationError, InputError, UnknownNameError
from ...files import key_path
from ..network import Network
from .integrate import Watch, initial_state
from .system import CLOSURES, FlowSolution, Operation, Routing, stage_flows

__all__ = ["HOURS_PER_YEAR", "Configuration", "FeedSetting", "History", "HoldUp", "Segment",
           "ValveSetting", "Variant", "build_operations", "check_operations"]

#: Hours in the year of the rate units (365.25 days), to turn kg U/yr into kg U/h.
HOURS_PER_YEAR = SECONDS_PER_YEAR / 3600.0
INITIAL_STATES = ("feed", "steady")
_ANYWHERE = "anywhere"


@dataclass(frozen=True)
class HoldUp:
    """Gas hold-up per machine [g U]: in the rotor and in its share of headers and pipework.

    No value is published for any Iranian machine; from rotor gas physics an IR-6 class rotor
    holds about 0.15-1 g U and the pipework roughly 0.1-2 g more, so the total is an uncertain
    input over ``range_g`` (0.3-10 g U per machine; an estimate, no published value).
    """

    rotor_g: float = 0.5
    pipework_g: float = 1.0
    range_g: tuple[float, float] = (0.3, 10.0)
    source: str = ("assumed: rotor 0.15-1 g U, headers and pipework 0.1-2 g U per machine, "
                   "range 0.3-10 g U (no published figure)")

    def __post_init__(self) -> None:
        for key in ("rotor_g", "pipework_g"):
            value = getattr(self, key)
            if not np.isfinite(value) or value < 0.0:
                raise InputError(f"holdup.{key}", value, "a hold-up >= 0 [g U per machine]")
        if self.total_g <= 0.0:
            raise InputError("holdup", self.total_g, "a total hold-up > 0 [g U per machine]")
        low, high = self.range_g
        if not 0.0 < low <= self.total_g <= high:
            raise InputError("holdup.range_g", self.range_g,
                             f"(low, high) with 0 < low <= {self.total_g:g} <= high [g U]")

    @property
    def total_g(self) -> float:
        """Hold-up per machine [g U]."""
        return self.rotor_g + self.pipework_g

    @property
    def pipework_share(self) -> float:
        """Share of the hold-up in headers and pipework [1]."""
        return self.pipework_g / self.total_g

    def statement(self) -> str:
        return (f"hold-up {self.total_g:.3g} g U per machine: rotor {self.rotor_g:.3g} g + "
                f"headers and pipework {self.pipework_g:.3g} g ({100 * self.pipework_share:.0f} "
                f"%); range {self.range_g[0]:g}-{self.range_g[1]:g} g U ({self.source})")


@dataclass(frozen=True)
class Configuration:
    """A plant configuration: its network, the cuts each cascade runs at, and display names.

    Use :meth:`from_network`, which takes the cuts from the steady solver (design cuts, or
    the shifted ones when withdrawal rates are imposed) and its steady stage assays.
    """

    name: str
    network: Network
    cuts: Mapping[str, np.ndarray]
    steady_assays: Mapping[str, np.ndarray]
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_network(cls, name: str, network: Network,
                     withdrawal_rates: Mapping[str, float] | None = None,
                     labels: Mapping[str, str] | None = None, state=None) -> Configuration:
        """The configuration of ``network`` at its steady operating point (``state`` if
        already solved, else ``network.solve(withdrawal_rates)``)."""
        state = state if state is not None else network.solve(withdrawal_rates)
        cuts = {c: np.asarray(s.cuts, dtype=float) for c, s in state.cascades.items()}
        assays = {c: np.asarray(s.stage_assay, dtype=float) for c, s in state.cascades.items()}
        return cls(name, network, cuts, assays, dict(labels or {}))

    def label(self, withdrawal: str) -> str:
        return self.labels.get(withdrawal, withdrawal)


@dataclass(frozen=True)
class FeedSetting:
    """A feed during a segment: on or off, and its rate [kg U/yr] and U-235 weight fraction
    [1] when they differ from the configuration's."""

    on: bool = True
    rate_kg_per_yr: float | None = None
    u235: float | None = None


@dataclass(frozen=True)
class ValveSetting:
    """A withdrawal valve: the share of the stream it passes (1 open, 0 closed), or the rate
    [kg U/yr] it is throttled to (the valve opening that passes it is solved for)."""

    opening: float | None = 1.0
    rate_kg_per_yr: float | None = None


@dataclass(frozen=True)
class Segment:
    """One time segment: until ``end_h`` [h], ``configuration`` in an operating state.

    ``closure`` is one of :data:`~.system.CLOSURES`; ``ramp_h`` [h] > 0 ramps every feed of the
    segment linearly from ``ramp_from`` times its rate (fixed cuts only); ``alternatives`` are
    other closures the uncertainty sweep tries for this segment.
    """

    name: str
    end_h: float
    configuration: str
    feeds: Mapping[str, FeedSetting] = field(default_factory=dict)
    withdrawals: Mapping[str, ValveSetting] = field(default_factory=dict)
    closure: str = "fixed_cuts"
    ramp_h: float = 0.0
    ramp_from: float = 0.0
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class History:
    """An operating history: configurations, hold-up, initial state and segments.

    Parameters
    ----------
    name : str
    configurations : mapping of str to Configuration
    segments : tuple of Segment
        In time order; the first starts at ``start_h``.
    holdup : HoldUp
    initial : {'feed', 'steady'}
        'feed': every stage full of gas at the first segment's feed assay (or
        ``initial_assay``); 'steady': the steady state of ``initial_configuration`` (default
        the first segment's) in production (feeds on, withdrawals open, fixed cuts).
    thresholds : tuple of float
        U-235 weight fractions [1] whose crossings are reported.
    """

    name: str
    configurations: Mapping[str, Configuration]
    segments: tuple[Segment, ...]
    holdup: HoldUp = field(default_factory=HoldUp)
    initial: str = "feed"
    initial_configuration: str | None = None
    initial_assay: float | None = None
    thresholds: tuple[float, ...] = ()
    start_h: float = 0.0
    assumptions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    illustrative: bool = False

    def __post_init__(self) -> None:
        _check_history(self)

    # -- the stages shared by every configuration -------------------------------------------------
    @property
    def first(self) -> Configuration:
        return self.configurations[self.segments[0].configuration]

    @property
    def cascades(self) -> dict:
        return dict(self.first.network.cascades)

    def offsets(self) -> dict[str, int]:
        out, o = {}, 0
        for name, c in self.cascades.items():
            out[name] = o
            o += c.n_stages
        return out

    @property
    def n_stages(self) -> int:
        return sum(c.n_stages for c in self.cascades.values())

    def withdrawals(self) -> tuple[str, ...]:
        """Every withdrawal of any configuration (network names), in order of appearance."""
        names: dict[str, None] = {}
        for seg in self.segments:
            names.update(dict.fromkeys(self.configurations[seg.configuration].network
                                       .withdrawal_names))
        return tuple(names)

    def label(self, withdrawal: str) -> str:
        for config in self.configurations.values():
            if withdrawal in config.labels:
                return config.labels[withdrawal]
        return withdrawal

    def stage_holdup(self, grams_per_machine: float | None = None) -> np.ndarray:
        """Hold-up of each stage [kg U]."""
        g = self.holdup.total_g if grams_per_machine is None else grams_per_machine
        return np.concatenate([np.asarray(c.machines_per_stage, dtype=float) * g / 1000.0
                               for c in self.cascades.values()])

    def watches(self) -> tuple[Watch, ...]:
        """Every cascade output (product: heads of the top stage; tails: of stage 0) and the
        highest heads assay anywhere."""
        out = []
        for name, o in self.offsets().items():
            c = self.cascades[name]
            out.append(Watch(f"{name}.product", o + c.n_stages - 1, "heads"))
            out.append(Watch(f"{name}.tails", o, "tails"))
        return (*out, Watch(_ANYWHERE, -1, "heads"))

    def times(self) -> list[tuple[float, float]]:
        starts = [self.start_h] + [s.end_h for s in self.segments[:-1]]
        return list(zip(starts, [s.end_h for s in self.segments], strict=True))


def _check_history(h: History) -> None:
    if not h.segments:
        raise ConfigurationError("segments", [], "at least one segment")
    for i, seg in enumerate(h.segments):
        if seg.configuration not in h.configurations:
            raise UnknownNameError(f"segments[{i}].configuration", seg.configuration,
                                   f"one of the configurations {sorted(h.configurations)}")
    start = h.start_h
    for i, seg in enumerate(h.segments):
        if not seg.end_h > start:
            raise ConfigurationError(f"segments[{i}].end_h", seg.end_h,
                                     f"an end after the segment's start, {start:g} h")
        start = seg.end_h
    if h.initial not in INITIAL_STATES:
        raise ConfigurationError("initial", h.initial, "one of " + ", ".join(INITIAL_STATES))
    for t in h.thresholds:
        if not 0.0 < t < 1.0:
            raise InputError("thresholds", t, "U-235 weight fractions strictly between 0 and 1")
    shape = {n: c.machines_per_stage for n, c in h.first.network.cascades.items()}
    for name, config in h.configurations.items():
        other = {n: c.machines_per_stage for n, c in config.network.cascades.items()}
        if other != shape:
            raise ConfigurationError(f"configurations.{name}", sorted(other),
                                     f"the same cascades and machines per stage as "
                                     f"{h.first.name!r}: {sorted(shape)}")


# -- segments -> operations ---------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """Uncertain inputs of one run: hold-up per machine [g U], design stage factor of some
    machines (machine name -> gamma; the others as in the catalog), and closures replacing
    those of some segments (segment index -> closure)."""

    holdup_g: float | None = None
    gamma: Mapping[str, float] = field(default_factory=dict)
    closures: Mapping[int, str] = field(default_factory=dict)
    label: str = "nominal"


class _Builder:
    """Builds the operation of each segment of a history (one per run variant).

    ``memo`` (a dict) may be shared by the builders of variants with the same stage factors
    and hold-up: the routing and the production operation of each configuration and the
    initial state do not depend on the segments' closures, and are built once.
    """

    def __init__(self, history: History, variant: Variant, memo: dict | None = None) -> None:
        self.h, self.v = history, variant
        self._memo = {} if memo is None else memo
        self.offsets = history.offsets()
        self.n = history.n_stages
        self.withdrawals = history.withdrawals()
        self.holdup = history.stage_holdup(variant.holdup_g)
        self.machines = {name: (c.machine.varied(gamma=variant.gamma[c.machine.name])
                                if c.machine.name in variant.gamma else c.machine)
                         for name, c in history.cascades.items()}

    # stage arrays of a configuration
    def _slices(self):
        for name, c in self.h.cascades.items():
            yield name, c, slice(self.offsets[name], self.offsets[name] + c.n_stages)

    def cuts(self, config: Configuration) -> np.ndarray:
        return np.concatenate([config.cuts[name] for name, _, _ in self._slices()])

    def capacity(self) -> np.ndarray:
        """Design flow of each stage [kg U/h]."""
        return np.concatenate([np.asarray(c.machines_per_stage) *
                               self.machines[name].design_feed_kg_per_yr / HOURS_PER_YEAR
                               for name, c, _ in self._slices()])

    def gamma_of(self, cuts: np.ndarray):
        """Stage factors as a function of the stage flows [kg U/h], shape (..., S): the machine
        model at the flow per machine and cut of each stage (one call per machine type).

        The integrator asks for them at every new flow of a ramp: the machine model is called
        on its checked-input path (:meth:`~..machines.Machine._gamma_235`, the same formula
        and numbers) with each machine type's stages taken as a slice where they are
        contiguous. Flows that are not finite and >= 0, or cuts outside (0, 1), go through
        :meth:`~..machines.Machine.gamma_235`, which raises on them as before."""
        groups: dict[int, tuple] = {}
        for name, c, sl in self._slices():
            machine = self.machines[name]
            idx, count = groups.get(id(machine), (machine, [], []))[1:]
            idx.extend(range(sl.start, sl.stop))
            count.extend(c.machines_per_stage)
            groups[id(machine)] = (machine, idx, count)
        parts = [(m, idx, np.asarray(n, dtype=float), cuts[idx]) for m, idx, n in
                 ((m, _as_slice(np.array(i)), n) for m, i, n in groups.values())]
        checked = bool(np.all((cuts > 0.0) & (cuts < 1.0)))

        def gamma(flows: np.ndarray) -> np.ndarray:
            out = np.empty(np.shape(flows))
            for machine, idx, count, cut in parts:
                q = flows[..., idx] * HOURS_PER_YEAR / count
                ok = checked and np.isfinite(q.sum()) and q.min(initial=0.0) >= 0.0
                out[..., idx] = (machine._gamma_235 if ok else machine.gamma_235)(q, cut)
            return out
        return gamma

    def _remember(self, key: tuple, build):
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
        return found

    def routing(self, config: Configuration) -> Routing:
        """Routing of a configuration over the history's stages and withdrawals."""
        return self._remember(("routing", config.name), lambda: self._routing(config))

    def _routing(self, config: Configuration) -> Routing:
        from scipy import sparse

        n, net = self.n, config.network
        hr, tr = sparse.lil_matrix((n, n)), sparse.lil_matrix((n, n))
        ho, to = sparse.lil_matrix((len(self.withdrawals), n)), \
            sparse.lil_matrix((len(self.withdrawals), n))
        ends = {}
        for name, _, sl in self._slices():
            idx = np.arange(sl.start, sl.stop)
            for s, d in zip(idx[:-1], idx[1:], strict=True):
                hr[d, s], tr[s, d] = 1.0, 1.0
            ends[(name, "product")], ends[(name, "tails")] = sl.stop - 1, sl.start
        left = dict.fromkeys(ends, 1.0)
        for link in net.links:
            target = net.cascades[link.target]
            stage = self.offsets[link.target] + (target.feed_stage if link.stage is None
                                                 else link.stage)
            src = ends[(link.source, link.output)]
            (hr if link.output == "product" else tr)[stage, src] += link.fraction
            left[(link.source, link.output)] -= link.fraction
        for name in net.withdrawal_names:
            cascade, output = name.rsplit(".", 1)
            w = self.withdrawals.index(name)
            (ho if output == "product" else to)[w, ends[(cascade, output)]] = \
                left[(cascade, output)]
        m = len(self.withdrawals)
        return Routing(sparse.csr_matrix(hr), sparse.csr_matrix(tr), sparse.csr_matrix(ho,
                       shape=(m, n)), sparse.csr_matrix(to, shape=(m, n)), self.withdrawals)

    def feeds(self, config: Configuration, seg: Segment | None, index: int):
        """External feed [kg U/h] and U-235 [kg/h] into each stage."""
        feed, u235 = np.zeros(self.n), np.zeros(self.n)
        settings = {} if seg is None else seg.feeds
        for f in config.network.feeds:
            s = settings.get(f.name, FeedSetting())
            if not s.on:
                continue
            stage = self.offsets[f.target] + (config.network.cascades[f.target].feed_stage
                                              if f.stage is None else f.stage)
            rate = (f.rate_kg_per_yr if s.rate_kg_per_yr is None else s.rate_kg_per_yr)
            x = f.composition.fraction("U235") if s.u235 is None else s.u235
            feed[stage] += rate / HOURS_PER_YEAR
            u235[stage] += rate / HOURS_PER_YEAR * x
        return feed, u235

    def production(self, config: Configuration) -> Operation:
        """The configuration producing: feeds on, withdrawals open, fixed cuts."""
        return self._remember(("production", config.name), lambda: self.operation(
            Segment("production", 1.0, config.name), -1, None))

    def operation(self, seg: Segment, index: int, previous: Operation | None) -> Operation:
        config = self.h.configurations[seg.configuration]
        closure = self.v.closures.get(index, seg.closure)
        cuts = self.cuts(config)
        feed, u235 = self.feeds(config, seg, index)
        routing = self._valves(self.routing(config), seg, index, cuts, feed, closure, previous,
                               config)
        sol = self._flows(routing, cuts, feed, closure, previous, config)
        _check_flows(sol, seg, index, closure, self)
        flows = sol.flows
        if closure == "inventory":
            flows = self._inventory_reference(sol, feed, routing, previous, config)
        return Operation(routing, cuts, flows, feed, u235, self.holdup,
                         gamma_of=self.gamma_of(cuts), inventory_driven=closure == "inventory",
                         ramp_from=seg.ramp_from if seg.ramp_h > 0 else 1.0, ramp_h=seg.ramp_h,
                         closed_blocks=sol.closed_blocks)

    def _reference(self, previous: Operation | None, config: Configuration) -> np.ndarray:
        if previous is not None:
            return previous.flows
        return self.production(config).flows

    def _flows(self, routing, cuts, feed, closure, previous, config) -> FlowSolution:
        if closure == "closed_throughput":
            ref = self._reference(previous, config)
            return stage_flows(routing, cuts, feed,
                               closed_scale=lambda idx, v: ref[idx].sum() / v.sum())
        if closure == "closed_design":
            cap = self.capacity()
            return stage_flows(routing, cuts, feed,
                               closed_scale=lambda idx, v: 1.0 / np.max(v / cap[idx]))
        return stage_flows(routing, cuts, feed)

    def _inventory_reference(self, sol, feed, routing, previous, config) -> np.ndarray:
        """Flows at the nominal hold-up: the fixed-cut flows where a feed reaches, the
        previous flows elsewhere (the cascade drains or circulates from there)."""
        ref = self._reference(previous, config)
        return np.where(sol.flows > 0.0, sol.flows, ref)

    def _valves(self, routing, seg, index, cuts, feed, closure, previous, config) -> Routing:
        openings = {}
        for key, valve in seg.withdrawals.items():
            name = self._withdrawal_name(key, config, index)
            if valve.rate_kg_per_yr is None:
                openings[name] = float(valve.opening if valve.opening is not None else 1.0)
        routing = routing.with_openings(openings)
        for key, valve in seg.withdrawals.items():
            if valve.rate_kg_per_yr is not None:
                name = self._withdrawal_name(key, config, index)
                routing = self._throttle(routing, name, valve.rate_kg_per_yr / HOURS_PER_YEAR,
                                         cuts, feed, index, key)
        return routing

    def _withdrawal_name(self, key: str, config: Configuration, index: int) -> str:
        names = {config.label(w): w for w in config.network.withdrawal_names}
        names.update({w: w for w in config.network.withdrawal_names})
        if key not in names:
            raise UnknownNameError(key_path(("segments", index, "withdrawals", key)), key,
                                   f"a withdrawal of configuration {config.name!r}: "
                                   + ", ".join(sorted(names)))
        return names[key]

    def _throttle(self, routing, name, rate, cuts, feed, index, key) -> Routing:
        from scipy.optimize import brentq

        w = self.withdrawals.index(name)

        def passed(share: float) -> float:
            r = routing.with_openings({name: share})
            flows = stage_flows(r, cuts, feed).flows
            out = r.heads_out @ (cuts * flows) + r.tails_out @ ((1 - cuts) * flows)
            return float(out[w])

        full = passed(1.0)
        if not 0.0 < rate <= full * (1.0 + 1e-12):
            raise InputError(key_path(("segments", index, "withdrawals", key, "rate")),
                             rate * HOURS_PER_YEAR,
                             f"a rate > 0 and at most what the open valve passes, "
                             f"{full * HOURS_PER_YEAR:.6g} kg U/yr")
        share = 1.0 if rate >= full else brentq(lambda s: passed(s) - rate, 0.0, 1.0,
                                                 xtol=1e-14)
        return routing.with_openings({name: share})

    # initial state
    def initial(self) -> np.ndarray:
        """The initial state (a copy: the builders sharing the memo share it)."""
        return self._remember(("initial",), self._initial).copy()

    def _initial(self) -> np.ndarray:
        h = self.h
        if h.initial == "steady":
            config = h.configurations[h.initial_configuration or h.segments[0].configuration]
            return self._steady_start(config)
        if h.initial_assay is not None:
            assay = h.initial_assay
        else:
            feed, u235 = self.feeds(h.first, h.segments[0], 0)
            if feed.sum() <= 0.0:
                feed, u235 = self.feeds(h.first, None, 0)
            assay = u235.sum() / feed.sum()
        return initial_state(self.holdup, np.full(self.n, assay), len(self.withdrawals))

    def _steady_start(self, config: Configuration) -> np.ndarray:
        from .analysis import steady_limit
        from .system import Model

        guess = np.concatenate([config.steady_assays[name] for name, _, _ in self._slices()])
        op = self.production(config)
        y0 = initial_state(self.holdup, guess, len(self.withdrawals))
        state = steady_limit(Model(op), y0)
        assert state is not None
        return state


def _as_slice(idx: np.ndarray) -> slice | np.ndarray:
    """``idx`` as a slice when it is a run of consecutive indices (a view, not a copy)."""
    if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
        return slice(int(idx[0]), int(idx[0]) + idx.size)
    return idx


def build_operations(history: History, variant: Variant | None = None, *,
                     cache: dict | None = None) -> tuple[list[Operation], np.ndarray]:
    """The operation of every segment of ``history`` and the initial state (for ``variant``,
    default nominal).

    The flows, valves and stage factors of a history do not depend on the hold-up, and its
    initial assays do not either (a stage full of feed gas, or the steady state, whose assays
    are set by the flows alone): a variant that only changes the hold-up is the nominal one
    with every hold-up (and the initial uranium and U-235 in each stage) scaled. With a
    ``cache`` (a dict kept by the caller for one history), the operations of each set of
    stage factors and closures are built once and scaled for each hold-up; a variant that
    changes closures takes from the build of the same stage factors without changes (when
    cached) the operations of the segments before its first changed one (the same objects)
    and the routings, production operations and initial state, which no closure changes.

    Raises
    ------
    InputError
        A segment that cannot run (its ``param`` names the segment and the setting at fault).
    """
    variant = Variant() if variant is None else variant
    if cache is None:
        return _build(history, variant)
    factors = tuple(sorted(variant.gamma.items()))
    key = (factors, tuple(sorted(variant.closures.items())))
    if key not in cache:        # (operations, initial state, memo of the builders)
        base = cache.get((factors, ()))
        memo = {} if base is None else base[2]
        cache[key] = (*_build(history, replace(variant, holdup_g=None), memo,
                              None if base is None else base[0]), memo)
    ops, y0, _ = cache[key]
    if variant.holdup_g is None or variant.holdup_g == history.holdup.total_g:
        return list(ops), y0.copy()
    k = variant.holdup_g / history.holdup.total_g
    n = history.n_stages
    y = y0.copy()
    y[:2 * n] *= k
    return [replace(op, holdup=op.holdup * k) for op in ops], y


def _build(history: History, variant: Variant, memo: dict | None = None,
           base: list[Operation] | None = None) -> tuple[list[Operation], np.ndarray]:
    """Operations and initial state of a variant; with ``base``, the operations of the
    variant with the same stage factors and no closure changed, the segments before the
    first changed closure are taken from it (each depends only on the segments before it)."""
    builder = _Builder(history, variant, memo)
    same = min(variant.closures, default=len(history.segments)) if base is not None else 0
    ops: list[Operation] = list(base[:same]) if base is not None else []
    for i, seg in enumerate(history.segments[len(ops):], start=len(ops)):
        ops.append(builder.operation(seg, i, ops[-1] if ops else None))
    return ops, builder.initial()


def check_operations(history: History, *, cache: dict | None = None) -> None:
    """Build every segment's operation, with each of its alternative closures, and the initial
    state: an :class:`~enrichwatch.errors.InputError` for the first that cannot run. With a
    ``cache`` (:func:`build_operations`'), the nominal build is kept in it, for the runs of
    ``history`` (the routings, production operations and initial state built here too)."""
    memo: dict = {}
    ops, y0 = _build(history, Variant(), memo)
    if cache is not None:
        cache.setdefault(((), ()), (ops, y0, memo))
    for i, seg in enumerate(history.segments):
        for alt in seg.alternatives:
            _Builder(history, Variant(closures={i: alt}), memo).operation(
                seg, i, ops[i - 1] if i else None)


def _check_flows(sol: FlowSolution, seg: Segment, index: int, closure: str, b: _Builder) -> None:
    if closure not in CLOSURES:
        raise ConfigurationError(f"segments[{index}].closure", closure,
                                 "one of " + ", ".join(CLOSURES))
    if seg.ramp_h > 0 and closure != "fixed_cuts":
        raise ConfigurationError(f"segments[{index}].ramp_h", seg.ramp_h,
                                 "a ramp only with closure = 'fixed_cuts'")
    where = f"segments[{index}] ({seg.name!r})"
    if sol.stuck.size:
        raise ConfigurationError(where, _stage_names(b, sol.stuck),
                                 "stages that can pass their gas to an open withdrawal (these "
                                 "receive gas and cannot)")
    if closure == "fixed_cuts" and sol.closed_blocks:
        stages = np.concatenate(sol.closed_blocks)
        raise ConfigurationError(where, _stage_names(b, stages),
                                 "closure 'closed_throughput' or 'closed_design' for stages "
                                 "with neither feed nor open withdrawal (total reflux), or "
                                 "'inventory'")
    if closure in ("fixed_cuts", "closed_throughput", "closed_design") and sol.dry.size:
        raise ConfigurationError(where, _stage_names(b, sol.dry),
                                 "closure 'inventory' (the stages drain through the open "
                                 "withdrawals) or the withdrawals closed, for stages no feed "
                                 "reaches: at fixed cuts nothing would flow")


def _stage_names(b: _Builder, stages: np.ndarray) -> str:
    out: dict[str, list[int]] = {}
    for s in stages:
        name = next(n for n in reversed(list(b.offsets)) if b.offsets[n] <= s)
        out.setdefault(name, []).append(int(s) - b.offsets[name])
    return "; ".join(f"cascade {n} stages {_ranges(v)}" for n, v in out.items())


def _ranges(values: list[int]) -> str:
    values = sorted(values)
    if values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))
