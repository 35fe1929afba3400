"""Breakout reports (``report.breakout``): a plan with and without its Monte Carlo
distribution, and the timeline over the public record; self-contained and escaped."""

from html import escape

import pytest

from enrichwatch.breakout import breakout_timeline, calibration_state, monte_carlo, plan_breakout
from enrichwatch.report import render_breakout_report, render_timeline_report

CSP = "Content-Security-Policy"


@pytest.fixture(scope="module")
def feb_2023():
    state = calibration_state("feb-2023")
    return state, plan_breakout(state)


def _self_contained(html: str) -> None:
    assert CSP in html and "<script" not in html and "<link" not in html
    assert 'src="http' not in html


def test_plan_report_shows_the_schedule_and_the_assumptions(feb_2023):
    _, plan = feb_2023
    html = render_breakout_report(plan, title="<i>Feb 2023</i>")
    _self_contained(html)
    assert "&lt;i&gt;Feb 2023&lt;/i&gt;" in html and "<i>Feb 2023</i>" not in html
    assert html.count("<svg") == 1 and "Uncertainty" not in html
    schedule = plan.as_dict()["schedule"]
    assert schedule and html.count("<tr>") == len(schedule) + 1          # header + entries
    for assumption in plan.assumptions:
        assert escape(assumption, quote=False) in html


def test_plan_report_with_its_distribution(feb_2023):
    state, plan = feb_2023
    dist = monte_carlo(state, samples=200, seed=0, plan=plan)
    html = render_breakout_report(plan, dist)
    _self_contained(html)
    assert html.count("<svg") == 2 and "200 Monte Carlo samples" in html


def test_timeline_report_has_a_row_per_report_date():
    timeline = breakout_timeline(models=("repiped",), since="2023-01", until="2023-06")
    html = render_timeline_report(timeline, title="<b>2023</b>")
    _self_contained(html)
    assert "&lt;b&gt;2023&lt;/b&gt;" in html and html.count("<svg") == 1
    dates = [r.date for r in timeline.rows]
    assert dates == ["2023-02-28", "2023-05-31"]
    assert all(f"<td>{d}</td>" in html for d in dates)
