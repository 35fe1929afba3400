"""An accountancy study and its analysis: one material balance area over its balance periods,
with its measurement model, test settings, loss scenarios and (optionally) the
enrichment-plant check, analysed in one call.

A :class:`Study` is what an accountancy input file describes (:mod:`.study_io` reads one);
:func:`analyse` runs, for the element (U) and the isotope (U-235) balance:

* the balance sequence (MUF, CUMUF) and its exact covariance, with sigma-MUF in the other two
  named conventions (``mapit``, ``rss``) beside it;
* SITMUF, Page's statistic (upper and/or lower side) and GEMUF V1 on the declared data, and the
  alarms of the four tests;
* for each loss scenario, the detection probabilities in closed form and by the vectorised
  Monte Carlo (:mod:`.montecarlo`), and the false-alarm rates without loss;
* detection probability against loss size for each scenario (closed forms);

and the enrichment-plant check (:mod:`.plant_checks`) when the study has one.

Tests and their false-alarm probabilities (:class:`TestSettings`)
------------------------------------------------------------------
``false_alarm_per_year`` (alpha) sets Page's threshold h (Brook-Evans Markov chain, for alpha
within the number of balances in one year; or ``page_h`` sets h and the chain gives its
false-alarm probability) and the end-of-horizon CUMUF and GEMUF tests (alpha each). The
single-balance MUF test ``MUF_k > z_k sigma_k`` uses ``muf_false_alarm`` for every balance,
by default alpha spread over the balances by their length (Sidak,
:func:`~.detection.balance_false_alarm`): ``1 - (1 - alpha)^(d_k / 365.25)`` for a balance of
``d_k`` days, so that the tests of balances covering a year together give alpha (for n equal
balances a year, ``1 - (1 - alpha)^(1/n)``). The evaluation of recorded balance reports uses
the same function.

Examples
--------
>>> from enrichwatch.accountancy.balance import (BalancePeriods, Items, MaterialBalanceArea,
...                                              MeasurementPoint)
>>> from enrichwatch.accountancy.measurement import MeasurementModel, Uncertainty
>>> w = Items.from_weight_percent
>>> area = MaterialBalanceArea("toy", (
...     MeasurementPoint("in", "input", w([5, 15, 25, 35], [100] * 4, 0.711)),
...     MeasurementPoint("out", "output", w([5, 15, 25, 35], [100] * 4, 0.711)),
...     MeasurementPoint("inv", "inventory", w([0, 10, 20, 30, 40], [50] * 5, 0.711))))
>>> model = MeasurementModel.uniform(area.names, Uncertainty(0.01, 0.0), Uncertainty(0.001, 0))
>>> study = Study("toy", area, BalancePeriods.regular(0, 10, 4), model,
...               TestSettings(quantities=("U",), iterations=1000, balances_per_year=4))
>>> result = analyse(study)
>>> q = result.quantity("U")
>>> q.balance.muf.tolist(), round(float(q.covariance.sigma_muf[0]), 4)
([0.0, 0.0, 0.0, 0.0], 1.5811)
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
from scipy import stats

from ..composition import Assay
from ..constants import DAYS_PER_YEAR
from ..errors import InputError
from ..facility import Facility, SolvedPlant
from ..parallel import Progress, as_progress, within
from .balance import BalancePeriods, MaterialBalanceArea, balance_design
from .detection import (
    DetectionProbabilities,
    LossPattern,
    balance_false_alarm,
    detection_probabilities,
)
from .markov import DEFAULT_STATES, DEFAULT_STATES_TWO_SIDED
from .measurement import MeasurementModel
from .montecarlo import AccountancyMonteCarlo, monte_carlo
from .muf import MaterialBalance, MufCovariance, material_balance, muf_covariance
from .plant_checks import DeclaredStream, PlantCheck, check_plant, significant_quantities
from .sequential import (
    PageThreshold,
    cholesky_factor,
    gemuf_threshold,
    gemuf_v1,
    page_false_alarm_probability,
    page_threshold,
    sitmuf,
)

__all__ = [
    "CURVE_STATES",
    "HOURS_PER_YEAR",
    "AccountancyAnalysis",
    "DetectionCurve",
    "LossScenario",
    "PlantCheckInput",
    "QuantityAnalysis",
    "ScenarioResult",
    "Study",
    "TestSettings",
    "analyse",
]

#: Hours in a (Julian) year [h].
HOURS_PER_YEAR: float = DAYS_PER_YEAR * 24.0
#: Markov chain states of the one-sided Page probabilities on the detection curves (the
#: scenarios' own use the default, 200; the chain's discretisation error falls as 1/m^2; the
#: two-sided chain keeps its default).
CURVE_STATES: int = 100
_SIDES = ("upper", "lower", "both")


# -- the study ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestSettings:
    """Settings of the sequential tests and of the Monte Carlo.

    Parameters
    ----------
    false_alarm_per_year : float
        alpha: Page's false-alarm probability within a year of balances; also that of the
        end-of-horizon CUMUF and GEMUF tests.
    muf_false_alarm : float, optional
        Per balance, of the single-balance MUF test (default: alpha spread over the balances
        by their length, module docstring).
    page_k : float
        Page's reference value [SITMUF units].
    page_side : {'upper', 'lower', 'both'}
        Losses (upper), apparent gains (lower) or both.
    quantities : tuple of {'U', 'U235'}
        Balances to analyse.
    iterations, seed, chunk_size : int
        Monte Carlo iterations per scenario, seed, chunk size.
    balances_per_year : int, optional
        Balances in one year, for Page's threshold (default: from the periods' mean length).
    curve_points : int
        Loss sizes of each detection curve.
    page_h : float, optional
        Page's threshold [SITMUF units]; default: calibrated (Markov chain) for
        ``false_alarm_per_year``. A given h is used as is, and its false-alarm probability
        per year computed by the chain and reported.
    """

    __test__ = False                      # a settings class, not a pytest test class

    false_alarm_per_year: float = 0.05
    muf_false_alarm: float | None = None
    page_k: float = 0.5
    page_side: Literal["upper", "lower", "both"] = "upper"
    quantities: tuple[str, ...] = ("U", "U235")
    iterations: int = 10_000
    seed: int = 0
    chunk_size: int = 10_000
    balances_per_year: int | None = None
    curve_points: int = 21
    page_h: float | None = None

    def __post_init__(self) -> None:
        for name in ("false_alarm_per_year", "muf_false_alarm"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and 0 < value < 1):
                raise InputError(f"tests.{name}", value, "a probability strictly between 0 "
                                                         "and 1")
        if self.page_side not in _SIDES:
            raise InputError("tests.page_side", self.page_side, f"one of {', '.join(_SIDES)}")
        if not (isinstance(self.page_k, int | float) and math.isfinite(self.page_k)
                and self.page_k >= 0):
            raise InputError("tests.page_k", self.page_k, "a number >= 0 [SITMUF units]")
        h = self.page_h
        if h is not None and not (isinstance(h, int | float) and not isinstance(h, bool)
                                  and math.isfinite(h) and h > 0):
            raise InputError("tests.page_h", h, "a threshold > 0 [SITMUF units], or none")
        bad = [q for q in self.quantities if q not in ("U", "U235")]
        if bad or not self.quantities:
            raise InputError("tests.quantities", list(self.quantities),
                             "one or both of 'U', 'U235'")
        for name, low in (("iterations", 1), ("chunk_size", 1), ("curve_points", 2),
                          ("seed", 0), ("balances_per_year", 1)):
            value = getattr(self, name)
            if value is None and name == "balances_per_year":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InputError(f"tests.{name}", value, f"a whole number >= {low}")

    def per_year(self, periods: BalancePeriods) -> int:
        """Balances in one year: as given, else from the periods' mean length."""
        if self.balances_per_year is not None:
            return self.balances_per_year
        mean = float(np.mean(periods.lengths_h))
        return max(1, round(HOURS_PER_YEAR / mean))

    def muf_alpha(self, periods: BalancePeriods) -> np.ndarray:
        """False-alarm probability of the single-balance MUF test, one per balance:
        ``muf_false_alarm`` if given, else :func:`~.detection.balance_false_alarm` of each
        balance's length."""
        if self.muf_false_alarm is not None:
            return np.full(periods.count, float(self.muf_false_alarm))
        return np.asarray(balance_false_alarm(self.false_alarm_per_year,
                                              periods.lengths_h / 24.0), float).reshape(-1)


