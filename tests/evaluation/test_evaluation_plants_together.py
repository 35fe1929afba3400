"""The plants a rule asks about are searched together (PlantCache.facts_many, ranges_answers,
reach_answers: one solve batch a round over all their searches), and each answer is the one
its plant gives asked alone, bit for bit: an answer does not depend on what else is asked."""

from __future__ import annotations

import pytest

from enrichwatch.errors import InputError
from enrichwatch.evaluation.plants import PlantCache
from enrichwatch.physics.capability import months_to_one_sq
from enrichwatch.physics.network import Network
from tests.evaluation.evaluation_helpers import FORDOW

PLANTS = [((FORDOW / f"{name}.toml").read_text(), f"{name}.toml")
          for name in ("declared", "observed")]


def test_facts_of_two_plants_together_are_each_plants_facts_alone(solve_rounds):
    """The months to 1 SQ at 90 % of both plants, searched together in fewer rounds, are
    those of each plant alone and those of months_to_one_sq on its network."""
    rounds = solve_rounds
    together = PlantCache().facts_many(PLANTS)
    in_one = rounds[0]
    rounds[0] = 0
    alone = [PlantCache().facts(text, where) for text, where in PLANTS]
    assert in_one < rounds[0]
    assert together == alone
    for (text, where), facts in zip(PLANTS, together, strict=True):
        months = facts["summary"]["months_to_one_sq_at_90pct"]
        plant = PlantCache().figures(text, where)
        assert months is not None
        plain = Network(plant.network.cascades.values(), plant.network.links,
                        plant.network.feeds)                   # its own solves, no memo
        assert months == months_to_one_sq(plain, plant.main_product.name)


def test_ranges_of_two_plants_together_are_each_plants_ranges_alone():
    asked = [(text, where, (90.0,)) for text, where in PLANTS]
    assert PlantCache().ranges_answers(asked) == [
        PlantCache().ranges_answer(*request) for request in asked]


def test_reach_of_two_plants_together_is_each_plants_reach_alone():
    """Their months to 1 SQ at 90 % too (searched with the ranges at 83.7 %, from the same
    nominal maximum: not searched twice)."""
    cache = PlantCache()
    together = cache.reach_answers(PLANTS, 83.7)
    assert together == [PlantCache().reach_answer(text, where, 83.7) for text, where in PLANTS]
    assert all(r["ranges"]["settings_reaching_target"] == 9 for r in together)
    assert cache.facts_many(PLANTS) == [PlantCache().facts(*plant) for plant in PLANTS]


def test_a_bad_plant_among_good_ones_raises_its_own_error_and_spares_the_others():
    """A plant text that is not a plant fails with its own error (naming where it is); the
    plants asked with it are answered when asked again, as alone."""
    cache = PlantCache()
    bad = ("[cascade]\nnot = 'a plant'\n", "record 9 payload.plant")
    with pytest.raises(InputError, match="record 9 payload.plant"):
        cache.facts_many([PLANTS[0], bad])
    assert cache.facts(*PLANTS[0]) == PlantCache().facts(*PLANTS[0])
    with pytest.raises(InputError, match="record 9 payload.plant"):
        cache.ranges_answers([(*PLANTS[1], (90.0,)), (*bad, (90.0,))])
    assert cache.ranges_answer(*PLANTS[1]) == PlantCache().ranges_answer(*PLANTS[1])


def test_an_expected_comparison_computes_nothing_until_an_answer_is_asked(solve_rounds):
    rounds = solve_rounds
    cache = PlantCache()
    cache.expect_comparisons([(PLANTS[0], PLANTS[1])])
    assert rounds[0] == 0 and not cache._solved and not cache._figures


def test_an_expected_comparison_gives_each_answer_as_alone_in_fewer_rounds(solve_rounds):
    """The plants of a comparison that differ in structure: their months to 1 SQ come from
    the nominal setting of their ranges, searched with the other settings (the same figures,
    bit for bit), and the ranges then cost no more solve."""
    rounds = solve_rounds
    cache = PlantCache()
    cache.expect_comparisons([(PLANTS[0], PLANTS[1])])
    facts = cache.facts_many(PLANTS)
    ranges = cache.ranges_answers([(*plant, (90.0,)) for plant in PLANTS])
    together = rounds[0]
    rounds[0] = 0
    alone = PlantCache()
    assert facts == [alone.facts(*plant) for plant in PLANTS]
    assert ranges == [alone.ranges_answer(*plant) for plant in PLANTS]
    assert together < rounds[0]


def test_an_expected_comparison_of_the_same_structure_searches_no_ranges(monkeypatch):
    """A comparison whose plants do not differ in structure asks no ranges: none is searched
    (only the plant's own figure)."""
    cache = PlantCache()
    cache.expect_comparisons([(PLANTS[1], PLANTS[1])])
    assert cache.facts(*PLANTS[1]) == PlantCache().facts(*PLANTS[1])
    assert not cache._ranges


def test_a_capability_search_that_fails_raises_the_plants_own_error(monkeypatch):
    """When the months to 1 SQ of a plant cannot be found, the plant is solved as before and
    its error names the figure (as solve_plant's does)."""
    from enrichwatch.errors import ConvergenceError
    from enrichwatch.facility import consequences
    from enrichwatch.physics import capability

    def fails(*args, **kwargs):
        raise ConvergenceError("network of A, B with B.product withdrawn at 0.25 kg U/yr",
                               "after 60 Newton iterations")

    def all_fail(jobs):
        return [ConvergenceError("B.product", "after 60 Newton iterations") for _ in jobs]
    monkeypatch.setattr(consequences, "rate_for_assay_batch", all_fail)
    monkeypatch.setattr(capability, "months_to_one_sq", fails)
    cache = PlantCache()
    cache.expect_comparisons([(PLANTS[0], PLANTS[1])])
    with pytest.raises(InputError, match="months to 1 SQ at 90 %"):
        cache.facts(*PLANTS[0])


def test_the_evaluation_gives_the_same_findings_with_and_without_the_plants_together(
        monkeypatch, solve_rounds):
    """The Fordow evaluation: rule 1 expects its comparisons and rule 3's reach searches, so
    that they run in the same rounds; the findings are those of the rules asking each plant
    on its own, bit for bit, in fewer rounds of solve_many."""
    from enrichwatch.evaluation import case_records, evaluate
    from tests.evaluation.evaluation_helpers import d

    records = case_records(FORDOW / "case.toml")
    rounds = solve_rounds
    together = evaluate(records, "FFEP", d("2023-02-01")).as_dict()
    fewer, rounds[0] = rounds[0], 0
    monkeypatch.setattr(PlantCache, "expect_comparisons", lambda self, pairs: None)
    monkeypatch.setattr(PlantCache, "expect_ranges", lambda self, requests: None)
    assert evaluate(records, "FFEP", d("2023-02-01")).as_dict() == together
    assert fewer < rounds[0]
