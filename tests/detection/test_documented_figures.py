"""The figures the README and examples/detection/README.md show are the ones the code gives
now: the January 2023 check, and rows of the timeline table (the slow breakout planning is
done for a few dates only; the whole table is regenerated with
``examples/detection/timeline_table.py``)."""

import re
from pathlib import Path

import pytest

from enrichwatch.detection import detect, detection_timeline, load_misuse, load_regime

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "README.md", ROOT / "examples" / "detection" / "README.md")
EXAMPLE = ROOT / "examples" / "detection" / "fordow-repiping-2023.toml"
HEADER = "| report | breakout to 1 SQ (days) |"


def _table(document: Path) -> list[str]:
    lines = document.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADER))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")),
               len(lines))
    return lines[start:end]


@pytest.fixture(scope="module")
def tables():
    return {d: _table(d) for d in DOCUMENTS}


def test_both_documents_carry_the_same_timeline_table(tables):
    readme, example = tables.values()
    assert readme == example
    dates = [line.split("|")[1].strip() for line in readme[2:]]
    assert dates[0] == "2016-01-16" and dates[-1] == "2025-11-12" and len(dates) >= 29


@pytest.mark.parametrize(("since", "until"), [("2016", "2017"), ("2023-02", "2023-03"),
                                             ("2025-05", "2026")])
def test_timeline_rows_are_what_the_code_prints(tables, since, until):
    """Implementation Day; the first report after the January 2023 event (analyst breakout);
    May 2025, the first report after the strikes (no verification) and the gap of Nov 2025."""
    computed = detection_timeline(since=since, until=until).as_markdown().splitlines()
    shown = tables[DOCUMENTS[0]]
    assert computed[:2] == shown[:2]
    for row in computed[2:]:
        assert row in shown, row


def test_january_2023_figures_are_what_the_code_gives():
    """The probability of detection within five days, where five days falls, the median and
    the 90th percentile, as the documents state them."""
    regime = load_regime()
    r = detect(load_misuse(EXAMPLE, regime), regime)
    p = r.observed_probability
    for document in DOCUMENTS:
        text = " ".join(document.read_text(encoding="utf-8").split())
        assert f"**{p:.2f}**" in text, document
        assert f"{100 * p:.0f}th percentile" in text, document
        assert re.search(rf"median {r.median_days:.3g} days, 90th percentile "
                         rf"{r.p90_days:.3g} days", text), document
