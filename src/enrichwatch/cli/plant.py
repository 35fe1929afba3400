"""``enrichwatch solve`` and ``enrichwatch compare``: a plant's steady state and what a second
configuration changes, as tables, ``--json`` and ``--report FILE.html``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .app import JSON_OPTION, app, check_output_path, emit, is_stdout
from .options import CATALOG_OPTION, REPORT_OPTION, read_catalog
from .progress import QUIET_OPTION, step_bar

if TYPE_CHECKING:
    from ..facility.solve import SolvedPlant

__all__ = ["compare", "solve"]


def _solve(path: Path, catalog_path: Path | None, advance) -> SolvedPlant:
    from ..facility import load_facility, solve_plant

    catalog = read_catalog(catalog_path)
    advance(f"reading {path.name}")
    facility = load_facility(path, catalog=catalog)
    advance(f"solving {facility.name}")
    return solve_plant(facility, catalog=catalog)


def _facility_dict(facility) -> dict:
    info = facility.info
    return {"name": info.name, "country": info.country, "description": info.description,
            "illustrative": info.illustrative, "assumptions": list(info.assumptions),
            "sources": list(info.sources), "file": str(facility.filename),
            "file_rate_unit": facility.rate_unit}


def _report_inputs(facility, network, label: str | None = None) -> dict:
    info = facility.info
    inputs = {"facility": {"name": info.name, "country": info.country or "",
                           "file": str(facility.filename), "rate unit in file": facility.rate_unit,
                           "sources": "; ".join(info.sources)},
              "illustrative": info.illustrative}
    for feed in facility.feeds:
        inputs[f"feed {feed.name}"] = {"into": feed.target, "rate": f"{feed.rate} "
                                       f"{facility.rate_unit}",
                                       "isotopics": ", ".join(f"{k} {v:g} %" for k, v in
                                                              feed.isotopics.percent),
                                       "basis": feed.isotopics.basis}
    for name, cascade in network.cascades.items():
        inputs[f"cascade {name}"] = {"machine": cascade.machine.name,
                                     "machines": cascade.n_machines, "stages": cascade.n_stages,
                                     "feed stage": cascade.feed_stage}
    if label:
        inputs["label"] = label
    return inputs


@app.command()
def solve(
    plant: Path = typer.Argument(..., help="Plant description (TOML)."),
    report: Path = REPORT_OPTION,
    catalog: Path = CATALOG_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Steady state of a plant: each cascade and withdrawal, separative work, HEU output.

    PLANT may be - (standard input); --report - writes the HTML to standard output and the
    tables to standard error.
    """
    check_output_path(report, "--report", as_json=as_json)
    with step_bar(3 if report else 2, quiet) as advance:
        solved = _solve(plant, catalog, advance)
        facility = solved.facility
        if report:
            from ..report import render_solve_report, write_report

            advance(f"writing {report.name}")
            html = render_solve_report(facility.name, solved.network, solved.state,
                                       inputs=_report_inputs(facility, solved.network),
                                       assumptions=list(facility.info.assumptions),
                                       labels=solved.labels)
            write_report(html, report)
    payload = {"facility": _facility_dict(facility), **solved.result.as_dict(),
               "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _solve_tables(out, payload), stderr=is_stdout(report),
         schema="solve")


