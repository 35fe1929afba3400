"""Regime files (TOML): read, check every problem at once, turn into a :class:`~.regime.Regime`.

The layout (the bundled ``data/regimes/iran-2016-2025.toml`` is the full example)::

    [regime]
    name = "..."
    facilities = ["Natanz FEP", "Natanz PFEP", "Fordow FFEP"]
    until = "2026-01-01"            # optional: the first day no longer recorded (the regime
                                    # covers from its first period's start to this day)

    [sources]                       # key = address; every period names its keys
    GI23 = "https://..."

    [[era]]                         # optional: named phases, for plots and tables
    from = "2016-01-16"
    label = "JCPOA"
    source = ["G16"]

    [[measure]]
    name = "unannounced inspections (Fordow)"
    kind = "unannounced_inspection"          # one of ACTIVITY_KINDS
    facilities = ["Fordow FFEP"]

    [[measure.period]]
    from = "2022-11-22"                      # inclusive
    to = "2023-03-04"                        # exclusive; absent: open
    in_place = true
    process = "poisson"                      # periodic | poisson | continuous | random
    per_year = 84                            # poisson, random; periodic: period_days;
                                             # continuous: review_days (0: real time)
                                             # (or at = "inspection": looked at during the
                                             # visits of that kind, no process of its own)
    probability = 1.0                        # that one look sees what it can see
    delay_days = 0                           # or [low, high]: uniform
    source = ["IP23", "GI23"]
    verified = false                         # false: some figure is an assumption ...
    note = "..."                             # ... and the note says which

    # material accountancy: the detection probability per balance may come from the
    # accountancy statistics instead of 'probability' (enrichwatch.accountancy.dp_one_sided:
    # the single-balance MUF test, one-sided, for a loss of loss_kg in one balance)
    [measure.period.accountancy]
    sigma_muf_kg = 10.0                      # sigma-MUF of one balance [kg U], > 0
    loss_kg = 27.8                           # default: one SQ of HEU, 25 kg U-235 at 90 %
    false_alarm = 0.05                       # false-alarm probability per balance, (0, 1)

Problems reported (all at once, each with file, key, value and what is allowed): unknown or
misspelt keys, a negative frequency or delay, a probability outside [0, 1], an ``accountancy``
table outside a material-accountancy measure or beside a ``probability``, a date that is not
YYYY-MM-DD, a period ending before it starts, a process without its parameter, a source key
not in ``[sources]``, a facility not in ``regime.facilities``, and periods of the same measure
(same name, same facility) that overlap.

Examples
--------
>>> r = load_regime()
>>> r.name
"IAEA verification at Iran's enrichment plants, 2016-2025"
>>> bad = '''
... [regime]
... name = "x"
... facilities = ["A"]
... [sources]
... S = "https://example.org"
... [[measure]]
... name = "UI"
... kind = "unannounced_inspection"
... facilities = ["A"]
... [[measure.period]]
... from = "2020-01-01"
... in_place = true
... process = "poisson"
... per_year = -2
... source = ["S"]
... verified = true
... '''
>>> try:
...     regime_from_text(bad, "bad.toml")
... except RegimeFileError as err:
...     print(err)
bad.toml: measure[0].period[0].per_year = -2: expected visits a year >= 0 (poisson, random)
"""

from __future__ import annotations

import functools
import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..constants import DAYS_PER_YEAR, SQ_HEU_U235_KG
from ..dates import parse_date
from ..errors import InputError
from ..files import (
    MISSING,
    Problem,
    ProblemsError,
    parse_toml,
    pydantic_problem,
    read_package_text,
    read_toml_file,
)
from .processes import PROCESSES, Delay
from .regime import ACTIVITY_KINDS, Era, Measure, MeasurePeriod, Regime

__all__ = ["BUNDLED_REGIME", "RegimeFileError", "load_regime", "regime_from_text"]

#: The bundled regime file (under ``enrichwatch/data/``).
BUNDLED_REGIME = ("regimes", "iran-2016-2025.toml")

_CONFIG = ConfigDict(extra="forbid", strict=False)
_PARAM = {"periodic": "period_days", "poisson": "per_year", "random": "per_year",
          "continuous": "review_days"}


