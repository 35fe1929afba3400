"""Reports of solved plants: one configuration (``solve``) or two side by side (``compare``).

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

import itertools
from collections.abc import Iterator, Mapping, Sequence

from ..constants import HEU_THRESHOLD
from ..errors import InputError
from ._html import fmt_value, input_sections, render, svg

__all__ = ["render_compare_report", "render_solve_report"]


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
    from ..physics.plots import plot_stage_profile

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
    from ..physics.plots import plot_network, rate_factor

    factor = rate_factor(rate_unit)
    withdrawals = [_stream_row(n, s, factor, labels) for n, s in state.withdrawals.items()]
    residual = float(abs(state.balance_residual()).max())
    return {
        "heading": str(inputs.get("label", heading)),
        "illustrative": bool(inputs.get("illustrative")),
        "inputs": input_sections(inputs), "assumptions": [str(a) for a in assumptions],
        "diagram_ax": plot_network(network, state, labels=labels, rate_unit=rate_unit),
        "diagram_prefix": next(names),
        "withdrawals": withdrawals, "heu": _heu_summary(withdrawals),
        "feeds": _feed_rows(network, state, factor, labels),
        "cascades": _cascade_sections(network, state, factor, labels, names),
        "balance": f"{residual:.1e}", "iterations": state.newton_iterations,
    }


def _tosvg(config: dict) -> dict:
    """Replace the axes in a configuration context by their SVG markup."""
    config["diagram"] = svg(config.pop("diagram_ax"), config["diagram_prefix"])
    for section in config["cascades"]:
        section["profile"] = svg(section.pop("profile_ax"), section["svg_prefix"])
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
    return render("solve.html", title=str(title), rate_unit=rate_unit, config=_tosvg(config),
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
    configs = [_tosvg(c) for c in configs]
    rows = [{key: fmt_value(row.get(key, "")) for key in ("item", "before", "after", "note")}
            for row in changes]
    return render("compare.html", title=str(title), rate_unit=rate_unit, changes=rows,
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
