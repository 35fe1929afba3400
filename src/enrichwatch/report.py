"""Self-contained HTML reports of solved cascade networks (Jinja2 templates, inline SVG plots).

A report is one HTML string with everything inside it: CSS in a ``<style>`` element, plots as
inline SVG from matplotlib (text drawn as paths, so no fonts are needed), no scripts, and a
Content-Security-Policy that forbids loading anything, so it opens offline and the same way
everywhere. User-provided text (titles, names, inputs, assumptions) is escaped by Jinja2's
autoescape. Rendering and writing are separate steps: :func:`render_solve_report` and
:func:`render_compare_report` return strings, :func:`write_report` writes one atomically.

Rates are held in kg U/yr in the solved state and shown in ``rate_unit`` (default kg U/month,
one twelfth of the yearly rate); separative power is shown in kg-SWU/yr, as machines are rated.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(20.0),
...                    Assay.from_weight_percent(2.5), total_machines=166, name="A")
>>> net = Network([a], feeds=[ExternalFeed("feed", "A", leu, 2000.0)])
>>> html = render_solve_report("Test <plant>", net, net.solve(), inputs={}, assumptions=[])
>>> "Test &lt;plant&gt;" in html and "<svg" in html and "A.product" in html
True
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from . import __version__
from .constants import HEU_THRESHOLD
from .errors import InputError
from .fileio import write_atomic

_SVG_RC = {"svg.fonttype": "path", "svg.hashsalt": "enrichwatch", "font.family": "DejaVu Sans"}
_SKIP_INPUT_KEYS = ("illustrative", "label")


# -- templates and SVG --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("enrichwatch", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _svg(ax, prefix: str):
    """The figure of ``ax`` as inline SVG markup, its ids prefixed so that several figures
    can share one HTML document."""
    from markupsafe import Markup
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context(_SVG_RC):
        ax.figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight",
                          pad_inches=0.04)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", text)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    return Markup(text.replace("<svg", f'<svg role="img" class="plot" data-figure="{prefix}"', 1))


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(version=__version__, **context)


# -- formatting ---------------------------------------------------------------------------------
def _fmt_value(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_fmt_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_fmt_value(v) for v in value)
    return str(value)


def _input_sections(inputs: Mapping) -> list[dict]:
    """Inputs as titled lists of (key, value) rows: nested mappings become their own section,
    the other top-level entries one "General" section."""
    general, sections = [], []
    for key, value in inputs.items():
        if key in _SKIP_INPUT_KEYS:
            continue
        if isinstance(value, Mapping):
            rows = [(str(k).replace("_", " "), _fmt_value(v)) for k, v in value.items()]
            sections.append({"title": str(key).replace("_", " "), "rows": rows})
        else:
            general.append((str(key).replace("_", " "), _fmt_value(value)))
    return ([{"title": "General", "rows": general}] if general else []) + sections


def _label(labels, name: str) -> str:
    return str((labels or {}).get(name, name))


def _stream_row(name: str, stream, factor: float, labels) -> dict:
    assay = stream.assay
    pct = None if assay is None else float(assay.weight_percent)
    return {"name": name, "label": _label(labels, name),
            "rate": f"{stream.rate_kg_per_yr * factor:.3f}",
            "assay": "—" if pct is None else f"{pct:.2f}",
            "u235": f"{stream.rate_kg_per_yr * factor * (pct or 0.0) / 100.0:.3f}",
            "heu": pct is not None and pct >= 100.0 * HEU_THRESHOLD}


def _heu_summary(rows: list[dict]) -> dict:
    heu = [r for r in rows if r["heu"]]
    return {"names": [r["name"] for r in heu],
            "rate": f"{sum(float(r['rate']) for r in heu):.3f}",
            "u235": f"{sum(float(r['u235']) for r in heu):.3f}"}


# -- per-configuration context ------------------------------------------------------------------
def _feed_rows(network, state, factor: float, labels) -> list[dict]:
    rows = []
    for feed in network.feeds:
        row = _stream_row(feed.name, state.feeds[feed.name], factor, labels)
        target = network.cascades[feed.target]
        stage = target.feed_stage if feed.stage is None else feed.stage
        rows.append(row | {"target": _label(labels, feed.target), "stage": stage})
    return rows


def _cascade_sections(network, state, factor: float, labels, names: Iterator[str]) -> list:
    from .plotting import plot_stage_profile

    sections = []
    for name, cascade in network.cascades.items():
        cs = state.cascades[name]
        inflow = [int(k) for k in cs.inlet_stages]
        machines = [int(n) for n in cs.machines_per_stage]
        sections.append({
            "name": name, "label": _label(labels, name), "machine": cascade.machine.name,
            "stages": cs.n_stages, "feed_stage": cascade.feed_stage, "inflow_stages": inflow,
            "machines": sum(machines), "machines_per_stage": machines,
            "swu_in_use": f"{cs.swu_machines_kg_per_yr:.0f}",
            "swu_nominal": f"{sum(machines) * cascade.machine.nominal_swu_per_yr:.0f}",
            "product": _stream_row(f"{name}.product", cs.product, factor, labels),
            "tails": _stream_row(f"{name}.tails", cs.tails, factor, labels),
            "profile_ax": plot_stage_profile(cs), "svg_prefix": next(names)})
    return sections


def _configuration(network, state, inputs: Mapping, assumptions: Sequence[str], *, labels,
                   rate_unit: str, names: Iterator[str], heading: str) -> dict:
    """Everything the templates show about one solved network (plots still as axes)."""
    from .plotting import plot_network, rate_factor

    factor = rate_factor(rate_unit)
    withdrawals = [_stream_row(n, s, factor, labels) for n, s in state.withdrawals.items()]
    residual = float(abs(state.balance_residual()).max())
    return {
        "heading": str(inputs.get("label", heading)),
        "illustrative": bool(inputs.get("illustrative")),
        "inputs": _input_sections(inputs), "assumptions": [str(a) for a in assumptions],
        "diagram_ax": plot_network(network, state, labels=labels, rate_unit=rate_unit),
        "diagram_prefix": next(names),
        "withdrawals": withdrawals, "heu": _heu_summary(withdrawals),
        "feeds": _feed_rows(network, state, factor, labels),
        "cascades": _cascade_sections(network, state, factor, labels, names),
        "balance": f"{residual:.1e}", "iterations": state.newton_iterations,
    }


def _to_svg(config: dict) -> dict:
    """Replace the axes in a configuration context by their SVG markup."""
    config["diagram"] = _svg(config.pop("diagram_ax"), config["diagram_prefix"])
    for section in config["cascades"]:
        section["profile"] = _svg(section.pop("profile_ax"), section["svg_prefix"])
    return config


def _align_profiles(a: dict, b: dict) -> None:
    """Give the stage profiles of same-named cascades in two configurations one y-range."""
    profiles_b = {s["name"]: s["profile_ax"] for s in b["cascades"]}
    for section in a["cascades"]:
        other = profiles_b.get(section["name"])
        if other is None:
            continue
        ax = section["profile_ax"]
        (lo1, hi1), (lo2, hi2) = ax.get_ylim(), other.get_ylim()
        for each in (ax, other):
            each.set_ylim(min(lo1, lo2), max(hi1, hi2))


def _names(tag: str) -> Iterator[str]:
    return (f"{tag}{i}-" for i in itertools.count())


# -- public API ---------------------------------------------------------------------------------
def render_solve_report(title: str, network, state, *, inputs: Mapping,
                        assumptions: Sequence[str], labels: Mapping | None = None,
                        rate_unit: str = "kg U/month") -> str:
    """HTML report of one solved network, as a single self-contained string.

    Parameters
    ----------
    title : str
        Report title (escaped).
    network : Network
        The network that was solved.
    state : NetworkState
        Its steady state (``network.solve()``).
    inputs : mapping
        What the analysis started from, shown beside the plots: nested mappings (facility
        metadata, feed, machines, ...) become titled sections. ``inputs["illustrative"]``
        true adds an "illustrative reconstruction" banner; ``inputs["label"]`` names the
        configuration.
    assumptions : sequence of str
        Modelling assumptions, listed beside the plots.
    labels : mapping, optional
        Display names for cascades, feeds and withdrawals, keyed by their names.
    rate_unit : {'kg U/month', 'kg U/yr'}
        Unit of the rates shown (the state holds kg U/yr).

    Returns
    -------
    str
        The HTML document.
    """
    config = _configuration(network, state, inputs, assumptions, labels=labels,
                            rate_unit=rate_unit, names=_names("s"), heading="Configuration")
    return _render("solve.html", title=str(title), rate_unit=rate_unit, config=_to_svg(config),
                   heu_threshold=f"{100 * HEU_THRESHOLD:g}")


def render_compare_report(title: str, a: tuple, b: tuple, changes: Sequence[Mapping], *,
                          labels: Mapping | None = None, rate_unit: str = "kg U/month") -> str:
    """HTML report comparing two solved configurations side by side.

    Parameters
    ----------
    title : str
        Report title (escaped).
    a, b : tuple
        ``(network, state, inputs, assumptions)`` of the configuration before (a) and after
        (b), each as in :func:`render_solve_report`; ``inputs["label"]`` names the column
        (default "Before" and "After").
    changes : sequence of mapping
        Rows of the "what changed" table, each with keys ``item``, ``before``, ``after`` and
        ``note`` (missing keys show as empty cells).
    labels : mapping, optional
        Display names, as in :func:`render_solve_report`.
    rate_unit : {'kg U/month', 'kg U/yr'}
        Unit of the rates shown.

    Returns
    -------
    str
        The HTML document.
    """
    configs = [_configuration(*cfg, labels=labels, rate_unit=rate_unit, names=_names(tag),
                              heading=heading)
               for cfg, tag, heading in ((_unpack(a, "a"), "a", "Before"),
                                         (_unpack(b, "b"), "b", "After"))]
    _align_profiles(*configs)
    configs = [_to_svg(c) for c in configs]
    rows = [{key: _fmt_value(row.get(key, "")) for key in ("item", "before", "after", "note")}
            for row in changes]
    return _render("compare.html", title=str(title), rate_unit=rate_unit, changes=rows,
                   configs=configs, profile_rows=_profile_rows(*configs),
                   heu_threshold=f"{100 * HEU_THRESHOLD:g}")


def _unpack(cfg, param: str) -> tuple:
    if not isinstance(cfg, tuple | list) or len(cfg) != 4:
        raise InputError(param, type(cfg).__name__,
                         "a tuple (network, state, inputs, assumptions)")
    return tuple(cfg)


def _profile_rows(a: dict, b: dict) -> list[dict]:
    """Cascade sections of both configurations, paired by cascade name."""
    by_name_b = {s["name"]: s for s in b["cascades"]}
    names = [s["name"] for s in a["cascades"]]
    names += [n for n in by_name_b if n not in names]
    by_name_a = {s["name"]: s for s in a["cascades"]}
    return [{"name": n, "a": by_name_a.get(n), "b": by_name_b.get(n)} for n in names]


def write_report(html: str, path) -> Path:
    """Write ``html`` to ``path`` atomically (:func:`enrichwatch.fileio.write_atomic`), so
    readers never see a half-written report.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return write_atomic(path, html)


