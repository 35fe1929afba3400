"""Detection against breakout at every IAEA report date (fast: breakout profiles given;
one date computed through the breakout planner)."""

import json
import math
from dataclasses import replace
from datetime import date

import pytest

from enrichwatch.breakout.timeline import stock_reports
from enrichwatch.detection import (
    BreakoutProfile,
    detection_timeline,
    load_regime,
    plot_detection_timeline,
    profiles_from_breakout,
)
from enrichwatch.detection.timeline import IMPLEMENTATION_DAY


def _profile(date_text, days):
    return BreakoutProfile(date_text, "analyst", "90pct", days, 1.0, 0.0,
                           ("Fordow FFEP",), ("Fordow FFEP",), ((1.0, 0.0), (days, 25.0)))


@pytest.fixture(scope="module")
def synthetic():
    """Every report date with a breakout of 300 days falling to 3 days (not a computation)."""
    reports = [r for r in stock_reports()]
    n = len(reports)
    profiles = {r.date: None if r.gap else _profile(r.date, 300.0 * 0.01 ** (i / (n - 1)))
                for i, r in enumerate(reports)}
    return detection_timeline(profiles=profiles), profiles


def test_a_row_per_report_date_and_implementation_day_first(synthetic):
    tl, _ = synthetic
    dates = [r.date for r in tl.rows]
    assert dates == [r.date for r in stock_reports()]        # Implementation Day is in the record
    assert dates[0] == IMPLEMENTATION_DAY and dates.count(IMPLEMENTATION_DAY) == 1
    first = tl.rows[0]
    assert first.breakout_days == 300.0 and first.note == ""  # a breakout time, not a gap
    assert first.result.on == date(2016, 1, 16) and first.result.era.startswith("JCPOA")
    gap = next(r for r in tl.rows if r.date == "2025-11-12")
    assert gap.profile is None and "gap" in gap.note


def test_margin_is_detection_minus_breakout(synthetic):
    tl, profiles = synthetic
    for row in tl.rows:
        if row.breakout_days is None or not math.isfinite(row.detection_median_days):
            continue
        assert row.breakout_days == profiles[row.date].days
        assert math.isclose(row.margin_days, row.detection_median_days - row.breakout_days)
        assert math.isclose(row.margin_p90_days, row.detection_p90_days - row.breakout_days)
        assert row.result.probability_before_completion == pytest.approx(
            row.result.distribution.cdf(row.breakout_days))


def test_no_verification_after_the_strikes(synthetic):
    tl, _ = synthetic
    for row in tl.rows:
        after = row.result.on >= date(2025, 6, 13)
        assert (row.result.distribution.activities == ()) == after, row.date
        if after:
            d = row.as_dict()
            assert d["no_verification"] and d["detection_median_days"] is None
            assert row.margin_days == (None if row.profile is None else math.inf)


def test_regime_changes_show_in_the_detection_time(synthetic):
    """With the same sites, losing the JCPOA measures lengthens detection."""
    tl, _ = synthetic
    by = {r.date: r for r in tl.rows}
    assert by["2021-02-23"].detection_median_days > by["2020-11-11"].detection_median_days


def test_json_is_strict_and_complete(synthetic):
    tl, _ = synthetic
    d = json.loads(json.dumps(tl.as_dict(), allow_nan=False))
    assert d["sq_definition"] == "90pct" and "margin" in d["headline"]
    assert len(d["rows"]) == len(tl.rows) and d["assumptions"]
    row = next(r for r in d["rows"] if r["date"] == "2023-02-28")
    assert row["breakout"]["heu_profile"] and row["activities"]


def test_plot_marks_breakout_detection_and_no_verification(synthetic):
    tl, _ = synthetic
    ax = plot_detection_timeline(tl)
    gids = {a.get_gid() for a in ax.lines + ax.collections}
    assert {"breakout", "detection", "no-verification", "timeliness", "detection-band",
            "margin-late", "margin-early"} <= gids
    assert ax.get_yscale() == "log"


def test_profiles_from_a_breakout_timeline_json():
    """The JSON of `enrichwatch breakout --timeline --json` (analyst where present, else the
    all-capacity scenario; gaps stay gaps)."""
    def result(kind, days):
        return {"kind": kind, "days": days, "setup_days": 1.0, "transport_days": 0.0,
                "schedule": [], "scenario": {"cascades": [{"site": "Fordow FFEP"}],
                                             "sites": [], "stocks": []}}

    data = {"sq_definition": "iaea", "rows": [
        {"date": "2023-09-04", "gap": False, "analyst": result("analyst", None),
         "all_capacity": result("all-capacity", 3.0)},
        {"date": "2025-05-31", "gap": False, "analyst": result("analyst", 2.9),
         "all_capacity": result("all-capacity", 2.5)},
        {"date": "2025-11-12", "gap": True, "analyst": None, "all_capacity": None}]}
    p = profiles_from_breakout(data)
    assert p["2023-09-04"].basis == "all-capacity" and p["2023-09-04"].days == 3.0
    assert p["2025-05-31"].basis == "analyst" and p["2025-05-31"].sq_definition == "iaea"
    assert p["2025-11-12"] is None
    assert profiles_from_breakout(data, "all-capacity")["2025-05-31"].days == 2.5
    tl = detection_timeline(breakout=data, since="2025-05", until="2025-06")
    assert [r.date for r in tl.rows] == ["2025-05-31"] and tl.rows[0].breakout_days == 2.9


def test_one_date_computed_through_the_breakout_planner():
    tl = detection_timeline(load_regime(), since="2025-05", until="2025-06")
    (row,) = tl.rows
    assert row.profile.basis == "analyst" and 1.0 < row.breakout_days < 10.0
    assert row.result.misuse.facilities == row.profile.facilities
    assert 0.0 < row.result.probability_before_completion < 1.0


def test_report_dates_a_regime_does_not_cover_are_left_out_and_said_so(synthetic):
    """The bundled regime's periods from 2022-06-08 on only: earlier report dates (and
    Implementation Day) are left out, and the assumptions say which."""
    _, profiles = synthetic
    iran = load_regime()
    late = replace(iran, measures=tuple(
        replace(m, periods=tuple(p for p in m.periods if p.start >= date(2022, 6, 8)))
        for m in iran.measures))
    late = replace(late, measures=tuple(m for m in late.measures if m.periods))
    first = late.first_date
    tl = detection_timeline(late, profiles=profiles)
    assert tl.rows and all(r.result.on >= first for r in tl.rows)
    assert IMPLEMENTATION_DAY not in [r.date for r in tl.rows]
    left = [r.date for r in stock_reports() if r.date < first.isoformat()[:len(r.date)]]
    assert left and any(a.startswith("report dates the regime does not cover left out ("
                                     + ", ".join(left)) for a in tl.assumptions)
