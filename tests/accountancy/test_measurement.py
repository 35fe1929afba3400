"""The measurement model: uncertainties, calibration periods, instruments, catalogued methods,
simulated observations."""

import math

import numpy as np
import pytest

from enrichwatch.accountancy import (
    BalancePeriods,
    Items,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PointMeasurement,
    Uncertainty,
    balance_design,
    load_methods,
    simulate_observations,
)
from enrichwatch.accountancy.measurement import calibration_index, error_structure
from enrichwatch.errors import EnrichwatchWarning, InputError, UnknownNameError
from enrichwatch.files import MISSING, read_package_toml

w = Items.from_weight_percent


def test_every_catalogued_method_has_its_source_and_figures():
    rows = read_package_toml("accountancy", "measurement-methods.toml")["method"]
    methods = load_methods()
    assert {"load-cell-weighing", "gamma-nda-enrichment-nai", "gamma-nda-enrichment-hrgs",
            "mass-spectrometry-gsms", "mass-spectrometry-tims"} <= set(methods)
    for row in rows:
        m = methods[row["name"]]
        assert "STR-368" in m.source
        assert m.random_rsd == pytest.approx(row["random_rsd_pct"] / 100)
        assert m.systematic_rsd == pytest.approx(row["systematic_rsd_pct"] / 100)
        assert 0 < m.random_rsd < 0.1 and 0 <= m.systematic_rsd < 0.1
    assert methods["load-cell-weighing"].quantity == "mass"
    assert methods["mass-spectrometry-gsms"].quantity == "assay"


def test_unverified_defaults_warn_when_used():
    method = load_methods()["load-cell-weighing"]
    assert method.verified is False                  # see the data file's header
    with pytest.warns(EnrichwatchWarning, match="not yet verified"):
        u = Uncertainty.from_method(method, calibration_period_h=730.0)
    assert (u.random_rsd, u.method) == (method.random_rsd, "load-cell-weighing")


def test_injected_catalog_rows_are_checked():
    doc = {"method": [{"name": "x", "quantity": "mass", "technique": "t", "material": "m",
                       "source": "s", "verified": True, "random_rsd_pct": 150.0,
                       "systematic_rsd_pct": 0.1}]}
    with pytest.raises(InputError) as err:
        load_methods(doc)
    assert err.value.param == "method[0].random_rsd_pct" and err.value.value == 150.0


def test_every_unverified_default_carries_a_range_that_holds_it():
    """The ITV defaults are not verified (data file header): each states the span its figures
    may lie in and where that span comes from, and the span holds the default."""
    methods = load_methods()
    for m in methods.values():
        assert not m.verified
        for value, (low, high) in ((m.random_rsd, m.random_range),
                                   (m.systematic_rsd, m.systematic_range)):
            assert 0 <= low <= value <= high < 1 and low < high
        assert "not from STR-368" in m.range_basis
        text = m.describe()
        assert "NOT verified" in text and "range" in text and m.source in text
    assert methods["load-cell-weighing"].describe().startswith(
        "random 0.05 % (range 0.02-0.2 %), systematic 0.05 % (range 0.02-0.2 %)")
    with pytest.warns(EnrichwatchWarning, match=r"range 0\.02-0\.2 %"):
        Uncertainty.from_method(methods["load-cell-weighing"])


def _row(**changes) -> dict:
    row = {"name": "x", "quantity": "mass", "technique": "t", "material": "m", "source": "s",
           "verified": False, "random_rsd_pct": 0.1, "systematic_rsd_pct": 0.1,
           "random_rsd_pct_range": [0.05, 0.2], "systematic_rsd_pct_range": [0.05, 0.2],
           "range_basis": "judgement"}
    return {k: v for k, v in (row | changes).items() if v is not None}


@pytest.mark.parametrize("changes, param, value", [
    ({"random_rsd_pct_range": None}, "method[0].random_rsd_pct_range", MISSING),
    ({"range_basis": None}, "method[0].range_basis", MISSING),
    ({"systematic_rsd_pct_range": [0.2, 0.5]}, "method[0].systematic_rsd_pct_range", [0.2, 0.5]),
    ({"random_rsd_pct_range": [0.05]}, "method[0].random_rsd_pct_range", [0.05]),
    ({"random_rsd_pct_range": [0.05, 120.0]}, "method[0].random_rsd_pct_range", 120.0),
    ({"random_rsd_pct": "a lot"}, "method[0].random_rsd_pct", "a lot"),
])
def test_an_unverified_row_without_a_sound_range_is_refused(changes, param, value):
    with pytest.raises(InputError) as err:
        load_methods({"method": [_row(**changes)]})
    assert err.value.param == param and err.value.value == value
    verified = load_methods({"method": [_row(verified=True, random_rsd_pct_range=None,
                                             systematic_rsd_pct_range=None, range_basis=None,
                                             table="Table 3", page=12)]})
    assert verified["x"].random_range is None and "range" not in verified["x"].describe()


def _verified_row(**changes) -> dict:
    return _row(**({"verified": True, "source": "STR-368 Rev. 1.1", "table": "Table 3",
                    "page": 12} | changes))


@pytest.mark.parametrize("changes, param, value", [
    ({"table": None}, "method[0].table", MISSING),
    ({"table": "  "}, "method[0].table", "  "),
    ({"page": None}, "method[0].page", MISSING),
    ({"page": True}, "method[0].page", True),
    ({"page": ""}, "method[0].page", ""),
    ({"source": "STR-368: NOT RE-READ, value entered by enrichwatch"}, "method[0].source",
     "STR-368: NOT RE-READ, value entered by enrichwatch"),
])
def test_a_verified_row_must_say_where_its_figures_stand(changes, param, value):
    """verified = true only with the table and page the figures were read from, and never on a
    source that says it was not read: the check can be repeated."""
    with pytest.raises(InputError) as err:
        load_methods({"method": [_verified_row(**changes)]})
    assert err.value.param == param and err.value.value == value


