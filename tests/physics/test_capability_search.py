"""The searches behind the capability figures give the answers of a dense reference search, to
the tolerance each states, in fewer network solves.

The maximum assay is refined to 1e-4 in the log of the withdrawal rate and the rate at a target
assay to 1e-10 (absolute and relative, in the log rate). The references below search the same
curve the long way: a bounded scalar minimisation (scipy) between the grid neighbours of the best
grid point, a fine scan, and Brent's root finder (scipy) on the bracket from the rate of the
maximum to the natural rate, every solve cold. Analytic curves (a stand-in network whose product
assay is a known function of the withdrawal rate) check many shapes cheaply; designed cascades
and the Fordow pipings check the real thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConvergenceError
from enrichwatch.physics import capability
from enrichwatch.physics.capability import (
    LIMIT_LABEL,
    maximum_assay,
    maximum_assay_batch,
    rate_for_assay,
    rate_for_assay_batch,
)
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from tests.physics.designed_plants import designed_network

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU20 = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
XATOL = 1e-4                                  # the maximum's tolerance in the log rate
SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def logit(a: float) -> float:
    return float(np.log(a / (1.0 - a)))


# -- a stand-in network: the product assay a known function of the withdrawal rate ----------
@dataclass(frozen=True)
class _Stream:
    rate_kg_per_yr: float
    assay: float

    @property
    def composition(self):
        return self

    def fraction(self, isotope: str) -> float:
        assert isotope == "U235"
        return self.assay


@dataclass(frozen=True)
class _State:
    withdrawals: dict


@dataclass(frozen=True)
class _Feed:
    rate_kg_per_yr: float


class Curve:
    """A network with one product withdrawal ``P.product`` whose assay at rate ``r`` has the
    log-odds ``top - slope * d**2 * (1 + skew * tanh(d))``, ``d = log r - peak``: one maximum,
    at ``peak``, lopsided by ``skew``; rates from ``limit`` up cannot be run; ``natural`` at the
    design cuts. With ``falling``, the log-odds fall with the rate all the way instead. Counts
    its solves by rate."""

    withdrawal_names = ("P.product", "P.tails")

    def __init__(self, top, peak, slope, skew, natural, feed, limit=np.inf, falling=False):
        self.top, self.peak, self.slope, self.skew = top, peak, slope, skew
        self.natural, self.limit, self.falling = natural, limit, falling
        self.feeds = (_Feed(feed),)
        self.solves: Counter = Counter()

    def log_odds(self, x: float) -> float:
        if self.falling:
            return self.top - self.slope * x
        d = x - self.peak
        return self.top - self.slope * d * d * (1.0 + self.skew * np.tanh(d))

    def assay(self, rate: float) -> float:
        return float(1.0 / (1.0 + np.exp(-self.log_odds(float(np.log(rate))))))

    def solve(self, withdrawal_rates=None, *, start=None):
        rate = self.natural if not withdrawal_rates else withdrawal_rates["P.product"]
        self.solves[rate] += 1
        if rate >= self.limit:
            raise ConvergenceError("curve", f"no convergence at {rate}")
        return _State({"P.product": _Stream(rate, self.assay(rate)),
                       "P.tails": _Stream(1.0, 0.01)})


curves = st.builds(Curve, top=st.floats(1.0, 5.0), peak=st.floats(-1.0, 3.5),
                   slope=st.floats(0.02, 0.6), skew=st.floats(-0.9, 0.9),
                   natural=st.floats(5.0, 40.0), feed=st.floats(50.0, 200.0))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(curve=curves)
def test_the_maximum_of_an_analytic_curve_is_the_reference_maximum(curve):
    """The highest assay is at ``peak`` (inside the scan, or beyond the natural rate where
    the scan goes on while the assay rises): found to the stated tolerance."""
    top = maximum_assay(curve, "P.product")
    assert not top.monotonic
    tol = SQRT_EPS * abs(curve.peak) + XATOL / 3.0
    # the search stops within 2 tol of both ends of a bracket that holds the maximum
    assert abs(np.log(top.rate_kg_per_yr) - curve.peak) <= 2.0 * tol
    best = curve.assay(float(np.exp(curve.peak)))
    assert float(top.assay.mass_fraction) == pytest.approx(best, rel=1e-9)
    assert float(top.assay.mass_fraction) >= max(a for _, a in top.grid)
    assert float(top.assay.mass_fraction) == curve.assay(top.rate_kg_per_yr)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(curve=curves, drop=st.floats(0.01, 20.0))
def test_the_rate_at_an_assay_of_an_analytic_curve_is_the_reference_root(curve, drop):
    """The fastest rate at a target ``drop`` below the top log-odds: the one root above the
    peak, as Brent's root finder finds it on a wide bracket."""
    top = maximum_assay(curve, "P.product")
    target = curve.top - drop
    found = rate_for_assay(curve, "P.product", Assay(np.asarray(1.0 / (1.0 + np.exp(-target)))),
                           maximum=top)
    x_ref = brentq(lambda x: curve.log_odds(x) - target, curve.peak, curve.peak + 60.0,
                   xtol=1e-10, rtol=1e-10)
    assert found is not None
    # each within one bracket width (xtol + rtol |x|) of the root
    assert abs(np.log(found.rate_kg_per_yr) - x_ref) <= 2.0 * (1e-10 + 1e-10 * abs(x_ref))
    assert max(curve.solves.values()) == 1        # no rate solved twice for the two figures


