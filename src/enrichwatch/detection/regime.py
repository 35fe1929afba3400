"""A verification regime as data: measures, per facility and period, each with its source.

A :class:`Regime` holds :class:`Measure` entries (a kind of activity at some facilities, e.g.
"unannounced inspections at Fordow"), each with :class:`MeasurePeriod` entries (from, to, in
place or not, how often, how likely a look sees what it can see, how long until the result is
known, sources, and ``verified = False`` with a note where a figure is an assumption). Periods
of one measure never overlap (the file reader checks this). Read a regime from TOML with
:func:`~.regime_io.load_regime`; the bundled one is Iran's enrichment plants, 2016-2025.

Material accountancy enters as a measure of kind ``'material_accountancy'``: a periodic
process whose period is the balance period and whose probability is the detection probability
per balance. Until the accountancy statistics feed it, that probability is an input with its
source; :meth:`Regime.with_accountancy` is the hook that replaces it by a computed result (any
object with a ``detection_probability`` attribute, or a number).

Examples
--------
>>> from datetime import date
>>> from enrichwatch.detection.processes import Delay
>>> p = MeasurePeriod(date(2023, 1, 1), None, True, "poisson", 365.25 / 12, 1.0,
...                   Delay.fixed(0.0), ("X",), False, "12 a year: an assumption")
>>> m = Measure("unannounced inspections", "unannounced_inspection", ("Plant",), (p,))
>>> r = Regime("demo", ("Plant",), (m,), {"X": "https://example.org"})
>>> [a.describe() for a in r.activities("Plant", date(2023, 6, 1))]
['unannounced inspections (Plant): unannounced, 12 a year (Poisson), probability 1 per look, \
delay 0 days']
>>> r.activities("Plant", date(2022, 6, 1))
()
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, runtime_checkable

from ..constants import DAYS_PER_YEAR
from ..errors import InputError, UnknownNameError
from .processes import Activity, Delay

__all__ = ["ACTIVITY_KINDS", "AccountancyResult", "Era", "Measure", "MeasurePeriod", "Regime",
           "Reveal"]

#: Kinds of verification activity (the words a misuse scenario uses for what reveals it).
ACTIVITY_KINDS: Mapping[str, str] = {
    "inspection": "routine inspection, announced or at short notice (incl. interim inventory "
                  "verification)",
    "unannounced_inspection": "unannounced inspection or access at short notice (incl. "
                              "limited-frequency unannounced access to cascade halls and the "
                              "JCPOA's daily access on request)",
    "complementary_access": "complementary access under the Additional Protocol",
    "design_information_verification": "design information verification (DIV)",
    "enrichment_monitor": "online enrichment monitor",
    "surveillance": "surveillance cameras",
    "seals": "seals (electronic seals reporting their status, or passive seals checked at "
             "inspections)",
    "environmental_sampling": "environmental sampling and laboratory analysis",
    "material_accountancy": "material balance closed and evaluated (balance period, detection "
                            "probability per balance)",
}


@runtime_checkable
class AccountancyResult(Protocol):
    """What :meth:`Regime.with_accountancy` needs from the accountancy statistics: the
    probability that one balance period detects the misuse [-]."""

    detection_probability: float


@dataclass(frozen=True)
class MeasurePeriod:
    """A measure from ``start`` (inclusive) to ``end`` (exclusive; None: open).

    ``process`` and its ``interval_days`` as in :class:`~.processes.Activity` (None when not
    in place); ``probability`` that one look sees a misuse it can see; ``delay`` until the
    finding is known; ``sources`` (keys of the regime's sources); ``verified`` False where a
    figure is an assumption (``note`` says which).
    """

    start: date
    end: date | None
    in_place: bool
    process: str | None
    interval_days: float
    probability: float
    delay: Delay
    sources: tuple[str, ...]
    verified: bool
    note: str = ""
    probability_source: str = ""
    at: str | None = None

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)

    def frequency(self) -> str:
        if not self.in_place:
            return "not in place"
        if self.at is not None:
            return f"at the {self.at.replace('_', ' ')} visits"
        if self.process is None:
            return "not in place"
        if self.process == "continuous":
            return ("continuous, read in real time" if self.interval_days == 0
                    else f"continuous, reviewed every {self.interval_days:g} days")
        if self.process == "periodic":
            return f"every {self.interval_days:g} days"
        per = 0.0 if math.isinf(self.interval_days) else DAYS_PER_YEAR / self.interval_days
        return f"{per:.3g} a year ({'Poisson' if self.process == 'poisson' else 'random dates'})"

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(),
                "to": None if self.end is None else self.end.isoformat(),
                "in_place": self.in_place, "process": self.process,
                "frequency": self.frequency(),
                "interval_days": None if math.isinf(self.interval_days) else self.interval_days,
                "probability": self.probability,
                "probability_source": self.probability_source or None,
                "delay_days": [self.delay.low, self.delay.high], "sources": list(self.sources),
                "verified": self.verified, "note": self.note or None, "at": self.at}


@dataclass(frozen=True)
class Measure:
    """One kind of activity at some facilities, over its periods (in date order)."""

    name: str
    kind: str
    facilities: tuple[str, ...]
    periods: tuple[MeasurePeriod, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ACTIVITY_KINDS:
            raise UnknownNameError("kind", self.kind, "one of " + ", ".join(ACTIVITY_KINDS))

    def period_on(self, on: date) -> MeasurePeriod | None:
        return next((p for p in self.periods if p.covers(on)), None)

    def activity(self, facility: str, period: MeasurePeriod) -> Activity:
        """The period as an :class:`~.processes.Activity` at ``facility`` (in place only)."""
        if not period.in_place or period.process is None:
            raise InputError("in_place", False, "a period in place")
        return Activity(self.name, period.process, period.interval_days, period.probability,
                        period.delay, 0.0, self.kind, facility,
                        tuple(period.sources))


#: reveal(kind) -> (probability factor, visible after [days], source), or None.
Reveal = Callable[[str], "tuple[float, float, str] | None"]


def _every(kind: str) -> tuple[float, float, str]:
    return (1.0, 0.0, "")


def _join(out: list[Activity], slot: dict[str, int], host, facility: str, m: Measure,
          p: MeasurePeriod, prob: float, after: float, src: tuple[str, ...]) -> None:
    """Add measure ``m`` looked at during the visits of ``host`` = (measure, period)."""
    hm, hp = host
    i = slot.get(hm.name)
    if i is not None and out[i].offset_days == after and out[i].delay == p.delay:
        a = out[i]
        out[i] = replace(a, name=f"{a.name} + {m.name}",
                         probability=1.0 - (1.0 - a.probability) * (1.0 - prob),
                         sources=a.sources + src)
        return
    base = hm.activity(facility, hp)
    extra: tuple[str, ...] = ()
    if i is not None:                     # another delay or visibility: an approximation
        extra = ("taken as independent of the visits it shares (another delay or visibility "
                 "than the visit's own look): an approximation",)
    act = replace(base, name=f"{m.name} (at the {hm.name} visits)", kind=m.kind,
                  probability=prob, delay=p.delay, offset_days=after, sources=src + extra)
    if i is None:
        slot[hm.name] = len(out)
    out.append(act)


@dataclass(frozen=True)
class Era:
    """A named phase of the regime (for plots and tables): from ``start`` on."""

    start: date
    label: str
    sources: tuple[str, ...] = ()
    short: str = ""


@dataclass(frozen=True)
class Regime:
    """A verification regime: facilities, measures by period, sources, eras."""

    name: str
    facilities: tuple[str, ...]
    measures: tuple[Measure, ...]
    sources: Mapping[str, str] = field(default_factory=dict)
    eras: tuple[Era, ...] = ()
    description: str = ""
    origin: str = ""
    until: date | None = None

    @property
    def first_date(self) -> date | None:
        """The first day any measure's record begins (None: no measures)."""
        return min((p.start for m in self.measures for p in m.periods), default=None)

    def covers(self, on: date) -> bool:
        """Whether the regime says what was in force on ``on``: from its first period on,
        before ``until`` (exclusive) when the regime states one. Before that, a date would
        meet no measure at all: not 'no verification' but 'not recorded'."""
        first = self.first_date
        return first is not None and first <= on and (self.until is None or on < self.until)

    def coverage(self) -> str:
        first = self.first_date
        if first is None:
            return "no date (the regime has no measures)"
        last = "on" if self.until is None else \
            f"to {date.fromordinal(self.until.toordinal() - 1).isoformat()}"
        return f"a date the regime covers: {first.isoformat()} {last}"

    def check_date(self, on: date, param: str = "date") -> None:
        if not self.covers(on):
            raise InputError(param, on.isoformat(), self.coverage())

    def check_facility(self, facility: str, param: str = "facility") -> None:
        if facility not in self.facilities:
            raise UnknownNameError(param, facility, "one of the regime's facilities: "
                                   + ", ".join(self.facilities))

    def in_force(self, facility: str, on: date) -> tuple[tuple[Measure, MeasurePeriod], ...]:
        """(measure, period) of every measure at ``facility`` with a period covering ``on``
        (in place or not)."""
        self.check_facility(facility)
        out = []
        for m in self.measures:
            p = m.period_on(on) if facility in m.facilities else None
            if p is not None:
                out.append((m, p))
        return tuple(out)

    def activities(self, facility: str, on: date, reveal: Reveal | None = None
                   ) -> tuple[Activity, ...]:
        """The measures in place at ``facility`` on ``on``, as activities.

        ``reveal(kind)`` gives, for a kind of activity, (probability factor, visible after
        [days], source) for the misuse at hand, or None when that kind cannot reveal it
        (default: every kind, factor 1, from day 0). A measure looked at during another
        measure's visits (``at``: seals and recordings checked at inspections) joins the looks
        of every measure of that kind in place (each visit checks them): one look sees the
        misuse unless every measure of the visit misses it; with no such measure in place it
        is never looked at. So adding a measure never removes a look, and never lengthens the
        time to detection.
        """
        reveal = reveal or _every
        placed = [(m, p) for m, p in self.in_force(facility, on) if p.in_place]
        hosts: dict[str, list[tuple[Measure, MeasurePeriod]]] = {}
        for m, p in placed:
            if p.at is None:
                hosts.setdefault(m.kind, []).append((m, p))
        out: list[Activity] = []
        slot: dict[str, int] = {}
        for m, p in sorted(placed, key=lambda mp: mp[1].at is not None):
            r = reveal(m.kind)
            if r is None or r[0] * p.probability == 0:
                continue
            src = p.sources + ((r[2],) if r[2] else ())
            if p.at is None:
                slot[m.name] = len(out)
                out.append(replace(m.activity(facility, p), probability=p.probability * r[0],
                                   offset_days=r[1], sources=src))
            else:
                for host in hosts.get(p.at, ()):
                    _join(out, slot, host, facility, m, p, p.probability * r[0], r[1], src)
        return tuple(out)

    def era(self, on: date) -> str:
        label = ""
        for e in sorted(self.eras, key=lambda e: e.start):
            if e.start <= on:
                label = e.label
        return label

    def with_accountancy(self, result: AccountancyResult | float, *, source: str = "",
                         facilities=None, on: date | None = None) -> Regime:
        """The regime with the detection probability per balance period of its material
        accountancy measures replaced by ``result`` (a number or an accountancy result with a
        ``detection_probability``), at ``facilities`` (default all) and, with ``on``, only in
        the period covering that date.

        >>> from enrichwatch.detection.regime_io import load_regime
        >>> r = load_regime().with_accountancy(0.5, source="test")
        >>> {p.probability for m in r.measures if m.kind == "material_accountancy"
        ...  for p in m.periods if p.in_place}
        {0.5}

        With the accountancy statistics: the single-balance test for one SQ lost (27.8 kg U
        at 90 %) with sigma-MUF 10 kg U and 5 % false alarms (figures for illustration):

        >>> from enrichwatch.accountancy import dp_one_sided
        >>> pd = dp_one_sided(27.8, 10.0, 0.05)
        >>> r = load_regime().with_accountancy(pd, source="MUF test, sigma-MUF 10 kg U")
        >>> round(pd, 3)
        0.872
        """
        p = getattr(result, "detection_probability", result)
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise InputError("detection_probability", p, "a probability in [0, 1]")
        label = source or getattr(result, "source", "") or type(result).__name__
        chosen = set(self.facilities if facilities is None else facilities)
        for f in chosen:
            self.check_facility(f, "facilities")
        measures = []
        for m in self.measures:
            if m.kind != "material_accountancy" or not chosen & set(m.facilities):
                measures.append(m)
                continue
            periods = tuple(replace(x, probability=float(p), probability_source=label)
                            if on is None or x.covers(on) else x for x in m.periods)
            inside = tuple(f for f in m.facilities if f in chosen)
            rest = tuple(f for f in m.facilities if f not in chosen)
            measures.append(replace(m, facilities=inside, periods=periods))
            if rest:                     # the measure stays as it was at the other facilities
                measures.append(replace(m, facilities=rest))
        return replace(self, measures=tuple(measures))

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description or None,
                "origin": self.origin or None, "facilities": list(self.facilities),
                "until": None if self.until is None else self.until.isoformat(),
                "eras": [{"from": e.start.isoformat(), "label": e.label,
                          "short": e.short or None, "sources": list(e.sources)}
                         for e in self.eras],
                "measures": [{"name": m.name, "kind": m.kind, "facilities": list(m.facilities),
                              "description": m.description or None,
                              "periods": [p.as_dict() for p in m.periods]}
                             for m in self.measures],
                "sources": dict(self.sources)}

    def __repr__(self) -> str:
        return (f"Regime({self.name!r}: {len(self.measures)} measures at "
                f"{', '.join(self.facilities)})")
