"""Make the accountancy example's input files (seeded, so the files are reproducible).

    python examples/accountancy/make_example.py

An illustrative enrichment plant (``plant.toml``: 24,400 kg U/month of natural UF6 feed,
3,200 kg U/month of 4.00 wt% product, 0.214 wt% tails) is one material balance area over 2024,
with a physical inventory at the end of every month (12 balances). A day-by-day simulation of
its cylinders gives the true items:

* ``feed-receipts`` (input): full 48Y cylinders of natural UF6 received (about 8,450 kg U);
* ``product-shipments`` (output): full 30B cylinders of LEU (1,500 kg U) shipped on the 15th;
* ``tails-transfers`` (output): full 48Y tails cylinders (8,400 kg U) moved to the tails yard,
  another material balance area;
* ``feed-cylinders``, ``product-cylinders``, ``tails-cylinders`` (inventory): every cylinder in
  the area at each physical inventory, full or partly fed / filled at the stations;
* ``cascade-holdup`` (inventory): the gas in the cascade, a daily level in MAPIT's CSV layout
  (``holdup.csv``).

The declared values are the true ones measured under the study's own measurement model
(``enrichwatch.accountancy.simulate_observations``, seed 2024): one load-cell scale for every
cylinder (recalibrated each quarter), one mass spectrometer for every assay, the hold-up
estimated. Three files differ only in what happened: ``no-loss.toml``; ``abrupt-loss.toml``,
1 SQ of LEU (75 kg U-235: 1,873 kg U of 4.0046 wt% product) diverted from the product
withdrawal in early June; ``protracted-loss.toml``, the same diverted evenly over the year. The
hold-up's assay is declared (1.5 wt%), not measured per record. Each file also declares the
year's feed, product and tails for the plant check against ``plant.toml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import tomli_w

from enrichwatch.accountancy import (
    Items,
    Level,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PointMeasurement,
    Uncertainty,
    load_methods,
    simulate_observations,
)
from enrichwatch.errors import EnrichwatchWarning

HERE = Path(__file__).parent
START = dt.date(2024, 1, 1)
DAYS = 366
FEED, PRODUCT = 24_400.0 * 12 / DAYS, 3_200.0 * 12 / DAYS            # kg U per day
TAILS = FEED - PRODUCT
X_FEED, X_PRODUCT = 0.711, 4.0046                                    # wt% U-235
X_TAILS = (FEED * X_FEED - PRODUCT * X_PRODUCT) / TAILS              # closes the U-235 balance
X_HOLDUP, HOLDUP = 1.5, 150.0
SQ_KG_U = 75.0 / (X_PRODUCT / 100.0)                                 # 1 SQ of LEU as product
QUARTER_DAYS = 91.5
METHODS = load_methods()


def _month_ends() -> list[int]:
    """Day index (0 = 1 January) of the last day of each month."""
    ends, day = [], -1
    for month in range(1, 13):
        day += calendar.monthrange(2024, month)[1]
        ends.append(day)
    return ends


def _diversion(kind: str) -> np.ndarray:
    """Product diverted each day [kg U]."""
    out = np.zeros(DAYS)
    if kind == "abrupt":                       # all product from 1 June until 1 SQ is taken
        day, left = (dt.date(2024, 6, 1) - START).days, SQ_KG_U
        while left > 0:
            out[day] = min(PRODUCT, left)
            left, day = left - out[day], day + 1
    elif kind == "protracted":
        out[:] = SQ_KG_U / DAYS
    return out


def simulate(kind: str, rng: np.random.Generator) -> dict:
    """Day-by-day cylinders: item lists (day, kg U), inventories at each month end, the
    year's fed / filled amounts per cylinder for the plant check."""
    ends = set(_month_ends())
    store = [8450.0, 8452.0]
    station = {"feed": 4000.0, "product": 700.0, "tails": 3000.0}
    product_store = [1500.0]
    items: dict[str, list] = {k: [] for k in ("feed-receipts", "product-shipments",
                                              "tails-transfers", "feed-cylinders",
                                              "product-cylinders", "tails-cylinders")}
    fed, filled, tails_filled = [0.0], [0.0], [0.0]

    def inventory(day: int) -> None:
        items["feed-cylinders"] += [(day, m) for m in store + [station["feed"]] if m > 0]
        items["product-cylinders"] += [(day, m) for m in product_store + [station["product"]]
                                       if m > 0]
        items["tails-cylinders"] += [(day, station["tails"])] if station["tails"] > 0 else []

    inventory(-1)                                               # opening: 31 December 2023
    divert = _diversion(kind)
    for day in range(DAYS):
        while len(store) < 2:
            m = round(8450.0 + rng.uniform(-40.0, 30.0), 1)
            items["feed-receipts"].append((day, m))
            store.append(m)
        need = FEED
        while need > 1e-9:
            if station["feed"] <= 1e-9:
                station["feed"] = store.pop(0)
                fed.append(0.0)
            take = min(station["feed"], need)
            station["feed"] -= take
            fed[-1] += take
            need -= take
        station["product"] += PRODUCT - divert[day]
        filled[-1] += PRODUCT - divert[day]
        while station["product"] >= 1500.0:
            product_store.append(1500.0)
            station["product"] -= 1500.0
            filled[-1] -= station["product"]
            filled.append(station["product"])
        if dt.date(2024, 1, 1) + dt.timedelta(days=day) == _the_15th(day):
            items["product-shipments"] += [(day, m) for m in product_store]
            product_store = []
        station["tails"] += TAILS
        tails_filled[-1] += TAILS
        while station["tails"] >= 8400.0:
            items["tails-transfers"].append((day, 8400.0))
            station["tails"] -= 8400.0
            tails_filled[-1] -= station["tails"]
            tails_filled.append(station["tails"])
        if day in ends:
            inventory(day)
    return {"items": items, "declared": {"feed": fed, "product": filled,
                                         "tails": tails_filled}}


