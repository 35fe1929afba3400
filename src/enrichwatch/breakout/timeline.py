"""Breakout time at every IAEA report date of the bundled record, 2016-2025.

Data: ``enrichwatch/data/stockpile/iran-stockpile.csv`` (the IAEA-reported stockpile, one row
per report, with sources and gaps; compiled from the IAEA quarterly reports on Iran, 2016-2025) and
``installed-machines.toml`` (installed cascades by period, each with its source or the
assumption made, and the few stock figures the CSV notes give where a cell is blank).

A state per report date (rules, restated in each row's ``assumptions``):

* 60 %: the reported figure; none before production began (17 Apr 2021).
* 20 %: the reported figure; else a figure from the CSV notes (``[[stock_override]]``, with its
  uncertainty); else the previous report's figure carried forward; none before 4 Jan 2021.
* up to 5 %: the reported figure; else the total (or its override) less the other levels
  (the total includes oxides and scrap in some reports, so this overstates); else the previous
  report's figure carried forward. At 3.67 % before July 2019 (JCPOA), 4.5 % after (Iran's
  stated level): the nominal of a stated range, 2-3.67 % before July 2019 and 2-5 % after
  (:func:`leu_assay_pct`); the analyst and all-capacity tornados swing it from end to end.
* up to 2 %: the reported figure at 2 % (its upper bound); otherwise part of the remainder.
* natural uranium (0.711 %): unlimited.
* uncertainties (one sigma): 2 % for reported figures, the override's for overrides (also for
  a total taken from an override), 5 % for the remainder of a reported total, 10 % for
  carried-forward figures and for estimated reports.
* cascades: those of the period in ``installed-machines.toml``.
* a report with no stock figure at all is a gap: no breakout time is computed for it, unless
  ``installed-machines.toml`` states a figure for it (the JCPOA reports of 2016-2018 that give
  no figure: the JCPOA cap of 202.8 kg U, an upper bound, stated in the row).
* uranium in other forms (oxide, scrap) is not UF6 feed: where the record gives it
  (``kg_u_other_forms``), it is taken off the remainder; where not, the remainder of the total
  is counted as UF6, which overstates the feed (stated in the row).

Two scenario families per row (with ``sq_definition``; :mod:`.scenario`, :mod:`.assess`): the
**analyst** scenario where the bundled scenarios hold a published estimate's assumptions, and
the **all-capacity** scenario at every date, side by side, each with set-up, its Monte Carlo
band over the structural assumptions, its tornado and its assumptions; the per-model ``days``
remain the unconstrained plans of every installed machine (no set-up, stations, hold-up or
losses), kept for comparison.

Examples
--------
>>> rows = {r.date: r for r in stock_reports()}
>>> rows["2019-02"].total_kg_u
163.8
>>> s = timeline_state(rows["2019-02"])
>>> [(round(100 * float(x.assay.mass_fraction), 2), x.kg_u) for x in s.stocks]
[(0.71, inf), (3.67, 163.8)]
>>> day = rows["2016-01-16"]                 # no figure in the report: the JCPOA cap, stated
>>> day.total_kg_u, day.gap, [x.kg_u for x in timeline_state(day).stocks][1]
(None, False, 202.8)
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from typing import TYPE_CHECKING

from ..composition import Assay
from ..constants import SQ_HEU_U235_KG
from ..dates import parse_date
from ..errors import InputError
from ..files import read_package_text, read_package_toml
from ..parallel import ProgressLike, as_progress
from .planner import plan_breakout
from .scenario import Range
from .state import BreakoutState, Stock
from .state_io import cascades_from_tables

if TYPE_CHECKING:
    from .assess import ScenarioResult

__all__ = ["LEU_ASSAY_LABEL", "StockReport", "Timeline", "TimelineRow", "breakout_timeline",
           "leu_assay_pct", "machine_periods", "plot_timeline", "stock_reports",
           "timeline_state"]

_COLUMNS = ("total_kg_u", "kg_u_le2", "kg_u_le5", "kg_u_le20", "kg_u_le60")
_SIGMA = {"reported": 0.02, "remainder": 0.05, "carried": 0.10, "estimated": 0.10}
_START_60, _START_20, _LEU_45 = "2021-04-17", "2021-01-04", "2019-07"


def _data(name: str) -> str:
    return read_package_text("stockpile", name)


@dataclass(frozen=True)
class StockReport:
    """One row of the bundled stockpile record (kg U; None = blank in the public record)."""

    date: str
    report_id: str
    total_kg_u: float | None
    kg_u_le2: float | None
    kg_u_le5: float | None
    kg_u_le20: float | None
    kg_u_le60: float | None
    source: str
    note: str = field(repr=False)
    other_kg_u: float | None = None
    overridden: bool = False

    @property
    def gap(self) -> bool:
        """No figure in the record and no stated ``[[stock_override]]`` for the date."""
        return not self.overridden and all(getattr(self, c) is None for c in _COLUMNS)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.lru_cache(maxsize=1)
def stock_reports() -> tuple[StockReport, ...]:
    """The bundled IAEA-reported stockpile timeline, in date order."""
    rows = csv.DictReader(io.StringIO(_data("iran-stockpile.csv")))
    return tuple(_stock_report(r) for r in rows)


def _stock_report(row: Mapping[str, str]) -> StockReport:
    total, le2, le5, le20, le60 = (_number(row[c]) for c in _COLUMNS)
    return StockReport(row["report_date"], row["report_id"], total, le2, le5, le20, le60,
                       row["source_url"], row["note"],
                       _number(row.get("kg_u_other_forms") or ""),
                       bool(_overrides(row["report_date"])))


@functools.lru_cache(maxsize=1)
def _machines_file() -> dict:
    return read_package_toml("stockpile", "installed-machines.toml")


@functools.lru_cache(maxsize=1)
def machine_periods() -> tuple[tuple[str, str, str, tuple], ...]:
    """(from date, label, note, cascade groups) of every period of installed machines."""
    out = []
    for i, p in enumerate(_machines_file()["period"]):
        groups = cascades_from_tables(p.get("cascades"), "installed-machines.toml",
                                      f"period[{i}].cascades")
        out.append((p["from"], p["label"], p["note"], groups))
    return tuple(out)


def _period(date: str):
    chosen = None
    for p in machine_periods():
        if p[0] <= date:
            chosen = p
    if chosen is None:
        raise InputError("date", date, f"a date from {machine_periods()[0][0]} on")
    return chosen


def _overrides(date: str) -> dict[str, tuple[float, float, str]]:
    return {o["column"]: (float(o["kg_u"]), o["uncertainty_pct"] / 100.0, o["source"])
            for o in _machines_file().get("stock_override", []) if o["date"] == date}


def _previous(report: StockReport) -> StockReport | None:
    earlier = [r for r in stock_reports() if r.date < report.date and not r.gap]
    return earlier[-1] if earlier else None


@functools.lru_cache(maxsize=128)
def _levels(date: str) -> dict[str, float]:
    """kg U per level ('le2', 'le5', 'le20', 'le60') of the state at report ``date``, as built
    by the rules (so that carried-forward figures include earlier overrides and remainders)."""
    report = next(r for r in stock_reports() if r.date == date)
    return dict(zip(("le2", "le5", "le20", "le60"),
                    (x[0] for x in _figures(report, [])), strict=True))


def _carried(report, key, label, notes):
    prev = _previous(report)
    last = 0.0 if prev is None else _levels(prev.date)[key]
    if last > 0:
        notes.append(f"{label}: not reported; {last:.6g} kg U carried forward from the "
                     f"{prev.date} state")
    return last, _SIGMA["carried"]


def _level(report, column, start, notes, label):
    """(kg, relative sigma) of one level under the rules of the module docstring."""
    value, over = getattr(report, column), _overrides(report.date).get(column)
    if value is not None:
        return value, _SIGMA["reported"]
    if over is not None:
        notes.append(f"{label}: {over[0]:g} kg U from {over[2]}")
        return over[0], over[1]
    if start is not None and report.date < start:
        return 0.0, 0.0
    return _carried(report, column.replace("kg_u_", ""), label, notes)


def _leu(report, others, notes):
    if report.kg_u_le5 is not None:
        return report.kg_u_le5, _SIGMA["reported"]
    total = report.total_kg_u
    over = _overrides(report.date).get("total_kg_u")
    sigma = _SIGMA["remainder"]
    if total is None and over is not None:
        total, sigma = over[0], over[1]
        notes.append(f"total: {over[0]:g} kg U (one sigma {100 * over[1]:g} %) from {over[2]}")
    if total is not None:
        if report.other_kg_u is not None:
            rest = max(0.0, total - others - report.other_kg_u)
            notes.append(f"up to 5 %: the total less the other levels and less "
                         f"{report.other_kg_u:g} kg U in other forms (oxide, scrap: not UF6 "
                         f"feed), {rest:.6g} kg U")
        else:
            rest = max(0.0, total - others)
            notes.append(f"up to 5 %: the total less the other levels, {rest:.6g} kg U (the "
                         "total may include oxides and scrap, not reported separately here: "
                         "counted as UF6 feed, which overstates it)")
        return rest, sigma
    return _carried(report, "le5", "up to 5 %", notes)


def _figures(report: StockReport, notes: list[str]):
    """((kg, sigma) of the 2 %, up-to-5 %, 20 % and 60 % levels)."""
    le60 = _level(report, "kg_u_le60", _START_60, notes, "60 %")
    le20 = _level(report, "kg_u_le20", _START_20, notes, "20 %")
    le2 = (report.kg_u_le2 or 0.0, _SIGMA["reported"])
    leu = _leu(report, le60[0] + le20[0] + le2[0], notes)
    return le2, leu, le20, le60


#: The tornado row (and JSON key) of the up-to-5 % stock's assay.
LEU_ASSAY_LABEL = "up-to-5 % assay"

_LEU_LOW_SOURCE = (
    "low 2 %: the line the IAEA reports draw between their 'up to 2 %' and 'up to 5 %' "
    "categories (assumption for the stock's mean; where a report gives no 'up to 2 %' figure "
    "the remainder holds that material too, and its mean may lie lower still)")


def leu_assay_pct(date: str) -> Range:
    """The U-235 assay [wt%] of the "up to 5 %" stock at a report date: nominal (the level the
    state takes), and the range the category allows (low, high), with its source.

    >>> str(leu_assay_pct("2017-02-24")), str(leu_assay_pct("2020-03-03"))
    ('3.67 (2-3.67)', '4.5 (2-5)')
    """
    if date < _LEU_45:
        return Range(2.0, 3.67, 3.67, "high and nominal 3.67 %: the JCPOA limit, which the IAEA "
                     "verified was not exceeded until 8 Jul 2019 (iran-stockpile.csv, 2017 and "
                     "2019-07-10 notes); " + _LEU_LOW_SOURCE)
    return Range(2.0, 4.5, 5.0, "nominal 4.5 %: Iran's stated level, verified by the IAEA from "
                 "8 Jul 2019 (iran-stockpile.csv, 2019-07-10 to 2020-11-11 notes); high 5 %: the "
                 "top of the 'up to 5 %' category; " + _LEU_LOW_SOURCE)


def _stocks(report: StockReport, notes: list[str]) -> tuple[Stock, ...]:
    w = Assay.from_weight_percent
    le2, leu, le20, le60 = _figures(report, notes)
    estimated = report.date in _machines_file()["timeline"].get("estimated_reports", [])
    if estimated:
        notes.append(_machines_file()["timeline"]["estimated_note"])
    rng = leu_assay_pct(report.date)
    leu_pct = rng.nominal
    if leu[0] > 0:
        notes.append(f"up to 5 %: all taken at {leu_pct:g} % U-235 (nominal; the JCPOA limit "
                     f"before July 2019, the highest level Iran produced at up to 5 % after it); "
                     f"the stock's mean assay is not reported and may lie anywhere in "
                     f"{rng.low:g}-{rng.high:g} % ({rng.source}); a lower assay lengthens the "
                     f"runs that feed it, so the nominal shortens the breakout: each scenario's "
                     f"tornado gives the days at both ends ('{LEU_ASSAY_LABEL}')")
    out = [Stock(w(0.711), math.inf, 0.0, "assumption",
                 _machines_file()["timeline"]["natural_uranium"])]
    for pct, (kg, sig) in ((2.0, le2), (leu_pct, leu), (20.0, le20), (60.0, le60)):
        if kg > 0:
            sig = max(sig, _SIGMA["estimated"]) if estimated else sig
            out.append(Stock(w(pct), float(kg), sig, report.source))
    return tuple(out)


def timeline_state(report: StockReport) -> BreakoutState:
    """The breakout state at one report date (see the module docstring for the rules)."""
    if report.gap:
        raise InputError("report", report.date, "a report with at least one stock figure "
                         "(this one is a gap in the public record)")
    notes: list[str] = []
    stocks = _stocks(report, notes)
    start, label, note, groups = _period(report.date)
    notes.append(f"installed cascades: period from {start} ({label}): {note}")
    return BreakoutState(f"Iran {report.date}", stocks, groups, report.date,
                         f"IAEA report {report.report_id or report.date}",
                         assumptions=tuple(notes), sources=(report.source,))


@dataclass(frozen=True, kw_only=True)
class TimelineRow:
    """Breakout time at one report date [days]; ``days`` per plant model (None for a gap);
    ``leu_assay`` the assay range [wt%] of the state's up-to-5 % stock (None without one)."""

    date: str
    report_id: str
    gap: bool
    stocks: tuple[tuple[float, float], ...]
    machines: int
    swu_per_day: float
    days: Mapping[str, float | None]
    lower_bound_days: float | None
    percentiles: Mapping[str, Mapping[int, float]]
    assumptions: tuple[str, ...]
    source: str
    analyst: ScenarioResult | None = None
    all_capacity: ScenarioResult | None = None
    ideal_bound_days: float | None = None
    leu_assay: Range | None = None

    def as_dict(self) -> dict:
        def num(x):
            return None if x is None or not math.isfinite(x) else x
        return {"analyst": None if self.analyst is None else self.analyst.as_dict(),
                "all_capacity": None if self.all_capacity is None
                else self.all_capacity.as_dict(),
                "ideal_bound_days": num(self.ideal_bound_days),
                "leu_assay_wt_pct": None if self.leu_assay is None else self.leu_assay.as_dict(),
                **self._legacy(num)}

    def _legacy(self, num) -> dict:
        return {"date": self.date, "report_id": self.report_id or None, "gap": self.gap,
                "stocks": [{"assay_wt_pct": p, "kg_u": num(kg)} for p, kg in self.stocks],
                "machines": self.machines, "separative_power_kg_swu_per_day": self.swu_per_day,
                "days_to_one_sq": {m: num(d) for m, d in self.days.items()},
                "lower_bound_days": num(self.lower_bound_days),
                "percentiles_days": {m: {f"p{k}": num(v) for k, v in p.items()}
                                     for m, p in self.percentiles.items()},
                "assumptions": list(self.assumptions), "source": self.source}


