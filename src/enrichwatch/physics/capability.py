"""What a configuration can produce: the withdrawal rate that yields a given assay, and the
time to one significant quantity of weapon-grade uranium.

A built network can trade amount for assay: withdrawing its product more slowly raises the
product assay, up to a point. These functions solve the network with the product withdrawal
rate imposed (:meth:`Network.solve(withdrawal_rates=...)
<enrichwatch.physics.network.Network.solve>`, whose model shifts the owning cascade's cuts
together), find the highest assay over the withdrawal rate (:func:`maximum_assay`: the curve
need not be monotonic, so this is a true maximum, not the assay at the slowest rate tried) and
the fastest rate at which the product reaches a target assay.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
>>> c = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(60.0),
...                    Assay.from_weight_percent(5.0), total_machines=166, name="B")
>>> net = Network([c], feeds=[ExternalFeed("feed", "B", leu, c.design.feed_kg_per_yr)])
>>> r = rate_for_assay(net, "B.product", Assay.from_weight_percent(90.0))
>>> r is not None and r.rate_kg_per_yr < net.solve().withdrawals["B.product"].rate_kg_per_yr
True
>>> top = maximum_assay(net, "B.product")
>>> top.weight_percent >= max(100 * a for _, a in top.grid)
True
>>> top.label in (LIMIT_LABEL, MAXIMUM_LABEL)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..composition import Assay, require_assay
from ..constants import MONTHS_PER_YEAR, SQ_HEU_U235_KG, WEAPON_GRADE_ASSAY
from ..errors import ConfigurationError, ConvergenceError

__all__ = ["LIMIT_LABEL", "MAXIMUM_LABEL", "MaxAssay", "RateAtAssay", "max_assay",
           "maximum_assay", "months_to_one_sq", "rate_for_assay"]

_SMALLEST_SHARE = 1e-6   # slowest withdrawal tried, as a share of the total feed
_GRID_POINTS = 16        # withdrawal rates scanned for the maximum assay


@dataclass(frozen=True)
class RateAtAssay:
    """A product withdrawal rate [kg U/yr] at which the product has the target assay."""

    withdrawal: str
    assay: Assay
    rate_kg_per_yr: float

    @property
    def rate_kg_per_month(self) -> float:
        return self.rate_kg_per_yr / MONTHS_PER_YEAR

    @property
    def months_to_significant_quantity(self) -> float:
        """Months to withdraw 25 kg U-235 (one IAEA significant quantity of HEU) at this rate."""
        u235_per_month = self.rate_kg_per_month * float(self.assay.mass_fraction)
        return SQ_HEU_U235_KG / u235_per_month


class _Solves:
    """The solves of one scan or root search of a withdrawal rate, each started from the
    solved state at the nearest log rate (a warm start: the answers meet the same
    convergence tests as cold starts, so they agree with them to the solver tolerance, in
    fewer Newton iterations). Deterministic: the order of the requests fixes every start."""

    def __init__(self, network, withdrawal: str) -> None:
        self.network, self.withdrawal = network, withdrawal
        self._solved: list[tuple[float, object]] = []

    def state(self, rate: float):
        """The network solved with the withdrawal at ``rate`` [kg U/yr] (raises as
        :meth:`Network.solve <enrichwatch.physics.network.Network.solve>`)."""
        x = float(np.log(rate)) if rate > 0.0 else -np.inf
        start = min(self._solved, key=lambda s: abs(s[0] - x))[1] if self._solved else None
        state = self.network.solve({self.withdrawal: rate}, start=start)
        self._solved.append((x, state))
        return state

    def assay(self, rate: float) -> float:
        """U-235 mass fraction of the withdrawal at ``rate``."""
        stream = self.state(rate).withdrawals[self.withdrawal]
        return float(stream.composition.fraction("U235"))

    def design(self) -> float:
        """The withdrawal's rate at the design cuts [kg U/yr], its state kept as a start."""
        state = self.network.solve()
        rate = state.withdrawals[self.withdrawal].rate_kg_per_yr
        self._solved.append((float(np.log(rate)) if rate > 0.0 else -np.inf, state))
        return rate


def _assay_at(solves: _Solves, rate: float) -> float:
    return solves.assay(rate)


def _logit(x: float) -> float:
    return float(np.log(x / (1.0 - x)))


def _check_product(network, withdrawal: str) -> float:
    if withdrawal not in network.withdrawal_names or not withdrawal.endswith(".product"):
        products = [w for w in network.withdrawal_names if w.endswith(".product")]
        raise ConfigurationError("withdrawal", withdrawal, f"a product withdrawal: {products}")
    return sum(f.rate_kg_per_yr for f in network.feeds)


