"""Building a sweep's operations once (physics.transient.plant.build_operations): closure
variants share the nominal build's earlier segments, routings, production operations and
initial state, and run exactly as when built alone."""

import numpy as np
import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from enrichwatch.physics.transient import (
    Configuration,
    FeedSetting,
    History,
    Segment,
    ValveSetting,
    Variant,
    run_history,
    sweep_history,
)
from enrichwatch.physics.transient.plant import build_operations, check_operations

W = Assay.from_weight_percent
LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
OFF = {"feed": FeedSetting(on=False)}
SHUT = {"B.product": ValveSetting(0.0), "A.tails": ValveSetting(0.0)}


@pytest.fixture(scope="module")
def history():
    ir6 = load_catalog().get("IR-6")
    a = design_cascade(ir6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(60.0), W(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("feed", "A", LEU, a.design.feed_kg_per_yr)]
    net = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    config = Configuration.from_network("declared", net)
    return History("h", {"declared": config},
                   (Segment("on", 2.0, "declared"),
                    Segment("iso", 3.0, "declared", OFF, SHUT, "closed_throughput",
                            alternatives=("closed_design",)),
                    Segment("back", 8.0, "declared")),
                   initial="steady", thresholds=(0.6,))


def test_closure_variant_takes_the_earlier_segments_of_the_nominal(history):
    cache: dict = {}
    nominal, y_nominal = build_operations(history, cache=cache)
    variant = Variant(closures={1: "closed_design"})
    ops, y0 = build_operations(history, variant, cache=cache)
    alone, y_alone = build_operations(history, variant)
    assert ops[0] is nominal[0]
    assert ops[1] is not nominal[1] and not np.allclose(ops[1].flows, nominal[1].flows)
    np.testing.assert_array_equal(y0, y_alone)
    np.testing.assert_array_equal(y0, y_nominal)
    for shared, own in zip(ops, alone, strict=True):
        np.testing.assert_array_equal(shared.flows, own.flows)
        np.testing.assert_array_equal(shared.feed, own.feed)
        assert shared.routing.heads_out.toarray().tolist() == \
            own.routing.heads_out.toarray().tolist()


def test_shared_builds_run_as_alone(history):
    """The sweep's closure variant is exactly the variant run on its own (same operations,
    same initial state, deterministic integration); the hold-up variants, scaled from the
    nominal build, to rounding."""
    sweep = sweep_history(history, stage_factor=False, rtol=1e-6)
    assert [s for _, s, _ in sweep.runs][-1] == "closed_design"
    for _, _, result in sweep.runs[1:]:
        label = result.variant
        if "closed_design" in label:
            alone = run_history(history, Variant(closures={1: "closed_design"}), rtol=1e-6)
            np.testing.assert_array_equal(result.stage_assays, alone.stage_assays)
            assert result.peaks == alone.peaks
            continue
        alone = run_history(history, Variant(holdup_g=float(label.split()[1])), rtol=1e-6)
        np.testing.assert_allclose(result.stage_assays, alone.stage_assays, rtol=1e-9,
                                   atol=1e-12)
        for point, (value, _) in alone.peaks.items():
            assert result.peaks[point][0] == pytest.approx(value, rel=1e-9)


def test_check_operations_still_builds_every_alternative(history):
    from dataclasses import replace

    bad = replace(history, segments=(history.segments[0],
                                     replace(history.segments[1], alternatives=("fixed_cuts",)),
                                     history.segments[2]))
    check_operations(history)
    with pytest.raises(ConfigurationError, match="closed_throughput"):
        check_operations(bad)


def test_closure_variant_starts_from_the_nominal_run(history):
    """integrate(reuse=...) takes the nominal's segments while they are the same operations
    from the same state, and integrates the rest; with other tolerances it reuses nothing."""
    from enrichwatch.physics.transient import integrate

    cache: dict = {}
    nominal_ops, y0 = build_operations(history, cache=cache)
    ops, y = build_operations(history, Variant(closures={1: "closed_design"}), cache=cache)
    spans = history.times()
    watch = history.watches()
    nominal = integrate([(o, a, b) for o, (a, b) in zip(nominal_ops, spans, strict=True)], y0,
                        rtol=1e-6, watch=watch, thresholds=(0.6,))
    segments = [(o, a, b) for o, (a, b) in zip(ops, spans, strict=True)]
    reused = integrate(segments, y, rtol=1e-6, watch=watch, thresholds=(0.6,), reuse=nominal)
    alone = integrate(segments, y, rtol=1e-6, watch=watch, thresholds=(0.6,))
    assert reused.segments[0] is nominal.segments[0]
    assert reused.segments[1] is not nominal.segments[1]
    assert reused.crossings == alone.crossings
    for a, b in zip(reused.segments, alone.segments, strict=True):
        np.testing.assert_array_equal(a.y_steps, b.y_steps)
    other = integrate(segments, y, rtol=1e-7, watch=watch, thresholds=(0.6,), reuse=nominal)
    assert other.segments[0] is not nominal.segments[0]


@pytest.mark.parametrize("change", [{"atol": 1e-9}, {"thresholds": (0.5,)}, {"watch": ()},
                                    {"method": "BDF"}])
def test_a_run_with_other_settings_is_not_reused(history, change):
    """A run integrated with another absolute tolerance, other thresholds or watched points or
    another method gives none of its segments or crossings to the new run."""
    from enrichwatch.physics.transient import integrate

    ops, y0 = build_operations(history)
    segments = [(o, a, b) for o, (a, b) in zip(ops, history.times(), strict=True)]
    settings = {"rtol": 1e-6, "watch": history.watches(), "thresholds": (0.6,)}
    nominal = integrate(segments, y0, **settings)
    reused = integrate(segments, y0, **{**settings, **change}, reuse=nominal)
    assert not any(a is b for a, b in zip(reused.segments, nominal.segments, strict=True))
    again = integrate(segments, y0, **settings, reuse=nominal)
    assert all(a is b for a, b in zip(again.segments, nominal.segments, strict=True))
    assert again.crossings == nominal.crossings
