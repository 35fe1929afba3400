"""The distribution of the time to detection: the invariants of issue 12 (adding an activity
never lengthens detection; no activities, no detection), analytic against Monte Carlo, seeds
and Dask."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.detection import Activity, Delay, detection_distribution
from enrichwatch.errors import InputError
from tests.detection.helpers import activities

TIMES = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 400.0])


@st.composite
def an_activity(draw, allow_random=False):
    processes = ["periodic", "poisson", "continuous"] + (["random"] if allow_random else [])
    process = draw(st.sampled_from(processes))
    p = draw(st.floats(0.0, 1.0))
    low = draw(st.floats(0.0, 30.0))
    delay = Delay(low, low + draw(st.sampled_from([0.0, draw(st.floats(0.0, 60.0))])))
    offset = draw(st.floats(0.0, 10.0))
    name = draw(st.text("abcdefgh", min_size=1, max_size=6))
    kw = {"delay": delay, "offset_days": offset}
    if process == "periodic":
        return Activity.periodic(name, draw(st.floats(0.5, 365.0)), p, **kw)
    if process == "poisson":
        return Activity.poisson(name, draw(st.floats(0.0, 200.0)), p, **kw)
    if process == "continuous":
        return Activity.continuous(name, draw(st.sampled_from([0.0, 1.0, 7.0, 30.0])), p, **kw)
    return Activity.random_visits(name, draw(st.integers(0, 24)), p, **kw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.lists(an_activity(), max_size=4), extra=an_activity())
def test_adding_an_activity_never_lengthens_detection_analytic(base, extra):
    before = detection_distribution(base)
    after = detection_distribution(base + [extra])
    assert np.all(after.cdf(TIMES) >= before.cdf(TIMES) - 1e-12)
    for q in (0.1, 0.5, 0.9):
        assert after.quantile(q) <= before.quantile(q) * (1 + 1e-9) + 1e-9
    assert after.probability_ever >= before.probability_ever - 1e-12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.lists(an_activity(allow_random=True), max_size=3),
       extra=an_activity(allow_random=True), seed=st.integers(0, 2**16))
def test_adding_an_activity_never_lengthens_detection_sample_by_sample(base, extra, seed):
    """Each activity draws from its own stream: with the same seed, every sample is the same
    or earlier once an activity is added (so the sorted samples are too)."""
    before = detection_distribution(base, method="monte-carlo", samples=2000, seed=seed,
                                    chunk_size=700)
    after = detection_distribution(base + [extra], method="monte-carlo", samples=2000,
                                   seed=seed, chunk_size=700)
    assert np.all(after.draws <= before.draws)


@settings(max_examples=20, deadline=None)
@given(method=st.sampled_from(["auto", "analytic", "monte-carlo"]),
       t=st.floats(0.0, 1e6))
def test_no_activities_no_detection(method, t):
    d = detection_distribution([], method=method, samples=500)
    assert d.probability_ever == 0.0
    assert d.cdf(t) == 0.0
    assert math.isinf(d.median) and math.isinf(d.p90)


def test_activities_that_never_look_detect_nothing():
    never = [Activity.periodic("blind", 30.0, 0.0), Activity.poisson("none", 0.0, 1.0),
             Activity.random_visits("none either", 0, 1.0)]
    d = detection_distribution(never, samples=1000)
    assert d.probability_ever == 0.0 and math.isinf(d.median)


def test_analytic_and_monte_carlo_agree_on_a_mixed_regime():
    acts = activities()
    exact = detection_distribution(acts)
    mc = detection_distribution(acts, method="monte-carlo", samples=200_000, seed=1)
    assert exact.method == "analytic" and mc.method == "monte-carlo"
    t = np.array([1.0, 3.0, 5.0, 8.0, 12.0, 20.0, 40.0])
    assert np.allclose(mc.cdf(t), exact.cdf(t), atol=0.005)      # ~4.5 sigma at 200,000
    for q in (0.5, 0.9):
        assert math.isclose(mc.quantile(q), exact.quantile(q), rel_tol=0.02)


def test_quantiles_invert_the_cdf():
    d = detection_distribution(activities())
    for q in (0.05, 0.25, 0.5, 0.75, 0.9, 0.99):
        x = d.quantile(q)
        assert d.cdf(x) >= q - 1e-9 and d.cdf(x * (1 - 1e-6)) <= q + 1e-9


def test_a_quantile_beyond_reach_is_infinite():
    d = detection_distribution([Activity.continuous("monitor", 0.0, 0.7)])
    assert d.probability_ever == 0.7
    assert d.quantile(0.7) == 0.0 and math.isinf(d.quantile(0.71))


def test_same_seed_same_result_and_chunking_is_part_of_the_seed():
    acts = activities()
    a = detection_distribution(acts, method="monte-carlo", samples=3000, seed=4)
    b = detection_distribution(acts, method="monte-carlo", samples=3000, seed=4)
    c = detection_distribution(acts, method="monte-carlo", samples=3000, seed=5)
    assert np.array_equal(a.draws, b.draws) and not np.array_equal(a.draws, c.draws)


@pytest.mark.parametrize("kw", [{"method": "quick"}, {"samples": 0}, {"seed": -1},
                                {"chunk_size": 0}, {"samples": 1.5}])
def test_bad_options(kw):
    with pytest.raises(InputError):
        detection_distribution(activities(), **kw)


def test_as_dict_is_plain_and_finite():
    d = detection_distribution(activities()).as_dict()
    assert d["method"] == "analytic" and d["median_days"] > 0
    assert len(d["cdf"]["days"]) == len(d["cdf"]["probability"])
    assert all(0 <= p <= 1 for p in d["cdf"]["probability"])
    none = detection_distribution([]).as_dict()
    assert none["median_days"] is None and none["probability_ever"] == 0.0




def test_dask_gives_the_local_result(local_cluster):
    cluster, client = local_cluster
    acts = activities() + [Activity.random_visits("LFUA", 6, 0.9)]
    local = detection_distribution(acts, samples=5000, seed=9, chunk_size=1000)
    remote = detection_distribution(acts, samples=5000, seed=9, chunk_size=1000,
                                    address=cluster.scheduler_address)
    assert np.array_equal(local.draws, remote.draws)
    assert remote.backend.startswith("tcp://")
    via = detection_distribution(acts, samples=5000, seed=9, chunk_size=1000, client=client)
    assert np.array_equal(via.draws, local.draws)