class RegimeFileError(ProblemsError):
    """A regime file has problems; all are listed (file, key, value, allowed)."""


def _f(description: str, default: Any = ..., **kw):
    return Field(default, description=description, **kw)


#: One SQ of HEU as uranium at 90 % [kg U] (25 kg U-235, IAEA Safeguards Glossary).
ONE_SQ_HEU_KG_U = SQ_HEU_U235_KG / 0.9


class _Accountancy(BaseModel):
    model_config = _CONFIG
    sigma_muf_kg: float = _f("sigma-MUF of one balance [kg U] > 0", gt=0, allow_inf_nan=False)
    loss_kg: float = _f("the loss in one balance to detect [kg U] > 0 (default one SQ of HEU, "
                        f"{ONE_SQ_HEU_KG_U:.4g} kg U at 90 %)", ONE_SQ_HEU_KG_U, gt=0,
                        allow_inf_nan=False)
    false_alarm: float = _f("a false-alarm probability per balance strictly between 0 and 1",
                            0.05, gt=0, lt=1, allow_inf_nan=False)


class _Period(BaseModel):
    model_config = _CONFIG
    from_: Any = _f("a calendar date YYYY-MM-DD", alias="from")
    to: Any = _f("a calendar date YYYY-MM-DD after 'from' (the first day no longer in "
                 "force), or no 'to' for a period still open", None)
    in_place: bool = _f("true or false")
    process: Literal[PROCESSES] | None = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(PROCESSES), None)
    at: str | None = _f("an activity kind whose visits this measure is looked at in (e.g. "
                        "'inspection'), instead of a process of its own", None)
    period_days: float | None = _f("a period of days > 0 (periodic)", None, gt=0,
                                   allow_inf_nan=False)
    per_year: float | None = _f("visits a year >= 0 (poisson, random)", None, ge=0,
                                allow_inf_nan=False)
    review_days: float | None = _f("days >= 0 between reviews of the data (continuous; 0: "
                                   "real time)", None, ge=0, allow_inf_nan=False)
    probability: float = _f("a probability in [0, 1] that one look sees the misuse", 1.0,
                            ge=0, le=1, allow_inf_nan=False)
    delay_days: float | list[float] = _f("days >= 0, or [low, high] with 0 <= low <= high",
                                         0.0)
    accountancy: _Accountancy | None = _f(
        "a table (sigma_muf_kg, loss_kg, false_alarm) giving the detection probability per "
        "balance from the accountancy statistics, instead of 'probability'", None)
    source: list[str] = _f("a list of one or more keys of [sources]", min_length=1)
    verified: bool = _f("true when every figure of the period is in its sources, false with "
                        "a note otherwise")
    note: str = _f("a string", "")


class _Measure(BaseModel):
    model_config = _CONFIG
    name: str = _f("a name", min_length=1)
    kind: str = _f("one of " + ", ".join(ACTIVITY_KINDS))
    facilities: list[str] = _f("a list of facilities of the regime", min_length=1)
    description: str = _f("a string", "")
    period: list[_Period] = _f("one or more [[measure.period]] tables", min_length=1)


class _Era(BaseModel):
    model_config = _CONFIG
    from_: Any = _f("a calendar date YYYY-MM-DD", alias="from")
    label: str = _f("a label", min_length=1)
    short: str = _f("a short label for plots", "")
    source: list[str] = _f("a list of keys of [sources]", [])


class _Head(BaseModel):
    model_config = _CONFIG
    name: str = _f("a name", min_length=1)
    description: str = _f("a string", "")
    facilities: list[str] = _f("a list of one or more facility names", min_length=1)
    until: Any = _f("a calendar date YYYY-MM-DD: the first day the regime no longer "
                    "records (absent: open)", None)


class _Document(BaseModel):
    model_config = _CONFIG
    regime: _Head = _f("a [regime] table")
    sources: dict[str, str] = _f("a [sources] table: key = address", {})
    era: list[_Era] = _f("[[era]] tables", [])
    measure: list[_Measure] = _f("[[measure]] tables", [])


