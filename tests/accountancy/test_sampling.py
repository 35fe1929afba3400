"""Verification sampling: attribute plans (SG-ATTR-001), the D statistic (SG-DSTAT-001),
variables plans, MUF-D; the exact size never exceeds the IAEA approximation; bad input."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from enrichwatch.accountancy.sampling import (
    DStatistic,
    attribute_detection_probability,
    attribute_nondetection_probability,
    attribute_plan,
    d_detection_probability,
    d_standard_deviation,
    d_statistic,
    defective_items,
    exact_sample_size,
    goal_attribute_plan,
    iaea_sample_size,
    iaea_sample_size_raw,
    muf_d,
    variables_plan,
)
from enrichwatch.constants import DETECTION_PROBABILITY_HIGH, DETECTION_PROBABILITY_LOW
from enrichwatch.errors import InputError
from tests.accountancy.verification_vectors import PRINTED_12_DECIMALS, VECTORS

ATTR = VECTORS["SG-ATTR-001"]


# -- reference vectors ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ATTR["expected"]["results"],
                         ids=lambda c: f"N{c['N']}-M{c['M']}-beta{c['beta']}")
def test_sg_attr_001_sample_sizes(case):
    """SG-ATTR-001: IAEA and exact attribute sample sizes (tolerance 0) and the non-detection
    probability each achieves (printed to 12 decimals)."""
    plan = attribute_plan(case["N"], case["M"], case["beta"])
    assert plan.n_iaea == case["n_iaea"]
    assert plan.n_exact == case["n_exact"]
    assert plan.n_iaea_raw == pytest.approx(case["n_iaea_raw"], abs=PRINTED_12_DECIMALS * 100)
    assert plan.nondetection_iaea == pytest.approx(case["nondet_at_n_iaea"],
                                                   abs=PRINTED_12_DECIMALS)
    assert plan.nondetection_exact == pytest.approx(case["nondet_at_n_exact"],
                                                    abs=PRINTED_12_DECIMALS)
    # the INMM/JNMM note cited by the vector: exact n in {n_IAEA - 3, ..., n_IAEA}
    assert case["n_iaea"] - 3 <= plan.n_exact <= plan.n_iaea


def test_sg_attr_001_inputs_are_the_cases():
    assert [(c["N"], c["M"], c["beta"]) for c in ATTR["inputs"]["cases"]] == \
        [(c["N"], c["M"], c["beta"]) for c in ATTR["expected"]["results"]]


def test_sg_const_003_detection_levels():
    """SG-CONST-003: the sampling-plan detection probability levels (tolerance 0)."""
    expected = VECTORS["SG-CONST-003"]["expected"]
    assert (DETECTION_PROBABILITY_HIGH, DETECTION_PROBABILITY_LOW) == (expected["high"],
                                                                        expected["low"])
    plan = attribute_plan(100, 5, expected["beta_high"])
    assert plan.detection_probability >= expected["high"]


def test_sg_dstat_001_d_statistic():
    """SG-DSTAT-001: D = 5, Var(D) = 225, sd 15 (tolerance 1e-9)."""
    v = VECTORS["SG-DSTAT-001"]
    i, e = v["inputs"], v["expected"]
    d = d_statistic(i["operator"], i["inspector"], i["N"], i["rsd_r"], i["rsd_s"])
    assert d.value == pytest.approx(e["D"], abs=v["tolerance"])
    assert d.variance == pytest.approx(e["var_D"], abs=v["tolerance"])
    assert d.sd == pytest.approx(e["sd_D"], abs=v["tolerance"])
    assert (d.population, d.sample_size) == (i["N"], i["n"])


# -- attribute sampling: properties -------------------------------------------------------------

betas = st.one_of(st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.5, 0.8, 1.0]),
                  st.floats(0.0, 1.0, allow_nan=False))


@st.composite
def strata(draw):
    n_pop = draw(st.integers(1, 3000))
    return n_pop, draw(st.integers(1, min(n_pop, 400))), draw(betas)


@settings(max_examples=300, deadline=None)
@given(strata())
def test_exact_size_never_exceeds_the_iaea_approximation(stratum):
    n_pop, m, beta = stratum
    n_exact, n_iaea = exact_sample_size(n_pop, m, beta), iaea_sample_size(n_pop, m, beta)
    assert 0 <= n_exact <= n_iaea <= n_pop


@settings(max_examples=200, deadline=None)
@given(strata())
def test_sizes_are_the_smallest_that_reach_the_goal(stratum):
    """Checked in exact rational arithmetic, independently of the implementation's identity
    C(N-M, n)/C(N, n) = C(N-n, M)/C(N, M)."""
    n_pop, m, beta = stratum
    b = Fraction(repr(beta))

    def miss(n):
        return Fraction(math.comb(n_pop - m, n), math.comb(n_pop, n))

    def approx(n):
        return Fraction(n_pop - n, n_pop) ** m

    n_exact, n_iaea = exact_sample_size(n_pop, m, beta), iaea_sample_size(n_pop, m, beta)
    assert miss(n_exact) <= b and (n_exact == 0 or miss(n_exact - 1) > b)
    assert approx(n_iaea) <= b and (n_iaea == 0 or approx(n_iaea - 1) > b)


@settings(max_examples=100, deadline=None)
@given(strata())
def test_iaea_size_is_the_rounded_up_formula(stratum):
    n_pop, m, beta = stratum
    raw = iaea_sample_size_raw(n_pop, m, beta)
    assert raw == pytest.approx(n_pop * (1 - beta ** (1 / m)), rel=1e-12, abs=1e-12)
    assert abs(iaea_sample_size(n_pop, m, beta) - math.ceil(raw)) <= 1   # rounding of raw only


def test_boundary_plans_do_not_move_with_binary_rounding():
    # N (1 - beta) is exactly whole: 30 (1 - 0.8) = 6 although 30 * (1 - 0.8) = 5.999... in floats
    assert iaea_sample_size(30, 1, 0.8) == exact_sample_size(30, 1, 0.8) == 6
    assert iaea_sample_size(100, 1, Fraction(1, 10)) == 90
    assert exact_sample_size(100, 1, 0.0) == 100 and iaea_sample_size(100, 1, 1.0) == 0


def test_nondetection_is_the_hypergeometric_probability():
    for n_pop, m, n in [(100, 5, 37), (40, 3, 0), (40, 3, 40), (12, 12, 1)]:
        expected = math.comb(n_pop - m, n) / math.comb(n_pop, n)
        assert attribute_nondetection_probability(n_pop, m, n) == pytest.approx(expected,
                                                                                rel=1e-12)
        assert attribute_detection_probability(n_pop, m, n) == pytest.approx(1 - expected,
                                                                             abs=1e-15)


def test_imperfect_item_detection():
    """E[(1-p)^X] over the hypergeometric X; a smaller p needs a larger sample."""
    n_pop, m, n, p = 60, 4, 20, 0.7
    k = np.arange(m + 1)
    expected = float(np.sum(stats.hypergeom.pmf(k, n_pop, m, n) * (1 - p) ** k))
    assert attribute_nondetection_probability(n_pop, m, n, p) == pytest.approx(expected,
                                                                               rel=1e-12)
    sizes = [exact_sample_size(n_pop, m, 0.1, item_detection=q) for q in (1.0, 0.9, 0.7, 0.5)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    n = sizes[2]
    assert attribute_nondetection_probability(n_pop, m, n, 0.7) <= 0.1 < \
        attribute_nondetection_probability(n_pop, m, n - 1, 0.7)
    assert exact_sample_size(5, 1, 0.01, item_detection=0.5) == 5          # never reaches it


def test_defective_items_for_gross_and_partial_defects():
    assert defective_items(25.0, 5.0) == 5                       # not 6 by rounding
    assert defective_items(75.0, 0.3 * 250.0) == 1
    assert defective_items(25.0, 4.0, "partial", 0.5) == 13
    assert defective_items(25.0, 2.5, "partial", 0.1) == 100
    plan = goal_attribute_plan(99, item_kg=2.5, goal_kg=25.0, beta=0.1, defect="partial",
                               defect_fraction=0.1)
    assert not plan.reachable and plan.n_exact == 0 and plan.detection_probability is None
    plan = goal_attribute_plan(400, item_kg=2.5, goal_kg=25.0, beta=0.1)
    assert plan.reachable and plan == attribute_plan(400, 10, 0.1)


# -- variables sampling ---------------------------------------------------------------------------


def test_d_variance_matches_a_seeded_simulation():
    """Honest declarations, inspector errors r = o (1 + e_r + e_s): the sd of D over 200,000
    simulated inspections agrees with the formula within Monte Carlo error (sd of a sample sd
    ~ sd / sqrt(2 K): 5 of those allowed)."""
    rng = np.random.default_rng(20261110)
    o = np.array([98.0, 101.0, 100.5, 99.0, 102.0, 97.5, 100.0])
    n_pop, sr, ss, runs = 60, 0.01, 0.004, 200_000
    measured = o * (1 + rng.normal(0, sr, (runs, o.size)) + rng.normal(0, ss, (runs, 1)))
    d_sim = n_pop / o.size * np.sum(o - measured, axis=1)
    expected = d_statistic(o, o, n_pop, sr, ss).sd
    assert np.std(d_sim) == pytest.approx(expected, abs=5 * expected / math.sqrt(2 * runs))
    assert abs(np.mean(d_sim)) < 5 * expected / math.sqrt(runs)


def test_d_test_alarms_on_overstated_declarations():
    declared = np.full(10, 100.0)
    d = d_statistic(declared, declared * 0.98, 100, 0.005, 0.002)
    assert d.value == pytest.approx(200.0) and d.alarm(0.05)
    assert not d_statistic(declared, declared * 1.001, 100, 0.005, 0.002).alarm(0.05)
    assert d.threshold(0.05) == pytest.approx(stats.norm.isf(0.05) * d.sd)


def test_variables_plan_is_minimal_and_meets_the_goal():
    kw = dict(item_kg=1.5, goal_kg=25.0, rsd_random=0.05, rsd_systematic=0.01)
    plan = variables_plan(500, beta=0.1, false_alarm=0.05, **kw)
    n = plan.sample_size
    pd = [d_detection_probability(25.0, d_standard_deviation(500, k, 1.5, 0.05, 0.01), 0.05)
          for k in (n - 1, n)]
    assert pd[0] < 0.9 <= pd[1] == pytest.approx(plan.detection_probability)
    assert plan.bias_per_item == pytest.approx(25.0 / 750.0)
    worse = variables_plan(500, beta=0.1, false_alarm=0.05, **(kw | {"rsd_systematic": 0.02}))
    assert worse.sample_size is None and worse.max_detection_probability < 0.9
    exact = variables_plan(500, beta=0.1, false_alarm=0.05, **(kw | {"rsd_random": 0.0}))
    assert exact.sample_size == 1


def test_d_detection_probability_closed_form():
    assert d_detection_probability(75, 25, 0.05) == pytest.approx(
        stats.norm.cdf(3 - stats.norm.isf(0.05)), rel=1e-12)


# -- MUF-D ------------------------------------------------------------------------------------


def test_muf_d_sees_a_diversion_however_it_is_hidden():
    """40 kg diverted: left in the MUF, hidden by overstating the ending inventory (D = +40 on
    that stratum, sign -1) or by understating the receipts (D = -40, sign +1): the same MUF-D
    every way."""
    d_honest = DStatistic(40, 8, 0.0, 64.0)
    d_hidden = DStatistic(40, 8, 40.0, 64.0)
    left = muf_d(40.0, 10.0, [d_honest], [-1])
    hidden = muf_d(0.0, 10.0, [d_hidden], [-1])
    assert left.value == hidden.value == 40.0
    assert left.sd == pytest.approx(math.sqrt(100 + 64))
    assert hidden.alarm(0.05) and hidden.detection_probability(40.0) == pytest.approx(
        stats.norm.cdf(40 / math.sqrt(164) - stats.norm.isf(0.05)))
    understated = muf_d(0.0, 10.0, [DStatistic(40, 8, -40.0, 64.0)], [1])
    assert understated.value == 40.0
    assert muf_d(5.0, 3.0, [d_honest, d_honest], [1, -1], covariance=10.0).variance == \
        pytest.approx(9 + 128 - 20)


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, param", [
    (lambda: attribute_plan(0, 1, 0.1), "population"),
    (lambda: attribute_plan(10.5, 1, 0.1), "population"),
    (lambda: attribute_plan(10, 11, 0.1), "defects"),
    (lambda: attribute_plan(10, 0, 0.1), "defects"),
    (lambda: attribute_plan(10, 2, 1.2), "beta"),
    (lambda: attribute_plan(10, 2, -0.1), "beta"),
    (lambda: attribute_plan(10, 2, float("nan")), "beta"),
    (lambda: attribute_plan(10, 2, 0.1, item_detection=0.0), "item_detection"),
    (lambda: attribute_nondetection_probability(10, 2, 11), "sample_size"),
    (lambda: defective_items(-25.0, 5.0), "goal_kg"),
    (lambda: defective_items(25.0, 0.0), "item_kg"),
    (lambda: defective_items(25.0, 5.0, "partial"), "defect_fraction"),
    (lambda: defective_items(25.0, 5.0, "partial", 1.5), "defect_fraction"),
    (lambda: defective_items(25.0, 5.0, "bias"), "defect"),
    (lambda: defective_items(25.0, 5.0, "huge"), "defect"),
    (lambda: d_statistic([100, -1], [100, 1], 10, 0.01, 0.0), "declared"),
    (lambda: d_statistic([100, 100], [100], 10, 0.01, 0.0), "measured"),
    (lambda: d_statistic([100, 100], [100, 100], 1, 0.01, 0.0), "population"),
    (lambda: d_statistic([100], [100], 10, 1.0, 0.0), "rsd_random"),
    (lambda: d_statistic([100], [100], 10, 0.01, -0.1), "rsd_systematic"),
    (lambda: variables_plan(10, 1.0, 1.0, 0.1, 0.01, 0.0, false_alarm=1.0), "false_alarm"),
    (lambda: variables_plan(10, 1.0, 1.0, 1.0, 0.01, 0.0), "beta"),
    (lambda: muf_d(1.0, -1.0, [], []), "sigma_muf"),
    (lambda: muf_d(1.0, 1.0, [DStatistic(4, 2, 0.0, 1.0)], [2]), "signs"),
    (lambda: muf_d(1.0, 1.0, [DStatistic(4, 2, 0.0, 1.0)], [1], covariance=5.0), "covariance"),
])
def test_bad_input_names_the_parameter(call, param):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.param == param and param in str(caught.value)
