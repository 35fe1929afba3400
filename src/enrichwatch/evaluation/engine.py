"""``evaluate``: the rules over a facility's records as of a date.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation.casefile import case_records
>>> case = "examples/fordow-2023/case.toml"
>>> records = case_records(case)
>>> result = evaluate(records, "FFEP", date(2023, 2, 1))
>>> [f.rule for f in result.findings]
['observed-differs-from-declared', 'late-design-change-declaration', 'assay-above-declared-maximum']
>>> evaluate(records, "FFEP", date(2023, 1, 20)).findings
()
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from ..dates import format_timestamp, parse_date
from ..records.bitemporal import held_on as held_in_store
from ..records.bitemporal import is_late_entry, parse_moment
from .accountancy_rules import ACCOUNTANCY_RULES
from .findings import Evaluation
from .limits import apply_rule_set
from .plants import PlantCache
from .records import RecordLike
from .rules import RULES, Context
from .rulesets import RuleSet, load_rule_set

__all__ = ["evaluate"]


def evaluate(records: Sequence[RecordLike], facility: str, as_of: date | str,
             rule_sets: Sequence[RuleSet | str | os.PathLike] = (), catalog=None,
             held_on: date | datetime | str | None = None,
             warnings: Sequence[str] = ()) -> Evaluation:
    """Run the rules over ``facility``'s records as known on ``as_of``.

    Parameters
    ----------
    records : sequence of RecordLike
        Records as in docs/records-design.md: normally ``store.known_as_of(facility, as_of)``
        (plus ``party`` records, which the rules ignore). Records of other facilities and
        records not known by ``as_of`` are left out here too, and a record superseded by a
        correction known by ``as_of`` is dropped, so a whole ledger may be passed.
    facility : str
        Facility code, e.g. ``"FFEP"``.
    as_of : date or str
        Evaluation date (record time): what was known on that day.
    rule_sets : sequence of RuleSet or str, optional
        Quantitative limits to apply as well (opt-in), as :class:`RuleSet` objects or names /
        paths for :func:`~enrichwatch.evaluation.load_rule_set` (``"jcpoa"``).
    catalog : MachineCatalog, optional
        Machine catalog for the plant descriptions; default the bundled one.
    held_on : datetime, date or str, optional
        Transaction time: consider only the records the store held then (``recorded_at <=
        held_on``; a date means its end, UTC), so that no later entry, backdated or not,
        changes the answer.
    warnings : sequence of str, optional
        Warnings to carry in the evaluation (and every output made from it).

    Returns
    -------
    Evaluation
        Findings of rules 1, 2 and 3, then of the accountancy rules 4 to 7
        (:mod:`.accountancy_rules`), then of each rule set's limits.
    """
    day = parse_date(as_of, "as_of")
    moment = None if held_on is None else parse_moment(held_on, "held_on")
    if moment is not None:
        records = held_in_store(records, moment)
    ctx = Context.build(records, facility, day, PlantCache(catalog))
    findings = [f for rule in RULES + ACCOUNTANCY_RULES for f in rule(ctx)]
    for rule_set in rule_sets:
        loaded = rule_set if isinstance(rule_set, RuleSet) else load_rule_set(rule_set)
        findings += apply_rule_set(loaded, ctx.current, day)
    late = {r.id: r for r in ctx.records if is_late_entry(r)}
    findings = [replace(f, late_evidence=tuple(e for e in f.evidence if e in late))
                for f in findings]
    late_entries = tuple(_late_entry(r, day) for r in ctx.records if r.id in late)
    return Evaluation(facility, day, tuple(findings), tuple(r.id for r in ctx.current),
                      held_on=moment, late_entries=late_entries, warnings=tuple(warnings))


def _late_entry(record: RecordLike, as_of: date) -> dict:
    entered: datetime = record.recorded_at.astimezone(UTC)  # type: ignore[attr-defined]
    known = parse_date(record.known_on)
    return {"id": record.id, "kind": record.kind, "known_on": known.isoformat(),
            "recorded_at": format_timestamp(entered), "days_late": (entered.date() - known).days,
            "entered_after_as_of": entered.date() > as_of}
