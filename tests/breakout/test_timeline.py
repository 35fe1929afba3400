"""Breakout time at every IAEA report date of the bundled record (the timeline is slow: the
plans are computed on a few dates; every date gets its ideal-SWU bound)."""

import json
import math

import pytest

from enrichwatch.breakout import Timeline, breakout_timeline, plot_timeline, timeline_state
from enrichwatch.breakout.timeline import leu_assay_pct, machine_periods, stock_reports
from enrichwatch.errors import InputError

FEW = (("2019-02", "2019-03", None), ("2022-05-30", "2022-06", "iaea"),
       ("2025-05", "2025-06", "iaea"))


@pytest.fixture(scope="module")
def timeline():
    """Every date, no plan (the ideal-SWU bound only)."""
    return breakout_timeline(models=())


@pytest.fixture(scope="module")
def few():
    """Three dates with the unconstrained re-piped plan; both scenario families on the last
    two (the JCPOA-era all-capacity search from natural uranium is the slow part)."""
    rows = []
    for since, until, sq in FEW:
        rows += breakout_timeline(models=("repiped",), since=since, until=until,
                                  sq_definition=sq).rows
    return Timeline(tuple(rows), 1.0, ("repiped",), (), "iaea")


def test_every_report_date_has_a_row_and_the_gap_is_marked(timeline):
    dates = [r.date for r in stock_reports()]
    assert [r.date for r in timeline.rows] == dates
    gaps = [r.date for r in timeline.rows if r.gap]
    assert gaps == ["2025-11-12"]
    assert all(math.isfinite(r.lower_bound_days) for r in timeline.rows if not r.gap)


def test_breakout_time_falls_from_a_year_to_days(few):
    """JCPOA era (Feb 2019): about a year with every installed IR-1 (5,060 enriching at the
    FEP and Fordow's 1,044 installed but idle: the all-capacity rule) and natural feed (the
    JCPOA's stated goal was at least one year); May 2025: days, with set-up, in both
    scenarios."""
    rows = {r.date: r for r in few.rows}
    assert rows["2019-02"].machines == 5060 + 1044
    assert 250 < rows["2019-02"].days["repiped"] < 550
    assert rows["2025-05-31"].days["repiped"] < 2.0
    assert rows["2019-02"].days["repiped"] > 10 * rows["2022-05-30"].days["repiped"]
    assert rows["2019-02"].analyst is None and rows["2025-05-31"].analyst is not None
    assert rows["2025-05-31"].all_capacity.days > rows["2025-05-31"].days["repiped"]


def test_bounds_hold(few):
    for r in few.rows:
        assert r.lower_bound_days <= r.days["repiped"] * (1 + 1e-9)
        if r.all_capacity is None:
            continue
        assert r.ideal_bound_days <= r.all_capacity.days
        if r.analyst is not None:
            assert r.all_capacity.days <= r.analyst.days


def test_every_row_states_its_assumptions_and_source(timeline, few):
    for r in timeline.rows:
        assert r.assumptions and r.source
    d = json.loads(json.dumps(timeline.as_dict()))
    assert d["rows"][0]["stocks"][0]["kg_u"] is None           # unlimited natural uranium
    assert "installed" in " ".join(d["assumptions"])
    f = json.loads(json.dumps(few.as_dict()))
    assert f["sq_definition"] == "iaea" and "25 kg U-235" in f["sq_statement"]
    for r in f["rows"]:
        assert r["days_to_one_sq"]["repiped"] is not None          # the existing keys stay
        assert r["leu_assay_wt_pct"]["low"] == 2.0                 # every row feeds LEU
        if r["date"] != "2019-02":
            c = r["all_capacity"]
            assert c["assumptions"] and c["driver"]
            ends = c["leu_assay_range"]                             # the range, both ends
            assert ends["low_wt_pct"] == 2.0 and ends["high_wt_pct"] == 5.0
            # both ends computed (their order is tested where the LEU is the binding feed:
            # where it is not, its level only moves the ladder's tails, either way, by < 3 %)
            assert ends["days_at_low"] > 0 and ends["days_at_high"] > 0
            assert c["scenario"]["leu_assay_wt_pct"]["nominal"] == 4.5


