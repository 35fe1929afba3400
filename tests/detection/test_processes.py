"""Activities as random processes: the closed forms against their definitions and against
Monte Carlo, and the checks on their parameters."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from enrichwatch.detection import Activity, Delay, detection_distribution
from enrichwatch.detection.processes import cdf, integral_cdf, limit, process_cdf, sample
from enrichwatch.errors import InputError
from tests.detection.helpers import activities


@settings(max_examples=40, deadline=None)
@given(period=st.floats(0.5, 400.0), t=st.floats(0.0, 1.0))
def test_one_certain_periodic_inspection_is_uniform_on_zero_to_period(period, t):
    a = Activity.periodic("inspection", period, probability=1.0)
    d = detection_distribution([a])
    assert math.isclose(d.cdf(t * period), t, abs_tol=1e-12)
    assert math.isclose(d.median, period / 2, rel_tol=1e-9)
    assert math.isclose(d.p90, 0.9 * period, rel_tol=1e-9)
    assert d.cdf(period * 1.0001) == 1.0


def test_uniform_analytic_and_monte_carlo_agree_by_ks_test():
    """Kolmogorov-Smirnov with a fixed seed: the Monte Carlo sample of one periodic inspection
    of period 30 days with certain detection is uniform on [0, 30]."""
    a = Activity.periodic("inspection", 30.0, probability=1.0)
    mc = detection_distribution([a], method="monte-carlo", samples=20_000, seed=11)
    result = stats.kstest(np.asarray(mc.draws), stats.uniform(0.0, 30.0).cdf)
    assert result.pvalue > 0.01
    assert mc.draws.min() >= 0.0 and mc.draws.max() <= 30.0


@pytest.mark.parametrize("index", range(5))
def test_each_process_closed_form_matches_monte_carlo(index):
    a = activities()[index]
    rng = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(index,)))
    draws = sample(a, rng, 40_000)
    finite = draws[np.isfinite(draws)]
    assert math.isclose(np.isfinite(draws).mean(), limit(a), abs_tol=0.01)
    t = np.quantile(finite, [0.1, 0.3, 0.5, 0.7, 0.9])
    empirical = np.searchsorted(np.sort(draws), t, side="right") / draws.size
    assert np.allclose(cdf(a, t), empirical, atol=0.01)          # 40,000 samples: ~5 sigma


@pytest.mark.parametrize("index", range(3))
def test_integral_of_the_cdf_is_the_integral(index):
    a = activities()[index]
    for x in (0.0, 3.0, 17.5, 61.0, 250.0):
        expected, _ = integrate.quad(lambda u: float(process_cdf(a, u)), 0.0, x, limit=400,
                                     points=[k * a.interval_days for k in range(1, 10)
                                             if math.isfinite(a.interval_days)
                                             and k * a.interval_days < x] or None)
        assert math.isclose(float(integral_cdf(a, x)), expected, rel_tol=1e-6, abs_tol=1e-9)


def test_poisson_visits_are_exponential():
    a = Activity.poisson("unannounced", per_year=36.525, probability=0.5)   # 0.05 a day
    for t in (1.0, 10.0, 40.0):
        assert math.isclose(float(cdf(a, t)), 1.0 - math.exp(-0.05 * t), rel_tol=1e-12)


def test_continuous_measure_has_one_chance():
    a = Activity.continuous("monitor", 0.0, 0.9, delay=Delay.fixed(2.0))
    assert [float(cdf(a, t)) for t in (1.99, 2.0, 1e6)] == [0.0, 0.9, 0.9]
    assert limit(a) == 0.9


def test_random_visits_run_by_monte_carlo_only():
    a = Activity.random_visits("LFUA", 12, probability=1.0)
    d = detection_distribution([a], samples=20_000, seed=3)
    assert d.method == "monte-carlo"
    assert d.probability_ever == 1.0
    # a visit falls in every year: detection within the year after the start (plus the gap
    # to the next year's visits at most one more year)
    assert d.draws.max() < 2 * 365.25
    poisson = detection_distribution([Activity.poisson("UI", 12, 1.0)])
    assert d.median <= poisson.median * 1.05                 # evenly spread beats clustering
    with pytest.raises(InputError, match="method"):
        detection_distribution([a], method="analytic")


@pytest.mark.parametrize("make", [
    lambda: Activity.periodic("x", -1.0),
    lambda: Activity.periodic("x", 0.0),
    lambda: Activity.poisson("x", per_year=-2.0),
    lambda: Activity.periodic("x", 30.0, probability=1.5),
    lambda: Activity.periodic("x", 30.0, probability=-0.1),
    lambda: Activity.continuous("x", -3.0),
    lambda: Activity.random_visits("x", 2.5),
    lambda: Activity("x", "sometimes", 1.0, 1.0),
    lambda: Delay(5.0, 2.0),
    lambda: Delay(-1.0, 2.0),
])
def test_bad_parameters_are_refused(make):
    with pytest.raises(InputError):
        make()
