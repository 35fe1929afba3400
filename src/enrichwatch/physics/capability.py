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
from itertools import pairwise

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
    """The solves of one withdrawal of one network over its withdrawal rate: the assay at every
    log rate asked (kept, with the failures: each rate is solved once per curve, and a plain
    :class:`~enrichwatch.physics.network.Network` gains what a memo of its solves would give),
    each solve started from the solved state at the nearest log rate (a warm start: the answers
    meet the same convergence tests as cold starts, so they agree with them to the solver
    tolerance, in fewer Newton iterations). Deterministic: the order of the requests fixes
    every start. A :class:`MaxAssay` keeps the curve it was found on, so that a
    :func:`rate_for_assay` given it brackets its root between rates already solved."""

    def __init__(self, network, withdrawal: str) -> None:
        self.network, self.withdrawal = network, withdrawal
        self._solved: list[tuple[float, object]] = []
        self._assays: dict[float, float | Exception] = {}
        self._natural: float | None = None

    def _state(self, x: float):
        rate = float(np.exp(x))
        start = min(self._solved, key=lambda s: abs(s[0] - x))[1] if self._solved else None
        state = self.network.solve({self.withdrawal: rate}, start=start)
        self._solved.append((x, state))
        return state

    def assay(self, x: float) -> float:
        """U-235 mass fraction of the withdrawal at the log rate ``x`` (rate in kg U/yr);
        raises as :meth:`Network.solve <enrichwatch.physics.network.Network.solve>` (again
        for a rate that failed before)."""
        x = float(x)
        if x not in self._assays:
            try:
                stream = self._state(x).withdrawals[self.withdrawal]
                self._assays[x] = float(stream.composition.fraction("U235"))
            except (ConvergenceError, ValueError) as err:
                self._assays[x] = err
        found = self._assays[x]
        if isinstance(found, Exception):
            raise found
        return found

    def try_assay(self, x: float) -> float | None:
        """:meth:`assay`, None where the rate cannot be run (its cascade's cuts cannot deliver
        it, or the solve does not converge)."""
        try:
            return self.assay(x)
        except (ConvergenceError, ValueError):
            return None

    def known(self, lo: float, hi: float) -> list[tuple[float, float]]:
        """The log rates in ``[lo, hi]`` solved so far, with their assays, in order."""
        return sorted((x, a) for x, a in self._assays.items()
                      if lo <= x <= hi and not isinstance(a, Exception))

    def design(self) -> float:
        """The withdrawal's rate at the design cuts [kg U/yr] (solved once), its state kept as
        a start and as the state at that rate: imposing the rate the design cuts give leaves
        every cut where it is (no shift), so the scan does not solve that state again."""
        if self._natural is None:
            state = self.network.solve()
            stream = state.withdrawals[self.withdrawal]
            rate = stream.rate_kg_per_yr
            if rate > 0.0:
                x = float(np.log(rate))
                self._solved.append((x, state))
                if stream.composition is not None:
                    self._assays.setdefault(x, float(stream.composition.fraction("U235")))
            self._natural = rate
        return self._natural


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
    _found: tuple[_Solves, float] | None = field(repr=False, compare=False, default=None)

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
    the assay still rises there) and the best point refined by a bounded maximisation on the
    logarithm of the rate between its neighbours, to 1e-4 in the log rate (Brent's method,
    started from the three grid points). When the assay falls with the rate over the whole
    scan the figure is the assay at the slowest rate (:attr:`MaxAssay.monotonic`) and no
    refinement is needed. Deterministic: the grid is fixed, no wall-clock limit.

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
    return _scan(solves, feed, solves.design(), points)


