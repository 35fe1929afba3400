"""Misuse scenarios as data: what is done, where, from when, what would reveal it and when.

A :class:`Misuse` is one of the kinds of :data:`MISUSE_KINDS` (undeclared re-piping or change
of operating mode, production above the declared assay, diversion of declared cylinders, a
breakout schedule from the breakout planner) at some facilities from a start date, with:

* its **indicators**: for each kind of verification activity that can reveal it, the chance
  that one look sees it and from when it can be seen (days after the start, or once product
  above the declared assay exists); defaults per kind are bundled
  (``data/regimes/misuse-indicators.toml``, every figure with its source or stated as an
  assumption), a scenario may override them;
* its **completion**: the days until one significant quantity exists (a stated figure, or a
  breakout schedule of :mod:`enrichwatch.breakout` through :mod:`.profile`, whose time profile
  of uranium at 90 % is kept);
* the IAEA **timeliness goal** of the material (one month for direct-use, one year for
  indirect-use material; :mod:`enrichwatch.constants`);
* optionally an **observed** detection (days) to place in the distribution.

Scenario files (TOML; ``examples/detection/`` has several)::

    [scenario]
    name = "Undeclared re-piping at Fordow, 16 January 2023"
    kind = "repiping"                 # repiping | over_assay | diversion | breakout
    facilities = ["Fordow FFEP"]      # names of the regime (a breakout: default its sites)
    start = "2023-01-16"
    source = ["IAEA GOV/INF/2023/1"]

    [completion]                      # optional: days = N with source, or a breakout schedule
    breakout_date = "2023-02-28"      # a report date of the bundled stockpile record
    basis = "auto"                    # auto | analyst | all-capacity
    sq_definition = "90pct"           # iaea | 90pct

    [observed]                        # optional
    days = 5
    source = "..."

    [revealed_by.unannounced_inspection]   # optional: overrides a default indicator
    probability = 0.9
    after = 0                         # days, or "production"
    source = "..."

Examples
--------
>>> from datetime import date
>>> m = misuse_of_kind("repiping", "demo", ("Fordow FFEP",), date(2023, 1, 16))
>>> m.indicator("unannounced_inspection").probability, m.timeliness_days
(0.9, 30.4375)
>>> m.indicator("material_accountancy") is None
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..constants import (
    DAYS_PER_MONTH,
    TIMELINESS_INDIRECT_USE_MONTHS,
    TIMELINESS_UNIRRADIATED_DIRECT_USE_MONTHS,
)
from ..dates import parse_date
from ..errors import InputError, UnknownNameError
from ..files import (
    Problem,
    ProblemsError,
    pydantic_problem,
    read_package_toml,
    read_toml_file,
)
from .profile import BASES, BreakoutProfile
from .regime import ACTIVITY_KINDS, Regime

__all__ = ["MISUSE_KINDS", "TIMELINESS", "Indicator", "Misuse", "MisuseFileError",
           "breakout_misuse", "default_indicators", "load_misuse", "misuse_from_text",
           "misuse_of_kind", "with_indicators"]

#: Kinds of misuse (descriptions in the bundled indicators file).
MISUSE_KINDS: tuple[str, ...] = ("repiping", "over_assay", "diversion", "breakout")

#: IAEA timeliness detection goals [days] and their statements (IAEA Safeguards Glossary,
#: 2001 ed. Table III; 2022 ed.), months of 30.4375 days.
TIMELINESS: Mapping[str, tuple[float, str]] = {
    "direct-use": (TIMELINESS_UNIRRADIATED_DIRECT_USE_MONTHS * DAYS_PER_MONTH,
                   "IAEA timeliness goal for unirradiated direct-use material (HEU): one month "
                   "(IAEA Safeguards Glossary, 2001 ed. Table III; 2022 ed.)"),
    "indirect-use": (TIMELINESS_INDIRECT_USE_MONTHS * DAYS_PER_MONTH,
                     "IAEA timeliness goal for indirect-use material (LEU): one year (IAEA "
                     "Safeguards Glossary, 2001 ed. Table III; 2022 ed.)"),
}

_INDICATORS = ("regimes", "misuse-indicators.toml")


class MisuseFileError(ProblemsError):
    """A misuse scenario file has problems; all are listed (file, key, value, allowed)."""


@dataclass(frozen=True)
class Indicator:
    """How one kind of activity reveals a misuse: ``probability`` per look, from
    ``after_days`` since the start [days] (``after`` as written: a number or 'production')."""

    activity: str
    probability: float
    after_days: float
    source: str
    after: str = ""

    def as_dict(self) -> dict:
        return {"activity": self.activity, "probability": self.probability,
                "after_days": self.after_days, "after": self.after or None,
                "source": self.source}


@dataclass(frozen=True)
class Misuse:
    """A misuse scenario (see the module docstring); times in days since ``start``."""

    name: str
    kind: str
    facilities: tuple[str, ...]
    start: date
    indicators: tuple[Indicator, ...]
    timeliness: str = "direct-use"
    completion_days: float | None = None
    completion_source: str = ""
    observed_days: float | None = None
    observed_source: str = ""
    production_start_days: float = 0.0
    breakout: BreakoutProfile | None = field(default=None, repr=False)
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in MISUSE_KINDS:
            raise UnknownNameError("kind", self.kind, "one of " + ", ".join(MISUSE_KINDS))
        if self.timeliness not in TIMELINESS:
            raise UnknownNameError("timeliness", self.timeliness,
                                   "one of " + ", ".join(TIMELINESS))
        if not self.facilities:
            raise InputError("facilities", (), "at least one facility")

    def indicator(self, activity: str) -> Indicator | None:
        return next((i for i in self.indicators if i.activity == activity), None)

    @property
    def timeliness_days(self) -> float:
        return TIMELINESS[self.timeliness][0]

    @property
    def timeliness_statement(self) -> str:
        return TIMELINESS[self.timeliness][1]

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "facilities": list(self.facilities),
                "start": self.start.isoformat(), "timeliness": self.timeliness,
                "timeliness_days": self.timeliness_days,
                "timeliness_statement": self.timeliness_statement,
                "completion_days": self.completion_days,
                "completion_source": self.completion_source or None,
                "observed_days": self.observed_days,
                "observed_source": self.observed_source or None,
                "production_start_days": self.production_start_days,
                "indicators": [i.as_dict() for i in self.indicators],
                "breakout": None if self.breakout is None else self.breakout.as_dict(),
                "sources": list(self.sources), "notes": list(self.notes)}


# -- defaults -------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _bundled_kinds() -> dict:
    return read_package_toml(*_INDICATORS)["kinds"]


def _resolve(after: Any, production: float) -> float:
    return production if after == "production" else float(after)


def default_indicators(kind: str, production_start_days: float = 0.0) -> tuple[Indicator, ...]:
    """The bundled indicators of a misuse kind (``after = 'production'`` resolved)."""
    if kind not in MISUSE_KINDS:
        raise UnknownNameError("kind", kind, "one of " + ", ".join(MISUSE_KINDS))
    table = _bundled_kinds()[kind]["revealed_by"]
    return tuple(Indicator(k, float(v["probability"]),
                           _resolve(v["after"], production_start_days), v["source"],
                           str(v["after"]))
                 for k, v in table.items())


def misuse_of_kind(kind: str, name: str, facilities, start: date, *,
                   production_start_days: float = 0.0, overrides: Mapping | None = None,
                   **kw) -> Misuse:
    """A misuse of ``kind`` with the bundled indicators, some replaced by ``overrides``
    (activity kind -> :class:`Indicator`)."""
    base = {i.activity: i for i in default_indicators(kind, production_start_days)}
    base.update(overrides or {})
    timeliness = kw.pop("timeliness", None) or _bundled_kinds()[kind]["timeliness"]
    return Misuse(name, kind, tuple(facilities), start, tuple(base.values()), timeliness,
                  production_start_days=production_start_days, **kw)


def breakout_misuse(profile: BreakoutProfile, start: date, *, name: str | None = None,
                    overrides: Mapping | None = None) -> Misuse:
    """The breakout of ``profile`` begun on ``start``, at all its sites: revealed as the
    bundled 'breakout' kind says, complete when one SQ exists."""
    source = (f"breakout planner, {profile.basis} scenario at the report of {profile.date} "
              f"(SQ definition {profile.sq_definition})")
    return misuse_of_kind(
        "breakout", name or f"breakout from the state of {profile.date}", profile.facilities,
        start, production_start_days=profile.production_start_days, overrides=overrides,
        completion_days=profile.days if math.isfinite(profile.days) else None,
        completion_source=source, breakout=profile)


# -- the file -------------------------------------------------------------------------------------
_CONFIG = ConfigDict(extra="forbid", strict=False)


def _f(description: str, default: Any = ..., **kw):
    return Field(default, description=description, **kw)


class _Scenario(BaseModel):
    model_config = _CONFIG
    name: str = _f("a name", min_length=1)
    kind: Literal[MISUSE_KINDS] = _f("one of " + ", ".join(MISUSE_KINDS))  # type: ignore[valid-type]
    facilities: list[str] | None = _f("a list of facilities of the regime", None,
                                      min_length=1)
    start: Any = _f("a calendar date YYYY-MM-DD")
    timeliness: Literal["direct-use", "indirect-use"] | None = _f(
        "direct-use or indirect-use", None)
    production_start_days: float | None = _f("days >= 0 until product above the declared "
                                             "assay exists", None, ge=0, allow_inf_nan=False)
    source: list[str] = _f("a list of strings", [])
    notes: list[str] = _f("a list of strings", [])


class _Completion(BaseModel):
    model_config = _CONFIG
    days: float | None = _f("days > 0 until one SQ exists", None, gt=0, allow_inf_nan=False)
    source: str = _f("a string", "")
    breakout_date: str | None = _f("an IAEA report date of the bundled stockpile record",
                                   None)
    basis: Literal[BASES] = _f("one of " + ", ".join(BASES), "auto")  # type: ignore[valid-type]
    sq_definition: Literal["iaea", "90pct"] = _f("iaea or 90pct", "90pct")


class _Observed(BaseModel):
    model_config = _CONFIG
    days: float = _f("days >= 0 from the start to the detection observed", ge=0,
                     allow_inf_nan=False)
    source: str = _f("the source of the observation", min_length=1)


class _Reveal(BaseModel):
    model_config = _CONFIG
    probability: float = _f("a probability in [0, 1]", ge=0, le=1, allow_inf_nan=False)
    after: float | Literal["production"] = _f("days >= 0, or 'production'", 0.0)
    source: str = _f("the source of the figures, or the assumption made", min_length=1)


class _Document(BaseModel):
    model_config = _CONFIG
    scenario: _Scenario = _f("a [scenario] table")
    completion: _Completion | None = _f("a [completion] table", None)
    observed: _Observed | None = _f("an [observed] table", None)
    revealed_by: dict[str, _Reveal] = _f("[revealed_by.ACTIVITY] tables", {})


def _checks(doc: _Document, where: str, regime: Regime) -> list[Problem]:
    out: list[Problem] = []
    s = doc.scenario
    for i, f in enumerate(s.facilities or ()):
        if f not in regime.facilities:
            out.append(Problem(where, f"scenario.facilities[{i}]", f,
                               "a facility of the regime: " + ", ".join(regime.facilities)))
    try:
        parse_date(s.start, "scenario.start")
    except InputError as err:
        out.append(Problem(where, "scenario.start", s.start, err.allowed))
    for key, r in doc.revealed_by.items():
        if key not in ACTIVITY_KINDS:
            out.append(Problem(where, f"revealed_by.{key}", key,
                               "an activity kind: " + ", ".join(ACTIVITY_KINDS)))
        if not isinstance(r.after, str) and r.after < 0:
            out.append(Problem(where, f"revealed_by.{key}.after", r.after,
                               "days >= 0, or 'production'"))
    out += _completion_checks(doc, where)
    return out


def _completion_checks(doc: _Document, where: str) -> list[Problem]:
    from ..breakout.timeline import stock_reports

    c, out = doc.completion, []
    if doc.scenario.kind == "breakout" and (c is None or c.breakout_date is None):
        out.append(Problem(where, "completion.breakout_date", None,
                           "the report date of the breakout schedule (kind 'breakout')"))
    if doc.scenario.kind != "breakout" and doc.scenario.facilities is None:
        out.append(Problem(where, "scenario.facilities", None, "a list of facilities of the "
                                                               "regime"))
    if c is None:
        return out
    if (c.days is None) == (c.breakout_date is None):
        out.append(Problem(where, "completion", {"days": c.days,
                                                 "breakout_date": c.breakout_date},
                           "either days (with source) or breakout_date"))
    if c.breakout_date is not None and c.breakout_date not in {r.date for r in stock_reports()
                                                               if not r.gap}:
        out.append(Problem(where, "completion.breakout_date", c.breakout_date,
                           "an IAEA report date of the bundled stockpile record (not a gap)"))
    if c.days is not None and not c.source:
        out.append(Problem(where, "completion.source", c.source, "the source of the days"))
    return out


def misuse_from_text(text: str, where: str, regime: Regime, *, profile=None) -> Misuse:
    """A misuse from scenario TOML text, checked against ``regime``'s facilities; raises
    :class:`MisuseFileError` listing every problem. ``profile`` (a
    :class:`~.profile.BreakoutProfile`) replaces computing the breakout schedule."""
    from ..files import parse_toml

    return _from_raw(parse_toml(text, where, MisuseFileError), where, regime, profile)


def load_misuse(path, regime: Regime, *, profile=None) -> Misuse:
    """A misuse from a scenario file (see :func:`misuse_from_text`)."""
    return _from_raw(read_toml_file(path, MisuseFileError), str(path), regime, profile)


def _from_raw(raw: dict, where: str, regime: Regime, profile) -> Misuse:
    try:
        doc = _Document.model_validate(raw)
    except ValidationError as err:
        raise MisuseFileError([Problem(where, *pydantic_problem(e, _Document))
                               for e in err.errors()]) from None
    problems = _checks(doc, where, regime)
    if problems:
        raise MisuseFileError(problems)
    return _build(doc, regime, profile)


def _build(doc: _Document, regime: Regime, profile) -> Misuse:
    s, c = doc.scenario, doc.completion
    if c is not None and c.breakout_date is not None and profile is None:
        from .profile import breakout_profile

        profile = breakout_profile(c.breakout_date, c.basis, c.sq_definition)
    production = s.production_start_days
    if production is None:
        production = profile.production_start_days if profile is not None else 0.0
    overrides = {k: Indicator(k, r.probability, _resolve(r.after, production), r.source,
                              str(r.after)) for k, r in doc.revealed_by.items()}
    facilities = tuple(s.facilities) if s.facilities else profile.facilities
    for f in facilities:
        regime.check_facility(f, "scenario.facilities")
    kw: dict[str, Any] = {"sources": tuple(s.source), "notes": tuple(s.notes),
                          "timeliness": s.timeliness}
    if doc.observed is not None:
        kw |= {"observed_days": doc.observed.days, "observed_source": doc.observed.source}
    if c is not None and c.days is not None:
        kw |= {"completion_days": c.days, "completion_source": c.source}
    elif profile is not None:
        src = breakout_misuse(profile, parse_date(s.start))
        kw |= {"completion_days": src.completion_days,
               "completion_source": src.completion_source, "breakout": profile}
    return misuse_of_kind(s.kind, s.name, facilities, parse_date(s.start),
                          production_start_days=production, overrides=overrides, **kw)


def with_indicators(misuse: Misuse, indicators) -> Misuse:
    """The misuse with other indicators (for what-if studies)."""
    return replace(misuse, indicators=tuple(indicators))