def test_gap_fill_rules_are_stated():
    may = next(r for r in stock_reports() if r.date == "2024-05-27")
    text = " ".join(timeline_state(may).assumptions)
    assert "751.3" in text and "unverified" in text            # an override, with its source
    feb = next(r for r in stock_reports() if r.date == "2023-02-28")
    assert feb.kg_u_le20 == 434.7                               # now in the record itself
    sep = next(r for r in stock_reports() if r.date == "2022-09-07")
    assert "carried forward" in " ".join(timeline_state(sep).assumptions)
    with pytest.raises(InputError):
        timeline_state(stock_reports()[-1])


def test_other_forms_are_not_feed():
    """Sep 2025: 834.4 kg U in other forms (oxide, scrap) are left out of the UF6 feed."""
    report = next(r for r in stock_reports() if r.date == "2025-09")
    assert report.other_kg_u == pytest.approx(834.4)
    text = " ".join(timeline_state(report).assumptions)
    assert "834.4 kg U in other forms" in text


def test_all_capacity_counts_every_installed_machine_in_every_period():
    """The rule of installed-machines.toml: all-capacity = every installed machine, whatever it
    is declared to be doing. A cascade group, once installed, stays in every later period (no
    period states a removal), and the all-capacity scenario at every report date holds every
    machine of its period. (Until Dec 2026 the 2019 JCPOA period left Fordow's 1,044 idle IR-1
    out, which this test catches.)"""
    from enrichwatch.breakout.scenario import all_capacity_scenario
    from enrichwatch.breakout.timeline import _period

    periods = machine_periods()
    for (start, _, _, before), (later_start, _, _, after) in zip(periods, periods[1:],
                                                                 strict=False):
        kept = {g.name: g for g in after}
        for g in before:
            assert g.name in kept, f"{g.name} (installed from {start}) left out at {later_start}"
            assert kept[g.name].n_machines >= g.n_machines, (g.name, later_start)
            assert kept[g.name].facility == g.facility, (g.name, later_start)
    for report in stock_reports():
        if report.gap:
            continue
        groups = _period(report.date)[3]
        sc = all_capacity_scenario(report.date)
        assert {c.group.name for c in sc.cascades} == {g.name for g in groups}, report.date
        assert sc.n_machines == sum(g.n_machines for g in groups), report.date


def test_machine_periods_cover_the_record():
    periods = machine_periods()
    assert periods[0][0] <= stock_reports()[0].date
    for _start, _, _, groups in periods:
        assert groups and all(g.source for g in groups)


def test_plot(timeline, few):
    ax = plot_timeline(timeline)
    gids = {line.get_gid() for line in ax.lines}
    assert {"timeline-bound", "gap-2025-11-12"} <= gids
    assert ax.get_yscale() == "log"
    gids = {line.get_gid() for line in plot_timeline(few).lines}
    assert {"timeline-repiped", "timeline-analyst", "timeline-all-capacity"} <= gids


def test_monte_carlo_band_on_a_short_window():
    tl = breakout_timeline(models=("repiped",), samples=300, since="2025-05", until="2025-06")
    row = tl.rows[0]
    p = row.percentiles["repiped"]
    assert p[5] <= p[50] <= p[95] and math.isfinite(p[95])
    ax = plot_timeline(tl)
    assert any(c.get_gid() == "band-repiped" for c in ax.collections)


def test_the_up_to_5_pct_assay_is_stated():
    """The data review: all "up to 5 %" stock is taken at one assay, which shortens a breakout;
    each state says at which, and the stock it builds is at that assay."""
    reports = {r.date: r for r in stock_reports()}
    for date, pct, high in (("2019-05-31", 3.67, 3.67), ("2021-05-31", 4.5, 5.0)):
        state = timeline_state(reports[date])
        text = " ".join(state.assumptions)
        assert f"all taken at {pct:g} % U-235" in text
        assert f"anywhere in 2-{high:g} %" in text and "up-to-5 % assay" in text
        assert any(abs(s.assay.weight_percent - pct) < 1e-9 for s in state.stocks)
        rng = leu_assay_pct(date)
        assert (rng.low, rng.nominal, rng.high) == (2.0, pct, high) and rng.source


