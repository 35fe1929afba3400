"""Operating histories over plant networks (physics.transient.plant, results, uncertainty):
closures, valves, re-piping, drains, what the results say, and the checks of bad histories."""

import numpy as np
import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError, InputError, UnknownNameError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.transient import (
    Configuration,
    FeedSetting,
    History,
    HoldUp,
    Range,
    Segment,
    ValveSetting,
    Variant,
    run_history,
    sweep_history,
    variants,
)
from enrichwatch.physics.transient.plant import HOURS_PER_YEAR, _Builder

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
OFF = {"feed": FeedSetting(on=False)}
SHUT = {"B.product": ValveSetting(0.0), "A.tails": ValveSetting(0.0)}


@pytest.fixture(scope="module")
def configs():
    a = design_cascade(IR6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(60.0), W(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    declared = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    moved = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage - 2),
                             Link("B", "tails", "A")], feed)
    return {"declared": Configuration.from_network("declared", declared,
                                                   labels={"B.product": "HEU"}),
            "moved": Configuration.from_network("moved", moved)}


def _history(configs, *segments, **kwargs):
    return History("h", configs, tuple(segments), **kwargs)


def test_closed_design_runs_the_busiest_stage_at_its_design_flow(configs):
    h = _history(configs, Segment("iso", 1.0, "declared", OFF, SHUT, "closed_design"))
    b = _Builder(h, Variant())
    op = b.operation(h.segments[0], 0, None)
    assert np.max(op.flows / b.capacity()) == pytest.approx(1.0, rel=1e-12)
    assert len(op.closed_blocks) == 1


def test_closed_throughput_keeps_the_total_flow(configs):
    h = _history(configs, Segment("on", 1.0, "declared"),
                 Segment("iso", 2.0, "declared", OFF, SHUT, "closed_throughput"))
    b = _Builder(h, Variant())
    before = b.operation(h.segments[0], 0, None)
    after = b.operation(h.segments[1], 1, before)
    assert after.flows.sum() == pytest.approx(before.flows.sum(), rel=1e-12)


def test_re_piping_keeps_each_stages_gas(configs):
    h = _history(configs, Segment("declared", 5.0, "declared"), Segment("moved", 6.0, "moved"),
                 initial="steady")
    r = run_history(h)
    k = np.flatnonzero(r.times_h == 5.0)
    assert len(k) == 2                      # the boundary, seen from both segments
    np.testing.assert_allclose(r.stage_assays[k[0]], r.stage_assays[k[1]], rtol=1e-12)
    assert r.segments[1].steady["B.product"] > r.segments[0].steady["B.product"]


def test_a_drain_empties_through_the_withdrawals_and_refills(configs):
    h = _history(configs, Segment("drain", 2.0, "declared", OFF, closure="inventory"),
                 Segment("refill", 80.0, "declared", closure="inventory"), initial="steady")
    r = run_history(h)
    total = r.stage_holdup.sum(axis=1)
    drain = r.segment_of == 0
    assert np.all(np.diff(total[drain]) <= 1e-12) and total[drain][-1] < 0.7 * total[0]
    assert total[-1] == pytest.approx(total[0], rel=1e-3)
    assert r.segments[0].steady == {}
    assert abs(r.balance["residual_kg_u"]) < 1e-9 * r.balance["fed_kg_u"]


def test_closing_the_product_valve_raises_the_top_and_stops_withdrawal(configs):
    h = _history(configs, Segment("closed", 3.0, "declared",
                                  withdrawals={"HEU": ValveSetting(0.0)}), initial="steady")
    r = run_history(h)
    k = r.withdrawals.index("B.product")
    assert np.all(r.withdrawal_rates[:, k] == 0.0)
    assert r.streams["B.product"][-1] > r.streams["B.product"][0] + 0.05


def test_answers_agree_with_each_other(configs):
    h = _history(configs, Segment("start", 30.0, "declared"), thresholds=(0.3, 0.5))
    r = run_history(h)
    k = r.withdrawals.index("B.product")
    first = r.first_reached[("B.product", 0.3)]
    assert first is not None and first == pytest.approx(
        min(c.time_h for c in r.crossings if c.watch == "B.product" and c.threshold == 0.3))
    above = r.withdrawn_above[("B.product", 0.3)][0]
    assert 0.0 < above < r.withdrawn[-1, k]
    assert np.all(r.mass_above[:, 0] >= r.mass_above[:, 1])
    assert r.peaks["anywhere"][0] >= r.peaks["B.product"][0] - 1e-12
    assert r.withdrawn_above[("B.product", 0.5)][0] <= above


