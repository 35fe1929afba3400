"""The material balance area: half-open periods, items, flows, levels, element and isotope
balances, and the linear design."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.accountancy import (
    BalancePeriods,
    Flow,
    Items,
    Level,
    MaterialBalanceArea,
    MeasurementPoint,
    balance_design,
    material_balance,
)
from enrichwatch.errors import InputError, UnknownNameError
from tests.accountancy.helpers import balanced_plant

w = Items.from_weight_percent


def _area(*points):
    return MaterialBalanceArea("a", points)


def test_item_on_a_boundary_belongs_to_the_period_ending_there():
    periods = BalancePeriods.regular(0.0, 10.0, 3)
    assert periods.period_of(np.array([0.0, 1e-6, 10.0, 10.0 + 1e-6, 30.0, 30.5])).tolist() == \
        [-1, 0, 0, 1, 2, -1]


def test_time_stamps_within_round_off_of_a_boundary_are_on_it():
    periods = BalancePeriods.regular(0.0, 0.1, 3)                 # 0.1 * 3 != 0.3 in floats
    assert periods.period_of(np.array([0.1 + 0.2])).tolist() == [2]
    assert periods.boundary_of(np.array([0.1 + 0.2, 0.15])).tolist() == [3, -1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=30),
       st.lists(st.floats(0, 1e4), min_size=30, max_size=30))
def test_every_item_in_the_horizon_is_counted_exactly_once(steps, masses):
    times = np.array(steps, float) * 2.5                           # many on boundaries (k * 10)
    m = np.array(masses[: len(steps)])
    area = _area(MeasurementPoint("in", "input", w(times, m)))
    mb = material_balance(area, BalancePeriods.regular(0.0, 10.0, 10))
    inside = (times > 0) & (times <= 100)
    assert mb.inputs.sum() == pytest.approx(m[inside].sum(), rel=1e-12, abs=1e-9)


def test_inventory_items_are_listed_at_boundaries():
    inv = MeasurementPoint("store", "inventory", w([0, 10, 20], [5, 7, 4], key="points.store"))
    mb = material_balance(_area(inv), BalancePeriods.regular(0, 10, 2))
    assert mb.beginning.tolist() == [5, 7] and mb.ending.tolist() == [7, 4]
    assert mb.muf.tolist() == [-2, 3]


def test_inventory_item_off_a_boundary_is_refused():
    inv = MeasurementPoint("store", "inventory", w([0, 5, 20], [5, 7, 4], key="points.store"))
    with pytest.raises(InputError) as err:
        material_balance(_area(inv), BalancePeriods.regular(0, 10, 2))
    assert err.value.param == "points.store.times_h[1]" and err.value.value == 5.0


def test_level_series_needs_a_record_at_every_boundary():
    lvl = MeasurementPoint("holdup", "inventory",
                           Level.from_weight_percent([0, 5, 10, 15], [1, 2, 3, 4], key="hu"))
    with pytest.raises(InputError) as err:
        material_balance(_area(lvl), BalancePeriods.regular(0, 10, 2))
    assert err.value.param == "hu.times_h" and err.value.value == 20.0
    mb = material_balance(_area(lvl), BalancePeriods.regular(0, 10, 1))
    assert mb.beginning.tolist() == [1] and mb.ending.tolist() == [3]     # 5 h record unused


def test_step_flow_is_split_at_boundaries_in_proportion_to_time():
    flow = Flow.from_weight_percent([4, 8, 12, 16], [1.0, 2.0, 3.0, 4.0], start_h=0.0)
    area = _area(MeasurementPoint("in", "input", flow))
    mb = material_balance(area, BalancePeriods.regular(0, 10, 2))
    # (0,4]: 1/h, (4,8]: 2/h, (8,12]: 3/h split 2 h + 2 h, (12,16]: 4/h
    assert mb.inputs.tolist() == pytest.approx([4 + 8 + 6, 6 + 16])


def test_trapezoid_flow_integrates_a_linear_rate_exactly():
    t = np.linspace(0, 20, 9)
    rate = 1.0 + 0.3 * t                                            # linear: trapezoid is exact
    flow = Flow.from_weight_percent(t, rate, integration="trapezoid")
    mb = material_balance(_area(MeasurementPoint("out", "output", flow)),
                          BalancePeriods.regular(0, 7, 2))
    exact = [7 + 0.15 * 49, 7 + 0.15 * (196 - 49)]
    assert mb.outputs.tolist() == pytest.approx(exact, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.1, 5.0), min_size=2, max_size=20),
       st.lists(st.floats(0, 100), min_size=20, max_size=20))
def test_step_flow_total_over_a_covering_horizon(gaps, rates):
    t = np.cumsum(gaps)
    r = np.array(rates[: t.size])
    flow = Flow.from_weight_percent(t, r, start_h=0.0)
    total_h = float(t[-1])
    periods = BalancePeriods(np.array([0.0, total_h / 3, total_h / 2, total_h]))
    mb = material_balance(_area(MeasurementPoint("in", "input", flow)), periods)
    durations = np.diff(np.concatenate([[0.0], t]))
    assert mb.inputs.sum() == pytest.approx(float(r @ durations), rel=1e-9, abs=1e-9)


def test_element_and_isotope_balances_of_a_plant():
    area, periods, _ = balanced_plant(3)
    u = material_balance(area, periods, "U")
    u235 = material_balance(area, periods, "U235")
    assert u.inputs == pytest.approx([10_000.0] * 3)
    assert u235.inputs == pytest.approx([71.1] * 3)
    assert np.abs(u.muf).max() < 1e-9 and np.abs(u235.muf).max() < 1e-9


def test_isotope_balance_needs_assays():
    area = _area(MeasurementPoint("in", "input", w([1.0], [10.0], key="points.in")))
    with pytest.raises(InputError) as err:
        material_balance(area, BalancePeriods.regular(0, 10, 1), "U235")
    assert err.value.param == "points.in.assay_wt_pct"


def test_design_reproduces_the_balance():
    area, periods, _ = balanced_plant(2)
    d = balance_design(area, periods, "U235")
    assert d.muf() == pytest.approx(material_balance(area, periods, "U235").muf, abs=1e-9)
    assert d.point_terms().sum(axis=0) == pytest.approx(d.muf(), abs=1e-9)
    assert d.coef.shape == (2, d.values.size)


def test_periods_from_intervals():
    p = BalancePeriods.from_intervals([(0, 10), (10, 25)])
    assert p.boundaries_h.tolist() == [0, 10, 25] and p.count == 2
    assert p.lengths_h.tolist() == [10, 15]


@pytest.mark.parametrize("intervals, param, why", [
    ([(0, 10), (5, 20)], "periods[1]", "overlaps"),
    ([(0, 10), (12, 20)], "periods[1]", "gap"),
    ([(10, 0)], "periods[0]", "an end after the start"),
])
def test_periods_that_overlap_leave_gaps_or_go_backwards(intervals, param, why):
    with pytest.raises(InputError) as err:
        BalancePeriods.from_intervals(intervals)
    assert err.value.param == param and why in str(err.value)


def test_boundaries_that_go_backwards():
    with pytest.raises(InputError) as err:
        BalancePeriods([0.0, 10.0, 5.0])
    assert err.value.param == "periods.boundaries_h[2]" and err.value.value == 5.0


@pytest.mark.parametrize("build, param, value", [
    (lambda: w([1.0, 2.0], [3.0, -5.0], key="points.feed"), "points.feed.masses_kg_u[1]", -5.0),
    (lambda: w([1.0], [3.0], 120.0, key="points.feed"), "points.feed.assay_wt_pct[0]", 120.0),
    (lambda: w([1.0], [3.0], -0.1, key="points.feed"), "points.feed.assay_wt_pct[0]", -0.1),
    (lambda: Items.from_mass_fraction([1.0], [3.0], 1.5, key="p"), "p.u235_fraction[0]", 1.5),
    (lambda: Flow.from_weight_percent([1, 2], [1, -2], key="f"), "f.rates_kg_u_per_h[1]", -2.0),
    (lambda: Flow.from_weight_percent([1, 3, 2], [1, 1, 1], key="f"), "f.times_h[2]", 2.0),
    (lambda: w([1.0, np.nan], [3.0, 3.0], key="p"), "p.times_h[1]", None),
])
def test_bad_records_name_key_and_value(build, param, value):
    with pytest.raises(InputError) as err:
        build()
    assert err.value.param == param
    if value is not None:
        assert err.value.value == value


def test_points_and_areas_are_checked():
    flow = Flow.from_weight_percent([1, 2], [1, 1])
    with pytest.raises(InputError):
        MeasurementPoint("x", "inventory", flow)                  # a flow is not an inventory
    with pytest.raises(InputError):
        MeasurementPoint("x", "storage", flow)
    p = MeasurementPoint("x", "input", flow)
    with pytest.raises(InputError) as err:
        MaterialBalanceArea("a", (p, p))
    assert err.value.param == "points[1].name"
    with pytest.raises(UnknownNameError):
        MaterialBalanceArea("a", (p,)).point("y")
