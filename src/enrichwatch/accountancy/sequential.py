"""Sequential tests on the MUF sequence: SITMUF, Page's test, GEMUF, and calibrated thresholds.

* **SITMUF** (standardised independent transformed MUF): ``sitmuf = L^{-1} muf`` with
  ``Sigma = L L^T`` the lower Cholesky factor of the MUF covariance; equivalently
  ``(muf_i - E[muf_i | muf_<i]) / sd(muf_i | muf_<i)``. Under no loss the SITMUF are i.i.d.
  N(0, 1) (MAPIT pairs the wrong covariance entries and its SITMUF is not: SG-MAPIT-PIT-003).
* **Page's test** on SITMUF: ``S_0 = 0``, ``S_i = max(0, S_{i-1} + y_i - k)``, alarm when
  ``S_i > h`` (upper side, losses); the lower side runs on ``-y`` (apparent gains). MAPIT 1.5.13
  starts with ``S_1 = max(y_1, 0)`` (no k at the first step); ``mapit_first_step=True``
  reproduces that for comparison only.
* **GEMUF V1**: ``Z_i = muf_1:i' Sigma_1:i^{-1} muf_1:i``, the running sum of SITMUF squared;
  chi-square with i degrees of freedom under no loss. The V5B3 loss estimate (Seifert, as in
  MAPIT) weights five neighbouring MUF by (1, 1, 3, 1, 1)/7.
* **Thresholds** for a false-alarm probability per year (per ``n`` balances): Page's h from the
  Brook & Evans Markov chain (:mod:`.markov`) or by simulation; GEMUF's from the chi-square
  distribution.

Examples
--------
>>> page([0.2, 1.5, 0.9, -0.4], k=0.5).round(12).tolist()
[0.0, 1.0, 1.4, 0.5]
>>> t = page_threshold(0.05, 12, k=0.5)
>>> round(t.h, 2), t.method
(3.37, 'markov')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, stats
from scipy.linalg import solve_triangular

from ..errors import InputError
from .markov import cusum_alarm_probability

__all__ = [
    "PageTest",
    "PageThreshold",
    "cholesky_factor",
    "gemuf_threshold",
    "gemuf_v1",
    "page",
    "page_false_alarm_probability",
    "page_threshold",
    "sitmuf",
    "v5b3_loss_estimate",
]

Side = Literal["upper", "lower", "both"]
_SIDES = ("upper", "lower", "both")
#: Seifert's V5B3 weights for MUF i-2 .. i+2 (MAPIT docs, GemufTheory; SG-MAPIT-CONST-001).
V5B3_WEIGHTS: tuple[float, ...] = (1 / 7, 1 / 7, 3 / 7, 1 / 7, 1 / 7)


def cholesky_factor(cov) -> np.ndarray:
    """Lower Cholesky factor of a MUF covariance; a matrix that is not positive definite (a
    balance without measurement error, every error zero) raises InputError."""
    c = np.asarray(cov, float)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.all(np.isfinite(c)):
        raise InputError("covariance", c.shape, "a finite square matrix")
    zero = np.flatnonzero(np.diag(c) <= 0)
    if zero.size:
        raise InputError(f"covariance[{zero[0]}][{zero[0]}]", float(c[zero[0], zero[0]]),
                         "a variance > 0 (is every measurement error of this balance zero?)")
    try:
        return np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise InputError("covariance", "singular", "a positive definite MUF covariance "
                         "(balances whose errors are all shared make it singular)") from None


def sitmuf(muf, cov) -> np.ndarray:
    """SITMUF of a MUF sequence (K,) or of many (N, K), for the covariance (K, K)."""
    m = np.asarray(muf, float)
    lower = cholesky_factor(cov)
    if m.shape[-1] != lower.shape[0]:
        raise InputError("muf", m.shape, f"{lower.shape[0]} balances, as the covariance")
    return solve_triangular(lower, m.T, lower=True).T


def gemuf_v1(muf, cov) -> np.ndarray:
    """Sequential GEMUF V1, ``Z_i = muf_1:i' Sigma_1:i^{-1} muf_1:i`` = running sum of SITMUF^2."""
    return np.cumsum(sitmuf(muf, cov) ** 2, axis=-1)


def v5b3_loss_estimate(muf) -> np.ndarray:
    """Seifert's V5B3 loss estimate per balance, NaN for the first two and the last two."""
    m = np.asarray(muf, float)
    out = np.full(m.shape, np.nan)
    if m.shape[-1] >= 5:
        w = np.asarray(V5B3_WEIGHTS)
        windows = np.lib.stride_tricks.sliding_window_view(m, 5, axis=-1)
        out[..., 2:-2] = windows @ w
    return out


def gemuf_threshold(alpha: float, balances: int) -> float:
    """Threshold of GEMUF V1 after ``balances`` balances for false-alarm probability ``alpha``."""
    _check_alpha(alpha)
    return float(stats.chi2.isf(alpha, balances))


# -- Page's test -------------------------------------------------------------------------------


def page(y, k: float = 0.5, *, lower: bool = False, mapit_first_step: bool = False) -> np.ndarray:
    """Page's statistic over the last axis of ``y`` (upper side, or lower: on ``-y``)."""
    x = -np.asarray(y, float) if lower else np.asarray(y, float)
    s = np.zeros(x.shape)
    prev = np.zeros(x.shape[:-1])
    for i in range(x.shape[-1]):
        step = x[..., i] if (mapit_first_step and i == 0) else prev + x[..., i] - k
        prev = np.maximum(step, 0.0)
        s[..., i] = prev
    return s