@dataclass(frozen=True)
class MaxAssay:
    """The highest U-235 assay a product withdrawal reaches over its withdrawal rate.

    Found by :func:`maximum_assay`: a scan of the withdrawal rate on a logarithmic grid from
    ``1e-6`` of the total feed (or the slowest rate the solver can run) up to the natural rate
    (every stage at its design cut), refined by a bounded scalar maximisation around the best
    grid point.

    Attributes
    ----------
    withdrawal : str
        The product withdrawal.
    assay : Assay
        The highest assay found.
    rate_kg_per_yr : float
        The withdrawal rate at which it occurs [kg U/yr].
    monotonic : bool
        True when the assay falls as the withdrawal rate rises over the whole scan: the highest
        assay is then the limit as the withdrawal tends to zero (approximated by the slowest
        rate solved). False when the curve rises and falls again: the figure is the maximum
        over the withdrawal rate, reached at ``rate_kg_per_yr``.
    slowest_rate_kg_per_yr, slowest_assay : float, Assay
        The slowest rate solved and the assay there (what earlier versions reported as
        "at total reflux").
    grid : tuple of (rate [kg U/yr], U-235 mass fraction)
        Every rate of the scan that could be solved, slowest first.
    """

    withdrawal: str
    assay: Assay
    rate_kg_per_yr: float
    monotonic: bool
    slowest_rate_kg_per_yr: float
    slowest_assay: Assay
    grid: tuple[tuple[float, float], ...] = field(repr=False, default=())

    @property
    def label(self) -> str:
        """What the figure is: ``'limit as withdrawal -> 0'`` or ``'maximum over withdrawal
        rate'``."""
        return LIMIT_LABEL if self.monotonic else MAXIMUM_LABEL

    @property
    def rate_kg_per_month(self) -> float:
        return self.rate_kg_per_yr / MONTHS_PER_YEAR

    @property
    def weight_percent(self) -> float:
        return float(self.assay.weight_percent)


LIMIT_LABEL = "limit as withdrawal -> 0"
MAXIMUM_LABEL = "maximum over withdrawal rate"


def maximum_assay(network, withdrawal: str, *, points: int = _GRID_POINTS) -> MaxAssay:
    """Highest U-235 assay ``withdrawal`` reaches over its withdrawal rate (a :class:`MaxAssay`).

    Withdrawing more slowly usually raises the product assay, but not always to the end: with
    the cuts of a cascade shifted together, the curve of assay against rate can rise to a
    maximum and fall again towards zero withdrawal. The rate is therefore scanned (``points``
    rates, logarithmic, from ``1e-6`` of the total feed to the natural rate, further up while
    the assay still rises there) and the best point refined with a bounded maximisation on the
    logarithm of the rate. Deterministic: the grid is fixed, no wall-clock limit.

    Raises
    ------
    ConfigurationError
        ``withdrawal`` is not a product withdrawal of ``network``.
    ConvergenceError
        The network does not converge at its design cuts, or no withdrawal rate could be
        solved. Every solve is bounded by its Newton iteration count
        (:class:`~enrichwatch.physics.network.Network`), and so is the scan.
    """
    feed = _check_product(network, withdrawal)
    solves = _Solves(network, withdrawal)
    return _scan(solves, feed, _natural_rate(solves), points)


def _natural_rate(solves: _Solves) -> float:
    """The withdrawal's rate at the design cuts [kg U/yr]. The design setting is solved first
    and on its own: when it does not converge, its ConvergenceError (naming the network and
    the setting) is the answer, not a scan of withdrawal rates that cannot converge either."""
    return solves.design()


def _scan(solves: _Solves, feed: float, natural: float, points: int) -> MaxAssay:
    """:func:`maximum_assay` once the design setting is solved (``natural``: its rate)."""
    withdrawal = solves.withdrawal
    lo = _slowest_feasible(solves, feed)
    if lo is None:
        raise ConvergenceError(f"slow withdrawal of {withdrawal}",
                               "no slow withdrawal rate could be solved")
    hi = float(np.log(max(natural, np.exp(lo) * 10.0)))
    logs = list(np.linspace(lo, hi, max(points, 4)))
    grid = [(x, a) for x in logs if (a := _try_assay(solves, x)) is not None]
    # still rising at the natural rate: go faster until the assay falls or the feed runs out
    while len(grid) >= 2 and grid[-1][1] > grid[-2][1]:
        x = grid[-1][0] + np.log(1.5)
        a = _try_assay(solves, x) if np.exp(x) < feed else None
        if a is None:
            break
        grid.append((x, a))
    if not grid:
        raise ConvergenceError(f"withdrawal scan of {withdrawal}", "no rate could be solved")
    best_x, best_a = _refine(solves, grid)
    assays = np.array([a for _, a in grid])
    monotonic = bool(np.all(np.diff(assays) <= 1e-12))
    slow_x, slow_a = grid[0]
    return MaxAssay(withdrawal, Assay(np.asarray(best_a)), float(np.exp(best_x)), monotonic,
                    float(np.exp(slow_x)), Assay(np.asarray(slow_a)),
                    tuple((float(np.exp(x)), float(a)) for x, a in grid))


def max_assay(network, withdrawal: str) -> Assay:
    """Highest U-235 assay ``withdrawal`` reaches over its withdrawal rate: the
    :attr:`MaxAssay.assay` of :func:`maximum_assay` (a true maximum, or the limit as the
    withdrawal tends to zero when the assay falls with the rate all the way; see
    :attr:`MaxAssay.label`)."""
    return maximum_assay(network, withdrawal).assay


