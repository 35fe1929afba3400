"""Loss patterns and detection probabilities in closed form.

A loss (diversion) of ``M_k`` kg in balance k raises the expected MUF by ``M_k``; the MUF stays
normal with the covariance of the measurement errors. Closed forms then exist for

* the single-balance MUF test (alarm if ``MUF_k > z_{1-alpha} sigma_k``):
  ``PD_k = Phi(M_k / sigma_k - z_{1-alpha})``; two-sided
  ``Phi(M/sigma - z_{1-alpha/2}) + Phi(-M/sigma - z_{1-alpha/2})``;
* the CUMUF test at the end of the horizon: the same with ``sum M`` and ``sigma(CUMUF)``;
* GEMUF V1 at the end of n balances: ``Z ~`` non-central chi-square(n, ``M' Sigma^-1 M``), alarm
  above the chi-square(n) quantile;
* Page's test on SITMUF: SITMUF has mean ``L^{-1} M`` and unit variance, and the Brook & Evans
  chain (:mod:`.markov`) gives the probability of an alarm by each balance (exact up to the
  chain's discretisation).

Examples
--------
>>> round(dp_one_sided(75, 25, 0.05), 6)
0.912315
>>> round(required_ratio(0.05, 0.90), 6)
2.926405
>>> abrupt_loss(75.0, 12, 5).amounts_kg.tolist()[4:7]
[0.0, 75.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..constants import DAYS_PER_YEAR
from ..errors import InputError
from .markov import cusum_alarm_probability
from .sequential import PageTest, PageThreshold, cholesky_factor, page_threshold

__all__ = [
    "DetectionProbabilities",
    "LossPattern",
    "BALANCE_FALSE_ALARM_CONVENTION",
    "abrupt_loss",
    "balance_false_alarm",
    "detection_probabilities",
    "dp_one_sided",
    "dp_two_sided",
    "false_alarm_probability",
    "max_sigma_muf",
    "protracted_loss",
    "required_ratio",
]


def _probability(p: float, key: str, *, closed: bool = False) -> float:
    ok = isinstance(p, int | float) and (0 <= p <= 1 if closed else 0 < p < 1)
    if not ok:
        raise InputError(key, p, "a probability strictly between 0 and 1")
    return float(p)


BALANCE_FALSE_ALARM_CONVENTION: str = (
    "a yearly false-alarm probability alpha spread over balances by their length: a balance "
    "of d days is tested at 1 - (1 - alpha)^(d / 365.25) (Sidak), so that balances covering "
    "a year together give alpha")


def balance_false_alarm(alpha_per_year: float, days) -> np.ndarray | float:
    """False-alarm probability of the single-balance MUF test for a balance of ``days`` days.

    The one convention of enrichwatch (study and evaluation alike,
    :data:`BALANCE_FALSE_ALARM_CONVENTION`): ``1 - (1 - alpha)^(days / 365.25)``, so that the
    independent tests of balances covering one year together have false-alarm probability
    ``alpha``; for N equal balances of a year each is ``1 - (1 - alpha)^(1/N)``.

    Parameters
    ----------
    alpha_per_year : float
        False-alarm probability per year, strictly between 0 and 1.
    days : float or array_like
        Length of each balance [d], > 0.

    Examples
    --------
    >>> round(balance_false_alarm(0.05, 365.25 / 12), 6)
    0.004265
    """
    alpha = _probability(alpha_per_year, "false_alarm_per_year")
    d = np.asarray(days, float)
    if not (np.all(np.isfinite(d)) and np.all(d > 0)):
        raise InputError("balance length [d]", d.tolist(), "finite lengths > 0 days")
    out = -np.expm1(np.log1p(-alpha) * d / DAYS_PER_YEAR)
    return float(out) if np.ndim(out) == 0 else out


def _probabilities(p, key: str) -> np.ndarray | float:
    """One probability, or an array of them (one per balance), each strictly in (0, 1)."""
    if np.ndim(p) == 0:
        return _probability(p, key)
    a = np.asarray(p, float)
    if not np.all((a > 0) & (a < 1)):
        raise InputError(key, a.tolist(), "probabilities strictly between 0 and 1")
    return a


def dp_one_sided(loss, sigma, alpha: float) -> np.ndarray | float:
    """Detection probability of the one-sided test ``MUF > z_{1-alpha} sigma``."""
    z = stats.norm.isf(_probabilities(alpha, "alpha"))
    out = stats.norm.cdf(np.asarray(loss, float) / np.asarray(sigma, float) - z)
    return float(out) if np.ndim(out) == 0 else out


def dp_two_sided(loss, sigma, alpha: float) -> np.ndarray | float:
    """Detection probability of the two-sided test ``|MUF| > z_{1-alpha/2} sigma``."""
    z = stats.norm.isf(_probability(alpha, "alpha") / 2)
    r = np.asarray(loss, float) / np.asarray(sigma, float)
    out = stats.norm.cdf(r - z) + stats.norm.cdf(-r - z)
    return float(out) if np.ndim(out) == 0 else out


def required_ratio(alpha: float, detection_probability: float) -> float:
    """Loss over sigma-MUF needed for ``detection_probability`` at false-alarm ``alpha``
    (one-sided): ``z_{1-alpha} + z_{PD}``."""
    pd = _probability(detection_probability, "detection_probability")
    return float(stats.norm.isf(_probability(alpha, "alpha")) + stats.norm.ppf(pd))


def max_sigma_muf(loss_kg: float, alpha: float, detection_probability: float) -> float:
    """Largest sigma-MUF [kg] at which a loss of ``loss_kg`` is detected with
    ``detection_probability`` at false-alarm probability ``alpha`` (one-sided)."""
    return float(loss_kg) / required_ratio(alpha, detection_probability)


def false_alarm_probability(threshold_sigmas: float, sides: int = 2) -> float:
    """False-alarm probability of a single normal test at ``threshold_sigmas`` sigma."""
    if sides not in (1, 2):
        raise InputError("sides", sides, "1 or 2")
    return float(sides * stats.norm.sf(threshold_sigmas))


# -- loss patterns -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LossPattern:
    """Material lost (diverted) in each balance [kg of the balanced quantity]."""

    name: str
    amounts_kg: np.ndarray

    def __post_init__(self) -> None:
        a = np.asarray(self.amounts_kg, float)
        if a.ndim != 1 or not np.all(np.isfinite(a)):
            raise InputError("loss.amounts_kg", self.amounts_kg, "finite amounts, one per balance")
        a.setflags(write=False)
        object.__setattr__(self, "amounts_kg", a)

    @property
    def total_kg(self) -> float:
        return float(self.amounts_kg.sum())

    def __repr__(self) -> str:
        return f"LossPattern({self.name!r}, {self.total_kg:.6g} kg over {self.amounts_kg.size})"


def _balances(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("balances", n, "a whole number >= 1")
    return n


def abrupt_loss(amount_kg: float, balances: int, period: int) -> LossPattern:
    """All of ``amount_kg`` lost in balance ``period`` (0-based) of ``balances``."""
    a = np.zeros(_balances(balances))
    if isinstance(period, bool) or not isinstance(period, int) or not 0 <= period < balances:
        raise InputError("loss.period", period, f"a balance index from 0 to {balances - 1}")
    a[period] = amount_kg
    return LossPattern(f"abrupt {amount_kg:g} kg in balance {period + 1}", a)


def protracted_loss(amount_kg: float, balances: int, first: int = 0,
                    last: int | None = None) -> LossPattern:
    """``amount_kg`` lost evenly over balances ``first`` .. ``last`` (0-based, inclusive;
    default: to the end)."""
    n = _balances(balances)
    last = n - 1 if last is None else last
    if not (isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < n):
        raise InputError("loss.first", [first, last], f"0 <= first <= last <= {n - 1}")
    a = np.zeros(n)
    a[first:last + 1] = amount_kg / (last - first + 1)
    return LossPattern(f"protracted {amount_kg:g} kg over balances {first + 1}-{last + 1}", a)


# -- closed forms for a sequence ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DetectionProbabilities:
    """Closed-form detection probabilities of one loss pattern.

    ``muf[k]``: single-balance test at balance k; ``cumuf``, ``gemuf``: end-of-horizon tests;
    ``page[k]``: Page's test alarmed at or before balance k (``page[-1]`` over the horizon).
    Each test has false-alarm probability ``alpha`` (Page: over the horizon, if its threshold
    was calibrated so).
    """

    loss: LossPattern
    alpha: float
    muf: np.ndarray
    cumuf: float
    gemuf: float
    page: np.ndarray
    page_test: PageTest = field(repr=False)

    def as_dict(self) -> dict:
        return {"loss": self.loss.name, "loss_kg": self.loss.amounts_kg.tolist(),
                "alpha": self.alpha, "muf_by_balance": self.muf.tolist(),
                "cumuf": self.cumuf, "gemuf": self.gemuf, "page_by_balance": self.page.tolist(),
                "page": float(self.page[-1]),
                "page_test": {"k": self.page_test.k, "h": self.page_test.h,
                              "side": self.page_test.side}}


def _page_test(page, alpha: float, n: int) -> PageTest:
    if page is None:
        return page_threshold(alpha, n).test()
    if isinstance(page, PageThreshold):
        return page.test()
    if not isinstance(page, PageTest):
        raise InputError("page", type(page).__name__, "a PageTest or a PageThreshold")
    return page


def detection_probabilities(loss: LossPattern, cov, *, alpha: float = 0.05,
                            page: PageTest | PageThreshold | None = None,
                            states: int | None = None,
                            muf_alpha=None) -> DetectionProbabilities:
    """Detection probabilities of ``loss`` by the MUF, CUMUF, GEMUF and Page tests.

    Parameters
    ----------
    loss : LossPattern
    cov : array_like (K, K)
        MUF covariance [kg^2] (e.g. ``muf_covariance(...).matrix``).
    alpha : float
        False-alarm probability of the MUF (per balance), CUMUF and GEMUF tests.
    page : PageTest or PageThreshold, optional
        Default: upper side, k = 0.5, h calibrated for ``alpha`` over the K balances.
    states : int, optional
        Markov chain states (see :mod:`.markov`).
    muf_alpha : float or array_like (K,), optional
        False-alarm probability of the single-balance MUF test, one or one per balance
        (default ``alpha``).
    """
    _probability(alpha, "alpha")
    c = np.asarray(cov, float)
    mu = loss.amounts_kg
    if mu.size != c.shape[0]:
        raise InputError("loss.amounts_kg", mu.size, f"{c.shape[0]} balances, as the covariance")
    lower = cholesky_factor(c)
    sigma = np.sqrt(np.diag(c))
    delta = np.linalg.solve(lower, mu)                               # SITMUF means
    n = mu.size
    gemuf = float(stats.ncx2.sf(stats.chi2.isf(alpha, n), n, float(delta @ delta)))
    test = _page_test(page, alpha, n)
    pg = cusum_alarm_probability(test.h, test.k, delta, side=test.side, states=states)
    muf_alpha = alpha if muf_alpha is None else muf_alpha
    return DetectionProbabilities(loss, alpha, np.asarray(dp_one_sided(mu, sigma, muf_alpha)),
                                  float(dp_one_sided(mu.sum(), np.sqrt(c.sum()), alpha)),
                                  gemuf, pg, test)
