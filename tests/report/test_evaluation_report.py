"""The evaluation report of the Fordow 2023 case."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.evaluation import Finding, case_records, evaluate
from enrichwatch.evaluation.plots import SEVERITY_COLORS, finding_dates
from enrichwatch.report import render_evaluation_report
from enrichwatch.report.evaluation import render_consequence

CASE = Path(__file__).parents[2] / "examples" / "fordow-2023" / "case.toml"


@pytest.fixture(scope="module")
def fordow():
    records = case_records(CASE)
    return records, evaluate(records, "FFEP", "2023-02-01")


def test_evaluation_report_is_self_contained_and_escaped(fordow):
    records, result = fordow
    html = render_evaluation_report(result, records, title="<b>Fordow</b>")
    assert "&lt;b&gt;Fordow&lt;/b&gt;" in html and "<b>Fordow</b>" not in html
    # the timeline, and the declared and observed configurations of the observed-differs
    # finding (issue 16: a declared-versus-observed diagram)
    assert html.count("<svg") == 3 and "<script" not in html
    for i in range(1, len(result.findings) + 1):
        assert f"F{i} &middot;" in html
    assert "Illustrative reconstruction" in html
    assert "83.7" in html


@pytest.fixture(scope="module")
def jcpoa():
    records = case_records(CASE)
    result = evaluate(records, "FFEP", "2023-02-01", rule_sets=["jcpoa"])
    return result, render_evaluation_report(result, records)


def _finding_blocks(html: str) -> list[str]:
    return re.findall(r'<article class="finding">(.*?)</article>', html, flags=re.S)


DOTTED_KEY = re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+|\[\d+\])")


def test_every_consequence_is_a_sentence_and_a_table_from_its_rule_template(jcpoa):
    """Issue 16: consequences were flattened keys
    (observed_configuration.operating_point.product.rate_kg_u_per_month 4.26236)."""
    result, html = jcpoa
    blocks = _finding_blocks(html)
    assert len(blocks) == len(result.findings) == 6
    for f, block in zip(result.findings, blocks, strict=True):
        kind = "limit" if f.limit else f.rule
        assert f'class="consequence consequence-{kind}"' in block, f.rule
        shown = block.split("<details>")[0]           # the rule's own text is folded away
        assert "<table" in shown and re.search(r"<p>(?:<[^>]+>)*[^<\s]", shown)
        assert not DOTTED_KEY.search(re.sub(r"<[^>]+>", " ", shown)), f.rule
    assert "consequence-generic" not in html


def test_consequence_figures_are_the_findings_own(jcpoa):
    result, html = jcpoa
    blocks = _finding_blocks(html)
    c = result.findings[0].consequence                          # observed differs
    assert f"{c['observed']['product']['assay_wt_pct']:.3g}" in blocks[0]
    assert f"{c['declared']['product']['assay_wt_pct']:.3g}" in blocks[0]
    for d in c["structural_differences"]:
        assert d["observed"].replace(">", "&gt;") in blocks[0]
    late = result.findings[1].consequence
    assert f"{late['days_late']} days late" in blocks[1]
    above = result.findings[2].consequence
    configs = re.search(r'<table class="consequence-configurations">(.*?)</table>', blocks[2],
                        flags=re.S).group(1)
    assert configs.count("<tr") == 1 + len(above["configurations"])
    stated = re.search(r'<table class="consequence-transients">(.*?)</table>', blocks[2],
                       flags=re.S).group(1)
    assert stated.count("<tr") == 1 + len(above["transients"]) >= 2
    for t in above["transients"]:
        assert t["file"] in stated and f"{t['peak_wt_pct']['nominal']:.3g}" in stated
    limit = result.findings[3].consequence
    assert f"{limit['excess']:.4g}" in blocks[3] and "≤ 3.67" in blocks[3]


def test_findings_sit_where_they_became_known_and_show_when_they_applied(jcpoa):
    """Issue 16: F2 (a late declaration) sat on 16 January, before anyone could know it."""
    result, html = jcpoa
    records = case_records(CASE)
    late = result.findings[1]
    assert late.rule == "late-design-change-declaration"
    applied, known = finding_dates(late, records)
    assert (str(applied), str(known)) == ("2023-01-16", "2023-01-22")
    by_id = {r.id: r for r in records}
    assert known == max(by_id[e].known_on for e in late.evidence)
    block = _finding_blocks(html)[1]
    assert "Applied from <span class=\"date\">2023-01-16</span>" in block
    assert "known on\n  <span class=\"date\">2023-01-22</span>" in block


def test_declared_and_observed_diagrams_highlight_the_changed_stream(jcpoa):
    result, html = jcpoa
    block = _finding_blocks(html)[0]
    assert block.count("<svg") == 2
    assert block.count('id="f0-d-changed-link-') == 1          # A.product -> B feed stage
    assert block.count('id="f0-o-changed-link-') == 1          # A.product -> B stage 7
    assert "Declared configuration (record #2)" in block
    assert "Observed configuration (record #4)" in block
    assert all("<svg" not in b for b in _finding_blocks(html)[1:])


def test_findings_and_their_legend_are_coloured_by_severity(jcpoa):
    _, html = jcpoa
    high = SEVERITY_COLORS["high"]
    assert html.count(f'class="badge" style="background: {high}"') == 6
    assert f'<span class="sev" style="color: {high}">&#9670;&nbsp;high</span>' in html


def test_dates_do_not_wrap(jcpoa):
    """Issue 16: dates wrapped as "2022-/11-22"."""
    _, html = jcpoa
    assert re.search(r'<td class="date">2022-11-22</td>', html)
    nowrap = re.search(r"([^{}]*)\{ white-space: nowrap; overflow-wrap: normal; \}", html)
    assert nowrap and "td.date" in nowrap.group(1).split(", ")


_PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False, width=32),
                   st.text("abcxyz <>&", max_size=8))
_KEYS = st.text("abcdefghij_", min_size=1, max_size=8)
_CONSEQUENCE = st.recursive(_PLAIN, lambda inner: st.one_of(
    st.dictionaries(_KEYS, inner, min_size=1, max_size=3),
    st.lists(st.dictionaries(_KEYS, inner, min_size=1, max_size=3), min_size=1, max_size=3),
    st.lists(_PLAIN, max_size=3)), max_leaves=12)


@given(st.dictionaries(_KEYS, _CONSEQUENCE, min_size=1, max_size=4),
       st.sampled_from(["an-unknown-rule", "observed-differs-from-declared",
                        "late-design-change-declaration", "assay-above-declared-maximum"]))
def test_any_consequence_renders_readably_and_escaped(consequence, rule):
    """A consequence no template expects (or a rule template given the wrong shape) falls
    back to nested tables: never dotted keys, never unescaped text, never an exception."""
    f = Finding(rule=rule, severity="info", title="t", detail="d", evidence=(1,),
                consequence=consequence)
    html = str(render_consequence(f))
    assert "<table" in html
    assert "<>" not in re.sub(r"<[^>]+>", "", html)             # user text is escaped
    for key in consequence:
        assert f">{key.replace('_', ' ')}<" in html or f"consequence-{rule}" in html
