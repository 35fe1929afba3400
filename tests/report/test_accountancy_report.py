"""The accountancy report (``report.accountancy``): four captioned figures per balance (MUF with
its +/-3 sigma band, CUMUF, SITMUF with Page and h, detection probability against loss size),
the tables, the plant check, the assumptions beside them; self-contained and escaped."""

import pytest

from enrichwatch.accountancy.study import analyse
from enrichwatch.accountancy.study_io import load_study
from enrichwatch.report.accountancy import render_accountancy_report
from tests.accountancy.study_helpers import EXAMPLES


@pytest.fixture(scope="module")
def analysis():
    return analyse(load_study(EXAMPLES / "abrupt-loss.toml"), iterations=200)


def test_the_report(analysis):
    html = render_accountancy_report(analysis, title="<b>acc</b>")
    assert "&lt;b&gt;acc&lt;/b&gt;" in html and "<b>acc</b>" not in html
    assert "Content-Security-Policy" in html and "<script" not in html
    assert html.count("<svg") == 8 == html.count("<figcaption>")
    for figure in ("u-muf-", "u-cumuf-", "u-page-", "u-dp-", "u235-muf-", "u235-dp-"):
        assert f'data-figure="{figure}"' in html
    assert html.count('id="u-muf-legend_1"') == 1               # every plot has a legend
    for text in ("±3 σ-MUF band", "h = 3.37", "Uranium (element) balance",
                 "U-235 (isotope) balance", "MUF alarms: 6", "first alarm at balance 6",
                 "Enrichment-plant check", "the uranium balance F - P - T"):
        assert text in html, text
    for assumption in analysis.assumptions:
        assert assumption.split(" (")[0].replace("'", "&#39;") in html


def test_a_study_without_scenarios_or_plant(analysis):
    from dataclasses import replace

    study = replace(analysis.study, losses=(), plant_check=None)
    html = render_accountancy_report(analyse(study, iterations=50))
    assert html.count("<svg") == 6 and "Enrichment-plant check" not in html


def test_the_balances_come_in_tables_that_fit_800_px(analysis):
    """Issue 16: one table of 14 columns scrolled at 800 px. Now: the balance (9 columns) and
    the tests on it (7), every figure of the former table in one of them, numbers aligned."""
    import re

    html = render_accountancy_report(analysis)
    headers = [re.findall(r"<th[^>]*>(.*?)</th>", row)
               for row in re.findall(r"<tr>(<th.*?)</tr>", html)]
    assert max(len(h) for h in headers) <= 10
    first = analysis.as_dict()["quantities"][0]
    assert ["#", "closes", "beginning", "inputs", "outputs", "ending", "MUF", "σ-MUF",
            "MUF/σ"] in headers
    assert ["#", "closes", "CUMUF", "σ-CUMUF", "SITMUF", "Page", "alarm"] in headers
    balance = first["balances"][5]
    assert f"<td class=\"num\">{balance['cumuf']:.4g}</td>" in html
    assert f"<td class=\"num\">{balance['sitmuf']:+.2f}</td>" in html
    assert "<td>MUF Page</td>" in html                  # text, not a number: left-aligned
