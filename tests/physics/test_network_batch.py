"""solve_many's promise, attacked: a request's answer in any batch (its members drawn at
random from both Fordow plants at their 9 settings and two single cascades, at the design
cuts or with a withdrawal rate imposed, cold or warm started, in any order, repeated or not)
is, bit for bit, what ``Network.solve`` gives for it alone: every withdrawal's isotope flows,
every stage's flows and compositions, the Newton unknowns, the iterations, the cut shifts and
rate slopes, or the same error. (On an AMD processor with OpenBLAS's Haswell kernels a
member's banded LU at other widths or lengths than its own rounds differently: see
:class:`~enrichwatch.physics.stage_graph.Batch`.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Assay, Composition
from enrichwatch.facility import load_facility
from enrichwatch.physics import network_batch as nw
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Network, NetworkState
from enrichwatch.physics.variants import settings as variant_settings
from enrichwatch.physics.variants import vary

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"
_NATURAL = Composition.from_mass_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
_LEU = Composition.from_mass_percent({"U234": 0.03, "U235": 20.0, "U238": 79.97})
W = Assay.from_weight_percent
#: Withdrawal rates asked, as multiples of the design-cut rate (the last ones beyond the
#: feed for the tails: errors, to be the same errors).
_FACTORS = st.sampled_from([0.2, 0.5, 0.9, 1.0, 1.05, 1.3]) | st.floats(0.05, 1.6)


@pytest.fixture(scope="module")
def plants() -> tuple[list[Network], list[NetworkState], list[NetworkState]]:
    """Both plants at their 9 settings (declared and observed: Newton systems of half-widths
    11 and 12; 25, 32 and 39 stages) and two single cascades of the same isotopes (half-widths
    4 and 7, flows tridiagonal), their design-cut states, and warm starts: states with a
    withdrawal rate imposed."""
    nets = []
    for name in ("declared", "observed"):
        net = load_facility(ROOT / f"{name}.toml").to_network()
        nets += [vary(net, s) for s in variant_settings(net)]
    catalog = load_catalog()
    for machine, feed, product, tails, machines in (("IR-1", _NATURAL, 5.0, 0.4, 164),
                                                    ("IR-6", _LEU, 60.0, 5.0, 166)):
        c = design_cascade(catalog.get(machine), feed, W(product), W(tails),
                           total_machines=machines, name="C")
        nets.append(Network([c], feeds=[ExternalFeed("feed", "C", feed,
                                                     c.design.feed_kg_per_yr)]))
    natural = [net.solve() for net in nets]
    warm = [net.solve({label: 0.8 * state.withdrawals[label].rate_kg_per_yr})
            for net, state in zip(nets, natural, strict=True) for label in net.withdrawal_names]
    return nets, natural, warm


def _request(plants, draw) -> tuple:
    nets, natural, warm = plants
    k = draw(st.integers(0, len(nets) - 1))
    net = nets[k]
    if draw(st.integers(0, 3)) == 0:
        return net, None, None
    label = draw(st.sampled_from(net.withdrawal_names))
    rate = draw(_FACTORS) * natural[k].withdrawals[label].rate_kg_per_yr
    start = draw(st.sampled_from([None, natural[k], warm[2 * k], warm[2 * k + 1]])
                 | st.sampled_from(warm))           # a state of this network, or any other
    return net, {label: rate}, start


def _assert_same(found, alone) -> None:
    """The same error, or the same state bit for bit."""
    if isinstance(alone, Exception):
        assert type(found) is type(alone) and str(found) == str(alone)
        return
    assert isinstance(found, NetworkState), found
    assert found.newton_iterations == alone.newton_iterations
    assert found.log_ratio.tobytes() == alone.log_ratio.tobytes()
    assert dict(found.cut_shifts) == dict(alone.cut_shifts)
    assert dict(found.rate_slopes) == dict(alone.rate_slopes)
    assert found.withdrawals.keys() == alone.withdrawals.keys()
    for name, stream in alone.withdrawals.items():
        assert found.withdrawals[name].isotope_kg_per_yr == stream.isotope_kg_per_yr
    for name, cascade in alone.cascades.items():
        mine = found.cascades[name]
        for field in ("cuts", "stage_feed_kg_per_yr", "stage_feed", "stage_heads",
                      "stage_tails"):
            assert getattr(mine, field).tobytes() == getattr(cascade, field).tobytes(), field


@given(st.data())
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
def test_a_member_of_any_batch_is_its_solve_alone_bit_for_bit(plants, data):
    requests = [_request(plants, data.draw) for _ in range(data.draw(st.integers(1, 12)))]
    requests += data.draw(st.lists(st.sampled_from(requests), max_size=2))   # repeated ones
    order = data.draw(st.permutations(range(len(requests))))
    requests = [requests[i] for i in order]
    for found, request in zip(nw.solve_many(requests), requests, strict=True):
        _assert_same(found, nw._alone(*request))
