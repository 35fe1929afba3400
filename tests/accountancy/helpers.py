"""Shared builders for the accountancy tests: the reference vectors, the toy balance sequence of
SG-MUF-003, and a small balanced enrichment-plant area."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from enrichwatch.accountancy import (
    BalancePeriods,
    Items,
    Level,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PointMeasurement,
    Uncertainty,
)

VECTORS = Path(__file__).with_name("stats_vectors.json")


@cache
def _vectors() -> dict[str, dict]:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    return {v["id"]: v for v in doc["vectors"]}


def vector(vector_id: str) -> dict:
    """One reference vector (copied from shared/reference/safeguards-vectors.json)."""
    return _vectors()[vector_id]


def toy_area(inputs: dict) -> tuple[MaterialBalanceArea, BalancePeriods]:
    """The 4-period toy of SG-MUF-003 (one item per period at its middle; the inventory listed
    at every boundary; C0 measured like the others)."""
    mbp = inputs["mbp"]
    n = len(inputs["input_per_period"])
    mid = mbp * (np.arange(n) + 0.5)
    w = Items.from_weight_percent
    area = MaterialBalanceArea("toy", (
        MeasurementPoint("input", "input", w(mid, inputs["input_per_period"])),
        MeasurementPoint("inventory", "inventory",
                         w(mbp * np.arange(n + 1), inputs["inventory_at_t0_t10_t20_t30_t40"])),
        MeasurementPoint("output", "output", w(mid, inputs["output_per_period"])),
    ))
    return area, BalancePeriods.regular(0.0, mbp, n)


def toy_model(inputs: dict) -> MeasurementModel:
    """The vector's error model: one systematic error per point for the whole horizon."""
    return MeasurementModel({name: PointMeasurement(Uncertainty(r["random"], r["systematic"]))
                             for name, r in inputs["rsd"].items()})


def balanced_plant(months: int = 12, *, calibration_h: float | None = 730.0,
                   ) -> tuple[MaterialBalanceArea, BalancePeriods, MeasurementModel]:
    """A balanced enrichment-plant area: 10 feed cylinders (1000 kg U, 0.711 %) a month, the
    product (4.5 %) and tails (0.25 %) they make, a cylinder store and an hourly hold-up level
    that stay constant. Element and U-235 MUF are zero. The scale (shared by feed, product and
    tails) is recalibrated every ``calibration_h`` hours."""
    xf, xp, xt = 0.711, 4.5, 0.25
    p = (xf - xt) / (xp - xt) * 1000.0
    month = 730.0
    times = np.concatenate([m * month + np.linspace(30, 700, 10) for m in range(months)])
    w = Items.from_weight_percent
    hourly = np.arange(0, months * month + 1, 1.0)
    area = MaterialBalanceArea("plant", (
        MeasurementPoint("feed", "input", w(times, np.full(times.size, 1000.0), xf)),
        MeasurementPoint("product", "output", w(times + 5, np.full(times.size, p), xp)),
        MeasurementPoint("tails", "output", w(times + 5, np.full(times.size, 1000.0 - p), xt)),
        MeasurementPoint("store", "inventory",
                         w(month * np.arange(months + 1), np.full(months + 1, 20_000.0), xf)),
        MeasurementPoint("holdup", "inventory",
                         Level.from_weight_percent(hourly, np.full(hourly.size, 400.0), 2.0)),
    ))
    scale = Uncertainty(0.0005, 0.0005, calibration_period_h=calibration_h, instrument="scale")
    nda = Uncertainty(0.01, 0.005, calibration_period_h=calibration_h)
    model = MeasurementModel({
        "feed": PointMeasurement(scale, nda), "product": PointMeasurement(scale, nda),
        "tails": PointMeasurement(scale, nda),
        "store": PointMeasurement(Uncertainty(0.0005, 0.0005), nda),
        "holdup": PointMeasurement(Uncertainty(0.05, 0.05, calibration_period_h=calibration_h),
                                   Uncertainty(0.05, 0.02)),
    })
    return area, BalancePeriods.regular(0.0, month, months), model
