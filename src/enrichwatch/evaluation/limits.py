"""Applying a rule set's limits to records.

Each limit looks at the records of its kinds: for ``stockpile``, ``installed_machines`` and
``declaration`` the **latest** record of each facility (the current state, ``valid_from <= as
of``); for ``inspection`` and ``sample`` every record (each is an event). The values found at
the limit's path are compared with the limit (each value, or their sum with ``aggregate =
"sum"``); every record whose value breaks the limit gives one finding with the limit's id and
citation, the record as evidence, and the value, the limit and the excess as ``consequence``.
A limit applies only to records whose ``valid_from`` falls in its ``in_force`` window.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation.casefile import CaseRecord
>>> from enrichwatch.evaluation.rulesets import load_rule_set
>>> stock = CaseRecord(1, "stockpile", "IR", date(2019, 7, 1), date(2019, 7, 10), None,
...                    "IAEA verbal update", {"kg_u_by_level": {}, "total_kg_u": 213.5})
>>> [f.title for f in apply_rule_set(load_rule_set("jcpoa"), [stock], date(2019, 8, 1))]
['Enriched uranium stockpile at most 300 kg UF6 (202.8 kg U): 213.5 kg U, limit <= 202.8 kg U']
>>> values_at({"enriching": {"IR-1": 5060, "IR-2m": 164}}, "enriching.*")
[('enriching.IR-1', 5060.0), ('enriching.IR-2m', 164.0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..dates import parse_date
from .findings import Finding
from .records import RecordLike, latest_per_facility
from .rulesets import Limit, RuleSet, Target

__all__ = ["STATE_KINDS", "apply_rule_set", "values_at"]

#: Kinds whose latest record per facility is the current state (others are events).
STATE_KINDS = ("stockpile", "installed_machines", "declaration")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def values_at(payload: Mapping[str, Any], path: str) -> list[tuple[str, float]]:
    """Numbers found at ``path`` in ``payload``, each with its concrete path."""
    found: list[tuple[str, Any]] = [("", payload)]
    for segment in path.split("."):
        nxt = []
        for where, node in found:
            if segment == "*" and isinstance(node, Mapping):
                nxt += [(f"{where}.{k}".lstrip("."), v) for k, v in node.items()]
            elif segment.endswith("[]") and isinstance(node, Mapping):
                items = node.get(segment[:-2])
                key = f"{where}.{segment[:-2]}".lstrip(".")
                if isinstance(items, list | tuple):
                    nxt += [(f"{key}[{i}]", v) for i, v in enumerate(items)]
            elif isinstance(node, Mapping) and segment in node:
                nxt.append((f"{where}.{segment}".lstrip("."), node[segment]))
        found = nxt
    return [(where, float(v)) for where, v in found if _is_number(v)]


def _records_for(target: Target, records: Sequence[RecordLike], as_of: date
                 ) -> list[RecordLike]:
    mine = [r for r in records if r.kind == target.kind
            and (target.facility is None or r.facility == target.facility)]
    if target.kind in STATE_KINDS:
        return latest_per_facility(mine, target.kind, as_of)
    return sorted((r for r in mine if parse_date(r.valid_from) <= as_of),
                  key=lambda r: (parse_date(r.valid_from), r.id))


def _checked_values(target: Target, record: RecordLike) -> list[tuple[str, float]]:
    values = values_at(record.payload, target.path)
    if target.aggregate == "sum" and values:
        return [(f"sum of {target.path}", sum(v for _, v in values))]
    return values


def _finding(rule_set: RuleSet, limit: Limit, record: RecordLike, where: str, value: float
             ) -> Finding:
    title = (f"{limit.description}: {value:g} {limit.unit}, limit {limit.comparison} "
             f"{limit.value:g} {limit.unit}")
    detail = (f"Record {record.id} ({record.kind}, {record.facility}, "
              f"{parse_date(record.valid_from)}; {record.source}) has {where} = {value:g} "
              f"{limit.unit}, which breaks limit "
              f"{limit.id} of rule set {rule_set.id} ({limit.comparison} {limit.value:g} "
              f"{limit.unit}; {limit.citation}).")
    consequence = {"value": value, "limit": limit.value, "comparison": limit.comparison,
                   "unit": limit.unit, "path": where, "excess": value - limit.value}
    return Finding(rule=rule_set.id, severity=limit.severity, title=title, detail=detail,
                   evidence=(record.id,), consequence=consequence, limit=limit.id,
                   citation=limit.citation)


def _limit_findings(rule_set: RuleSet, limit: Limit, records: Sequence[RecordLike],
                    as_of: date) -> list[Finding]:
    """One finding per record breaking the limit (its worst value over the targets)."""
    broken: dict[int, tuple[RecordLike, list[tuple[str, float]]]] = {}
    for target in limit.targets:
        for record in _records_for(target, records, as_of):
            if limit.in_force_on(parse_date(record.valid_from)):
                bad = [(w, v) for w, v in _checked_values(target, record)
                       if not limit.satisfied_by(v)]
                if bad:
                    broken.setdefault(record.id, (record, []))[1].extend(bad)
    out = []
    for record, bad in broken.values():
        worst = max(bad, key=lambda wv: abs(wv[1] - limit.value))
        out.append(_finding(rule_set, limit, record, *worst))
    return out


def apply_rule_set(rule_set: RuleSet, records: Sequence[RecordLike], as_of: date
                   ) -> list[Finding]:
    """Findings of every limit of ``rule_set`` over ``records`` (already selected as known on
    ``as_of``, superseded ones dropped), in limit order."""
    return [f for limit in rule_set.limits for f in _limit_findings(rule_set, limit, records,
                                                                     as_of)]