@dataclass(frozen=True)
class Timeline:
    """Breakout time at each report date, with the assumptions stated."""

    rows: tuple[TimelineRow, ...]
    n_sq: float
    models: tuple[str, ...]
    assumptions: tuple[str, ...]
    sq_definition: str | None = None

    def as_dict(self) -> dict:
        from .assess import sq_statement

        return {"n_sq": self.n_sq, "models": list(self.models),
                "sq_definition": self.sq_definition,
                "sq_statement": sq_statement(self.sq_definition) if self.sq_definition
                else None,
                "assumptions": list(self.assumptions), "rows": [r.as_dict() for r in self.rows],
                "units": {"time": "days", "mass": "kg U", "assay": "wt% U-235"}}

    def __repr__(self) -> str:
        ok = [r for r in self.rows if not r.gap]
        return (f"Timeline({len(self.rows)} report dates {self.rows[0].date} to "
                f"{self.rows[-1].date}, {len(self.rows) - len(ok)} gaps, models "
                f"{', '.join(self.models)})")


_GLOBAL = (
    "stocks from the IAEA-reported record (bundled iran-stockpile.csv) under the rules of "
    "enrichwatch.breakout.timeline; natural uranium unlimited",
    "installed cascades from the bundled installed-machines.toml (installed = available; "
    "each figure with its source or its assumption)",
    "machines at their catalog ratings; see each plan's assumptions for the ladder and tails",
)


