"""Detection time against breakout time at every IAEA report date, 2016-2025.

For every report date of the bundled stockpile record (the dates of
:func:`enrichwatch.breakout.breakout_timeline`), the breakout of the analyst scenario (the
all-capacity scenario where the record has no published estimate's assumptions, or where the
analyst's plan cannot reach one SQ) is taken to start on that date, at the sites it uses, under
the regime then in force; the row gives the days to one SQ beside the detection time (median,
90th percentile) and the **margin**, detection minus breakout: positive, one SQ exists before
verification would likely see the breakout; negative, verification would likely see it first.
Implementation Day (2016-01-16) opens the table: the bundled stockpile record holds it and the
JCPOA-era reports of 2016-2018 (where a report gives no stock figure, the JCPOA cap of 202.8 kg U,
an upper bound, stated in the row's breakout assumptions). A record without that date still gets
an Implementation Day row, with the regime alone and no breakout time.

The breakout schedules are the slow part (about a second or two per date). They are computed
once per date and cached (:func:`~.profile.breakout_profile`, Monte Carlo and tornado off), or
taken from a breakout timeline already computed: a
:class:`~enrichwatch.breakout.Timeline` made with ``sq_definition``, or its JSON
(``enrichwatch breakout --timeline --json``), or a mapping of date to
:class:`~.profile.BreakoutProfile`.

Examples
--------
>>> from enrichwatch.detection.profile import BreakoutProfile
>>> p = BreakoutProfile("2025-05-31", "analyst", "90pct", 3.1, 1.0, 0.0, ("Fordow FFEP",))
>>> t = detection_timeline(profiles={"2025-05-31": p}, since="2025-05", until="2025-06")
>>> row = t.rows[0]
>>> row.breakout_days, round(row.detection_median_days, 2), round(row.margin_days, 2)
(3.1, 1.99, -1.11)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..dates import parse_date
from ..parallel import ProgressLike, as_progress
from .detect import ASSUMPTIONS, DetectionResult, detect
from .misuse import breakout_misuse, misuse_of_kind
from .profile import BreakoutProfile, breakout_profile, profile_from_dict
from .regime import Era, Regime

__all__ = ["DetectionTimeline", "DetectionTimelineRow", "IMPLEMENTATION_DAY",
           "detection_timeline", "markdown_table", "profiles_from_breakout"]

#: JCPOA Implementation Day (regime file sources G16, A16): the first row of the timeline.
IMPLEMENTATION_DAY = "2016-01-16"


def _when(text: str) -> date:
    """The day a report date stands for: itself, or the 15th for a month ``YYYY-MM``."""
    return parse_date(text + "-15" if len(text) == 7 else text, "report date")


def _num(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


@dataclass(frozen=True)
class DetectionTimelineRow:
    """Breakout and detection at one report date [days from the start of the breakout]."""

    date: str
    report_id: str
    profile: BreakoutProfile | None
    result: DetectionResult
    note: str = ""

    @property
    def breakout_days(self) -> float | None:
        return None if self.profile is None or not math.isfinite(self.profile.days) \
            else self.profile.days

    @property
    def detection_median_days(self) -> float:
        return self.result.median_days

    @property
    def detection_p90_days(self) -> float:
        return self.result.p90_days

    @property
    def margin_days(self) -> float | None:
        """Median detection minus breakout [days] (inf: no verification)."""
        b = self.breakout_days
        return None if b is None else self.detection_median_days - b

    @property
    def margin_p90_days(self) -> float | None:
        b = self.breakout_days
        return None if b is None else self.detection_p90_days - b

    def as_dict(self) -> dict:
        r = self.result
        p = self.profile
        return {"date": self.date, "report_id": self.report_id or None,
                "regime_date": r.on.isoformat(), "era": r.era or None,
                "breakout_days": self.breakout_days,
                "breakout_basis": None if p is None else p.basis,
                "sites": list(r.misuse.facilities),
                "detection_median_days": _num(self.detection_median_days),
                "detection_p90_days": _num(self.detection_p90_days),
                "detection_ever": r.distribution.probability_ever,
                "probability_detected_before_1sq": r.probability_before_completion,
                "probability_within_timeliness": r.probability_within_timeliness,
                "margin_days": _num(self.margin_days),
                "margin_p90_days": _num(self.margin_p90_days),
                "no_verification": not r.distribution.activities,
                "heu_at_median_detection_kg_u": r.heu_at_median_kg(),
                "activities": [a.describe() for a in r.distribution.activities],
                "breakout": None if p is None else p.as_dict(),
                "note": self.note or None}


@dataclass(frozen=True)
class DetectionTimeline:
    """Detection against breakout at each report date, with the assumptions stated."""

    rows: tuple[DetectionTimelineRow, ...]
    regime: str
    sq_definition: str
    basis: str
    timeliness_days: float
    assumptions: tuple[str, ...]
    eras: tuple[Era, ...] = ()

    def as_dict(self) -> dict:
        return {"regime": self.regime, "sq_definition": self.sq_definition,
                "breakout_basis": self.basis, "timeliness_days": self.timeliness_days,
                "headline": "margin = detection (median) minus breakout: > 0, one SQ exists "
                            "before verification would likely detect the breakout",
                "assumptions": list(self.assumptions),
                "rows": [r.as_dict() for r in self.rows],
                "units": {"time": "days from the start of the breakout", "mass": "kg U"}}

    def as_markdown(self) -> str:
        """The table as Markdown (the README's; see :func:`markdown_table`)."""
        return markdown_table(self.as_dict())

    def __repr__(self) -> str:
        return (f"DetectionTimeline({len(self.rows)} dates {self.rows[0].date} to "
                f"{self.rows[-1].date}, regime {self.regime!r})")


_MD_HEADER = ("| report | breakout to 1 SQ (days) | scenario | detection median (days) | "
              "detection P90 (days) | margin (days) | P(detected before 1 SQ) |\n"
              "| --- | ---: | --- | ---: | ---: | ---: | ---: |")


def _md_days(x: float | None) -> str:
    return "never" if x is None else f"{x:.3g}"


def _md_row(r: Mapping) -> str:
    b, m, p = r["breakout_days"], r["margin_days"], r["probability_detected_before_1sq"]
    if r["no_verification"] and b is not None:
        margin = "∞ (no verification)"
    else:
        margin = "—" if m is None else f"{m:+.3g}"
    cells = (r["date"], "—" if b is None else f"{b:.3g}", r["breakout_basis"] or "—",
             _md_days(r["detection_median_days"]), _md_days(r["detection_p90_days"]), margin,
             "—" if p is None else f"{p:.2f}")
    return "| " + " | ".join(cells) + " |"


def markdown_table(timeline: Mapping) -> str:
    """The timeline as a Markdown table, from :meth:`DetectionTimeline.as_dict` or the JSON of
    ``enrichwatch detection --timeline --json``: report date, days to one SQ and the breakout
    scenario, detection median and 90th percentile, margin (median minus breakout; "∞" where
    nothing verifies), P(detected before one SQ). Days to 3 significant figures.

    >>> row = {"date": "2025-09", "breakout_days": 2.57, "breakout_basis": "all-capacity",
    ...        "detection_median_days": None, "detection_p90_days": None, "margin_days": None,
    ...        "no_verification": True, "probability_detected_before_1sq": 0.0}
    >>> print(markdown_table({"rows": [row]}).splitlines()[-1])
    | 2025-09 | 2.57 | all-capacity | never | never | ∞ (no verification) | 0.00 |
    """
    return "\n".join([_MD_HEADER, *(_md_row(r) for r in timeline["rows"])])


def _pick(entry: Mapping | None, basis: str) -> Mapping | None:
    if entry is None:
        return None
    a, c = entry.get("analyst"), entry.get("all_capacity")
    if basis == "analyst":
        return a
    if basis == "all-capacity":
        return c
    return a if a is not None and a.get("days") is not None else c


def profiles_from_breakout(breakout, basis: str = "auto") -> dict[str, BreakoutProfile | None]:
    """Profiles by report date from a breakout timeline already computed (a
    :class:`~enrichwatch.breakout.Timeline` made with ``sq_definition``, or its ``as_dict()``
    / JSON); None for a gap."""
    data = breakout.as_dict() if hasattr(breakout, "as_dict") else breakout
    out: dict[str, BreakoutProfile | None] = {}
    for row in data["rows"]:
        chosen = None if row.get("gap") else _pick(row, basis)
        if chosen is not None:
            chosen = {"sq_definition": data.get("sq_definition"), **chosen}
        out[row["date"]] = None if chosen is None else profile_from_dict(chosen, row["date"])
    return out


def _row(date_text, report_id, regime, profile, note) -> DetectionTimelineRow:
    when = _when(date_text)
    if profile is None:
        misuse = misuse_of_kind("breakout", f"breakout at {date_text}", regime.facilities,
                                when)
    else:
        misuse = breakout_misuse(profile, when)
    return DetectionTimelineRow(date_text, report_id, profile, detect(misuse, regime), note)


def _report_row(rep, given, regime, basis, sq_definition) -> DetectionTimelineRow:
    if rep.date in given:
        profile = given[rep.date]
    else:
        profile = None if rep.gap else breakout_profile(rep.date, basis, sq_definition)
    return _row(rep.date, rep.report_id, regime, profile, _GAP if rep.gap else "")


_GAP = "gap in the public record: no breakout time; detection for a breakout at every plant"
_JCPOA = ("Implementation Day: not in the stockpile record, so no breakout time is computed (the "
          "JCPOA's stated goal was at least one year); detection for a breakout at every plant")


def detection_timeline(regime: Regime | None = None, *, profiles=None, breakout=None,
                       basis: str = "auto", sq_definition: str = "90pct", since: str = "2016",
                       until: str = "2026",
                       progress: ProgressLike = None) -> DetectionTimeline:
    """Detection against breakout at every report date between ``since`` and ``until`` (ISO
    prefixes), Implementation Day first (see the module docstring).

    Parameters
    ----------
    regime : Regime, optional
        Default: the bundled regime (Iran, 2016-2025).
    profiles : mapping of str to BreakoutProfile, optional
        Breakout profiles by report date (None for a gap); dates not in it are computed.
    breakout : Timeline or dict, optional
        A breakout timeline already computed (or its JSON), instead of ``profiles``.
    basis : {'auto', 'analyst', 'all-capacity'}
    sq_definition : {'iaea', '90pct'}
        For the breakout schedules computed here.
    progress : Progress, optional
        One phase of report dates, advanced as each is done (:mod:`enrichwatch.parallel`; a
        plain callable ``progress(done, total)`` is called after each date).
    """
    from ..breakout.timeline import stock_reports
    from .regime_io import load_regime

    regime = load_regime() if regime is None else regime
    given = dict(profiles or {})
    if breakout is not None:
        given = {**profiles_from_breakout(breakout, basis), **given}
    inside = [r for r in stock_reports() if since <= r.date < until]
    reports = [r for r in inside if regime.covers(_when(r.date))]
    rows = []
    if (since <= IMPLEMENTATION_DAY < until and regime.covers(_when(IMPLEMENTATION_DAY))
            and IMPLEMENTATION_DAY not in {r.date for r in inside}):
        rows.append(_row(IMPLEMENTATION_DAY, "", regime, None, _JCPOA))
    bar = as_progress(progress)
    bar.start(len(reports), "report dates")
    try:
        for rep in reports:
            rows.append(_report_row(rep, given, regime, basis, sq_definition))
            bar.advance(1)
    finally:
        bar.close()
    timeliness = rows[0].result.misuse.timeliness_days if rows else math.nan
    notes = ASSUMPTIONS + (
        "each breakout starts on the report date (the 15th for a month) at the sites of its "
        "cascades and of its feed stock, under the regime then in force",
        f"breakout: {basis} scenario of the breakout planner (analyst where the record has a "
        f"published estimate's assumptions and it reaches one SQ; all-capacity otherwise), "
        f"nominal plan, SQ definition {sq_definition}",
        "the breakout is revealed as the bundled 'breakout' misuse kind says "
        "(data/regimes/misuse-indicators.toml: every probability an assumption)")
    left = [r.date for r in inside if r not in reports]
    if left:
        notes += (f"report dates the regime does not cover left out ({', '.join(left)}; the "
                  f"regime covers {regime.coverage().removeprefix('a date the regime covers: ')})",)
    return DetectionTimeline(tuple(rows), regime.name, sq_definition, basis, timeliness, notes,
                             regime.eras)
