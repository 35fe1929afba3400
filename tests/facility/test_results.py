"""What a solved plant produces (``facility.results``): HEU at the 20 % threshold, the months to
one significant quantity, the JSON shape and units, and what a second configuration changes.

Tolerances: rates and balances to 1e-9 relative (the network solver's bound); sums of the same
numbers in the same order are exact; months to one SQ are the capability module's own numbers.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay
from enrichwatch.constants import HEU_THRESHOLD, MONTHS_PER_YEAR, SQ_HEU_U235_KG
from enrichwatch.facility import (
    Change,
    PlantResult,
    WithdrawalResult,
    compare_results,
    plant_result,
    solve_plant,
)
from enrichwatch.facility.results import RATE_UNIT, describe_link
from enrichwatch.physics.capability import months_to_one_sq, rate_for_assay
from enrichwatch.physics.network import ExternalFeed, Link, Network
from tests.fordow_networks import fordow_networks

FORDOW = Path(__file__).parents[2] / "examples" / "fordow-2023"
REL = 1e-9
NINETY = Assay.from_weight_percent(90.0)


@pytest.fixture(scope="module")
def declared():
    return solve_plant(FORDOW / "declared.toml")


@pytest.fixture(scope="module")
def observed():
    return solve_plant(FORDOW / "observed.toml")


def _withdrawal(assay_pct: float, rate: float = 10.0, name: str = "X.product",
                months: float | None = None) -> WithdrawalResult:
    return WithdrawalResult(name, name, rate, {"U235": assay_pct, "U238": 100.0 - assay_pct},
                            months)


def _plant(*withdrawals: WithdrawalResult) -> PlantResult:
    return PlantResult((), withdrawals, (), {"feed": sum(w.rate_kg_per_month
                                                         for w in withdrawals)}, 0.0)


# -- HEU: uranium of 20 % U-235 or more -------------------------------------------------------


@pytest.mark.parametrize("assay, heu", [(19.999999, False), (100 * HEU_THRESHOLD, True),
                                        (20.000001, True), (0.711, False), (90.0, True)])
def test_heu_starts_at_the_20_percent_threshold(assay, heu):
    assert HEU_THRESHOLD == 0.20
    assert _withdrawal(assay).is_heu is heu
    assert _withdrawal(assay).as_dict()["heu"] is heu


def test_a_stream_that_carries_nothing_is_not_heu():
    assert not _withdrawal(60.0, rate=0.0).is_heu
    assert _plant(_withdrawal(60.0, rate=0.0)).heu_kg_per_month == 0.0


def test_heu_totals_are_the_sums_over_the_heu_withdrawals():
    ws = (_withdrawal(19.9, 30.0, "A.product"), _withdrawal(20.0, 2.0, "B.product"),
          _withdrawal(60.0, 1.5, "C.product"), _withdrawal(0.3, 100.0, "A.tails"))
    plant = _plant(*ws)
    assert plant.heu_kg_per_month == 2.0 + 1.5
    assert plant.heu_u235_kg_per_month == pytest.approx(2.0 * 0.20 + 1.5 * 0.60, rel=1e-15)


def test_heu_totals_of_the_fordow_plants(declared, observed):
    for plant in (declared, observed):
        r = plant.result
        heu = [w for w in r.withdrawals if w.is_heu]
        assert heu and all(w.assay_wt_pct >= 20.0 for w in heu)
        assert all(w.assay_wt_pct < 20.0 or w.rate_kg_per_month == 0 for w in r.withdrawals
                   if not w.is_heu)
        assert r.heu_kg_per_month == sum(w.rate_kg_per_month for w in heu)
        assert r.heu_u235_kg_per_month == pytest.approx(
            sum(w.rate_kg_per_month * w.composition_wt_pct["U235"] / 100 for w in heu), rel=REL)
    # the re-piping makes less HEU but at a higher assay (IAEA: particles up to 83.7 %)
    assert observed.result.heu_kg_per_month < declared.result.heu_kg_per_month
    assert max(w.assay_wt_pct for w in observed.result.withdrawals) > 80.0


# -- rates and units --------------------------------------------------------------------------


def test_rates_are_per_month_of_the_steady_state(observed):
    r, state = observed.result, observed.state
    for w in r.withdrawals:
        stream = state.withdrawals[w.name]
        assert w.rate_kg_per_month == pytest.approx(stream.rate_kg_per_yr / MONTHS_PER_YEAR,
                                                    rel=1e-15)
        assert w.assay_wt_pct == pytest.approx(100 * stream.composition.fraction("U235"),
                                               rel=1e-12)
        assert sum(w.composition_wt_pct.values()) == pytest.approx(100.0, rel=1e-12)
    for c in r.cascades:
        product = state.cascades[c.name].product
        assert c.product_rate == pytest.approx(product.rate_kg_per_yr / 12, rel=1e-15)
        assert len(c.stage_cut) == len(c.stage_feed_rate) == len(c.machines_per_stage)
    assert sum(w.rate_kg_per_month for w in r.withdrawals) == pytest.approx(
        sum(r.feeds.values()), rel=REL)
    assert r.balance_residual < 1e-9


def test_labels_name_the_withdrawals(observed):
    assert {w.name: w.label for w in observed.result.withdrawals} == observed.labels
    unlabelled = plant_result(observed.network, observed.state, capability=False)
    assert all(w.label == w.name for w in unlabelled.withdrawals)


def test_as_dict_keys_and_units(observed):
    d = observed.result.as_dict()
    assert set(d) == {"units", "cascades", "withdrawals", "streams", "feeds", "heu_kg_per_month",
                      "heu_u235_kg_per_month", "months_to_one_sq_at_90pct", "balance_residual"}
    assert d["units"] == {"rate": "kg U/month", "swu": "kg-SWU/month", "assay": "wt% U-235"}
    assert RATE_UNIT == d["units"]["rate"]
    assert {w["name"] for w in d["withdrawals"]} == set(observed.state.withdrawals)
    for w in d["withdrawals"]:
        assert set(w) == {"name", "label", "rate", "assay_wt_pct", "composition_wt_pct", "heu",
                          "months_to_sq_at_90pct"}
    for c in d["cascades"]:
        assert set(c) == {"name", "machine", "stages", "machines", "feed_stage", "product",
                          "tails", "swu_machines_per_month", "swu_value_per_month",
                          "stage_profile"}
        assert set(c["product"]) == set(c["tails"]) == {"rate", "assay_wt_pct"}
        assert len(c["stage_profile"]) == c["stages"]
        assert sum(s["machines"] for s in c["stage_profile"]) == c["machines"]
        assert set(c["stage_profile"][0]) == {"stage", "machines", "feed_rate", "cut",
                                              "assay_wt_pct"}
    assert d["streams"] == ["A.product -> B stage 7", "B.tails -> A feed stage"]
    json.dumps(d, allow_nan=False)                 # strict JSON: no inf, no NaN


# -- months to one significant quantity at 90 % -----------------------------------------------


def test_months_to_one_sq_are_the_capability_modules(observed):
    net, r = observed.network, observed.result
    for w in r.withdrawals:
        if w.name.endswith(".product"):
            assert w.months_to_sq_at_90 == months_to_one_sq(net, w.name)
            at_90 = rate_for_assay(net, w.name, NINETY)
            # 25 kg U-235 withdrawn at the rate that gives 90 %
            assert (w.months_to_sq_at_90 * at_90.rate_kg_per_yr / MONTHS_PER_YEAR * 0.90
                    == pytest.approx(SQ_HEU_U235_KG, rel=1e-12))
        else:
            assert w.months_to_sq_at_90 is None
    assert r.months_to_one_sq_at_90 == min(w.months_to_sq_at_90 for w in r.withdrawals
                                           if w.months_to_sq_at_90 is not None)
    assert r.as_dict()["months_to_one_sq_at_90pct"] == r.months_to_one_sq_at_90


def test_without_capability_there_are_no_months(observed):
    r = plant_result(observed.network, observed.state, observed.labels, capability=False)
    assert all(w.months_to_sq_at_90 is None for w in r.withdrawals)
    assert math.isinf(r.months_to_one_sq_at_90)
    assert r.as_dict()["months_to_one_sq_at_90pct"] is None


def test_unreachable_90_percent_is_reported_as_none_not_infinity():
    plant = _plant(_withdrawal(4.0, 10.0, "A.product", months=math.inf))
    assert math.isinf(plant.months_to_one_sq_at_90)
    assert plant.as_dict()["months_to_one_sq_at_90pct"] is None
    assert plant.withdrawals[0].as_dict()["months_to_sq_at_90pct"] is None
    change = compare_results(plant, plant)[-1]
    assert change.before == change.after == "never (90 % not reachable)"


# -- comparing two configurations -------------------------------------------------------------


def test_compare_fordow_lists_the_changed_stream(declared, observed):
    changes = compare_results(declared.result, observed.result)
    streams = [c for c in changes if c.item == "stream"]
    assert streams == [Change("stream", "A.product -> B feed stage", "(removed)",
                              "in the first, not the second"),
                       Change("stream", "(absent)", "A.product -> B stage 7",
                              "added in the second")]
    items = [c.item for c in changes]
    assert "cascade A layout" not in items and "cascade B layout" not in items  # same cascades
    assert {"withdrawal HEU product", "withdrawal tails"} <= set(items)
    heu = next(c for c in changes if c.item.startswith("HEU output"))
    ratio = observed.result.heu_kg_per_month / declared.result.heu_kg_per_month
    assert heu.note == f"x{ratio:.3g}"
    assert items[-1] == "months to 1 SQ at 90 %"
    assert all(set(c.as_dict()) == {"item", "before", "after", "note"} for c in changes)


def test_a_plant_compared_with_itself_changes_no_stream(observed):
    changes = compare_results(observed.result, observed.result)
    assert not [c for c in changes if c.item == "stream" or "layout" in c.item]
    assert all(c.before == c.after for c in changes)


def test_describe_link():
    assert describe_link(Link("A", "product", "B")) == "A.product -> B feed stage"
    assert describe_link(Link("B", "tails", "A", stage=3, fraction=0.25)) == \
        "B.tails -> A stage 3 (0.25 of it)"


# -- properties -------------------------------------------------------------------------------


@functools.cache
def _cascades():
    declared, _ = fordow_networks()["declared"]
    return declared.cascades["A"], declared.cascades["B"], declared.feeds[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed_scale=st.floats(0.3, 2.0), share_to_b=st.floats(0.05, 1.0),
       stage_offset=st.integers(-3, 2))
def test_results_of_any_interconnection_balance(feed_scale, share_to_b, stage_offset):
    """A's product (about 20 %) partly into B at a stage near its feed stage, the rest withdrawn;
    B's tails back to A: whatever the feed rate, the results close the balances and HEU is
    what the steady state says is at 20 % or more."""
    a, b, feed = _cascades()
    net = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage + stage_offset,
                                fraction=share_to_b), Link("B", "tails", "A")],
                  [ExternalFeed(feed.name, "A", feed.composition,
                                feed.rate_kg_per_yr * feed_scale)])
    state = net.solve()
    r = plant_result(net, state, capability=False)
    total = sum(w.rate_kg_per_month for w in r.withdrawals)
    assert all(w.rate_kg_per_month >= 0.0 for w in r.withdrawals)
    assert total == pytest.approx(feed.rate_kg_per_yr * feed_scale / MONTHS_PER_YEAR, rel=REL)
    assert r.balance_residual < 1e-9
    assert 0.0 <= r.heu_kg_per_month <= total
    assert HEU_THRESHOLD * r.heu_kg_per_month <= r.heu_u235_kg_per_month * (1 + 1e-12)
    assert r.heu_u235_kg_per_month <= r.heu_kg_per_month
    heu_from_state = sum(s.rate_kg_per_yr / MONTHS_PER_YEAR for s in state.withdrawals.values()
                         if s.rate_kg_per_yr > 0
                         and 100 * s.composition.fraction("U235") >= 100 * HEU_THRESHOLD)
    assert r.heu_kg_per_month == pytest.approx(heu_from_state, rel=1e-12, abs=1e-300)
