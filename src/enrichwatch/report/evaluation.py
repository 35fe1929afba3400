"""The report of a safeguards evaluation: the timeline of records and findings, each finding
with its evidence and consequence, and the records known on the as-of date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._html import fmt_value, render, svg

__all__ = ["render_evaluation_report"]


def _flatten(value, prefix: str = "") -> list[tuple[str, str]]:
    """Nested consequence mappings as (dotted key, formatted value) rows."""
    if isinstance(value, Mapping):
        rows = []
        for key, item in value.items():
            rows += _flatten(item, f"{prefix}{key}." if isinstance(item, Mapping)
                             else f"{prefix}{key}")
        return rows
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        return [(f"{prefix}[{i}]", fmt_value(v)) for i, v in enumerate(value)]
    return [(prefix.rstrip("."), fmt_value(value))]


def render_evaluation_report(evaluation, records: Sequence, *, title: str | None = None,
                             rate_unit: str = "kg U/month") -> str:
    """HTML report of a safeguards evaluation: a timeline of the records and findings, each
    finding with its evidence and consequence, and the records known on the as-of date.

    Parameters
    ----------
    evaluation : enrichwatch.evaluation.Evaluation
        The findings (from :func:`enrichwatch.evaluation.evaluate`).
    records : sequence of records
        The records the evaluation considered (``id, kind, valid_from, known_on, source,
        payload``).
    title : str, optional
        Report title (escaped); default names the facility and the date.
    """
    from ..evaluation.plots import plot_record_timeline

    considered = set(evaluation.records_considered)
    shown = [r for r in records if r.id in considered] or list(records)
    ax = plot_record_timeline(shown, evaluation.findings, as_of=evaluation.as_of)
    findings = [{"severity": f.severity, "title": f.title, "detail": f.detail, "rule": f.rule,
                 "evidence": list(f.evidence), "citation": getattr(f, "citation", None),
                 "late_evidence": list(getattr(f, "late_evidence", ())),
                 "consequence": _flatten(f.consequence) if f.consequence else []}
                for f in evaluation.findings]
    late = {e["id"] for e in getattr(evaluation, "late_entries", ())}
    rows = [{"id": r.id, "kind": r.kind, "valid_from": r.valid_from, "known_on": r.known_on,
             "late": r.id in late, "recorded_at": getattr(r, "recorded_at", None),
             "source": r.source, "summary": fmt_value(r.payload.get("summary", "")
                                                       or r.payload.get("name", ""))}
            for r in shown]
    illustrative = any("illustrative" in str(r.payload.get("plant", "")) or
                       "illustrative" in str(r.payload.get("observed_plant", "")) for r in shown)
    return render("evaluation.html", title=str(title or f"Safeguards evaluation: "
                                                           f"{evaluation.facility}"),
                   rate_unit=rate_unit, facility=evaluation.facility, as_of=evaluation.as_of,
                   timeline=svg(ax, "t-"), findings=findings, records=rows,
                   illustrative=illustrative,
                   warnings=list(getattr(evaluation, "warnings", ())),
                   late_entries=[dict(e) for e in getattr(evaluation, "late_entries", ())],
                   late_entry_note=getattr(evaluation, "late_entry_note", None),
                   held_on=getattr(evaluation, "held_on", None))