@dataclass(frozen=True)
class PageTest:
    """Page's test with reference value ``k`` and threshold ``h`` (in SITMUF units) on
    ``side`` {'upper', 'lower', 'both'}."""

    k: float = 0.5
    h: float = 4.0
    side: Side = "upper"

    def __post_init__(self) -> None:
        if self.side not in _SIDES:
            raise InputError("page.side", self.side, f"one of {', '.join(_SIDES)}")
        for name in ("k", "h"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v) and v >= 0):
                raise InputError(f"page.{name}", v, "a finite number >= 0")

    def statistics(self, y) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(upper, lower) statistics; ``None`` for a side not tested."""
        up = page(y, self.k) if self.side in ("upper", "both") else None
        down = page(y, self.k, lower=True) if self.side in ("lower", "both") else None
        return up, down

    def alarms(self, y) -> np.ndarray:
        """Alarm at each balance (boolean, shape of ``y``)."""
        up, down = self.statistics(y)
        out = np.zeros(np.shape(y), bool)
        for s in (up, down):
            if s is not None:
                out |= s > self.h
        return out

    def first_alarm(self, y) -> np.ndarray:
        """Index of the first alarming balance, -1 if none (over the last axis)."""
        a = self.alarms(y)
        return np.where(a.any(axis=-1), a.argmax(axis=-1), -1)


def page_false_alarm_probability(h: float, balances: int, k: float = 0.5,
                                 side: Side = "upper", *, states: int | None = None) -> float:
    """P(alarm within ``balances`` balances | no loss) from the Markov chain."""
    return float(cusum_alarm_probability(h, k, np.zeros(balances), side=side,
                                         states=states)[-1])


@dataclass(frozen=True)
class PageThreshold:
    """A calibrated Page threshold ``h`` for false-alarm probability ``alpha`` per ``balances``.

    ``standard_error``: Monte Carlo standard error of the false-alarm probability at ``h``
    (simulation), 0 for the Markov chain; ``samples`` the chain's states or the simulated
    sequences.
    """

    h: float
    alpha: float
    balances: int
    k: float
    side: str
    method: str
    samples: int
    standard_error: float

    def test(self) -> PageTest:
        return PageTest(self.k, self.h, self.side)  # type: ignore[arg-type]


def _check_alpha(alpha: float) -> None:
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise InputError("alpha", alpha, "a probability strictly between 0 and 1")


def _markov_h(alpha, n, k, side, states) -> float:
    def excess(h):
        return page_false_alarm_probability(h, n, k, side, states=states) - alpha
    lo = 1e-9
    if excess(lo) < 0:
        raise InputError("alpha", alpha, f"a false-alarm probability below "
                         f"{excess(lo) + alpha:.4g}, the largest any h > 0 gives with k = {k}")
    if side == "both":        # P(up) <= P(both) <= 2 P(up): bracket with the one-sided chain
        lo = _markov_h(alpha, n, k, "upper", None)
        hi = _markov_h(alpha / 2, n, k, "upper", None) * (1 + 1e-3)
        lo = lo * (1 - 1e-3) if excess(lo * (1 - 1e-3)) > 0 else 1e-9
    else:
        hi = 1.0
        while excess(hi) > 0:
            hi *= 2.0
    return float(optimize.brentq(excess, lo, hi, xtol=1e-9, rtol=1e-10))


def _simulated_maxima(n, k, side, iterations, seed) -> np.ndarray:
    y = np.random.default_rng(seed).standard_normal((iterations, n))
    t = PageTest(k, 0.0, side)
    up, down = t.statistics(y)
    return np.max([s.max(axis=1) for s in (up, down) if s is not None], axis=0)


def page_threshold(alpha: float, balances: int, k: float = 0.5, side: Side = "upper", *,
                   method: Literal["markov", "simulation"] = "markov",
                   states: int | None = None, iterations: int = 200_000,
                   seed: int = 0) -> PageThreshold:
    """Threshold h giving false-alarm probability ``alpha`` within ``balances`` balances.

    Parameters
    ----------
    alpha : float
        False-alarm probability per year (per ``balances`` balances, e.g. 12 monthly ones).
    balances : int
    k : float
        Reference value [SITMUF units].
    side : {'upper', 'lower', 'both'}
    method : {'markov', 'simulation'}
        Brook & Evans Markov chain (``states`` per side), or the (1 - alpha) quantile of the
        maximum of Page's statistic over ``iterations`` simulated N(0, 1) sequences (``seed``).

    Returns
    -------
    PageThreshold
    """
    _check_alpha(alpha)
    if isinstance(balances, bool) or not isinstance(balances, int) or balances < 1:
        raise InputError("balances", balances, "a whole number >= 1")
    PageTest(k, 0.0, side)                                          # validates k and side
    if method == "markov":
        h = _markov_h(alpha, balances, k, side, states)
        m = states or (40 if side == "both" else 200)
        return PageThreshold(h, alpha, balances, k, side, method, m, 0.0)
    if method != "simulation":
        raise InputError("method", method, "'markov' or 'simulation'")
    maxima = _simulated_maxima(balances, k, side, iterations, seed)
    h = float(np.quantile(maxima, 1.0 - alpha, method="higher"))
    se = float(np.sqrt(alpha * (1 - alpha) / iterations))
    return PageThreshold(max(h, 0.0), alpha, balances, k, side, method, iterations, se)