def _the_15th(day: int) -> dt.date:
    d = START + dt.timedelta(days=day)
    return dt.date(d.year, d.month, 15)


ASSAYS = {"feed-receipts": X_FEED, "feed-cylinders": X_FEED, "product-shipments": X_PRODUCT,
          "product-cylinders": X_PRODUCT, "tails-transfers": X_TAILS,
          "tails-cylinders": X_TAILS}
ROLES = {"feed-receipts": "input", "product-shipments": "output", "tails-transfers": "output",
         "feed-cylinders": "inventory", "product-cylinders": "inventory",
         "tails-cylinders": "inventory"}


def _hours(day: int) -> float:
    return (day + 1) * 24.0


def _model() -> MeasurementModel:
    scale = Uncertainty.from_method(METHODS["load-cell-weighing"],
                                    calibration_period_h=QUARTER_DAYS * 24,
                                    instrument="cylinder-scale")
    gsms = Uncertainty.from_method(METHODS["mass-spectrometry-gsms"],
                                   calibration_period_h=QUARTER_DAYS * 24,
                                   instrument="mass-spectrometer")
    points = {name: PointMeasurement(scale, gsms) for name in ROLES}
    points["cascade-holdup"] = PointMeasurement(Uncertainty(0.10, 0.10), Uncertainty(0.05, 0.05))
    return MeasurementModel(points)


def measured(sim: dict, seed: int) -> tuple[dict, np.ndarray]:
    """The declared (measured) values of every point, and of the hold-up level."""
    points = [MeasurementPoint(name, ROLES[name], Items.from_weight_percent(
        [_hours(d) for d, _ in sim["items"][name]], [m for _, m in sim["items"][name]],
        ASSAYS[name])) for name in ROLES]
    hold_t = np.arange(0, DAYS + 1) * 24.0
    points.append(MeasurementPoint("cascade-holdup", "inventory", Level.from_weight_percent(
        hold_t, np.full(hold_t.size, HOLDUP), X_HOLDUP)))
    area = MaterialBalanceArea("example", tuple(points))
    obs = simulate_observations(area, _model(), seed=seed, origin_h=0.0)
    return obs, hold_t


def _dates(days: list[int]) -> list[dt.date]:
    return [START + dt.timedelta(days=d) for d in days]


def _point_table(name: str, sim: dict, obs: dict) -> dict:
    days = [d for d, _ in sim["items"][name]]
    o = obs[name]
    return {"role": ROLES[name], "kind": "items", "dates": _dates(days),
            "masses_kg_u": [round(float(v), 1) for v in o.values[0]],
            "assay_wt_pct": [round(100 * float(x), 5) for x in o.u235_fraction[0]]}


