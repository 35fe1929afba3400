"""The analysis of a study (issue 10 parts 7-9): tests on the declared data, false-alarm rates
and detection probabilities (closed form against Monte Carlo, within Monte Carlo error),
loss scenarios, the reports as record payloads, the example's three cases."""

import json
import math

import numpy as np
import pytest
import tomli_w  # noqa: I001  (after the enrichwatch imports: a test dependency)
from scipy import stats

from enrichwatch.accountancy import (
    BalancePeriods,
    balance_design,
    monte_carlo,
    page_false_alarm_probability,
)
from enrichwatch.accountancy.reports import accountancy_reports
from enrichwatch.accountancy.study import TestSettings, analyse
from enrichwatch.accountancy.study_io import load_study, study_from_toml_text
from enrichwatch.errors import InputError
from enrichwatch.records.payloads import validate_payload
from tests.accountancy.study_helpers import EXAMPLES, small


def _study(**changes):
    return study_from_toml_text(tomli_w.dumps(small(**changes)), "small.toml")


@pytest.fixture(scope="module")
def small_analysis():
    doc = small()
    doc["tests"]["iterations"] = 20_000
    return analyse(study_from_toml_text(tomli_w.dumps(doc), "small.toml"))


def _within(p: float, expected: float, n: int, k: float = 4.0) -> bool:
    """|p - expected| within k binomial standard errors of n draws."""
    return abs(p - expected) <= k * math.sqrt(expected * (1 - expected) / n) + 1e-12


def test_false_alarm_rates_are_the_calibrated_ones(small_analysis):
    """Without loss the CUMUF and GEMUF tests alarm with alpha, Page's test with its Markov
    chain false-alarm probability over the two balances (within 4 Monte Carlo standard
    errors of 20,000 iterations)."""
    for q in small_analysis.quantities:
        fa, n = q.false_alarms.detection, q.false_alarms.iterations
        assert _within(fa["cumuf"], 0.05, n) and _within(fa["gemuf"], 0.05, n)
        expected = page_false_alarm_probability(q.page.h, 2, q.page.k)
        assert _within(fa["page"], expected, n)
        total = float(q.muf_alpha.sum())
        assert fa["muf"] <= total + 4 * math.sqrt(total / n)


def test_closed_forms_agree_with_the_monte_carlo(small_analysis):
    for q in small_analysis.quantities:
        (s,) = q.scenarios
        n = s.simulated.iterations
        for test, closed in (("cumuf", s.closed.cumuf), ("gemuf", s.closed.gemuf),
                             ("page", float(s.closed.page[-1]))):
            assert _within(s.simulated.detection[test], closed, n), (q.quantity, test)


def test_the_tests_on_the_declared_data(small_analysis):
    for q in small_analysis.quantities:
        np.testing.assert_array_equal(q.muf_alarms,
                                      q.balance.muf > q.muf_z * q.covariance.sigma_muf)
        assert q.first_page_alarm is None or q.page_alarms[q.first_page_alarm]
        assert q.gemuf[-1] == pytest.approx(float(np.sum(q.sitmuf ** 2)))
        assert q.conventions["exact"] is not None and set(q.conventions) == {"exact", "mapit",
                                                                             "rss"}


def test_a_page_threshold_given_in_the_file_is_used_as_is():
    """tests.page_h sets h (k and h settable, issue 10 part 3): the tests use it, its
    false-alarm probability per year is the Markov chain's, the CUMUF and GEMUF tests keep
    false_alarm_per_year, and the Monte Carlo's Page false-alarm rate is the chain's."""
    doc = small()
    doc["tests"].update(page_h=1.5, page_k=0.25, page_side="both", iterations=20_000)
    study = study_from_toml_text(tomli_w.dumps(doc), "small.toml")
    assert study.tests.page_h == 1.5
    analysis = analyse(study)
    for q in analysis.quantities:
        assert (q.page.h, q.page.k, q.page.side, q.page.method) == (1.5, 0.25, "both", "given")
        assert q.page.alpha == pytest.approx(page_false_alarm_probability(1.5, 12, 0.25, "both"))
        assert q.horizon_alpha == 0.05
        assert q.gemuf_threshold == pytest.approx(stats.chi2.isf(0.05, 2), rel=1e-12)
        expected = page_false_alarm_probability(1.5, 2, 0.25, "both")
        assert _within(q.false_alarms.detection["page"], expected, q.false_alarms.iterations)
        t = q.as_dict()["tests"]
        assert t["page"]["method"] == "given" and t["cumuf"]["false_alarm"] == 0.05
    assert any("h = 1.5 given in the file" in a for a in analysis.assumptions)