def _scan(solves: _Solves, feed: float, natural: float, points: int) -> MaxAssay:
    """:func:`maximum_assay` once the design setting is solved (``natural``: its rate; the
    design setting is solved first and on its own: when it does not converge, its
    ConvergenceError, naming the network and the setting, is the answer, not a scan of
    withdrawal rates that cannot converge either)."""
    withdrawal = solves.withdrawal
    lo = _slowest_feasible(solves, feed)
    if lo is None:
        raise ConvergenceError(f"slow withdrawal of {withdrawal}",
                               "no slow withdrawal rate could be solved")
    hi = float(np.log(max(natural, np.exp(lo) * 10.0)))
    logs = [float(x) for x in np.linspace(lo, hi, max(points, 4))]
    grid = [(x, a) for x in logs if (a := solves.try_assay(x)) is not None]
    # still rising at the natural rate: go faster until the assay falls or the feed runs out
    while len(grid) >= 2 and grid[-1][1] > grid[-2][1]:
        x = grid[-1][0] + float(np.log(1.5))
        a = solves.try_assay(x) if np.exp(x) < feed else None
        if a is None:
            break
        grid.append((x, a))
    if not grid:
        raise ConvergenceError(f"withdrawal scan of {withdrawal}", "no rate could be solved")
    assays = np.array([a for _, a in grid])
    monotonic = bool(np.all(np.diff(assays) <= 1e-12))
    best_x, best_a = grid[0] if monotonic else _refine(solves, grid)
    slow_x, slow_a = grid[0]
    return MaxAssay(withdrawal, Assay(np.asarray(best_a)), float(np.exp(best_x)), monotonic,
                    float(np.exp(slow_x)), Assay(np.asarray(slow_a)),
                    tuple((float(np.exp(x)), float(a)) for x, a in grid), (solves, best_x))


def max_assay(network, withdrawal: str) -> Assay:
    """Highest U-235 assay ``withdrawal`` reaches over its withdrawal rate: the
    :attr:`MaxAssay.assay` of :func:`maximum_assay` (a true maximum, or the limit as the
    withdrawal tends to zero when the assay falls with the rate all the way; see
    :attr:`MaxAssay.label`)."""
    return maximum_assay(network, withdrawal).assay


_XATOL = 1e-4          # tolerance of the maximum in the log of the withdrawal rate


def _refine(solves: _Solves, grid) -> tuple[float, float]:
    """The grid's best point, improved by a bounded maximisation between its neighbours (to
    :data:`_XATOL` in the log rate). A best point inside the grid starts the search from the
    three grid points (their assays are known); one at an end of the grid (the curve rises or
    falls there) is searched from scratch."""
    i = int(np.argmax([a for _, a in grid]))
    best = grid[i]
    left, right = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if right[0] - left[0] <= 0.0:
        return best

    def negative(log_rate: float) -> float:
        a = solves.try_assay(log_rate)
        return 1.0 if a is None else -a

    if 0 < i < len(grid) - 1:
        x, fx = _bounded_minimum(negative, left[0], right[0],
                                 [(best[0], -best[1]), *sorted(
                                     [(left[0], -left[1]), (right[0], -right[1])],
                                     key=lambda p: p[1])], _XATOL)
    else:
        from scipy.optimize import minimize_scalar

        res = minimize_scalar(negative, bounds=(left[0], right[0]), method="bounded",
                              options={"xatol": _XATOL})
        x, fx = float(res.x), float(res.fun)
    if -fx > best[1]:
        return x, -fx
    return best


_GOLDEN = 0.5 * (3.0 - 5.0 ** 0.5)
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def _bounded_minimum(f, a: float, b: float, start: list[tuple[float, float]], xatol: float,
                     max_evaluations: int = 500) -> tuple[float, float]:
    """A local minimum of ``f`` on ``(a, b)`` by Brent's method (golden sections and
    parabolic steps, R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973,
    ch. 5), started from three points already evaluated.

    The iteration and the stopping test are those of ``scipy.optimize.minimize_scalar(...,
    method="bounded", options={"xatol": xatol})``: it stops when the best point ``x`` is
    within ``2 * tol`` of both ends of the bracket that holds the minimum (``tol = sqrt(eps)
    * |x| + xatol / 3``), so the answer meets the same tolerance. It differs in its start:
    instead of a golden-section point it takes ``start`` = ``[(x, f(x)), (w, f(w)), (v,
    f(v))]`` (the best point, the second best and the third, inside ``[a, b]``; a grid point
    and its two neighbours), so that its first step can be parabolic.

    Returns ``(x, f(x))``.
    """
    (x, fx), (w, fw), (v, fv) = start
    step = last = b - a           # let the first steps be parabolic
    for _ in range(max_evaluations):
        middle = 0.5 * (a + b)
        tol = _SQRT_EPS * abs(x) + xatol / 3.0
        if abs(x - middle) <= 2.0 * tol - 0.5 * (b - a):
            break
        parabolic = False
        if abs(last) > tol:
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            p, q = (-p if q > 0.0 else p), abs(q)
            before, last = last, step
            if abs(p) < abs(0.5 * q * before) and q * (a - x) < p < q * (b - x):
                parabolic, step = True, p / q
                if x + step - a < 2.0 * tol or b - x - step < 2.0 * tol:
                    step = tol if middle >= x else -tol
        if not parabolic:
            last = (a - x) if x >= middle else (b - x)
            step = _GOLDEN * last
        u = x + (1.0 if step >= 0.0 else -1.0) * max(abs(step), tol)
        fu = f(u)
        if fu <= fx:
            a, b = (x, b) if u >= x else (a, x)
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            a, b = (u, b) if u < x else (a, u)
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v == x or v == w:
                v, fv = u, fu
    return x, fx


