"""The safeguards reference vectors on the material balance, the measurement model and the
statistics (copied in stats_vectors.json with their id and source). Tolerances are the vectors'
own; for the mapit-observed-pitfall vectors the result is `expected`, never `mapit_observed`."""

import numpy as np
import pytest

from enrichwatch import constants
from enrichwatch.accountancy import (
    BalancePeriods,
    Items,
    Level,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PageTest,
    PointMeasurement,
    Uncertainty,
    dp_one_sided,
    dp_two_sided,
    false_alarm_probability,
    gemuf_v1,
    material_balance,
    max_sigma_muf,
    muf_covariance,
    muf_from_terms,
    page,
    required_ratio,
    rss_sigma,
    simulate_observations,
    sitmuf,
    v5b3_loss_estimate,
)
from tests.accountancy.helpers import toy_area, toy_model, vector


def test_sg_const_001_significant_quantities():
    v = vector("SG-CONST-001")
    e, tol = v["expected"], v["tolerance"]
    got = {"Pu_kg_Pu": constants.SQ_PU_KG, "U233_kg_U233": constants.SQ_U233_KG,
           "HEU_kg_U235": constants.SQ_HEU_U235_KG, "LEU_kg_U235": constants.SQ_LEU_U235_KG,
           "NatU_kg_U": constants.SQ_NATURAL_U_KG, "DU_kg_U": constants.SQ_DEPLETED_U_KG,
           "Th_kg_Th": constants.SQ_THORIUM_KG}
    for key, value in got.items():
        assert value == pytest.approx(e[key], abs=tol), key
    assert constants.HEU_THRESHOLD_WT_PCT == 20.0                # "HEU/LEU split at 20% U-235"


def test_sg_const_002_timeliness_goals():
    e = vector("SG-CONST-002")["expected"]
    unirradiated = constants.TIMELINESS_UNIRRADIATED_DIRECT_USE_MONTHS
    assert unirradiated == e["unirradiated_direct_use_months"]
    assert constants.TIMELINESS_IRRADIATED_DIRECT_USE_MONTHS == e["irradiated_direct_use_months"]
    assert constants.TIMELINESS_INDIRECT_USE_MONTHS == e["indirect_use_months"]


def test_sg_muf_001_single_period_muf():
    v = vector("SG-MUF-001")
    cases = v["inputs"]["cases"]
    muf = [float(muf_from_terms(c["PB"], c["X"], c["Y"], c["PE"])) for c in cases]
    assert muf == pytest.approx(v["expected"]["muf"], abs=v["tolerance"])
    c = cases[0]
    assert c["PB"] + c["X"] - c["Y"] == pytest.approx(v["expected"]["book_inventory"])


def test_sg_muf_001_through_an_area():
    """The same MUF from items, with the IAEA sign (positive = apparent loss)."""
    v = vector("SG-MUF-001")
    w = Items.from_weight_percent
    for c, expected in zip(v["inputs"]["cases"], v["expected"]["muf"], strict=True):
        area = MaterialBalanceArea("one", (
            MeasurementPoint("in", "input", w([5.0], [c["X"]])),
            MeasurementPoint("out", "output", w([5.0], [c["Y"]])),
            MeasurementPoint("inv", "inventory", w([0.0, 10.0], [c["PB"], c["PE"]]))))
        mb = material_balance(area, BalancePeriods.regular(0, 10, 1))
        assert mb.muf[0] == pytest.approx(expected, abs=v["tolerance"])
        assert mb.book[0] == pytest.approx(v["expected"]["book_inventory"])


def test_sg_muf_002_rss_sigma():
    v = vector("SG-MUF-002")
    i = v["inputs"]
    got = rss_sigma(i["sigma_PB"], i["sigma_X"], i["sigma_Y"], i["sigma_PE"])
    assert got == pytest.approx(v["expected"]["sigma_muf"], abs=v["tolerance"])


