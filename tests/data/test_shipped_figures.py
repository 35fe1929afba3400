"""The shipped machine catalog and installed-machine table agree with the public figures they
cite (the data review of Dec 2026): a figure that drifts from its source fails here."""

import tomllib
from importlib import resources

import pytest

from enrichwatch.breakout.timeline import machine_periods
from enrichwatch.physics.machines import load_catalog

CATALOG = load_catalog()
#: ISIS via Homeland Security Newswire, 6 May 2025: advanced centrifuges (IR-2m, IR-4, IR-6)
#: installed at all sites in early February 2025.
ADVANCED_FEB_2025 = 13_555


def _period(start: str):
    return next(p for p in machine_periods() if p[0] == start)


def _machines(groups, *, advanced: bool) -> int:
    return sum(g.count * g.machines for g in groups
               if (g.machine.name != "IR-1") == advanced)


def _stated(name: str) -> dict:
    text = resources.files("enrichwatch").joinpath("data", "machines.toml").read_text()
    return next(m for m in tomllib.loads(text)["machine"] if m["name"] == name)


def test_advanced_machines_of_2025_add_up_to_the_public_total():
    # every advanced machine installed by Feb 2025 is in the table, to within one cascade
    groups = _period("2025-02-26")[3]
    assert ADVANCED_FEB_2025 - 174 < _machines(groups, advanced=True) <= ADVANCED_FEB_2025


def test_the_unlocated_2025_machines_say_they_are_unverified():
    group = next(g for g in _period("2025-02-26")[3] if "type not public" in g.name)
    assert "UNVERIFIED" in group.note and "13,555" in group.source


def test_ir1_count_unchanged_by_the_2025_additions():
    # 5,060 at the FEP (JCPOA) and 1,044 at Fordow: the additions are advanced machines only
    assert _machines(_period("2025-02-26")[3], advanced=False) == 5_060 + 1_044


def test_p1_rotor_is_the_glaser_model_machine():
    geo = _stated("P-1")["geometry"]
    assert (geo["speed_m_s"], geo["length_m"], geo["diameter_m"]) == (320.0, 1.8, 0.10)
    assert "unverified" in geo["source"].lower()


def test_p1_high_end_is_the_model_value_of_its_geometry():
    p1 = CATALOG.get("P-1")
    assert p1.swu_range_per_yr[1] == pytest.approx(p1.model_swu_per_yr, abs=0.005)
    # a 320 m/s aluminium rotor of 1.8 m: 2.5-2.7 kg-SWU/yr by eq. 10 (3.54 at 350 m/s)
    assert 2.5 < p1.model_swu_per_yr < 2.7


def test_ir1_shares_the_p1_rotor():
    assert _stated("IR-1")["geometry"]["speed_m_s"] == _stated("P-1")["geometry"]["speed_m_s"]


@pytest.mark.parametrize("name", ["IR-2m", "IR-4", "IR-6", "IR-8"])
def test_assumed_stage_factors_carry_a_range(name):
    low, high = CATALOG.get(name).stage_factor_range
    assert low < CATALOG.get(name).design_gamma < high


@pytest.mark.parametrize("name,low,high", [("IR-4", 3.0, 3.3), ("IR-6", 4.7, 6.8)])
def test_assessed_rating_ranges(name, low, high):
    assert CATALOG.get(name).swu_range_per_yr == (low, high)
