"""The capability searches of several networks run together (maximum_assay_batch,
rate_for_assay_batch: each round of their solves one solve_many batch) give the figures of the
searches one by one, to the tolerances the searches state: the maximum to 1e-4 in the log rate
(its assay to 1e-9), the rate at an assay to 1e-10 in the log rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay
from enrichwatch.errors import ConfigurationError
from enrichwatch.facility import load_facility
from enrichwatch.physics.capability import (
    maximum_assay,
    maximum_assay_batch,
    rate_for_assay,
    rate_for_assay_batch,
)
from enrichwatch.physics.variants import settings as variant_settings
from enrichwatch.physics.variants import vary
from tests.physics.designed_plants import designed_network

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"
W = Assay.from_weight_percent
XATOL = 1e-4
SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def _same_maximum(batched, alone) -> None:
    assert batched.monotonic == alone.monotonic
    tol = SQRT_EPS * abs(np.log(alone.rate_kg_per_yr)) + XATOL / 3.0
    # each within 2 tol of the maximum (of one curve, solved from other starts)
    assert abs(np.log(batched.rate_kg_per_yr) - np.log(alone.rate_kg_per_yr)) <= 4.0 * tol
    assert float(batched.assay.mass_fraction) == pytest.approx(
        float(alone.assay.mass_fraction), rel=1e-9)
    np.testing.assert_allclose(batched.grid, alone.grid, rtol=1e-9)


def _same_rate(batched, alone) -> None:
    if alone is None:
        assert batched is None
        return
    assert np.log(batched.rate_kg_per_yr) == pytest.approx(np.log(alone.rate_kg_per_yr),
                                                           rel=4e-10, abs=4e-10)


@pytest.fixture(scope="module")
def fordow():
    net = load_facility(ROOT / "observed.toml").to_network()
    return [vary(net, s) for s in variant_settings(net)]


@pytest.mark.parametrize("target", [83.7, 90.0])
def test_the_settings_of_the_fordow_plant_together_are_the_searches_one_by_one(fordow,
                                                                               target):
    tops = maximum_assay_batch([(net, "B.product") for net in fordow])
    for net, top in zip(fordow, tops, strict=True):
        _same_maximum(top, maximum_assay(net, "B.product"))
    rates = rate_for_assay_batch([(net, "B.product", W(target), top)
                                  for net, top in zip(fordow, tops, strict=True)])
    for net, top, rate in zip(fordow, tops, rates, strict=True):
        alone = rate_for_assay(net, "B.product", W(target), maximum=maximum_assay(
            net, "B.product"))
        _same_rate(rate, alone)
        if rate is not None:                            # the target, at the rate found
            state = net.solve({"B.product": rate.rate_kg_per_yr})
            assert state.withdrawals["B.product"].assay.weight_percent == pytest.approx(
                target, rel=1e-8)
        else:
            assert top.weight_percent < target


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(plants=st.lists(st.tuples(st.floats(1.25, 1.55), st.floats(2.0, 8.0),
                                 st.floats(35.0, 65.0), st.integers(60, 200),
                                 st.floats(0.6, 1.4)), min_size=2, max_size=4),
       share=st.floats(0.1, 0.9))
def test_random_designed_plants_together_are_the_searches_one_by_one(plants, share):
    nets = [n for p in plants if (n := designed_network(*p)) is not None]
    tops = maximum_assay_batch([(n, "C.product") for n in nets])
    targets = []
    for net, top in zip(nets, tops, strict=True):
        _same_maximum(top, maximum_assay(net, "C.product"))
        natural = net.solve().withdrawals["C.product"].assay.weight_percent
        targets.append(W(natural + share * (top.weight_percent - natural)))
    rates = rate_for_assay_batch([(n, "C.product", t, None)
                                  for n, t in zip(nets, targets, strict=True)])
    for net, target, rate in zip(nets, targets, rates, strict=True):
        _same_rate(rate, rate_for_assay(net, "C.product", target))


def test_a_search_that_fails_gives_its_error_and_the_others_their_figures(fordow):
    found = maximum_assay_batch([(fordow[0], "B.tails"), (fordow[1], "B.product")])
    assert isinstance(found[0], ConfigurationError)
    _same_maximum(found[1], maximum_assay(fordow[1], "B.product"))
    unreachable = rate_for_assay_batch([(fordow[0], "B.product", W(99.9), None),
                                        (fordow[1], "B.product", W(90.0), None)])
    assert unreachable[0] is None
    _same_rate(unreachable[1], rate_for_assay(fordow[1], "B.product", W(90.0)))
    with pytest.raises(TypeError):
        rate_for_assay_batch([(fordow[0], "B.product", 0.9, None)])
