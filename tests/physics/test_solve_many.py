"""solve_many (issue 14): many steady states solved together over the union of their networks
give the states the solves one by one give (to rounding: the tests ask 1e-12), after the same
Newton iterations; a request that leaves the common path is solved alone and answers (or
fails) as its solve does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.errors import ConvergenceError, MassError, UnknownNameError
from enrichwatch.facility import load_facility
from enrichwatch.facility.solve import MemoNetwork
from enrichwatch.physics import steady_state as ss
from enrichwatch.physics.network import Network, NetworkState
from enrichwatch.physics.network_batch import solve_many
from enrichwatch.physics.variants import settings as variant_settings
from enrichwatch.physics.variants import vary
from tests.physics.designed_plants import designed_network

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"
_TOL = 1e-12


@pytest.fixture(scope="module")
def fordow() -> list[Network]:
    """The observed Fordow plant at its 9 settings (three stage layouts: 25, 32, 39 stages)."""
    net = load_facility(ROOT / "observed.toml").to_network()
    return [vary(net, s) for s in variant_settings(net)]


def _alone(network, rates, start):
    try:
        return network.solve(rates) if rates is None else network.solve(rates, start=start)
    except (ConvergenceError, ValueError) as err:
        return err


def _same(batched, alone) -> None:
    """The same answer: the same error, or every withdrawal's isotope flows to 1e-12 after
    the same Newton iterations, and the same cut shifts."""
    if isinstance(alone, Exception):
        assert type(batched) is type(alone) and str(batched) == str(alone)
        return
    assert isinstance(batched, NetworkState)
    assert batched.newton_iterations == alone.newton_iterations
    assert batched.withdrawals.keys() == alone.withdrawals.keys()
    for name, stream in alone.withdrawals.items():
        np.testing.assert_allclose(
            [batched.withdrawals[name].isotope_kg_per_yr[i] for i in alone.isotopes],
            [stream.isotope_kg_per_yr[i] for i in alone.isotopes], rtol=_TOL, atol=0.0)
    assert batched.cut_shifts.keys() == alone.cut_shifts.keys()
    for name, shift in alone.cut_shifts.items():
        assert batched.cut_shifts[name] == pytest.approx(shift, rel=_TOL, abs=_TOL)
    np.testing.assert_allclose(batched.log_ratio, alone.log_ratio, rtol=0.0, atol=1e-10)


def _natural(network: Network, withdrawal: str) -> float:
    return network.solve().withdrawals[withdrawal].rate_kg_per_yr


def test_the_settings_of_a_plant_together_are_the_solves_one_by_one(fordow):
    """Networks of three layouts in one batch, rates imposed or not, warm and cold starts."""
    requests = []
    for net in fordow:
        natural = _natural(net, "B.product")
        start = net.solve({"B.product": 0.5 * natural})
        requests += [(net, {"B.product": 0.55 * natural}, start),
                     (net, {"B.product": 0.2 * natural}, start),
                     (net, {"B.product": 0.9 * natural}, None), (net, None, None)]
    for found, request in zip(solve_many(requests), requests, strict=True):
        _same(found, _alone(*request))


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(plants=st.lists(st.tuples(st.floats(1.25, 1.55), st.floats(2.0, 8.0),
                                 st.floats(35.0, 65.0), st.integers(60, 200),
                                 st.floats(0.6, 1.4), st.floats(0.05, 1.5),
                                 st.booleans()), min_size=2, max_size=5))
def test_random_designed_plants_together_are_the_solves_one_by_one(plants):
    """Any mix of designed one-cascade plants (their own stage counts and isotopes), each at
    a product rate (a share of its natural rate, from a neighbouring start or cold)."""
    requests = []
    for gamma, swu, product, machines, feed_share, share, warm in plants:
        net = designed_network(gamma, swu, product, machines, feed_share)
        if net is None:                            # fewer machines than stages: not a plant
            continue
        natural = _natural(net, "C.product")
        start = net.solve({"C.product": 0.9 * share * natural}) if warm else None
        requests.append((net, {"C.product": share * natural}, start))
    for found, request in zip(solve_many(requests), requests, strict=True):
        _same(found, _alone(*request))


def test_a_rate_that_cannot_be_run_fails_as_alone(fordow):
    """A rate no cut setting gives, one beyond the feed, an unknown withdrawal: each is the
    error its solve raises, and the others in the batch are still solved."""
    net = fordow[0]
    natural = _natural(net, "B.product")
    feed = sum(f.rate_kg_per_yr for f in net.feeds)
    requests = [(net, {"B.product": 0.5 * natural}, None),
                (net, {"B.product": 0.999 * feed}, None),
                (net, {"B.product": 2.0 * feed}, None),
                (net, {"X.product": 1.0}, None),
                (fordow[1], {"B.product": 0.4 * natural}, None)]
    found = solve_many(requests)
    for batched, request in zip(found, requests, strict=True):
        _same(batched, _alone(*request))
    assert isinstance(found[0], NetworkState) and isinstance(found[4], NetworkState)
    assert isinstance(found[1], ConvergenceError | ValueError)
    assert isinstance(found[2], MassError) and isinstance(found[3], UnknownNameError)


def test_a_memo_answers_and_keeps(fordow):
    memo = MemoNetwork.of(fordow[0])
    natural = _natural(memo, "B.product")
    first = memo.solve({"B.product": 0.5 * natural})
    other = MemoNetwork.of(fordow[2])
    found = solve_many([(memo, {"B.product": 0.5 * natural}, None),
                        (memo, {"B.product": 0.6 * natural}, first),
                        (other, {"B.product": 0.6 * natural}, None)])
    assert found[0] is first                                  # from the memo
    assert memo.solve({"B.product": 0.6 * natural}) is found[1]   # kept
    assert other.solve({"B.product": 0.6 * natural}) is found[2]


def test_a_network_with_its_own_solve_is_asked_itself(fordow):
    calls = []

    class Counted(Network):
        def solve(self, withdrawal_rates=None, *, start=None):
            calls.append(withdrawal_rates)
            return super().solve(withdrawal_rates, start=start)

    base = fordow[0]
    net = Counted(base.cascades.values(), base.links, base.feeds)
    natural = _natural(base, "B.product")
    found = solve_many([(net, {"B.product": 0.5 * natural}, None),
                        (base, {"B.product": 0.5 * natural}, None),
                        (base, {"B.product": 0.6 * natural}, None)])
    assert calls == [{"B.product": 0.5 * natural}]
    _same(found[0], found[1])


def test_the_stack_is_as_wide_as_its_widest_member(fordow):
    graphs = tuple(net.graph for net in fordow)
    batch = ss.batch_graph(graphs, 3)
    assert batch is not None and batch.size == len(fordow)
    assert batch.graph.n_stages == sum(g.n_stages for g in graphs)
    stacked = batch.graph.systems(3)
    for pattern in ("components", "newton"):
        widths = [(getattr(g.systems(3), pattern).lower, getattr(g.systems(3), pattern).upper)
                  for g in graphs]
        assert (getattr(stacked, pattern).lower, getattr(stacked, pattern).upper) == \
            tuple(max(w) for w in zip(*widths, strict=True))
    assert ss.batch_graph(graphs, 3) is batch                 # kept