@dataclass(frozen=True)
class LossScenario:
    """A loss (diversion) of ``kg_u`` kg of uranium of U-235 assay ``assay``: abrupt, in
    balance ``first`` (0-based), or protracted, evenly over balances ``first`` to ``last``.

    In the U balance the loss is ``kg_u``, in the U-235 balance ``kg_u`` times the assay.
    """

    name: str
    pattern: Literal["abrupt", "protracted"]
    kg_u: float
    assay: Assay
    first: int = 0
    last: int | None = None

    @property
    def sq(self) -> float:
        """The loss in significant quantities of its category [SQ]."""
        return significant_quantities(self.kg_u, self.assay)

    def amount_kg(self, quantity: str) -> float:
        """The loss in the balance of ``quantity`` [kg U or kg U-235]."""
        return self.kg_u if quantity == "U" else self.kg_u * float(self.assay.mass_fraction)

    def loss_pattern(self, quantity: str, balances: int, scale: float = 1.0) -> LossPattern:
        """The amounts per balance [kg of ``quantity``], times ``scale``."""
        last = self.first if self.pattern == "abrupt" else (
            balances - 1 if self.last is None else self.last)
        if not 0 <= self.first <= last < balances:
            raise InputError(f"losses.{self.name}.balance", [self.first + 1, last + 1],
                             f"balances from 1 to {balances}")
        a = np.zeros(balances)
        a[self.first:last + 1] = scale * self.amount_kg(quantity) / (last - self.first + 1)
        return LossPattern(self.name, a)


