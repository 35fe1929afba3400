"""MemoNetwork (issue 14): a network that keeps its solves gives the very states a plain
network gives, once per rate setting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.errors import ConfigurationError, InputTypeError
from enrichwatch.facility import load_facility
from enrichwatch.facility.solve import MemoNetwork, solve_plant
from enrichwatch.physics.network import Network

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"


@pytest.fixture(scope="module")
def plain() -> Network:
    return load_facility(ROOT / "observed.toml").to_network()


@pytest.fixture(scope="module")
def memo(plain) -> MemoNetwork:
    return MemoNetwork.of(plain)


def _same(a, b) -> None:
    """Bit for bit: every withdrawal's rate and isotope flows."""
    assert a.withdrawals.keys() == b.withdrawals.keys()
    for name in a.withdrawals:
        x, y = a.withdrawals[name], b.withdrawals[name]
        assert x.rate_kg_per_yr == y.rate_kg_per_yr
        assert dict(x.isotope_kg_per_yr) == dict(y.isotope_kg_per_yr)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.02, 0.9))
def test_the_states_are_the_plain_networks(plain, memo, share):
    product = "B.product"
    natural = plain.solve().withdrawals[product].rate_kg_per_yr
    rate = {product: natural * share}
    _same(memo.solve(rate), plain.solve(rate))
    assert memo.solve(dict(rate)) is memo.solve(rate)              # solved once
    assert memo.solve({product: np.float64(natural * share)}) is memo.solve(rate)


def test_solves_are_kept_per_rate_setting(plain):
    memo = MemoNetwork.of(plain)
    assert memo.solve() is memo.solve(None) is memo.solve({})
    assert len(memo.solved) == 1
    assert MemoNetwork.of(memo) is memo and memo.withdrawal_names == plain.withdrawal_names
    assert not hasattr(plain, "solved")                        # the plain network untouched


def test_what_it_does_not_keep_is_solved_as_before(plain, memo):
    pint = pytest.importorskip("pint")
    natural = plain.solve().withdrawals["B.product"].rate_kg_per_yr
    ureg = pint.UnitRegistry()
    quantity = {"B.product": natural / 24 * ureg.kg / ureg.month}
    solved = len(memo.solved)
    _same(memo.solve(quantity), plain.solve(quantity))
    assert len(memo.solved) == solved                          # not kept
    with pytest.raises(InputTypeError):
        memo.solve(["B.product"])
    with pytest.raises((ConfigurationError, ValueError)):
        memo.solve({"B.product": -1.0})


def test_solve_plant_keeps_its_solves():
    plant = solve_plant(ROOT / "observed.toml")
    assert isinstance(plant.network, MemoNetwork)
    assert plant.network.solve(plant.facility.withdrawal_rates()) is plant.state
