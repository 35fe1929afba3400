"""Breakout scenarios: the structural assumptions of a breakout estimate, as data.

A :class:`BreakoutScenario` says, explicitly and with sources, what a breakout estimate assumes
beyond the stocks and the machines: which site holds which stock, which cascades are used (by
site, machine type and count) and how available they are, how many cascades each site's feed and
withdrawal stations can serve at once, the set-up time before production can start, transport
between sites, hold-up and losses, the stage factor of the advanced machines, and which stock
forms count as feed. Every uncertain figure is a :class:`Range` (low, nominal, high, source).

Two families are built from the bundled data (``data/stockpile/breakout-scenarios.toml``, read
with :func:`load_scenario_file`, every problem listed at once with file, key, value and what is
allowed):

* :func:`analyst_scenario`: the way a published estimate was made at a report date (the
  assumptions of the ISIS breakout method notes of September 2019 and September 2020,
  restated per date);
* :func:`all_capacity_scenario`: every installed cascade and every UF6 stock, bounded by the
  stations, set-up, transport, hold-up and losses.

How a scenario becomes a number (:mod:`.assess`): the state of the scenario's cascades and stocks
is planned (:func:`~.planner.plan_breakout`'s programme) with the unit rates scaled by each
cascade's availability and by (1 - losses) on every product stream, and the stocks reduced by
the hold-up of the machines used; the days are **set-up + transport (if any cascade is at a site
not holding the stock) + production**. Set-up happens once, in parallel for all cascades, before
production starts.

Examples
--------
>>> sc = analyst_scenario("2023-02-28")
>>> sc.kind, sc.model, [c.group.name for c in sc.cascades]
('analyst', 'as-built', ['FFEP IR-6 pair', 'PFEP IR-6'])
>>> sc.setup_days.nominal
1.0
>>> [(round(100 * float(s.assay.mass_fraction)), s.kg_u) for s in sc.stocks]
[(60, 87.5)]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..composition import Assay
from ..errors import InputError
from ..files import MISSING, Problem, ProblemsError, key_path, parse_toml, read_package_text
from .rates import MODELS
from .state import BreakoutState, CascadeGroup, Stock

__all__ = ["LEVELS", "BreakoutScenario", "CascadeUse", "Range", "ScenarioFileError", "Site",
           "all_capacity_scenario", "analyst_dates", "analyst_scenario", "load_scenario_file",
           "scenario_file_from_text"]

#: Stock levels a scenario may name: natural uranium (unlimited), up to 2 %, up to 5 %
#: (taken at 4.5 %, or 3.67 % before July 2019: the nominal of a stated range, see
#: :func:`.timeline.leu_assay_pct`), 20 % and 60 %.
LEVELS: tuple[str, ...] = ("natural", "le2", "le5", "le20", "le60")

_FILE = "breakout-scenarios.toml"


class ScenarioFileError(ProblemsError):
    """A breakout scenario file has problems; all are listed (file, key, value, allowed)."""


@dataclass(frozen=True)
class Range:
    """An uncertain figure: low <= nominal <= high, with its source or the assumption made."""

    low: float
    nominal: float
    high: float
    source: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)
                and self.low <= self.nominal <= self.high):
            raise InputError("range", (self.low, self.nominal, self.high),
                             "finite numbers with low <= nominal <= high")

    @classmethod
    def fixed(cls, value: float, source: str = "") -> Range:
        return cls(value, value, value, source)

    @property
    def spread(self) -> bool:
        return self.high > self.low

    def as_dict(self) -> dict:
        return {"low": self.low, "nominal": self.nominal, "high": self.high,
                "source": self.source}

    def __str__(self) -> str:
        if not self.spread:
            return f"{self.nominal:g}"
        return f"{self.nominal:g} ({self.low:g}-{self.high:g})"


@dataclass(frozen=True)
class Site:
    """A site: the stock levels it holds and how many cascades its feed and withdrawal stations
    can serve on breakout steps at once."""

    name: str
    holds: tuple[str, ...]
    cascades_fed_at_once: Range
    source: str = ""


@dataclass(frozen=True)
class CascadeUse:
    """Cascades of one installed group used by a scenario: ``count`` of them, each available
    for a share ``availability`` of its rated output (failures, damage); ``optional``
    cascades are sampled in or out (the analyst's "3-4 cascades")."""

    group: CascadeGroup
    availability: Range = field(default_factory=lambda: Range.fixed(1.0, "all available"))
    optional: bool = False

    @property
    def site(self) -> str:
        return self.group.facility


@dataclass(frozen=True)
class BreakoutScenario:
    """The explicit assumptions of one breakout estimate (see the module docstring).

    Attributes
    ----------
    name, date, kind : str
        ``kind`` is 'analyst', 'all-capacity' or 'custom'.
    stocks : tuple of Stock
        The stocks the scenario may feed (UF6 only), at their full reported size.
    stock_fraction : tuple of (level assay [mass fraction], share) pairs
        Share of a level's stock the scenario allots to the product (the rest can fill the
        hold-up); 1 where not listed.
    sites : tuple of Site
    cascades : tuple of CascadeUse
    model : {'repiped', 'as-built'}
    setup_days, transport_days, losses_pct, holdup_g_u_per_machine, stage_factor : Range
    feed_forms : tuple of str
    method : str
        The estimate's assumptions as published (ISIS method notes), for analyst scenarios.
    assumptions, sources : tuple of str
    leu_assay : Range, optional
        The assays [wt%] the "up to 5 %" stock may have (its stock is at the nominal); None
        when the scenario feeds no such stock. The tornado swings it from low to high.
    """

    name: str
    date: str
    kind: str
    stocks: tuple[Stock, ...]
    sites: tuple[Site, ...]
    cascades: tuple[CascadeUse, ...]
    model: str
    setup_days: Range
    transport_days: Range
    losses_pct: Range
    holdup_g_u_per_machine: Range
    stage_factor: Range
    stock_fraction: tuple[tuple[float, float], ...] = ()
    feed_forms: tuple[str, ...] = ("UF6",)
    method: str = ""
    assumptions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    leu_assay: Range | None = None

    def __post_init__(self) -> None:
        if self.leu_assay is not None and not (
                0.711 < self.leu_assay.low and self.leu_assay.high <= 5.0 + 1e-9):
            r = self.leu_assay
            raise InputError("leu_assay", (r.low, r.nominal, r.high),
                             "a range of wt% U-235 above natural (0.711) and up to 5")
        if self.model not in MODELS:
            raise InputError("model", self.model, f"one of {', '.join(MODELS)}")
        if not self.cascades:
            raise InputError("cascades", [], "at least one cascade")
        for r, name, low, high in ((self.setup_days, "setup_days", 0.0, math.inf),
                                   (self.transport_days, "transport_days", 0.0, math.inf),
                                   (self.losses_pct, "losses_pct", 0.0, 99.0),
                                   (self.holdup_g_u_per_machine, "holdup_g_u_per_machine",
                                    0.0, math.inf),
                                   (self.stage_factor, "stage_factor", 1.0 + 1e-9, 3.0)):
            if not (r.low >= low and r.high <= high):
                raise InputError(name, (r.low, r.nominal, r.high),
                                 f"a range within [{low:g}, {high:g}]")
        for c in self.cascades:
            a = c.availability
            if not (0.0 <= a.low and a.high <= 1.0):
                raise InputError(f"{c.group.name}.availability", (a.low, a.nominal, a.high),
                                 "a share within [0, 1]")
        names = {s.name for s in self.sites}
        for c in self.cascades:
            if c.site not in names:
                raise InputError(f"{c.group.name}.site", c.site,
                                 f"one of the scenario's sites: {', '.join(sorted(names))}")

    @property
    def n_machines(self) -> int:
        return sum(c.group.n_machines for c in self.cascades)

    @property
    def top_level(self) -> float:
        """Assay of the highest stock below 90 % (the level hold-up is drawn from first)."""
        below = [float(s.assay.mass_fraction) for s in self.stocks
                 if float(s.assay.mass_fraction) < 0.9 and s.kg_u > 0]
        return max(below) if below else 0.0

    def sites_holding(self, assay: float) -> tuple[str, ...]:
        key = _level_key(assay)
        return tuple(s.name for s in self.sites if key in s.holds)

    def needs_transport(self) -> bool:
        """Whether some cascade used is at a site that does not hold the top stock."""
        holding = set(self.sites_holding(self.top_level))
        return bool(holding) and any(c.site not in holding for c in self.cascades)

    def state(self) -> BreakoutState:
        """The stocks and the cascades of the scenario as a :class:`BreakoutState`."""
        return BreakoutState(self.name, self.stocks, tuple(c.group for c in self.cascades),
                             self.date, self.method, assumptions=self.assumptions,
                             sources=self.sources)

    def with_cascades(self, cascades, kind: str | None = None) -> BreakoutScenario:
        return replace(self, cascades=tuple(cascades), kind=kind or self.kind)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "date": self.date, "kind": self.kind, "model": self.model,
            "method": self.method or None,
            "stocks": [s.as_dict() for s in self.stocks],
            "stock_fraction": [{"assay_wt_pct": 100 * x, "share": f}
                               for x, f in self.stock_fraction],
            "sites": [{"name": s.name, "holds": list(s.holds),
                       "cascades_fed_at_once": s.cascades_fed_at_once.as_dict(),
                       "source": s.source} for s in self.sites],
            "cascades": [{"name": c.group.name, "site": c.site, "machine": c.group.machine.name,
                          "machines_per_cascade": c.group.machines, "count": c.group.count,
                          "availability": c.availability.as_dict(), "optional": c.optional,
                          "source": c.group.source} for c in self.cascades],
            "n_machines": self.n_machines,
            "setup_days": self.setup_days.as_dict(),
            "transport_days": self.transport_days.as_dict(),
            "transport_needed": self.needs_transport(),
            "losses_pct": self.losses_pct.as_dict(),
            "holdup_g_u_per_machine": self.holdup_g_u_per_machine.as_dict(),
            "stage_factor": self.stage_factor.as_dict(),
            "feed_forms": list(self.feed_forms),
            "leu_assay_wt_pct": None if self.leu_assay is None else self.leu_assay.as_dict(),
            "assumptions": list(self.assumptions), "sources": list(self.sources)}

    def at_leu_assay(self, pct: float) -> BreakoutScenario:
        """The scenario with its "up to 5 %" stock at ``pct`` wt% U-235 (same mass)."""
        if self.leu_assay is None:
            raise InputError("leu_assay", None, "a scenario that feeds an up-to-5 % stock")
        nominal = self.leu_assay.nominal
        stocks = tuple(
            replace(s, assay=Assay.from_weight_percent(pct))
            if not s.unlimited
            and abs(100 * float(s.assay.mass_fraction) - nominal) <= 1e-9 * nominal
            else s for s in self.stocks)
        return replace(self, stocks=stocks)