@dataclass(frozen=True)
class PlantCheckInput:
    """The enrichment-plant check of a study: declared streams over a period against a plant
    file (:func:`~.plant_checks.check_plant`)."""

    plant: str | os.PathLike | Facility | SolvedPlant
    feed: DeclaredStream
    product: DeclaredStream
    tails: DeclaredStream
    period_days: float
    operating_fraction: float = 1.0
    false_alarm: float = 0.05
    min_sq: float = 1.0

    def run(self) -> PlantCheck:
        return check_plant(self.feed, self.product, self.tails, self.plant, self.period_days,
                           operating_fraction=self.operating_fraction,
                           false_alarm=self.false_alarm, min_sq=self.min_sq)


@dataclass(frozen=True)
class Study:
    """A material balance area, its periods and measurement model, the test settings, loss
    scenarios and an optional plant check.

    ``start_date``: the calendar day whose start is time 0 h (dates in files are days; a date
    means the end of that day); ``curve_max_sq``: the largest loss of the detection curves
    [SQ] (default per scenario, see :func:`analyse`).
    """

    name: str
    area: MaterialBalanceArea
    periods: BalancePeriods
    model: MeasurementModel
    tests: TestSettings = field(default_factory=TestSettings)
    losses: tuple[LossScenario, ...] = ()
    plant_check: PlantCheckInput | None = None
    start_date: date | None = None
    description: str = ""
    assumptions: tuple[str, ...] = ()
    curve_max_sq: float | None = None
    source: str = ""

    def date_of(self, hours: float) -> date | None:
        """The day a time [h] falls at the end of (or in), if the study has a start date."""
        if self.start_date is None:
            return None
        return self.start_date + timedelta(days=math.ceil(hours / 24.0 - 1e-9) - 1)


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """One loss scenario in one balance: its pattern, closed forms and Monte Carlo."""

    loss: LossScenario
    pattern: LossPattern
    closed: DetectionProbabilities
    simulated: AccountancyMonteCarlo

    def as_dict(self) -> dict:
        c = self.closed
        return {"name": self.loss.name, "pattern": self.loss.pattern,
                "kg_u": self.loss.kg_u, "assay_wt_pct": float(self.loss.assay.weight_percent),
                "sq": self.loss.sq, "amounts_kg": self.pattern.amounts_kg.tolist(),
                "closed_form": {"muf_by_balance": c.muf.tolist(), "cumuf": c.cumuf,
                                "gemuf": c.gemuf, "page_by_balance": c.page.tolist(),
                                "page": float(c.page[-1])},
                "monte_carlo": _mc_dict(self.simulated, self.pattern.amounts_kg.size)}


