"""Breakout schedules seen from verification: sites, start of production, HEU produced."""

import math

import pytest

from enrichwatch.breakout import analyst_scenario, assess_scenario, product_target_kg_u
from enrichwatch.breakout.assess import sq_u235_kg
from enrichwatch.detection import breakout_profile, profile_from_dict
from enrichwatch.errors import InputError


def _entry(start, end, product_pct, kg, facility="Fordow FFEP"):
    return {"start_day": start, "end_day": end, "product_wt_pct": product_pct,
            "product_kg_u": kg, "facility": facility}


RESULT = {
    "kind": "all-capacity", "days": 12.0, "setup_days": 1.5, "transport_days": 0.5,
    "sq_definition": "iaea", "note": "test",
    "schedule": [_entry(0.0, 4.0, 60.0, 10.0), _entry(0.0, 8.0, 90.0, 16.0),
                 _entry(8.0, 10.0, 90.0, 12.0, "Natanz PFEP")],
    "scenario": {"cascades": [{"site": "Natanz PFEP"}, {"site": "Natanz PFEP"}],
                 "sites": [{"name": "Natanz FEP", "holds": ["le5"]},
                           {"name": "Fordow FFEP", "holds": ["le20", "le60"]},
                           {"name": "Natanz PFEP", "holds": ["le5", "le20"]}],
                 "stocks": [{"assay_wt_pct": 0.711, "kg_u": None, "unlimited": True},
                            {"assay_wt_pct": 60.0, "kg_u": 87.5, "unlimited": False}]},
}


def test_profile_from_a_result_dict():
    p = profile_from_dict(RESULT, "2023-02-28")
    assert (p.basis, p.days, p.production_start_days) == ("all-capacity", 12.0, 2.0)
    assert p.sites == ("Natanz PFEP",) and p.stock_sites == ("Fordow FFEP",)
    assert p.facilities == ("Natanz PFEP", "Fordow FFEP")       # cascades and the feed stock
    assert p.heu_at(2.0) == 0.0                                  # nothing before production
    assert math.isclose(p.heu_at(2.0 + 4.0), 8.0)                # half of the first 90 % run
    assert math.isclose(p.heu_at(2.0 + 9.0), 22.0)
    assert math.isclose(p.heu_at(100.0), 28.0)
    with pytest.raises(InputError, match="breakout result"):
        profile_from_dict({"days": 3.0}, "2023-02-28")


@pytest.fixture(scope="module")
def may_2025():
    return breakout_profile("2025-05-31", "auto", "90pct")


def test_a_report_date_through_the_breakout_public_api(may_2025):
    direct = assess_scenario(analyst_scenario("2025-05-31"), sq_definition="90pct",
                             tornado=False)
    p = may_2025
    assert p.basis == "analyst" and math.isclose(p.days, direct.days, rel_tol=1e-12)
    assert p.setup_days == direct.setup_days and "Fordow FFEP" in p.facilities
    target = product_target_kg_u(1, sq_u235_kg("90pct"))
    assert p.heu_at(p.days) >= 0.999 * target                   # one SQ when the plan ends
    assert p.heu_at(p.production_start_days) == 0.0
    assert breakout_profile("2025-05-31", "auto", "90pct") is p            # cached


def test_gaps_and_bad_dates():
    assert breakout_profile("2025-11-12") is None
    with pytest.raises(InputError, match="report date"):
        breakout_profile("2024-01-01")
    with pytest.raises(InputError, match="analyst"):
        breakout_profile("2019-02", "analyst")
    with pytest.raises(InputError, match="basis"):
        breakout_profile("2025-05-31", "fastest")
