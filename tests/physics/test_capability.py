"""What a configuration can produce: rates at a target assay, time to one SQ."""

import numpy as np
import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.constants import SQ_HEU_U235_KG
from enrichwatch.errors import ConfigurationError, InputTypeError
from enrichwatch.physics.capability import max_assay, months_to_one_sq, rate_for_assay
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

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
    top = max_assay(single, "B.product").weight_percent
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