def test_a_monotone_curve_needs_no_refinement():
    """Falling with the rate all the way: the figure is the assay at the slowest rate, and the
    scan solves only the grid and the design setting (the natural rate is the grid's end)."""
    curve = Curve(3.0, 0.0, 0.5, 0.0, 20.0, 100.0, falling=True)
    top = maximum_assay(curve, "P.product", points=16)
    assert top.monotonic and top.label == LIMIT_LABEL
    assert top.assay.mass_fraction == top.grid[0][1]
    assert top.rate_kg_per_yr == top.slowest_rate_kg_per_yr
    assert sum(curve.solves.values()) == 16 and max(curve.solves.values()) == 1


def test_a_rate_that_cannot_be_run_is_tried_once():
    curve = Curve(3.0, np.log(40.0), 0.2, 0.0, 20.0, 100.0, limit=30.0)
    top = maximum_assay(curve, "P.product")
    assert not top.monotonic and top.rate_kg_per_yr < 30.0
    solves = capability._Curve(curve, "P.product")
    x = float(np.log(35.0))
    capability._solve([(solves, x)])
    capability._solve([(solves, x), (solves, x)])
    with pytest.raises(ConvergenceError, match="no convergence at 3[45]"):
        raise solves.assay(x)
    assert curve.solves[float(np.exp(x))] == 1


class TwoBumps(Curve):
    """Log-odds with a high narrow bump at log rate -9 (between the two slowest rates of the
    scan) and a lower one at 0 (so the scan is not monotonic)."""

    def log_odds(self, x: float) -> float:
        return -2.0 + 5.0 * np.exp(-(x + 9.0) ** 2 / 0.5) + 2.0 * np.exp(-x * x / 2.0)


def test_a_maximum_at_the_slow_end_of_the_scan_is_refined_towards_it():
    """The best grid point is the slowest rate, the curve rising again later: the golden
    section towards the next rate is higher, so the maximum between them is refined, and
    agrees with scipy's bounded method between the same two rates."""
    curve = TwoBumps(0.0, 0.0, 0.0, 0.0, 20.0, 100.0)
    top = maximum_assay(curve, "P.product")
    grid = [float(np.log(r)) for r, _ in top.grid]
    assert not top.monotonic and grid[0] < -9.0 < grid[1]
    assert int(np.argmax([a for _, a in top.grid])) == 0
    ref = minimize_scalar(lambda x: -curve.assay(float(np.exp(x))), bounds=(grid[0], grid[1]),
                          method="bounded", options={"xatol": XATOL})
    tol = SQRT_EPS * 9.0 + XATOL / 3.0
    assert abs(np.log(top.rate_kg_per_yr) + 9.0) <= 2.0 * tol
    assert abs(float(ref.x) + 9.0) <= 2.0 * tol
    assert float(top.assay.mass_fraction) > top.grid[0][1]


