"""Reading TOML text (syntax errors become problems) and writing a plant description back.

The writer lays a description out in the documented order ([facility], [units], [machines.*],
[[cascades]] with their [cascades.design], [[streams]], [[feeds]], [[withdrawals]]), writes only
the keys that were given, and writes numbers exactly (``repr`` of floats), so that reading the
text back gives an equal description. Files are replaced atomically
(:func:`enrichwatch.fileio.write_atomic`); syntax errors name line and column
(:func:`enrichwatch.validation.parse_toml`).

Examples
--------
>>> print(literal({"U235": 5.0, "U-234": 0.04}))
{ U235 = 5.0, U-234 = 0.04 }
>>> print(literal([4, 8, 4]))
[4, 8, 4]
>>> try:
...     read_toml('name = "A', "bad.toml")
... except FacilityFileError as err:
...     print(err.problems[0].key, "|", err.problems[0].allowed)
line 1 (end of file) | valid TOML (Unterminated string)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import tomli_w

from ..fileio import write_atomic
from ..validation import parse_toml
from .problems import FacilityFileError

__all__ = ["literal", "read_toml", "render", "write_atomic"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_LINE_LIMIT = 100
_HEADER = "# enrichwatch plant description (format: docs/plant-format.md)\n"

# -- reading --------------------------------------------------------------------------------------


def read_toml(text: str, file: str) -> dict:
    """Parse TOML text; a syntax error raises FacilityFileError naming line and column."""
    return parse_toml(text, file, FacilityFileError)


# -- writing --------------------------------------------------------------------------------------
def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else literal(key)


def literal(value) -> str:
    """A value as TOML: inline tables for mappings, one-line arrays when they fit."""
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {literal(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        items = [literal(v) for v in value]
        line = "[" + ", ".join(items) + "]"
        if len(line) <= _LINE_LIMIT:
            return line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    return tomli_w.dumps({"v": value})[len("v = "):].rstrip("\n")


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
