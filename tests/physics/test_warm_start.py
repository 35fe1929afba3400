"""Warm starts: a network solve started from a neighbouring solved state meets the same
convergence tests as a cold start, so it gives the same state to the solver tolerance, in
fewer Newton iterations; a start that cannot be used is refused or ignored, never trusted."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import InputTypeError
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.capability import maximum_assay, rate_for_assay
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network, NetworkState

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02, "U238": 94.94})
LEU20 = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
_TOL = 1e-9       # the task's bound on warm/cold differences (observed ~1e-12)


@pytest.fixture(scope="module")
def pair():
    """Two cascades with recycle (the Fordow-like layout of the evaluation)."""
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(60.0), W(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    return Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)


def _same(warm: NetworkState, cold: NetworkState) -> None:
    assert warm.withdrawals.keys() == cold.withdrawals.keys()
    for name, stream in cold.withdrawals.items():
        np.testing.assert_allclose([warm.withdrawals[name].isotope_kg_per_yr[i]
                                    for i in cold.isotopes],
                                   [stream.isotope_kg_per_yr[i] for i in cold.isotopes],
                                   rtol=_TOL, atol=0.0)
    for name in cold.cascades:
        np.testing.assert_allclose(warm.cascades[name].stage_feed, cold.cascades[name].stage_feed,
                                   rtol=_TOL)


@settings(max_examples=15, deadline=None)
@given(st.floats(-3.0, 0.0), st.floats(-0.7, 0.7))
def test_a_warm_start_gives_the_cold_answer(pair, log_share, step):
    natural = pair.solve().withdrawals["B.product"].rate_kg_per_yr
    rate = natural * 10.0 ** log_share
    neighbour = pair.solve({"B.product": rate * np.exp(step)})
    cold = pair.solve({"B.product": rate})
    warm = pair.solve({"B.product": rate}, start=neighbour)
    _same(warm, cold)
    assert warm.cut_shifts["B"] == pytest.approx(cold.cut_shifts["B"], abs=1e-12)


def test_a_warm_start_takes_fewer_newton_iterations(pair):
    natural = pair.solve().withdrawals["B.product"].rate_kg_per_yr
    neighbour = pair.solve({"B.product": 0.30 * natural})
    cold = pair.solve({"B.product": 0.31 * natural})
    warm = pair.solve({"B.product": 0.31 * natural}, start=neighbour)
    assert warm.newton_iterations < cold.newton_iterations
    _same(warm, cold)


def test_the_design_state_is_a_start_for_an_imposed_rate(pair):
    design = pair.solve()
    assert design.cut_shifts == {}
    rate = 0.9 * design.withdrawals["B.product"].rate_kg_per_yr
    _same(pair.solve({"B.product": rate}, start=design), pair.solve({"B.product": rate}))


def test_a_start_that_is_not_a_state_is_refused(pair):
    with pytest.raises(InputTypeError, match="start"):
        pair.solve(start=np.zeros(3))


def test_a_start_of_another_layout_is_ignored(pair):
    """``log_ratio`` of the wrong length: the solve starts cold (same answer as without)."""
    small = design_cascade(IR6, LEU20, W(60.0), W(5.0), total_machines=166, name="B")
    other = Network([small], feeds=[ExternalFeed("f", "B", LEU20, small.design.feed_kg_per_yr)])
    foreign = other.solve()
    assert len(foreign.log_ratio) != sum(c.n_stages for c in pair.cascades.values())
    _same(pair.solve(start=foreign), pair.solve())


def test_a_warm_start_that_does_not_converge_is_retried_cold(pair):
    """A start that sends Newton astray (here: absurd ratios) costs a cold solve, not a
    failure."""
    design = pair.solve()
    bad = NetworkState(design.cascades, design.withdrawals, design.feeds, design.isotopes,
                       design.newton_iterations, np.full(len(design.log_ratio), 700.0), {})
    _same(pair.solve(start=bad), design)


def test_start_of_solve_compositions_is_checked_for_shape_and_finiteness(pair):
    assert ss._start(None, 3).tolist() == [0.0, 0.0, 0.0]
    assert ss._start(np.array([1.0, 2.0]), 3).tolist() == [0.0, 0.0, 0.0]
    assert ss._start(np.array([1.0, np.nan, 2.0]), 3).tolist() == [0.0, 0.0, 0.0]
    given_start = np.array([1.0, 2.0, 3.0])
    started = ss._start(given_start, 3)
    assert started.tolist() == [1.0, 2.0, 3.0] and started is not given_start


def test_capability_figures_match_cold_solves(pair):
    """The scans (warm inside) against the same scans with every solve cold."""

    class Cold(Network):
        def solve(self, withdrawal_rates=None, *, start=None):
            return super().solve(withdrawal_rates)

    cold = Cold(pair.cascades.values(), pair.links, pair.feeds)
    warm_top, cold_top = maximum_assay(pair, "B.product"), maximum_assay(cold, "B.product")
    np.testing.assert_allclose(np.array(warm_top.grid), np.array(cold_top.grid), rtol=_TOL)
    assert warm_top.rate_kg_per_yr == pytest.approx(cold_top.rate_kg_per_yr, rel=_TOL)
    target = W(0.5 * (100 * float(cold_top.assay.mass_fraction) + 60.0))
    warm_rate = rate_for_assay(pair, "B.product", target).rate_kg_per_yr
    cold_rate = rate_for_assay(cold, "B.product", target).rate_kg_per_yr
    assert warm_rate == pytest.approx(cold_rate, rel=_TOL)


def test_a_solved_network_pickles_and_solves_the_same(pair):
    """The SuperLU patterns keep per-thread matrices; a pickled network (as sent to a worker
    process) drops them and builds them again."""
    import pickle

    state = pair.solve({"B.product": 1.0})
    copy = pickle.loads(pickle.dumps(pair))
    _same(copy.solve({"B.product": 1.0}), state)