def test_sg_muf_003_muf_and_cumuf():
    v = vector("SG-MUF-003")
    area, periods = toy_area(v["inputs"])
    mb = material_balance(area, periods)
    assert mb.muf == pytest.approx(v["expected"]["muf"], abs=v["tolerance"])
    assert mb.cumuf == pytest.approx(v["expected"]["cumuf"], abs=v["tolerance"])


def test_sg_smuf_001_mapit_convention():
    v = vector("SG-SMUF-001")
    area, periods = toy_area(v["inputs"])
    cov = muf_covariance(area, toy_model(v["inputs"]), periods, convention="mapit")
    assert np.diag(cov.matrix) == pytest.approx(v["expected"]["variance"], abs=v["tolerance"])
    assert cov.sigma_muf == pytest.approx(v["expected"]["sigma_muf"], abs=v["tolerance"])
    assert np.count_nonzero(cov.matrix - np.diag(np.diag(cov.matrix))) == 0


def test_sg_smuf_002_exact_covariance_and_rss():
    v = vector("SG-SMUF-002")
    area, periods = toy_area(v["inputs"])
    model = toy_model(v["inputs"])
    exact = muf_covariance(area, model, periods)
    assert exact.matrix == pytest.approx(np.array(v["expected"]["Sigma"]), abs=v["tolerance"])
    assert exact.sigma_muf == pytest.approx(v["expected"]["sigma_muf"], abs=v["tolerance"])
    rss = muf_covariance(area, model, periods, convention="rss")
    assert rss.sigma_muf == pytest.approx(
        v["expected"]["sigma_muf_without_syst_covariance_but_with_C0"], abs=v["tolerance"])


def test_sg_sit_001_sitmuf_gemuf_page():
    v = vector("SG-SIT-001")
    muf, cov = v["inputs"]["muf"], np.array(v["inputs"]["Sigma"])
    tol = v["tolerance"]
    assert sitmuf(muf, cov) == pytest.approx(v["expected"]["sitmuf"], abs=tol)
    assert gemuf_v1(muf, cov) == pytest.approx(v["expected"]["gemuf_v1"], abs=tol)
    assert page(sitmuf(muf, cov), v["inputs"]["page_k"]) == pytest.approx(
        v["expected"]["page"], abs=tol)


def test_sg_page_001_recursion_both_sides():
    v = vector("SG-PAGE-001")
    y, k, tol = v["inputs"]["y"], v["inputs"]["k"], v["tolerance"]
    assert page(y, k) == pytest.approx(v["expected"]["upper"], abs=tol)
    assert page(y, k, lower=True) == pytest.approx(v["expected"]["lower_on_minus_y"], abs=tol)
    up, down = PageTest(k, 1e9, "both").statistics(y)
    assert up == pytest.approx(v["expected"]["upper"], abs=tol)
    assert down == pytest.approx(v["expected"]["lower_on_minus_y"], abs=tol)


def test_sg_page_001_mapit_variant_is_only_a_comparison_option():
    v = vector("SG-PAGE-001")
    y, k, tol = v["inputs"]["y"], v["inputs"]["k"], v["tolerance"]
    assert page(y, k, mapit_first_step=True) == pytest.approx(
        v["expected"]["mapit_variant_upper"], abs=tol)
    assert not np.allclose(page(y, k), v["expected"]["mapit_variant_upper"])


def test_sg_dp_001_single_balance_detection():
    v = vector("SG-DP-001")
    i, e, tol = v["inputs"], v["expected"], v["tolerance"]
    assert dp_one_sided(i["M"], i["sigma_muf"], i["alpha"]) == pytest.approx(
        e["dp_one_sided"], abs=tol)
    assert dp_two_sided(3.0, 1.0, i["alpha"]) == pytest.approx(
        e["dp_two_sided_M_over_sigma_3"], abs=tol)
    assert required_ratio(0.05, 0.95) == pytest.approx(
        e["required_M_over_sigma_alpha05_dp95"], abs=tol)
    assert required_ratio(0.05, 0.90) == pytest.approx(
        e["required_M_over_sigma_alpha05_dp90"], abs=tol)
    assert max_sigma_muf(constants.SQ_LEU_U235_KG, 0.05, 0.90) == pytest.approx(
        e["max_sigma_muf_for_LEU_SQ_dp90_alpha05_kgU235"], abs=tol)
    assert false_alarm_probability(3.0, 2) == pytest.approx(e["fap_3sigma_two_sided"], abs=tol)
    assert false_alarm_probability(3.0, 1) == pytest.approx(e["fap_3sigma_one_sided"], abs=tol)