class _Checker:
    """The checks beyond the schema, collecting problems."""

    def __init__(self, doc: _Document, where: str) -> None:
        self.doc, self.where = doc, where
        self.problems: list[Problem] = []

    def add(self, key: str, value, allowed: str) -> None:
        self.problems.append(Problem(self.where, key, value, allowed))

    def date(self, value, key: str) -> date | None:
        if value is None:
            return None
        try:
            return parse_date(value, key)
        except InputError as err:
            self.add(key, value, err.allowed)
            return None

    def sources(self, keys, key: str) -> None:
        for i, k in enumerate(keys):
            if k not in self.doc.sources:
                self.add(f"{key}[{i}]", k, "a key of [sources]: "
                         + (", ".join(self.doc.sources) or "(none defined)"))

    def delay(self, value, key: str) -> Delay:
        if isinstance(value, list):
            if len(value) != 2 or not all(math.isfinite(v) and v >= 0 for v in value) \
                    or value[0] > value[1]:
                self.add(key, value, "days >= 0, or [low, high] with 0 <= low <= high")
                return Delay(0.0, 0.0)
            return Delay(float(value[0]), float(value[1]))
        if not (math.isfinite(value) and value >= 0):
            self.add(key, value, "days >= 0, or [low, high] with 0 <= low <= high")
            return Delay(0.0, 0.0)
        return Delay.fixed(float(value))


def _interval(p: _Period, key: str, chk: _Checker) -> float:
    """interval_days of an in-place period (problems added for a missing parameter)."""
    if p.at is not None:
        if p.at not in ACTIVITY_KINDS:
            chk.add(f"{key}.at", p.at, "an activity kind: " + ", ".join(ACTIVITY_KINDS))
        for name in ("process", *set(_PARAM.values())):
            if getattr(p, name) is not None:
                chk.add(f"{key}.{name}", getattr(p, name),
                        f"no {name} with 'at' (the looks are those of the {p.at} visits)")
        return math.inf
    if p.process is None:
        chk.add(f"{key}.process", MISSING, "one of " + ", ".join(PROCESSES) + " (the period "
                "is in place)")
        return math.inf
    name = _PARAM[p.process]
    for other in set(_PARAM.values()) - {name}:
        if getattr(p, other) is not None:
            chk.add(f"{key}.{other}", getattr(p, other),
                    f"no {other} for a {p.process} process (it takes {name})")
    value = getattr(p, name)
    if value is None:
        chk.add(f"{key}.{name}", MISSING, f"the {name} of a {p.process} process")
        return math.inf
    if p.process in ("poisson", "random"):
        if p.process == "random" and value != int(value):
            chk.add(f"{key}.per_year", value, "a whole number of visits a year (random)")
        return math.inf if value == 0 else DAYS_PER_YEAR / value
    return float(value)


def _accountancy(p: _Period, kind: str, key: str, chk: _Checker) -> tuple[float, str]:
    """(probability per look, where it comes from) of a period: as written, or computed by
    the accountancy statistics from its ``accountancy`` table."""
    a = p.accountancy
    if a is None:
        return p.probability, ""
    if kind != "material_accountancy":
        chk.add(f"{key}.accountancy", a.model_dump(),
                "an accountancy table only in a measure of kind 'material_accountancy'")
    if "probability" in p.model_fields_set:
        chk.add(f"{key}.probability", p.probability,
                "no probability beside an accountancy table (it computes the probability)")
    from ..accountancy import dp_one_sided

    pd = float(dp_one_sided(a.loss_kg, a.sigma_muf_kg, a.false_alarm))
    return pd, (f"enrichwatch.accountancy: single-balance MUF test (one-sided), loss "
                f"{a.loss_kg:.4g} kg U in one balance, sigma-MUF {a.sigma_muf_kg:.4g} kg U, "
                f"false-alarm probability {a.false_alarm:g} per balance: detection "
                f"probability {pd:.3f}")


def _period(p: _Period, kind: str, key: str, chk: _Checker) -> MeasurePeriod | None:
    start = chk.date(p.from_, f"{key}.from")
    end = chk.date(p.to, f"{key}.to")
    if start is not None and end is not None and end <= start:
        chk.add(f"{key}.to", p.to, f"a date after 'from' ({start.isoformat()})")
    chk.sources(p.source, f"{key}.source")
    delay = chk.delay(p.delay_days, f"{key}.delay_days")
    interval = _interval(p, key, chk) if p.in_place else math.inf
    probability, computed = _accountancy(p, kind, key, chk)
    if start is None:
        return None
    return MeasurePeriod(start, end, p.in_place, p.process if p.in_place else None,
                         interval, probability, delay, tuple(p.source), p.verified, p.note,
                         probability_source=computed, at=p.at if p.in_place else None)


