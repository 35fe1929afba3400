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
networks in step (the settings of a plant's uncertain inputs): each round, the solves that all
of them ask for are one batch (:func:`~enrichwatch.physics.network.solve_many`), which costs
much less than the solves one by one; the figures agree with the searches alone to the
tolerances these state.

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
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np

from ..composition import Assay, require_assay
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


class _Solves:
    """The solves of one withdrawal of one network over its withdrawal rate: the assay at every
    log rate asked (kept, with the failures: each rate is solved once per curve, and a plain
    :class:`~enrichwatch.physics.network.Network` gains what a memo of its solves would give),
    each solve started from the solved state at the nearest log rate, its stage unknowns
    interpolated through the nearest solved states (a warm start: the answers meet the same
    convergence tests as cold starts, so they agree with them to the solver tolerance, in
    fewer Newton iterations). Deterministic: the order of the requests fixes every start. A
    :class:`MaxAssay` keeps the curve it was found on, so that a :func:`rate_for_assay` given
    it brackets its root between rates already solved.

    The searches below are generators run by a driver (:func:`_run_alone`,
    :func:`_run_together`): each yields a list of ``(solves, log rate)`` requests (a log rate
    of None asks for the design setting) and is resumed once the driver has solved and
    recorded them (``record``); it then reads the assays (``ask``). So the searches of several
    settings can be solved together (:func:`~enrichwatch.physics.network.solve_many`)."""

    def __init__(self, network, withdrawal: str) -> None:
        self.network, self.withdrawal = network, withdrawal
        self._xs: list[float] = []               # the log rates solved, in order,
        self._states: list[object] = []          # and their states
        self._assays: dict[float, float | Exception] = {}
        self._natural: float | Exception | None = None

    # -- what the driver solves --------------------------------------------------------------
    def request(self, x: float | None) -> tuple[dict[str, float] | None, object]:
        """The withdrawal rates and the start of the solve at log rate ``x`` (None: the
        design setting, no rate imposed, no start)."""
        if x is None:
            return None, None
        return {self.withdrawal: float(np.exp(x))}, self._start(x)

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
        return replace(first, log_ratio=guess)

    def record(self, x: float | None, found) -> None:
        """Keep the state (or the error) solved at log rate ``x`` (None: the design setting)."""
        if x is None:
            self._record_design(found)
        elif isinstance(found, Exception):
            self._assays[x] = found
        else:
            self._keep(x, found)
            self._assays[x] = float(found.withdrawals[self.withdrawal].composition
                                    .fraction("U235"))

    def _keep(self, x: float, state) -> None:
        at = bisect.bisect_left(self._xs, x)
        self._xs.insert(at, x)
        self._states.insert(at, state)

    def _record_design(self, found) -> None:
        if isinstance(found, Exception):
            self._natural = found
            return
        stream = found.withdrawals[self.withdrawal]
        rate = stream.rate_kg_per_yr
        if rate > 0.0:
            x = float(np.log(rate))
            self._keep(x, found)
            if stream.composition is not None:
                self._assays.setdefault(x, float(stream.composition.fraction("U235")))
        self._natural = rate

    # -- what the searches ask ---------------------------------------------------------------
    def ask(self, x: float):
        """Generator: the U-235 mass fraction of the withdrawal at the log rate ``x`` (rate in
        kg U/yr); raises as :meth:`Network.solve <enrichwatch.physics.network.Network.solve>`
        (again for a rate that failed before)."""
        x = float(x)
        if x not in self._assays:
            yield [(self, x)]
        found = self._assays[x]
        if isinstance(found, Exception):
            raise found
        return found

    def try_ask(self, x: float):
        """Generator: :meth:`ask`, None where the rate cannot be run (its cascade's cuts cannot
        deliver it, or the solve does not converge)."""
        x = float(x)
        if x not in self._assays:
            yield [(self, x)]
        found = self._assays[x]
        return None if isinstance(found, Exception) else found

    def ask_some(self, xs):
        """Generator: the log rates of ``xs`` not solved yet, asked together (their assays are
        then read with :meth:`ask` or :meth:`try_ask`)."""
        todo = [(self, x) for x in dict.fromkeys(float(x) for x in xs) if x not in self._assays]
        if todo:
            yield todo

    def design_steps(self):
        """Generator: the withdrawal's rate at the design cuts [kg U/yr] (solved once), its
        state kept as a start and as the state at that rate: imposing the rate the design cuts
        give leaves every cut where it is (no shift), so the scan does not solve that state
        again. Raises as the design solve does."""
        if self._natural is None:
            yield [(self, None)]
        if isinstance(self._natural, Exception):
            raise self._natural
        return self._natural

    # -- the same, one solve at a time -------------------------------------------------------
    def assay(self, x: float) -> float:
        """:meth:`ask`, solved on the spot."""
        return _run_alone(self.ask(x))

    def try_assay(self, x: float) -> float | None:
        """:meth:`try_ask`, solved on the spot."""
        return _run_alone(self.try_ask(x))

    def known(self, lo: float, hi: float) -> list[tuple[float, float]]:
        """The log rates in ``[lo, hi]`` solved so far, with their assays, in order."""
        return sorted((x, a) for x, a in self._assays.items()
                      if lo <= x <= hi and not isinstance(a, Exception))

    def design(self) -> float:
        """:meth:`design_steps`, solved on the spot."""
        return _run_alone(self.design_steps())


_SOLVE_ERRORS = (ConvergenceError, ValueError)


def _solve_alone(solves: _Solves, x: float | None):
    """The state at log rate ``x`` of ``solves`` (or the error of its solve)."""
    rates, start = solves.request(x)
    try:
        return solves.network.solve(rates) if rates is None else \
            solves.network.solve(rates, start=start)
    except _SOLVE_ERRORS as err:
        return err


def _run_alone(search):
    """Run one search: a request of one rate solved on its own (``Network.solve``), one of
    several (the scan's pairs of rates) solved together
    (:func:`~enrichwatch.physics.network.solve_many`)."""
    from .network import solve_many

    try:
        request = next(search)
        while True:
            if len(request) == 1:
                solves, x = request[0]
                solves.record(x, _solve_alone(solves, x))
            else:
                calls = [(s.network, *s.request(x)) for s, x in request]
                for (s, x), found in zip(request, solve_many(calls), strict=True):
                    s.record(x, found)
            request = search.send(None)
    except StopIteration as stop:
        return stop.value


def _run_together(searches: list) -> list:
    """Run several searches in step: each round, the requests of every search still running
    are solved together (:func:`~enrichwatch.physics.network.solve_many`: one batch of Newton
    solves), recorded, and every search resumed. The answers are those of :func:`_run_alone`
    for each search on its own, to the solver tolerance (the starts are the same); a search
    that raises gives its error (ConvergenceError or ValueError) as its answer. Deterministic:
    the rounds depend only on the searches."""
    from .network import solve_many

    answers: list = [None] * len(searches)
    pending: dict[int, list] = {}

    def resume(j: int, first: bool) -> None:
        try:
            pending[j] = next(searches[j]) if first else searches[j].send(None)
        except StopIteration as stop:
            answers[j] = stop.value
        except _SOLVE_ERRORS as err:
            answers[j] = err

    for j in range(len(searches)):
        resume(j, True)
    while pending:
        asked = dict.fromkeys((id(s), x) for request in pending.values() for s, x in request)
        owners = {(id(s), x): s for request in pending.values() for s, x in request}
        jobs = [owners[key] for key in asked]
        calls = [(s.network, *s.request(x)) for s, (_, x) in zip(jobs, asked, strict=True)]
        for s, (_, x), found in zip(jobs, asked, solve_many(calls), strict=True):
            s.record(x, found)
        running = list(pending)
        pending.clear()
        for j in running:
            resume(j, False)
    return answers


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
    return _run_alone(_maximum_steps(network, withdrawal, points))


def maximum_assay_batch(jobs) -> list:
    """:func:`maximum_assay` of every ``(network, withdrawal)`` of ``jobs``, the searches run
    together (each round of their solves one batch: :func:`~enrichwatch.physics.network.
    solve_many`). Each answer is a :class:`MaxAssay` or the error :func:`maximum_assay`
    raises for that job (a ConvergenceError or ValueError, returned, not raised); the answers
    agree with :func:`maximum_assay`'s to the tolerances it states (their solves start from
    neighbouring states that may differ, so they agree to the solver tolerance)."""
    searches = []
    for network, withdrawal in jobs:
        try:
            _check_product(network, withdrawal)
        except _SOLVE_ERRORS as err:
            searches.append(_failed(err))
            continue
        searches.append(_maximum_steps(network, withdrawal, _GRID_POINTS))
    return _run_together(searches)


def _failed(err: Exception):
    """A search that raises ``err`` at once."""
    raise err
    yield []  # pragma: no cover - makes this a generator


def _maximum_steps(network, withdrawal: str, points: int):
    """Generator: :func:`maximum_assay` (its requests yielded, see :class:`_Solves`)."""
    feed = _check_product(network, withdrawal)
    solves = _Solves(network, withdrawal)
    natural = yield from solves.design_steps()
    return (yield from _scan(solves, feed, natural, points))


def _scan(solves: _Solves, feed: float, natural: float, points: int):
    """Generator: :func:`maximum_assay` once the design setting is solved (``natural``: its
    rate; the design setting is solved first and on its own: when it does not converge, its
    ConvergenceError, naming the network and the setting, is the answer, not a scan of
    withdrawal rates that cannot converge either). The grid is solved from both ends inwards,
    two rates at a time (:func:`_from_both_ends`): each solve starts from its solved
    neighbour, as in a scan from one end, in half as many rounds of a batch (solved all at
    once, the rates would start further apart and take more Newton iterations than that
    saves)."""
    withdrawal = solves.withdrawal
    lo = yield from _slowest_feasible(solves, feed)
    if lo is None:
        raise ConvergenceError(f"slow withdrawal of {withdrawal}",
                               "no slow withdrawal rate could be solved")
    hi = float(np.log(max(natural, np.exp(lo) * 10.0)))
    logs = [float(x) for x in np.linspace(lo, hi, max(points, 4))]
    for pair in _from_both_ends(logs):
        yield from solves.ask_some(pair)
    grid = []
    for x in logs:
        a = yield from solves.try_ask(x)
        if a is not None:
            grid.append((x, a))
    # still rising at the natural rate: go faster until the assay falls or the feed runs out
    while len(grid) >= 2 and grid[-1][1] > grid[-2][1]:
        x = grid[-1][0] + float(np.log(1.5))
        a = (yield from solves.try_ask(x)) if np.exp(x) < feed else None
        if a is None:
            break
        grid.append((x, a))
    if not grid:
        raise ConvergenceError(f"withdrawal scan of {withdrawal}", "no rate could be solved")
    assays = np.array([a for _, a in grid])
    monotonic = bool(np.all(np.diff(assays) <= 1e-12))
    best_x, best_a = grid[0] if monotonic else (yield from _refine(solves, grid))
    slow_x, slow_a = grid[0]
    return MaxAssay(withdrawal, Assay(np.asarray(best_a)), float(np.exp(best_x)), monotonic,
                    float(np.exp(slow_x)), Assay(np.asarray(slow_a)),
                    tuple((float(np.exp(x)), float(a)) for x, a in grid), (solves, best_x))


def _from_both_ends(logs: list[float]) -> list[list[float]]:
    """``logs`` in pairs from both ends inwards: the first and the last, the second and the
    last but one, ..., the middle one alone when their count is odd."""
    pairs, i, j = [], 0, len(logs) - 1
    while i <= j:
        pairs.append([logs[i]] if i == j else [logs[i], logs[j]])
        i, j = i + 1, j - 1
    return pairs


def max_assay(network, withdrawal: str) -> Assay:
    """Highest U-235 assay ``withdrawal`` reaches over its withdrawal rate: the
    :attr:`MaxAssay.assay` of :func:`maximum_assay` (a true maximum, or the limit as the
    withdrawal tends to zero when the assay falls with the rate all the way; see
    :attr:`MaxAssay.label`)."""
    return maximum_assay(network, withdrawal).assay


_XATOL = 1e-4          # tolerance of the maximum in the log of the withdrawal rate


def _refine(solves: _Solves, grid):
    """Generator: the grid's best point, improved by a bounded maximisation between its
    neighbours (to :data:`_XATOL` in the log rate). A best point inside the grid starts the
    search from the three grid points (their assays are known); one at an end of the grid
    (the curve rises or falls there) is searched from scratch, as scipy's bounded method
    starts (a golden section)."""
    i = int(np.argmax([a for _, a in grid]))
    best = grid[i]
    left, right = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if right[0] - left[0] <= 0.0:
        return best

    def negative(log_rate: float):
        a = yield from solves.try_ask(log_rate)
        return 1.0 if a is None else -a

    if 0 < i < len(grid) - 1:
        start = [(best[0], -best[1]), *sorted([(left[0], -left[1]), (right[0], -right[1])],
                                              key=lambda p: p[1])]
    else:                   # from scratch, as scipy's bounded method starts: a golden section
        u = left[0] + _GOLDEN * (right[0] - left[0])
        start = [(u, (yield from negative(u)))] * 3
    x, fx = yield from _evaluated(_minimum_steps(left[0], right[0], start, _XATOL), negative)
    if -fx > best[1]:
        return x, -fx
    return best


def _evaluated(search, f):
    """Generator: run ``search`` (a generator that yields the points it needs and is sent
    their values) with each point evaluated by the generator ``f``; returns what it returns."""
    try:
        x = next(search)
        while True:
            x = search.send((yield from f(x)))
    except StopIteration as stop:
        return stop.value


_GOLDEN = 0.5 * (3.0 - 5.0 ** 0.5)
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def _bounded_minimum(f, a: float, b: float, start: list[tuple[float, float]], xatol: float,
                     max_evaluations: int = 500) -> tuple[float, float]:
    """A local minimum of ``f`` on ``(a, b)``: :func:`_minimum_steps` with ``f`` evaluated at
    each point it asks for. Returns ``(x, f(x))``."""
    search = _minimum_steps(a, b, start, xatol, max_evaluations)
    try:
        u = next(search)
        while True:
            u = search.send(f(u))
    except StopIteration as stop:
        return stop.value


def _minimum_steps(a: float, b: float, start: list[tuple[float, float]], xatol: float,
                   max_evaluations: int = 500):
    """Generator (yields each point ``u`` to evaluate, is sent ``f(u)``): a local minimum of
    ``f`` on ``(a, b)`` by Brent's method (golden sections and parabolic steps, R. P. Brent,
    *Algorithms for Minimization without Derivatives*, 1973, ch. 5), started from three
    points already evaluated.

    The iteration and the stopping test are those of ``scipy.optimize.minimize_scalar(...,
    method="bounded", options={"xatol": xatol})``: it stops when the best point ``x`` is
    within ``2 * tol`` of both ends of the bracket that holds the minimum (``tol = sqrt(eps)
    * |x| + xatol / 3``), so the answer meets the same tolerance. It differs in its start:
    instead of a golden-section point it takes ``start`` = ``[(x, f(x)), (w, f(w)), (v,
    f(v))]`` (the best point, the second best and the third, inside ``[a, b]``; a grid point
    and its two neighbours), so that its first step can be parabolic; three copies of one
    point (a golden section of ``[a, b]``) start it as scipy's method starts.

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
        fu = yield u
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
    return _run_alone(_rate_steps(network, withdrawal, assay, maximum))


def rate_for_assay_batch(jobs) -> list:
    """:func:`rate_for_assay` of every ``(network, withdrawal, assay, maximum)`` of ``jobs``
    (``maximum`` a :class:`MaxAssay` or None), the searches run together as in
    :func:`maximum_assay_batch`. Each answer is a :class:`RateAtAssay`, None (out of reach) or
    the error :func:`rate_for_assay` raises for that job (returned, not raised); the answers
    agree with :func:`rate_for_assay`'s to the tolerance it states."""
    searches = []
    for network, withdrawal, assay, maximum in jobs:
        searches.append(_rate_steps(network, withdrawal, require_assay(assay, "assay"),
                                    maximum))
    return _run_together(searches)


def _rate_steps(network, withdrawal: str, assay: Assay, maximum: MaxAssay | None):
    """Generator: :func:`rate_for_assay` (its requests yielded, see :class:`_Solves`)."""
    feed = _check_product(network, withdrawal)
    solves, peak = _curve(network, withdrawal, maximum)
    natural = yield from solves.design_steps()     # the design setting: failures propagate
    if maximum is None:
        try:
            maximum = yield from _scan(solves, feed, natural, _GRID_POINTS)
        except ConvergenceError:    # no slower withdrawal can be run (e.g. a closed recycle loop)
            return None
        solves, peak = _curve(network, withdrawal, maximum)
    top = maximum
    target = _logit(float(assay.mass_fraction))
    if float(top.assay.mass_fraction) < float(assay.mass_fraction):
        return None

    def gap(log_rate: float):
        return _logit((yield from solves.ask(log_rate))) - target

    lo = float(np.log(top.rate_kg_per_yr)) if peak is None else peak
    if (yield from gap(lo)) < 0.0:          # pragma: no cover - the maximum was solved here
        return None
    hi = float(np.log(max(natural, top.rate_kg_per_yr * 1.5)))
    while (yield from gap(hi)) >= 0.0:     # the natural rate already reaches it: go faster
        lo, hi = hi, hi + float(np.log(1.5))
        if (yield from solves.try_ask(hi)) is None:
            return RateAtAssay(withdrawal, assay, float(np.exp(lo)))
    lo, hi = _tightest_bracket(solves.known(lo, hi), target, lo, hi)
    log_rate = yield from _evaluated(_root_steps(lo, (yield from gap(lo)), hi,
                                                 (yield from gap(hi)), _ROOT_TOL, _ROOT_TOL),
                                     gap)
    if log_rate is None:                   # pragma: no cover - Brent's method on a bracket
        raise ConvergenceError(f"rate for {withdrawal}", "the root search did not converge")
    return RateAtAssay(withdrawal, assay, float(np.exp(log_rate)))


#: Tolerance of the rate at an assay in the log rate, absolute and relative.
_ROOT_TOL = 1e-10


def _root_steps(a: float, fa: float, b: float, fb: float, xtol: float, rtol: float,
                max_iterations: int = 100):
    """Generator (yields each point ``x`` to evaluate, is sent ``f(x)``): a root of ``f`` in
    the bracket ``[a, b]`` (``f(a)``, ``f(b)`` given, of opposite signs or one zero) by Brent's
    method (inverse quadratic interpolation, secant steps and bisection; R. P. Brent,
    *Algorithms for Minimization without Derivatives*, 1973, ch. 4), the iteration of
    ``scipy.optimize.brentq(f, a, b, xtol=xtol, rtol=rtol)``: it stops when the bracket about
    the best point ``x`` is narrower than ``xtol + rtol |x|`` (or ``f(x) = 0``), so the answer
    meets the same tolerance. Returns the root, None after ``max_iterations`` steps."""
    pre, fpre, cur, fcur = a, fa, b, fb
    if fpre == 0.0:
        return pre
    if fcur == 0.0:
        return cur
    if (fpre < 0.0) == (fcur < 0.0):
        return None                                 # not a bracket
    blk, fblk, spre, scur = pre, fpre, 0.0, 0.0
    for _ in range(max_iterations):
        if fpre != 0.0 and fcur != 0.0 and (fpre < 0.0) != (fcur < 0.0):
            blk, fblk = pre, fpre                   # the bracket: [cur, blk]
            spre = scur = cur - pre
        if abs(fblk) < abs(fcur):                   # cur: the better end
            pre, cur, blk = cur, blk, cur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = 0.5 * (xtol + rtol * abs(cur))
        half = 0.5 * (blk - cur)
        if fcur == 0.0 or abs(half) < delta:
            return cur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if pre == blk:                          # secant
                step = -fcur * (cur - pre) / (fcur - fpre)
            else:                                   # inverse quadratic interpolation
                dpre = (fpre - fcur) / (pre - cur)
                dblk = (fblk - fcur) / (blk - cur)
                step = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2.0 * abs(step) < min(abs(spre), 3.0 * abs(half) - delta):
                spre, scur = scur, step             # interpolation accepted
            else:
                spre = scur = half                  # bisection
        else:
            spre = scur = half                      # bisection
        pre, fpre = cur, fcur
        cur += scur if abs(scur) > delta else (delta if half > 0.0 else -delta)
        fcur = yield cur
    return None


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


def _slowest_feasible(solves: _Solves, feed: float):
    """Generator: log of the slowest withdrawal rate, from 1e-6 of the feed up, that the
    solver can run (close to total reflux a closed recycle loop can defeat it); None if none
    can."""
    for share in (_SMALLEST_SHARE, 1e-4, 1e-3, 1e-2, 3e-2):
        x = float(np.log(share * feed))
        if (yield from solves.try_ask(x)) is not None:
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
