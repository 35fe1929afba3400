"""``enrichwatch breakout``: the fastest route to weapon-grade uranium, its uncertainty, and
the timeline over the public record."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .app import JSON_OPTION, BadInput, app, check_output_path, emit
from .options import (
    CATALOG_OPTION,
    DASK_OPTION,
    SEED_OPTION,
    PlantModel,
    SqDefinition,
    dask_client,
    read_catalog,
    since_option,
    sq_definition_option,
    until_option,
)
from .progress import QUIET_OPTION, progress_bar

__all__ = ["breakout"]


_SQ_DEFINITION = sq_definition_option("iaea")


@app.command()
def breakout(
    state: Path = typer.Argument(None, help="State file (TOML): stocks and installed cascades."),
    sq: int = typer.Option(1, "--sq", min=1, help="Significant quantities to produce, a whole "
                                                  "number (25 kg U-235 each, in uranium of "
                                                  ">= 90 %)."),
    samples: int = typer.Option(0, "--samples", help="Monte Carlo samples for the uncertainty "
                                                     "(0: nominal plan only)."),
    model: PlantModel = typer.Option(PlantModel.repiped, "--model",
                                     help="Plant model: repiped (cascades re-piped for each "
                                          "step) or as-built (fed off-design)."),
    dask: str = DASK_OPTION,
    seed: int = SEED_OPTION,
    timeline: bool = typer.Option(False, "--timeline", help="Breakout time at every IAEA report "
                                                            "date 2016-2025 (bundled data) "
                                                            "instead of one state."),
    since: str = since_option("2016"),
    until: str = until_option("2026"),
    sq_definition: SqDefinition = _SQ_DEFINITION,
    scenarios: Path = typer.Option(None, "--scenarios",
                                   help="With --timeline: a breakout scenario file (TOML) "
                                        "instead of the bundled one."),
    catalog: Path = CATALOG_OPTION,
    report: Path = typer.Option(None, "--report", help="Write an HTML report here."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Compute every rate and schedule afresh; read and write "
                                       "no cache."),
    clear_cache: bool = typer.Option(False, "--clear-cache",
                                     help="Remove the cached rates and schedules first (alone: "
                                          "remove them and stop)."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Say on stderr what the cache read, ignored and wrote."),
    quiet: bool = QUIET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Fastest schedule to N significant quantities of weapon-grade uranium from stocks and
    installed machines, with the ideal-SWU lower bound and (with --samples) its uncertainty.

    Rates and schedules are cached on disk (ENRICHWATCH_CACHE_DIR, else
    $XDG_CACHE_HOME/enrichwatch, else ~/.cache/enrichwatch), keyed by the plant, the machine
    catalog and the code: a repeated call reads them instead of computing them again."""
    check_output_path(report, "--report")
    cache = _cache(no_cache, verbose)
    if clear_cache:
        payload = _clear(cache)
        said = f"cache: removed {payload['removed']} entries from {payload['folder']}"
        if state is None and not timeline:
            emit(as_json, payload, lambda out: out.print(said, markup=False),
                 schema="breakout-cache")
            return
        if verbose:
            _say(said)
    if timeline == (state is not None):
        raise BadInput("STATE/--timeline", str(state) if state else None,
                       "either a state file or --timeline")
    if not 0 <= samples <= 10_000_000:
        raise BadInput("--samples", samples, "a whole number from 0 to 10,000,000")
    if scenarios is not None and not timeline:
        raise BadInput("--scenarios", str(scenarios), "only with --timeline")
    if dask is not None and not samples:
        raise BadInput("--dask", dask, "only with --samples (the Monte Carlo runs there)")
    if timeline and (catalog is not None or dask is not None):
        raise BadInput("--catalog" if catalog is not None else "--dask",
                       str(catalog or dask), "a state file, not --timeline (the timeline "
                                             "uses the bundled catalog and runs locally)")
    from ..breakout.cache import using_cache

    machines = read_catalog(catalog)
    with using_cache(cache), dask_client(dask if samples else None) as client:
        if timeline:
            _timeline(sq, samples, seed, since, until, report, as_json, sq_definition.value,
                      scenarios, quiet)
        else:
            _plan(state, sq, samples, model.value, client, seed, report, as_json,
                  sq_definition.value, machines, quiet)
    if verbose and cache is not None:
        _say(f"cache: {cache.counts['hit']} read, {cache.counts['miss']} not cached, "
             f"{cache.counts['rejected']} ignored, {cache.counts['written']} written "
             f"({cache.folder})")


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _cache(no_cache: bool, verbose: bool):
    """The ResultCache of this run, or None (``--no-cache``, or no folder to put it in)."""
    from ..breakout.cache import ResultCache, cache_directory

    if no_cache:
        if verbose:
            _say("cache: off (--no-cache)")
        return None
    folder = cache_directory()
    if folder is None:
        if verbose:
            _say("cache: off (no ENRICHWATCH_CACHE_DIR, XDG_CACHE_HOME or home folder)")
        return None
    return ResultCache(folder, log=_say if verbose else None)


