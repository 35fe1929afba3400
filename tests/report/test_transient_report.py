"""Transient reports (``report.transient``): stream assays against time, the stage-by-time map,
the sweep, the answers with ranges and the assumptions beside them; self-contained, escaped."""

from pathlib import Path

import pytest
from markupsafe import escape

from enrichwatch.facility.history import history_from_text
from enrichwatch.physics.transient import sweep_history
from enrichwatch.report import render_transient_report

ROOT = Path(__file__).parents[2]
DECLARED = ROOT / "examples" / "fordow-2023" / "declared.toml"
TEXT = """[history]
name = "<b>cylinder</b> change"
illustrative = true
assumptions = ["feed off <2 h>"]
[initial]
state = "steady"
[outputs]
thresholds_pct = [60.0, 83.7]
[[segments]]
end_h = 1.0
[[segments]]
name = "change"
end_h = 2.0
closure = "closed_throughput"
closure_alternatives = ["closed_design"]
[segments.feeds."5 % feed"]
on = false
[segments.withdrawals]
"HEU product" = "closed"
tails = "closed"
[[segments]]
name = "back"
end_h = 4.0
"""


@pytest.fixture(scope="module")
def report():
    hf = history_from_text(TEXT, DECLARED, str(ROOT / "h.toml"))
    sweep = sweep_history(hf.history, holdup=False, stage_factor=False)
    return hf, sweep, render_transient_report(hf, sweep)


def test_self_contained_and_escaped(report):
    _, _, html = report
    assert "Content-Security-Policy" in html and "<script" not in html and "<link" not in html
    assert "&lt;b&gt;cylinder&lt;/b&gt; change" in html and "<b>cylinder</b>" not in html
    assert "Illustrative reconstruction" in html


def test_plots_tables_and_assumptions(report):
    hf, sweep, html = report
    assert html.count("<svg") == 3
    assert "Assay of every stage against time" in html and "Stream assays against time" in html
    for assumption in sweep.nominal.assumptions:
        assert str(escape(assumption)) in html
    for a in hf.facilities["plant"].info.assumptions:
        assert str(escape(a)) in html
    assert "closed_design" in html and "closure of &#39;change&#39;" in html
    assert "first at or above 83.7 % [h]" in html
