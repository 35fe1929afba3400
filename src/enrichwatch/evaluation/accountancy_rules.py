"""Accountancy rules (issue 10): findings from material balance reports (MBR) and inventory
change reports (ICR) in the store.

4. ``muf-above-threshold``: an MBR whose MUF (U or U-235) exceeds ``z sigma-MUF``, the
   one-sided single-balance test at a false-alarm probability per balance that gives
   ``false_alarm_per_year`` over a year of such balances (Sidak:
   ``1 - (1 - alpha)^(days / 365.25)``, :func:`enrichwatch.accountancy.balance_false_alarm`,
   the convention the accountancy study uses too).
5. ``page-alarm``: Page's test on the SITMUF of an area's MBR sequence (per quantity, ordered by
   period end) alarms; h calibrated for ``false_alarm_per_year`` within a year of balances
   (Brook-Evans Markov chain), reference value ``page_k``. The MUF covariance is built from the
   reported sigma-MUF and covariance with the previous balance (balances further apart taken as
   uncorrelated); a balance spanning others (``sequence = false``, e.g. a year's) is left out.
6. ``shipper-receiver-difference``: an ICR receipt whose shipper's value differs from the
   receiver's by more than ``z sigma`` (two-sided at ``srd_false_alarm`` per entry; sigma as
   reported, else both weighings at the catalog's load-cell uncertainty).
7. ``declared-production-capacity``: an MBR's declared feed, product and tails against the
   declaration in force (:func:`enrichwatch.accountancy.check_plant`): production that needs
   more separative work than the declared cascades deliver, capacity to spare for
   ``min_sq`` SQ of HEU or more, or feed, product and tails that do not balance.

Every finding states its thresholds and false-alarm probabilities in ``consequence`` under
``assumptions``. Each rule is ``rule(context) -> list[Finding]`` like the built-in ones
(:mod:`.rules`); :data:`ACCOUNTANCY_RULES` runs after them.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation.casefile import CaseRecord
>>> from enrichwatch.evaluation.plants import PlantCache
>>> from enrichwatch.evaluation.rules import Context
>>> mbr = CaseRecord(1, "material_balance_report", "X", date(2024, 6, 30), date(2024, 7, 5),
...                  None, "operator MBR", {"mba": "MBA-1", "period_start": "2024-05-31",
...                  "period_end": "2024-06-30", "material": "LEU", "balances": {"U235": {
...                  "beginning_kg": 100.0, "inputs_kg": 150.0, "outputs_kg": 60.0,
...                  "ending_kg": 110.0, "muf_kg": 80.0, "sigma_muf_kg": 0.5}}})
>>> ctx = Context.build([mbr], "X", date(2024, 8, 1), PlantCache())
>>> [(f.rule, f.severity) for f in muf_above_threshold(ctx)]
[('muf-above-threshold', 'high')]
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..constants import (
    DAYS_PER_YEAR,
    SQ_DEPLETED_U_KG,
    SQ_HEU_U235_KG,
    SQ_LEU_U235_KG,
    SQ_NATURAL_U_KG,
)
from ..dates import parse_date
from ..errors import InputError
from .findings import Finding
from .records import RecordLike

if TYPE_CHECKING:          # numpy loads when a report is tested, as scipy (see _isf)
    import numpy as np

__all__ = ["ACCOUNTANCY_RULES", "DEFAULT_SETTINGS", "AccountancySettings",
           "muf_above_threshold", "page_alarm", "production_capacity",
           "shipper_receiver_difference"]

_MBR, _ICR = "material_balance_report", "inventory_change_report"
_UNIT = {"U": "kg U", "U235": "kg U-235"}
#: Natural uranium's U-235 mass fraction, to express natural-U MUF of U-235 in kg U.
_NATURAL_FRACTION = 0.00711


@dataclass(frozen=True)
class AccountancySettings:
    """Thresholds of the accountancy rules (every finding states those it used).

    Parameters
    ----------
    false_alarm_per_year : float
        Of the MUF test over a year of balances, and of Page's test within a year.
    page_k : float
        Page's reference value [SITMUF units].
    srd_false_alarm : float
        Per receipt, of the two-sided shipper/receiver test.
    plant_false_alarm : float
        Of each test of the plant check.
    min_sq : float
        Spare capacity, in SQ of HEU, from which it is a finding.
    """

    false_alarm_per_year: float = 0.05
    page_k: float = 0.5
    srd_false_alarm: float = 0.01
    plant_false_alarm: float = 0.05
    min_sq: float = 1.0


#: The settings :func:`~enrichwatch.evaluation.evaluate` uses.
DEFAULT_SETTINGS = AccountancySettings()


def _day(value: Any) -> date:
    return parse_date(value)


def _sq(quantity: str, kg: float, material: str) -> float | None:
    """``kg`` of ``quantity`` in significant quantities of ``material`` (None if the quantity
    alone does not say)."""
    if quantity == "U235":
        per = {"LEU": SQ_LEU_U235_KG, "HEU": SQ_HEU_U235_KG,
               "natural": SQ_NATURAL_U_KG * _NATURAL_FRACTION}.get(material)
    else:
        per = {"natural": SQ_NATURAL_U_KG, "depleted": SQ_DEPLETED_U_KG}.get(material)
    return None if per is None else kg / per


def _reports(ctx, kind: str) -> list[RecordLike]:
    return sorted(ctx.of_kind(kind), key=lambda r: (_day(r.payload["period_end"]), r.id))


def _isf(p: float) -> float:
    """The standard normal quantile exceeded with probability ``p`` (scipy.stats, a large
    import: loaded only when a report is tested)."""
    from scipy import stats

    return float(stats.norm.isf(p))


# -- rule 4: MUF above its threshold -----------------------------------------------------------


def _muf_items(p: Mapping[str, Any], s: AccountancySettings) -> tuple[list[dict], float]:
    from ..accountancy.detection import balance_false_alarm  # lazy, as _isf

    days = (_day(p["period_end"]) - _day(p["period_start"])).days
    alpha = float(balance_false_alarm(s.false_alarm_per_year, max(days, 1)))
    z = _isf(alpha)
    out = []
    for q, b in sorted(p["balances"].items()):
        sigma = b.get("sigma_muf_kg")
        if sigma is None or not b["muf_kg"] > z * sigma:
            continue
        out.append({"quantity": q, "unit": _UNIT[q], "muf_kg": b["muf_kg"],
                    "sigma_muf_kg": sigma, "muf_over_sigma": b["muf_kg"] / sigma,
                    "threshold_kg": z * sigma, "sq": _sq(q, b["muf_kg"], p["material"])})
    return out, alpha


def _convention() -> str:
    from ..accountancy.detection import BALANCE_FALSE_ALARM_CONVENTION

    return BALANCE_FALSE_ALARM_CONVENTION


def muf_above_threshold(ctx, settings: AccountancySettings = DEFAULT_SETTINGS
                        ) -> list[Finding]:
    """Rule 4: MBRs whose MUF exceeds its single-balance threshold (apparent loss)."""
    out = []
    for mbr in _reports(ctx, _MBR):
        p = mbr.payload
        items, alpha = _muf_items(p, settings)
        if not items:
            continue
        z = _isf(alpha)
        big = any((i["sq"] or 0.0) >= 1.0 for i in items)
        words = "; ".join(f"{i['quantity']}: MUF {i['muf_kg']:.4g} {i['unit']} = "
                          f"{i['muf_over_sigma']:.2f} sigma-MUF (threshold {i['threshold_kg']:.4g}"
                          f" {i['unit']})" + ("" if i["sq"] is None else f", {i['sq']:.3g} SQ")
                          for i in items)
        out.append(Finding(
            rule="muf-above-threshold", severity="high" if big else "medium",
            title=f"MUF above its threshold in {p['mba']} for the balance closing "
                  f"{p['period_end']}",
            detail=f"Material balance report {mbr.id} ({mbr.source}) of {p['mba']}, "
                   f"{p['period_start']} to {p['period_end']}: {words}. The test is one-sided "
                   f"(losses) at a false-alarm probability of {alpha:.4g} for this balance "
                   f"({settings.false_alarm_per_year:g} a year); an apparent loss this large "
                   "is unlikely from measurement error alone.",
            evidence=(mbr.id,),
            consequence={"mba": p["mba"], "period_start": p["period_start"],
                         "period_end": p["period_end"], "material": p["material"],
                         "balances": items, "assumptions": {
                             "test": "one-sided, MUF > z sigma-MUF (sigma as reported)",
                             "false_alarm_per_balance": alpha, "z": z,
                             "false_alarm_per_year": settings.false_alarm_per_year,
                             "convention": _convention(),
                             "sq": "IAEA significant quantities of the reported material"}}))
    return out


# -- rule 5: Page's test on SITMUF -------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _threshold(alpha: float, balances: int, k: float) -> float:
    from ..accountancy import page_threshold

    return page_threshold(alpha, balances, k).h


def _sequence(mbrs: Sequence[RecordLike], quantity: str) -> list[RecordLike]:
    return [r for r in mbrs if quantity in r.payload["balances"]
            and r.payload["balances"][quantity].get("sigma_muf_kg") is not None]


def _covariance(seq: Sequence[RecordLike], quantity: str) -> np.ndarray:
    import numpy as np

    b = [r.payload["balances"][quantity] for r in seq]
    cov = np.diag([x["sigma_muf_kg"] ** 2 for x in b])
    for i in range(1, len(seq)):
        joined = seq[i].payload["period_start"] == seq[i - 1].payload["period_end"]
        c = b[i].get("covariance_previous_kg2")
        if joined and c is not None:
            cov[i, i - 1] = cov[i - 1, i] = c
    return cov


def _page_finding(seq: Sequence[RecordLike], quantity: str, s: AccountancySettings
                  ) -> Finding | None:
    import numpy as np

    from ..accountancy import page, sitmuf

    muf = np.array([r.payload["balances"][quantity]["muf_kg"] for r in seq])
    try:
        y = sitmuf(muf, _covariance(seq, quantity))
    except InputError:
        return None                                 # reported covariances not consistent
    days = np.mean([(_day(r.payload["period_end"]) - _day(r.payload["period_start"])).days
                    for r in seq])
    per_year = max(1, round(DAYS_PER_YEAR / max(float(days), 1.0)))
    h = _threshold(s.false_alarm_per_year, per_year, s.page_k)
    stat = page(y, s.page_k)
    alarms = np.flatnonzero(stat > h)
    if not alarms.size:
        return None
    j = int(alarms[0])
    zeros = np.flatnonzero(stat[:j] == 0.0)
    i = int(zeros[-1]) + 1 if zeros.size else 0
    run = seq[i:j + 1]
    loss = float(muf[i:j + 1].sum())
    p = seq[j].payload
    sq = _sq(quantity, loss, p["material"])
    table = [{"record": r.id, "period_end": r.payload["period_end"], "muf_kg": float(muf[n]),
              "sitmuf": float(y[n]), "page": float(stat[n])} for n, r in enumerate(seq)]
    return Finding(
        rule="page-alarm", severity="high" if (sq or 0.0) >= 1.0 else "medium",
        title=f"Page's test alarms on the {quantity} balances of {p['mba']} at the balance "
              f"closing {p['period_end']}",
        detail=f"Over the material balance reports of {p['mba']} ({len(seq)} balances, "
               f"{quantity}), Page's statistic on SITMUF reaches {stat[j]:.3g} > h = {h:.3g} "
               f"at the balance closing {p['period_end']} (record {seq[j].id}); the balances "
               f"since the statistic last stood at zero ({len(run)}) hold MUF "
               f"{loss:.4g} {_UNIT[quantity]}" + ("" if sq is None else f" ({sq:.3g} SQ)")
               + f". {int(alarms.size)} balance(s) alarm in all.",
        evidence=tuple(dict.fromkeys([seq[j].id] + [r.id for r in run])),
        consequence={"mba": p["mba"], "quantity": quantity, "first_alarm": p["period_end"],
                     "estimated_loss_kg": loss, "sq": sq, "balances": table,
                     "assumptions": {
                         "test": "Page (CUSUM) on SITMUF, upper side", "k": s.page_k, "h": h,
                         "false_alarm_per_year": s.false_alarm_per_year,
                         "balances_per_year": per_year, "h_from": "Brook-Evans Markov chain",
                         "covariance": "reported sigma-MUF and covariance with the previous "
                                       "balance; balances further apart uncorrelated"}})


def page_alarm(ctx, settings: AccountancySettings = DEFAULT_SETTINGS) -> list[Finding]:
    """Rule 5: Page's test alarms on an area's sequence of balances (per quantity)."""
    by_area: dict[str, list[RecordLike]] = {}
    for mbr in _reports(ctx, _MBR):
        if mbr.payload.get("sequence", True):
            by_area.setdefault(mbr.payload["mba"], []).append(mbr)
    out = []
    for mbrs in by_area.values():
        for quantity in ("U", "U235"):
            seq = _sequence(mbrs, quantity)
            finding = _page_finding(seq, quantity, settings) if seq else None
            if finding is not None:
                out.append(finding)
    return out


# -- rule 6: shipper/receiver differences ------------------------------------------------------


def _default_rsd() -> float:
    from ..accountancy import load_methods

    return load_methods()["load-cell-weighing"].random_rsd


def _srd_items(icr: RecordLike, z: float, default_rsd: float) -> list[dict]:
    import numpy as np

    out = []
    for n, e in enumerate(icr.payload.get("entries") or ()):
        if e["change"] != "receipt" or e.get("shipper_kg_u") is None:
            continue
        diff = e["shipper_kg_u"] - e["kg_u"]
        sigma = e.get("sigma_kg_u") or float(np.hypot(default_rsd * e["shipper_kg_u"],
                                                       default_rsd * e["kg_u"]))
        if sigma > 0 and abs(diff) > z * sigma:
            pct = e.get("u235_pct")
            out.append({"entry": n, "date": e["date"], "kmp": e["kmp"], "batch": e["batch"],
                        "shipper_kg_u": e["shipper_kg_u"], "receiver_kg_u": e["kg_u"],
                        "difference_kg_u": diff, "sigma_kg_u": sigma,
                        "difference_over_sigma": diff / sigma,
                        "sigma_reported": e.get("sigma_kg_u") is not None,
                        "difference_kg_u235": None if pct is None else diff * pct / 100.0})
    return out


def shipper_receiver_difference(ctx, settings: AccountancySettings = DEFAULT_SETTINGS
                                ) -> list[Finding]:
    """Rule 6: receipts whose shipper and receiver values differ significantly."""
    reports = _reports(ctx, _ICR)
    if not reports:                     # (no inventory change report: nothing to load)
        return []
    z = _isf(settings.srd_false_alarm / 2.0)
    rsd = _default_rsd()
    out = []
    for icr in reports:
        items = _srd_items(icr, z, rsd)
        if not items:
            continue
        p = icr.payload
        u235 = sum(max(i["difference_kg_u235"] or 0.0, 0.0) for i in items)
        words = "; ".join(f"{i['date']} {i['kmp']} {i['batch']}".rstrip()
                          + f": shipper {i['shipper_kg_u']:.6g} kg U, receiver "
                          f"{i['receiver_kg_u']:.6g} kg U, difference {i['difference_kg_u']:+.4g}"
                          f" kg U = {i['difference_over_sigma']:+.2f} sigma" for i in items)
        out.append(Finding(
            rule="shipper-receiver-difference",
            severity="high" if u235 >= SQ_LEU_U235_KG else "medium",
            title=f"Shipper/receiver difference in {p['mba']} ({len(items)} receipt(s), "
                  f"{p['period_start']} to {p['period_end']})",
            detail=f"Inventory change report {icr.id} ({icr.source}): {words}. Each receipt is "
                   f"tested two-sided at a false-alarm probability of "
                   f"{settings.srd_false_alarm:g}; a positive difference is material the "
                   "shipper declares and the receiver does not find.",
            evidence=(icr.id,),
            consequence={"mba": p["mba"], "receipts": items,
                         "missing_kg_u235": u235 or None, "assumptions": {
                             "test": "two-sided, |shipper - receiver| > z sigma",
                             "false_alarm_per_receipt": settings.srd_false_alarm, "z": z,
                             "sigma_default": f"both weighings independent at the catalog's "
                                              f"load-cell random uncertainty ({rsd:g}) when "
                                              "the report gives no sigma_kg_u"}}))
    return out


# -- rule 7: declared production against the declared plant ------------------------------------


@functools.lru_cache(maxsize=8)
def _solved(text: str, where: str):
    from ..facility import Facility, solve_plant

    return solve_plant(Facility.from_toml_text(text, where), capability=False)


def _streams(production: dict):
    import numpy as np

    from ..accountancy import DeclaredStream, PointMeasurement, Uncertainty, load_methods

    methods = load_methods()
    mass_m, assay_m = methods["load-cell-weighing"], methods["mass-spectrometry-gsms"]

    def rsd(key: str, default: float) -> float:
        value = production.get(key)
        return default if value is None else value

    pm = PointMeasurement(
        Uncertainty(rsd("mass_random_rsd", mass_m.random_rsd),
                    rsd("mass_systematic_rsd", mass_m.systematic_rsd), instrument="scale"),
        Uncertainty(rsd("assay_random_rsd", assay_m.random_rsd),
                    rsd("assay_systematic_rsd", assay_m.systematic_rsd),
                    instrument="mass-spectrometer"))
    out = []
    for name in ("feed", "product", "tails"):
        batches = production[name]
        kg = np.concatenate([np.full(b["items"], b["kg_u"] / b["items"]) for b in batches])
        pct = np.concatenate([np.full(b["items"], b["u235_pct"]) for b in batches])
        out.append(DeclaredStream.from_weight_percent(name, kg, pct, pm))
    return out


def _production_finding(ctx, mbr: RecordLike, s: AccountancySettings) -> Finding | None:
    from ..accountancy import check_plant

    p = mbr.payload
    end, start = _day(p["period_end"]), _day(p["period_start"])
    decl = ctx.declaration(end)
    if decl is None or not decl.payload.get("plant"):
        return None
    production = p["production"]
    plant = _solved(decl.payload["plant"], f"record {decl.id} payload.plant")
    feed, product, tails = _streams(production)
    check = check_plant(feed, product, tails, plant, (end - start).days,
                        operating_fraction=production["operating_fraction"],
                        false_alarm=s.plant_false_alarm, min_sq=s.min_sq)
    if not check.findings:
        return None
    severe = check.excess_production or check.unaccounted_capacity
    return Finding(
        rule="declared-production-capacity", severity="high" if severe else "medium",
        title=f"Declared production of {p['mba']} ({p['period_start']} to {p['period_end']}) "
              "does not fit the declared plant",
        detail=f"Material balance report {mbr.id} ({mbr.source}) declares the period's feed, "
               f"product and tails; against declaration {decl.id} (in force on {end}): "
               + "; ".join(check.findings) + ".",
        evidence=(mbr.id, decl.id),
        consequence={**check.as_dict(), "assumptions": {
            "tests": "separative work one-sided, balances two-sided",
            "false_alarm": s.plant_false_alarm, "min_sq": s.min_sq,
            "capacity": "net separative work of the declared plant at its declared operating "
                        "point (physics engine), uncertainty from the machines' rated ranges",
            "measurement": "one scale and one mass spectrometer for the three streams "
                           "(catalog uncertainties unless the report gives them)"}})


def production_capacity(ctx, settings: AccountancySettings = DEFAULT_SETTINGS
                        ) -> list[Finding]:
    """Rule 7: declared feed, product and tails against the declared plant."""
    out = []
    for mbr in _reports(ctx, _MBR):
        if mbr.payload.get("production"):
            finding = _production_finding(ctx, mbr, settings)
            if finding is not None:
                out.append(finding)
    return out


#: The accountancy rules, in order (run after the built-in rules).
ACCOUNTANCY_RULES = (muf_above_threshold, page_alarm, shipper_receiver_difference,
                     production_capacity)
