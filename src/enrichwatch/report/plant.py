"""Reports of solved plants: one configuration (``solve``) or two side by side (``compare``).

A report is one HTML string with everything inside it: CSS in a ``<style>`` element, plots as
inline SVG from matplotlib (text drawn as paths, so no fonts are needed), no scripts, and a
Content-Security-Policy that forbids loading anything, so it opens offline and the same way
everywhere. User-provided text (titles, names, inputs, assumptions) is escaped by Jinja2's
autoescape. Rendering and writing are separate steps: :func:`render_solve_report` and
:func:`render_compare_report` return strings, :func:`write_report` writes one atomically.

The report formats figures it is given and computes none: withdrawals (rate, U-235 flow, HEU
or not) and the HEU totals come from :func:`enrichwatch.facility.results.plant_result` (the
totals sum the unrounded figures), other rates from the solved state, converted to ``rate_unit``
(default kg U/month) by :func:`enrichwatch.composition.display_rate`; separative power is
shown in kg-SWU/yr, as machines are rated. Two configurations to compare are passed as
:class:`ReportConfiguration` values.

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
from dataclasses import dataclass, field
from typing import Any

from ..composition import check_rate_unit, display_rate
from ..constants import HEU_THRESHOLD_WT_PCT
from ..errors import InputError
from ..facility.results import PlantResult, WithdrawalResult, plant_result
from ..physics.network import Network, NetworkState
from ..physics.states import StreamState
from ._html import fmt_value, input_sections, render, svg

__all__ = ["ReportConfiguration", "render_compare_report", "render_solve_report"]


@dataclass(frozen=True, kw_only=True)
class ReportConfiguration:
    """One solved configuration as a report shows it.

    Parameters
    ----------
    network : Network
        The network that was solved.
    state : NetworkState
        Its steady state (``network.solve()``).
    inputs : mapping
        What the analysis started from (see :func:`render_solve_report`); ``inputs["label"]``
        names the configuration.
    assumptions : sequence of str
        Modelling assumptions, listed beside the plots.
    """

    network: Network
    state: NetworkState
    inputs: Mapping[str, Any] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _expect("network", self.network, Network)
        _expect("state", self.state, NetworkState)
        _expect("inputs", self.inputs, Mapping)
        if isinstance(self.assumptions, str):
            raise InputError("assumptions", self.assumptions, "a sequence of strings")
        object.__setattr__(self, "assumptions", tuple(str(a) for a in self.assumptions))


def _expect(param: str, value, kind: type) -> None:
    if not isinstance(value, kind):
        raise InputError(param, type(value).__name__, f"a {kind.__name__}")


def _label(labels, name: str) -> str:
    return str((labels or {}).get(name, name))


def _assay(stream: StreamState) -> str:
    assay = stream.assay
    return "—" if assay is None else f"{float(assay.weight_percent):.2f}"


def _stream_row(name: str, stream: StreamState, rate_unit: str, labels) -> dict:
    """A stream the state gives (feed, cascade product or tails): its rate in ``rate_unit``
    and its U-235 assay, formatted."""
    return {"name": name, "label": _label(labels, name),
            "rate": f"{display_rate(stream.rate_kg_per_yr, rate_unit):.3f}",
            "assay": _assay(stream)}


def _withdrawal_row(w: WithdrawalResult, rate_unit: str) -> dict:
    """A withdrawal as the results give it: rate, assay, U-235 flow and whether it is HEU."""
    return {"name": w.name, "label": str(w.label), "rate": f"{w.rate(rate_unit):.3f}",
            "assay": f"{w.assay_wt_pct:.2f}" if w.has_assay else "—",
            "u235": f"{w.u235_rate(rate_unit):.3f}", "heu": w.is_heu}


def _heu_summary(result: PlantResult, rate_unit: str) -> dict:
    """The HEU totals of the results (sums of the unrounded figures), formatted."""
    return {"names": [w.name for w in result.heu_withdrawals],
            "rate": f"{result.heu_rate(rate_unit):.3f}",
            "u235": f"{result.heu_u235_rate(rate_unit):.3f}"}


# -- per-configuration context ------------------------------------------------------------------
def _feed_rows(network, state, rate_unit: str, labels) -> list[dict]:
    rows = []
    for feed in network.feeds:
        row = _stream_row(feed.name, state.feeds[feed.name], rate_unit, labels)
        target = network.cascades[feed.target]
        stage = target.feed_stage if feed.stage is None else feed.stage
        rows.append(row | {"target": _label(labels, feed.target), "stage": stage})
    return rows


def _cascade_sections(network, state, rate_unit: str, labels, names: Iterator[str],
                      limits: Mapping | None = None) -> list:
    from ..physics.plots import plot_stage_profile

    sections = []
    for name, cascade in network.cascades.items():
        cs = state.cascades[name]
        sections.append({
            "name": name, "label": _label(labels, name), "machine": cascade.machine.name,
            "stages": cs.n_stages, "feed_stage": cascade.feed_stage,
            "inflow_stages": [int(k) for k in cs.inlet_stages],
            "machines": cascade.n_machines,
            "machines_per_stage": [int(n) for n in cs.machines_per_stage],
            "swu_in_use": f"{cs.swu_machines_kg_per_yr:.0f}",
            "swu_nominal": f"{cascade.nominal_swu_kg_per_yr:.0f}",
            "product": _stream_row(f"{name}.product", cs.product, rate_unit, labels),
            "tails": _stream_row(f"{name}.tails", cs.tails, rate_unit, labels),
            "profile_ax": plot_stage_profile(cs, limits=(limits or {}).get(name)),
            "svg_prefix": next(names)})
    return sections


def _configuration(config: ReportConfiguration, *, labels, rate_unit: str,
                   names: Iterator[str], heading: str, highlight=(),
                   limits: Mapping | None = None) -> dict:
    """Everything the templates show about one solved network (plots still as axes);
    ``highlight`` the indices of links to mark as changed, ``limits`` the profile limits of
    cascades drawn on shared axes."""
    from ..physics.plots import plot_network

    network, state, inputs = config.network, config.state, config.inputs
    result = plant_result(network, state, labels, capability=False)
    return {
        "heading": str(inputs.get("label", heading)),
        "illustrative": bool(inputs.get("illustrative")),
        "inputs": input_sections(inputs), "assumptions": list(config.assumptions),
        "diagram_ax": plot_network(network, state, labels=labels, rate_unit=rate_unit,
                                   highlight=highlight),
        "diagram_prefix": next(names), "changed_streams": len(highlight),
        "withdrawals": [_withdrawal_row(w, rate_unit) for w in result.withdrawals],
        "heu": _heu_summary(result, rate_unit),
        "feeds": _feed_rows(network, state, rate_unit, labels),
        "cascades": _cascade_sections(network, state, rate_unit, labels, names, limits),
        "balance": f"{result.balance_residual:.1e}", "iterations": state.newton_iterations,
    }


def _tosvg(config: dict) -> dict:
    """Replace the axes in a configuration context by their SVG markup."""
    config["diagram"] = svg(config.pop("diagram_ax"), config["diagram_prefix"])
    for section in config["cascades"]:
        section["profile"] = svg(section.pop("profile_ax"), section["svg_prefix"])
    return config


def _shared_limits(a: ReportConfiguration, b: ReportConfiguration) -> dict:
    """Profile limits shared by the same-named cascades of two configurations."""
    from ..physics.plots import profile_limits

    return {name: profile_limits(a.state.cascades[name], b.state.cascades[name])
            for name in a.network.cascades if name in b.network.cascades}


def _changed_links(network, other) -> list[int]:
    """Indices of the links of ``network`` that ``other`` does not have (as described by
    :func:`~enrichwatch.facility.results.describe_link`, the comparison's own words)."""
    from ..facility.results import describe_link

    theirs = {describe_link(k) for k in other.links}
    return [i for i, k in enumerate(network.links) if describe_link(k) not in theirs]


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
    check_rate_unit(rate_unit)
    config = _configuration(ReportConfiguration(network=network, state=state, inputs=inputs,
                                                assumptions=tuple(assumptions)),
                            labels=labels, rate_unit=rate_unit, names=_names("s"),
                            heading="Configuration")
    return render("solve.html", title=str(title), rate_unit=rate_unit, config=_tosvg(config),
                   heu_threshold=f"{HEU_THRESHOLD_WT_PCT:g}")


def render_compare_report(title: str, a: ReportConfiguration, b: ReportConfiguration,
                          changes: Sequence[Mapping], *, labels: Mapping | None = None,
                          rate_unit: str = "kg U/month") -> str:
    """HTML report comparing two solved configurations side by side.

    Parameters
    ----------
    title : str
        Report title (escaped).
    a, b : ReportConfiguration
        The configuration before (a) and after (b); ``inputs["label"]`` names the column
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

    Raises
    ------
    InputError
        If ``a`` or ``b`` is not a :class:`ReportConfiguration` (the error names it), or
        ``rate_unit`` is not a unit reports show.
    """
    _expect("a", a, ReportConfiguration)
    _expect("b", b, ReportConfiguration)
    check_rate_unit(rate_unit)
    limits = _shared_limits(a, b)
    configs = [_configuration(cfg, labels=labels, rate_unit=rate_unit, names=_names(tag),
                              heading=heading, limits=limits,
                              highlight=_changed_links(cfg.network, other.network))
               for cfg, other, tag, heading in ((a, b, "a", "Before"), (b, a, "b", "After"))]
    configs = [_tosvg(c) for c in configs]
    rows = [{key: fmt_value(row.get(key, "")) for key in ("item", "before", "after", "note")}
            for row in changes]
    return render("compare.html", title=str(title), rate_unit=rate_unit, changes=rows,
                   configs=configs, profile_rows=_profile_rows(*configs),
                   heu_threshold=f"{HEU_THRESHOLD_WT_PCT:g}")


def _profile_rows(a: dict, b: dict) -> list[dict]:
    """Cascade sections of both configurations, paired by cascade name."""
    by_name_b = {s["name"]: s for s in b["cascades"]}
    names = [s["name"] for s in a["cascades"]]
    names += [n for n in by_name_b if n not in names]
    by_name_a = {s["name"]: s for s in a["cascades"]}
    return [{"name": n, "a": by_name_a.get(n), "b": by_name_b.get(n)} for n in names]
