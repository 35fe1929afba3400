"""The accountancy rules (issue 10, part 7): MUF above its threshold, Page's alarm, a
significant shipper/receiver difference, declared production against the declared plant; each
finding with its thresholds stated. Thresholds are recomputed here from their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from enrichwatch.accountancy import page, page_threshold, sitmuf
from enrichwatch.evaluation import evaluate
from enrichwatch.evaluation.accountancy_rules import (
    AccountancySettings,
    muf_above_threshold,
    page_alarm,
    production_capacity,
    shipper_receiver_difference,
)
from enrichwatch.evaluation.plants import PlantCache
from enrichwatch.evaluation.rules import Context
from tests.evaluation.evaluation_helpers import ROOT, Rec, d

MONTH_ENDS = ["2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30",
              "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31", "2024-09-30",
              "2024-10-31", "2024-11-30", "2024-12-31"]


def mbr(rid, start, end, muf, sigma=1.0, cov=None, quantity="U235", **extra) -> Rec:
    b = {"beginning_kg": 100.0, "inputs_kg": 50.0, "outputs_kg": 50.0 - 0.0,
         "ending_kg": 100.0 - muf, "muf_kg": muf, "sigma_muf_kg": sigma,
         "covariance_previous_kg2": cov}
    payload = {"mba": "MBA-1", "period_start": start, "period_end": end, "material": "LEU",
               "balances": {quantity: b}, "sequence": True} | extra
    return Rec(rid, "material_balance_report", "X", d(end), d(end), payload=payload)


def ctx(*records) -> Context:
    return Context.build(list(records), "X", d("2025-01-31"), PlantCache())


def _z(days: int, alpha: float = 0.05) -> float:
    return float(stats.norm.isf(1 - (1 - alpha) ** (days / 365.25)))


def test_muf_threshold_is_sidak_per_balance():
    z = _z(30)                                  # 2024-05-31 to 2024-06-30
    below = mbr(1, "2024-05-31", "2024-06-30", muf=0.999 * z)
    above = mbr(2, "2024-05-31", "2024-06-30", muf=1.001 * z)
    assert muf_above_threshold(ctx(below)) == []
    (f,) = muf_above_threshold(ctx(above))
    item = f.consequence["balances"][0]
    assert f.evidence == (2,) and f.severity == "medium"
    assert item["threshold_kg"] == pytest.approx(z) and item["sq"] == pytest.approx(
        1.001 * z / 75)
    a = f.consequence["assumptions"]
    assert a["false_alarm_per_balance"] == pytest.approx(1 - 0.95 ** (30 / 365.25))
    assert a["false_alarm_per_year"] == 0.05


def test_muf_of_a_significant_quantity_is_high():
    (f,) = muf_above_threshold(ctx(mbr(1, "2024-05-31", "2024-06-30", muf=80.0)))
    assert f.severity == "high" and f.consequence["balances"][0]["sq"] == pytest.approx(80 / 75)


def _year(mufs, sigma=1.0, cov=None):
    return [mbr(i + 1, MONTH_ENDS[i], MONTH_ENDS[i + 1], m, sigma, cov if i else None)
            for i, m in enumerate(mufs)]


def test_page_alarm_where_the_statistic_crosses_h():
    mufs = [0.0, 0.3, -0.2, 1.2, 1.1, 1.4, 1.0, 0.9, 1.3, 1.2, 1.1, 1.0]
    cov = -0.3
    records = _year(mufs, cov=cov)
    (f,) = page_alarm(ctx(*records))
    c = np.diag(np.ones(12)) + np.diag(np.full(11, cov), 1) + np.diag(np.full(11, cov), -1)
    s = page(sitmuf(np.array(mufs), c), 0.5)
    h = page_threshold(0.05, 12, 0.5).h
    first = int(np.flatnonzero(s > h)[0])
    assert f.evidence[0] == first + 1 and f.consequence["first_alarm"] == MONTH_ENDS[first + 1]
    assert f.consequence["assumptions"]["h"] == pytest.approx(h)
    assert [b["page"] for b in f.consequence["balances"]] == pytest.approx(s.tolist())
    start = int(np.flatnonzero(s[:first] == 0.0)[-1]) + 1
    assert f.consequence["estimated_loss_kg"] == pytest.approx(sum(mufs[start:first + 1]))


def test_no_page_alarm_without_loss_and_the_year_balance_left_out():
    records = _year([0.1, -0.4, 0.3, 0.0, -0.2, 0.5, 0.1, -0.1, 0.0, 0.2, -0.3, 0.1])
    year = mbr(13, MONTH_ENDS[0], MONTH_ENDS[-1], muf=60.0, sigma=1.0, sequence=False)
    assert page_alarm(ctx(*records, year)) == []
    assert [f.evidence for f in muf_above_threshold(ctx(*records, year))] == [(13,)]


def icr(entries) -> Rec:
    payload = {"mba": "MBA-1", "period_start": "2024-05-31", "period_end": "2024-06-30",
               "entries": entries}
    return Rec(20, "inventory_change_report", "X", d("2024-06-30"), d("2024-06-30"),
               payload=payload)


def receipt(shipper, receiver, sigma=None, pct=0.711):
    return {"date": "2024-06-03", "kmp": "feed", "change": "receipt", "batch": "48Y-1",
            "items": 1, "kg_u": receiver, "u235_pct": pct, "shipper_kg_u": shipper,
            "sigma_kg_u": sigma}


def test_shipper_receiver_differences():
    """Default sigma: both weighings at the catalog's load-cell random rsd (0.05 %);
    two-sided at 0.01 per receipt (z = 2.576)."""
    z = float(stats.norm.isf(0.005))
    sigma = float(np.hypot(0.0005 * 8460.0, 0.0005 * 8450.0))
    assert shipper_receiver_difference(ctx(icr([receipt(8450.0 + 0.99 * z * sigma,
                                                        8450.0)]))) == []
    shipper = 8450.0 + 1.01 * z * np.hypot(0.0005 * 8478.0, 0.0005 * 8450.0)
    (f,) = shipper_receiver_difference(ctx(icr([receipt(shipper, 8450.0),
                                                receipt(8450.0, 8449.0)])))
    (item,) = f.consequence["receipts"]
    assert item["difference_kg_u"] == pytest.approx(shipper - 8450.0)
    assert item["sigma_reported"] is False and f.severity == "medium"
    (g,) = shipper_receiver_difference(ctx(icr([receipt(1000.0, 990.0, sigma=1.0, pct=4.0)])))
    assert g.consequence["receipts"][0]["difference_over_sigma"] == pytest.approx(10.0)
    assert g.consequence["missing_kg_u235"] == pytest.approx(0.4)
    settings = AccountancySettings(srd_false_alarm=1e-30)
    assert shipper_receiver_difference(ctx(icr([receipt(1000.0, 990.0, 1.0)])), settings) == []


PLANT = (ROOT / "examples" / "accountancy" / "plant.toml").read_text()


def _declaration() -> Rec:
    return Rec(2, "declaration", "X", d("2023-06-01"), d("2023-05-15"),
               payload={"declared_on": "2023-05-15", "plant": PLANT,
                        "declared_max_assay_pct": 5.0})


def _production(product_kg: float) -> dict:
    """A year of the example plant's own streams (24,400 / 3,200 / 21,200 kg U a month)."""
    tails = 21_200 * 12 + (38_400.0 - product_kg)
    return {"feed": [{"items": 35, "kg_u": 292_800.0, "u235_pct": 0.711}],
            "product": [{"items": 26, "kg_u": product_kg, "u235_pct": 4.0046}],
            "tails": [{"items": 31, "kg_u": tails, "u235_pct": 0.213853}],
            "operating_fraction": 1.0}