@pytest.mark.parametrize("h", [0.0, -1.0, "high"])
def test_a_bad_page_threshold_is_refused(tmp_path, h):
    doc = small()
    doc["tests"]["page_h"] = h
    with pytest.raises(InputError) as err:
        study_from_toml_text(tomli_w.dumps(doc), "small.toml")
    assert "tests.page_h" in str(err.value) and "small.toml" in str(err.value)
    with pytest.raises(InputError):
        TestSettings(page_h=h)


def test_the_per_balance_false_alarm_probability():
    """Sidak: the monthly MUF tests of a year together give the yearly alpha."""
    periods = BalancePeriods.regular(0.0, 730.5, 12)
    t = TestSettings()
    assert t.per_year(periods) == 12
    alphas = t.muf_alpha(periods)
    assert alphas.shape == (12,)
    assert 1 - np.prod(1 - alphas) == pytest.approx(0.05, rel=1e-12)
    np.testing.assert_allclose(alphas, 1 - 0.95 ** (1 / 12), rtol=1e-12)
    assert TestSettings(muf_false_alarm=0.01).muf_alpha(periods).tolist() == [0.01] * 12
    with pytest.raises(InputError, match="tests.page_side"):
        TestSettings(page_side="up")


def test_the_per_balance_false_alarm_probability_follows_each_balance_length():
    """Unequal balances: each is tested at 1 - (1 - alpha)^(days / 365.25), the convention
    the evaluation of recorded balance reports uses (one function for both); the balances of
    a year together still give alpha."""
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31.25])     # 365.25 days
    periods = BalancePeriods(np.concatenate([[0.0], np.cumsum(days) * 24.0]))
    alphas = TestSettings().muf_alpha(periods)
    np.testing.assert_allclose(alphas, 1 - 0.95 ** (days / 365.25), rtol=1e-12)
    assert alphas[1] < alphas[3] < alphas[0]                 # 28 < 30 < 31 days
    assert 1 - np.prod(1 - alphas) == pytest.approx(0.05, rel=1e-12)
    with pytest.raises(InputError, match="tests.page_side"):
        TestSettings(page_side="up")


def test_loss_patterns_in_each_balance():
    study = _study(losses=[{"name": "p", "pattern": "protracted", "first": 1, "last": 2,
                            "sq": 1.0, "assay_wt_pct": 4.0}])
    (loss,) = study.losses
    assert loss.kg_u == pytest.approx(75.0 / 0.04) and loss.sq == pytest.approx(1.0)
    np.testing.assert_allclose(loss.loss_pattern("U235", 2).amounts_kg, [37.5, 37.5])
    np.testing.assert_allclose(loss.loss_pattern("U", 2, 0.5).amounts_kg,
                               [loss.kg_u / 4, loss.kg_u / 4])


def test_iterations_and_seed_override_the_file():
    a = analyse(_study(), iterations=300, seed=9)
    assert a.quantities[0].false_alarms.iterations == 300
    assert a.quantities[0].false_alarms.seed == 9
    with pytest.raises(InputError, match="iterations"):
        analyse(_study(), iterations=0)


def test_the_monte_carlo_baseline():
    """'declared' centres the MUF on the declared values (they are the truth); 'zero' on no
    loss, whatever the data show: the same errors drawn, shifted by the declared MUF."""
    study = _study()
    design = balance_design(study.area, study.periods)
    kw = {"iterations": 200, "seed": 1, "keep_sequences": True}
    declared = monte_carlo(design, study.model, **kw)
    zero = monte_carlo(design, study.model, baseline="zero", **kw)
    np.testing.assert_allclose(declared.sequences["muf"] - zero.sequences["muf"],
                               np.broadcast_to(design.muf(), (200, 2)), atol=1e-9)
    with pytest.raises(InputError, match="baseline"):
        monte_carlo(design, study.model, baseline="mean", iterations=10)