def test_a_maximum_of_another_network_lends_no_solves():
    first = Curve(3.0, 1.0, 0.5, 0.2, 20.0, 100.0)
    second = Curve(3.0, 1.0, 0.5, 0.2, 20.0, 100.0)
    top = maximum_assay(first, "P.product")
    target = Assay(np.asarray(0.5 * (first.assay(20.0) + float(top.assay.mass_fraction))))
    a = rate_for_assay(first, "P.product", target, maximum=top)
    b = rate_for_assay(second, "P.product", target, maximum=top)
    assert b.rate_kg_per_yr == pytest.approx(a.rate_kg_per_yr, rel=1e-9)
    assert second.solves[20.0] == 1                # its own design setting, solved
    assert sum(second.solves.values()) > 2          # and its own root search


# -- the bracket, and the searches of several curves together --------------------------------
def test_the_bracket_is_the_pair_around_a_single_crossing():
    target = logit(0.9)
    known = [(0.0, 0.95), (1.0, 0.93), (2.0, 0.91), (3.0, 0.85), (4.0, 0.6)]
    assert capability._tightest_bracket(known, target, 0.0, 4.0) == (2.0, 3.0)


def test_two_crossings_keep_the_whole_bracket():
    target = logit(0.9)
    known = [(0.0, 0.95), (1.0, 0.85), (2.0, 0.92), (3.0, 0.85)]
    assert capability._tightest_bracket(known, target, 0.0, 3.0) == (0.0, 3.0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(many=st.lists(curves, min_size=2, max_size=5))
def test_maxima_found_together_meet_the_tolerance_of_scipys_bounded_method(many):
    """The refinements of several curves run as one find_minimum stop where scipy's bounded
    method (xatol 1e-4) run alone on each between the same grid points does: the best point
    within 2 tol of both ends of a bracket holding the maximum, so both are within that of
    it; and each curve's figures are those of its search alone."""
    tops = maximum_assay_batch([(c, "P.product") for c in many])
    for curve, top in zip(many, tops, strict=True):
        grid = [float(np.log(r)) for r, _ in top.grid]
        i = int(np.argmax([a for _, a in top.grid]))
        ref = minimize_scalar(lambda x, c=curve: -c.assay(float(np.exp(x))),
                              bounds=(grid[i - 1], grid[i + 1]), method="bounded",
                              options={"xatol": XATOL})
        tol = SQRT_EPS * abs(curve.peak) + XATOL / 3.0
        assert abs(np.log(top.rate_kg_per_yr) - curve.peak) <= 2.0 * tol
        assert abs(float(ref.x) - curve.peak) <= 2.0 * tol
        assert float(top.assay.mass_fraction) == pytest.approx(-float(ref.fun), rel=1e-9)
        assert top == maximum_assay(curve, "P.product")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(many=st.lists(st.tuples(curves, st.floats(0.01, 20.0)), min_size=2, max_size=5))
def test_roots_found_together_meet_the_tolerance_of_scipys_brentq(many):
    """The root searches of several curves run as one find_root stop where scipy's brentq
    (xtol = rtol = 1e-10) run alone on each does: within one bracket width of the root; and
    each curve's rate is that of its search alone."""
    def target(curve, drop):
        return Assay(np.asarray(1.0 / (1.0 + np.exp(-(curve.top - drop)))))

    found = rate_for_assay_batch([(c, "P.product", target(c, drop), None) for c, drop in many])
    for (curve, drop), rate in zip(many, found, strict=True):
        x_ref = brentq(lambda x, c=curve, t=curve.top - drop: c.log_odds(x) - t, curve.peak,
                       curve.peak + 60.0, xtol=1e-10, rtol=1e-10)
        assert rate is not None
        assert abs(np.log(rate.rate_kg_per_yr) - x_ref) <= 2.0 * (1e-10 + 1e-10 * abs(x_ref))
        assert rate == rate_for_assay(curve, "P.product", target(curve, drop))


# -- real plants against the reference search -------------------------------------------------
class Cold(Network):
    """The same network with every solve cold (the reference: no warm starts, no memo)."""

    def solve(self, withdrawal_rates=None, *, start=None):
        return super().solve(withdrawal_rates)


def _reference(net, withdrawal, target_pct):
    """Maximum (log rate, assay) by the old refinement and the rate at the target by Brent's
    root finder on the old bracket, on ``net`` solved cold."""
    cold = Cold(net.cascades.values(), net.links, net.feeds)

    def assay(x):
        state = cold.solve({withdrawal: float(np.exp(x))})
        return float(state.withdrawals[withdrawal].composition.fraction("U235"))
    top = maximum_assay(cold, withdrawal)
    grid = [float(np.log(r)) for r, _ in top.grid]
    i = int(np.argmax([a for _, a in top.grid]))
    res = minimize_scalar(lambda x: -assay(x), bounds=(grid[i - 1], grid[i + 1]),
                          method="bounded", options={"xatol": XATOL})
    natural = cold.solve().withdrawals[withdrawal].rate_kg_per_yr
    x_top = float(res.x)
    target = logit(target_pct / 100.0)
    if -res.fun < target_pct / 100.0:
        return x_top, -float(res.fun), None
    hi = float(np.log(max(natural, np.exp(x_top) * 1.5)))
    x_rate = brentq(lambda x: logit(assay(x)) - target, x_top, hi, xtol=1e-10, rtol=1e-10)
    return x_top, -float(res.fun), x_rate


def _check_against_reference(net, withdrawal, target_pct):
    x_top, a_top, x_rate = _reference(net, withdrawal, target_pct)
    top = maximum_assay(net, withdrawal)
    tol = SQRT_EPS * abs(x_top) + XATOL / 3.0
    assert abs(np.log(top.rate_kg_per_yr) - x_top) <= 4.0 * tol     # each within 2 tol
    assert float(top.assay.mass_fraction) == pytest.approx(a_top, rel=1e-9)
    found = rate_for_assay(net, withdrawal, W(target_pct), maximum=top)
    if x_rate is None:
        assert found is None
        return
    assert found is not None
    assert np.log(found.rate_kg_per_yr) == pytest.approx(x_rate, rel=4e-10, abs=4e-10)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(gamma=st.floats(1.25, 1.55), swu=st.floats(2.0, 8.0), product=st.floats(35.0, 65.0),
       machines=st.integers(60, 200), feed_share=st.floats(0.6, 1.4),
       target=st.floats(0.2, 0.95))
def test_designed_cascades_agree_with_the_reference_search(gamma, swu, product, machines,
                                                           feed_share, target):
    net = designed_network(gamma, swu, product, machines, feed_share)
    if net is None:                            # fewer machines than stages: not a plant
        return
    natural = net.solve().withdrawals["C.product"].assay.weight_percent
    top = maximum_assay(net, "C.product").weight_percent
    _check_against_reference(net, "C.product", natural + target * (top - natural))


@pytest.mark.parametrize("stage", [None, 7])
@pytest.mark.parametrize("target_pct", [83.7, 90.0])
def test_the_fordow_pipings_agree_with_the_reference_search(stage, target_pct):
    leu = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U238": 94.96})
    a = design_cascade(IR6, leu, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(50.0), W(5.0), total_machines=166, name="B")
    net = Network([a, b], [Link("A", "product", "B", stage=stage), Link("B", "tails", "A")],
                  [ExternalFeed("feed", "A", leu, 123.3 * 12)])
    _check_against_reference(net, "B.product", target_pct)
