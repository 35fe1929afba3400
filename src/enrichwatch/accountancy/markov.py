"""Page's CUSUM as a Markov chain (Brook & Evans 1972): run-length distribution, average run
length and the probability of an alarm within n steps, for normal observations whose mean may
change from step to step.

The upper CUSUM ``S_i = max(0, S_{i-1} + y_i - k)``, ``y_i ~ N(mu_i, 1)``, alarms when
``S_i > h``. Its range [0, h] is cut into m states of width ``w = 2h / (2m - 1)``: state 0 holds
[0, w/2) (with the atom at 0), state j >= 1 holds [(j - 1/2) w, (j + 1/2) w) and is represented by
``j w``; leaving [0, h] is the alarm. The transient part Q of the transition matrix gives

* ``P(no alarm in steps 1..n) = e_0' Q(mu_1) ... Q(mu_n) 1``,
* ``ARL = e_0' (I - Q)^{-1} 1`` for a constant mean.

The lower CUSUM (on ``-y``) is the upper one with the means negated. Both sides together form a
chain on pairs of states (m^2 states; the intervals of y that move each side into each state are
intersected), so the two-sided run length is exact up to the same discretisation. The
discretisation error falls as 1/m^2. With the defaults (200 states one-sided, 40 per side
two-sided) the one-sided ARL at k = 0.5, h = 4 is 335.35 against 335.37 (0.01 %), the two-sided
one about 0.2 % low, and a threshold calibrated for 5 % per 12 steps moves by less than 0.1 %
from 40 to 60 states per side.

Reference: D. Brook and D. A. Evans, "An approach to the probability distribution of cusum run
length", Biometrika 59(3):539-549 (1972).

Examples
--------
>>> round(cusum_arl(4.0, 0.5), 0)
335.0
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

__all__ = ["DEFAULT_STATES", "DEFAULT_STATES_TWO_SIDED", "cusum_alarm_probability", "cusum_arl",
           "cusum_transition"]

#: Discretisation of the one-sided chain (states).
DEFAULT_STATES: int = 200
#: Discretisation of each side of the two-sided chain (m^2 states in all).
DEFAULT_STATES_TWO_SIDED: int = 40


def _edges(h: float, m: int) -> tuple[np.ndarray, np.ndarray]:
    """State values j w and upper edges (j + 1/2) w."""
    w = 2.0 * h / (2 * m - 1)
    j = np.arange(m)
    return j * w, (j + 0.5) * w


def cusum_transition(h: float, k: float, mean: float = 0.0,
                     states: int = DEFAULT_STATES) -> np.ndarray:
    """Transient transition matrix Q (m, m) of the upper CUSUM with ``y ~ N(mean, 1)``."""
    s, upper = _edges(h, states)
    cdf = ndtr(upper[None, :] - s[:, None] + k - mean)               # P(S' < upper_j | s_i)
    return np.diff(cdf, axis=1, prepend=0.0)


def _two_sided_bounds(h: float, k: float, m: int):
    """Interval of y moving the upper side a -> a' (lo_up, hi_up: (a, a')) and the lower side
    b -> b' (lo_dn, hi_dn: (b, b'))."""
    s, upper = _edges(h, m)
    lower = np.concatenate([[-np.inf], upper[:-1]])
    lo_up = lower[None, :] - s[:, None] + k
    hi_up = upper[None, :] - s[:, None] + k
    lo_dn = s[:, None] - k - upper[None, :]
    hi_dn = s[:, None] - k - lower[None, :]
    return lo_up, hi_up, lo_dn, hi_dn


def _two_sided_transition(bounds, mean: float, m: int) -> np.ndarray:
    """P(a, b -> a', b') = P(y in both intervals); Phi is monotone, so the intersection's
    probability is min(Phi(hi)) - max(Phi(lo)), computed on the (m, m) tables."""
    lo_up, hi_up, lo_dn, hi_dn = (ndtr(x - mean) for x in bounds)
    hi = np.minimum(hi_up[:, None, :, None], hi_dn[None, :, None, :])
    lo = np.maximum(lo_up[:, None, :, None], lo_dn[None, :, None, :])
    return np.clip(hi - lo, 0.0, None).reshape(m * m, m * m)


def cusum_alarm_probability(h: float, k: float, means, *, side: str = "upper",
                            states: int | None = None) -> np.ndarray:
    """Probability of an alarm by each step, for ``y_i ~ N(means[i], 1)`` and ``S_0 = 0``.

    Parameters
    ----------
    h, k : float
        Threshold and reference value (in standard deviations of y).
    means : array_like (n,)
        Mean of y at each step.
    side : {'upper', 'lower', 'both'}
    states : int, optional
        States per side (defaults :data:`DEFAULT_STATES`, :data:`DEFAULT_STATES_TWO_SIDED`).

    Returns
    -------
    numpy.ndarray (n,)
        ``P(alarm at or before step i)``.
    """
    means = np.atleast_1d(np.asarray(means, float))
    if side == "both":
        m = states or DEFAULT_STATES_TWO_SIDED
        bounds = _two_sided_bounds(h, k, m)
        step = {mu: sp.csr_matrix(_two_sided_transition(bounds, mu, m))   # ~2m entries a row
                for mu in np.unique(means)}
    else:
        m = states or DEFAULT_STATES
        sign = 1.0 if side == "upper" else -1.0
        step = {mu: cusum_transition(h, k, sign * mu, m) for mu in np.unique(means)}
    v = np.zeros(next(iter(step.values())).shape[0])
    v[0] = 1.0
    survive = np.empty(means.size)
    for i, mu in enumerate(means):
        v = step[mu].T @ v
        survive[i] = v.sum()
    return np.clip(1.0 - survive, 0.0, 1.0)


def cusum_arl(h: float, k: float, mean: float = 0.0, *, side: str = "upper",
              states: int | None = None) -> float:
    """Average run length (steps to the first alarm) for ``y ~ N(mean, 1)``, ``S_0 = 0``."""
    if side == "both":
        m = states or DEFAULT_STATES_TWO_SIDED
        q = _two_sided_transition(_two_sided_bounds(h, k, m), mean, m)
    else:
        m = states or DEFAULT_STATES
        q = cusum_transition(h, k, mean if side == "upper" else -mean, m)
    x = np.linalg.solve(np.eye(q.shape[0]) - q, np.ones(q.shape[0]))
    return float(x[0])
