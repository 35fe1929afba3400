"""What a configuration can produce: the true maximum assay over the withdrawal rate, rates at a
target assay, time to one SQ."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay, Composition
from enrichwatch.constants import SQ_HEU_U235_KG
from enrichwatch.errors import ConfigurationError, InputTypeError
from enrichwatch.physics.capability import (
    LIMIT_LABEL,
    MAXIMUM_LABEL,
    max_assay,
    maximum_assay,
    months_to_one_sq,
    rate_for_assay,
)
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network
from tests.physics.designed_plants import designed_network

W = Assay.from_weight_percent
IR6 = load_catalog().get("IR-6")
LEU20 = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})


@pytest.fixture(scope="module")
def single():
    c = design_cascade(IR6, LEU20, W(60.0), W(5.0), total_machines=166, name="B")
    return Network([c], feeds=[ExternalFeed("feed", "B", LEU20, c.design.feed_kg_per_yr)])


def test_rate_for_assay_hits_the_target(single):
    for pct in (30.0, 60.0, 85.0, 90.0):
        found = rate_for_assay(single, "B.product", W(pct))
        assert found is not None
        got = single.solve({"B.product": found.rate_kg_per_yr}).withdrawals["B.product"]
        assert got.assay.weight_percent == pytest.approx(pct, rel=1e-7)


def test_higher_assay_needs_slower_withdrawal(single):
    rates = [rate_for_assay(single, "B.product", W(p)).rate_kg_per_yr for p in (50, 70, 85, 90)]
    assert np.all(np.diff(rates) < 0)


def test_months_to_sq_is_25_kg_u235_at_that_rate(single):
    found = rate_for_assay(single, "B.product", W(90.0))
    months = months_to_one_sq(single, "B.product")
    assert months == pytest.approx(SQ_HEU_U235_KG / (found.rate_kg_per_month * 0.9), rel=1e-12)


def test_unreachable_assay_gives_none_and_infinite_time(single):
    top = maximum_assay(single, "B.product").weight_percent
    assert 60.0 < top < 100.0
    assert rate_for_assay(single, "B.product", W(min(top + 3.0, 99.9))) is None
    small = design_cascade(IR6, LEU20, W(25.0), W(15.0), total_machines=20, name="S")
    net = Network([small], feeds=[ExternalFeed("feed", "S", LEU20, small.design.feed_kg_per_yr)])
    assert months_to_one_sq(net, "S.product") == float("inf")


def test_network_product_limited_by_upstream_supply():
    leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
    a = design_cascade(IR6, leu, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(50.0), W(5.0), total_machines=166, name="B")
    net = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")],
                  [ExternalFeed("feed", "A", leu, a.design.feed_kg_per_yr)])
    low = rate_for_assay(net, "B.product", W(20.0))    # fastest: limited by what A supplies
    assert low is not None and low.rate_kg_per_yr > net.solve().withdrawals[
        "B.product"].rate_kg_per_yr


def test_only_product_withdrawals(single):
    with pytest.raises(ConfigurationError, match="withdrawal"):
        rate_for_assay(single, "B.tails", W(90.0))


def test_a_bare_float_target_assay_is_a_type_error(single):
    # issue 8: it was an AttributeError
    with pytest.raises(InputTypeError, match="assay: expected an Assay"):
        rate_for_assay(single, "B.product", 0.9)
    with pytest.raises(InputTypeError, match="assay: expected an Assay"):
        months_to_one_sq(single, "B.product", 90.0)


# -- the true maximum over the withdrawal rate -----------------------------------------------
def fordow_pair():
    leu = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U238": 94.96})
    a = design_cascade(IR6, leu, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(IR6, LEU20, W(50.0), W(5.0), total_machines=166, name="B")
    feeds = [ExternalFeed("feed", "A", leu, 123.3 * 12)]
    return (Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feeds),
            Network([a, b], [Link("A", "product", "B", stage=7), Link("B", "tails", "A")], feeds))


@pytest.fixture(scope="module")
def fordow():
    return fordow_pair()


@pytest.mark.parametrize("which", [0, 1])
def test_maximum_is_at_least_the_assay_at_every_rate_of_a_fine_scan(fordow, which):
    """The Fordow pipings' curves rise and fall again: the reported maximum is the maximum,
    not the assay at the slowest rate tried."""
    net = fordow[which]
    top = maximum_assay(net, "B.product")
    feed = sum(f.rate_kg_per_yr for f in net.feeds)
    natural = net.solve().withdrawals["B.product"].rate_kg_per_yr
    scan = [float(net.solve({"B.product": r}).withdrawals["B.product"].assay.mass_fraction)
            for r in np.geomspace(1e-6 * feed, natural, 97)]
    assert float(top.assay.mass_fraction) >= max(scan) - 1e-12
    assert float(top.assay.mass_fraction) >= max(a for _, a in top.grid)
    assert not top.monotonic and top.label == MAXIMUM_LABEL == "maximum over withdrawal rate"
    assert top.weight_percent > float(top.slowest_assay.weight_percent) + 2.0
    assert 1e-6 * feed < top.rate_kg_per_yr < natural
    # the maximum is where the assay is: re-solving at its rate gives it back
    again = net.solve({"B.product": top.rate_kg_per_yr}).withdrawals["B.product"]
    assert float(again.assay.mass_fraction) == pytest.approx(float(top.assay.mass_fraction),
                                                             rel=1e-12)


def test_rate_for_assay_finds_targets_between_the_slowest_assay_and_the_maximum(fordow):
    """A target above the assay at the slowest rate but below the maximum is reachable (the old
    bracket from the slowest rate missed it), on the falling branch (fastest rate)."""
    net = fordow[0]
    top = maximum_assay(net, "B.product")
    target = 0.5 * (float(top.slowest_assay.weight_percent) + top.weight_percent)
    found = rate_for_assay(net, "B.product", W(target), maximum=top)
    assert found is not None and found.rate_kg_per_yr > top.rate_kg_per_yr
    got = net.solve({"B.product": found.rate_kg_per_yr}).withdrawals["B.product"]
    assert got.assay.weight_percent == pytest.approx(target, rel=1e-7)
    assert rate_for_assay(net, "B.product", W(top.weight_percent + 0.01)) is None


def test_monotonic_curve_is_labelled_as_the_limit(single):
    top = maximum_assay(single, "B.product")
    assays = [a for _, a in top.grid]
    if top.monotonic:
        assert top.label == LIMIT_LABEL and top.assay.mass_fraction == assays[0]
    else:
        assert top.label == MAXIMUM_LABEL
    assert float(top.assay.mass_fraction) >= max(assays)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(gamma=st.floats(1.2, 1.6), swu=st.floats(2.0, 8.0), product=st.floats(30.0, 70.0),
       machines=st.integers(40, 200), feed_share=st.floats(0.5, 1.5))
def test_maximum_bounds_every_grid_rate_for_random_plants(gamma, swu, product, machines,
                                                          feed_share):
    net = designed_network(gamma, swu, product, machines, feed_share)
    if net is None:                            # fewer machines than stages: not a plant
        return
    top = maximum_assay(net, "C.product", points=16)
    assert all(float(top.assay.mass_fraction) >= a for _, a in top.grid)
    natural = net.solve().withdrawals["C.product"]
    assert float(top.assay.mass_fraction) >= float(natural.assay.mass_fraction)
    assert top.label == (LIMIT_LABEL if top.monotonic else MAXIMUM_LABEL)


def test_max_assay_is_the_true_maximum(fordow):
    top = maximum_assay(fordow[1], "B.product")
    assert float(max_assay(fordow[1], "B.product").mass_fraction) == \
        float(top.assay.mass_fraction) > float(top.slowest_assay.mass_fraction)