def _level_key(assay: float) -> str:
    pct = 100 * assay
    if pct < 0.8:
        return "natural"
    if pct <= 2.0 + 1e-9:
        return "le2"
    if pct <= 5.0 + 1e-9:
        return "le5"
    if pct <= 20.0 + 1e-9:
        return "le20"
    return "le60"


# -- the file -------------------------------------------------------------------------------------

_CONFIG = ConfigDict(strict=False, extra="forbid")
_Text = Annotated[str, Field(min_length=1)]


def _f(description: str, default=..., **kw):
    return Field(default, description=description, **kw)


class _Range(BaseModel):
    model_config = _CONFIG
    low: float = _f("a number <= nominal", allow_inf_nan=False)
    nominal: float = _f("a number from low to high", allow_inf_nan=False)
    high: float = _f("a number >= nominal", allow_inf_nan=False)
    source: _Text = _f("the source of the figures, or the assumption made")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.nominal <= self.high:
            raise ValueError("low <= nominal <= high")
        return self


class _Site(BaseModel):
    model_config = _CONFIG
    holds: list[Literal[LEVELS]] = _f(  # type: ignore[valid-type]
        "stock levels held at the site, from " + ", ".join(LEVELS))
    cascades_fed_at_once: _Range = _f("a range {low, nominal, high, source} of cascades >= 1")
    source: str = _f("a string", "")