def test_stage_factor_variant_moves_the_steady_state(configs):
    h = _history(configs, Segment("start", 1.0, "declared"))
    low = run_history(h, Variant(gamma={"IR-6": 1.3}))
    high = run_history(h, Variant(gamma={"IR-6": 1.5}))
    assert low.segments[0].steady["B.product"] < high.segments[0].steady["B.product"]


def test_sweep_plans_and_ranges(configs):
    h = _history(configs, Segment("on", 1.0, "declared"),
                 Segment("iso", 2.0, "declared", OFF, SHUT, "closed_throughput",
                         alternatives=("closed_design",)), thresholds=(0.6,))
    plan = variants(h)
    assert [p[0] for p in plan] == ["nominal", "hold-up", "hold-up", "stage factor IR-6",
                                    "stage factor IR-6", "closure of 'iso'"]
    sweep = sweep_history(h, holdup=False, stage_factor=False)
    summary = sweep.point_summary("B.product", "B.product")
    assert summary["peak_assay_wt_pct"]["driver"] == "closure of 'iso'"
    assert Range.of([("nominal", "nominal", None), ("x", "1", None)]).low is None


def test_range_driver_is_the_largest_swing():
    r = Range.of([("nominal", "nominal", 1.0), ("a", "lo", 0.9), ("a", "hi", 1.1),
                  ("b", "lo", 1.0), ("b", "hi", 3.0)])
    assert (r.low, r.high, r.driver, r.high_run) == (0.9, 3.0, "b", "b = hi")


@pytest.mark.parametrize(("segments", "kwargs", "error"), [
    ((Segment("a", 0.0, "declared"),), {}, ConfigurationError),
    ((Segment("a", 2.0, "declared"), Segment("b", 1.0, "declared")), {}, ConfigurationError),
    ((Segment("a", 2.0, "elsewhere"),), {}, UnknownNameError),
    ((Segment("a", 2.0, "declared"),), {"thresholds": (1.2,)}, InputError),
    ((Segment("a", 2.0, "declared"),), {"initial": "empty"}, ConfigurationError),
    ((), {}, ConfigurationError),
])
def test_bad_histories(configs, segments, kwargs, error):
    with pytest.raises(error):
        History("h", configs, segments, **kwargs)


@pytest.mark.parametrize(("segment", "param"), [
    (Segment("a", 2.0, "declared", OFF, SHUT), "segments[0] ('a')"),
    (Segment("a", 2.0, "declared", OFF), "segments[0] ('a')"),
    (Segment("a", 2.0, "declared", closure="closed_design", ramp_h=1.0), "segments[0].ramp_h"),
    (Segment("a", 2.0, "declared", closure="reflux"), "segments[0].closure"),
    (Segment("a", 2.0, "declared", withdrawals={"LEU": ValveSetting(0.0)}),
     'segments[0].withdrawals.LEU'),
    (Segment("a", 2.0, "declared", withdrawals={"HEU": ValveSetting(None, 1e6)}),
     'segments[0].withdrawals.HEU.rate'),
])
def test_segments_that_cannot_run(configs, segment, param):
    h = _history(configs, segment)
    with pytest.raises(InputError) as caught:
        _Builder(h, Variant()).operation(segment, 0, None)
    assert caught.value.param == param


def test_negative_holdup_is_refused():
    with pytest.raises(InputError, match="holdup.rotor_g"):
        HoldUp(rotor_g=-0.1)
    with pytest.raises(InputError, match="holdup.range_g"):
        HoldUp(range_g=(2.0, 10.0))


def test_holdup_per_stage_and_statement(configs):
    h = _history(configs, Segment("a", 1.0, "declared"), holdup=HoldUp(0.4, 1.6))
    holdup = h.stage_holdup()
    assert holdup.sum() == pytest.approx(332 * 2.0 / 1000)
    assert "rotor 0.4 g + headers and pipework 1.6 g (80 %)" in h.holdup.statement()
    assert HOURS_PER_YEAR == pytest.approx(8766.0)