def rate_for_assay(network, withdrawal: str, assay: Assay, *,
                   maximum: MaxAssay | None = None) -> RateAtAssay | None:
    """Fastest withdrawal rate at which a product withdrawal has ``assay`` (None if it cannot
    reach it).

    The curve of assay against withdrawal rate need not be monotonic (:func:`maximum_assay`);
    the answer is taken on its falling branch, above the rate of the maximum: the fastest rate
    that still gives the target, i.e. the most material at that assay. It is the root of
    logit(assay) - logit(target) over the log of the rate (Brent's method to 1e-10 absolute
    and relative), bracketed by the rate of the maximum and the natural rate (faster while the
    target is still exceeded there); when the rates solved already (the scan of the maximum,
    earlier targets on the same curve) show a single crossing of the target in that bracket,
    by the two solved rates on either side of it.

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
    assay = require_assay(assay, "assay")
    feed = _check_product(network, withdrawal)
    solves, peak = _curve(network, withdrawal, maximum)
    natural = solves.design()           # the design setting: failures propagate
    if maximum is None:
        try:
            maximum = _scan(solves, feed, natural, _GRID_POINTS)
        except ConvergenceError:    # no slower withdrawal can be run (e.g. a closed recycle loop)
            return None
        solves, peak = _curve(network, withdrawal, maximum)
    top = maximum
    target = _logit(float(assay.mass_fraction))
    if float(top.assay.mass_fraction) < float(assay.mass_fraction):
        return None

    def gap(log_rate: float) -> float:
        return _logit(solves.assay(log_rate)) - target

    lo = float(np.log(top.rate_kg_per_yr)) if peak is None else peak
    if gap(lo) < 0.0:          # pragma: no cover - the maximum was solved at this rate
        return None
    hi = float(np.log(max(natural, top.rate_kg_per_yr * 1.5)))
    while gap(hi) >= 0.0:                 # the natural rate already reaches it: go faster
        lo, hi = hi, hi + float(np.log(1.5))
        if solves.try_assay(hi) is None:
            return RateAtAssay(withdrawal, assay, float(np.exp(lo)))
    lo, hi = _tightest_bracket(solves.known(lo, hi), target, lo, hi)
    from scipy.optimize import brentq

    try:
        log_rate = brentq(gap, lo, hi, xtol=1e-10, rtol=1e-10)
    except (ValueError, RuntimeError) as err:      # pragma: no cover - brentq on a bracket
        raise ConvergenceError(f"rate for {withdrawal}", str(err)) from err
    return RateAtAssay(withdrawal, assay, float(np.exp(log_rate)))


def _curve(network, withdrawal: str, maximum: MaxAssay | None
           ) -> tuple[_Solves, float | None]:
    """The solves of ``maximum`` and the log of its rate when it was found on this network's
    withdrawal, else new solves (and None)."""
    found = None if maximum is None else maximum._found
    if found is not None and found[0].network is network and found[0].withdrawal == withdrawal:
        return found
    return _Solves(network, withdrawal), None


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


def _slowest_feasible(solves: _Solves, feed: float) -> float | None:
    """Log of the slowest withdrawal rate, from 1e-6 of the feed up, that the solver can run
    (close to total reflux a closed recycle loop can defeat it); None if none can."""
    for share in (_SMALLEST_SHARE, 1e-4, 1e-3, 1e-2, 3e-2):
        x = float(np.log(share * feed))
        if solves.try_assay(x) is not None:
            return x
    return None


_WEAPON_GRADE = Assay(np.asarray(WEAPON_GRADE_ASSAY))


def months_to_one_sq(network, withdrawal: str, assay: Assay = _WEAPON_GRADE, *,
                     maximum: MaxAssay | None = None) -> float:
    """Months for ``withdrawal`` to yield one significant quantity (25 kg U-235) of uranium at
    ``assay`` (default 90 %), withdrawing at the fastest rate that gives that assay; ``inf`` if
    the configuration cannot reach it. ``maximum`` as in :func:`rate_for_assay`."""
    found = rate_for_assay(network, withdrawal, assay, maximum=maximum)
    return float("inf") if found is None else found.months_to_significant_quantity