def _scenarios(report, n_sq, samples, seed, sq_definition, file, tornado=True):
    """(analyst result or None, all-capacity result, ideal-SWU bound [days]) at a report."""
    from .assess import assess_all_capacity, assess_scenario, ideal_bound_days
    from .scenario import analyst_scenario, load_scenario_file

    file = file if file is not None else load_scenario_file()
    analyst = None
    if report.date in file.analyst:
        analyst = assess_scenario(analyst_scenario(report.date, file), n_sq,
                                  sq_definition=sq_definition, samples=samples, seed=seed,
                                  tornado=tornado)
    allcap = assess_all_capacity(report.date, n_sq, sq_definition=sq_definition,
                                 samples=samples, seed=seed, analyst=analyst, file=file,
                                 tornado=tornado)
    return analyst, allcap, ideal_bound_days(report.date, n_sq, sq_definition=sq_definition,
                                             file=file)


def plan_lb(state, n_sq, sq_u235_kg):
    from .planner import lower_bound
    from .state import product_target_kg_u

    return lower_bound(state, product_target_kg_u(n_sq, sq_u235_kg)).days


def _row(report, n_sq, models, samples, seed, sq_u235_kg, sq_definition=None,
         file=None, tornado=True) -> TimelineRow:
    if report.gap:
        return TimelineRow(date=report.date, report_id=report.report_id, gap=True, stocks=(),
                           machines=0, swu_per_day=0.0, days={m: None for m in models},
                           lower_bound_days=None, percentiles={},
                           assumptions=("gap in the public record: " + report.note,),
                           source=report.source)
    from .montecarlo import monte_carlo

    state = timeline_state(report)
    days, pct, lb = {}, {}, None
    if not models:
        lb = plan_lb(state, n_sq, sq_u235_kg)
    for m in models:
        plan = plan_breakout(state, n_sq, model=m, sq_u235_kg=sq_u235_kg)
        days[m], lb = plan.days_to_n_sq, plan.lower_bound.days
        if samples:
            pct[m] = monte_carlo(state, n_sq, samples=samples, seed=seed, model=m, plan=plan,
                                 sq_u235_kg=sq_u235_kg).percentiles
    stocks = tuple((100 * float(s.assay.mass_fraction), s.kg_u) for s in state.stocks)
    leu = leu_assay_pct(report.date)
    has_leu = any(abs(p - leu.nominal) <= 1e-9 * leu.nominal for p, _ in stocks)
    analyst = allcap = bound = None
    if sq_definition is not None:
        analyst, allcap, bound = _scenarios(report, n_sq, samples, seed, sq_definition, file,
                                            tornado)
    return TimelineRow(date=report.date, report_id=report.report_id, gap=False, stocks=stocks,
                       machines=state.n_machines,
                       swu_per_day=state.separative_power_kg_swu_per_day, days=days,
                       lower_bound_days=lb, percentiles=pct, assumptions=state.assumptions,
                       source=report.source, analyst=analyst, all_capacity=allcap,
                       ideal_bound_days=bound, leu_assay=leu if has_leu else None)