@app.command()
def compare(
    first: Path = typer.Argument(..., help="Plant description of the first configuration."),
    second: Path = typer.Argument(..., help="Plant description of the second configuration."),
    report: Path = REPORT_OPTION,
    catalog: Path = CATALOG_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """What the second configuration changes: streams, product assays, flows, HEU output.

    --report - writes the HTML to standard output and the tables to standard error.
    """
    check_output_path(report, "--report", as_json=as_json)
    from ..facility.results import compare_results

    with step_bar(6 if report else 5, quiet) as advance:
        a = _solve(first, catalog, advance)
        b = _solve(second, catalog, advance)
        changes = compare_results(a.result, b.result)
        advance("comparing at the same operating point")
        operating_point, maxima = _operating_point(a.network, b.network)
        if report:
            from ..report import ReportConfiguration, render_compare_report, write_report

            advance(f"writing {report.name}")
            before, after = (ReportConfiguration(
                network=p.network, state=p.state,
                inputs=_report_inputs(p.facility, p.network, path.name),
                assumptions=p.facility.info.assumptions) for p, path in ((a, first), (b, second)))
            html = render_compare_report(
                f"{a.facility.name} vs {b.facility.name}", before, after,
                [c.as_dict() for c in changes], labels={**a.labels, **b.labels})
            write_report(html, report)
    payload = {"first": {"facility": _facility_dict(a.facility), **a.result.as_dict()},
               "second": {"facility": _facility_dict(b.facility), **b.result.as_dict()},
               "changes": [c.as_dict() for c in changes],
               "operating_point": operating_point, "maximum_assay": maxima,
               "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _compare_table(out, payload), stderr=is_stdout(report),
         schema="compare")


def _operating_point(na, nb) -> tuple[dict | None, dict]:
    """Both configurations at the same operating point, and each one's highest assay over the
    withdrawal rate, with ranges over the uncertain inputs."""
    from ..facility.consequences import PlantRanges, operating_point_comparison

    split = operating_point_comparison(na, nb)
    maxima = {}
    for key, network in (("first", na), ("second", nb)):
        ranges = PlantRanges(network)
        top = ranges.maximum_dict()
        maxima[key] = None if top is None else {
            "withdrawal": ranges.withdrawal, **top,
            "range": ranges.maximum_spread().as_dict(), "inputs": dict(ranges.inputs)}
    return split, maxima


def _banner(out, facility: dict) -> None:
    from rich.markup import escape

    out.print(f"[bold]{escape(facility['name'])}[/]  ({escape(facility['file'])})")
    if facility["illustrative"]:
        out.print("[yellow]Illustrative reconstruction from public information; "
                  "assumptions:[/]")
        for line in facility["assumptions"]:
            out.print(f"  - {escape(line)}")


def _solve_tables(out, p: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..constants import HEU_THRESHOLD_WT_PCT

    _banner(out, p["facility"])
    unit = p["units"]["rate"]
    cascades = _narrow(f"Cascades (rates in {unit}; assays in wt% U-235)")
    for col in ("cascade", "machine", "stages ×\nmachines", "feed\nstage",
                "product\nrate @ assay", "tails\nrate @ assay", "kg-SWU/yr"):
        text = col in ("cascade", "machine")
        cascades.add_column(col, justify="left" if text else "right", no_wrap=not text)
    for c in p["cascades"]:
        cascades.add_row(escape(c["name"]), escape(c["machine"]),
                         f"{c['stages']} × {c['machines']}", str(c["feed_stage"]),
                         f"{c['product']['rate']:.4g} @ {c['product']['assay_wt_pct']:.4g}",
                         f"{c['tails']['rate']:.4g} @ {c['tails']['assay_wt_pct']:.4g}",
                         f"{c['swu_machines_per_month'] * 12:.4g}")    # as machines are rated
    out.print(cascades)
    withdrawals = Table(title=f"Withdrawals (rates in {unit})")
    for col in ("withdrawal", "from", "rate", "U-235 wt%", "HEU"):
        withdrawals.add_column(col, justify="right" if col in ("rate", "U-235 wt%") else "left")
    for w in p["withdrawals"]:
        withdrawals.add_row(escape(w["label"]), escape(w["name"]), f"{w['rate']:.4g}",
                            f"{w['assay_wt_pct']:.4g}", "yes" if w["heu"] else "")
    out.print(withdrawals)
    months = p["months_to_one_sq_at_90pct"]
    out.print(f"HEU (>= {HEU_THRESHOLD_WT_PCT:g} % U-235) output: "
              f"[bold]{p['heu_kg_per_month']:.4g} {unit}[/] "
              f"({p['heu_u235_kg_per_month']:.4g} kg U-235/month)")
    out.print("one significant quantity (25 kg U-235) at 90 %, product withdrawn slowly enough to "
              "reach 90 %: " + (f"[bold]{months:.3g} months[/]" if months is not None
                                else "not reachable"))
    if p["report"]:
        where = "standard output" if p["report"] == "-" else p["report"]
        out.print(f"report written to {escape(where)}")


def _compare_table(out, p: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    for key in ("first", "second"):
        _banner(out, p[key]["facility"])
    names = _names(p)
    table = Table(title=f"What {escape(names['second'])} changes against "
                        f"{escape(names['first'])}", show_lines=True)
    for col in ("item", names["first"], names["second"], "note"):
        table.add_column(escape(col))
    for c in p["changes"]:
        table.add_row(*(escape(str(c[k])) for k in ("item", "before", "after", "note")))
    out.print(table)
    _operating_point_table(out, p["operating_point"], names)
    _maximum_table(out, p["maximum_assay"], names)
    if p["report"]:
        where = "standard output" if p["report"] == "-" else p["report"]
        out.print(f"report written to {escape(where)}")


def _narrow(title: str):
    """A table without vertical rules (it fits 80 columns; numbers are never cut)."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                 collapse_padding=True)


def _names(p: dict) -> dict[str, str]:
    """The two configurations by their file names, as the report names them."""
    first, second = (Path(p[k]["facility"]["file"]).name for k in ("first", "second"))
    if first == second:
        first, second = (str(p[k]["facility"]["file"]) for k in ("first", "second"))
    return {"first": first, "second": second}


def _pp(value, spread=None) -> str:
    text = "n/a" if value is None else f"{value:+.3g} pp"
    if spread and spread.get("low") is not None and spread.get("settings", 1) > 1:
        text += f" ({spread['low']:+.3g} to {spread['high']:+.3g})"
    return text


def _operating_point_table(out, op: dict | None, names: dict[str, str]) -> None:
    from rich.markup import escape
    from rich.table import Table

    if op is None:
        out.print("No product withdrawal in common: no comparison at the same operating point.")
        return
    table = Table(title=f"Product {escape(op['withdrawal'])} at the same operating point "
                        "(rates in kg U/month, assays in wt% U-235)")
    for col in ("configuration", "at", "rate", "assay"):
        table.add_column(col, justify="right" if col in ("rate", "assay") else "left")

    def row(name, where, point):
        assay = point["assay_wt_pct"]
        table.add_row(name, where, f"{point['rate']:.4g}",
                      "not reachable" if assay is None else f"{assay:.4g}")
    one, two = escape(names["first"]), escape(names["second"])
    row(one, "its design cuts", op["first"]["design_cuts"])
    row(two, "its design cuts", op["second"]["design_cuts"])
    row(two, f"{one}'s withdrawal rate", op["second"]["at_first_rate"])
    row(one, f"{two}'s withdrawal rate", op["first"]["at_second_rate"])
    out.print(table)
    d, r = op["difference_wt_pct"], op.get("ranges", {})
    out.print(f"difference ({two} - {one}), each at its design cuts: "
              f"{_pp(d['total'], r.get('total'))}")
    out.print(f"  from the piping (same feed, {one}'s withdrawal rate): "
              f"{_pp(d['piping'], r.get('piping'))}; at {two}'s rate: "
              f"{_pp(d['piping_at_second_rate'], r.get('piping_at_second_rate'))}")
    out.print(f"  from the operating point (the rest): "
              f"{_pp(d['operating_point'], r.get('operating_point'))}")
    out.print("  assumptions: at the design cuts, " + escape(op["assumptions"]["design_cuts"])
              + "; at equal withdrawal, " + escape(op["assumptions"]["equal_withdrawal"]))
    if r.get("inputs"):
        out.print("  ranges over " + escape("; ".join(f"{k}: {v}" for k, v in
                                                     r["inputs"].items())))


def _maximum_table(out, maxima: dict, names: dict[str, str]) -> None:
    from rich.markup import escape

    table = _narrow("Highest product assay over the withdrawal rate (wt% U-235)")
    for col in ("configuration", "highest\nassay", "range", "at kg U\n/month",
                "at slowest\nrate tried"):
        text = col == "configuration"
        table.add_column(col, justify="left" if text else "right", no_wrap=not text)
    notes = []
    for key, m in maxima.items():
        if m is None:
            table.add_row(escape(names[key]), "(no product)", "", "", "")
            continue
        rng = m["range"]
        span = "" if rng["low"] is None else f"{rng['low']:.4g}-{rng['high']:.4g}"
        table.add_row(escape(names[key]), f"{m['assay_wt_pct']:.4g}", span,
                      f"{m['rate_kg_u_per_month']:.3g}",
                      f"{m['assay_at_slowest_rate_wt_pct']:.4g} at "
                      f"{m['slowest_rate_kg_u_per_month']:.2g}")
        notes.append(f"  {escape(names[key])}: withdrawal {escape(m['withdrawal'])}, "
                     f"{escape(m['label'])}"
                     + (f"; the range is moved most by {escape(str(rng['moved_most_by']))}"
                        if rng["moved_most_by"] else ""))
    out.print(table)
    for note in notes:
        out.print(note)
