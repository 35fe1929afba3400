"""The JCPOA-era report dates of the breakout record, 2016-01-16 to 2018-11 (issue 12): the rows
load with their sources, the reports without a figure carry the JCPOA cap as a stated upper
bound, the installed period is the JCPOA's, and every date gets a finite breakout time from the
analyst scenario that restates the published estimate (about one year) and from the
all-capacity scenario.

The published estimate is compared within the factor of test_scenario.py (1.5), never tuned to.
"""

import csv
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.breakout.assess import assess_scenario, ideal_bound_days
from enrichwatch.breakout.scenario import analyst_scenario
from enrichwatch.breakout.timeline import (
    _period,
    breakout_timeline,
    stock_reports,
    timeline_state,
)
from enrichwatch.files import read_package_text

JCPOA_DATES = ("2016-01-16", "2016-02-26", "2016-05-27", "2016-09-08", "2016-11-09",
               "2017-02-24", "2017-06-02", "2017-08-31", "2017-11-13", "2018-02", "2018-05-24",
               "2018-08-30", "2018-11-12")
CAP_KG_U = 202.8            # JCPOA: 300 kg UF6 enriched up to 3.67 % (domain.md section 2)
PUBLISHED_DAYS = 365.0      # "about one year" (US administration 2015; ISIS 2025), 25 kg WGU
FACTOR = 1.5                # as in test_scenario.py


@pytest.fixture(scope="module")
def rows():
    return {r.date: r for r in stock_reports()}


@pytest.fixture(scope="module")
def raw():
    text = read_package_text("stockpile", "iran-stockpile.csv")
    return {r["report_date"]: r for r in csv.DictReader(io.StringIO(text))}


@pytest.fixture(scope="module")
def jcpoa():
    """Both scenario families at every JCPOA-era date (SQ of the published estimates)."""
    return {r.date: r for r in breakout_timeline(models=(), since="2016", until="2019-01",
                                                 sq_definition="90pct").rows}


def test_the_rows_come_first_in_date_order_and_leave_the_later_rows_alone(rows):
    dates = [r.date for r in stock_reports()]
    assert tuple(dates[:len(JCPOA_DATES)]) == JCPOA_DATES
    assert dates[len(JCPOA_DATES)] == "2019-02"
    assert dates == sorted(dates)
    assert rows["2019-02"].total_kg_u == 163.8          # the first 2019 row as it was


def test_every_row_names_its_sources_and_quotes_its_figures(rows, raw):
    for d in JCPOA_DATES:
        r, line = rows[d], raw[d]
        urls = [u.strip() for u in r.source.split(" ; ")]
        assert urls and all(u.startswith("http") for u in urls), d
        assert r.kg_u_le2 is None and r.kg_u_le20 is None and r.kg_u_le60 is None, d
        if line["as_of"]:
            assert line["as_of"] <= d, d
        if r.total_kg_u is None:
            assert "GAP" in r.note and "UPPER BOUND" in r.note, d
            assert r.kg_u_le5 is None and not r.gap, d   # a stated override, not a gap
        else:
            assert 0 < r.total_kg_u <= CAP_KG_U and r.kg_u_le5 == r.total_kg_u, d
            assert f"{r.total_kg_u:g}" in r.note, d        # the figure as the source gave it
            assert line["as_of"], d


def test_report_ids_are_sourced_and_fit_their_dates(rows):
    """Each report id in the record is a GOV document of its report's year, and no two rows share
    one; the JCPOA-era rows name theirs in the note (with the source that gives it), or say
    that none was found."""
    import re

    ids = [r.report_id for r in rows.values() if r.report_id]
    assert len(ids) == len(set(ids))
    for d, r in rows.items():
        if not r.report_id:
            if d in JCPOA_DATES:
                assert "not found" in r.note.lower() or "not confirmed" in r.note, d
            continue
        assert re.fullmatch(r"GOV/(\d{4})/\d+", r.report_id), (d, r.report_id)
        assert r.report_id[4:8] == d[:4], (d, r.report_id)
        if d < "2019-11":                    # the JCPOA-era rows name the id in their note
            assert r.report_id in r.note, d
    found = {d for d in JCPOA_DATES if rows[d].report_id}
    assert {"2016-02-26", "2016-05-27", "2016-09-08", "2017-08-31", "2017-11-13", "2018-02",
            "2018-05-24"} <= found


def test_unverified_figures_are_marked_and_not_entered(rows):
    feb = rows["2018-02"]
    assert feb.total_kg_u is None and "UNVERIFIED" in feb.note and "109.5" in feb.note


def test_reports_without_a_figure_take_the_cap_as_a_stated_upper_bound(rows):
    for d in JCPOA_DATES:
        state = timeline_state(rows[d])
        leu = [(round(100 * float(s.assay.mass_fraction), 2), s.kg_u, s.uncertainty)
               for s in state.stocks if math.isfinite(s.kg_u)]
        text = " ".join(state.assumptions)
        if rows[d].total_kg_u is None:
            assert leu == [(3.67, CAP_KG_U, 0.0)], d
            assert "UPPER BOUND" in text and "202.8" in text, d
        else:
            assert leu == [(3.67, rows[d].total_kg_u, 0.02)], d
    assert stock_reports()[-1].gap                           # Nov 2025 stays a gap