def test_the_result_is_json(small_analysis):
    d = json.loads(json.dumps(small_analysis.as_dict()))
    assert [q["quantity"] for q in d["quantities"]] == ["U", "U235"]
    assert len(d["quantities"][0]["balances"]) == 2
    assert any("per balance" in a for a in d["assumptions"])
    assert d["study"]["boundary_dates"] is None


def test_reports_need_dates(small_analysis):
    with pytest.raises(InputError, match="start_date"):
        accountancy_reports(small_analysis)


@pytest.fixture(scope="module")
def abrupt():
    return analyse(load_study(EXAMPLES / "abrupt-loss.toml"), iterations=500)


def test_the_reports_are_valid_record_payloads(abrupt):
    reports = accountancy_reports(abrupt)
    kinds = [k for k, _, _ in reports]
    assert kinds.count("physical_inventory_listing") == 13
    assert kinds.count("inventory_change_report") == 12
    assert kinds.count("material_balance_report") == 13              # 12 months, the year
    study = abrupt.study
    items = sum(p.data.times_h.size for p in study.area.points if p.role != "inventory")
    assert sum(len(p["entries"]) for k, _, p in reports if k == "inventory_change_report") == \
        items
    for n, (kind, day, payload) in enumerate(reports):
        out = validate_payload(kind, payload, f"report {n}")
        assert out["mba"] == "EX-MBA-1"
        if kind != "physical_inventory_listing":
            assert out["period_end"] == day.isoformat()
    june = [p for k, d, p in reports if k == "material_balance_report"
            and p["period_end"] == "2024-06-30"][0]
    q = abrupt.quantity("U235")
    assert june["balances"]["U235"]["muf_kg"] == pytest.approx(float(q.balance.muf[5]))
    assert june["balances"]["U235"]["covariance_previous_kg2"] == pytest.approx(
        float(q.covariance.matrix[5, 4]))
    year = reports[-1][2]
    assert year["sequence"] is False and len(year["production"]["feed"]) > 30
    assert year["balances"]["U"]["muf_kg"] == pytest.approx(float(abrupt.quantity("U")
                                                                  .balance.cumuf[-1]))


def test_the_example_cases():
    """No loss: no alarm. Abrupt: the June MUF is the 1 SQ diverted (75 kg U-235, 1873 kg U)
    within 5 sigma, the MUF test and Page alarm in June. Protracted: 1 SQ / 12 a month, Page
    alarms in January. The plant check finds the missing uranium in the loss cases."""
    results = {n: analyse(load_study(EXAMPLES / f"{n}.toml"), iterations=200)
               for n in ("no-loss", "abrupt-loss", "protracted-loss")}
    for q in results["no-loss"].quantities:
        assert not q.muf_alarms.any() and q.first_page_alarm is None
    assert results["no-loss"].plant_check.findings == ()
    for q in results["abrupt-loss"].quantities:
        sq = 75.0 if q.quantity == "U235" else 75.0 / 0.040046
        assert abs(q.balance.muf[5] - sq) < 5 * q.covariance.sigma_muf[5]
        assert np.flatnonzero(q.muf_alarms).tolist() == [5] and q.first_page_alarm == 5
    for q in results["protracted-loss"].quantities:
        assert q.first_page_alarm == 0
        monthly = (75.0 if q.quantity == "U235" else 75.0 / 0.040046) / 366
        lengths = np.diff(results["protracted-loss"].study.periods.boundaries_h) / 24
        assert abs(q.balance.cumuf[-1] - monthly * lengths.sum()) < \
            5 * q.covariance.sigma_cumuf()[-1]
    for name in ("abrupt-loss", "protracted-loss"):
        check = results[name].plant_check
        assert check.u_balance_alarm and check.u235_balance_alarm