def test_declared_production_against_the_declared_plant():
    ok = mbr(3, "2023-12-31", "2024-12-31", 0.0, production=_production(38_400.0))
    assert production_capacity(ctx(_declaration(), ok)) == []
    # 1 SQ of product declared as tails: the uranium balances, its U-235 does not
    short = mbr(4, "2023-12-31", "2024-12-31", 0.0, production=_production(38_400.0 - 1873.0))
    (f,) = production_capacity(ctx(_declaration(), short))
    c = f.consequence
    assert f.evidence == (4, 2) and f.severity == "medium"
    assert not c["u_balance_alarm"] and c["u235_balance_alarm"]
    assert c["balance"]["u235_balance_kg"] == pytest.approx(1873.0 * (4.0046 - 0.213853) / 100,
                                                           abs=1e-3)   # rounded tails assay
    assert c["excess_swu_kg"] == pytest.approx(c["balance"]["swu_kg"] - c["capacity_swu_kg"])
    assert f.consequence["assumptions"]["false_alarm"] == 0.05


def test_evaluate_runs_the_accountancy_rules_after_the_built_in_ones():
    records = [Rec(1, "facility", "X", d("2023-01-01"), d("2023-01-01"),
                   payload={"name": "X"}), _declaration()] + _year([0.0] * 5 + [80.0] + [0.0] * 6)
    result = evaluate(records, "X", d("2025-01-31"))
    assert [f.rule for f in result.findings] == ["muf-above-threshold", "page-alarm"]
    assert all("assumptions" in f.consequence for f in result.findings)