def breakout_timeline(n_sq: float = 1, *, models=("repiped", "as-built"), samples: int = 0,
                      seed: int = 0, since: str = "2016", until: str = "2026",
                      progress: ProgressLike = None, sq_u235_kg: float = SQ_HEU_U235_KG,
                      sq_definition: str | None = None, scenario_file=None,
                      tornado: bool = True) -> Timeline:
    """Breakout time at every report date of the bundled record between ``since`` and
    ``until`` (ISO date prefixes).

    With ``sq_definition`` ('iaea' or '90pct'; it then sets the SQ), every row also holds the
    two scenario families of :mod:`.scenario`, side by side: the **analyst** scenario (dates
    with a published estimate's assumptions) and the **all-capacity** scenario, each with its
    Monte Carlo band (``samples``), tornado and assumptions, and the ideal-SWU bound of every
    installed machine. The per-model ``days`` are the unconstrained plans of every installed
    machine (no set-up, stations, hold-up or losses): an upper limit on capability, not a
    breakout estimate.

    Parameters
    ----------
    n_sq : float
        Significant quantities (1 for the usual breakout time).
    models : tuple of str
        Plant models of the unconstrained plans ('repiped', 'as-built'; may be empty).
    samples : int
        Monte Carlo samples per date and model (0: none).
    seed : int
    progress : Progress, optional
        One phase of report dates, advanced as each is done (:mod:`enrichwatch.parallel`; a
        plain callable ``progress(done, total)`` is called after each date).
    tornado : bool
        With ``sq_definition``: each scenario's tornado (one assumption swung at a time, and
        ``driver``). Most of a cold timeline's physics is the tornado's: the rates of every
        machine type at the low and high ends of its rating and of its stage factor (nine
        machines per rating-defined type instead of one) and of the up-to-5 % assay range.
        Off (False), the scenarios hold no tornado, no driver and no ``leu_assay_range``
        (their assumptions say the range's days come with the tornado); every other number
        is the same, to the last bit (the nominal plans never read the tornado's rates).

    Returns
    -------
    Timeline
    """
    models = tuple(models)
    file = None
    if sq_definition is not None:
        from .assess import sq_u235_kg as _sq
        from .scenario import load_scenario_file

        sq_u235_kg = _sq(sq_definition)
        file = load_scenario_file(scenario_file)
    reports = [r for r in stock_reports() if since <= r.date < until]
    rows = []
    bar = as_progress(progress)
    bar.start(len(reports), "report dates")
    try:
        for report in reports:
            rows.append(_row(report, n_sq, models, samples, seed, sq_u235_kg, sq_definition,
                             file, tornado))
            bar.advance(1)
    finally:
        bar.close()
    return Timeline(tuple(rows), float(n_sq), models, _GLOBAL, sq_definition)