def _first_alarm_cdf(first: np.ndarray, balances: int) -> list[float]:
    """Fraction of iterations alarmed at or before each balance."""
    counts = np.bincount(first[first >= 0], minlength=balances)[:balances]
    return (np.cumsum(counts) / max(first.size, 1)).tolist()


def _mc_dict(mc: AccountancyMonteCarlo, balances: int) -> dict:
    return {"iterations": mc.iterations, "seed": mc.seed, "detection": dict(mc.detection),
            "standard_error": dict(mc.standard_error),
            "page_by_balance": _first_alarm_cdf(mc.first_alarm["page"], balances),
            "muf_by_balance": mc.alarm_rate_by_balance["muf"].tolist()}


@dataclass(frozen=True, eq=False)
class DetectionCurve:
    """Closed-form detection probability of one scenario's pattern scaled to each loss size:
    ``sq`` [SQ] and ``kg`` [kg of the balanced quantity], ``page`` (within the horizon),
    ``cumuf`` and ``gemuf`` (at its end), ``muf`` (the largest single-balance probability)."""

    scenario: str
    sq: np.ndarray
    kg: np.ndarray
    page: np.ndarray
    cumuf: np.ndarray
    gemuf: np.ndarray
    muf: np.ndarray

    def as_dict(self) -> dict:
        return {"scenario": self.scenario, "sq": self.sq.tolist(), "kg": self.kg.tolist(),
                "page": self.page.tolist(), "cumuf": self.cumuf.tolist(),
                "gemuf": self.gemuf.tolist(), "muf": self.muf.tolist()}


