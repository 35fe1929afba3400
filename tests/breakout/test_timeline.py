"""Breakout time at every IAEA report date of the bundled record."""

import json
import math

import pytest

from enrichwatch.breakout import breakout_timeline, plot_timeline, timeline_state
from enrichwatch.breakout.timeline import machine_periods, stock_reports
from enrichwatch.errors import InputError


@pytest.fixture(scope="module")
def timeline():
    return breakout_timeline(models=("repiped",))


def test_every_report_date_has_a_row_and_the_gap_is_marked(timeline):
    dates = [r.date for r in stock_reports()]
    assert [r.date for r in timeline.rows] == dates
    gaps = [r.date for r in timeline.rows if r.gap]
    assert gaps == ["2025-11-12"]
    assert timeline.rows[-1].days["repiped"] is None


def test_breakout_time_falls_from_a_year_to_days(timeline):
    """JCPOA era (Feb 2019): about a year with 5,060 IR-1 and natural feed (the JCPOA's
    stated goal was at least one year); May 2025: about a day with every installed cascade."""
    rows = {r.date: r for r in timeline.rows}
    assert 250 < rows["2019-02"].days["repiped"] < 550
    assert rows["2025-05-31"].days["repiped"] < 2.0
    assert rows["2019-02"].days["repiped"] > 10 * rows["2022-05-30"].days["repiped"]


def test_lower_bound_holds_at_every_date(timeline):
    for r in timeline.rows:
        if not r.gap:
            assert r.lower_bound_days <= r.days["repiped"] * (1 + 1e-9)


def test_every_row_states_its_assumptions_and_source(timeline):
    for r in timeline.rows:
        assert r.assumptions and r.source
    d = json.loads(json.dumps(timeline.as_dict()))
    assert d["rows"][0]["stocks"][0]["kg_u"] is None           # unlimited natural uranium
    assert "installed" in " ".join(d["assumptions"])


def test_gap_fill_rules_are_stated():
    feb = next(r for r in stock_reports() if r.date == "2023-02-28")
    s = timeline_state(feb)
    text = " ".join(s.assumptions)
    assert "434.7" in text and "3760.7" in text                # the CSV notes' figures
    sep = next(r for r in stock_reports() if r.date == "2022-09-07")
    assert "carried forward" in " ".join(timeline_state(sep).assumptions)
    with pytest.raises(InputError):
        timeline_state(stock_reports()[-1])


def test_machine_periods_cover_the_record():
    periods = machine_periods()
    assert periods[0][0] <= stock_reports()[0].date
    for _start, _, _, groups in periods:
        assert groups and all(g.source for g in groups)


def test_plot(timeline):
    ax = plot_timeline(timeline)
    gids = {line.get_gid() for line in ax.lines}
    assert {"timeline-repiped", "timeline-bound", "gap-2025-11-12"} <= gids
    assert ax.get_yscale() == "log"


def test_monte_carlo_band_on_a_short_window():
    tl = breakout_timeline(models=("repiped",), samples=300, since="2025-05", until="2025-06")
    row = tl.rows[0]
    p = row.percentiles["repiped"]
    assert p[5] <= p[50] <= p[95] and math.isfinite(p[95])
    ax = plot_timeline(tl)
    assert any(c.get_gid() == "band-repiped" for c in ax.collections)
