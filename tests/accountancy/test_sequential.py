"""SITMUF, GEMUF, Page's test and its calibrated thresholds: properties and the published ARL."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from enrichwatch.accountancy import (
    Items,
    MaterialBalanceArea,
    MeasurementPoint,
    PageTest,
    balance_design,
    cusum_alarm_probability,
    cusum_arl,
    gemuf_threshold,
    gemuf_v1,
    monte_carlo,
    muf_covariance,
    page,
    page_false_alarm_probability,
    page_threshold,
    simulate_observations,
    sitmuf,
)
from enrichwatch.errors import InputError
from tests.accountancy.helpers import balanced_plant

finite = st.floats(-10, 10, allow_nan=False)


@st.composite
def covariance_and_muf(draw):
    n = draw(st.integers(1, 8))
    a = draw(hnp.arrays(float, (n, n), elements=finite))
    cov = a @ a.T + 0.5 * np.eye(n)
    muf = draw(hnp.arrays(float, (n,), elements=st.floats(-50, 50)))
    return cov, muf


@settings(max_examples=80, deadline=None)
@given(covariance_and_muf())
def test_sum_of_sitmuf_squared_is_gemuf_v1(case):
    cov, muf = case
    z = gemuf_v1(muf, cov)
    direct = [muf[:i] @ np.linalg.solve(cov[:i, :i], muf[:i]) for i in range(1, muf.size + 1)]
    assert z == pytest.approx(direct, rel=1e-7, abs=1e-9)
    assert np.cumsum(sitmuf(muf, cov) ** 2) == pytest.approx(z, rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(covariance_and_muf())
def test_sitmuf_is_the_standardised_conditional_residual(case):
    cov, muf = case
    s = sitmuf(muf, cov)
    for i in range(1, muf.size):
        b = np.linalg.solve(cov[:i, :i], cov[:i, i])
        mean = b @ muf[:i]
        sd = np.sqrt(cov[i, i] - cov[:i, i] @ b)
        assert s[i] == pytest.approx((muf[i] - mean) / sd, rel=1e-6, abs=1e-8)


def test_sitmuf_is_iid_standard_normal_without_loss():
    """A seeded simulation of a plant with systematic errors recalibrated monthly (so the MUF are
    correlated): SITMUF pooled is N(0, 1) (Kolmogorov-Smirnov), uncorrelated across balances,
    and each balance's SITMUF has mean 0 and variance 1 within 4 standard errors."""
    area, periods, model = balanced_plant(12)
    n = 20_000
    mc = monte_carlo(area, model, periods, "U235", iterations=n, seed=2024, keep_sequences=True)
    s = mc.sequences["sitmuf"]
    assert stats.kstest(s.ravel(), "norm").pvalue > 0.01
    for column in s.T:
        assert stats.kstest(column, "norm").pvalue > 0.001
    assert np.abs(s.mean(axis=0)).max() < 4 / np.sqrt(n)
    assert np.abs(s.var(axis=0) - 1).max() < 4 * np.sqrt(2 / n)
    corr = np.corrcoef(s.T) - np.eye(12)
    assert np.abs(corr).max() < 4.5 / np.sqrt(n)
    muf_corr = np.corrcoef(mc.sequences["muf"].T) - np.eye(12)
    assert np.abs(muf_corr).max() > 0.1                      # ... while the MUF are correlated


def _itemised_plant(months: int = 12):
    """The balanced plant of the helpers with every point itemised (the hold-up listed at the
    inventory takings), small enough to simulate record by record."""
    area, periods, model = balanced_plant(months)
    holdup = area.point("holdup")
    at = periods.boundaries_h
    listed = Items.from_weight_percent(at, np.full(at.size, 400.0), 2.0)
    points = tuple(p if p.name != "holdup" else MeasurementPoint("holdup", "inventory", listed)
                   for p in area.points)
    assert holdup.role == "inventory"
    return MaterialBalanceArea(area.name, points), periods, model


def test_sitmuf_of_literally_simulated_measurements_is_iid_standard_normal():
    """Independent of the Monte Carlo's sampler: every record measured as true x (1 + r + s)
    (simulate_observations; scale and NDA shared and recalibrated monthly), MUF summed from the
    measured records, SITMUF with the exact covariance: N(0, 1) (Kolmogorov-Smirnov), unit
    variance per balance and uncorrelated. The same data whitened with the root-sum-square
    covariance (no inventory or systematic covariances, as MAPIT) is not: the test can fail."""
    area, periods, model = _itemised_plant(12)
    n = 20_000
    obs = simulate_observations(area, model, iterations=n, seed=20261204, origin_h=periods)
    design = balance_design(area, periods, "U235")
    x = np.concatenate([o.values * o.u235_fraction for o in obs.values()], axis=1)
    muf = x @ design.coef.T
    exact = muf_covariance(design, model).matrix
    s = sitmuf(muf - design.muf(), exact)
    assert stats.kstest(s.ravel(), "norm").pvalue > 0.01
    assert np.abs(s.mean(axis=0)).max() < 4 / np.sqrt(n)
    assert np.abs(s.var(axis=0) - 1).max() < 4 * np.sqrt(2 / n)
    assert np.abs(np.corrcoef(s.T) - np.eye(12)).max() < 4.5 / np.sqrt(n)
    rss = muf_covariance(design, model, convention="rss").matrix
    wrong = sitmuf(muf - design.muf(), rss)
    assert stats.kstest(wrong.ravel(), "norm").pvalue < 1e-6
    assert np.abs(wrong.var(axis=0) - 1).max() > 10 * np.sqrt(2 / n)