def test_a_verified_row_names_its_table_and_page():
    m = load_methods({"method": [_verified_row(page="4-7")]})["x"]
    assert (m.verified, m.table, m.page) == (True, "Table 3", "4-7")
    assert "; verified against STR-368 Rev. 1.1, Table 3, page 4-7; range: judgement" in (
        m.describe())
    unverified = load_methods({"method": [_row(table="Table 3", page=12)]})["x"]
    assert (unverified.table, unverified.page) == ("", "")
    assert "page" not in unverified.describe()


@pytest.mark.parametrize("args, param", [
    ((1.0, 0.0), "m.random_rsd"),
    ((0.01, 1.5), "m.systematic_rsd"),
    ((-0.01, 0.0), "m.random_rsd"),
    ((math.nan, 0.0), "m.random_rsd"),
])
def test_relative_standard_deviations_below_one(args, param):
    with pytest.raises(InputError) as err:
        Uncertainty(*args, key="m")
    assert err.value.param == param


def test_calibration_period_must_be_positive():
    with pytest.raises(InputError) as err:
        Uncertainty(0.01, 0.01, calibration_period_h=0.0, key="m")
    assert err.value.param == "m.calibration_period_h"


def test_calibration_periods_are_half_open_from_the_origin():
    t = np.array([0.0, 1.0, 30.0, 30.5, 60.0, 61.0, 99.0])
    assert calibration_index(t, 0.0, 30.0).tolist() == [0, 1, 1, 2, 2, 3, 4]
    assert calibration_index(t, 0.0, None).tolist() == [0] * 7


def _two_points():
    area = MaterialBalanceArea("a", (
        MeasurementPoint("in", "input", w([5, 15, 25], [100, 100, 100], 1.0)),
        MeasurementPoint("out", "output", w([6, 16, 26], [100, 100, 100], 1.0))))
    return area, BalancePeriods.regular(0, 10, 3)


def test_unknown_and_missing_points():
    area, periods = _two_points()
    u = PointMeasurement(Uncertainty(0.01, 0.01))
    d = balance_design(area, periods)
    with pytest.raises(UnknownNameError) as err:
        error_structure(d, MeasurementModel({"in": u, "out": u, "nope": u}))
    assert err.value.param == "measurement.nope" and err.value.value == "nope"
    with pytest.raises(InputError) as err:
        error_structure(d, MeasurementModel({"in": u}))
    assert err.value.param == "measurement.out"


def test_systematic_groups_follow_calibrations_and_instruments():
    area, periods = _two_points()
    scale = Uncertainty(0.0, 0.01, calibration_period_h=20.0, instrument="scale")
    e = error_structure(balance_design(area, periods),
                        MeasurementModel({"in": PointMeasurement(scale),
                                          "out": PointMeasurement(scale)}))
    assert e.groups == (("scale", "mass", 1), ("scale", "mass", 2))
    assert e.loadings.toarray()[:, 0].tolist() == [0.01, 0.01, 0, 0.01, 0.01, 0]


def test_an_instrument_has_one_systematic_error():
    area, periods = _two_points()
    a = Uncertainty(0.0, 0.01, instrument="scale")
    b = Uncertainty(0.0, 0.02, instrument="scale")
    with pytest.raises(InputError) as err:
        error_structure(balance_design(area, periods),
                        MeasurementModel({"in": PointMeasurement(a), "out": PointMeasurement(b)}))
    assert "instrument" in err.value.param


def test_isotope_balance_needs_an_assay_uncertainty():
    area, periods = _two_points()
    u = PointMeasurement(Uncertainty(0.01, 0.01))
    with pytest.raises(InputError) as err:
        error_structure(balance_design(area, periods, "U235"),
                        MeasurementModel({"in": u, "out": u}))
    assert err.value.param == "measurement.in.assay"


def test_simulated_errors_have_the_stated_structure():
    times = np.array([5.0, 10.0, 15.0, 25.0])                       # calibrations 1, 1, 2, 3
    area = MaterialBalanceArea("a", (MeasurementPoint("p", "input", w(times, [10.0] * 4, 2.0)),))
    model = MeasurementModel({"p": PointMeasurement(
        Uncertainty(0.02, 0.01, calibration_period_h=10.0),
        Uncertainty(0.03, 0.0))})
    obs = simulate_observations(area, model, iterations=40_000, seed=3)["p"]
    rel = obs.values / 10.0 - 1.0
    c = np.cov(rel.T)
    se = 4 * 0.02**2 * np.sqrt(2 / 40_000)                      # ~4 sigma of a variance estimate
    assert np.diag(c) == pytest.approx(0.02**2 + 0.01**2, abs=se * 3)
    assert c[0, 1] == pytest.approx(0.01**2, abs=se)               # same calibration
    assert c[0, 2] == pytest.approx(0.0, abs=se) and c[2, 3] == pytest.approx(0.0, abs=se)
    assert np.std(obs.u235_fraction / 0.02 - 1.0) == pytest.approx(0.03, rel=0.02)


def test_simulation_is_seeded():
    area, _ = _two_points()
    model = MeasurementModel.uniform(area.names, Uncertainty(0.01, 0.01))
    a = simulate_observations(area, model, iterations=5, seed=7)
    b = simulate_observations(area, model, iterations=5, seed=7)
    assert np.array_equal(a["in"].values, b["in"].values)
    with pytest.raises(InputError):
        simulate_observations(area, model, iterations=0)