def _flatten(value, prefix: str = "") -> list[tuple[str, str]]:
    """Nested consequence mappings as (dotted key, formatted value) rows."""
    if isinstance(value, Mapping):
        rows = []
        for key, item in value.items():
            rows += _flatten(item, f"{prefix}{key}." if isinstance(item, Mapping)
                             else f"{prefix}{key}")
        return rows
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        return [(f"{prefix}[{i}]", _fmt_value(v)) for i, v in enumerate(value)]
    return [(prefix.rstrip("."), _fmt_value(value))]


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
    from .plotting import plot_record_timeline

    considered = set(evaluation.records_considered)
    shown = [r for r in records if r.id in considered] or list(records)
    ax = plot_record_timeline(shown, evaluation.findings, as_of=evaluation.as_of)
    findings = [{"severity": f.severity, "title": f.title, "detail": f.detail, "rule": f.rule,
                 "evidence": list(f.evidence), "citation": getattr(f, "citation", None),
                 "consequence": _flatten(f.consequence) if f.consequence else []}
                for f in evaluation.findings]
    rows = [{"id": r.id, "kind": r.kind, "valid_from": r.valid_from, "known_on": r.known_on,
             "source": r.source, "summary": _fmt_value(r.payload.get("summary", "")
                                                       or r.payload.get("name", ""))}
            for r in shown]
    illustrative = any("illustrative" in str(r.payload.get("plant", "")) or
                       "illustrative" in str(r.payload.get("observed_plant", "")) for r in shown)
    return _render("evaluation.html", title=str(title or f"Safeguards evaluation: "
                                                           f"{evaluation.facility}"),
                   rate_unit=rate_unit, facility=evaluation.facility, as_of=evaluation.as_of,
                   timeline=_svg(ax, "t-"), findings=findings, records=rows,
                   illustrative=illustrative)


