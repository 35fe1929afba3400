"""Writing a plant description back as TOML (reading is :func:`enrichwatch.files.parse_toml`).

The writer lays a description out in the documented order ([facility], [units], [machines.*],
[[cascades]] with their [cascades.design], [[streams]], [[feeds]], [[withdrawals]]), writes only
the keys that were given, and writes numbers exactly (``repr`` of floats), so that reading the
text back gives an equal description. Files are replaced atomically
(:func:`enrichwatch.files.write_atomic`).

Examples
--------
>>> print(_table("[units]", {"rate": "kg U/month"}))
[units]
rate = "kg U/month"
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Mapping

from ..files import toml_key as _key
from ..files import toml_literal as literal
from ..files import write_atomic

__all__ = ["render", "write_atomic"]

_HEADER = "# enrichwatch plant description (format: docs/plant-format.md)\n"


def _table(header: str, items: Mapping) -> str:
    lines = [header] + [f"{_key(k)} = {literal(v)}" for k, v in items.items() if v is not None]
    return "\n".join(lines) + "\n"


def _info(info) -> dict:
    return {"name": info.name, "country": info.country, "description": info.description,
            "illustrative": info.illustrative, "assumptions": list(info.assumptions) or None,
            "sources": list(info.sources) or None}


def _machine(m) -> dict:
    keys = ("swu_per_yr", "swu_range_per_yr", "design_cut", "stage_factor", "length_m",
            "diameter_m", "speed_m_s", "temperature_k", "flow_ratio", "source")
    return {k: getattr(m, k) for k in keys}


def _cascade(c) -> list[str]:
    items = {"name": c.name, "machine": c.machine, "machines_per_stage": c.machines_per_stage,
             "feed_stage": c.feed_stage, "cuts": c.cuts}
    out = [_table("[[cascades]]", items)]
    if c.design is not None:
        d = c.design
        out.append(_table("[cascades.design]", {
            "feed": d.feed.as_dict(), "basis": d.feed.basis,
            "product_assay_pct": d.product_assay_pct, "tails_assay_pct": d.tails_assay_pct,
            "total_machines": d.total_machines, "feed_rate": d.feed_rate}))
    return out


def _stream(s) -> dict:
    return {"from": s.origin, "to": s.target, "stage": s.stage,
            "fraction": None if s.fraction == 1.0 else s.fraction}


def _feed(f) -> dict:
    return {"name": f.name, "to": f.target, "stage": f.stage, "rate": f.rate,
            "composition": f.isotopics.as_dict(), "basis": f.isotopics.basis}


def render(facility) -> str:
    """The TOML text of a :class:`~enrichwatch.facility.Facility`."""
    blocks = [_HEADER, _table("[facility]", _info(facility.info)),
              _table("[units]", {"rate": facility.rate_unit})]
    blocks += [_table(f"[machines.{_key(m.name)}]", _machine(m)) for m in facility.machines]
    for c in facility.cascades:
        blocks += _cascade(c)
    blocks += [_table("[[streams]]", _stream(s)) for s in facility.streams]
    blocks += [_table("[[feeds]]", _feed(f)) for f in facility.feeds]
    blocks += [_table("[[withdrawals]]", {"from": w.origin, "name": w.name, "rate": w.rate})
               for w in facility.withdrawals]
    return "\n".join(blocks)
