"""Two configurations compared at the same operating point (physics.comparison)."""

from __future__ import annotations

import math

import pytest

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.comparison import compare_at_equal_withdrawal, with_feeds_of
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

W = Assay.from_weight_percent
LEU = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})


@pytest.fixture(scope="module")
def pair() -> tuple[Network, Network]:
    ir6 = load_catalog().get("IR-6")
    a = design_cascade(ir6, LEU, W(20.0), W(2.5), total_machines=166, name="A")
    b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(50.0), W(5.0), total_machines=166, name="B")
    feeds = [ExternalFeed("feed", "A", LEU, 1480.0)]
    one = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feeds)
    two = Network([a, b], [Link("A", "product", "B", stage=7), Link("B", "tails", "A")],
                  [ExternalFeed("feed", "A", LEU, 1480.0)])     # equal feeds, other objects
    return one, two


def test_equal_feeds_keep_the_network_itself(pair):
    one, two = pair
    kept, same = with_feeds_of(two, one)
    assert same and kept is two


def test_other_feeds_rebuild_the_network_with_the_sources(pair):
    one, two = pair
    source = Network(one.cascades.values(), one.links,
                     [ExternalFeed("feed", "A", LEU, 1200.0)])
    fed, same = with_feeds_of(two, source)
    assert same and fed is not two
    assert fed.feeds == source.feeds and fed.links == two.links


def test_rates_imposed_agree_with_cold_solves(pair):
    """Each configuration at the other's rate is solved from its design state: the answer is
    the cold solve's, to the solver tolerance."""
    one, two = pair
    c = compare_at_equal_withdrawal(one, two, "B.product")
    cold_2_at_1 = two.solve({"B.product": c.first_rate_kg_per_yr}).withdrawals["B.product"]
    cold_1_at_2 = one.solve({"B.product": c.second_rate_kg_per_yr}).withdrawals["B.product"]
    assert c.second_at_first_rate_wt_pct == pytest.approx(
        float(cold_2_at_1.assay.weight_percent), rel=1e-9)
    assert c.first_at_second_rate_wt_pct == pytest.approx(
        float(cold_1_at_2.assay.weight_percent), rel=1e-9)
    assert math.isclose(c.piping_wt_pct + c.operating_point_wt_pct, c.total_wt_pct,
                        rel_tol=0.0, abs_tol=1e-12)
    assert c.second_rate_kg_per_yr != pytest.approx(c.first_rate_kg_per_yr, rel=1e-6)