def _measure(i: int, m: _Measure, chk: _Checker) -> Measure | None:
    key = f"measure[{i}]"
    ok = True
    if m.kind not in ACTIVITY_KINDS:
        chk.add(f"{key}.kind", m.kind, "one of " + ", ".join(ACTIVITY_KINDS))
        ok = False
    for j, f in enumerate(m.facilities):
        if f not in chk.doc.regime.facilities:
            chk.add(f"{key}.facilities[{j}]", f, "one of regime.facilities: "
                    + ", ".join(chk.doc.regime.facilities))
    periods = [_period(p, m.kind, f"{key}.period[{j}]", chk) for j, p in enumerate(m.period)]
    if not ok or any(p is None for p in periods):
        return None
    ordered = tuple(sorted((p for p in periods if p is not None), key=lambda p: p.start))
    return Measure(m.name, m.kind, tuple(m.facilities), ordered, m.description)


def _overlaps(doc: _Document, chk: _Checker) -> None:
    """Periods of the same measure (name) at the same facility must not overlap."""
    seen: dict[tuple[str, str], list[tuple[date, date | None, str]]] = {}
    for i, m in enumerate(doc.measure):
        for j, p in enumerate(m.period):
            try:
                start = parse_date(p.from_)
                end = None if p.to is None else parse_date(p.to)
            except InputError:
                continue                      # reported already
            key = f"measure[{i}].period[{j}]"
            for f in m.facilities:
                for s, e, other in seen.get((m.name, f), []):
                    if start < (e or date.max) and s < (end or date.max):
                        chk.add(f"{key}.from", p.from_,
                                f"a period of measure {m.name!r} at {f} not overlapping "
                                f"{other} ({s.isoformat()} to "
                                f"{e.isoformat() if e else 'open'})")
                seen.setdefault((m.name, f), []).append((start, end, key))


def regime_from_text(text: str, where: str = "<text>") -> Regime:
    """A regime from TOML text; raises :class:`RegimeFileError` listing every problem."""
    raw = parse_toml(text, where, RegimeFileError)
    return _from_raw(raw, where)


def _from_raw(raw: dict, where: str) -> Regime:
    try:
        doc = _Document.model_validate(raw)
    except ValidationError as err:
        raise RegimeFileError([Problem(where, *pydantic_problem(e, _Document))
                               for e in err.errors()]) from None
    chk = _Checker(doc, where)
    measures = [_measure(i, m, chk) for i, m in enumerate(doc.measure)]
    _overlaps(doc, chk)
    eras = []
    for i, e in enumerate(doc.era):
        chk.sources(e.source, f"era[{i}].source")
        start = chk.date(e.from_, f"era[{i}].from")
        if start is not None:
            eras.append(Era(start, e.label, tuple(e.source), e.short))
    until = chk.date(doc.regime.until, "regime.until")
    built = [m for m in measures if m is not None]
    first = min((p.start for m in built for p in m.periods), default=None)
    if until is not None and first is not None and until <= first:
        chk.add("regime.until", doc.regime.until, f"a date after the first period's start "
                                                  f"({first.isoformat()})")
    if chk.problems:
        raise RegimeFileError(chk.problems)
    return Regime(doc.regime.name, tuple(doc.regime.facilities), tuple(built),
                  dict(doc.sources), tuple(sorted(eras, key=lambda e: e.start)),
                  doc.regime.description, where, until)


def load_regime(path=None) -> Regime:
    """The regime of the file at ``path`` (TOML), or the bundled one (Iran, 2016-2025)."""
    if path is None:
        return _bundled()
    return _from_raw(read_toml_file(path, RegimeFileError), str(path))


@functools.lru_cache(maxsize=1)
def _bundled() -> Regime:
    where = "enrichwatch/data/" + "/".join(BUNDLED_REGIME)
    return regime_from_text(read_package_text(*BUNDLED_REGIME), where)
