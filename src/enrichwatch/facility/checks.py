"""Cross-reference checks of a plant description, and the network it describes.

:func:`assemble` takes the parts of a description (entries that failed the format checks are
``None`` and are skipped), resolves machines, builds or designs every cascade, checks streams,
feeds and withdrawals against them, and finally builds the
:class:`~enrichwatch.physics.network.Network` (whose own checks, such as a loop with no exit,
become problems too). Every problem found is returned; nothing is raised.

Examples
--------
>>> from enrichwatch.facility.specs import CascadeSpec, FeedSpec, Isotopics, StreamSpec
>>> leu = Isotopics.from_percent({"U235": 5.0, "U238": 95.0})
>>> parts = Parts(file="demo", rate_unit="kg U/yr",
...               cascades=(CascadeSpec("A", "IR-6", (2, 4, 2), 1),),
...               cascade_names=("A",),
...               streams=(StreamSpec("A.middle", "B"),),
...               feeds=(FeedSpec("feed", "A", 100.0, leu),))
>>> network, problems = assemble(parts)
>>> for p in problems:
...     print(p)
demo: streams[0].from = 'A.middle': expected 'A.product' or 'A.tails'
demo: streams[0].to = 'B': expected the name of a cascade: one of A
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..composition import Composition, rate_to_kg_u_per_yr
from ..constants import RATE_UNITS
from ..errors import ConvergenceError, InputError
from ..physics.cascade import FixedCascade, design_cascade
from ..physics.machines import Machine, MachineCatalog, load_catalog
from ..physics.network import ExternalFeed, Link, Network
from .limits import MAX_MACHINES, MAX_STAGES_PER_CASCADE, size_problems
from .problems import MISSING, Problem, key_path
from .specs import (
    OUTPUTS,
    CascadeSpec,
    DesignSpec,
    FeedSpec,
    Isotopics,
    MachineSpec,
    PlantInfo,
    StreamSpec,
    WithdrawalSpec,
)

__all__ = ["EMPTY_SHARE", "Parts", "assemble", "remaining_shares"]

#: A share of an output at or below this is "all routed": no withdrawal (as in Network).
EMPTY_SHARE = 1e-12

_MACHINE_KEYS = {"swu_per_yr": "swu_per_yr", "nominal_swu_per_yr": "swu_per_yr",
                 "gamma": "stage_factor", "cut": "design_cut", "design_cut": "design_cut",
                 "swu_range_per_yr": "swu_range_per_yr", "length_m": "length_m",
                 "diameter_m": "diameter_m", "speed_m_s": "speed_m_s",
                 "temperature_k": "temperature_k", "flow_ratio": "flow_ratio"}
_GEOMETRY_TEXT = "length_m, diameter_m and speed_m_s (geometry-defined)"
_KIND_TEXT = f"stage_factor (rating-defined) or {_GEOMETRY_TEXT}"
_NEEDED = {"swu_per_yr": "a separative power > 0 [kg SWU/yr] (a rating-defined machine needs it)",
           "length_m": "a rotor length > 0 [m]", "diameter_m": "a rotor diameter > 0 [m]",
           "speed_m_s": "a peripheral speed > 0 [m/s]"}


@dataclass(frozen=True)
class Parts:
    """The entries of a plant description, ``None`` where an entry failed the format checks.

    ``cascade_names`` holds the name written in every ``[[cascades]]`` entry (valid or not), so
    that references to a cascade whose entry has a problem are not reported again.
    ``failed_machines`` names the inline machines whose tables have problems; ``format_ok`` is
    False when the format checks found any problem.
    """

    file: str
    info: PlantInfo | None = None
    rate_unit: str | None = None
    machines: tuple[MachineSpec, ...] = ()
    failed_machines: tuple[str, ...] = ()
    cascade_names: tuple[str | None, ...] = ()
    cascades: tuple[CascadeSpec | None, ...] = ()
    streams: tuple[StreamSpec | None, ...] = ()
    feeds: tuple[FeedSpec | None, ...] = ()
    withdrawals: tuple[WithdrawalSpec | None, ...] = ()
    format_ok: bool = True

    @property
    def complete(self) -> bool:
        """True when no entry failed the format checks (the network can then be built)."""
        entries = self.cascades + self.streams + self.feeds + self.withdrawals
        return (self.format_ok and self.info is not None and self.rate_unit in RATE_UNITS
                and not self.failed_machines and all(e is not None for e in entries)
                and len(self.cascade_names) == len(self.cascades))


class _Log:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str, value, allowed: str) -> None:
        self.problems.append(Problem(self.file, key, value, allowed))


def remaining_shares(streams: Sequence[StreamSpec | None]) -> dict[tuple[str, str], float]:
    """Share of each streamed output left after the streams, ``(cascade, output) -> share``.

    Outputs no stream takes from are absent (their whole flow is left).

    >>> remaining_shares([StreamSpec("A.product", "B", fraction=0.25)])
    {('A', 'product'): 0.75}
    """
    left: dict[tuple[str, str], float] = {}
    for s in streams:
        if s is not None:
            key = (s.cascade, s.output)
            left[key] = left.get(key, 1.0) - s.fraction
    return left


# -- machines -------------------------------------------------------------------------------------
def _machine(spec: MachineSpec, log: _Log) -> Machine | None:
    loc = ("machines", spec.name)
    if spec.kind is None:
        both = spec.stage_factor is not None
        log.add(key_path(loc + ("stage_factor",)), spec.stage_factor if both else MISSING,
                f"either {_KIND_TEXT}, not both" if both else _KIND_TEXT)
        return None
    missing = spec.missing_keys()
    for key in missing:
        log.add(key_path(loc + (key,)), MISSING, _NEEDED[key])
    if missing:
        return None
    try:
        return spec.build()
    except InputError as err:
        known = _MACHINE_KEYS.get(err.param)
        log.add(key_path(loc + ((known,) if known else ())), err.value, err.allowed)
    except ConvergenceError as err:
        log.add(key_path(loc), spec.name, f"rotor figures the model can use ({err})")
    return None


def _inline_machines(parts: Parts, log: _Log) -> tuple[MachineCatalog, set[str]]:
    """The inline machines as a catalog, and the names of those with problems (placeholders)."""
    failed = set(parts.failed_machines)
    accepted: list[Machine] = []
    for spec in parts.machines:
        machine = _machine(spec, log)
        if machine is None:
            failed.add(spec.name)
            machine = Machine.from_rating(spec.name, 1.0, 1.4)
        if spec.name in MachineCatalog(tuple(accepted)):
            log.add(key_path(("machines", spec.name)), spec.name,
                    "a machine name not already used (names ignore case, spaces, - and _)")
            continue
        accepted.append(machine)
    for name in parts.failed_machines:
        if name not in MachineCatalog(tuple(accepted)):
            accepted.append(Machine.from_rating(name, 1.0, 1.4))
    return MachineCatalog(tuple(accepted), "[machines]"), failed


def _resolve(name: str, key: str, local: MachineCatalog, failed: set[str],
             catalog: MachineCatalog, log: _Log) -> Machine | None:
    if name in local:
        machine = local.get(name)
        return None if machine.name in failed else machine
    if name in catalog:
        return catalog.get(name)
    defined = ", ".join(local.names) or "none defined"
    log.add(key, name, f"a machine of the catalog ({', '.join(catalog.names)}) "
                       f"or of [machines] ({defined})")
    return None


# -- cascades -------------------------------------------------------------------------------------
def _composition(isotopics: Isotopics, key: str, log: _Log) -> Composition | None:
    try:
        return isotopics.composition(param=key)
    except InputError as err:
        if err.param == key and abs(isotopics.total - 100.0) > 1e-9:
            log.add(key, isotopics.as_dict(), f"{isotopics.basis} percents summing to 100 "
                                              f"(they sum to {isotopics.total:.9g})")
        else:
            log.add(err.param, err.value, err.allowed)
    return None


def _layout(spec: CascadeSpec, key: str, machine: Machine, log: _Log) -> FixedCascade | None:
    if spec.machines_per_stage is None:     # a layout cascade (the caller checked which kind)
        return None
    n = len(spec.machines_per_stage)
    before = len(log.problems)
    if spec.feed_stage is None:
        log.add(f"{key}.feed_stage", MISSING,
                f"the stage receiving the feed, 0 (tails end) to {n - 1}")
    elif not 0 <= spec.feed_stage < n:
        log.add(f"{key}.feed_stage", spec.feed_stage, f"a stage from 0 (tails end) to {n - 1}")
    if spec.cuts is not None and len(spec.cuts) != n:
        log.add(f"{key}.cuts", list(spec.cuts), f"{n} cuts (one per stage), each in (0, 1)")
    if len(log.problems) > before or spec.feed_stage is None:
        return None
    try:
        return FixedCascade(machine, spec.machines_per_stage, spec.feed_stage, spec.cuts,
                            name=spec.name)
    except InputError as err:
        log.add(key, err.value, err.allowed)
        return None


def _design_targets(spec: CascadeSpec, d: DesignSpec, key: str, log: _Log) -> bool:
    before = len(log.problems)
    feed_pct, basis = d.feed.u235_percent, d.feed.basis
    if not d.tails_assay_pct < feed_pct:
        log.add(f"{key}.tails_assay_pct", d.tails_assay_pct,
                f"a tails assay below the feed's {feed_pct:g} % U-235 ({basis} basis)")
    if not d.product_assay_pct > feed_pct:
        log.add(f"{key}.product_assay_pct", d.product_assay_pct,
                f"a product assay above the feed's {feed_pct:g} % U-235 ({basis} basis)")
    if (d.total_machines is None) == (d.feed_rate is None):
        value = MISSING if d.total_machines is None else d.total_machines
        log.add(f"{key}.total_machines", value, "exactly one of total_machines and feed_rate")
    for name in ("feed_stage", "cuts"):
        if getattr(spec, name) is not None:
            log.add(f"{key.rsplit('.', 1)[0]}.{name}", getattr(spec, name),
                    f"no {name} in a cascade with a design table (the design sets it)")
    return len(log.problems) == before


def _design_stages(machine: Machine, d: DesignSpec) -> float:
    """About how many stages an ideal design of ``d`` needs: ln(Rp/Rw) / ln(sqrt(gamma)),
    Rp and Rw the product and tails U-235 abundance ratios (0 when it cannot tell: the design
    then reports why)."""
    import numpy as np

    try:
        gamma = float(machine.gamma_235(np.array([machine.design_feed_kg_per_yr]),
                                        np.array([machine.design_cut]))[0])
        xp = d.feed.assay(d.product_assay_pct).mass_fraction
        xw = d.feed.assay(d.tails_assay_pct).mass_fraction
        stages = 2.0 * math.log(xp / (1.0 - xp) * (1.0 - xw) / xw) / math.log(gamma) - 1.0
    except (ArithmeticError, ValueError):
        return 0.0
    return stages if math.isfinite(stages) else 0.0


def _designed(spec: CascadeSpec, key: str, machine: Machine, unit: str | None,
              log: _Log) -> FixedCascade | None:
    d, key = spec.design, f"{key}.design"
    if d is None:                       # a designed cascade (the caller checked which kind)
        return None
    feed = _composition(d.feed, f"{key}.feed", log)
    if not _design_targets(spec, d, key, log) or feed is None:
        return None
    if d.feed_rate is not None and unit is None:
        return None
    rate = None if d.feed_rate is None or unit is None else rate_to_kg_u_per_yr(d.feed_rate,
                                                                               unit, feed)
    estimate = _design_stages(machine, d)
    if estimate > MAX_STAGES_PER_CASCADE:
        log.add(key, spec.name, f"a design of at most {MAX_STAGES_PER_CASCADE} stages (these "
                                f"targets need about {estimate:.3g} with {machine.name})")
        return None
    try:
        cascade = design_cascade(machine, feed, d.feed.assay(d.product_assay_pct),
                                 d.feed.assay(d.tails_assay_pct), feed_kg_per_yr=rate,
                                 total_machines=d.total_machines, name=spec.name)
    except InputError as err:
        name = "total_machines" if err.param == "total_machines" else None
        log.add(f"{key}.{name}" if name else key, err.value, err.allowed)
    except ConvergenceError as err:
        log.add(key, spec.name, f"targets the design can meet ({err})")
    else:
        if cascade.n_stages > MAX_STAGES_PER_CASCADE:
            log.add(key, spec.name, f"a design of at most {MAX_STAGES_PER_CASCADE} stages (these "
                                    f"targets need {cascade.n_stages} with {machine.name})")
        elif cascade.n_machines > MAX_MACHINES:
            log.add(f"{key}.feed_rate", d.feed_rate, f"a design of at most {MAX_MACHINES} "
                                                     f"machines (this one needs "
                                                     f"{float(cascade.n_machines):.3g})")
        else:
            return cascade
    return None


def _cascade(spec: CascadeSpec, key: str, machine: Machine, unit: str | None,
             log: _Log) -> FixedCascade | None:
    if spec.machines_per_stage is not None and spec.design is not None:
        log.add(f"{key}.machines_per_stage", list(spec.machines_per_stage),
                "no machines_per_stage in a cascade with a [cascades.design] table "
                "(give one or the other)")
        return None
    if spec.design is not None:
        return _designed(spec, key, machine, unit, log)
    if spec.machines_per_stage is None:
        log.add(f"{key}.machines_per_stage", MISSING,
                "machines_per_stage (with feed_stage), or a [cascades.design] table")
        return None
    return _layout(spec, key, machine, log)


def _duplicates(names: Sequence[str | None], log: _Log) -> set[int]:
    first: dict[str, int] = {}
    dup = set()
    for i, name in enumerate(names):
        if name is not None and name in first:
            log.add(f"cascades[{i}].name", name,
                    f"a name not used by another cascade (cascades[{first[name]}] has it)")
            dup.add(i)
        if name is not None:
            first.setdefault(name, i)
    return dup


def _cascades(parts: Parts, catalog: MachineCatalog, log: _Log) -> dict[str, FixedCascade]:
    local, failed = _inline_machines(parts, log)
    duplicate = _duplicates(parts.cascade_names, log)
    built = {}
    for i, spec in enumerate(parts.cascades):
        if spec is None or i in duplicate:
            continue
        key = f"cascades[{i}]"
        machine = _resolve(spec.machine, f"{key}.machine", local, failed, catalog, log)
        cascade = None if machine is None else _cascade(spec, key, machine, parts.rate_unit, log)
        if cascade is not None:
            built[spec.name] = cascade
    return built


# -- streams, feeds, withdrawals ------------------------------------------------------------------
def _origin(origin: str, key: str, names: Sequence[str], log: _Log) -> tuple[str, str] | None:
    cascade, _, output = origin.rpartition(".")
    if cascade in names and output in OUTPUTS:
        return cascade, output
    if cascade in names:
        log.add(key, origin, f"{cascade + '.product'!r} or {cascade + '.tails'!r}")
    else:
        log.add(key, origin, "'<cascade>.product' or '<cascade>.tails' with <cascade> one of "
                             + ", ".join(names))
    return None


def _target(target: str, stage: int | None, key: str, names: Sequence[str],
            built: Mapping[str, FixedCascade], log: _Log) -> bool:
    if target not in names:
        log.add(f"{key}.to", target, "the name of a cascade: one of " + ", ".join(names))
        return False
    n = built[target].n_stages if target in built else None
    if stage is not None and n is not None and not 0 <= stage < n:
        log.add(f"{key}.stage", stage, f"a stage of {target!r} from 0 (tails end) to {n - 1}")
        return False
    return True


def _check_shares(parts: Parts, names: Sequence[str], log: _Log) -> None:
    routed: dict[tuple[str, str], list[int]] = {}
    for k, s in enumerate(parts.streams):
        if s is not None and s.cascade in names and s.output in OUTPUTS:
            routed.setdefault((s.cascade, s.output), []).append(k)
    for (cascade, output), ks in routed.items():
        shares = [s.fraction for k in ks if (s := parts.streams[k]) is not None]
        total = float(sum(shares))
        if total > 1.0 + EMPTY_SHARE:
            which = ", ".join(f"streams[{k}]" for k in ks)
            log.add(f"streams[{ks[-1]}].fraction", shares[-1],
                    f"shares of {cascade}.{output} summing to at most 1 ({which} take {total:g})")


def _streams(parts: Parts, names: Sequence[str], built: Mapping[str, FixedCascade],
             log: _Log) -> list[Link]:
    links = []
    for k, s in enumerate(parts.streams):
        if s is None:
            continue
        origin = _origin(s.origin, f"streams[{k}].from", names, log)
        target = _target(s.target, s.stage, f"streams[{k}]", names, built, log)
        if not 0.0 < s.fraction <= 1.0:
            log.add(f"streams[{k}].fraction", s.fraction, "a share of the output in (0, 1]")
        elif origin and target:
            links.append(Link(origin[0], origin[1], s.target, s.stage, s.fraction))
    _check_shares(parts, names, log)
    return links


def _feeds(parts: Parts, names: Sequence[str], built: Mapping[str, FixedCascade],
           log: _Log) -> list[ExternalFeed]:
    feeds: list[ExternalFeed] = []
    seen: dict[str, int] = {}
    for k, f in enumerate(parts.feeds):
        if f is None:
            continue
        key = f"feeds[{k}]"
        if f.name in seen:
            log.add(f"{key}.name", f.name,
                    f"a name not used by another feed (feeds[{seen[f.name]}])")
        seen.setdefault(f.name, k)
        target = _target(f.target, f.stage, key, names, built, log)
        composition = _composition(f.isotopics, f"{key}.composition", log)
        if not (math.isfinite(f.rate) and f.rate > 0.0):
            log.add(f"{key}.rate", f.rate, "a feed rate > 0 in the [units] rate unit")
        elif target and composition is not None and parts.rate_unit is not None:
            rate = rate_to_kg_u_per_yr(f.rate, parts.rate_unit, composition)
            feeds.append(ExternalFeed(f.name, f.target, composition, rate, f.stage))
    return feeds


def _withdrawn_output(w: WithdrawalSpec, key: str, names, left, seen, log) -> tuple | None:
    origin = _origin(w.origin, key, names, log)
    if origin is None:
        return None
    if origin in seen:
        log.add(key, w.origin, f"an output not already listed (withdrawals[{seen[origin]}])")
    elif left.get(origin, 1.0) <= EMPTY_SHARE:
        log.add(key, w.origin, f"an output with a share left to withdraw (the streams take all "
                               f"of {w.origin})")
    return origin


def _imposed_rate(w: WithdrawalSpec, j: int, origin, parts: Parts, imposed, log) -> None:
    key = f"withdrawals[{j}].rate"
    if w.rate is None:
        return
    total = sum(f.rate for f in parts.feeds if f is not None)
    unit = parts.rate_unit or "the [units] rate unit"
    if not (math.isfinite(w.rate) and 0.0 < w.rate < total):
        log.add(key, w.rate, f"an imposed rate > 0 and below the total external feed "
                             f"{total:g} {unit}")
    if origin is not None and origin[0] in imposed:
        log.add(key, w.rate, f"at most one imposed rate per cascade "
                             f"(withdrawals[{imposed[origin[0]]}] sets one for {origin[0]!r})")
    elif origin is not None:
        imposed[origin[0]] = j


def _withdrawals(parts: Parts, names: Sequence[str], log: _Log) -> None:
    left = remaining_shares(parts.streams)
    seen: dict[tuple[str, str], int] = {}
    labels: dict[str, int] = {}
    imposed: dict[str, int] = {}
    for j, w in enumerate(parts.withdrawals):
        if w is None:
            continue
        key = f"withdrawals[{j}]"
        origin = _withdrawn_output(w, f"{key}.from", names, left, seen, log)
        if origin is not None:
            seen.setdefault(origin, j)
        label = w.name or w.origin
        if label in labels:
            log.add(f"{key}.name", label, f"a name not used by another withdrawal "
                                          f"(withdrawals[{labels[label]}])")
        labels.setdefault(label, j)
        if w.rate is not None:
            _imposed_rate(w, j, origin, parts, imposed, log)
    _default_name_clashes(parts, names, left, seen, log)


def _default_name_clashes(parts: Parts, names, left, listed, log: _Log) -> None:
    defaults = {f"{c}.{o}" for c in names for o in OUTPUTS
                if (c, o) not in listed and left.get((c, o), 1.0) > EMPTY_SHARE}
    for j, w in enumerate(parts.withdrawals):
        if w is not None and w.name in defaults:
            log.add(f"withdrawals[{j}].name", w.name,
                    f"a name other than {w.name!r}, the default name of another withdrawal")


# -- the network ----------------------------------------------------------------------------------
def _network(built: Mapping[str, FixedCascade], links, feeds, log: _Log) -> Network | None:
    try:
        return Network(list(built.values()), links, feeds)
    except InputError as err:
        key = "streams" if err.param == "links" else err.param
        log.add(key, err.value, err.allowed)
        return None


def assemble(parts: Parts, catalog: MachineCatalog | None = None
             ) -> tuple[Network | None, list[Problem]]:
    """Check the parts against each other and build the network they describe.

    Parameters
    ----------
    parts : Parts
        The description (entries that failed the format checks are ``None``).
    catalog : MachineCatalog, optional
        Machine catalog for the names not defined inline; default the bundled one.

    Returns
    -------
    network : Network or None
        The network, or None when there are problems or ``parts`` is not complete.
    problems : list of Problem
        Every problem found.
    """
    catalog = load_catalog() if catalog is None else catalog
    log = _Log(parts.file)
    names = [n for n in dict.fromkeys(parts.cascade_names) if n is not None]
    built = _cascades(parts, catalog, log)
    log.problems += size_problems(sum(c.n_stages for c in built.values()),
                                  sum(c.n_machines for c in built.values()), parts.file)
    if not names:                      # no cascade to refer to: the format checks said why
        return None, log.problems
    links = _streams(parts, names, built, log)
    feeds = _feeds(parts, names, built, log)
    _withdrawals(parts, names, log)
    if log.problems or not parts.complete:
        return None, log.problems
    return _network(built, links, feeds, log), log.problems
