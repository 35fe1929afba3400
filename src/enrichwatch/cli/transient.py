"""``enrichwatch transient``: a plant in time. Runs an operating history (start-up, feed
interruption, throttled or closed withdrawal, re-piping) through the transient model and says
how high the assay goes at each stream, when thresholds are crossed, and how much uranium is
held or withdrawn above them, each answer a range over the uncertain inputs."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path

import typer

from .app import JSON_OPTION, app, check_output_path, emit
from .options import CATALOG_OPTION, REPORT_OPTION, read_catalog
from .progress import QUIET_OPTION, progress_bar

__all__ = ["transient"]



class Integrator(StrEnum):
    """``transient --method``: the implicit integrator."""

    radau = "Radau"
    bdf = "BDF"


@app.command()
def transient(
    plant: Path = typer.Argument(..., help="Plant description (TOML): the configuration the "
                                           "history calls 'plant'."),
    history: Path = typer.Option(..., "--history", help="Operating history (TOML): time "
                                                        "segments, each a configuration and "
                                                        "its operating state."),
    csv_path: Path = typer.Option(None, "--csv", help="Write the assay [wt%] of every stream "
                                                      "and stage against time [h] here (CSV)."),
    report: Path = REPORT_OPTION,
    sweep: bool = typer.Option(True, "--sweep/--no-sweep",
                               help="Also run hold-up, stage factor and closure at the ends of "
                                    "their ranges (answers as ranges with their driver)."),
    method: Integrator = typer.Option(Integrator.radau, "--method",
                                      help="Implicit integrator: Radau or BDF."),
    catalog: Path = CATALOG_OPTION,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Assays in time through an operating history: peaks, threshold crossings, settling,
    uranium above each threshold [kg U], slowest time constants [h]."""
    check_output_path(report, "--report")
    check_output_path(csv_path, "--csv")
    from ..facility.history import load_history
    from ..physics.transient import sweep_history, variants

    cat = read_catalog(catalog)
    hf = load_history(history, plant, catalog=cat)
    opts = {k: bool(v) and sweep for k, v in hf.sweep.items()}
    total = len(variants(hf.history, **opts))
    with progress_bar(quiet) as bar:
        result = sweep_history(hf.history, method=method.value,
                               progress=_runs_counter(bar, total), **opts)
        if csv_path:
            _write_csv(result.nominal, csv_path)
        if report:
            from ..report import render_transient_report, write_report

            if bar is not None:
                bar.start(1, f"writing {report.name}")
            write_report(render_transient_report(hf, result), report)
            if bar is not None:
                bar.advance()
                bar.close()
    payload = _payload(hf, result, plant, history, csv_path, report)
    emit(as_json, payload, lambda out: _tables(out, payload), schema="transient")


def _runs_counter(bar, total: int):
    """``progress(done, n)`` for :func:`sweep_history` drawing the runs on ``bar`` (None: no
    bar): a phase of ``total`` transient runs, advanced after each."""
    if bar is None:
        return None
    bar.start(total, "transient runs")
    done = [0]

    def progress(k: int, n: int) -> None:
        bar.advance(k - done[0])
        done[0] = k
        if k >= n:
            bar.close()

    return progress


def _write_csv(result, path: Path) -> None:
    from ..files import write_atomic

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(result.csv_rows())
    write_atomic(path, buffer.getvalue())


def _payload(hf, sweep, plant, history, csv_path, report) -> dict:
    h, nominal = hf.history, sweep.nominal
    product = hf.product
    return {
        "history": {"name": h.name, "file": str(history), "description": hf.description,
                    "illustrative": h.illustrative, "sources": list(h.sources),
                    "configurations": {k: str(f.filename) for k, f in hf.facilities.items()}},
        "plant": str(plant),
        "illustrative_note": _note(hf),
        "product_point": {"withdrawal": product, "label": h.label(product)},
        "summary": sweep.point_summary(product, product),
        "anywhere": sweep.point_summary("anywhere"),
        "runs": sweep.settings(),
        "nominal": nominal.as_dict(),
        "assumptions": list(nominal.assumptions) + [_sweep_statement(sweep)],
        "csv": str(csv_path) if csv_path else None,
        "report": str(report) if report else None,
    }


def _note(hf) -> str:
    if hf.history.illustrative or any(f.info.illustrative for f in hf.facilities.values()):
        return ("ILLUSTRATIVE RECONSTRUCTION: the plant layout, the operating history and the "
                "hold-ups are assumptions, not the plant's actual design or record")
    return ""


def _sweep_statement(sweep) -> str:
    inputs = sorted({i for i, _, _ in sweep.runs[1:]})
    if not inputs:
        return "no uncertain input swept (--no-sweep or [uncertainty] off): nominal values only"
    return ("ranges: each uncertain input at the ends of its range, one at a time (others "
            "nominal): " + ", ".join(inputs))


def _cell(r: dict, digits: str = ".3g") -> str:
    def f(v):
        return "not reached" if v is None else format(v, digits)
    text = f(r["nominal"])
    if r["low"] is not None and (r["low"] != r["high"] or r["nominal"] is None):
        text += f" ({f(r['low'])}–{f(r['high'])}"
        text += f"; {r['runs_without_value']} of {r['runs']} runs not reached" \
            if r["runs_without_value"] else ""
        text += ")"
    return text


def _tables(out, p: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    if p["illustrative_note"]:
        out.print(f"[bold yellow]{escape(p['illustrative_note'])}[/]")
    out.print(f"[bold]{escape(p['history']['name'])}[/] on {escape(p['plant'])}; product "
              f"point {escape(p['product_point']['label'])}")
    table = Table(title="Answers (nominal, and the range over the uncertain inputs)")
    for col in ("answer", "value", "driver"):
        table.add_column(col)
    for label, r in _summary_rows(p["summary"]):
        table.add_row(escape(label), _cell(r), escape(r["driver"] or "—"))
    out.print(table)
    seg = Table(title="Segments (nominal run)")
    for col in ("segment", "configuration", "closure", "hours", "steady product wt%",
                "settling h", "slowest τ h"):
        seg.add_column(col)
    point = p["product_point"]["withdrawal"]
    for s in p["nominal"]["segments"]:
        steady = s["steady_assay_wt_pct"].get(point)
        settle = s["settling_h"].get(point)
        seg.add_row(escape(s["name"]), escape(s["configuration"]), s["closure"],
                    f"{s['start_h']:g}–{s['end_h']:g}",
                    "drains" if steady is None else f"{steady:.4g}",
                    "—" if settle is None else f"{settle:.3g}",
                    ", ".join(f"{t:.3g}" for t in s["time_constants_h"][:2]))
    out.print(seg)
    out.print("[yellow]Assumptions:[/]")
    for line in p["assumptions"]:
        out.print(f"  - {escape(line)}")
    for key in ("csv", "report"):
        if p[key]:
            out.print(f"{key} written to {escape(p[key])}")


def _summary_rows(summary: dict) -> list[tuple[str, dict]]:
    rows = [("peak assay at the product point [wt%]", summary["peak_assay_wt_pct"]),
            ("  when [h]", summary["peak_time_h"])]
    for t in summary["thresholds"]:
        level = f"{t['threshold_wt_pct']:g} %"
        rows.append((f"first at or above {level} [h]", t["first_reached_h"]))
        if t["withdrawn_kg_u"] is not None:
            rows.append((f"withdrawn at or above {level} [kg U]", t["withdrawn_kg_u"]))
        rows.append((f"most held in stages at or above {level} [kg U]",
                     t["holdup_above_max_kg_u"]))
    return rows