def test_a_throttled_valve_passes_its_rate_and_the_rest_refluxes(configs):
    """A product valve throttled to half its open rate: the withdrawal runs at that rate
    throughout the segment, the steady product assay rises, and uranium is conserved."""
    h0 = _history(configs, Segment("open", 1.0, "declared"), initial="steady")
    k = h0.withdrawals().index("B.product")
    full = run_history(h0).withdrawal_rates[-1, k] * HOURS_PER_YEAR
    valve = ValveSetting(None, 0.5 * full)
    h = _history(configs, Segment("open", 1.0, "declared"),
                 Segment("throttled", 5.0, "declared", withdrawals={"HEU": valve}),
                 initial="steady")
    r = run_history(h)
    during = r.segment_of == 1
    np.testing.assert_allclose(r.withdrawal_rates[during, k] * HOURS_PER_YEAR, 0.5 * full,
                               rtol=1e-9)
    assert full > 0.0
    steady = r.segments[1].steady["B.product"]
    assert steady > r.segments[0].steady["B.product"] + 0.05
    assert r.streams["B.product"][during][-1] > r.streams["B.product"][0]
    assert abs(r.balance["residual_kg_u"]) <= 1e-9 * r.balance["fed_kg_u"]
    assert abs(r.balance["residual_kg_u235"]) <= 1e-9 * r.balance["fed_kg_u235"]


def test_hold_up_variants_reuse_the_nominal_build_exactly(configs):
    """A sweep builds each set of closures once and scales it for each hold-up: the same run
    as building the variant from scratch (to rounding)."""
    h = _history(configs, Segment("on", 2.0, "declared"),
                 Segment("iso", 3.0, "declared", OFF, SHUT, "closed_throughput"),
                 Segment("back", 8.0, "declared"), initial="steady", thresholds=(0.6,))
    cache: dict = {}
    run_history(h, cache=cache)
    for grams in (0.3, 10.0):
        fresh = run_history(h, Variant(holdup_g=grams))
        reused = run_history(h, Variant(holdup_g=grams), cache=cache)
        np.testing.assert_allclose(reused.stage_assays, fresh.stage_assays, rtol=1e-9,
                                   atol=1e-12)
        np.testing.assert_allclose(reused.stage_holdup, fresh.stage_holdup, rtol=1e-12)
        assert reused.peaks["B.product"][0] == pytest.approx(fresh.peaks["B.product"][0],
                                                             rel=1e-9)
    assert len(cache) == 1


def test_range_ignores_rounding_level_differences():
    """Runs that differ from the nominal by rounding only name no driver and no extreme run;
    a real difference does."""
    same = Range.of([("nominal", "nominal", 0.4084396685005725),
                     ("hold-up", "0.3 g", 0.4084396685005724),
                     ("hold-up", "10 g", 0.4084396685005726)])
    assert (same.driver, same.low_run, same.high_run) == (None, "nominal", "nominal")
    assert same.low == same.high == same.nominal
    moved = Range.of([("nominal", "nominal", 1.0), ("hold-up", "10 g", 1.0 + 1e-6)])
    assert moved.driver == "hold-up" and moved.high_run == "hold-up = 10 g"


def test_crossings_are_where_the_assay_equals_the_threshold(configs):
    """Every crossing found is a root of assay - threshold on the integrator's dense output,
    with the assay on the other side just before it; no sign change on the output grid is
    missed."""
    from enrichwatch.physics.transient.integrate import integrate
    from enrichwatch.physics.transient.plant import build_operations

    h = _history(configs, Segment("start", 20.0, "declared"),
                 Segment("iso", 22.0, "declared", OFF, SHUT, "closed_throughput"),
                 Segment("back", 40.0, "declared"), thresholds=(0.3, 0.6))
    ops, y0 = build_operations(h)
    watches = {w.name: w for w in h.watches()}
    run = integrate([(op, a, b) for op, (a, b) in zip(ops, h.times(), strict=True)], y0,
                    watch=tuple(watches.values()), thresholds=h.thresholds)
    assert run.crossings
    for c in run.crossings:
        seg, w = run.segments[c.segment], watches[c.watch]
        if c.time_h == seg.t0:           # a jump at a change of segment
            continue
        assert w.assay(seg.model, c.time_h, seg.state(c.time_h)) == pytest.approx(
            c.threshold, abs=1e-9)
        before = w.assay(seg.model, c.time_h - 1e-3, seg.state(c.time_h - 1e-3))
        assert (before - c.threshold) * c.direction < 0.0
    r = run_history(h)
    for (name, a), first in r.first_reached.items():
        above = np.flatnonzero(r.streams[name] >= a)
        if above.size:
            assert first is not None and first <= r.times_h[above[0]] + 1e-12