def _try_assay(solves: _Solves, log_rate: float) -> float | None:
    try:
        return _assay_at(solves, float(np.exp(log_rate)))
    except (ConvergenceError, ValueError):
        return None


def _refine(solves: _Solves, grid) -> tuple[float, float]:
    """The grid's best point, improved by a bounded maximisation between its neighbours."""
    i = int(np.argmax([a for _, a in grid]))
    best = grid[i]
    left, right = grid[max(i - 1, 0)][0], grid[min(i + 1, len(grid) - 1)][0]
    if right - left <= 0.0:
        return best

    def negative(log_rate: float) -> float:
        a = _try_assay(solves, log_rate)
        return 1.0 if a is None else -a

    from scipy.optimize import minimize_scalar

    res = minimize_scalar(negative, bounds=(left, right), method="bounded",
                          options={"xatol": 1e-4})
    if -float(res.fun) > best[1]:
        return float(res.x), -float(res.fun)
    return best


def rate_for_assay(network, withdrawal: str, assay: Assay, *,
                   maximum: MaxAssay | None = None) -> RateAtAssay | None:
    """Fastest withdrawal rate at which a product withdrawal has ``assay`` (None if it cannot
    reach it).

    The curve of assay against withdrawal rate need not be monotonic (:func:`maximum_assay`);
    the answer is taken on its falling branch, above the rate of the maximum: the fastest rate
    that still gives the target, i.e. the most material at that assay.

    Parameters
    ----------
    network : Network
    withdrawal : str
        A product withdrawal name (``"<cascade>.product"``).
    assay : Assay
        Target U-235 assay; anything else raises :class:`~enrichwatch.errors.InputTypeError`
        (a ``TypeError``) naming ``assay``.
    maximum : MaxAssay, optional
        The withdrawal's :func:`maximum_assay`, if already known (saves the scan).

    Raises
    ------
    ConvergenceError
        The network does not converge at its design cuts, or at a withdrawal rate between the
        maximum and the answer (the message names the rate). When no slow withdrawal can be
        solved at all (a closed recycle loop can defeat the solver near total reflux) the answer
        is None, as for a target out of reach.
    """
    assay = require_assay(assay, "assay")
    feed = _check_product(network, withdrawal)
    solves = _Solves(network, withdrawal)
    natural = _natural_rate(solves)      # the design setting: failures propagate
    if maximum is None:
        try:
            maximum = _scan(solves, feed, natural, _GRID_POINTS)
        except ConvergenceError:    # no slower withdrawal can be run (e.g. a closed recycle loop)
            return None
    top = maximum
    target = _logit(float(assay.mass_fraction))
    if float(top.assay.mass_fraction) < float(assay.mass_fraction):
        return None

    def gap(log_rate: float) -> float:
        return _logit(_assay_at(solves, float(np.exp(log_rate)))) - target

    lo = float(np.log(top.rate_kg_per_yr))
    if gap(lo) < 0.0:          # pragma: no cover - the maximum was solved at this rate
        return None
    hi = float(np.log(max(natural, top.rate_kg_per_yr * 1.5)))
    while gap(hi) >= 0.0:                 # the natural rate already reaches it: go faster
        lo, hi = hi, hi + np.log(1.5)
        if not _feasible(solves, float(np.exp(hi))):
            return RateAtAssay(withdrawal, assay, float(np.exp(lo)))
    from scipy.optimize import brentq

    try:
        log_rate = brentq(gap, lo, hi, xtol=1e-10, rtol=1e-10)
    except (ValueError, RuntimeError) as err:      # pragma: no cover - brentq on a bracket
        raise ConvergenceError(f"rate for {withdrawal}", str(err)) from err
    return RateAtAssay(withdrawal, assay, float(np.exp(log_rate)))


def _slowest_feasible(solves: _Solves, feed: float) -> float | None:
    """Log of the slowest withdrawal rate, from 1e-6 of the feed up, that the solver can run
    (close to total reflux a closed recycle loop can defeat it); None if none can."""
    for share in (_SMALLEST_SHARE, 1e-4, 1e-3, 1e-2, 3e-2):
        if _feasible(solves, share * feed):
            return float(np.log(share * feed))
    return None


def _feasible(solves: _Solves, rate: float) -> bool:
    """Can the withdrawal be run at ``rate`` (its cascade's cuts can deliver it)?"""
    try:
        solves.state(rate)
    except (ConvergenceError, ValueError):
        return False
    return True


_WEAPON_GRADE = Assay(np.asarray(WEAPON_GRADE_ASSAY))


def months_to_one_sq(network, withdrawal: str, assay: Assay = _WEAPON_GRADE, *,
                     maximum: MaxAssay | None = None) -> float:
    """Months for ``withdrawal`` to yield one significant quantity (25 kg U-235) of uranium at
    ``assay`` (default 90 %), withdrawing at the fastest rate that gives that assay; ``inf`` if
    the configuration cannot reach it. ``maximum`` as in :func:`rate_for_assay`."""
    found = rate_for_assay(network, withdrawal, assay, maximum=maximum)
    return float("inf") if found is None else found.months_to_significant_quantity
