"""Networks of fixed cascades: equivalence with one cascade, recycle, bad wiring."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError, InputTypeError, UnitError, UnknownNameError
from enrichwatch.physics.cascade import FixedCascade, design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

IR6 = load_catalog().get("IR-6")
W = Assay.from_weight_percent
LEU = Composition.from_mass_percent({"U234": 0.04, "U235": 4.5, "U236": 0.01, "U238": 95.45})


def _pair():
    a = design_cascade(IR6, LEU, W(20.0), W(2.0), feed_kg_per_yr=400.0, name="A")
    b = design_cascade(IR6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       W(60.0), W(5.0), feed_kg_per_yr=60.0, name="B")
    return a, b


@settings(max_examples=20, deadline=None)
@given(st.floats(0.5, 10.0), st.floats(0.3, 3.0))
def test_network_of_one_cascade_equals_the_cascade(feed_pct, scale):
    feed = Composition.from_mass_percent({"U235": feed_pct, "U238": 100 - feed_pct})
    c = FixedCascade(IR6, (12, 16, 20, 16, 12, 8, 4), 2, name="solo")
    rate = scale * 20 * IR6.design_feed_kg_per_yr
    alone = c.solve(feed, rate)
    net = Network([c], feeds=[ExternalFeed("f", "solo", feed, rate)]).solve()
    assert net.withdrawals["solo.product"].rate_kg_per_yr == pytest.approx(
        alone.product.rate_kg_per_yr, rel=1e-12)
    np.testing.assert_allclose(net.withdrawals["solo.product"].composition.mass_fractions,
                               alone.product.composition.mass_fractions, rtol=1e-10)
    np.testing.assert_allclose(net.cascades["solo"].stage_feed, alone.stage_feed, rtol=1e-10)


def test_two_cascades_in_series_with_tails_recycle():
    a, b = _pair()
    links = [Link("A", "product", "B"), Link("B", "tails", "A", stage=a.n_stages - 2)]
    net = Network([a, b], links, [ExternalFeed("leu", "A", LEU, 400.0)])
    state = net.solve()
    assert sorted(state.withdrawals) == ["A.tails", "B.product"]
    assert np.max(np.abs(state.balance_residual())) < 1e-9
    heu = state.withdrawals["B.product"]
    assert heu.assay.mass_fraction > state.cascades["A"].product.assay.mass_fraction
    total_out = sum(w.rate_kg_per_yr for w in state.withdrawals.values())
    assert total_out == pytest.approx(400.0, rel=1e-9)
    # recycled tails show up as inflow to A beyond the external feed, at the chosen stage
    inflow = state.cascades["A"].external_in_kg_per_yr
    assert inflow.sum() > 400.0 and inflow[a.feed_stage] == pytest.approx(400.0, rel=1e-9)
    assert list(state.cascades["A"].inlet_stages) == [a.feed_stage, a.n_stages - 2]
    assert list(state.cascades["B"].inlet_stages) == [b.feed_stage]
    b_in = state.cascades["B"].external_in_kg_per_yr.sum()
    assert b_in == pytest.approx(state.cascades["A"].product.rate_kg_per_yr, rel=1e-9)


def test_split_output_and_imposed_withdrawal_rate():
    a, b = _pair()
    links = [Link("A", "product", "B", fraction=0.6)]
    net = Network([a, b], links, [ExternalFeed("leu", "A", LEU, 400.0)])
    state = net.solve()
    assert "A.product" in state.withdrawals
    a_out = state.cascades["A"].product.rate_kg_per_yr
    assert state.withdrawals["A.product"].rate_kg_per_yr == pytest.approx(0.4 * a_out, rel=1e-9)
    fixed = net.solve({"B.product": 2.0})
    assert fixed.withdrawals["B.product"].rate_kg_per_yr == pytest.approx(2.0, rel=1e-9)


def test_stream_to_nowhere_is_rejected():
    a, b = _pair()
    with pytest.raises(UnknownNameError, match="links\\[0\\].target") as err:
        Network([a, b], [Link("A", "product", "C")], [ExternalFeed("leu", "A", LEU, 400.0)])
    assert isinstance(err.value, ValueError)
    assert "'A'" in str(err.value) and "'B'" in str(err.value)


def test_loop_with_no_exit_is_rejected():
    a, b = _pair()
    links = [Link("A", "product", "B"), Link("A", "tails", "B"), Link("B", "product", "A"),
             Link("B", "tails", "A")]
    with pytest.raises(ConfigurationError, match="exit") as err:
        Network([a, b], links, [ExternalFeed("leu", "A", LEU, 400.0)])
    assert isinstance(err.value, ValueError)
    assert "A" in str(err.value) and "B" in str(err.value)


@pytest.mark.parametrize("link, match", [
    (Link("A", "product", "B", stage=99), "stage"),
    (Link("A", "middle", "B"), "output"),
    (Link("A", "product", "B", fraction=0.0), "fraction"),
])
def test_bad_links(link, match):
    a, b = _pair()
    with pytest.raises(ConfigurationError, match=match):
        Network([a, b], [link], [ExternalFeed("leu", "A", LEU, 400.0)])


def test_over_routed_output_and_duplicate_names():
    a, b = _pair()
    links = [Link("A", "product", "B", fraction=0.7), Link("A", "product", "B", fraction=0.7)]
    with pytest.raises(ConfigurationError, match="fraction"):
        Network([a, b], links, [ExternalFeed("leu", "A", LEU, 400.0)])
    with pytest.raises(ConfigurationError, match="name"):
        Network([a, a], [], [ExternalFeed("leu", "A", LEU, 400.0)])


def test_feed_errors():
    a, _ = _pair()
    with pytest.raises(ConfigurationError, match="feeds"):
        Network([a], [], [])
    with pytest.raises(ValueError, match="rate"):
        Network([a], [], [ExternalFeed("leu", "A", LEU, -1.0)])


# --- units at the edge (issue 8) ---------------------------------------------------------
def test_feed_and_withdrawal_rates_may_be_quantities():
    ureg = pytest.importorskip("pint").UnitRegistry()
    a, b = _pair()
    links = [Link("A", "product", "B", fraction=0.6)]
    feed = ExternalFeed("leu", "A", LEU, 400.0 / 12 * ureg("kg/month"))
    assert feed.rate_kg_per_yr == pytest.approx(400.0, rel=1e-12)
    assert isinstance(feed.rate_kg_per_yr, float)
    net = Network([a, b], links, [feed])
    fixed = net.solve({"B.product": 2000.0 * ureg.g / ureg.year})
    assert fixed.withdrawals["B.product"].rate_kg_per_yr == pytest.approx(2.0, rel=1e-9)
    with pytest.raises(UnitError, match=r"withdrawal_rates\[B.product\]"):
        net.solve({"B.product": 2.0 * ureg.kg})
    with pytest.raises(UnitError, match="rate_kg_per_yr"):
        ExternalFeed("leu", "A", LEU, 400.0 * ureg.m)


def test_feed_and_rates_of_the_wrong_type():
    a, _ = _pair()
    with pytest.raises(InputTypeError, match="composition: expected a Composition"):
        ExternalFeed("leu", "A", W(4.5), 400.0)
    with pytest.raises(InputTypeError, match="rate_kg_per_yr"):
        ExternalFeed("leu", "A", LEU, None)
    net = Network([a], [], [ExternalFeed("leu", "A", LEU, 400.0)])
    with pytest.raises(InputTypeError, match="withdrawal_rates: expected a mapping"):
        net.solve([("A.product", 2.0)])
