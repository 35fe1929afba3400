"""Verification activities as random processes: when they look, how likely they see, and how
long until the result is known.

An :class:`Activity` is one verification activity as it acts on one misuse. Time ``t`` [days]
runs from the moment the misuse began; the activity can see the misuse from ``offset_days`` on
(a sample shows over-assay only once the product exists), looks according to its process, sees
it at each look with probability ``probability`` (independently), and the finding is known
``delay`` later (a laboratory's turnaround, the review of recorded data). Four processes:

* ``'periodic'``: looks every ``interval_days`` (the period T), the schedule's phase uniform
  relative to the misuse (the misuse may begin at any point of the cycle). With certain
  detection the time to detection is uniform on [0, T]; in general, with x = t - offset - delay
  = nT + r (0 <= r < T): S(x) = (1 - p)^n (1 - p r / T).
* ``'poisson'``: unannounced visits at random, a Poisson process of ``per_year`` visits a year
  (mean interval ``interval_days``); thinned by p it stays Poisson: S(x) = exp(-p x / interval).
* ``'continuous'``: a measure in place all the time (an online enrichment monitor, cameras,
  seals that report their status), one chance: the data are reviewed every ``interval_days``
  (0: in real time), so the misuse is seen at a uniform point of the first review interval, with
  probability p, or never: S(x) = 1 - p min(x / R, 1) (R = 0: 1 - p for x >= 0).
* ``'random'``: limited-frequency unannounced access as practised: ``per_year`` visits (a whole
  number) on independent uniform dates within each year, the misuse starting at a uniform point
  of the year. No closed form: Monte Carlo only (:func:`sample`).

A delay is fixed or uniform on [low, high]; with a uniform delay the CDF is still exact:
F(t) = (H(x - low) - H(x - high)) / (high - low) with H the integral of the process CDF
(closed forms below). Survival functions of independent activities multiply (:mod:`.distribution`).

Examples
--------
>>> a = Activity.periodic("monthly inspection", 30.0, probability=1.0)
>>> [float(cdf(a, t)) for t in (0.0, 15.0, 30.0, 45.0)]
[0.0, 0.5, 1.0, 1.0]
>>> b = Activity.poisson("unannounced", per_year=0.0, probability=0.9)
>>> float(cdf(b, 1000.0)), limit(b)
(0.0, 0.0)
>>> c = Activity.continuous("monitor", review_days=0.0, probability=0.95, delay=Delay.fixed(1.0))
>>> [float(cdf(c, t)) for t in (0.5, 1.0)]
[0.0, 0.95]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..constants import DAYS_PER_YEAR
from ..errors import InputError

__all__ = ["PROCESSES", "Activity", "Delay", "analytic", "cdf", "integral_cdf", "limit",
           "process_cdf", "sample"]

#: The processes an activity may follow (see the module docstring).
PROCESSES: tuple[str, ...] = ("periodic", "poisson", "continuous", "random")

#: Most blocks (years) a 'random' sample is followed for before it counts as never detected.
_MAX_BLOCKS = 400


def _check_number(name: str, value: float, low: float = 0.0, high: float = math.inf,
                  allowed: str | None = None) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not (ok and not math.isnan(value) and low <= value <= high):
        raise InputError(name, value, allowed or f"a number from {low:g} to {high:g}")


@dataclass(frozen=True)
class Delay:
    """Time from an activity's look to the finding being known [days]: fixed (low = high) or
    uniform on [low, high]; ``source`` says where the figures come from."""

    low: float
    high: float
    source: str = ""

    def __post_init__(self) -> None:
        _check_number("delay.low", self.low, allowed="a finite number of days >= 0")
        if not math.isfinite(self.low):
            raise InputError("delay.low", self.low, "a finite number of days >= 0")
        _check_number("delay.high", self.high, self.low, allowed=f"a finite number of days "
                                                                 f">= low ({self.low:g})")
        if not math.isfinite(self.high):
            raise InputError("delay.high", self.high, "a finite number of days")

    @classmethod
    def fixed(cls, days: float, source: str = "") -> Delay:
        return cls(days, days, source)

    @property
    def spread(self) -> bool:
        return self.high > self.low

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def __str__(self) -> str:
        return f"{self.low:g} days" if not self.spread else f"{self.low:g}-{self.high:g} days"


_NO_DELAY = Delay(0.0, 0.0)


@dataclass(frozen=True)
class Activity:
    """One verification activity acting on one misuse (see the module docstring).

    Attributes
    ----------
    name : str
    process : {'periodic', 'poisson', 'continuous', 'random'}
    interval_days : float
        Period (periodic), review interval (continuous; 0 = real time), or mean time between
        visits (poisson, random; ``inf`` for no visits) [days].
    probability : float
        Probability that one look sees the misuse, in [0, 1].
    delay : Delay
        From the look to the finding being known [days].
    offset_days : float
        From the start of the misuse until it can be seen by this activity [days].
    kind, facility : str
        What the activity is (``'unannounced_inspection'``) and where.
    sources : tuple of str
        Where its figures come from (and the assumptions made).
    """

    name: str
    process: str
    interval_days: float
    probability: float
    delay: Delay = field(default=_NO_DELAY)
    offset_days: float = 0.0
    kind: str = ""
    facility: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.process not in PROCESSES:
            raise InputError("process", self.process, "one of " + ", ".join(PROCESSES))
        _check_number("probability", self.probability, 0.0, 1.0, "a probability in [0, 1]")
        _check_number("offset_days", self.offset_days, allowed="a finite number of days >= 0")
        if not math.isfinite(self.offset_days):
            raise InputError("offset_days", self.offset_days, "a finite number of days >= 0")
        low = 0.0 if self.process == "continuous" else 1e-9
        _check_number("interval_days", self.interval_days, low,
                      allowed=f"a number of days > 0{' (or 0: real time)' if low == 0 else ''}")
        if self.process in ("periodic", "continuous") and math.isinf(self.interval_days):
            raise InputError("interval_days", self.interval_days, "a finite number of days")
        if self.process == "random" and math.isfinite(self.interval_days):
            n = DAYS_PER_YEAR / self.interval_days
            if abs(n - round(n)) > 1e-9 * max(1.0, n):
                raise InputError("per_year", n, "a whole number of visits a year")

    # -- constructors: each process in its own words ------------------------------------------
    @classmethod
    def periodic(cls, name: str, period_days: float, probability: float = 1.0,
                 **kw) -> Activity:
        """Looks every ``period_days`` [days], at a uniform phase."""
        return cls(name, "periodic", period_days, probability, **kw)

    @classmethod
    def poisson(cls, name: str, per_year: float, probability: float = 1.0, **kw) -> Activity:
        """Unannounced visits, a Poisson process of ``per_year`` visits a year [1/yr]."""
        _check_number("per_year", per_year, allowed="a number of visits a year >= 0")
        interval = math.inf if per_year == 0 else DAYS_PER_YEAR / per_year
        return cls(name, "poisson", interval, probability, **kw)

    @classmethod
    def continuous(cls, name: str, review_days: float = 0.0, probability: float = 1.0,
                   **kw) -> Activity:
        """A measure in place all the time, its data reviewed every ``review_days`` [days]."""
        return cls(name, "continuous", review_days, probability, **kw)

    @classmethod
    def random_visits(cls, name: str, per_year: int, probability: float = 1.0,
                      **kw) -> Activity:
        """``per_year`` visits on independent uniform dates within each year (Monte Carlo)."""
        if isinstance(per_year, bool) or not isinstance(per_year, int) or per_year < 0:
            raise InputError("per_year", per_year, "a whole number of visits a year >= 0")
        interval = math.inf if per_year == 0 else DAYS_PER_YEAR / per_year
        return cls(name, "random", interval, probability, **kw)

    @property
    def per_year(self) -> float:
        """Looks a year (the review rate of a continuous measure: inf in real time)."""
        if self.interval_days == 0:
            return math.inf
        return DAYS_PER_YEAR / self.interval_days

    @property
    def key(self) -> str:
        """Identity used to give the activity its own random stream."""
        return f"{self.facility}|{self.kind}|{self.name}"

    def shifted(self, days: float) -> Activity:
        """The same activity, visible ``days`` later."""
        return replace(self, offset_days=self.offset_days + days)

    def describe(self) -> str:
        how = {"periodic": f"every {self.interval_days:g} days",
               "poisson": f"unannounced, {self.per_year:.3g} a year (Poisson)",
               "continuous": "continuous, " + ("read in real time" if self.interval_days == 0
                                               else f"data reviewed every "
                                                    f"{self.interval_days:g} days"),
               "random": f"{self.per_year:.3g} a year on random dates"}[self.process]
        after = f", visible after {self.offset_days:g} days" if self.offset_days else ""
        return (f"{self.name} ({self.facility or 'any facility'}): {how}, probability "
                f"{self.probability:.3g} per look, delay {self.delay}{after}")


# -- closed forms ---------------------------------------------------------------------------------
def analytic(activity: Activity) -> bool:
    """Whether the activity has a closed-form CDF (every process but 'random')."""
    return activity.process != "random"


def _rate(a: Activity) -> float:
    """Rate of successful looks [1/day] of a Poisson activity."""
    return 0.0 if math.isinf(a.interval_days) else a.probability / a.interval_days


def process_cdf(a: Activity, x) -> np.ndarray:
    """P(the activity has seen the misuse by x) [-], x [days] since the misuse became visible,
    before the delay."""
    x = np.asarray(x, dtype=float)
    xp = np.maximum(x, 0.0)
    p = a.probability
    if a.process == "periodic":
        n = np.floor(xp / a.interval_days)
        r = xp - n * a.interval_days
        s = (1.0 - p) ** n * (1.0 - p * r / a.interval_days)
    elif a.process == "poisson":
        s = np.exp(-_rate(a) * xp)
    elif a.process == "continuous":
        frac = np.ones_like(xp) if a.interval_days == 0 else np.minimum(xp / a.interval_days,
                                                                        1.0)
        s = 1.0 - p * frac
    else:
        raise InputError("process", a.process, "a process with a closed form (not 'random': "
                                               "use Monte Carlo)")
    return np.where(x >= 0.0, 1.0 - s, 0.0)


def integral_cdf(a: Activity, x) -> np.ndarray:
    """H(x) = integral of :func:`process_cdf` from 0 to x [days] (0 for x <= 0)."""
    xp = np.maximum(np.asarray(x, dtype=float), 0.0)
    p, T = a.probability, a.interval_days
    if a.process == "periodic":
        n = np.floor(xp / T)
        r = xp - n * T
        q = (1.0 - p) ** n
        full = n * T if p == 0 else T * (1.0 - 0.5 * p) * (1.0 - q) / p
        survive = full + q * (r - 0.5 * p * r * r / T)
        return xp - survive
    if a.process == "poisson":
        mu = _rate(a)
        return np.zeros_like(xp) if mu == 0 else xp - (1.0 - np.exp(-mu * xp)) / mu
    if a.process == "continuous":
        if T == 0:
            return p * xp
        return p * np.where(xp <= T, 0.5 * xp * xp / T, 0.5 * T + (xp - T))
    raise InputError("process", a.process, "a process with a closed form (not 'random')")


def cdf(a: Activity, t) -> np.ndarray:
    """P(the finding is known by t) [-], t [days] since the misuse began (exact, also for a
    uniform delay)."""
    x = np.asarray(t, dtype=float) - a.offset_days
    d = a.delay
    if not d.spread:
        return process_cdf(a, x - d.low)
    h = integral_cdf
    return np.clip((h(a, x - d.low) - h(a, x - d.high)) / (d.high - d.low), 0.0, 1.0)


def limit(a: Activity) -> float:
    """P(the activity ever sees the misuse) [-]."""
    if a.probability == 0:
        return 0.0
    if a.process == "continuous":
        return a.probability
    return 0.0 if math.isinf(a.interval_days) else 1.0


# -- Monte Carlo ----------------------------------------------------------------------------------
def _delay(d: Delay, rng: np.random.Generator, n: int) -> np.ndarray | float:
    return rng.uniform(d.low, d.high, n) if d.spread else d.low


def _random_visits(a: Activity, rng: np.random.Generator, n: int) -> np.ndarray:
    """First successful visit after a uniform start, ``per_year`` uniform visits a year."""
    k = int(round(a.per_year))
    out = np.full(n, math.inf)
    phase = rng.uniform(0.0, DAYS_PER_YEAR, n)
    todo = np.arange(n)
    for block in range(_MAX_BLOCKS):          # a loop over years, not over samples
        if todo.size == 0:
            break
        visits = rng.uniform(0.0, DAYS_PER_YEAR, (todo.size, k)) + block * DAYS_PER_YEAR
        seen = rng.random((todo.size, k)) < a.probability
        ok = seen & (visits >= phase[todo, None])
        first = np.where(ok, visits, math.inf).min(axis=1)
        hit = np.isfinite(first)
        out[todo[hit]] = first[hit] - phase[todo[hit]]
        todo = todo[~hit]
    return out


def sample(a: Activity, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` detection times [days] since the misuse began (``inf``: never), vectorised."""
    p = a.probability
    if p == 0 or (a.process in ("poisson", "random") and math.isinf(a.interval_days)):
        return np.full(n, math.inf)
    if a.process == "periodic":
        looks = rng.geometric(p, n) - 1 if p < 1 else np.zeros(n)
        base = rng.uniform(0.0, a.interval_days, n) + looks * a.interval_days
    elif a.process == "poisson":
        base = rng.exponential(a.interval_days / p, n)
    elif a.process == "continuous":
        base = (rng.uniform(0.0, a.interval_days, n) if a.interval_days > 0
                else np.zeros(n))
        base = np.where(rng.random(n) < p, base, math.inf)
    else:
        base = _random_visits(a, rng, n)
    return a.offset_days + base + _delay(a.delay, rng, n)
