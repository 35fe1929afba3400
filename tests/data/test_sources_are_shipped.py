"""Shipped code, data, examples and report templates cite public sources, never a file of the
development tree that users do not have (``shared/reference/...``, the project's notes)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SHIPPED = [p for d in ("src/enrichwatch", "examples")
           for p in sorted((ROOT / d).rglob("*"))
           if p.is_file() and p.suffix in {".toml", ".csv", ".md", ".html", ".json", ".py"}]
UNSHIPPED = re.compile(r"shared/reference|\bdata-review\b|\b(domain|breakout-methods|"
                       r"transient-notes|physics-notes|iran-verification-regime)\.md\b|"
                       r"\biran-cascades\.csv\b")


def test_there_are_shipped_files_to_check():
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_citation_of_an_unshipped_file(path):
    hits = [f"{n}: {line.strip()[:100]}" for n, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if UNSHIPPED.search(line)]
    assert not hits, hits