class _Use(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("the name of a cascade group installed at the date")
    site: str | None = _f("one of the [sites]", None)
    count: int | None = _f("a whole number of cascades from 1 to those installed", None, ge=1)
    availability: _Range | None = _f("a range {low, nominal, high, source} within [0, 1]",
                                     None)
    optional: bool = _f("true or false", False)


class _Analyst(BaseModel):
    model_config = _CONFIG
    date: _Text = _f("an IAEA report date of the bundled stockpile record")
    method: _Text = _f("the published estimate's assumptions, as its authors state them")
    levels: list[Literal[LEVELS]] = _f(  # type: ignore[valid-type]
        "stock levels used as feed, from " + ", ".join(LEVELS), min_length=1)
    stock_fraction: dict[Literal[LEVELS], float] = _f(  # type: ignore[valid-type]
        "a share in (0, 1] of a level's stock per level", {})
    cascades: list[_Use] = _f("one or more cascade tables", min_length=1)
    model: Literal[MODELS] = _f("one of " + ", ".join(MODELS))  # type: ignore[valid-type]
    setup_days: _Range | None = _f("a range of days >= 0", None)
    notes: list[str] = _f("a list of strings", [])


class _Defaults(BaseModel):
    model_config = _CONFIG
    setup_switch_days: _Range = _f("a range of days >= 0")
    setup_repipe_days: _Range = _f("a range of days >= 0")
    transport_days: _Range = _f("a range of days >= 0")
    losses_pct: _Range = _f("a range of percent from 0 to 99")
    holdup_g_u_per_machine: _Range = _f("a range of g U per machine >= 0")
    stage_factor: _Range = _f("a range of stage factors > 1")
    feed_forms: list[Literal["UF6", "oxide", "scrap", "other"]] = _f(  # type: ignore[valid-type]
        "forms from UF6, oxide, scrap, other", ["UF6"])
    feed_forms_note: str = _f("a string", "")


class _AllCapacity(BaseModel):
    model_config = _CONFIG
    description: str = _f("a string", "")
    assumptions: list[str] = _f("a list of strings", [])


class _Document(BaseModel):
    model_config = _CONFIG
    sites: dict[str, _Site] = _f("one [sites.NAME] table per site", min_length=1)
    defaults: _Defaults = _f("a [defaults] table")
    all_capacity: _AllCapacity = _f("an [all_capacity] table", _AllCapacity())
    analyst: list[_Analyst] = _f("[[analyst]] tables", [])


@dataclass(frozen=True)
class ScenarioFile:
    """A checked scenario file: sites, defaults, the all-capacity statement and the analyst
    scenarios by date (raw, resolved against the installed machines of their date on use)."""

    name: str
    sites: tuple[Site, ...]
    defaults: dict
    all_capacity: dict
    analyst: dict


@overload
def _range(m: _Range) -> Range: ...
@overload
def _range(m: None) -> None: ...
@overload
def _range(m: _Range | None) -> Range | None: ...
def _range(m: _Range | None) -> Range | None:
    return None if m is None else Range(m.low, m.nominal, m.high, m.source)


def _nonneg(r: _Range | None, key: str, file: str, problems: list, low=0.0, high=math.inf,
            allowed: str = "a range of days >= 0") -> None:
    if r is not None and not (r.low >= low and r.high <= high):
        problems.append(Problem(file, key, {"low": r.low, "nominal": r.nominal, "high": r.high},
                                allowed))


def _checks(doc: _Document, file: str) -> list[Problem]:
    """Checks beyond the schema: signs and bounds, sites and cascades that exist."""
    from .timeline import _period, stock_reports

    problems: list[Problem] = []
    d = doc.defaults
    for key in ("setup_switch_days", "setup_repipe_days", "transport_days"):
        _nonneg(getattr(d, key), f"defaults.{key}", file, problems)
    _nonneg(d.losses_pct, "defaults.losses_pct", file, problems, 0.0, 99.0,
            "a range of percent from 0 to 99")
    _nonneg(d.holdup_g_u_per_machine, "defaults.holdup_g_u_per_machine", file, problems,
            allowed="a range of g U per machine >= 0")
    _nonneg(d.stage_factor, "defaults.stage_factor", file, problems, 1.0 + 1e-9, 3.0,
            "a range of stage factors in (1, 3]")
    for name, s in doc.sites.items():
        _nonneg(s.cascades_fed_at_once, f"sites.{key_path((name,))}.cascades_fed_at_once",
                file, problems, 1.0, allowed="a range of cascades >= 1")
    dates = {r.date for r in stock_reports()}
    for i, a in enumerate(doc.analyst):
        loc = f"analyst[{i}]"
        _nonneg(a.setup_days, f"{loc}.setup_days", file, problems)
        for lev, share in a.stock_fraction.items():
            if not 0.0 < share <= 1.0:
                problems.append(Problem(file, f"{loc}.stock_fraction.{lev}", share,
                                        "a share in (0, 1]"))
        if a.date not in dates:
            problems.append(Problem(file, f"{loc}.date", a.date,
                                    "an IAEA report date of the bundled stockpile record"))
            continue
        installed = {g.name: g for g in _period(a.date)[3]}
        for j, u in enumerate(a.cascades):
            key = f"{loc}.cascades[{j}]"
            if u.name not in installed:
                problems.append(Problem(file, f"{key}.name", u.name,
                                        f"a cascade group installed on {a.date}: "
                                        + ", ".join(installed)))
                continue
            site = u.site or installed[u.name].facility
            if site not in doc.sites:
                problems.append(Problem(file, f"{key}.site", site,
                                        "one of the [sites]: " + ", ".join(doc.sites)))
            if u.count is not None and u.count > installed[u.name].count:
                problems.append(Problem(file, f"{key}.count", u.count,
                                        f"at most the {installed[u.name].count} installed"))
            _nonneg(u.availability, f"{key}.availability", file, problems, 0.0, 1.0,
                    "a range {low, nominal, high, source} within [0, 1]")
    return problems


def scenario_file_from_text(text: str, filename: str = "<text>") -> ScenarioFile:
    """Read and check a scenario file (TOML); raises :class:`ScenarioFileError` listing every
    problem (file, key, value, what is allowed)."""
    raw = parse_toml(text, filename, ScenarioFileError)
    try:
        doc = _Document.model_validate(raw)
    except ValidationError as err:
        out = []
        for e in err.errors():
            loc = tuple(x for x in e["loc"] if x not in ("function-after",))
            value = MISSING if e["type"] == "missing" else e.get("input")
            if e["type"] == "extra_forbidden":
                out.append(Problem(filename, key_path(loc), value, "no such key (misspelt?)"))
                continue
            allowed = e["msg"].removeprefix("Value error, ")
            out.append(Problem(filename, key_path(loc), value, allowed))
        raise ScenarioFileError(out) from None
    problems = _checks(doc, filename)
    if problems:
        raise ScenarioFileError(problems)
    sites = tuple(Site(n, tuple(s.holds), _range(s.cascades_fed_at_once), s.source)
                  for n, s in doc.sites.items())
    return ScenarioFile(filename, sites, doc.defaults.model_dump(), doc.all_capacity.model_dump(),
                        {a.date: a for a in doc.analyst})


def load_scenario_file(path=None) -> ScenarioFile:
    """The bundled scenario file, or the one at ``path``."""
    if path is None:
        return _bundled()
    from pathlib import Path

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioFileError([Problem(str(p), "<file>", str(p),
                                         f"a readable TOML file ({err.strerror})")]) from None
    return scenario_file_from_text(text, str(p))


@functools.lru_cache(maxsize=1)
def _bundled() -> ScenarioFile:
    return scenario_file_from_text(read_package_text("stockpile", _FILE), _FILE)


def _r(d: dict) -> Range:
    return Range(d["low"], d["nominal"], d["high"], d["source"])


def analyst_dates(file: ScenarioFile | None = None) -> tuple[str, ...]:
    """Report dates with an analyst scenario."""
    return tuple(sorted((file or _bundled()).analyst))


def _report(date: str):
    from .timeline import stock_reports

    for r in stock_reports():
        if r.date == date:
            return r
    raise InputError("date", date, "an IAEA report date of the bundled stockpile record")


def _stocks_by_level(date: str):
    """{level key: Stock} of the timeline state at ``date`` (UF6 only: other forms removed)."""
    from .timeline import timeline_state

    state = timeline_state(_report(date))
    return {_level_key(float(s.assay.mass_fraction)): s for s in state.stocks}, state


def analyst_scenario(date: str, file: ScenarioFile | None = None) -> BreakoutScenario:
    """The analyst scenario of a report date (see the module docstring)."""
    file = file or _bundled()
    if date not in file.analyst:
        raise InputError("date", date, "a report date with an analyst scenario: "
                         + ", ".join(analyst_dates(file)))
    a = file.analyst[date]
    from .timeline import _period

    installed = {g.name: g for g in _period(date)[3]}
    by_level, state = _stocks_by_level(date)
    stocks = tuple(by_level[lev] for lev in LEVELS if lev in a.levels and lev in by_level)
    uses = []
    for u in a.cascades:
        g = installed[u.name]
        if u.site:
            g = replace(g, facility=u.site)
        if u.count is not None:
            g = replace(g, count=u.count)
        uses.append(CascadeUse(g, _range(u.availability) or Range.fixed(1.0, "all available"),
                               u.optional))
    d = file.defaults
    setup = _range(a.setup_days) or _r(d["setup_switch_days" if a.model == "as-built"
                                         else "setup_repipe_days"])
    fractions = tuple((float(by_level[lev].assay.mass_fraction), share)
                      for lev, share in a.stock_fraction.items() if lev in by_level)
    return BreakoutScenario(
        f"analyst {date}", date, "analyst", stocks, file.sites, tuple(uses), a.model,
        setup, _r(d["transport_days"]), _r(d["losses_pct"]), _r(d["holdup_g_u_per_machine"]),
        _r(d["stage_factor"]), fractions, tuple(d["feed_forms"]), a.method,
        tuple(a.notes) + (d["feed_forms_note"],) + tuple(
            x for x in state.assumptions if "installed cascades" not in x),
        state.sources, _leu_range(date, stocks))


def all_capacity_scenario(date: str, file: ScenarioFile | None = None, *,
                          model: str = "as-built") -> BreakoutScenario:
    """Every installed cascade and every UF6 stock at ``date`` (before the station limits and
    the choice of cascades, which :func:`~.assess.assess_all_capacity` makes)."""
    file = file or _bundled()
    by_level, state = _stocks_by_level(date)
    stocks = tuple(by_level[lev] for lev in LEVELS if lev in by_level)
    avail = {}
    if date in file.analyst:
        avail = {u.name: _range(u.availability) for u in file.analyst[date].cascades
                 if u.availability is not None}
    site_names = {s.name for s in file.sites}
    uses = []
    for g in state.cascades:
        if g.facility not in site_names:
            raise ScenarioFileError([Problem(file.name, "sites", g.facility,
                                             f"a [sites] table for {g.facility!r}, the site "
                                             f"of installed cascade {g.name!r}")])
        uses.append(CascadeUse(g, avail.get(g.name) or Range.fixed(1.0, "all available")))
    d = file.defaults
    setup = _r(d["setup_switch_days" if model == "as-built" else "setup_repipe_days"])
    return BreakoutScenario(
        f"all-capacity {date}", date, "all-capacity", stocks, file.sites, tuple(uses), model,
        setup, _r(d["transport_days"]), _r(d["losses_pct"]), _r(d["holdup_g_u_per_machine"]),
        _r(d["stage_factor"]), (), tuple(d["feed_forms"]), file.all_capacity["description"],
        tuple(file.all_capacity["assumptions"]) + (d["feed_forms_note"],)
        + tuple(state.assumptions), state.sources, _leu_range(date, stocks))


def _leu_range(date: str, stocks) -> Range | None:
    """The assay range of the up-to-5 % stock when the scenario feeds one."""
    from .timeline import leu_assay_pct

    if not any(_level_key(float(s.assay.mass_fraction)) == "le5" and not s.unlimited
               and s.kg_u > 0 for s in stocks):
        return None
    return leu_assay_pct(date)


def scenario_stocks(sc: BreakoutScenario, holdup_kg: float) -> tuple[Stock, ...]:
    """Stocks available to the product once the hold-up is filled: the hold-up is drawn from
    the highest level first (the reserve beyond the allotted share first), then lower levels."""
    left = holdup_kg
    share = dict(sc.stock_fraction)
    out = []
    for s in sorted(sc.stocks, key=lambda s: -float(s.assay.mass_fraction)):
        x = float(s.assay.mass_fraction)
        if s.unlimited or x >= 0.9:
            out.append(s)
            continue
        f = share.get(x, 1.0)
        for k, v in share.items():
            if abs(k - x) <= 1e-9 * x:
                f = v
        take = min(left, s.kg_u)
        left -= take
        kg = min(f * s.kg_u, s.kg_u - take)
        out.append(replace(s, kg_u=max(0.0, kg)))
    return tuple(sorted(out, key=lambda s: float(s.assay.mass_fraction)))
