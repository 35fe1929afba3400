"""Misuse scenarios as data: the bundled indicators, scenario files and their checks."""

import math
from datetime import date

import pytest

from enrichwatch.detection import (
    MISUSE_KINDS,
    BreakoutProfile,
    MisuseFileError,
    breakout_misuse,
    default_indicators,
    load_regime,
    misuse_from_text,
    misuse_of_kind,
)
from enrichwatch.detection.regime import ACTIVITY_KINDS
from enrichwatch.errors import UnknownNameError

SCENARIO = '''
[scenario]
name = "test"
kind = "over_assay"
facilities = ["Fordow FFEP"]
start = "2023-01-16"
production_start_days = 2

[completion]
days = 11.4
source = "a stated figure"

[observed]
days = 5
source = "GOV/INF/2023/1"

[revealed_by.surveillance]
probability = 0.3
after = "production"
source = "test override"
'''

PROFILE = BreakoutProfile("2023-02-28", "analyst", "90pct", 11.4, 1.0, 0.5,
                          ("Fordow FFEP", "Natanz PFEP"), ("Fordow FFEP",),
                          ((1.5, 0.0), (11.4, 27.8)))


@pytest.fixture(scope="module")
def iran():
    return load_regime()


def test_every_kind_has_sourced_indicators():
    for kind in MISUSE_KINDS:
        inds = default_indicators(kind, production_start_days=3.0)
        assert inds and {i.activity for i in inds} <= set(ACTIVITY_KINDS)
        for i in inds:
            assert 0 <= i.probability <= 1 and i.source
            assert i.after_days == (3.0 if i.after == "production" else float(i.after))
    assert {i.activity for i in default_indicators("repiping")}.isdisjoint(
        {"material_accountancy"})                         # nothing leaves the plant
    with pytest.raises(UnknownNameError):
        default_indicators("sabotage")


def test_scenario_file_with_overrides(iran):
    m = misuse_from_text(SCENARIO, "s.toml", iran)
    assert (m.kind, m.facilities, m.start) == ("over_assay", ("Fordow FFEP",), date(2023, 1, 16))
    assert m.completion_days == 11.4 and m.observed_days == 5.0
    assert m.indicator("surveillance").probability == 0.3
    assert m.indicator("surveillance").after_days == 2.0
    assert m.indicator("enrichment_monitor").after_days == 2.0          # 'production'
    assert math.isclose(m.timeliness_days, 30.4375)


def test_breakout_misuse_happens_at_every_site_it_uses():
    m = breakout_misuse(PROFILE, date(2023, 2, 28))
    assert m.facilities == ("Fordow FFEP", "Natanz PFEP")
    assert m.completion_days == 11.4 and m.production_start_days == 1.5
    assert m.indicator("environmental_sampling").after_days == 1.5
    assert m.indicator("seals").after_days == 0.0
    assert "analyst" in m.completion_source


def test_breakout_scenario_file_takes_its_sites_from_the_schedule(iran):
    text = '''
[scenario]
name = "breakout"
kind = "breakout"
start = "2023-03-01"

[completion]
breakout_date = "2023-02-28"
'''
    m = misuse_from_text(text, "b.toml", iran, profile=PROFILE)
    assert m.facilities == PROFILE.facilities and m.breakout is PROFILE
    assert m.completion_days == 11.4


def _edit(old, new):
    assert old in SCENARIO
    return SCENARIO.replace(old, new, 1)


@pytest.mark.parametrize(("text", "key", "value"), [
    (_edit('facilities = ["Fordow FFEP"]', 'facilities = ["Dimona"]'),
     "scenario.facilities[0]", "'Dimona'"),
    (_edit('kind = "over_assay"', 'kind = "theft"'), "scenario.kind", "'theft'"),
    (_edit('start = "2023-01-16"', 'start = "16/01/2023"'), "scenario.start", "'16/01/2023'"),
    (_edit("[revealed_by.surveillance]", "[revealed_by.drones]"), "revealed_by.drones",
     "'drones'"),
    (_edit("probability = 0.3", "probability = 1.3"), "revealed_by.surveillance.probability",
     "1.3"),
    (_edit("days = 11.4", "days = -1"), "completion.days", "-1"),
    (_edit('days = 11.4\nsource = "a stated figure"', 'breakout_date = "2023-02-29"'),
     "completion.breakout_date", "'2023-02-29'"),
    (_edit("days = 5", "days = 5\nwhen = 3"), "observed.when", "3"),
])
def test_bad_scenarios_name_file_key_and_value(iran, text, key, value):
    with pytest.raises(MisuseFileError) as info:
        misuse_from_text(text, "bad.toml", iran)
    message = str(info.value)
    assert f"bad.toml: {key}" in message and value in message, message


def test_misuse_values_are_checked():
    with pytest.raises(UnknownNameError):
        misuse_of_kind("repiping", "x", ("A",), date(2023, 1, 1), timeliness="soon")


def test_every_example_scenario_reads(iran):
    from pathlib import Path

    from enrichwatch.detection import load_misuse

    folder = Path(__file__).resolve().parents[2] / "examples" / "detection"
    files = sorted(folder.glob("*.toml"))
    assert len(files) >= 4
    for path in files:
        m = load_misuse(path, iran, profile=PROFILE)
        assert m.facilities and m.start.year >= 2016


#: Copied from shared/reference/safeguards-vectors.json (id, source, expected).
SG_CONST_002 = {"id": "SG-CONST-002",
                "source": "NSSPI course 'Introduction - History of IAEA Safeguards' "
                          "http://nsspi.tees.tamus.edu/nssep/courses/introduction-to-safeguards"
                          "-and-security/introduction-to-nuclear-safeguards/introduction/"
                          "introduction",
                "expected": {"unirradiated_direct_use_months": 1, "indirect_use_months": 12}}


def test_timeliness_goals_are_the_iaea_ones():
    """SG-CONST-002 (tolerance 0): one month for unirradiated direct-use material, one year for
    indirect-use material, in days of a twelfth of a Julian year."""
    from enrichwatch.detection import TIMELINESS

    e = SG_CONST_002["expected"]
    month = 365.25 / 12
    assert TIMELINESS["direct-use"][0] == e["unirradiated_direct_use_months"] * month
    assert TIMELINESS["indirect-use"][0] == e["indirect_use_months"] * month
