"""Accountancy input files for the tests: a small valid study as a dict, written as TOML."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import tomli_w

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "accountancy"

#: A two-balance study: feed items in, product and tails items out, a cylinder inventory.
SMALL = {
    "study": {"name": "small", "mba": "MBA-T", "assumptions": ["test data"]},
    "periods": {"boundaries_h": [0.0, 100.0, 200.0]},
    "tests": {"iterations": 500, "seed": 3, "balances_per_year": 12},
    "points": {
        "feed": {"role": "input", "times_h": [10.0, 110.0], "masses_kg_u": [1000.0, 1000.0],
                 "assay_wt_pct": 0.711},
        "product": {"role": "output", "times_h": [50.0, 150.0], "masses_kg_u": [100.0, 100.0],
                    "assay_wt_pct": 4.0},
        "tails": {"role": "output", "times_h": [60.0, 160.0], "masses_kg_u": [900.0, 900.0],
                  "assay_wt_pct": 311 / 900},            # closes the U-235 balance
        "store": {"role": "inventory", "times_h": [0.0, 100.0, 200.0],
                  "masses_kg_u": [500.0, 500.0, 500.0], "assay_wt_pct": 0.711},
    },
    "measurement": {
        name: {"mass": {"random_rsd": 0.001, "systematic_rsd": 0.0005},
               "assay": {"random_rsd": 0.002, "systematic_rsd": 0.001}}
        for name in ("feed", "product", "tails", "store")},
    "losses": [{"name": "abrupt", "pattern": "abrupt", "balance": 2, "kg_u": 50.0,
                "assay_wt_pct": 4.0}],
}


def small(**changes) -> dict:
    """A deep copy of :data:`SMALL` with top-level tables replaced or added."""
    doc = copy.deepcopy(SMALL)
    doc.update(changes)
    return doc


def write(folder: Path, doc: dict, name: str = "study.toml") -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
