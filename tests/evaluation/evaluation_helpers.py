"""Small record fixtures and plant texts for the evaluation tests.

:class:`Rec` is a frozen dataclass with the fields the evaluation reads (its ``RecordLike``);
the builders below make records of each kind with readable defaults. The plant is one small
fixed IR-6 cascade (11 stages, 54 machines) fed with 5 % uranium, solved in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from enrichwatch.dates import parse_date

ROOT = Path(__file__).resolve().parents[2]
FORDOW = ROOT / "examples" / "fordow-2023"
STOCKPILE_CSV = Path("/work/shared/reference/iran-stockpile.csv")


@dataclass(frozen=True)
class Rec:
    """A plain record (what the store's Record offers the evaluation)."""

    id: int
    kind: str
    facility: str
    valid_from: date | str
    known_on: date | str
    supersedes: int | None = None
    source: str = "test"
    payload: dict[str, Any] = field(default_factory=dict)


def d(text: str) -> date:
    return parse_date(text)


def plant(feed_stage: int = 3, rate: float = 20.0, extra: str = "") -> str:
    """A one-cascade plant: 54 IR-6 in 11 stages, 5 % feed, product withdrawn."""
    return f'''
[facility]
name = "Tiny cascade (feed stage {feed_stage})"
illustrative = true
[units]
rate = "kg U/month"
[[cascades]]
name = "A"
machine = "IR-6"
machines_per_stage = [2, 4, 6, 8, 10, 8, 6, 4, 3, 2, 1]
feed_stage = {feed_stage}
[[feeds]]
name = "feed"
to = "A"
rate = {rate}
composition = {{ U235 = 5.0, U238 = 95.0 }}
[[withdrawals]]
from = "A.product"
name = "product"
{extra}'''


def declaration(id, valid_from, known_on, *, declared_on=None, plant_text=None, max_pct=60.0,
                supersedes=None, facility="X"):
    payload = {"declared_on": declared_on or known_on, "plant": plant_text or plant(),
               "declared_max_assay_pct": max_pct, "summary": ""}
    return Rec(id, "declaration", facility, d(valid_from), d(known_on), supersedes,
               f"declaration {id}", payload)


def inspection(id, on, known_on=None, *, observed=None, measurements=(), kind="announced",
               facility="X"):
    payload = {"kind": kind, "observed_plant": observed, "summary": "",
               "measurements": [{"item": "product", "quantity": "enrichment", "value_pct": v,
                                 "uncertainty_pct": None} for v in measurements]}
    return Rec(id, "inspection", facility, d(on), d(known_on or on), None, f"inspection {id}",
               payload)


def sample(id, on, known_on, max_pct, *, inspection_id=None, facility="X"):
    payload = {"inspection": inspection_id, "sample_id": f"S{id}", "kind": "environmental",
               "max_u235_pct": max_pct, "results": [{"u235_pct": max_pct}], "summary": ""}
    return Rec(id, "sample", facility, d(on), d(known_on), None, f"sample {id}", payload)
