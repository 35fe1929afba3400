"""The evaluation report of the Fordow 2023 case."""

from pathlib import Path

import pytest

from enrichwatch.evaluation import case_records, evaluate
from enrichwatch.report import render_evaluation_report

CASE = Path(__file__).parents[2] / "examples" / "fordow-2023" / "case.toml"


@pytest.fixture(scope="module")
def fordow():
    records = case_records(CASE)
    return records, evaluate(records, "FFEP", "2023-02-01")


def test_evaluation_report_is_self_contained_and_escaped(fordow):
    records, result = fordow
    html = render_evaluation_report(result, records, title="<b>Fordow</b>")
    assert "&lt;b&gt;Fordow&lt;/b&gt;" in html and "<b>Fordow</b>" not in html
    assert html.count("<svg") == 1 and "<script" not in html
    for i in range(1, len(result.findings) + 1):
        assert f"F{i} &middot;" in html
    assert "Illustrative reconstruction" in html
    assert "83.7" in html
