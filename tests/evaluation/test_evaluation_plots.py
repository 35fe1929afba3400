"""The record timeline plot (``evaluation.plots``) of the Fordow 2023 case."""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from enrichwatch.evaluation import CaseRecord, Finding, case_records, evaluate
from enrichwatch.evaluation.plots import SEVERITY_COLORS, finding_dates, plot_record_timeline

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


# -- issue 16: labels apart, findings where they became known, severity colours --------------
def _text_boxes(ax):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.figure
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


def _overlapping(boxes):
    return [(a, b) for i, (a, x) in enumerate(boxes) for b, y in boxes[i + 1:]
            if min(x.x1, y.x1) - max(x.x0, y.x0) > 0.5 and min(x.y1, y.y1) - max(x.y0, y.y0) > 0.5]


@pytest.fixture(scope="module")
def jcpoa(fordow):
    records, _ = fordow
    return records, evaluate(records, "FFEP", "2023-02-01", rule_sets=["jcpoa"])


def test_no_two_labels_of_the_timeline_overlap_with_six_findings(jcpoa):
    """Issue 16: with --rules jcpoa six finding labels printed over each other."""
    records, result = jcpoa
    assert len(result.findings) == 6
    ax = plot_record_timeline(records, result.findings, as_of=result.as_of)
    boxes = _text_boxes(ax)
    assert {f"F{i}" for i in range(1, 7)} <= {t for t, _ in boxes}
    assert _overlapping(boxes) == []


def test_findings_sit_where_they_became_known(jcpoa):
    """Issue 16: F2 (declared 22 January) sat on 16 January, before anyone could know it."""
    records, result = jcpoa
    ax = plot_record_timeline(records, result.findings, as_of=result.as_of)
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    for i, f in enumerate(result.findings):
        applied, known = finding_dates(f, records)
        assert lines[f"finding-{i}"].get_xdata()[0] == known
        if applied != known:
            assert lines[f"finding-{i}-applied"].get_xdata()[0] == applied
    assert str(finding_dates(result.findings[1], records)[1]) == "2023-01-22"


def test_findings_are_coloured_by_severity_with_a_legend(jcpoa):
    from matplotlib.colors import to_hex

    records, result = jcpoa
    findings = [replace(f, severity=s) for f, s in
                zip(result.findings, ("high", "medium", "low", "info", "high", "low"),
                    strict=True)]
    ax = plot_record_timeline(records, findings, as_of=result.as_of)
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    for i, f in enumerate(findings):
        assert to_hex(lines[f"finding-{i}"].get_color()) == SEVERITY_COLORS[f.severity]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t for t in legend if t.startswith("severity")] == [
        "severity high", "severity medium", "severity low", "severity info"]


_DAY = st.dates(min_value=date(2022, 1, 1), max_value=date(2022, 3, 1))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_DAY, st.integers(0, 20)), min_size=1, max_size=9))
@example([(date(2022, 1, 1), 0)] * 6)     # found by Hypothesis: "#6" fell on the as-of label
@example([(date(2022, 1, 1), 0)] * 9)
def test_finding_lanes_keep_every_label_clear(spans):
    """Any findings on any dates: one lane each as needed, and no two labels overlap."""
    records = [CaseRecord(i + 1, "sample", "X", day, day + timedelta(days=late), None, "")
               for i, (day, late) in enumerate(spans)]
    findings = [Finding(rule="r", severity="high", title="t", detail="d", evidence=(r.id,))
                for r in records]
    ax = plot_record_timeline(records, findings, as_of=max(r.known_on for r in records))
    assert _overlapping(_text_boxes(ax)) == []