@dataclass(frozen=True, eq=False)
class QuantityAnalysis:
    """The analysis of one balance (``quantity`` 'U' or 'U235') [kg of it].

    ``conventions[name]``: sigma-MUF per balance in the named conventions (``exact`` is the
    one the tests use); ``page_upper`` / ``page_lower``: Page's statistic on SITMUF for the
    sides tested (else None); ``muf_alpha`` and ``muf_z``: the single-balance false-alarm
    probability and threshold in sigma-MUF, one per balance;
    ``false_alarms``: the Monte Carlo without loss.
    """

    quantity: str
    balance: MaterialBalance
    covariance: MufCovariance
    conventions: Mapping[str, np.ndarray]
    sitmuf: np.ndarray
    page_upper: np.ndarray | None
    page_lower: np.ndarray | None
    gemuf: np.ndarray
    page: PageThreshold
    muf_alpha: np.ndarray
    gemuf_threshold: float
    false_alarms: AccountancyMonteCarlo
    scenarios: tuple[ScenarioResult, ...]
    curves: tuple[DetectionCurve, ...]
    false_alarm: float | None = None

    @property
    def horizon_alpha(self) -> float:
        """False-alarm probability of the end-of-horizon CUMUF and GEMUF tests (the study's
        ``false_alarm_per_year``; Page's own is ``page.alpha``)."""
        return self.page.alpha if self.false_alarm is None else self.false_alarm

    @property
    def muf_z(self) -> np.ndarray:
        return np.asarray(stats.norm.isf(self.muf_alpha), float)

    @property
    def cumuf_z(self) -> float:
        return float(stats.norm.isf(self.horizon_alpha))

    @property
    def muf_alarms(self) -> np.ndarray:
        """Balances whose MUF exceeds ``muf_z`` sigma-MUF (apparent loss)."""
        return self.balance.muf > self.muf_z * self.covariance.sigma_muf

    @property
    def page_alarms(self) -> np.ndarray:
        return self.page.test().alarms(self.sitmuf)

    @property
    def first_page_alarm(self) -> int | None:
        alarms = np.flatnonzero(self.page_alarms)
        return int(alarms[0]) if alarms.size else None

    @property
    def cumuf_alarm(self) -> bool:
        return bool(self.balance.cumuf[-1] > self.cumuf_z * self.covariance.sigma_cumuf()[-1])

    @property
    def gemuf_alarm(self) -> bool:
        return bool(self.gemuf[-1] > self.gemuf_threshold)

    def as_dict(self) -> dict:
        b, cov = self.balance, self.covariance
        unit = "kg U" if self.quantity == "U" else "kg U-235"
        periods = b.periods.boundaries_h
        return {
            "quantity": self.quantity, "unit": unit,
            "balances": [{"index": k + 1, "start_h": float(periods[k]),
                          "end_h": float(periods[k + 1]), "beginning": float(b.beginning[k]),
                          "inputs": float(b.inputs[k]), "outputs": float(b.outputs[k]),
                          "ending": float(b.ending[k]), "muf": float(b.muf[k]),
                          "sigma_muf": float(cov.sigma_muf[k]),
                          "cumuf": float(b.cumuf[k]),
                          "sigma_cumuf": float(cov.sigma_cumuf()[k]),
                          "sitmuf": float(self.sitmuf[k]),
                          "page_upper": _at(self.page_upper, k),
                          "page_lower": _at(self.page_lower, k),
                          "gemuf": float(self.gemuf[k]),
                          "muf_false_alarm": float(self.muf_alpha[k]),
                          "muf_z": float(self.muf_z[k]),
                          "muf_alarm": bool(self.muf_alarms[k]),
                          "page_alarm": bool(self.page_alarms[k])}
                         for k in range(b.periods.count)],
            "covariance": cov.matrix.tolist(),
            "sigma_muf_conventions": {k: v.tolist() for k, v in self.conventions.items()},
            "contributions": {name: {"random": r.tolist(), "systematic": s.tolist()}
                              for name, (r, s) in cov.contributions.items()},
            "point_terms": {n: v.tolist() for n, v in b.point_terms.items()},
            "tests": {"muf": {"false_alarm_per_balance": self.muf_alpha.tolist(),
                              "z": self.muf_z.tolist(),
                              "alarms": [int(k) + 1
                                         for k in np.flatnonzero(self.muf_alarms)]},
                      "page": {"k": self.page.k, "h": self.page.h, "side": self.page.side,
                               "false_alarm": self.page.alpha,
                               "balances": self.page.balances, "method": self.page.method,
                               "first_alarm": None if self.first_page_alarm is None
                               else self.first_page_alarm + 1},
                      "cumuf": {"false_alarm": self.horizon_alpha, "z": self.cumuf_z,
                                "alarm": self.cumuf_alarm},
                      "gemuf": {"false_alarm": self.horizon_alpha,
                                "threshold": self.gemuf_threshold,
                                "alarm": self.gemuf_alarm}},
            "false_alarms": _mc_dict(self.false_alarms, b.periods.count),
            "scenarios": [s.as_dict() for s in self.scenarios],
            "detection_curves": [c.as_dict() for c in self.curves]}


def _muf_assumption(t: TestSettings, p: BalancePeriods) -> str:
    a = t.muf_alpha(p)
    if t.muf_false_alarm is not None:
        how = "as given in the file"
    else:
        how = (f"{t.false_alarm_per_year:g} a year spread over balances by their length, "
               f"1 - (1 - {t.false_alarm_per_year:g})^(days / 365.25)")
    at = f"{a[0]:.4g}" if np.ptp(a) == 0 else f"{a.min():.4g} to {a.max():.4g}"
    return f"single-balance MUF test at {at} per balance (one-sided, losses; {how})"


def _at(values: np.ndarray | None, k: int) -> float | None:
    return None if values is None else float(values[k])


