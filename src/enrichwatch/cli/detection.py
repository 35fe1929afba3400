"""``enrichwatch detection``: would verification see a misuse in time? One scenario under a
regime, or detection against breakout at every IAEA report date (``--timeline``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer

from .app import JSON_OPTION, BadInput, app, check_output_path, emit
from .options import (
    DASK_OPTION,
    SEED_OPTION,
    BreakoutBasis,
    DetectionMethod,
    SqDefinition,
    dask_client,
    deprecated,
    old_spelling,
    since_option,
    sq_definition_option,
    until_option,
)
from .progress import QUIET_OPTION, progress_bar

__all__ = ["detection"]


_OLD_BASIS = old_spelling("--basis", "--breakout-basis")
_SQ_DEFINITION = sq_definition_option("90pct", "With --timeline, of the breakout schedules: ")


@app.command()
def detection(
    scenario: Path = typer.Argument(None, help="Misuse scenario file (TOML)."),
    regime: Path = typer.Option(None, "--regime", help="Regime file (TOML) instead of the "
                                                       "bundled one (Iran, 2016-2025)."),
    as_of: str = typer.Option(None, "--as-of", help="Apply the regime in force on this date "
                                                    "(YYYY-MM-DD) instead of the scenario's "
                                                    "start."),
    timeline: bool = typer.Option(False, "--timeline", help="Detection against breakout at "
                                                            "every IAEA report date instead "
                                                            "of one scenario."),
    method: DetectionMethod = typer.Option(DetectionMethod.auto, "--method",
                                           help="auto (analytic when possible), analytic or "
                                                "monte-carlo."),
    samples: int = typer.Option(100_000, "--samples", help="Monte Carlo samples."),
    seed: int = SEED_OPTION,
    dask: str = DASK_OPTION,
    since: str = since_option("2016"),
    until: str = until_option("2026"),
    sq_definition: SqDefinition = _SQ_DEFINITION,
    basis: BreakoutBasis = typer.Option(None, "--breakout-basis",
                                        help="With --timeline: breakout scenario auto (analyst "
                                             "where available), analyst or all-capacity "
                                             "(default: auto)."),
    old_basis: BreakoutBasis = _OLD_BASIS,
    breakout_json: Path = typer.Option(None, "--breakout-json",
                                       help="With --timeline: the JSON of 'enrichwatch "
                                            "breakout --timeline --json', so that the "
                                            "breakout schedules are not computed again."),
    report: Path = typer.Option(None, "--report", help="Write an HTML report here."),
    quiet: bool = QUIET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Time to detection of a misuse (re-piping, over-assay production, diversion, breakout)
    under the verification regime in force: its distribution, median, 90th percentile, the
    probability of detection before one SQ exists and within the IAEA timeliness goal."""
    check_output_path(report, "--report")
    basis = deprecated(basis, old_basis, "--breakout-basis", "--basis") or BreakoutBasis.auto
    _check(scenario, timeline, as_of, samples, dask, breakout_json)
    from ..detection import load_regime

    reg = load_regime(regime)
    if timeline:
        _timeline(reg, since, until, sq_definition.value, basis.value, breakout_json, report,
                  as_json, quiet)
    else:
        with dask_client(dask) as client:
            _one(scenario, reg, as_of, method.value, samples, seed, client, report, as_json,
                 quiet)


def _check(scenario, timeline, as_of, samples, dask, breakout_json) -> None:
    if timeline == (scenario is not None):
        raise BadInput("SCENARIO/--timeline", str(scenario) if scenario else None,
                       "either a scenario file or --timeline")
    if timeline and as_of is not None:
        raise BadInput("--as-of", as_of, "no --as-of with --timeline (each row applies the "
                                         "regime of its report date)")
    if not timeline and breakout_json is not None:
        raise BadInput("--breakout-json", str(breakout_json), "only with --timeline")
    if not 1 <= samples <= 100_000_000:
        raise BadInput("--samples", samples, "a whole number from 1 to 100,000,000")
    if timeline and dask is not None:
        raise BadInput("--dask", dask, "a scenario file, not --timeline (the timeline runs "
                                       "locally)")


