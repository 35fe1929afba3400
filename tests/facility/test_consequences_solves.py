"""The figures of a plant over its uncertain inputs (issue 14) solve each network at each
withdrawal rate once: the nominal setting is the plant's own network (the figures at the
design cuts and the ranges share its solves), and the capability figures of one setting share
the rates they solve."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from enrichwatch.facility.consequences import PlantRanges
from enrichwatch.facility.solve import _rates_key, solve_plant
from enrichwatch.physics import network as network_module

ROOT = Path(__file__).parents[2] / "examples" / "fordow-2023"


@pytest.fixture(scope="module")
def plant():
    return solve_plant(ROOT / "observed.toml")


def test_the_nominal_setting_shares_the_plants_solves(plant):
    """The months to 1 SQ at 90 % of the plant (solve_plant's capability figure) solved the
    nominal scan and root search already: the nominal figures of the ranges cost no solve."""
    ranges = PlantRanges(plant.network)
    assert ranges.variant(0) is plant.network
    solved = len(plant.network.solved)
    found = ranges.reach(0, 90.0)
    assert len(plant.network.solved) == solved
    months = {w.name: w.months_to_sq_at_90 for w in plant.result.withdrawals}
    assert found.months_to_significant_quantity == months[ranges.withdrawal]


def test_every_setting_solves_each_rate_once(plant, monkeypatch):
    solves: Counter = Counter()
    solve = network_module.Network.solve

    def counted(self, withdrawal_rates=None, *, start=None):
        solves[(id(self), _rates_key(withdrawal_rates))] += 1
        return solve(self, withdrawal_rates, start=start)
    monkeypatch.setattr(network_module.Network, "solve", counted)
    ranges = PlantRanges(plant.network)
    figures = ranges.as_dict((90.0, 83.7))["figures"]
    assert figures["months_to_one_sq_at_90pct"]["settings_without_value"] == 0
    assert solves and max(solves.values()) == 1
    # the nominal network solved only its root search at 83.7 %, every setting its figures;
    # none solved its natural rate imposed: the state at the design cuts is that state
    per_setting = Counter(network for network, _ in solves)
    assert len(per_setting) == len(ranges.settings)
    for i in range(len(ranges.settings)):
        network = ranges.variant(i)
        natural = network.solve().withdrawals[ranges.withdrawal].rate_kg_per_yr
        imposed = [dict(key)[ranges.withdrawal] for n, key in solves if n == id(network) and key]
        assert imposed and min(abs(r / natural - 1.0) for r in imposed) > 1e-12


def test_the_settings_searched_together_give_the_figures_of_each_alone(plant):
    """The ranges search every setting's capability figures together (one solve batch per
    round, both targets' root searches together); each setting's figures are those of its
    searches alone, to their tolerances: the
    highest assay to 1e-9 (its rate to 1e-4 in the log), the rate at an assay to 1e-10."""
    import numpy as np

    from enrichwatch.composition import Assay
    from enrichwatch.physics.capability import maximum_assay, rate_for_assay
    from enrichwatch.physics.network import Network
    from enrichwatch.physics.variants import vary

    ranges = PlantRanges(plant.network)
    w = ranges.withdrawal
    ranges.find_reach((83.7, 90.0))            # both targets' searches in the same rounds
    for i, setting in enumerate(ranges.settings):
        plain = Network(plant.network.cascades.values(), plant.network.links,
                        plant.network.feeds)                       # no memo, its own solves
        alone = vary(plain, setting)
        top, ref = ranges.maximum(i), maximum_assay(alone, w)
        assert top.weight_percent == pytest.approx(ref.weight_percent, rel=1e-9)
        assert abs(np.log(top.rate_kg_per_yr / ref.rate_kg_per_yr)) <= 2e-4
        for target in (83.7, 90.0):
            found = ranges.reach(i, target)
            expect = rate_for_assay(alone, w, Assay.from_weight_percent(target), maximum=ref) \
                if ref.weight_percent >= target else None
            assert (found is None) == (expect is None)
            if found is not None:
                assert np.log(found.rate_kg_per_yr) == pytest.approx(
                    np.log(expect.rate_kg_per_yr), rel=4e-10, abs=4e-10)
