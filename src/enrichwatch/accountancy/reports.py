"""Accountancy reports from an analysed study, as record payloads: inventory change reports
(ICR), physical inventory listings (PIL) and material balance reports (MBR).

Plain dictionaries in the shape of the record store's payloads
(:mod:`enrichwatch.records.payloads`: ``inventory_change_report``,
``physical_inventory_listing``, ``material_balance_report``); the store validates them when
they are appended. One ICR and one MBR per balance period (valid from its closing inventory
date), one PIL per inventory date, and, when the study has more than one balance, one MBR of
the whole horizon (``sequence = false``: MUF = CUMUF, sigma its own) carrying the plant check's
declared feed, product and tails when the study has a plant check. Dates need the study's
start date (a date means the end of that day).

Examples
--------
>>> from enrichwatch.accountancy.study_io import load_study
>>> from enrichwatch.accountancy.study import analyse
>>> study = load_study("examples/accountancy/no-loss.toml")
>>> reports = accountancy_reports(analyse(study, iterations=100))
>>> [(kind, str(day)) for kind, day, _ in reports][:3]
[('physical_inventory_listing', '2023-12-31'), ('physical_inventory_listing', '2024-01-31'), \
('inventory_change_report', '2024-01-31')]
>>> sorted(reports[-1][2]["balances"])
['U', 'U235']
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from ..errors import InputError
from .balance import Flow, Items, Level
from .plant_checks import DeclaredStream, sq_category
from .study import AccountancyAnalysis, QuantityAnalysis, Study

__all__ = ["accountancy_reports"]


def _day(study: Study, hours: float) -> date:
    day = study.date_of(hours)
    if day is None:
        raise InputError("study.start_date", None, "a start date (or [periods] boundary_dates) "
                                                   "to date the reports")
    return day


def _pct(fractions: np.ndarray | None, j: int) -> float | None:
    return None if fractions is None else round(100.0 * float(fractions[j]), 9)


def _entries(study: Study, k: int) -> list[dict]:
    b = study.periods.boundaries_h
    out = []
    for p in study.area.points:
        if p.role == "inventory":
            continue
        change = "receipt" if p.role == "input" else "shipment"
        if isinstance(p.data, Flow):
            kg = float(p.data.weights(b)[k] @ p.data.amounts("U"))
            if kg > 0:
                out.append({"date": _day(study, b[k + 1]).isoformat(), "kmp": p.name,
                            "change": change, "batch": "flow", "kg_u": kg})
            continue
        assert isinstance(p.data, Items)
        for j in np.flatnonzero(study.periods.period_of(p.data.times_h) == k):
            entry = {"date": _day(study, float(p.data.times_h[j])).isoformat(), "kmp": p.name,
                     "change": change, "kg_u": float(p.data.masses_kg_u[j])}
            pct = _pct(p.data.u235_fraction, int(j))
            out.append(entry if pct is None else entry | {"u235_pct": pct})
    return sorted(out, key=lambda e: (e["date"], e["kmp"]))


def _listing(study: Study, i: int) -> list[dict]:
    out = []
    for p in study.area.points:
        if p.role != "inventory":
            continue
        assert isinstance(p.data, Items | Level)
        for j in np.flatnonzero(study.periods.boundary_of(p.data.times_h) == i):
            item = {"kmp": p.name, "kg_u": float(p.data.masses_kg_u[j])}
            pct = _pct(p.data.u235_fraction, int(j))
            out.append(item if pct is None else item | {"u235_pct": pct})
    return out


def _figures(q: QuantityAnalysis, k: int) -> dict:
    b, cov = q.balance, q.covariance.matrix
    return {"beginning_kg": float(b.beginning[k]), "inputs_kg": float(b.inputs[k]),
            "outputs_kg": float(b.outputs[k]), "ending_kg": float(b.ending[k]),
            "muf_kg": float(b.muf[k]), "sigma_muf_kg": float(np.sqrt(cov[k, k])),
            "covariance_previous_kg2": float(cov[k, k - 1]) if k else None}


def _horizon(q: QuantityAnalysis) -> dict:
    b = q.balance
    return {"beginning_kg": float(b.beginning[0]), "inputs_kg": float(b.inputs.sum()),
            "outputs_kg": float(b.outputs.sum()), "ending_kg": float(b.ending[-1]),
            "muf_kg": float(b.muf.sum()),
            "sigma_muf_kg": float(q.covariance.sigma_cumuf()[-1]),
            "covariance_previous_kg2": None}


def _material(study: Study) -> str:
    """The SQ category of the area's most enriched output (LEU for an enrichment plant)."""
    best = 0.0
    for p in study.area.points:
        if p.role == "output" and p.data.u235_fraction is not None:
            best = max(best, float(np.max(p.data.u235_fraction)))
    if best == 0.0:
        return "natural"
    from ..composition import Assay

    return sq_category(Assay.from_mass_fraction(best))


def _batches(stream: DeclaredStream) -> list[dict]:
    return [{"items": 1, "kg_u": float(m), "u235_pct": float(100.0 * x)}
            for m, x in zip(stream.kg_u, stream.fractions, strict=True)]


def _production(study: Study) -> dict | None:
    c = study.plant_check
    if c is None:
        return None
    pm = c.feed.measurement
    out: dict[str, Any] = {name: _batches(getattr(c, name))
                           for name in ("feed", "product", "tails")}
    out["operating_fraction"] = c.operating_fraction
    out["mass_random_rsd"], out["mass_systematic_rsd"] = (pm.mass.random_rsd,
                                                          pm.mass.systematic_rsd)
    if pm.assay is not None:
        out["assay_random_rsd"] = pm.assay.random_rsd
        out["assay_systematic_rsd"] = pm.assay.systematic_rsd
    return out


def accountancy_reports(analysis: AccountancyAnalysis
                        ) -> list[tuple[str, date, dict[str, Any]]]:
    """The study's reports as ``(kind, valid_from, payload)``, in date order (a PIL before the
    ICR and MBR of the period it closes).

    Raises
    ------
    InputError
        The study has no start date (its times cannot be dated).
    """
    study = analysis.study
    b, mba, material = study.periods.boundaries_h, study.area.name, _material(study)
    pil: list[tuple[str, date, dict[str, Any]]] = [
        ("physical_inventory_listing", _day(study, b[i]),
            {"mba": mba, "items": _listing(study, i), "summary": f"physical inventory {i}"})
        for i in range(b.size)]
    out = [pil[0]]
    for k in range(study.periods.count):
        start, end = _day(study, b[k]), _day(study, b[k + 1])
        period: dict[str, Any] = {"mba": mba, "period_start": start.isoformat(),
                                  "period_end": end.isoformat()}
        out += [pil[k + 1],
                ("inventory_change_report", end, period | {"entries": _entries(study, k)}),
                ("material_balance_report", end, period | {
                    "material": material, "summary": f"balance {k + 1}",
                    "balances": {q.quantity: _figures(q, k) for q in analysis.quantities}})]
    production = _production(study)
    if study.periods.count > 1 or production is not None:
        start, end = _day(study, b[0]), _day(study, b[-1])
        payload: dict[str, Any] = {
                   "mba": mba, "period_start": start.isoformat(), "period_end": end.isoformat(),
                   "material": material, "sequence": False, "summary": "whole horizon",
                   "balances": {q.quantity: _horizon(q) for q in analysis.quantities}}
        out.append(("material_balance_report", end,
                    payload | ({} if production is None else {"production": production})))
    return out