def _one(path, reg, as_of, method, samples, seed, client, report, as_json, quiet) -> None:
    from ..dates import parse_date
    from ..detection import detect, load_misuse

    on = None if as_of is None else parse_date(as_of, "--as-of")
    if on is not None and not reg.covers(on):
        raise BadInput("--as-of", as_of, reg.coverage())
    misuse = load_misuse(path, reg)
    if on is None and not reg.covers(misuse.start):
        from ..detection import MisuseFileError
        from ..files import Problem

        raise MisuseFileError([Problem(str(path), "scenario.start", misuse.start.isoformat(),
                                       reg.coverage() + " (or give --as-of such a date)")])
    with progress_bar(quiet) as bar:
        result = detect(misuse, reg, on=on, method=method, samples=samples, seed=seed,
                        client=client, progress=bar)
    if report:
        from ..report import render_detection_report, write_report

        write_report(render_detection_report(result, regime=reg), report)
    payload = {**result.as_dict(), "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _one_table(out, payload), schema="detection")


def _read_breakout(path: Path) -> dict:
    from ..files import read_text_file

    try:
        data = json.loads(read_text_file(path))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise BadInput("--breakout-json", str(path), f"a readable JSON file ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) \
            or data.get("sq_definition") is None:
        raise BadInput("--breakout-json", str(path), "the JSON of 'enrichwatch breakout "
                                                     "--timeline --json' (rows with the "
                                                     "analyst and all-capacity scenarios)")
    return data


def _timeline(reg, since, until, sq_definition, basis, breakout_json, report, as_json,
              quiet) -> None:
    from ..detection import detection_timeline

    breakout = None if breakout_json is None else _read_breakout(breakout_json)
    with progress_bar(quiet) as bar:
        result = detection_timeline(reg, breakout=breakout, basis=basis,
                                    sq_definition=sq_definition, since=since, until=until,
                                    progress=bar)
    if report:
        from ..report import render_detection_timeline_report, write_report

        write_report(render_detection_timeline_report(result, regime=reg), report)
    payload = {**result.as_dict(), "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _timeline_table(out, payload),
         schema="detection-timeline")


def _days(value) -> str:
    return "never" if value is None or not math.isfinite(value) else f"{value:.3g}"


def _p(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _one_table(out, p: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    m = p["misuse"]
    out.print(f"[bold]{escape(m['name'])}[/] ({m['kind']}, {escape(', '.join(m['facilities']))}"
              f", from {m['start']}), regime of {p['regime_date']}"
              + (f" ({escape(p['era'])})" if p["era"] else ""))
    table = Table(title="Time to detection (days since the misuse began)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [("median", _days(p["median_days"])), ("90th percentile", _days(p["p90_days"])),
            ("P(ever detected)", _p(p["probability_ever"])),
            (f"P(within the timeliness goal, {m['timeliness_days']:.3g} days)",
             _p(p["probability_within_timeliness"]))]
    if m["completion_days"] is not None:
        rows += [(f"P(before one SQ exists, {m['completion_days']:.3g} days)",
                  _p(p["probability_before_completion"])),
                 ("margin: median minus days to one SQ",
                  "—" if p["margin_days"] is None else f"{p['margin_days']:+.3g}")]
    if m["observed_days"] is not None:
        rows.append((f"P(within the observed {m['observed_days']:g} days) = where it falls",
                     _p(p["observed_probability"])))
    for label, value in rows:
        table.add_row(escape(label), value)
    out.print(table)
    out.print(f"computed: {p['distribution']['method']}")
    out.print("[yellow]Activities that can reveal it:[/]")
    for a in p["activities"] or ["none: no verification can reveal this misuse"]:
        out.print(f"  - {escape(a)}")
    out.print("[yellow]Assumptions:[/]")
    for line in p["assumptions"]:
        out.print(f"  - {escape(line)}")
    if p["report"]:
        out.print(f"report written to {escape(p['report'])}")


def _timeline_table(out, p: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Detection against breakout at each IAEA report date (days)")
    cols = ("report", "breakout to 1 SQ", "detection median", "detection P90",
            "margin (median - breakout)", "P(detected before 1 SQ)", "regime")
    for col in cols:
        table.add_column(col, justify="left" if col in ("report", "regime") else "right")
    for r in p["rows"]:
        b = "—" if r["breakout_days"] is None else \
            f"{r['breakout_days']:.3g} ({r['breakout_basis']})"
        margin = ("∞: no verification" if r["no_verification"] and r["breakout_days"]
                  is not None else "—" if r["margin_days"] is None
                  else f"{r['margin_days']:+.3g}")
        table.add_row(r["date"], b, _days(r["detection_median_days"]),
                      _days(r["detection_p90_days"]), margin,
                      _p(r["probability_detected_before_1sq"]), escape(r["era"] or ""))
    out.print(table)
    out.print(escape(p["headline"]))
    out.print("[yellow]Assumptions:[/]")
    for line in p["assumptions"]:
        out.print(f"  - {escape(line)}")
    if p["report"]:
        out.print(f"report written to {escape(p['report'])}")