def test_the_up_to_5_pct_range_brackets_the_breakout():
    """The analyst scenario of Sep 2021 (2-5 %, 20 % and 60 % stocks): its tornado holds the
    days at both ends of the assay range, a lower assay never shortens the breakout, and the
    range is stated in the assumptions and the JSON."""
    from enrichwatch.breakout.assess import assess_scenario
    from enrichwatch.breakout.scenario import analyst_scenario

    sc = analyst_scenario("2021-09-07")
    assert sc.leu_assay == leu_assay_pct("2021-09-07")
    r = assess_scenario(sc, sq_definition="90pct")
    ends = r.leu_assay_range
    assert ends["days_at_low"] > r.days * (1 - 1e-6) >= ends["days_at_high"] * (1 - 1e-6)
    row = next(t for t in r.tornado if t.assumption == "up-to-5 % assay")
    assert (row.low, row.high) == ("2 %", "5 %")
    text = " ".join(r.assumptions())
    assert "may lie in 2-5 %" in text and f"{ends['days_at_low']:.3g} days at 2 %" in text
    d = json.loads(json.dumps(r.as_dict()))
    assert d["leu_assay_range"]["days_at_low"] == pytest.approx(ends["days_at_low"])
    # no up-to-5 % stock fed (Feb 2023: 60 % only): no range, no tornado row
    feb = assess_scenario(analyst_scenario("2023-02-28"), sq_definition="90pct",
                          tornado=False)
    assert feb.scenario.leu_assay is None and feb.leu_assay_range is None


def _without_tornado(row: dict) -> dict:
    """A row without what the tornado gives: the tornado, its driver and the days at the two
    ends of the up-to-5 % assay range (and the sentence stating them)."""
    out = dict(row)
    for key in ("analyst", "all_capacity"):
        if out[key] is not None:
            out[key] = {k: v for k, v in out[key].items()
                        if k not in ("tornado", "driver", "leu_assay_range")}
            out[key]["assumptions"] = [a for a in out[key]["assumptions"]
                                       if not a.startswith("up-to-5 % stock fed at")]
    return out


def test_a_timeline_without_the_tornado_differs_only_by_it_and_solves_less(monkeypatch):
    """tornado=False (the web outlook): the same rows to the last bit but for the tornado, its
    driver and the assay-range days taken from it, and none of the tornado's physics (the low
    and high ratings and stage factors), from an empty in-memory rate cache each time."""
    from enrichwatch.breakout import rates

    built = []
    real = rates._build

    def counted(*args):
        built.append(args)
        return real(*args)

    monkeypatch.setattr(rates, "_build", counted)
    window = {"since": "2025-05", "until": "2025-06", "sq_definition": "90pct"}
    try:
        rates.step_rate.cache_clear()
        plain = breakout_timeline(models=("repiped",), tornado=False, **window).as_dict()
        plain_machines = {m for m, *_ in built}
        n_plain = len(built)
        rates.step_rate.cache_clear()
        built.clear()
        full = breakout_timeline(models=("repiped",), **window).as_dict()
    finally:
        rates.step_rate.cache_clear()
    assert [r["analyst"]["tornado"] for r in plain["rows"]] == [[]]
    assert full["rows"][0]["analyst"]["tornado"] and full["rows"][0]["analyst"]["driver"]
    assert [_without_tornado(r) for r in plain["rows"]] == \
        [_without_tornado(r) for r in full["rows"]]
    assert {k: v for k, v in plain.items() if k != "rows"} == \
        {k: v for k, v in full.items() if k != "rows"}
    assert len(built) > n_plain > 0
    assert plain_machines < {m for m, *_ in built}
