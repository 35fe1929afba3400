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
from datetime import date
from typing import Any

from ..errors import InputError

__all__ = ["SEVERITIES", "Evaluation", "Finding"]

#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")


def _plain(value: Any) -> Any:
    """JSON-ready copy: tuples become lists, dates ISO strings, mappings dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


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
    """

    rule: str
    severity: str
    title: str
    detail: str
    evidence: tuple[int, ...]
    consequence: Mapping[str, Any] | None = None
    limit: str | None = None
    citation: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise InputError("severity", self.severity, f"one of {', '.join(SEVERITIES)}")

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON values."""
        out = {"rule": self.rule, "severity": self.severity, "title": self.title,
               "detail": self.detail, "evidence": list(self.evidence),
               "consequence": _plain(self.consequence)}
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
    """

    facility: str
    as_of: date
    findings: tuple[Finding, ...]
    records_considered: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as JSON values."""
        return {"facility": self.facility, "as_of": self.as_of.isoformat(),
                "findings": [f.as_dict() for f in self.findings],
                "records_considered": list(self.records_considered),
                "units": {"rate": "kg U/month", "assay": "wt% U-235", "time": "months"}}

    def __repr__(self) -> str:
        return (f"Evaluation({self.facility!r} as of {self.as_of}: {len(self.findings)} findings"
                f" from {len(self.records_considered)} records)")
