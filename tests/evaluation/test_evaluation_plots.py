"""The record timeline plot (``evaluation.plots``) of the Fordow 2023 case."""

from pathlib import Path

import pytest

from enrichwatch.evaluation import case_records, evaluate
from enrichwatch.evaluation.plots import plot_record_timeline

CASE = Path(__file__).parents[2] / "examples" / "fordow-2023" / "case.toml"


@pytest.fixture(scope="module")
def fordow():
    records = case_records(CASE)
    return records, evaluate(records, "FFEP", "2023-02-01")


def test_timeline_marks_every_record_and_finding(fordow):
    records, result = fordow
    ax = plot_record_timeline(records, result.findings, as_of=result.as_of)
    gids = {line.get_gid() for line in ax.lines}
    shown = {f"record-{r.id}" for r in records if r.kind not in ("facility", "party")}
    assert shown <= gids
    assert {f"finding-{i}" for i in range(len(result.findings))} <= gids
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["declaration", "inspection", "sample", "report", "finding"]