def _when(text: str) -> _date:
    """The day a report date stands for: itself, or the 15th for a month ``YYYY-MM``."""
    return parse_date(text + "-15" if len(text) == 7 else text, "report date")


def plot_timeline(timeline: Timeline, ax=None):
    """Breakout time against report date (log scale), one line per model, the ideal-SWU
    lower bound dashed, the Monte Carlo 5-95 % band shaded when present, gaps marked.

    Parameters
    ----------
    timeline : Timeline
    ax : matplotlib Axes, optional
        Drawn on a new figure (Agg canvas, no pyplot state) when not given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.0, 4.2))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    rows = [r for r in timeline.rows if not r.gap]
    x = [_when(r.date) for r in rows]
    for m in timeline.models:
        y = [r.days[m] for r in rows]
        ax.plot(x, y, marker="o", ms=3, label=f"unconstrained, {m} plant",
                gid=f"timeline-{m}")
        if all(m in r.percentiles for r in rows) and rows:
            lo = [r.percentiles[m][5] for r in rows]
            hi = [r.percentiles[m][95] for r in rows]
            ax.fill_between(x, lo, hi, alpha=0.2, gid=f"band-{m}")
    for key, label, style in (("analyst", "analyst scenario", "s-"),
                              ("all_capacity", "all-capacity scenario", "^-")):
        pts = [(xi, getattr(r, key)) for xi, r in zip(x, rows, strict=True)
               if getattr(r, key) is not None]
        if not pts:
            continue
        gid = key.replace("_", "-")
        ax.plot([p[0] for p in pts], [p[1].days for p in pts], style, ms=4, label=label,
                gid=f"timeline-{gid}")
        band = [(xi, s.percentiles) for xi, s in pts if s.percentiles]
        if band:
            ax.fill_between([b[0] for b in band], [b[1][5] for b in band],
                            [b[1][95] for b in band], alpha=0.15, gid=f"band-{gid}")
    ax.plot(x, [r.lower_bound_days for r in rows], ls="--", color="0.4",
            label="ideal-SWU lower bound", gid="timeline-bound")
    for r in timeline.rows:
        if r.gap:
            ax.axvline(_when(r.date), color="0.6", ls=":", gid=f"gap-{r.date}")
    ax.set_yscale("log")
    from .plots import log_days_axis

    log_days_axis(ax)
    ax.set_ylabel(f"days to {timeline.n_sq:g} SQ of 90 % uranium")
    ax.set_xlabel("IAEA report date")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return ax