def test_sg_mapit_pit_001_boundary_item_counts_once():
    v = vector("SG-MAPIT-PIT-001")
    i = v["inputs"]
    mbp, item = i["mbp"], i["discrete_input"]
    t = np.arange(0.0, 51.0)                                      # "inventory 0 at t=0..50"
    area = MaterialBalanceArea("pit-001", (
        MeasurementPoint("in", "input", Items.from_weight_percent([item["t"]], [item["mass"]])),
        MeasurementPoint("inv", "inventory", Level.from_weight_percent(t, np.zeros(t.size)))))
    got = material_balance(area, BalancePeriods.regular(0.0, mbp, 4)).muf
    assert got.tolist() == pytest.approx(v["expected"]["muf_periods_1_to_4"], abs=v["tolerance"])
    assert got.tolist() != v["mapit_observed"]["muf_periods_1_to_4"]


def test_sg_mapit_pit_002_recalibration_with_zero_errors_returns_truth():
    v = vector("SG-MAPIT-PIT-002")
    i = v["inputs"]
    times = np.arange(0.0, 100.0)                                 # "0..99"
    area = MaterialBalanceArea("pit-002", (MeasurementPoint(
        "kmp", "input", Items.from_weight_percent(times, np.full(times.size, i["true_value"]))),))
    unc = Uncertainty(i["rsd_random"], i["rsd_systematic"],
                      calibration_period_h=float(i["calibration_period"]))
    obs = simulate_observations(area, MeasurementModel({"kmp": PointMeasurement(unc)}),
                                iterations=3, seed=1)
    assert np.all(obs["kmp"].values == i["true_value"])          # expected: "10 at every time"
    assert not np.any(obs["kmp"].values == 2 * i["true_value"])  # mapit_observed: 20


def test_sg_mapit_pit_003_covariance_windows_and_sitmuf():
    v = vector("SG-MAPIT-PIT-003")
    area, periods = toy_area(v["inputs"])
    cov = muf_covariance(area, toy_model(v["inputs"]), periods)
    mb = material_balance(area, periods)
    tol = v["tolerance"]
    assert np.diag(cov.matrix) == pytest.approx(v["expected"]["Sigma_diag"], abs=tol)
    got = sitmuf(mb.muf, cov.matrix)
    assert got == pytest.approx(v["expected"]["sitmuf"], abs=tol)
    observed = v["mapit_observed"]
    assert not np.allclose(np.diag(cov.matrix), observed["cov_diag_first4"], atol=tol)
    assert not np.allclose(got, observed["sitmuf"], atol=tol)
    assert not np.allclose(gemuf_v1(mb.muf, cov.matrix), observed["gemuf_v1"], atol=tol)


def test_sg_mapit_const_001_v5b3_weights_and_page_k():
    v = vector("SG-MAPIT-CONST-001")
    e, tol = v["expected"], v["tolerance"]
    n = 9
    weights = [v5b3_loss_estimate(np.eye(n)[j])[4] for j in range(2, 7)]   # response at 4
    assert weights == pytest.approx(e["v5b3_weights"], abs=tol)
    est = v5b3_loss_estimate(np.arange(n, dtype=float))
    assert np.isnan(est[[0, 1, -2, -1]]).all()              # "first two and last two (NaN)"
    assert not np.isnan(est[2:-2]).any()
    assert PageTest().k == e["page_default_k"]
    assert page([1.0], ) == pytest.approx(page([1.0], e["page_default_k"]))
