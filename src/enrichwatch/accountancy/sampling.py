"""Verification sampling: how many items an inspector must measure, and what a sample finds.

An inspector verifies a stratum of ``N`` items (cylinders, say) by measuring a random sample of
``n`` of them. Three kinds of falsification (defect) are told apart by the measurement that can
see them (IAEA Safeguards Glossary, 2001 ed., entries "gross defect", "partial defect" and
"bias defect"):

* **gross defect**: an item is gone, empty or replaced (a simple attribute test finds it);
* **partial defect**: a fraction of an item's material is taken (a non-destructive assay finds
  it when the fraction is larger than the method's uncertainty);
* **bias defect**: a small falsification of every item, below what one item's measurement can
  see; found only by comparing many measurements with the declarations (variables sampling, the
  D statistic).

Attribute sampling (gross and partial defects). If ``M`` items must be falsified to divert the
goal quantity, a sample of ``n`` items drawn without replacement misses all of them with the
hypergeometric probability ``C(N-M, n) / C(N, n)``. The IAEA's approximation
``n = N (1 - beta^(1/M))`` (rounded up) replaces it by ``(1 - n/N)^M``, never smaller, so the
exact size never exceeds the approximation (the INMM/JNMM note V-44_3 finds it within three
items). ``beta`` is the non-detection probability, ``1 - beta`` the detection goal
(IAEA "high" 0.9, "low" 0.2: :data:`~enrichwatch.constants.DETECTION_PROBABILITY_HIGH`).

Variables sampling (bias defects). The D statistic ``D = (N/n) sum_j (o_j - r_j)`` extrapolates
the operator-minus-inspector differences of the sample to the stratum; with multiplicative
inspector errors, a random part (``rsd_random``, independent per item) and a systematic part
(``rsd_systematic``, shared), ``Var(D) = (N/n)^2 [rsd_r^2 sum o_j^2 + rsd_s^2 (sum o_j)^2]``
(the finite-population term of EUR 9230 and Burr et al., EPJ Nuclear Sci. Technol. 2:36 (2016),
is left out, as in the reference vector ``SG-DSTAT-001``).

MUF-D. The operator's MUF corrected by the D statistics of the verified strata,
``MUF - sum_k s_k D_k`` with ``s_k`` the stratum's sign in the balance (+1 beginning inventory
and receipts, -1 shipments and ending inventory): a diversion shows in it whether it was left in
the MUF or hidden by falsified declarations.

Probabilities are read as the decimal numbers they print as (``0.1`` is one tenth), so that a
plan exactly on a boundary (``N = 100, M = 1, beta = 0.1`` gives ``n = 90``) does not move by one
item through binary rounding; sample sizes are then computed in exact integer arithmetic.

Examples
--------
>>> plan = attribute_plan(population=200, defects=10, beta=0.05)
>>> plan.n_iaea, plan.n_exact
(52, 51)
>>> round(plan.nondetection_exact, 6)
0.048621
>>> defective_items(goal_kg=25.0, item_kg=4.0, defect="partial", defect_fraction=0.5)
13
>>> d = d_statistic([100.0] * 5, [99.5, 100.2, 99.8, 99.9, 100.1], population=50,
...                 rsd_random=0.005, rsd_systematic=0.002)
>>> round(d.value, 9), round(d.sd, 9)
(5.0, 15.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
from scipy import stats

from ..errors import InputError
from . import _verify as check

__all__ = [
    "AttributePlan",
    "DStatistic",
    "Defect",
    "MufD",
    "VariablesPlan",
    "attribute_detection_probability",
    "attribute_nondetection_probability",
    "attribute_plan",
    "d_detection_probability",
    "d_standard_deviation",
    "d_statistic",
    "defective_items",
    "exact_sample_size",
    "goal_attribute_plan",
    "iaea_sample_size",
    "iaea_sample_size_raw",
    "muf_d",
    "variables_plan",
]


class Defect(StrEnum):
    """Kind of falsification, by the measurement that can see it."""

    GROSS = "gross"
    PARTIAL = "partial"
    BIAS = "bias"


# -- attribute sampling -------------------------------------------------------------------------


def _population_defects(population, defects) -> tuple[int, int]:
    n_pop = check.count("population", population, 1)
    m = check.count("defects", defects, 1)
    if m > n_pop:
        raise InputError("defects", defects, f"at most the population ({n_pop} items)")
    return n_pop, m


def _beta(beta) -> Fraction:
    check.probability("beta", beta)
    return check.exact(beta)


def defective_items(goal_kg, item_kg, defect: Defect | str = Defect.GROSS,
                    defect_fraction=None) -> int:
    """Number of items ``M`` that must be falsified to divert ``goal_kg``.

    ``M = ceil(goal / (r x))`` with ``x`` the (mean) nuclear material content of an item and
    ``r`` the fraction taken from each falsified item: 1 for a gross defect, ``defect_fraction``
    for a partial defect (computed in exact decimal arithmetic: 25 kg at 5 kg per item is 5
    items, not 6).

    Parameters
    ----------
    goal_kg : float
        Quantity to divert [kg] (e.g. 1 SQ, 25 kg U-235, or 75 kg U-235 of LEU), > 0.
    item_kg : float
        Content of one item, in the same unit [kg], > 0.
    defect : {'gross', 'partial'}
        Kind of defect (a bias defect is not counted in items: see :func:`variables_plan`).
    defect_fraction : float, optional
        Fraction of each item taken, in (0, 1]; required for a partial defect, 1 for gross.

    Returns
    -------
    int
        Items to falsify; may exceed the stratum's population, in which case the defect cannot
        reach the goal there.
    """
    goal = check.positive("goal_kg", goal_kg)
    item = check.positive("item_kg", item_kg)
    kind = _defect(defect)
    if kind is Defect.BIAS:
        raise InputError("defect", str(defect), "'gross' or 'partial' (a bias defect is found by "
                                                 "variables sampling: variables_plan)")
    if kind is Defect.GROSS:
        if defect_fraction not in (None, 1, 1.0):
            raise InputError("defect_fraction", defect_fraction, "1 (or nothing) for a gross "
                                                                 "defect")
        fraction = Fraction(1)
    else:
        if defect_fraction is None:
            raise InputError("defect_fraction", None, "a fraction in (0, 1] for a partial defect")
        check.probability("defect_fraction", defect_fraction, low_open=True)
        fraction = check.exact(defect_fraction)
    return max(1, math.ceil(check.exact(goal) / (fraction * check.exact(item))))


def _defect(defect) -> Defect:
    try:
        return Defect(str(defect).lower())
    except ValueError:
        raise InputError("defect", defect, "one of 'gross', 'partial', 'bias'") from None


def iaea_sample_size_raw(population, defects, beta) -> float:
    """The IAEA approximation before rounding, ``N (1 - beta^(1/M))`` [items]."""
    n_pop, m = _population_defects(population, defects)
    b = check.probability("beta", beta)
    return n_pop * (1.0 - b ** (1.0 / m))


def _iaea_holds(n_pop: int, m: int, n: int, beta: Fraction) -> bool:
    """``(1 - n/N)^M <= beta`` in exact integers."""
    return (n_pop - n) ** m * beta.denominator <= beta.numerator * n_pop ** m


def iaea_sample_size(population, defects, beta) -> int:
    """IAEA attribute sample size: the smallest ``n`` with ``(1 - n/N)^M <= beta``, i.e.
    ``ceil(N (1 - beta^(1/M)))`` evaluated exactly.

    Parameters
    ----------
    population : int
        Items in the stratum, ``N >= 1``.
    defects : int
        Items that must be falsified to divert the goal, ``1 <= M <= N``.
    beta : float
        Non-detection probability goal in [0, 1] (``1 - beta`` is the detection probability).

    Returns
    -------
    int
        Sample size [items], from 0 to ``N``.
    """
    n_pop, m = _population_defects(population, defects)
    b = _beta(beta)
    guess = iaea_sample_size_raw(n_pop, m, float(b))
    n = min(max(math.ceil(guess) if math.isfinite(guess) else n_pop, 0), n_pop)
    while n > 0 and _iaea_holds(n_pop, m, n - 1, b):
        n -= 1
    while not _iaea_holds(n_pop, m, n, b):
        n += 1
    return n


def _miss_holds(n_pop: int, m: int, n: int, beta: Fraction) -> bool:
    """``C(N-M, n) / C(N, n) <= beta``, as ``C(N-n, M) / C(N, M)`` in exact integers."""
    misses = math.comb(n_pop - n, m) if n <= n_pop - m else 0
    return misses * beta.denominator <= beta.numerator * math.comb(n_pop, m)


def exact_sample_size(population, defects, beta, *, item_detection=1.0) -> int:
    """Exact (hypergeometric) attribute sample size: the smallest ``n`` whose non-detection
    probability is at most ``beta``.

    With ``item_detection`` = 1 (a falsified item in the sample is always recognised) that is
    ``C(N-M, n) / C(N, n) <= beta``, decided in exact integer arithmetic; with a smaller
    probability ``p`` of recognising a falsified item the non-detection probability is
    ``E[(1 - p)^X]``, ``X`` hypergeometric (floating point, see
    :func:`attribute_nondetection_probability`).

    Parameters
    ----------
    population, defects, beta
        As for :func:`iaea_sample_size`.
    item_detection : float
        Probability in (0, 1] that the measurement recognises a falsified item it samples.

    Returns
    -------
    int
        Sample size [items]; ``N`` when even the whole stratum does not reach the goal (only
        possible with ``item_detection`` < 1).
    """
    n_pop, m = _population_defects(population, defects)
    b = _beta(beta)
    p = check.probability("item_detection", item_detection, low_open=True)

    def holds(n: int) -> bool:
        if p == 1.0:
            return _miss_holds(n_pop, m, n, b)
        return attribute_nondetection_probability(n_pop, m, n, p) <= float(b)

    high = iaea_sample_size(n_pop, m, b) if p == 1.0 else n_pop
    if not holds(high):
        return n_pop
    low = -1                                      # holds(low) is False by convention
    while high - low > 1:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid
    return high


def attribute_nondetection_probability(population, defects, sample_size,
                                       item_detection=1.0) -> float:
    """Probability that a random sample of ``n`` items finds none of ``M`` falsified items.

    ``sum_k P(X = k) (1 - p)^k`` with ``X`` hypergeometric (``N`` items, ``M`` falsified, ``n``
    drawn without replacement) and ``p`` the probability of recognising a sampled falsified
    item; for ``p = 1`` it is ``C(N-M, n) / C(N, n)``.

    Examples
    --------
    >>> round(attribute_nondetection_probability(100, 5, 37), 12)
    0.093360054894
    """
    n_pop, m = _population_defects(population, defects)
    n = check.count("sample_size", sample_size, 0, n_pop)
    p = check.probability("item_detection", item_detection)
    k = np.arange(0, min(m, n) + 1)
    pmf = stats.hypergeom.pmf(k, n_pop, m, n)
    return float(np.clip(np.sum(pmf * (1.0 - p) ** k), 0.0, 1.0))


def attribute_detection_probability(population, defects, sample_size,
                                    item_detection=1.0) -> float:
    """``1 -`` :func:`attribute_nondetection_probability`: the chance that the sample finds a
    falsified item."""
    return 1.0 - attribute_nondetection_probability(population, defects, sample_size,
                                                    item_detection)


@dataclass(frozen=True)
class AttributePlan:
    """An attribute sampling plan for one stratum and one defect size.

    ``reachable`` is False when the stratum holds fewer items than must be falsified
    (``defects > population``): the defect cannot divert the goal there and no sample is needed
    (sizes 0, probabilities None). With ``item_detection`` < 1 the exact size may exceed the
    IAEA approximation, which assumes every sampled falsified item is recognised.
    """

    population: int
    defects: int
    beta: float
    n_iaea_raw: float
    n_iaea: int
    n_exact: int
    nondetection_iaea: float | None
    nondetection_exact: float | None
    item_detection: float = 1.0
    reachable: bool = True

    @property
    def detection_probability(self) -> float | None:
        """Detection probability achieved by the exact size (None when not reachable)."""
        return None if self.nondetection_exact is None else 1.0 - self.nondetection_exact

    def as_dict(self) -> dict:
        return {"population": self.population, "defects": self.defects, "beta": self.beta,
                "detection_probability_goal": 1.0 - self.beta, "reachable": self.reachable,
                "n_iaea_raw": self.n_iaea_raw, "n_iaea": self.n_iaea, "n_exact": self.n_exact,
                "nondetection_at_n_iaea": self.nondetection_iaea,
                "nondetection_at_n_exact": self.nondetection_exact,
                "item_detection": self.item_detection}

    def __repr__(self) -> str:
        return (f"AttributePlan(N={self.population}, M={self.defects}, beta={self.beta:g}: "
                f"n_IAEA={self.n_iaea}, n_exact={self.n_exact})")


def attribute_plan(population, defects, beta, *, item_detection=1.0) -> AttributePlan:
    """Attribute sampling plan: the IAEA and the exact sample sizes and what each achieves.

    Parameters
    ----------
    population : int
        Items in the stratum, ``N >= 1``.
    defects : int
        Items that must be falsified to divert the goal, ``1 <= M <= N``
        (:func:`defective_items`).
    beta : float
        Non-detection probability goal in [0, 1].
    item_detection : float
        Probability in (0, 1] of recognising a sampled falsified item (1: gross defects with an
        attribute test; lower for a partial-defect measurement near its limit).

    Returns
    -------
    AttributePlan
    """
    n_pop, m = _population_defects(population, defects)
    b = check.probability("beta", beta)
    p = check.probability("item_detection", item_detection, low_open=True)
    n_iaea = iaea_sample_size(n_pop, m, beta)
    n_exact = exact_sample_size(n_pop, m, beta, item_detection=p)
    return AttributePlan(n_pop, m, b, iaea_sample_size_raw(n_pop, m, b), n_iaea, n_exact,
                         attribute_nondetection_probability(n_pop, m, n_iaea, p),
                         attribute_nondetection_probability(n_pop, m, n_exact, p), p)


def goal_attribute_plan(population, item_kg, goal_kg, beta, *,
                        defect: Defect | str = Defect.GROSS, defect_fraction=None,
                        item_detection=1.0) -> AttributePlan:
    """Attribute plan for diverting ``goal_kg`` by gross or partial defects of a stratum whose
    items hold ``item_kg`` each: ``M`` from :func:`defective_items`, then
    :func:`attribute_plan`; not reachable (no sample needed) when ``M > N``.

    Examples
    --------
    >>> goal_attribute_plan(20, item_kg=4.0, goal_kg=25.0, beta=0.1, defect="partial",
    ...                     defect_fraction=0.1).reachable
    False
    """
    n_pop = check.count("population", population, 1)
    m = defective_items(goal_kg, item_kg, defect, defect_fraction)
    if m <= n_pop:
        return attribute_plan(n_pop, m, beta, item_detection=item_detection)
    b = check.probability("beta", beta)
    p = check.probability("item_detection", item_detection, low_open=True)
    return AttributePlan(n_pop, m, b, 0.0, 0, 0, None, None, p, reachable=False)


# -- variables sampling: the D statistic ----------------------------------------------------------


def _z(false_alarm) -> float:
    alpha = check.probability("false_alarm", false_alarm, low_open=True, high_open=True)
    return float(stats.norm.isf(alpha))


@dataclass(frozen=True)
class DStatistic:
    """The D (difference) statistic of one stratum: value and variance [kg, kg^2]."""

    population: int
    sample_size: int
    value: float
    variance: float

    @property
    def sd(self) -> float:
        """Standard deviation of D [kg]."""
        return math.sqrt(self.variance)

    def threshold(self, false_alarm=0.05) -> float:
        """One-sided test threshold ``z_(1-alpha) sd(D)`` [kg] for a false-alarm probability."""
        return _z(false_alarm) * self.sd

    def alarm(self, false_alarm=0.05) -> bool:
        """Whether D exceeds its threshold (declarations significantly above the inspector's
        measurements)."""
        return self.value > self.threshold(false_alarm)

    def as_dict(self, false_alarm=0.05) -> dict:
        return {"population": self.population, "sample_size": self.sample_size,
                "d": self.value, "variance": self.variance, "sd": self.sd,
                "false_alarm": float(false_alarm), "threshold": self.threshold(false_alarm),
                "alarm": self.alarm(false_alarm)}


def d_statistic(declared, measured, population, rsd_random, rsd_systematic) -> DStatistic:
    """D statistic ``(N/n) sum (declared - measured)`` of a verified sample, and its variance.

    Parameters
    ----------
    declared : sequence of float
        The operator's declared values of the ``n`` sampled items [kg], each >= 0.
    measured : sequence of float
        The inspector's measurements of the same items [kg].
    population : int
        Items in the stratum, ``N >= n``.
    rsd_random, rsd_systematic : float
        Relative standard deviations of the inspector's measurement: random (independent per
        item) and systematic (shared by the sample) [1], each in [0, 1).

    Returns
    -------
    DStatistic
        ``Var(D) = (N/n)^2 [rsd_r^2 sum o^2 + rsd_s^2 (sum o)^2]`` (honest declarations).
    """
    o = check.vector("declared", declared)
    r = check.vector("measured", measured, length=o.size)
    if np.any(o < 0):
        raise InputError("declared", float(o[o < 0][0]), "declared values >= 0 [kg]")
    n_pop = check.count("population", population, o.size)
    sr, ss = _rsd("rsd_random", rsd_random), _rsd("rsd_systematic", rsd_systematic)
    scale = n_pop / o.size
    value = scale * float(np.sum(o - r))
    variance = scale ** 2 * (sr ** 2 * float(np.sum(o ** 2)) + ss ** 2 * float(np.sum(o)) ** 2)
    return DStatistic(n_pop, int(o.size), value, variance)


def _rsd(param: str, value) -> float:
    x = check.nonnegative(param, value, "a relative standard deviation in [0, 1)")
    if x >= 1.0:
        raise InputError(param, value, "a relative standard deviation in [0, 1)")
    return x


def d_standard_deviation(population, sample_size, item_kg, rsd_random, rsd_systematic) -> float:
    """Planned ``sd(D) = N x sqrt(rsd_r^2 / n + rsd_s^2)`` [kg] for items of ``item_kg`` each
    (the D-statistic variance with every declared value equal to ``x``)."""
    n_pop = check.count("population", population, 1)
    n = check.count("sample_size", sample_size, 1, n_pop)
    x = check.positive("item_kg", item_kg)
    sr, ss = _rsd("rsd_random", rsd_random), _rsd("rsd_systematic", rsd_systematic)
    return n_pop * x * math.sqrt(sr ** 2 / n + ss ** 2)


def d_detection_probability(loss_kg, sd, false_alarm=0.05) -> float:
    """Detection probability ``Phi(loss / sd - z_(1-alpha))`` of the one-sided test on a
    normally distributed statistic (D, or MUF-D) with standard deviation ``sd`` [kg] when
    ``loss_kg`` is diverted."""
    loss = check.nonnegative("loss_kg", loss_kg)
    s = check.positive("sd", sd)
    return float(stats.norm.cdf(loss / s - _z(false_alarm)))


@dataclass(frozen=True)
class VariablesPlan:
    """A variables sampling plan against a bias defect spread over the whole stratum.

    ``sample_size`` is None when no sample reaches the goal: the systematic error alone makes
    ``sd(D)`` too large (``max_detection_probability``, at ``n = N``, says how far it gets).
    """

    population: int
    item_kg: float
    goal_kg: float
    beta: float
    false_alarm: float
    rsd_random: float
    rsd_systematic: float
    sample_size: int | None
    detection_probability: float | None
    max_detection_probability: float

    @property
    def bias_per_item(self) -> float:
        """Relative falsification of every item that diverts the goal [1]."""
        return self.goal_kg / (self.population * self.item_kg)

    def as_dict(self) -> dict:
        return {"population": self.population, "item_kg": self.item_kg, "goal_kg": self.goal_kg,
                "beta": self.beta, "detection_probability_goal": 1.0 - self.beta,
                "false_alarm": self.false_alarm, "rsd_random": self.rsd_random,
                "rsd_systematic": self.rsd_systematic, "bias_per_item": self.bias_per_item,
                "sample_size": self.sample_size,
                "detection_probability": self.detection_probability,
                "max_detection_probability": self.max_detection_probability}


def variables_plan(population, item_kg, goal_kg, beta, rsd_random, rsd_systematic,
                   false_alarm=0.05) -> VariablesPlan:
    """Smallest sample whose D test detects a bias defect diverting ``goal_kg`` with probability
    at least ``1 - beta`` at false-alarm probability ``false_alarm``.

    Needs ``goal / sd(D) >= z_(1-alpha) + z_(1-beta)``, with ``sd(D)`` from
    :func:`d_standard_deviation`: ``n = ceil(rsd_r^2 / ((goal / (N x (z_a + z_b)))^2 -
    rsd_s^2))``.

    Examples
    --------
    >>> plan = variables_plan(500, item_kg=1.5, goal_kg=25.0, beta=0.1, rsd_random=0.05,
    ...                       rsd_systematic=0.01, false_alarm=0.05)
    >>> plan.sample_size, round(plan.detection_probability, 3)
    (85, 0.901)
    >>> variables_plan(500, item_kg=1.5, goal_kg=25.0, beta=0.1, rsd_random=0.05,
    ...                rsd_systematic=0.02).sample_size is None   # systematic error too large
    True
    """
    n_pop = check.count("population", population, 1)
    x, goal = check.positive("item_kg", item_kg), check.positive("goal_kg", goal_kg)
    b = check.probability("beta", beta, low_open=True, high_open=True)
    sr, ss = _rsd("rsd_random", rsd_random), _rsd("rsd_systematic", rsd_systematic)
    alpha = check.probability("false_alarm", false_alarm, low_open=True, high_open=True)

    def pd(n: int) -> float:
        sd = d_standard_deviation(n_pop, n, x, sr, ss)
        return 1.0 if sd == 0.0 else d_detection_probability(goal, sd, alpha)

    best, n = pd(n_pop), None
    if best >= 1.0 - b:
        room = (goal / (n_pop * x * (_z(alpha) + float(stats.norm.isf(b))))) ** 2 - ss ** 2
        guess = 1 if sr == 0.0 else math.ceil(sr ** 2 / room) if room > 0 else n_pop
        n = min(max(guess, 1), n_pop)
        while n > 1 and pd(n - 1) >= 1.0 - b:
            n -= 1
        while pd(n) < 1.0 - b:
            n += 1
    return VariablesPlan(n_pop, x, goal, b, alpha, sr, ss, n, None if n is None else pd(n), best)


# -- MUF-D -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MufD:
    """The MUF corrected by the D statistics of the verified strata [kg]."""

    muf: float
    d: float
    value: float
    variance: float

    @property
    def sd(self) -> float:
        """Standard deviation of MUF-D [kg]."""
        return math.sqrt(self.variance)

    def threshold(self, false_alarm=0.05) -> float:
        """One-sided threshold ``z_(1-alpha) sd`` [kg]."""
        return _z(false_alarm) * self.sd

    def alarm(self, false_alarm=0.05) -> bool:
        """Whether MUF-D exceeds its threshold (an apparent loss beyond measurement error)."""
        return self.value > self.threshold(false_alarm)

    def detection_probability(self, loss_kg, false_alarm=0.05) -> float:
        """Probability that the test alarms when ``loss_kg`` is diverted, however the diverter
        splits it between MUF and falsified declarations."""
        return d_detection_probability(loss_kg, self.sd, false_alarm)

    def as_dict(self, false_alarm=0.05) -> dict:
        return {"muf": self.muf, "d": self.d, "muf_d": self.value, "variance": self.variance,
                "sd": self.sd, "false_alarm": float(false_alarm),
                "threshold": self.threshold(false_alarm), "alarm": self.alarm(false_alarm)}


def muf_d(muf, sigma_muf, d_statistics: Sequence[DStatistic], signs: Sequence[int], *,
          covariance=0.0) -> MufD:
    """MUF-D: ``MUF - sum_k s_k D_k`` and its variance.

    Parameters
    ----------
    muf : float
        The operator's MUF [kg] (book - physical, positive = apparent loss).
    sigma_muf : float
        Its standard deviation [kg], >= 0.
    d_statistics : sequence of DStatistic
        One per verified stratum (independent of each other).
    signs : sequence of {+1, -1}
        Each stratum's sign in the balance: +1 beginning inventory and receipts, -1 shipments
        and ending inventory.
    covariance : float
        ``Cov(MUF, sum_k s_k D_k)`` [kg^2]: 0 when the inspector's errors are independent of the
        operator's; give it when operator errors enter both.

    Returns
    -------
    MufD
        ``Var = sigma_muf^2 + sum_k Var(D_k) - 2 covariance``.

    Examples
    --------
    >>> d = DStatistic(population=40, sample_size=8, value=30.0, variance=64.0)
    >>> m = muf_d(-28.0, 10.0, [d], [-1])
    >>> m.value, m.sd
    (2.0, 12.806248474865697)
    """
    mu = check.finite("muf", muf)
    s = check.nonnegative("sigma_muf", sigma_muf)
    if len(d_statistics) != len(signs):
        raise InputError("signs", list(signs), f"one sign per D statistic ({len(d_statistics)})")
    for sign in signs:
        if sign not in (1, -1):
            raise InputError("signs", sign, "+1 (beginning inventory, receipts) or -1 "
                                            "(shipments, ending inventory)")
    for k, d in enumerate(d_statistics):
        if not isinstance(d, DStatistic):
            raise InputError(f"d_statistics[{k}]", d, "a DStatistic")
    signed = sum(sign * d.value for sign, d in zip(signs, d_statistics, strict=True))
    variance = s ** 2 + sum(d.variance for d in d_statistics) - 2 * check.finite(
        "covariance", covariance)
    if variance <= 0.0:
        raise InputError("covariance", covariance, "a covariance that leaves Var(MUF-D) > 0")
    return MufD(mu, float(signed), mu - float(signed), float(variance))
