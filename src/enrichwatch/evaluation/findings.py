"""Findings and the evaluation that holds them: plain, immutable values with ``as_dict``.

Examples
--------
>>> from datetime import date
>>> f = Finding(rule="late-design-change-declaration", severity="high",
...             title="Design change declared 6 days late", detail="...", evidence=(5, 2),
...             consequence={"days_late": 6})
>>> f
Finding(late-design-change-declaration, high: 'Design change declared 6 days late'; evidence 5, 2)
>>> Evaluation("FFEP", date(2023, 2, 1), (f,), (1, 2, 5)).as_dict()["findings"][0]["evidence"]
[5, 2]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..errors import InputError

__all__ = ["SEVERITIES", "Evaluation", "Finding"]

#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")


_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES, _TEXT = frozenset(_SCALARS), frozenset((str,))


def _plain(value: Any) -> Any:
    """JSON-ready copy: tuples become lists, dates ISO strings, mappings dicts."""
    if type(value) in _SCALARS:                 # most values: returned as they are
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain_entry(entry: Any) -> Any:
    """:func:`_plain` of a late entry: a copy at once when it is a dict of scalars (as the
    evaluation makes them; a store may list hundreds of thousands)."""
    if (type(entry) is dict and _SCALAR_TYPES.issuperset(map(type, entry.values()))
            and _TEXT.issuperset(map(type, entry))):
        return dict(entry)
    return _plain(entry)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One finding of an evaluation.

    Parameters
    ----------
    rule : str
        The rule's id (``observed-differs-from-declared``, ...) or, for a rule-set limit, the
        rule set's id (``jcpoa``).
    severity : {'high', 'medium', 'low', 'info'}
    title : str
        One line.
    detail : str
        What was compared with what, with dates and record ids.
    evidence : tuple of int
        Ids of the records the finding rests on, the main one first.
    consequence : mapping, optional
        Physical consequence computed with the physics engine (rates in kg U/month, assays in
        wt% U-235, times in months), or for a limit the value, the limit and the excess.
    limit : str, optional
        For a rule-set finding: the limit's id.
    citation : str, optional
        For a rule-set finding: the limit's citation.
    late_evidence : tuple of int
        The evidence records that are late entries (entered the store more than a day after
        their claimed ``known_on``): the finding rests on dates the store cannot vouch for.
    """

    rule: str
    severity: str
    title: str
    detail: str
    evidence: tuple[int, ...]
    consequence: Mapping[str, Any] | None = None
    limit: str | None = None
    citation: str | None = None
    late_evidence: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise InputError("severity", self.severity, f"one of {', '.join(SEVERITIES)}")

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON values."""
        out = {"rule": self.rule, "severity": self.severity, "title": self.title,
               "detail": self.detail, "evidence": list(self.evidence),
               "consequence": _plain(self.consequence),
               "late_evidence": list(self.late_evidence)}
        if self.limit is not None:
            out.update(limit=self.limit, citation=self.citation)
        return out

    def __repr__(self) -> str:
        ids = ", ".join(str(i) for i in self.evidence)
        return f"Finding({self.rule}, {self.severity}: {self.title!r}; evidence {ids})"


@dataclass(frozen=True)
class Evaluation:
    """The findings of the rules over a facility's records as of a date.

    Parameters
    ----------
    facility : str
        Facility code.
    as_of : date
        The evaluation date (records known by then).
    findings : tuple of Finding
        In rule order, then in the order of their main record's date.
    records_considered : tuple of int
        Ids of the facility's records known on ``as_of`` (superseded ones dropped).
    held_on : datetime, optional
        Transaction time: only records the store held then were considered.
    late_entries : tuple of mapping
        The records considered that entered the store more than a day after their claimed
        ``known_on`` (``id, kind, known_on, recorded_at, days_late, entered_after_as_of``).
    warnings : tuple of str
        Warnings every output must carry (e.g. a store that fails verification).
    """

    facility: str
    as_of: date
    findings: tuple[Finding, ...]
    records_considered: tuple[int, ...]
    held_on: datetime | None = None
    late_entries: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def late_entry_note(self) -> str | None:
        """What the late entries mean, in words (None when there are none)."""
        if not self.late_entries:
            return None
        after = sum(1 for e in self.late_entries if e["entered_after_as_of"])
        return (f"{len(self.late_entries)} record(s) entered the store more than a day after "
                f"the date they claim to have been known ({after} after the as-of date "
                f"{self.as_of}): the store vouches only for when it received a record, so "
                "their known_on is a claim. A case file loaded after the fact (a historical "
                "reconstruction) is all late entries; otherwise a late entry may be backdated. "
                "Evaluate with --held-on DATE to see only what the store held then.")

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as JSON values."""
        from ..dates import format_timestamp

        return {"facility": self.facility, "as_of": self.as_of.isoformat(),
                "held_on": None if self.held_on is None else format_timestamp(self.held_on),
                "findings": [f.as_dict() for f in self.findings],
                "records_considered": list(self.records_considered),
                "late_entries": [_plain_entry(e) for e in self.late_entries],
                "late_entry_note": self.late_entry_note,
                "warnings": list(self.warnings),
                "units": {"rate": "kg U/month", "assay": "wt% U-235", "time": "months"}}

    def __repr__(self) -> str:
        return (f"Evaluation({self.facility!r} as of {self.as_of}: {len(self.findings)} findings"
                f" from {len(self.records_considered)} records)")
