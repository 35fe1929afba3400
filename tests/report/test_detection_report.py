"""Detection reports (``report.detection``): one misuse and the timeline; self-contained and
escaped."""

from datetime import date

import pytest
from markupsafe import escape

from enrichwatch.breakout.timeline import stock_reports
from enrichwatch.detection import (
    BreakoutProfile,
    breakout_misuse,
    detect,
    detection_timeline,
    load_regime,
)
from enrichwatch.report import render_detection_report, render_detection_timeline_report


def _profile(date_text, days=5.0):
    return BreakoutProfile(date_text, "analyst", "90pct", days, 1.0, 0.0, ("Fordow FFEP",),
                           (), ((1.0, 0.0), (days, 25.0)))


@pytest.fixture(scope="module")
def regime():
    return load_regime()


def _self_contained(html: str) -> None:
    assert "Content-Security-Policy" in html and "<script" not in html and "<link" not in html


def test_one_misuse_report(regime):
    misuse = breakout_misuse(_profile("2023-02-28"), date(2023, 2, 28),
                             name="<b>breakout</b>")
    result = detect(misuse, regime)
    html = render_detection_report(result, regime=regime)
    _self_contained(html)
    assert "&lt;b&gt;breakout&lt;/b&gt;" in html and "<b>breakout</b>" not in html
    assert html.count("<svg") == 1
    d = result.as_dict()
    assert html.count("<tr>") == len(d["measures"]) + 1
    for line in d["assumptions"]:
        assert str(escape(line)) in html
    assert regime.sources["GI23"] in html                  # the sources of the measures shown


def test_timeline_report(regime):
    profiles = {r.date: None if r.gap else _profile(r.date) for r in stock_reports()}
    tl = detection_timeline(regime, profiles=profiles, since="2022", until="2026")
    html = render_detection_timeline_report(tl, regime=regime)
    _self_contained(html)
    assert html.count("<tr>") == len(tl.rows) + 1
    assert "no verification" in html and "Margin" in html
    assert html.count("<svg") == 1