def test_the_installed_period_is_the_jcpoa_plant():
    """5,060 IR-1 in 30 cascades at the Natanz FEP; 1,044 IR-1 in six at Fordow, installed
    but not enriching, in every report under the JCPOA limits (2016 to the 2019 reports before
    Fordow was fed again on 9 Nov 2019): the all-capacity rule is the same in every period."""
    for d in JCPOA_DATES + ("2019-02", "2019-05-31", "2019-07-10", "2019-08-30"):
        start, _, _, groups = _period(d)
        assert start == ("2016-01-16" if d in JCPOA_DATES else "2019-02")
        at = {f: [g for g in groups if g.facility == f] for f in ("Natanz FEP", "Fordow FFEP")}
        assert sum(g.machines * g.count for g in at["Natanz FEP"]) == 5060
        assert sum(g.count for g in at["Natanz FEP"]) == 30
        assert sum(g.machines * g.count for g in at["Fordow FFEP"]) == 1044
        assert sum(g.count for g in at["Fordow FFEP"]) == 6
        assert all(g.machine.name == "IR-1" and g.source for g in groups)


def test_every_date_gets_a_finite_breakout_time_in_both_families(jcpoa):
    assert tuple(jcpoa) == JCPOA_DATES
    for d, row in jcpoa.items():
        assert not row.gap, d
        assert row.analyst is not None and row.all_capacity is not None, d
        assert math.isfinite(row.analyst.days) and math.isfinite(row.all_capacity.days), d
        assert row.analyst.days >= row.all_capacity.days >= row.ideal_bound_days > 0, d
        assert row.analyst.setup_days > 0, d                 # re-piping counted


def test_the_up_to_3_67_pct_stock_is_a_stated_range(jcpoa):
    """Under the JCPOA the stock is "up to 3.67 %": fed at 3.67 %, with the breakout at 2 %
    (its low end) beside it in both families; 2 % never shortens it."""
    for d, row in jcpoa.items():
        assert (row.leu_assay.low, row.leu_assay.nominal, row.leu_assay.high) == \
            (2.0, 3.67, 3.67), d
        for result in (row.analyst, row.all_capacity):
            ends = result.leu_assay_range
            assert ends is not None and ends["high_wt_pct"] == 3.67, d
            assert ends["days_at_low"] > ends["days_at_high"] > 0, d
            assert any(t.assumption == "up-to-5 % assay" for t in result.tornado), d


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.floats(2.0, 3.67), b=st.floats(2.0, 3.67))
def test_a_less_enriched_stock_never_shortens_the_jcpoa_breakout(a, b):
    """The fluid optimum with the capped stock at the lower of two assays is never shorter."""
    sc = analyst_scenario("2016-01-16")
    lo, hi = sorted((a, b))

    def days(pct):
        x = sc.at_leu_assay(pct) if pct != sc.leu_assay.nominal else sc
        return assess_scenario(x, sq_definition="90pct", tornado=False, integer=False).days

    assert days(lo) >= days(hi) * (1 - 1e-9)


def test_the_analyst_scenario_restates_the_published_estimate(jcpoa):
    for d in JCPOA_DATES:
        sc = analyst_scenario(d)
        assert sc.method.startswith("JCPOA estimate") and "one year" in sc.method
        assert sum(c.group.machines * c.group.count for c in sc.cascades) == 5060
        assert {c.group.facility for c in sc.cascades} == {"Natanz FEP"}
    days = jcpoa["2016-01-16"].analyst.days
    assert PUBLISHED_DAYS / FACTOR <= days <= PUBLISHED_DAYS * FACTOR


def test_reports_with_the_same_state_give_the_same_time(jcpoa, rows):
    capped = [d for d in JCPOA_DATES if rows[d].total_kg_u is None]
    assert len(capped) >= 2
    assert len({jcpoa[d].analyst.days for d in capped}) == 1
    assert len({jcpoa[d].all_capacity.days for d in capped}) == 1


def test_more_leu_never_lengthens_the_fluid_plan_or_the_bound(rows):
    """Same machines at every JCPOA date: ordered by the LEU stock, the ideal-SWU bound and the
    analyst's fluid optimum (LP) never rise. (The integer plans may differ by a fraction of a
    day: 79.8 kg gives 321.0 days, 88.4 kg 321.4 days; the MILP is not monotone.)"""
    by_stock = {}
    for d in JCPOA_DATES:
        by_stock.setdefault(rows[d].total_kg_u or CAP_KG_U, d)
    ordered = [by_stock[k] for k in sorted(by_stock)]
    bound = [ideal_bound_days(d, sq_definition="90pct") for d in ordered]
    fluid = [assess_scenario(analyst_scenario(d), sq_definition="90pct", tornado=False,
                             integer=False).days for d in ordered]
    for seq in (bound, fluid):
        assert all(b <= a * (1 + 1e-9) for a, b in zip(seq, seq[1:], strict=False)), seq
    assert bound[0] > bound[-1] and fluid[0] > fluid[-1]   # the stock matters


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.0, 1.0))
def test_less_of_the_capped_stock_never_shortens_the_jcpoa_breakout(scale):
    """Below the cap the true stock is unknown: any smaller stock gives a fluid breakout time
    at least as long, so the time at the cap is a lower bound for those dates."""
    import dataclasses

    sc = analyst_scenario("2016-01-16")
    less = dataclasses.replace(sc, stocks=tuple(
        dataclasses.replace(s, kg_u=s.kg_u * scale) if math.isfinite(s.kg_u) else s
        for s in sc.stocks))

    def days(x):
        return assess_scenario(x, sq_definition="90pct", tornado=False, integer=False).days

    assert days(less) >= days(sc) * (1 - 1e-9)
