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
from typing import TYPE_CHECKING, cast

from ..dates import format_timestamp, parse_date
from ..records.bitemporal import LATE_ENTRY_GRACE, parse_moment
from ..records.bitemporal import held_on as held_in_store
from .accountancy_rules import ACCOUNTANCY_RULES
from .findings import Evaluation
from .plants import PlantCache
from .records import RecordLike
from .rules import RULES, Context

if TYPE_CHECKING:
    from .cache import ConsequenceCache
    from .rulesets import RuleSet

__all__ = ["evaluate"]


def evaluate(records: Sequence[RecordLike], facility: str, as_of: date | str,
             rule_sets: Sequence[RuleSet | str | os.PathLike] = (), catalog=None,
             held_on: date | datetime | str | None = None,
             warnings: Sequence[str] = (), cache: ConsequenceCache | None = None
             ) -> Evaluation:
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
    cache : ConsequenceCache, optional
        Disk cache of the physical consequences (:mod:`enrichwatch.evaluation.cache`): answers
        found there are read, not computed (the same answers); new ones are written. Used only
        with the bundled catalog. Default none: nothing is read from or written to disk.

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
    ctx = Context.build(records, facility, day, PlantCache(catalog, cache))
    findings = [f for rule in RULES + ACCOUNTANCY_RULES for f in rule(ctx)]
    if rule_sets:  # (the rule-set modules load only for an evaluation that uses them)
        from .limits import apply_rule_set
        from .rulesets import RuleSet, load_rule_set

        for rule_set in rule_sets:
            loaded = rule_set if isinstance(rule_set, RuleSet) else load_rule_set(rule_set)
            findings += apply_rule_set(loaded, ctx.current, day)
    late_entries = _LateEntries(day).of(ctx.records)
    late = {e["id"] for e in late_entries}      # (the ids of the late entries)
    findings = [replace(f, late_evidence=tuple(e for e in f.evidence if e in late))
                for f in findings]
    return Evaluation(facility, day, tuple(findings), tuple(r.id for r in ctx.current),
                      held_on=moment, late_entries=late_entries, warnings=tuple(warnings))


class _LateEntries:
    """The late entries among records (:func:`~enrichwatch.records.bitemporal.is_late_entry`),
    described; each distinct ``recorded_at`` and ``known_on`` read once (a ledger holds many
    records of one append, and of one day)."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self._entered: dict[datetime, tuple[date, str]] = {}
        self._known: dict[object, date] = {}
        self._last: tuple[object, tuple[date, str]] = (object(), (as_of, ""))
        self._facts_of: dict[datetime, dict[object, dict | None]] = {}
        self._last_facts: tuple[object, dict[object, dict | None]] = (object(), {})

    def _known_on(self, value) -> date:
        try:
            return self._known[value]
        except (KeyError, TypeError):
            known = parse_date(value)
        try:
            self._known[value] = known
        except TypeError:
            pass
        return known

    def _when(self, moment: datetime) -> tuple[date, str]:
        if moment is self._last[0]:         # (the records of one append share one datetime)
            return self._last[1]
        found = self._entered.get(moment)
        if found is None:
            entered = moment.astimezone(UTC)
            found = self._entered[moment] = (entered.date(), format_timestamp(entered))
        self._last = (moment, found)
        return found

    def _describe(self, moment: datetime, known, *, late_only: bool) -> dict | None:
        entered, stamp = self._when(moment)
        day = self._known_on(known)
        if late_only and entered - day <= LATE_ENTRY_GRACE:
            return None
        return {"known_on": day.isoformat(), "recorded_at": stamp,
                "days_late": (entered - day).days, "entered_after_as_of": entered > self.as_of}

    def _facts(self, record) -> dict | None:
        """The late-entry fields of ``record`` (None if it is not a late entry), worked out
        once per distinct ``recorded_at`` and ``known_on`` (a copy to extend)."""
        moment = getattr(record, "recorded_at", None)
        if moment is None:
            return None
        if moment is self._last_facts[0]:
            per = self._last_facts[1]
        else:
            per = self._facts_of.setdefault(moment, {})
            self._last_facts = (moment, per)
        known = record.known_on
        try:
            return per[known]
        except (KeyError, TypeError):
            pass
        facts = self._describe(cast("datetime", moment), known, late_only=True)
        try:
            per[known] = facts
        except TypeError:
            pass
        return facts

    def of(self, records) -> tuple[dict, ...]:
        """The entries of the records whose id is that of a late entry, in their order.

        One pass works out each record's facts (a look-up for all but the first record of
        each distinct ``recorded_at`` and ``known_on``), the second writes the entries: a
        store may hold a hundred thousand late entries."""
        listed = records if isinstance(records, list | tuple) else list(records)
        facts_of, late = self._facts_of, set()
        found: list[dict | None] = []
        moment_seen, per = object(), {}
        for r in listed:
            moment = getattr(r, "recorded_at", None)
            if moment is None:
                found.append(None)
                continue
            if moment is not moment_seen:  # (the records of one append share one datetime)
                per = facts_of.setdefault(moment, {})
                moment_seen = moment
            try:
                facts = per[r.known_on]
            except (KeyError, TypeError):
                facts = self._facts(r)
            found.append(facts)
            if facts is not None:
                late.add(r.id)
        out = []
        for r, facts in zip(listed, found, strict=True):
            if facts is None:
                if r.id not in late:
                    continue
                # (a record sharing the id of a late entry)
                facts = self._describe(r.recorded_at, r.known_on, late_only=False) or {}
            out.append({"id": r.id, "kind": r.kind, **facts})
        return tuple(out)
