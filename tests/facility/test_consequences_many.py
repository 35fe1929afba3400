"""The ranges of several plants and targets searched together (issue 14, the cold evaluation):
each target's root search runs on its own fork of its setting's maximum curve and every round
of all the searches is one solve batch, so each figure is the one its plant, setting and target
give asked alone, bit for bit, whatever else is asked with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.facility import load_facility
from enrichwatch.facility.consequences import PlantRanges, find_reach_many

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"


def fresh(name: str) -> PlantRanges:
    """The plant's ranges on a network built anew (no solve shared with another test)."""
    return PlantRanges(load_facility(ROOT / f"{name}.toml").to_network(), "B.product")


def figures(ranges: PlantRanges, targets) -> list:
    """Every setting's maximum and rate at each target, as exact floats (None: none)."""
    out = []
    for i in range(len(ranges.settings)):
        top = ranges.maximum(i)
        out.append(None if top is None else (top.weight_percent, top.rate_kg_per_yr))
        for t in targets:
            found = ranges.reach(i, t)
            out.append(None if found is None else found.rate_kg_per_yr)
    return out


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(80.0, 92.0), st.floats(80.0, 92.0))
def test_two_targets_together_give_each_targets_figures_alone(a, b):
    """Asking two targets in one search gives, at every setting, the rates each gives asked
    alone on a plant of its own, bit for bit (and the same maxima)."""
    together = fresh("observed")
    together.find_reach((a, b))
    first, second = fresh("observed"), fresh("observed")
    first.find_reach((a,))
    second.find_reach((b,))
    assert figures(together, (a,)) == figures(first, (a,))
    assert figures(together, (b,)) == figures(second, (b,))


def test_a_later_target_does_not_see_an_earlier_targets_solves():
    """A target asked after another on the same ranges gets what it gets asked first."""
    ranges, alone = fresh("declared"), fresh("declared")
    ranges.find_reach((90.0,))
    ranges.find_reach((83.7,))
    alone.find_reach((83.7,))
    assert figures(ranges, (83.7,)) == figures(alone, (83.7,))


def test_two_plants_together_give_each_plants_figures_alone(solve_rounds):
    """find_reach_many over both Fordow plants: each plant's figures are those of its ranges
    searched alone, bit for bit, in fewer rounds of solve_many than the two one after the
    other."""
    rounds = solve_rounds
    both = [fresh("declared"), fresh("observed")]
    find_reach_many([(both[0], (90.0,)), (both[1], (90.0, 83.7))])
    together = rounds[0]
    rounds[0] = 0
    alone = [fresh("declared"), fresh("observed")]
    alone[0].find_reach((90.0,))
    alone[1].find_reach((90.0, 83.7))
    assert together < rounds[0]
    assert figures(both[0], (90.0,)) == figures(alone[0], (90.0,))
    assert figures(both[1], (90.0, 83.7)) == figures(alone[1], (90.0, 83.7))
    for i in range(len(both[0].settings)):
        assert both[0].state(i).withdrawals["B.product"].rate_kg_per_yr == \
            alone[0].state(i).withdrawals["B.product"].rate_kg_per_yr


def test_a_plant_asked_twice_is_searched_once():
    """The same ranges twice in one call (or a target already found) adds no search."""
    ranges = fresh("observed")
    find_reach_many([(ranges, (90.0,)), (ranges, (90.0,))])
    found = dict(ranges._reach)
    find_reach_many([(ranges, (90.0,))])
    assert ranges._reach == found
    assert set(found) == {(i, 90.0) for i in range(len(ranges.settings))}


@pytest.mark.parametrize("targets", [(), (99.9,)])
def test_targets_out_of_reach_or_none_need_no_root_search(targets):
    """No target, or one above every maximum: every setting's rate is None (no error)."""
    ranges = fresh("observed")
    find_reach_many([(ranges, targets)])
    assert all(ranges.reach(i, t) is None for t in targets for i in range(len(ranges.settings)))
    assert all(ranges.maximum(i) is not None for i in range(len(ranges.settings)))