@dataclass(frozen=True, eq=False)
class AccountancyAnalysis:
    """Everything :func:`analyse` found for a study."""

    study: Study
    quantities: tuple[QuantityAnalysis, ...]
    plant_check: PlantCheck | None = None

    def quantity(self, name: str) -> QuantityAnalysis:
        for q in self.quantities:
            if q.quantity == name:
                return q
        raise InputError("quantity", name, "one of " + ", ".join(
            q.quantity for q in self.quantities))

    @property
    def assumptions(self) -> list[str]:
        """What the results rest on, in words (the study's own assumptions first)."""
        t, p = self.study.tests, self.study.periods
        sides = {"upper": "upper side (losses)", "lower": "lower side (apparent gains)",
                 "both": "both sides"}[t.page_side]
        return list(self.study.assumptions) + [
            "MUF = beginning + inputs - outputs - ending (positive: apparent loss); balance "
            "periods are half-open (t_k-1, t_k], inventories taken at the boundaries",
            "measurement errors multiplicative and normal: observed = true x (1 + random + "
            "systematic), the systematic error shared per point or instrument within a "
            "calibration period; the U-235 amount's error is the sum of mass and assay errors",
            "sigma-MUF by exact linear propagation (inventory and systematic covariances "
            "included); MAPIT's and the root-sum-square conventions shown for comparison only",
            f"false-alarm probability {t.false_alarm_per_year:g} per year "
            f"({t.per_year(p)} balances a year): " + (
                "Page's threshold h from the Brook-Evans Markov chain" if t.page_h is None
                else f"Page's threshold h = {t.page_h:g} given in the file (its false-alarm "
                     "probability per year by the Brook-Evans Markov chain is in the tests)")
            + "; CUMUF and GEMUF tested once at the end of the horizon",
            _muf_assumption(t, p),
            f"Page's test on SITMUF, {sides}, k = {t.page_k:g}",
            f"Monte Carlo: {t.iterations} iterations per scenario, seed {t.seed} (results "
            "depend on seed and chunk size only)",
            "a loss raises the expected MUF of its balance by the amount lost; the "
            "measurement covariance is that of the declared values"]

    def as_dict(self) -> dict:
        s = self.study
        return {"study": {"name": s.name, "description": s.description, "file": s.source,
                          "area": s.area.name,
                          "start_date": None if s.start_date is None else
                          s.start_date.isoformat(),
                          "points": [{"name": p.name, "role": p.role,
                                      "kind": type(p.data).__name__.lower(),
                                      "records": int(p.data.times_h.size),
                                      "description": p.description} for p in s.area.points],
                          "boundaries_h": s.periods.boundaries_h.tolist(),
                          "boundary_dates": self.boundary_dates()},
                "quantities": [q.as_dict() for q in self.quantities],
                "plant_check": None if self.plant_check is None else self.plant_check.as_dict(),
                "assumptions": self.assumptions}

    def boundary_dates(self) -> list[str] | None:
        if self.study.start_date is None:
            return None
        return [d.isoformat() for d in (self.study.date_of(float(h))
                                         for h in self.study.periods.boundaries_h)
                if d is not None]


# -- the analysis ------------------------------------------------------------------------------


def _curve_max_kg(study: Study, loss: LossScenario, quantity: str, cov: MufCovariance,
                  alpha: float) -> float:
    """Largest loss of a detection curve [kg]: the study's ``curve_max_sq``, else the smaller
    of the scenario and twice the loss the CUMUF test finds with probability 0.95."""
    per_sq = loss.amount_kg(quantity) / loss.sq
    if study.curve_max_sq is not None:
        return study.curve_max_sq * per_sq
    found = (stats.norm.isf(alpha) + stats.norm.ppf(0.95)) * float(cov.sigma_cumuf()[-1])
    return min(loss.amount_kg(quantity), 2.0 * found)


def _curve(study: Study, loss: LossScenario, quantity: str, cov: MufCovariance,
           page: PageThreshold, muf_alpha: np.ndarray) -> DetectionCurve:
    k = study.periods.count
    alpha = study.tests.false_alarm_per_year
    top = _curve_max_kg(study, loss, quantity, cov, alpha)
    kg = np.linspace(0.0, top, study.tests.curve_points)
    out: dict[str, list[float]] = {"page": [], "cumuf": [], "gemuf": [], "muf": []}
    for size in kg:
        d = detection_probabilities(loss.loss_pattern(quantity, k, size / loss.amount_kg(
            quantity)), cov.matrix, alpha=alpha, page=page, muf_alpha=muf_alpha,
            states=CURVE_STATES if page.side != "both" else None)
        for key, value in (("page", d.page[-1]), ("cumuf", d.cumuf), ("gemuf", d.gemuf),
                           ("muf", d.muf.max())):
            out[key].append(float(value))
    sq = kg / (loss.amount_kg(quantity) / loss.sq)
    return DetectionCurve(loss.name, sq, kg, *(np.array(out[key]) for key in
                                              ("page", "cumuf", "gemuf", "muf")))