def _measurement() -> dict:
    cyl = {"mass": {"method": "load-cell-weighing", "calibration_period_days": QUARTER_DAYS,
                    "instrument": "cylinder-scale"},
           "assay": {"method": "mass-spectrometry-gsms", "calibration_period_days": QUARTER_DAYS,
                     "instrument": "mass-spectrometer"}}
    out = {name: cyl for name in ROLES}
    out["cascade-holdup"] = {"mass": {"random_rsd": 0.10, "systematic_rsd": 0.10},
                             "assay": {"random_rsd": 0.05, "systematic_rsd": 0.05}}
    return out


def _declared(values: list[float], bias: float, rng: np.random.Generator) -> list[float]:
    """Amounts fed or filled, weighed on the one scale (its bias shared by the streams)."""
    v = np.array([x for x in values if x > 1e-6])
    return [round(float(x), 1) for x in v * (1 + bias + rng.normal(0.0, 0.0005, v.size))]


def document(kind: str, seed: int = 2024) -> tuple[dict, str]:
    rng = np.random.default_rng(seed)
    sim = simulate(kind, rng)
    obs, hold_t = measured(sim, seed)
    bias = rng.normal(0.0, METHODS["load-cell-weighing"].systematic_rsd)
    title = {"none": "no loss", "abrupt": "an abrupt loss of 1 SQ in June",
             "protracted": "a protracted loss of 1 SQ over the year"}[kind]
    doc = {
        "study": {"name": f"Example enrichment plant, MBA 1, 2024: {title}", "mba": "EX-MBA-1",
                  "description": "An illustrative enrichment plant (plant.toml) as one material "
                                 "balance area, monthly physical inventories; data made by "
                                 "make_example.py (seed 2024).",
                  "assumptions": [
                      "illustrative plant and data: no real facility",
                      "hold-up: estimated from process data, 10 % random and 10 % systematic "
                      "(enrichwatch assumption); its assay declared, not measured",
                      "one load-cell scale for every cylinder and one mass spectrometer for "
                      "every assay, each recalibrated every quarter"]},
        "periods": {"boundary_dates": [dt.date(2023, 12, 31)] + _dates(_month_ends())},
        "tests": {"false_alarm_per_year": 0.05, "page_k": 0.5, "page_side": "upper",
                  "quantities": ["U", "U235"], "iterations": 10_000, "seed": 1},
        "points": {name: _point_table(name, sim, obs) for name in ROLES}
        | {"cascade-holdup": {"role": "inventory", "kind": "level", "mapit_csv": "holdup.csv",
                              "assay_wt_pct": X_HOLDUP,
                              "description": "cascade hold-up, daily, MAPIT CSV layout"}},
        "measurement": _measurement(),
        "losses": [{"name": "abrupt 1 SQ in June", "pattern": "abrupt", "balance": 6,
                    "sq": 1.0, "assay_wt_pct": X_PRODUCT},
                   {"name": "protracted 1 SQ over the year", "pattern": "protracted",
                    "sq": 1.0, "assay_wt_pct": X_PRODUCT}],
        "plant_check": {"plant": "plant.toml", "period_days": float(DAYS)}
        | {s: {"kg_u": _declared(sim["declared"][s], bias, rng),
               "assay_wt_pct": {"feed": X_FEED, "product": X_PRODUCT,
                                "tails": round(X_TAILS, 5)}[s],
               "measurement": {"feed": "feed-receipts", "product": "product-shipments",
                               "tails": "tails-transfers"}[s]}
           for s in ("feed", "product", "tails")},
    }
    csv = "".join(f"{t:g},{v:.2f}\n" for t, v in zip(hold_t, obs["cascade-holdup"].values[0],
                                                    strict=True))
    return doc, csv


HEADER = ("# Accountancy example ({what}): written by make_example.py (seed 2024); edit that\n"
          "# script, not this file. Run: enrichwatch accountancy {name}\n\n")


def main() -> None:
    warnings.simplefilter("ignore", EnrichwatchWarning)   # the catalog rows are flagged unverified
    for kind, name in (("none", "no-loss.toml"), ("abrupt", "abrupt-loss.toml"),
                       ("protracted", "protracted-loss.toml")):
        doc, csv = document(kind)
        text = HEADER.format(what=kind if kind != "none" else "no loss", name=name)
        (HERE / name).write_text(text + tomli_w.dumps(doc), encoding="utf-8")
        if kind == "none":
            (HERE / "holdup.csv").write_text(csv, encoding="utf-8")


if __name__ == "__main__":
    main()