def _clear(cache) -> dict:
    """Remove the cache's entries (also under ``--no-cache``): the folder and how many."""
    if cache is None:
        from ..breakout.cache import ResultCache, cache_directory

        folder = cache_directory()
        cache = ResultCache(folder) if folder is not None else None
    if cache is None:
        return {"folder": None, "removed": 0}
    return {"folder": str(cache.folder), "removed": cache.clear()}


def _plan(path, sq, samples, model, client, seed, report, as_json, sq_definition,
          catalog, quiet) -> None:
    from ..breakout import load_state, monte_carlo, plan_breakout
    from ..breakout.sq import sq_statement, sq_u235_kg

    state = load_state(path, catalog=catalog)
    per_sq = sq_u235_kg(sq_definition)
    dist = None
    with progress_bar(quiet) as bar:
        plan = plan_breakout(state, sq, model=model, sq_u235_kg=per_sq, progress=bar)
        if samples:
            dist = monte_carlo(state, sq, samples=samples, seed=seed, model=model,
                               client=client, plan=plan, progress=bar, sq_u235_kg=per_sq)
    if report:
        from ..report import render_breakout_report, write_report

        write_report(render_breakout_report(plan, dist), report)
    payload = {**plan.as_dict(), "n_sq": sq,          # a count: an integer in the JSON
               "uncertainty": {**dist.as_dict(), "n_sq": sq} if dist else None,
               "sq_definition": sq_definition, "sq_statement": sq_statement(sq_definition),
               "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _plan_table(out, payload), schema="breakout")


def _timeline(sq, samples, seed, since, until, report, as_json, sq_definition,
              scenarios, quiet) -> None:
    from ..breakout import breakout_timeline

    with progress_bar(quiet) as bar:
        result = breakout_timeline(sq, models=("repiped",), samples=samples, seed=seed,
                                   since=since, until=until, progress=bar,
                                   sq_definition=sq_definition, scenario_file=scenarios)
    if report:
        from ..report import render_timeline_report, write_report

        write_report(render_timeline_report(result), report)
    payload = {**result.as_dict(), "n_sq": sq, "report": str(report) if report else None}
    emit(as_json, payload, lambda out: _timeline_table(out, payload), schema="breakout-timeline")


def _days(value) -> str:
    return "not reachable" if value is None else f"{value:.3g} days"


def _cell(value) -> str:
    return "not reachable" if value is None else f"{value:.3g}"


def _sq(n) -> str:
    return f"{n:g} SQ"


def _headline(p: dict) -> str:
    """Days to the target, said once (with the first SQ only when more than one is wanted),
    and the ideal-SWU lower bound."""
    n, first, bound = p["n_sq"], p["days_to_first_sq"], p["lower_bound"]["days"]
    if p["days_to_n_sq"] is None:
        head = f"[bold]{_sq(n)} not reachable[/]"
        if n != 1 and first is not None:
            head += f"; the first SQ alone takes [bold]{_days(first)}[/]"
    else:
        head = f"[bold]{_days(p['days_to_n_sq'])}[/] to {_sq(n)}"
        if n != 1:
            head += f", the first after {_days(first)}"
    return head + ("" if bound is None else f"; ideal-SWU lower bound {_days(bound)}")


def _schedule(rows: list[dict]):
    """The schedule as a table whose numbers are never cut: at 80 columns the names wrap."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Schedule (the step's index is in --json)")
    table.add_column("cascades", min_width=9)
    table.add_column("wt% feed →\nproduct (tails)", no_wrap=True)
    table.add_column("tails", min_width=9)
    for col in ("days", "feed\nkg U", "product\nkg U"):
        table.add_column(col, justify="right", no_wrap=True)
    for e in rows:
        table.add_row(escape(f"{e['group']} {e['units']}"),
                      f"{e['feed_wt_pct']:.3g} → {e['product_wt_pct']:.3g} "
                      f"({e['tails_wt_pct']:.3g})", escape(e["tails"]),
                      f"{e['start_day']:.2f}–{e['end_day']:.2f}", f"{e['feed_kg_u']:.2f}",
                      f"{e['product_kg_u']:.2f}")
    return table


def _plan_table(out, p: dict) -> None:
    from rich.markup import escape

    out.print(f"SQ definition: {escape(p['sq_statement'])}")
    out.print(f"[bold]{escape(p['state'])}[/] ({p['date'] or 'undated'}), plant model "
              f"{escape(p['model'])}: {_headline(p)}")
    if p["days_to_n_sq"] is None:
        # Lazy: the report package imports the plant model, which a warm breakout never needs.
        from ..report.breakout import unreachable_reason

        out.print(f"[yellow]Not reachable: {escape(unreachable_reason(p))}[/]")
    elif not p["schedule"]:
        out.print(f"No enrichment needed: the stocks already hold {_sq(p['n_sq'])}.")
    else:
        out.print(_schedule(p["schedule"]))
    if p["uncertainty"]:
        q = p["uncertainty"]["percentiles_days"]
        out.print(f"uncertainty ({p['uncertainty']['samples']} samples): 5th / 50th / 95th "
                  f"percentile {_days(q['p5'])} / {_days(q['p50'])} / {_days(q['p95'])}")
    out.print("[yellow]Assumptions:[/]")
    for line in p["assumptions"]:
        out.print(f"  - {escape(line)}")
    if p["report"]:
        out.print(f"report written to {escape(p['report'])}")


def _band(r) -> str:
    if r is None:
        return "—"
    q = r["percentiles_days"]
    days = _cell(r["days"])
    if q and q.get("p5") is not None:
        hi = "∞" if q["p95"] is None else f"{q['p95']:.3g}"
        return f"{days} ({q['p5']:.3g}–{hi})"
    return days


def _at(days, pct: float) -> str:
    return f"not reachable at {pct:g} %" if days is None else f"{days:.3g} d at {pct:g} %"


def _leu_line(r: dict) -> str:
    """The up-to-5 % stock's assay range and the days at its two ends, per scenario."""
    rng = r.get("leu_assay_wt_pct")
    if not rng:
        return ""
    ends = []
    for key, name in (("analyst", "analyst"), ("all_capacity", "all-capacity")):
        e = (r.get(key) or {}).get("leu_assay_range")
        if e:
            ends.append(f"{name} {_at(e['days_at_low'], rng['low'])}, "
                        f"{_at(e['days_at_high'], rng['high'])}")
    return (f"up to 5 % taken at {rng['nominal']:g} % (the category allows {rng['low']:g}–"
            f"{rng['high']:g} %)" + (": " + "; ".join(ends) if ends else ""))


def _timeline_table(out, p: dict) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # no vertical rules and numbers never cut, so that it fits 80 columns; what moves each
    # answer most is said under the table, with each row's assumptions
    table = Table(title=f"Days to {p['n_sq']:g} significant quantity at each IAEA report date",
                  box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    models = list(p["models"])
    cols = ("report", "60 % stock\nkg U", "analyst\n(P5–P95)", "all-capacity\n(P5–P95)",
            *[f"unconstrained\n{m}" for m in models], "ideal-SWU\nbound")
    for col in cols:
        table.add_column(col, justify="left" if col == "report" else "right",
                         no_wrap=col != "report")
    for r in p["rows"]:
        stock60 = next((s["kg_u"] for s in r["stocks"] if s["assay_wt_pct"] == 60.0), None)
        if r.get("gap"):
            table.add_row(r["date"], "gap", *["—"] * (len(cols) - 2))
            continue
        a, c = r.get("analyst"), r.get("all_capacity")
        bound = r.get("ideal_bound_days", r["lower_bound_days"])
        table.add_row(r["date"], "" if stock60 is None else f"{stock60:g}", _band(a), _band(c),
                      *[_cell(r["days_to_one_sq"].get(m)) for m in models], _cell(bound))
    out.print(table)
    if p.get("sq_statement"):
        out.print(f"SQ definition: {escape(p['sq_statement'])}")
    if any(r.get("gap") for r in p["rows"]):
        out.print("gap: a gap in the public record (no figures for that date).")
    out.print("[yellow]Assumptions of each row:[/]")
    for r in p["rows"]:
        if r.get("gap"):
            continue
        a, c = r.get("analyst"), r.get("all_capacity")
        drivers = f"{(a or {}).get('driver') or '—'} / {(c or {}).get('driver') or '—'}"
        out.print(f"  {r['date']} moved most by (analyst / all-capacity): {escape(drivers)}")
        leu = _leu_line(r)
        if leu:
            out.print(f"  {r['date']} {escape(leu)}")
        if a:
            out.print(f"  {r['date']} analyst: {escape(a['scenario']['method'] or '')}; "
                      f"{a['model']}, " + escape(", ".join(a["cascades"]))
                      + f"; set-up {a['setup_days']:g} d")
        if c:
            out.print(f"  {r['date']} all-capacity: " + escape(c.get("note") or "")
                      + f"; {c['n_machines']} machines; set-up {c['setup_days']:g} d, "
                        f"transport {c['transport_days']:g} d, hold-up "
                        f"{c['holdup_kg_u']:.3g} kg U")
    out.print("unconstrained: every installed machine on the stock at once, no set-up, "
              "stations, hold-up or losses (an upper limit on capability, not an estimate). "
              "Every assumption in full: --json and --report.")
    if p["report"]:
        out.print(f"report written to {escape(p['report'])}")