def _page_threshold(t: TestSettings, periods: BalancePeriods) -> PageThreshold:
    """Page's threshold: calibrated for the year's false-alarm probability, or the file's h
    with the false-alarm probability per year the Markov chain gives it (method 'given')."""
    n = t.per_year(periods)
    if t.page_h is None:
        return page_threshold(t.false_alarm_per_year, n, t.page_k, t.page_side)
    achieved = page_false_alarm_probability(t.page_h, n, t.page_k, t.page_side)
    states = DEFAULT_STATES_TWO_SIDED if t.page_side == "both" else DEFAULT_STATES
    return PageThreshold(float(t.page_h), achieved, n, t.page_k, t.page_side, "given", states,
                         0.0)


def _quantity(study: Study, quantity: str, iterations: int, seed: int,
              address: str | None, progress: Progress) -> QuantityAnalysis:
    t, k = study.tests, study.periods.count
    design = balance_design(study.area, study.periods, quantity)  # type: ignore[arg-type]
    cov = muf_covariance(design, study.model)
    cholesky_factor(cov.matrix)                           # a singular covariance is refused
    conventions = {"exact": cov.sigma_muf} | {
        c: muf_covariance(design, study.model, convention=c).sigma_muf  # type: ignore[arg-type]
        for c in ("mapit", "rss")}
    page = _page_threshold(t, study.periods)
    alpha = t.false_alarm_per_year
    muf_alpha = t.muf_alpha(study.periods)
    balance = material_balance(study.area, study.periods, quantity)  # type: ignore[arg-type]
    y = sitmuf(balance.muf, cov.matrix)
    up, down = page.test().statistics(y)

    def simulate(loss: LossPattern | None) -> AccountancyMonteCarlo:
        return monte_carlo(design, study.model, loss=loss, iterations=iterations, seed=seed,
                           chunk_size=t.chunk_size, alpha=alpha, page=page,
                           muf_alpha=muf_alpha, address=address, baseline="zero",
                           progress=progress)

    scenarios = []
    for loss in study.losses:
        pattern = loss.loss_pattern(quantity, k)
        closed = detection_probabilities(pattern, cov.matrix, alpha=alpha, page=page,
                                         muf_alpha=muf_alpha)
        scenarios.append(ScenarioResult(loss, pattern, closed, simulate(pattern)))
    curves = tuple(_curve(study, loss, quantity, cov, page, muf_alpha) for loss in study.losses)
    return QuantityAnalysis(quantity, balance, cov, conventions, y, up, down,
                            gemuf_v1(balance.muf, cov.matrix), page, muf_alpha,
                            gemuf_threshold(alpha, k), simulate(None), tuple(scenarios),
                            curves, alpha)


def analyse(study: Study, *, iterations: int | None = None, seed: int | None = None,
            address: str | None = None, progress: Progress | None = None
            ) -> AccountancyAnalysis:
    """Analyse a study: balances, tests, detection probabilities, the plant check.

    Parameters
    ----------
    study : Study
    iterations, seed : int, optional
        Override the study's Monte Carlo iterations and seed.
    address : str, optional
        A Dask scheduler: run the Monte Carlo chunks there (results are bit-identical).
    progress : Progress, optional
        One phase (:mod:`enrichwatch.parallel`): the Monte Carlo iterations of every quantity
        and run (without loss, then each loss scenario), advanced as chunks finish.

    Returns
    -------
    AccountancyAnalysis

    Raises
    ------
    InputError
        A balance whose covariance is singular (every error zero), a U-235 balance of a point
        without assays or assay uncertainty.
    """
    t = study.tests
    n = t.iterations if iterations is None else iterations
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("iterations", n, "a whole number >= 1")
    results = []
    bar = as_progress(progress)
    bar.start(n * len(t.quantities) * (1 + len(study.losses)), "Monte Carlo iterations")
    try:
        for quantity in t.quantities:
            results.append(_quantity(study, quantity, n, t.seed if seed is None else seed,
                                     address, within(bar)))
    finally:
        bar.close()
    check = None if study.plant_check is None else study.plant_check.run()
    return AccountancyAnalysis(study, tuple(results), check)


