"""The report of a safeguards evaluation: the timeline of records and findings, each finding
with its consequence in words and a small table, the declared and observed configurations
drawn side by side where they differ, and the records known on the as-of date.

Each rule's consequence is shown by its own template, ``templates/consequences/<rule>.html``
(a rule set's limits by ``limit.html``), from the structured consequence the rule gives; a
consequence no template knows is shown as nested tables (``_generic.html``), never as
flattened keys.

Examples
--------
>>> from enrichwatch.evaluation import Finding
>>> f = Finding(rule="my-rule", severity="low", title="t", detail="d", evidence=(1,),
...             consequence={"excess": {"value": 2.5, "unit": "kg U"}})
>>> html = render_consequence(f)
>>> "consequence-generic" in html and "excess.value" not in html
True
"""

from __future__ import annotations

from collections.abc import Sequence

from ._html import fmt_value, render, svg

__all__ = ["comparison_diagrams", "render_consequence", "render_evaluation_report"]

_GENERIC = "consequences/_generic.html"
_DIAGRAM_RULE = "observed-differs-from-declared"


def _templates(finding) -> list[str]:
    names = [f"consequences/{finding.rule}.html"]
    return names + (["consequences/limit.html"] if getattr(finding, "limit", None) else [])


def render_consequence(finding) -> str:
    """A finding's consequence as HTML: a sentence and a small table from its rule's template
    (``consequences/<rule>.html``, or ``limit.html`` for a rule set's limit), else nested
    tables; an empty string when the finding has no consequence.

    A rule template that cannot read the consequence it is given (a key it expects is
    missing) gives way to the nested tables rather than failing the whole report.
    """
    from jinja2 import TemplateNotFound, UndefinedError
    from markupsafe import Markup

    from ._html import _environment

    if not finding.consequence:
        return ""
    env = _environment()
    for name in _templates(finding):
        try:
            template = env.get_template(name)
        except TemplateNotFound:
            continue
        try:
            return Markup(template.render(c=finding.consequence,
                                           evidence=list(finding.evidence)))
        except (UndefinedError, KeyError, TypeError, AttributeError, ValueError):
            break
    return Markup(env.get_template(_GENERIC).render(c=finding.consequence))


def _network(record, key: str, catalog):
    from ..facility import Facility

    facility = Facility.from_toml_text(record.payload[key], f"record {record.id} payload.{key}",
                                       catalog=catalog)
    return facility.to_network(catalog), facility.withdrawal_labels()


def _comparison_diagrams(finding, by_id, index: int, catalog) -> list[dict]:
    """The diagrams of an observed-differs finding (its evidence: inspection, declaration)."""
    insp, decl = (by_id.get(e) for e in (tuple(finding.evidence) + (None, None))[:2])
    return comparison_diagrams(insp, decl, catalog=catalog, prefix=f"f{index}-")


def comparison_diagrams(inspection, declaration, *, catalog=None, prefix: str = "c-"
                        ) -> list[dict]:
    """The declared configuration (a declaration's ``plant``) and the observed one (an
    inspection's ``observed_plant``), each drawn with the streams the other lacks highlighted.

    Parameters
    ----------
    inspection, declaration : records or None
        Anything with ``id`` and ``payload``.
    catalog : MachineCatalog, optional
        Default: the bundled one.
    prefix : str
        Prefixes the SVG ids (several figures in one HTML document).

    Returns
    -------
    list of dict
        ``role`` ('declared', 'observed'), ``record`` (id), ``changed`` (how many streams
        highlighted) and ``figure`` (inline SVG); [] if either record is missing, lacks its
        plant, or a plant cannot be drawn.
    """
    from ..errors import EnrichwatchError
    from ..facility.results import describe_link
    from ..physics.plots import plot_network

    insp, decl = inspection, declaration
    if insp is None or decl is None or not insp.payload.get("observed_plant") \
            or not decl.payload.get("plant"):
        return []
    try:
        (net_d, lab_d), (net_o, lab_o) = (_network(decl, "plant", catalog),
                                          _network(insp, "observed_plant", catalog))
    except (EnrichwatchError, ValueError):
        return []
    seen = [{describe_link(k) for k in n.links} for n in (net_o, net_d)]
    out = []
    for (net, labels, record, role), other in zip(
            ((net_d, lab_d, decl, "declared"), (net_o, lab_o, insp, "observed")), seen,
            strict=True):
        changed = [i for i, k in enumerate(net.links) if describe_link(k) not in other]
        ax = plot_network(net, labels=labels, highlight=changed)
        out.append({"role": role, "record": record.id, "changed": len(changed),
                    "figure": svg(ax, f"{prefix}{role[0]}-")})
    return out


def _finding(i: int, f, shown, by_id, catalog) -> dict:
    from ..evaluation.plots import SEVERITY_COLORS, finding_dates

    applied, known = finding_dates(f, shown)
    return {"number": i + 1, "severity": f.severity, "title": f.title, "detail": f.detail,
            "rule": f.rule, "color": SEVERITY_COLORS.get(f.severity, "#1f2328"),
            "applied": applied, "known": known, "evidence": list(f.evidence),
            "citation": getattr(f, "citation", None),
            "late_evidence": list(getattr(f, "late_evidence", ())),
            "consequence": render_consequence(f),
            "diagrams": (_comparison_diagrams(f, by_id, i, catalog)
                         if f.rule == _DIAGRAM_RULE else [])}


def render_evaluation_report(evaluation, records: Sequence, *, title: str | None = None,
                             rate_unit: str = "kg U/month", catalog=None) -> str:
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
    catalog : MachineCatalog, optional
        The machine catalog the evaluation used, to draw the declared and observed
        configurations; default the bundled one.
    """
    from ..evaluation.plots import SEVERITY_COLORS, plot_record_timeline

    considered = set(evaluation.records_considered)
    shown = [r for r in records if r.id in considered] or list(records)
    by_id = {r.id: r for r in shown}
    ax = plot_record_timeline(shown, evaluation.findings, as_of=evaluation.as_of)
    findings = [_finding(i, f, shown, by_id, catalog) for i, f in enumerate(evaluation.findings)]
    late = {e["id"] for e in getattr(evaluation, "late_entries", ())}
    rows = [{"id": r.id, "kind": r.kind, "valid_from": r.valid_from, "known_on": r.known_on,
             "late": r.id in late, "recorded_at": getattr(r, "recorded_at", None),
             "source": r.source, "summary": fmt_value(r.payload.get("summary", "")
                                                       or r.payload.get("name", ""))}
            for r in shown]
    illustrative = any("illustrative" in str(r.payload.get("plant", "")) or
                       "illustrative" in str(r.payload.get("observed_plant", "")) for r in shown)
    severities = [(s, c) for s, c in SEVERITY_COLORS.items()
                  if any(f.severity == s for f in evaluation.findings)]
    return render("evaluation.html", title=str(title or f"Safeguards evaluation: "
                                                           f"{evaluation.facility}"),
                  rate_unit=rate_unit, facility=evaluation.facility, as_of=evaluation.as_of,
                  timeline=svg(ax, "t-"), findings=findings, records=rows,
                  illustrative=illustrative, severities=severities,
                  warnings=list(getattr(evaluation, "warnings", ())),
                  late_entries=[dict(e) for e in getattr(evaluation, "late_entries", ())],
                  late_entry_note=getattr(evaluation, "late_entry_note", None),
                  held_on=getattr(evaluation, "held_on", None))
