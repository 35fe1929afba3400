"""What a configuration can produce: the withdrawal rate that yields a given assay, and the
time to one significant quantity of weapon-grade uranium.

A built network can trade amount for assay: withdrawing its product more slowly raises the
product assay, up to a point. These functions solve the network with the product withdrawal
rate imposed (:meth:`Network.solve(withdrawal_rates=...)
<enrichwatch.physics.network.Network.solve>`, whose model shifts the owning cascade's cuts
together), find the highest assay over the withdrawal rate (:func:`maximum_assay`: the curve
need not be monotonic, so this is a true maximum, not the assay at the slowest rate tried) and
the fastest rate at which the product reaches a target assay.

:func:`maximum_assay_batch` and :func:`rate_for_assay_batch` run the same searches for several
networks in step (the settings of a plant's uncertain inputs), phase by phase: each round, the
solves that all of them ask for are one batch
(:func:`~enrichwatch.physics.network_batch.solve_many`), which costs much less than the solves
one by one. The refinements of the maxima are one
:func:`scipy.optimize.elementwise.find_minimum` and the root searches one
:func:`scipy.optimize.elementwise.find_root` over all the searches (vectorised scalar solvers:
each call of the function asks the rates of the searches still running, one batch). The
single searches run the same code with one job.

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

import bisect
from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

import numpy as np

from ..composition import Assay, Composition, require_assay
from ..constants import MONTHS_PER_YEAR, SQ_HEU_U235_KG, WEAPON_GRADE_ASSAY
from ..errors import ConfigurationError, ConvergenceError
from .network import NetworkState

__all__ = ["LIMIT_LABEL", "MAXIMUM_LABEL", "MaxAssay", "RateAtAssay", "max_assay",
           "maximum_assay", "maximum_assay_batch", "months_to_one_sq", "rate_for_assay",
           "rate_for_assay_batch"]

_SMALLEST_SHARE = 1e-6   # slowest withdrawal tried, as a share of the total feed
_PREDICTOR_POINTS = 3    # solved states a start is interpolated from
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


class _Curve:
    """The solves of one withdrawal of one network over its withdrawal rate: the assay at every
    log rate asked (kept, with the failures: each rate is solved once per curve, and a plain
    :class:`~enrichwatch.physics.network.Network` gains what a memo of its solves would give),
    each solve started from the solved state at the nearest log rate, its stage unknowns
    interpolated through the nearest solved states (a warm start: the answers meet the same
    convergence tests as cold starts, so they agree with them to the solver tolerance, in
    fewer Newton iterations). Deterministic: the order of the requests fixes every start. A
    :class:`MaxAssay` keeps the curve it was found on, so that a :func:`rate_for_assay` given
    it brackets its root between rates already solved. The searches solve on it through
    :func:`_solve` (the rates of many curves in one batch) and read it with :meth:`assay`."""

    def __init__(self, network, withdrawal: str) -> None:
        self.network, self.withdrawal = network, withdrawal
        self._xs: list[float] = []               # the log rates solved, in order,
        self._states: list[object] = []          # and their states
        self._assays: dict[float, float | Exception] = {}
        self.natural: float | Exception | None = None    # the rate at the design cuts

    def fork(self) -> _Curve:
        """A copy of this curve (its solves so far, shared read-only) that records its own
        solves from now on: a search on the copy sees what was solved before the fork and its
        own solves, never those of another search forked from the same curve, so its answer
        does not depend on what else is searched (each target's root search forks the curve of
        its maximum)."""
        copy = _Curve(self.network, self.withdrawal)
        copy._xs, copy._states = list(self._xs), list(self._states)
        copy._assays, copy.natural = dict(self._assays), self.natural
        return copy

    def solved(self, x: float | None) -> bool:
        """Whether log rate ``x`` (None: the design setting) was solved already."""
        return self.natural is not None if x is None else x in self._assays

    def assay(self, x: float) -> float | Exception:
        """The U-235 mass fraction of the withdrawal at the log rate ``x`` (rate in kg U/yr),
        solved already (:func:`_solve`), or the error of its solve (the rate cannot be run:
        its cascade's cuts cannot deliver it, or the solve does not converge)."""
        return self._assays[x]

    def request(self, x: float | None) -> tuple[object, dict[str, float] | None, object]:
        """The :func:`~enrichwatch.physics.network_batch.solve_many` request of the solve at log
        rate ``x`` (None: the design setting, no rate imposed, no start)."""
        if x is None:
            return self.network, None, None
        return self.network, {self.withdrawal: float(np.exp(x))}, self._start(x)

    def _start(self, x: float):
        """The solved state at the nearest log rate, its stage unknowns (``log_ratio``)
        replaced by their interpolating polynomial through it and the next nearest (up to
        three points; at ``x`` between them, or beyond the nearest by at most its distance to
        the second): the states move smoothly with the log rate, so the composition solve
        starts closer to its answer and takes fewer Newton iterations. The cut-shift search
        starts from the nearest as it is (its rate and rate slope give its first step)."""
        xs = self._xs
        if not xs:
            return None
        at = bisect.bisect_left(xs, x)
        around = sorted(range(max(at - _PREDICTOR_POINTS, 0), min(at + _PREDICTOR_POINTS,
                                                                   len(xs))),
                        key=lambda i: abs(xs[i] - x))[:_PREDICTOR_POINTS]
        first = self._states[around[0]]
        if not isinstance(first, NetworkState) or first.log_ratio is None:
            return first
        points = [(xs[i], state.log_ratio) for i in around
                  if isinstance(state := self._states[i], NetworkState)
                  and state.log_ratio is not None
                  and state.log_ratio.shape == first.log_ratio.shape]
        points = list(dict(points).items())          # one state a log rate
        x1 = points[0][0]
        if len(points) < 2 or abs(x - x1) > abs(points[1][0] - x1):
            return first
        guess = None
        for i, (xi, ui) in enumerate(points):          # Lagrange's form
            weight = 1.0
            for j, (xj, _) in enumerate(points):
                if j != i:
                    weight *= (x - xj) / (xi - xj)
            guess = weight * ui if guess is None else guess + weight * ui
        return NetworkState(first.cascades, first.withdrawals, first.feeds, first.isotopes,
                            first.newton_iterations, guess, first.cut_shifts,
                            first.rate_slopes)         # dataclasses.replace, without its cost

    def record(self, x: float | None, found) -> None:
        """Keep the state (or the error) solved at log rate ``x`` (None: the design setting:
        its rate is :attr:`natural`, and its state is kept as a start and as the state at that
        rate: imposing the rate the design cuts give leaves every cut where it is)."""
        if x is None:
            self._record_design(found)
        elif isinstance(found, Exception):
            self._assays[x] = found
        else:
            self._keep(x, found)
            self._assays[x] = _u235(found.withdrawals[self.withdrawal].composition)

    def _keep(self, x: float, state) -> None:
        at = bisect.bisect_left(self._xs, x)
        self._xs.insert(at, x)
        self._states.insert(at, state)

    def _record_design(self, found) -> None:
        if isinstance(found, Exception):
            self.natural = found
            return
        stream = found.withdrawals[self.withdrawal]
        rate = stream.rate_kg_per_yr
        if rate > 0.0:
            x = float(np.log(rate))
            self._keep(x, found)
            if stream.composition is not None:
                self._assays.setdefault(x, float(stream.composition.fraction("U235")))
        self.natural = rate

    def known(self, lo: float, hi: float) -> list[tuple[float, float]]:
        """The log rates in ``[lo, hi]`` solved so far, with their assays, in order."""
        return sorted((x, a) for x, a in self._assays.items()
                      if lo <= x <= hi and not isinstance(a, Exception))


_SOLVE_ERRORS = (ConvergenceError, ValueError)


def _u235(composition) -> float:
    """``composition.fraction("U235")`` (mass basis); of a :class:`Composition` without
    parsing the isotope's name (the same value)."""
    if not isinstance(composition, Composition):   # a network of its own kind
        return float(composition.fraction("U235"))
    isotopes = composition.isotopes
    return float(composition.mass_fractions[isotopes.index("U235")]) \
        if "U235" in isotopes else 0.0


def _solve(asks) -> None:
    """Solve every ``(curve, log rate)`` of ``asks`` (a log rate of None: the design setting)
    not solved yet, all in one :func:`~enrichwatch.physics.network_batch.solve_many` batch (one
    request alone is ``Network.solve``), and record the states (or errors) on their curves.
    Deterministic: the order of ``asks`` fixes the batch and every start."""
    from .network_batch import solve_many

    todo = list(dict.fromkeys((c, x) for c, x in asks if not c.solved(x)))
    if todo:
        for (curve, x), found in zip(todo, solve_many([c.request(x) for c, x in todo]),
                                     strict=True):
            curve.record(x, found)


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

    It also keeps, privately, the solves it was found with and the log of its rate, for a
    :func:`rate_for_assay` on the same network (not compared, not shown).
    """

    withdrawal: str
    assay: Assay
    rate_kg_per_yr: float
    monotonic: bool
    slowest_rate_kg_per_yr: float
    slowest_assay: Assay
    grid: tuple[tuple[float, float], ...] = field(repr=False, default=())
    _found: tuple[_Curve, float] | None = field(repr=False, compare=False, default=None)

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
    the assay still rises there) and the best point refined by a bracketed maximisation on
    the logarithm of the rate between its neighbours (:func:`scipy.optimize.elementwise.
    find_minimum`, Chandrupatla's method, started from the three grid points), until the
    answer is within ``2 (sqrt(eps) |x| + 1e-4 / 3)`` of both ends of a bracket that holds the
    maximum (the stopping test of ``scipy.optimize.minimize_scalar(method="bounded",
    options={"xatol": 1e-4})``). When the assay falls with the rate over the whole scan the
    figure is the assay at the slowest rate (:attr:`MaxAssay.monotonic`) and no refinement is
    needed. Deterministic: the grid is fixed, no wall-clock limit.

    Raises
    ------
    ConfigurationError
        ``withdrawal`` is not a product withdrawal of ``network``.
    ConvergenceError
        The network does not converge at its design cuts, or no withdrawal rate could be
        solved. Every solve is bounded by its Newton iteration count
        (:class:`~enrichwatch.physics.network.Network`), and so is the scan.
    """
    return _raised(_maxima([(network, withdrawal)], points)[0])


def maximum_assay_batch(jobs) -> list:
    """:func:`maximum_assay` of every ``(network, withdrawal)`` of ``jobs``, the searches run
    together, phase by phase: each phase's solves of all of them one batch
    (:func:`~enrichwatch.physics.network_batch.solve_many`), the refinements one
    :func:`~scipy.optimize.elementwise.find_minimum` over all. Each answer is a
    :class:`MaxAssay` or the error :func:`maximum_assay` raises for that job (a
    ConvergenceError or ValueError, returned, not raised); each search takes the steps it
    takes alone, so the answers are :func:`maximum_assay`'s to the solver tolerance."""
    return _maxima(list(jobs), _GRID_POINTS)


def _raised(found):
    """``found``, raised if it is an error."""
    if isinstance(found, Exception):
        raise found
    return found


def _maxima(jobs: list, points: int) -> list:
    """:func:`maximum_assay_batch` with ``points`` rates on each grid."""
    out: list = [None] * len(jobs)
    curves, feeds = {}, {}
    for j, (network, withdrawal) in enumerate(jobs):
        try:
            feeds[j] = _check_product(network, withdrawal)
        except _SOLVE_ERRORS as err:
            out[j] = err
            continue
        curves[j] = _Curve(network, withdrawal)
    for j, found in _scans(curves, feeds, points).items():
        out[j] = found
    return out


def _scans(curves: dict[int, _Curve], feeds: dict[int, float], points: int) -> dict:
    """:func:`maximum_assay` on every curve (a :class:`MaxAssay` or the error), in phases, each
    one batch of solves over the curves: the design setting (solved first and on its own:
    when it does not converge, its ConvergenceError, naming the network and the setting, is
    the answer, not a scan of rates that cannot converge either), the slowest rate that can
    be run, the grid, the rates beyond it while the assay still rises, the refinement. The
    grid is solved from both ends inwards, two rates at a time (:func:`_from_both_ends`):
    each solve starts from its solved neighbour, as in a scan from one end, in half as many
    rounds (solved all at once, the rates would start further apart and take more Newton
    iterations than that saves)."""
    _solve((c, None) for c in curves.values())
    out: dict = {j: c.natural for j, c in curves.items() if isinstance(c.natural, Exception)}
    slowest = _slowest_feasible({j: c for j, c in curves.items() if j not in out}, feeds)
    grids: dict[int, list[float]] = {}
    for j, c in curves.items():
        if j in out:
            continue
        if j not in slowest:
            out[j] = ConvergenceError(f"slow withdrawal of {c.withdrawal}",
                                      "no slow withdrawal rate could be solved")
            continue
        lo = slowest[j]
        hi = float(np.log(max(cast(float, c.natural), np.exp(lo) * 10.0)))
        grids[j] = [float(x) for x in np.linspace(lo, hi, max(points, 4))]
    pairs = {j: _from_both_ends(logs) for j, logs in grids.items()}
    for k in range(max(map(len, pairs.values()), default=0)):
        _solve((curves[j], x) for j, p in pairs.items() if k < len(p) for x in p[k])
    solved = {j: [(x, a) for x in logs if isinstance(a := curves[j].assay(x), float)]
              for j, logs in grids.items()}
    _go_faster(curves, feeds, solved)
    monotonic = {j: bool(np.all(np.diff([a for _, a in g]) <= 1e-12))
                 for j, g in solved.items()}
    best = _refine(curves, {j: g for j, g in solved.items() if g and not monotonic[j]})
    for j, grid in solved.items():
        if not grid:
            out[j] = ConvergenceError(f"withdrawal scan of {curves[j].withdrawal}",
                                      "no rate could be solved")
            continue
        best_x, best_a = best.get(j, grid[0])
        slow_x, slow_a = grid[0]
        out[j] = MaxAssay(curves[j].withdrawal, Assay(np.asarray(best_a)), float(np.exp(best_x)),
                          monotonic[j], float(np.exp(slow_x)), Assay(np.asarray(slow_a)),
                          tuple((float(np.exp(x)), float(a)) for x, a in grid),
                          (curves[j], best_x))
    return out


def _slowest_feasible(curves: dict[int, _Curve], feeds: dict[int, float]) -> dict[int, float]:
    """Log of the slowest withdrawal rate, from 1e-6 of the feed up, that the solver can run
    on each curve (close to total reflux a closed recycle loop can defeat it); a curve on which
    none can is left out. One batch of solves a share tried."""
    found: dict[int, float] = {}
    for share in (_SMALLEST_SHARE, 1e-4, 1e-3, 1e-2, 3e-2):
        asks = {j: float(np.log(share * feeds[j])) for j in curves if j not in found}
        _solve((curves[j], x) for j, x in asks.items())
        found.update((j, x) for j, x in asks.items() if isinstance(curves[j].assay(x), float))
    return found


def _from_both_ends(logs: list[float]) -> list[list[float]]:
    """``logs`` in pairs from both ends inwards: the first and the last, the second and the
    last but one, ..., the middle one alone when their count is odd."""
    pairs, i, j = [], 0, len(logs) - 1
    while i <= j:
        pairs.append([logs[i]] if i == j else [logs[i], logs[j]])
        i, j = i + 1, j - 1
    return pairs


def _rising(grid: list[tuple[float, float]]) -> bool:
    return len(grid) >= 2 and grid[-1][1] > grid[-2][1]


def _go_faster(curves: dict[int, _Curve], feeds: dict[int, float],
               grids: dict[int, list[tuple[float, float]]]) -> None:
    """Extend every grid still rising at the natural rate: faster by a factor 1.5 a round (one
    batch of solves) until the assay falls, the rate cannot be run or the feed runs out."""
    step = float(np.log(1.5))
    rising = [j for j, grid in grids.items() if _rising(grid)]
    while rising:
        asks = {j: grids[j][-1][0] + step for j in rising}
        asks = {j: x for j, x in asks.items() if np.exp(x) < feeds[j]}
        _solve((curves[j], x) for j, x in asks.items())
        for j, x in asks.items():
            if isinstance(a := curves[j].assay(x), float):
                grids[j].append((x, a))
        rising = [j for j, x in asks.items() if grids[j][-1][0] == x and _rising(grids[j])]


def max_assay(network, withdrawal: str) -> Assay:
    """Highest U-235 assay ``withdrawal`` reaches over its withdrawal rate: the
    :attr:`MaxAssay.assay` of :func:`maximum_assay` (a true maximum, or the limit as the
    withdrawal tends to zero when the assay falls with the rate all the way; see
    :attr:`MaxAssay.label`)."""
    return maximum_assay(network, withdrawal).assay


_XATOL = 1e-4          # tolerance of the maximum in the log of the withdrawal rate
_GOLDEN = 0.5 * (3.0 - 5.0 ** 0.5)
#: find_minimum's tolerances for the maximum: its best point ``x`` is within ``2 (|x| xrtol +
#: xatol)`` of both ends of a bracket holding the maximum, as minimize_scalar's bounded method
#: with ``xatol`` stops within ``2 (sqrt(eps) |x| + xatol / 3)``; no test on the assays.
_MINIMUM_TOLERANCES = {"xatol": _XATOL / 3.0, "xrtol": float(np.sqrt(np.finfo(float).eps)),
                       "fatol": 0.0, "frtol": 0.0}


def _refine(curves: dict[int, _Curve], grids: dict[int, list[tuple[float, float]]]
            ) -> dict[int, tuple[float, float]]:
    """Each grid's best point ``(log rate, assay)``, improved by a maximisation bracketed by
    its neighbours, all of them in one :func:`~scipy.optimize.elementwise.find_minimum`. A
    best point inside the grid brackets the maximum with its two neighbours (their assays are
    known). One at an end of the grid (the curve rises or falls there) is tried against the
    golden section of the interval to its neighbour: when the assay there is higher, the three
    bracket a maximum; else the end is the answer."""
    best, brackets, probes = {}, {}, {}
    for j, grid in grids.items():
        i = int(np.argmax([a for _, a in grid]))
        best[j] = grid[i]
        if 0 < i < len(grid) - 1:
            brackets[j] = (grid[i - 1][0], grid[i][0], grid[i + 1][0])
        else:
            other = grid[1 if i == 0 else -2][0]
            probes[j] = (grid[i][0], grid[i][0] + _GOLDEN * (other - grid[i][0]), other)
    _solve((curves[j], u) for j, (_, u, _) in probes.items())
    for j, (end, u, other) in probes.items():
        a = curves[j].assay(u)
        if isinstance(a, float) and a > best[j][1]:
            brackets[j] = (min(end, other), u, max(end, other))
    found = _minimize(curves, brackets)
    return {j: found[j] if j in found and found[j][1] > best[j][1] else best[j] for j in best}


def _minimize(curves: dict[int, _Curve], brackets: dict[int, tuple[float, float, float]]
              ) -> dict[int, tuple[float, float]]:
    """The maximum of the assay over the log rate in each bracket ``(x1, x2, x3)`` (the assay
    at ``x2`` the highest), ``(log rate, assay)``, all of them found together by
    :func:`scipy.optimize.elementwise.find_minimum` of minus the assay: each of its calls one
    batch of solves over the searches still running (a rate that cannot be run counts as an
    assay of -1, worse than any)."""
    from scipy.optimize.elementwise import find_minimum

    if not brackets:
        return {}
    jobs = list(brackets)

    def negative(x, k):
        asks = [(curves[jobs[i]], float(xi)) for xi, i in zip(x, k, strict=True)]
        _solve(asks)
        return np.array([-a if isinstance(a := c.assay(xi), float) else 1.0 for c, xi in asks])

    init = tuple(np.array([brackets[j][m] for j in jobs]) for m in range(3))
    found = find_minimum(negative, init, args=(np.arange(len(jobs)),),
                         tolerances=_MINIMUM_TOLERANCES)
    return {j: (float(found.x[k]), -float(found.f_x[k])) for k, j in enumerate(jobs)}


def rate_for_assay(network, withdrawal: str, assay: Assay, *,
                   maximum: MaxAssay | None = None) -> RateAtAssay | None:
    """Fastest withdrawal rate at which a product withdrawal has ``assay`` (None if it cannot
    reach it).

    The curve of assay against withdrawal rate need not be monotonic (:func:`maximum_assay`);
    the answer is taken on its falling branch, above the rate of the maximum: the fastest rate
    that still gives the target, i.e. the most material at that assay. It is the root of
    logit(assay) - logit(target) over the log of the rate
    (:func:`scipy.optimize.elementwise.find_root`, Chandrupatla's method, until the bracket is
    narrower than 1e-10 + 1e-10 |x|: ``brentq``'s test with ``xtol = rtol = 1e-10``),
    bracketed by the rate of the maximum and the natural rate (faster while the target is
    still exceeded there); when the rates solved already (the scan of the maximum, earlier
    targets on the same curve) show a single crossing of the target in that bracket, by the
    two solved rates on either side of it.

    Parameters
    ----------
    network : Network
    withdrawal : str
        A product withdrawal name (``"<cascade>.product"``).
    assay : Assay
        Target U-235 assay; anything else raises :class:`~enrichwatch.errors.InputTypeError`
        (a ``TypeError``) naming ``assay``.
    maximum : MaxAssay, optional
        The withdrawal's :func:`maximum_assay`, if already known (saves the scan; found on
        this very ``network``, it also lends the rates it solved).

    Raises
    ------
    ConvergenceError
        The network does not converge at its design cuts, or at a withdrawal rate between the
        maximum and the answer (the message names the rate). When no slow withdrawal can be
        solved at all (a closed recycle loop can defeat the solver near total reflux) the answer
        is None, as for a target out of reach.
    """
    return _raised(rate_for_assay_batch([(network, withdrawal, assay, maximum)])[0])


def rate_for_assay_batch(jobs) -> list:
    """:func:`rate_for_assay` of every ``(network, withdrawal, assay, maximum)`` of ``jobs``
    (``maximum`` a :class:`MaxAssay` or None), the searches run together as in
    :func:`maximum_assay_batch`, the root searches one
    :func:`~scipy.optimize.elementwise.find_root` over all. Each answer is a
    :class:`RateAtAssay`, None (out of reach) or the error :func:`rate_for_assay` raises for
    that job (returned, not raised); the answers are :func:`rate_for_assay`'s to the solver
    tolerance (bit for bit: the batches answer each solve as alone). A job on another curve of
    the same network, or another target on the same curve, may share the batch: each job
    searches its own fork of its maximum's curve (the scan's solves, not another job's), so its
    answer does not depend on what else is asked."""
    jobs = [(network, withdrawal, require_assay(assay, "assay"), maximum)
            for network, withdrawal, assay, maximum in jobs]
    out: list = [None] * len(jobs)
    curves, peaks, feeds = {}, {}, {}
    for j, (network, withdrawal, _, maximum) in enumerate(jobs):
        try:
            feeds[j] = _check_product(network, withdrawal)
        except _SOLVE_ERRORS as err:
            out[j] = err
            continue
        curves[j], peaks[j] = _curve(network, withdrawal, maximum)
    _solve((c, None) for c in curves.values())     # the design setting: failures propagate
    tops = {}
    for j, c in curves.items():
        if isinstance(c.natural, Exception):
            out[j] = c.natural
        elif jobs[j][3] is not None:
            tops[j] = jobs[j][3]
    scans = _scans({j: c for j, c in curves.items() if out[j] is None and j not in tops},
                   feeds, _GRID_POINTS)
    for j, top in scans.items():
        if isinstance(top, MaxAssay):   # else no slower withdrawal can be run: out of reach
            tops[j] = top
            curves[j], peaks[j] = top._found or (curves[j], None)
    targets = {j: float(jobs[j][2].mass_fraction) for j in tops}
    live = [j for j, top in tops.items() if float(top.assay.mass_fraction) >= targets[j]]
    brackets = _brackets({j: curves[j] for j in live},
                         {j: _logit(targets[j]) for j in live},
                         {j: float(np.log(tops[j].rate_kg_per_yr)) if (p := peaks[j]) is None
                          else p for j in live},
                         {j: tops[j].rate_kg_per_yr for j in live})
    roots = _roots(curves, {j: _logit(targets[j]) for j in live}, brackets)
    for j, found in {**brackets, **roots}.items():
        if isinstance(found, Exception):
            out[j] = found
        elif isinstance(found, float):
            out[j] = RateAtAssay(jobs[j][1], jobs[j][2], float(np.exp(found)))
    return out


def _brackets(curves: dict[int, _Curve], targets: dict[int, float], peaks: dict[int, float],
              tops: dict[int, float]) -> dict:
    """The root bracket ``(lo, hi)`` of each curve's search for its target log-odds: from the
    log rate of its maximum (``peaks``; rate ``tops``) to its natural rate (at least 1.5 times
    the maximum's), faster by a factor 1.5 while the target is still reached there (the last
    rate that reaches it is the answer, a float, when the next cannot be run), narrowed to the
    solved rates around a single crossing (:func:`_tightest_bracket`). The error of a rate
    that fails at an end; None (out of reach) should the maximum miss the target. One batch of
    solves a round."""
    def gap(j: int, x: float):
        a = curves[j].assay(x)
        return a if isinstance(a, Exception) else _logit(a) - targets[j]

    out: dict = {}
    lo = dict(peaks)
    hi = {j: float(np.log(max(cast(float, c.natural), tops[j] * 1.5)))
          for j, c in curves.items()}
    for ends in (lo, hi):
        _solve((curves[j], x) for j, x in ends.items() if j not in out)
        for j, x in ends.items():
            g = None if j in out else gap(j, x)
            if isinstance(g, Exception):
                out[j] = g
            elif ends is lo and g is not None and g < 0.0:  # pragma: no cover - solved there
                out[j] = None
    faster = [j for j in curves if j not in out and gap(j, hi[j]) >= 0.0]
    while faster:               # the natural rate already reaches it: go faster
        for j in faster:
            lo[j], hi[j] = hi[j], hi[j] + float(np.log(1.5))
        _solve((curves[j], hi[j]) for j in faster)
        for j in faster:
            if isinstance(curves[j].assay(hi[j]), Exception):
                out[j] = lo[j]
        faster = [j for j in faster if j not in out and gap(j, hi[j]) >= 0.0]
    for j, c in curves.items():
        if j not in out:
            out[j] = _tightest_bracket(c.known(lo[j], hi[j]), targets[j], lo[j], hi[j])
    return out


#: Tolerances of the rate at an assay in the log rate, absolute and relative (find_root stops
#: when its bracket is narrower than ``xatol + xrtol |x|``, as brentq with ``xtol``, ``rtol``).
_ROOT_TOLERANCES = {"xatol": 1e-10, "xrtol": 1e-10, "fatol": 0.0, "frtol": 0.0}


def _roots(curves: dict[int, _Curve], targets: dict[int, float], brackets: dict) -> dict:
    """The log rate at which each curve's assay has the target log-odds, in its bracket
    ``(lo, hi)`` (the entries of ``brackets`` that are a pair), all of them found together by
    :func:`scipy.optimize.elementwise.find_root`: each of its calls one batch of solves over the
    searches still running. The error of a rate that fails (it ends that search)."""
    from scipy.optimize.elementwise import find_root

    jobs = [j for j, b in brackets.items() if isinstance(b, tuple)]
    if not jobs:
        return {}
    failed: dict[int, Exception] = {}

    def gap(x, k):
        asks = [(jobs[i], float(xi)) for xi, i in zip(x, k, strict=True)]
        _solve((curves[j], xi) for j, xi in asks)
        values = []
        for j, xi in asks:
            a = curves[j].assay(xi)
            if isinstance(a, Exception):
                failed.setdefault(j, a)
                values.append(0.0)                # a root: ends this search
            else:
                values.append(_logit(a) - targets[j])
        return np.array(values)

    init = tuple(np.array([brackets[j][m] for j in jobs]) for m in range(2))
    found = find_root(gap, init, args=(np.arange(len(jobs)),), tolerances=_ROOT_TOLERANCES)
    out: dict = {}
    for k, j in enumerate(jobs):
        if j in failed:
            out[j] = failed[j]
        elif found.success[k]:
            out[j] = float(found.x[k])
        else:                          # pragma: no cover - Chandrupatla's method on a bracket
            out[j] = ConvergenceError(f"rate for {curves[j].withdrawal}",
                                      "the root search did not converge")
    return out


def _curve(network, withdrawal: str, maximum: MaxAssay | None
           ) -> tuple[_Curve, float | None]:
    """A fork (:meth:`_Curve.fork`) of the curve of ``maximum`` and the log of its rate when
    it was found on this network's withdrawal, else a new curve (and None): the search of one
    target never sees the solves of another target's search, so each answer is the one its
    search gives alone."""
    found = None if maximum is None else maximum._found
    if found is not None and found[0].network is network and found[0].withdrawal == withdrawal:
        return found[0].fork(), found[1]
    return _Curve(network, withdrawal), None


def _tightest_bracket(known: list[tuple[float, float]], target: float, lo: float, hi: float
                      ) -> tuple[float, float]:
    """The root bracket ``(lo, hi)`` (the target reached at ``lo``, not at ``hi``) narrowed to
    the two solved rates on either side of the crossing when the solved rates between them
    (``known``: log rate, assay) cross the target once; else ``(lo, hi)`` (several crossings:
    the root search keeps the bracket it would have without them)."""
    above = [(x, _logit(a) - target >= 0.0) for x, a in known]
    crossings = [(x0, x1) for (x0, s0), (x1, s1) in pairwise(above) if s0 != s1]
    if len(crossings) == 1 and above[0] == (lo, True) and above[-1] == (hi, False):
        return crossings[0]
    return lo, hi


_WEAPON_GRADE = Assay(np.asarray(WEAPON_GRADE_ASSAY))


def months_to_one_sq(network, withdrawal: str, assay: Assay = _WEAPON_GRADE, *,
                     maximum: MaxAssay | None = None) -> float:
    """Months for ``withdrawal`` to yield one significant quantity (25 kg U-235) of uranium at
    ``assay`` (default 90 %), withdrawing at the fastest rate that gives that assay; ``inf`` if
    the configuration cannot reach it. ``maximum`` as in :func:`rate_for_assay`."""
    found = rate_for_assay(network, withdrawal, assay, maximum=maximum)
    return float("inf") if found is None else found.months_to_significant_quantity