def _days(value) -> str:
    return "not reachable" if value is None or value == float("inf") else f"{value:.3g} days"


def render_breakout_report(plan, distribution=None, *, title: str | None = None) -> str:
    """HTML report of a breakout plan (schedule, material, steps) and, if given, its Monte
    Carlo distribution, with the state's and the plan's assumptions beside them."""
    from .breakout import plot_distribution, plot_schedule

    d = plan.as_dict()
    lb = d["lower_bound"]
    sections = [{
        "title": "Schedule",
        "summary": f"{_days(d['days_to_first_sq'])} to the first significant quantity, "
                   f"{_days(d['days_to_n_sq'])} to {d['n_sq']:g} (ideal-SWU lower bound "
                   f"{_days(lb['days'])}, {lb['swu_kg']:.4g} kg-SWU); plant model: "
                   f"{d['model']}.",
        "figure": _svg(plot_schedule(plan), "sch-"),
        "header": ["cascades", "step", "feed → product (tails) wt%", "tails", "from day",
                   "to day", "feed kg U", "product kg U"],
        "rows": [[f"{e['group']} {e['units']}", e["step"],
                  f"{e['feed_wt_pct']:.3g} → {e['product_wt_pct']:.3g} "
                  f"({e['tails_wt_pct']:.3g})", e["tails"], f"{e['start_day']:.2f}",
                  f"{e['end_day']:.2f}", f"{e['feed_kg_u']:.2f}", f"{e['product_kg_u']:.2f}"]
                 for e in d["schedule"]]}]
    if distribution is not None:
        m = distribution.as_dict()
        p = m["percentiles_days"]
        sections.append({
            "title": "Uncertainty",
            "summary": f"{m['samples']} Monte Carlo samples: 5th / 50th / 95th percentiles "
                       f"{_days(p['p5'])} / {_days(p['p50'])} / {_days(p['p95'])}; "
                       f"{100 * m['unreachable_share']:.1f} % of samples cannot reach the "
                       f"target.",
            "figure": _svg(plot_distribution(distribution), "mc-"), "rows": []})
    assumptions = list(d["assumptions"]) + (list(distribution.as_dict()["assumptions"])
                                            if distribution is not None else [])
    return _render("breakout.html", title=str(title or f"Breakout: {d['state']}"),
                   rate_unit="kg U", subtitle=f"{d['state']} ({d['date'] or 'undated'})",
                   sections=sections, assumptions=assumptions, sources=[])


def render_timeline_report(timeline, *, title: str = "Breakout time over the public record"
                           ) -> str:
    """HTML report of the breakout timeline: plot and table, with the assumptions of every
    report date."""
    from .breakout import plot_timeline

    t = timeline.as_dict()
    rows = t["rows"]
    models = list(t["models"])
    table = [[r["date"], r.get("report_id") or "", *[_days(r["days_to_one_sq"].get(m))
                                                      for m in models],
              _days(r["lower_bound_days"]), "no IAEA estimate" if r.get("gap") else ""]
             for r in rows]
    assumptions = list(t["assumptions"]) + sorted({a for r in rows
                                                   for a in r.get("assumptions", [])})
    sources = sorted({r["source"] for r in rows if r.get("source")})
    return _render("breakout.html", title=str(title), rate_unit="kg U",
                   subtitle="one significant quantity at each IAEA report date",
                   sections=[{"title": "Timeline", "figure": _svg(plot_timeline(timeline), "tl-"),
                              "header": ["report", "document", *models, "ideal-SWU bound",
                                         "gap"],
                              "rows": table}],
                   assumptions=assumptions, sources=sources)