def test_page_arl_published_value():
    """k = 0.5, h = 4: one-sided ARL0 = 335.37 (shared/reference/domain.md section 7). The chain
    converges as 1/m^2: 800 states are within 0.005 of the limit; the value is given to 0.01."""
    assert cusum_arl(4.0, 0.5, states=800) == pytest.approx(335.37, abs=0.01)
    assert cusum_arl(4.0, 0.5) == pytest.approx(335.37, rel=1e-3)         # default 200 states


def test_two_sided_arl_halves_the_one_sided():
    """Symmetric sides: ARL_both ~ ARL_one / 2 (Lucas & Crosier: 1/ARL = 1/ARL+ + 1/ARL-, exact
    when the sides cannot both be positive; nearly so at k = 0.5)."""
    one = cusum_arl(4.0, 0.5)
    assert cusum_arl(4.0, 0.5, side="both") == pytest.approx(one / 2, rel=3e-3)


def test_markov_alarm_probability_matches_simulation_under_a_shift():
    means = np.array([0, 0, 0.5, 1.0, 1.0, 1.0, 0.3, 0.0])
    p = cusum_alarm_probability(2.5, 0.5, means)
    y = np.random.default_rng(5).standard_normal((200_000, means.size)) + means
    sim = np.maximum.accumulate(page(y, 0.5) > 2.5, axis=1).mean(axis=0)
    assert p == pytest.approx(sim, abs=4 * np.sqrt(0.25 / 200_000) + 2e-4)


@pytest.mark.parametrize("side", ["upper", "lower", "both"])
def test_calibrated_threshold_gives_its_false_alarm_probability(side):
    """h calibrated by the Markov chain for 5 % per year (12 balances) alarms in 5 % of
    simulated no-loss years of a plant, within 4 Monte Carlo standard errors."""
    t = page_threshold(0.05, 12, k=0.5, side=side)
    area, periods, model = balanced_plant(12)
    n = 40_000
    mc = monte_carlo(area, model, periods, iterations=n, seed=7, page=t)
    assert mc.detection["page"] == pytest.approx(0.05, abs=4 * np.sqrt(0.05 * 0.95 / n))
    assert page_false_alarm_probability(t.h, 12, 0.5, side) == pytest.approx(0.05, abs=1e-8)


@pytest.mark.parametrize("side", ["upper", "both"])
def test_markov_and_simulated_thresholds_agree(side):
    markov = page_threshold(0.05, 12, side=side)
    sim = page_threshold(0.05, 12, side=side, method="simulation", iterations=400_000, seed=1)
    assert sim.standard_error == pytest.approx(np.sqrt(0.05 * 0.95 / 400_000))
    # the achieved false-alarm probability of the simulated h, by the chain, is alpha within
    # 4 standard errors of the simulation
    achieved = page_false_alarm_probability(sim.h, 12, side=side)
    assert achieved == pytest.approx(0.05, abs=4 * sim.standard_error + 2e-4)
    assert sim.h == pytest.approx(markov.h, rel=0.01)


def test_threshold_rises_with_k_falling_and_alpha_falling():
    assert page_threshold(0.01, 12).h > page_threshold(0.05, 12).h
    assert page_threshold(0.05, 12, k=0.25).h > page_threshold(0.05, 12, k=1.0).h
    assert page_threshold(0.05, 24).h > page_threshold(0.05, 12).h


def test_gemuf_threshold_is_the_chi_square_quantile():
    assert gemuf_threshold(0.05, 12) == pytest.approx(stats.chi2.ppf(0.95, 12))


def test_page_test_alarms_and_first_alarm():
    t = PageTest(0.5, 2.0, "both")
    y = np.array([[0.0, 3.0, 0.0, 0.0], [0.0, 0.0, -1.6, -1.6], [0.0, 0.0, 0.0, 0.0]])
    assert t.first_alarm(y).tolist() == [1, 3, -1]


@pytest.mark.parametrize("cov, param", [
    (np.zeros((3, 3)), "covariance[0][0]"),
    (np.ones((2, 2)), "covariance"),                               # rank one
    (np.eye(2)[:1], "covariance"),
])
def test_singular_covariances_are_refused(cov, param):
    with pytest.raises(InputError) as err:
        sitmuf(np.zeros(cov.shape[-1]), cov)
    assert err.value.param == param


@pytest.mark.parametrize("kwargs", [
    {"alpha": 0.0, "balances": 12}, {"alpha": 1.5, "balances": 12},
    {"alpha": 0.05, "balances": 0}, {"alpha": 0.05, "balances": 12, "side": "up"},
    {"alpha": 0.05, "balances": 12, "method": "guess"}, {"alpha": 0.05, "balances": 12, "k": -1},
])
def test_threshold_arguments_are_checked(kwargs):
    with pytest.raises(InputError):
        page_threshold(**kwargs)


def test_unreachable_false_alarm_probability_is_refused():
    with pytest.raises(InputError) as err:
        page_threshold(0.999, 2, k=3.0)
    assert err.value.param == "alpha"
