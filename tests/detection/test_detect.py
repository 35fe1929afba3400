"""Detection of a misuse under a regime, and the January 2023 event at Fordow as a check."""

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from enrichwatch.detection import (
    BreakoutProfile,
    default_indicators,
    detect,
    load_misuse,
    load_regime,
    misuse_activities,
    regime_from_text,
)
from enrichwatch.errors import InputError, UnknownNameError
from tests.detection.helpers import REGIME, repiping

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "detection" / \
    "fordow-repiping-2023.toml"
#: The breakout the example's completion names (2023-02-28, analyst), given here so that the
#: test does not plan it (the planner's own tests check those days).
FEB_2023 = BreakoutProfile("2023-02-28", "analyst", "90pct", 11.37, 1.0, 0.0,
                           ("Fordow FFEP", "Natanz PFEP"), ("Fordow FFEP",))


@pytest.fixture(scope="module")
def iran():
    return load_regime()


@pytest.fixture(scope="module")
def january_2023(iran):
    return detect(load_misuse(EXAMPLE, iran, profile=FEB_2023), iran)


def _expected_within(iran, days: float) -> float:
    """P(detected within ``days``) of the re-piping of 2023-01-16, worked out by hand from the
    regime's figures on that date and the bundled indicators (independent of the code under
    test, which merges, offsets and multiplies them itself)."""
    on, ind = date(2023, 1, 16), {i.activity: i for i in default_indicators("repiping")}
    survive = 1.0
    visit = 1.0                                  # one routine visit: inspection, cameras, seals
    for m, p in iran.in_force("Fordow FFEP", on):
        if not p.in_place or m.kind not in ind:
            continue
        q = p.probability * ind[m.kind].probability
        if p.at == "inspection":
            visit *= 1.0 - q
        elif m.kind == "inspection":
            visit *= 1.0 - q
            period = p.interval_days
        elif p.process == "poisson":
            survive *= math.exp(-q * days / p.interval_days)
        elif p.process == "periodic" and p.delay.low >= days:
            continue                             # a laboratory result comes too late
        elif p.process == "periodic":
            assert p.delay.high == 0 and days < p.interval_days
            survive *= 1.0 - q * days / p.interval_days
        else:
            raise AssertionError(f"not expected in force on {on}: {m.name}")
    survive *= 1.0 - (1.0 - visit) * days / period
    return 1.0 - survive


def test_january_2023_probability_of_detection_within_five_days(iran, january_2023):
    """The check of issue 12: an undeclared re-piping at Fordow on 16 January 2023, under the
    regime in force there then; the unannounced inspection found it after five days."""
    r = january_2023
    assert r.on == date(2023, 1, 16) and r.misuse.observed_days == 5.0
    assert math.isclose(r.observed_probability, _expected_within(iran, 5.0), rel_tol=1e-12)
    assert r.distribution.method == "analytic"
    # where five days falls: the quantile at that probability is five days
    assert math.isclose(r.distribution.quantile(r.observed_probability), 5.0, rel_tol=1e-9)
    # the observation is unremarkable under the regime: between the median and the P90
    assert r.median_days < 5.0 < r.p90_days
    for t in (1.0, 2.0, 10.0):
        assert math.isclose(r.distribution.cdf(t), _expected_within(iran, t), rel_tol=1e-12)


def test_january_2023_by_monte_carlo(iran, january_2023):
    mc = detect(january_2023.misuse, iran, method="monte-carlo", samples=100_000, seed=2023)
    assert math.isclose(mc.observed_probability, january_2023.observed_probability,
                        abs_tol=0.006)                       # ~4 sigma at 100,000 samples
    assert math.isclose(mc.median_days, january_2023.median_days, rel_tol=0.03)


def test_result_figures_and_as_dict(january_2023):
    r = january_2023
    d = r.as_dict()
    assert d["probability_before_completion"] == pytest.approx(r.distribution.cdf(11.37))
    assert d["margin_days"] == pytest.approx(r.median_days - 11.37)
    assert d["probability_within_timeliness"] > d["probability_before_completion"]
    assert d["era"].startswith("Fordow") and d["measures"]
    assert any("ASSUMPTION" in a for a in d["assumptions"])
    applies = [m for m in d["measures"] if m["reveals_this_misuse"]]
    assert {m["kind"] for m in applies} >= {"unannounced_inspection", "inspection"}
    assert all(not m["reveals_this_misuse"] for m in d["measures"]
               if m["kind"] == "material_accountancy")


def test_the_regime_of_another_date(iran, january_2023):
    """--as-of: the same re-piping under the JCPOA regime meets the JCPOA measures; after the
    strikes of June 2025, nothing."""
    jcpoa = detect(january_2023.misuse, iran, on=date(2017, 1, 1))
    names = {a.name for a in jcpoa.distribution.activities}
    assert {"daily access on request (JCPOA)", "surveillance cameras (JCPOA)"} <= names
    assert jcpoa.era.startswith("JCPOA") and math.isfinite(jcpoa.median_days)
    none = detect(january_2023.misuse, iran, on=date(2025, 7, 1))
    assert none.distribution.activities == () and math.isinf(none.median_days)
    assert none.probability_before_completion == 0.0 and none.observed_probability == 0.0


def test_adding_a_facility_never_lengthens_detection():
    r = regime_from_text(REGIME, "test.toml")
    one = detect(repiping(("Plant A",)), r)
    two = detect(repiping(("Plant A", "Plant B")), r)
    t = np.linspace(0.0, 120.0, 50)
    assert np.all(two.distribution.cdf(t) >= one.distribution.cdf(t) - 1e-12)
    assert len(misuse_activities(repiping(("Plant B",)), r)) == 1


def test_unknown_facility_is_refused():
    r = regime_from_text(REGIME, "test.toml")
    with pytest.raises(UnknownNameError, match="Plant C"):
        detect(repiping(("Plant C",)), r)


def test_a_date_the_regime_does_not_cover_is_refused(iran, january_2023):
    """Before Implementation Day the bundled regime records nothing: refused, not 'never
    detected'."""
    with pytest.raises(InputError, match="2016-01-16") as info:
        detect(january_2023.misuse, iran, on=date(2012, 2, 15))
    assert info.value.param == "on"
    early = repiping(("Fordow FFEP",))
    with pytest.raises(InputError) as info:
        detect(replace(early, start=date(2026, 3, 1)), iran)
    assert info.value.param == "start" and info.value.value == "2026-03-01"
