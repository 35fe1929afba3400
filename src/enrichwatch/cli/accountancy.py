"""``enrichwatch accountancy FILE.toml``: material balances, sequential tests, detection
probabilities and the enrichment-plant check of an accountancy input file
(:mod:`enrichwatch.accountancy.study_io`); optionally an HTML report and the reports (ICR, PIL,
MBR) recorded in the record store."""

from __future__ import annotations

from pathlib import Path

import typer

from .app import JSON_OPTION, BadInput, app, check_output_path, emit
from .options import DASK_OPTION, connect_dask, deprecated, old_spelling
from .progress import QUIET_OPTION, progress_bar

__all__ = ["accountancy"]


def _records(analysis, db: str | None, facility: str, source: str, known_on,
             key: str | None):
    """Append the study's reports to the store in one transaction (all or nothing)."""
    from ..accountancy.reports import accountancy_reports
    from ..records import RecordDraft
    from .records import _create

    signer = None
    if key is not None:
        from .records import _signer

        signer = _signer(key)
    party = None if signer is None else signer.party
    drafts = [RecordDraft(kind, facility, day, known_on or day, source, payload,
                          submitted_by=party)
              for kind, day, payload in accountancy_reports(analysis)]
    added, url = _create(db, lambda store: store.append_many(drafts, signer))
    return {"url": url, "added": [{"id": r.id, "kind": r.kind,
                                   "valid_from": r.valid_from.isoformat()} for r in added]}


def _check_record_options(db, facility, known_on, key) -> tuple:
    from .records import _date, _facility_code

    if db is None:
        for option, value in (("--facility", facility), ("--known-on", known_on),
                              ("--key", key)):
            if value is not None:
                raise BadInput(option, value, "only with --db (recording the reports)")
        return None, None
    if facility is None:
        raise BadInput("--facility", None, "the facility code the reports belong to (with --db)")
    return _facility_code(facility), _date(known_on, "--known-on")


_OLD_ITERATIONS = old_spelling("--iterations", "--samples", min=1)
_OLD_ADDRESS = old_spelling("--address", "--dask")


@app.command()
def accountancy(
    file: Path = typer.Argument(..., help="Accountancy input file (TOML; "
                                          "examples/accountancy/)."),
    iterations: int = typer.Option(None, "--samples", min=1,
                                   help="Monte Carlo samples per scenario (default: the "
                                        "file's tests.iterations)."),
    old_iterations: int = _OLD_ITERATIONS,
    seed: int = typer.Option(None, "--seed", min=0, help="Monte Carlo seed (default: the "
                                                         "file's tests.seed)."),
    report: Path = typer.Option(None, "--report", help="Write an HTML report ('-': standard "
                                                       "output)."),
    db: str = typer.Option(None, "--db", help="Also append the reports (ICR, PIL, MBR) to this "
                                              "record store (SQLite path or PostgreSQL URL)."),
    facility: str = typer.Option(None, "--facility", help="Facility code of the reports (with "
                                                          "--db)."),
    known_on: str = typer.Option(None, "--known-on", help="Date the reports became known "
                                                          "(YYYY-MM-DD; default: each "
                                                          "report's own date)."),
    source: str = typer.Option(None, "--source", help="Source named by the records (default: "
                                                      "the input file)."),
    key: str = typer.Option(None, "--key", help="PARTY=KEY.pem: sign the records as PARTY."),
    address: str = DASK_OPTION,
    old_address: str = _OLD_ADDRESS,
    quiet: bool = QUIET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Material accountancy of a material balance area: MUF, CUMUF and their covariance,
    SITMUF, Page's test and GEMUF with thresholds for a false-alarm probability per year,
    detection probabilities of the file's loss scenarios (closed form and Monte Carlo), and
    the enrichment-plant check.

    A file with any problem exits 1 naming file, key and value, and writes nothing.

    Example: enrichwatch accountancy examples/accountancy/abrupt-loss.toml --report acc.html
    """
    from ..accountancy.study import analyse
    from ..accountancy.study_io import load_study

    check_output_path(report, "--report", as_json=as_json)
    iterations = deprecated(iterations, old_iterations, "--samples", "--iterations")
    address = deprecated(address, old_address, "--dask", "--address")
    code, day = _check_record_options(db, facility, known_on, key)
    if address is not None:
        connect_dask(address).close()         # reached before any work, or exit 1 naming it
    study = load_study(file)
    with progress_bar(quiet) as bar:
        analysis = analyse(study, iterations=iterations, seed=seed, address=address,
                           progress=bar)
    written = None
    if db is not None:
        assert code is not None                   # --facility is required with --db
        written = _records(analysis, db, code, source or f"enrichwatch accountancy "
                                                         f"{file.name}", day, key)
    if report is not None:
        from ..report import write_report
        from ..report.accountancy import render_accountancy_report

        write_report(render_accountancy_report(analysis), report)
    payload = {**analysis.as_dict(), "report": None if report is None else str(report),
               "records": written}
    emit(as_json, payload, lambda out: _show(out, payload),
         stderr=report is not None and str(report) == "-", schema="accountancy")


# -- tables ----------------------------------------------------------------------------------


def _n(value, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _pd(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _kg(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3f}"


def _table(title: str, columns: tuple[str, ...], left: tuple[str, ...]):
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), box=box.SIMPLE_HEAD, pad_edge=False)
    for col in columns:
        table.add_column(col, justify="left" if col in left or col == "scenario" else "right",
                         no_wrap=col != "scenario")
    return table


def _span(values: list[float], spec: str) -> str:
    """One value if all are equal at the shown precision, else 'low to high'."""
    low, high = format(min(values), spec), format(max(values), spec)
    return low if low == high else f"{low} to {high}"


def _balances(out, q: dict, dates: list[str] | None) -> None:
    """The balances in two tables that fit 80 columns: the book, then the tests."""
    t = q["tests"]
    book = _table(f"{q['quantity']} balance [{q['unit']}]",
                  ("#", "closes", "begin", "in", "out", "end", "MUF"), ("closes",))
    tests = _table(f"{q['quantity']} balance: MUF and its tests",
                   ("#", "MUF", "sigma", "MUF/sigma", "SITMUF", "Page", "alarm"), ("alarm",))
    for b in q["balances"]:
        page = b["page_upper"] if b["page_upper"] is not None else b["page_lower"]
        alarm = " ".join(n for n, flag in (("MUF", b["muf_alarm"]), ("Page", b["page_alarm"]))
                         if flag)
        closes = dates[b["index"]] if dates else f"{b['end_h']:g} h"
        book.add_row(str(b["index"]), closes, _kg(b["beginning"]), _kg(b["inputs"]),
                     _kg(b["outputs"]), _kg(b["ending"]), _kg(b["muf"]))
        tests.add_row(str(b["index"]), _kg(b["muf"]), _kg(b["sigma_muf"]),
                      f"{b['muf'] / b['sigma_muf']:+.2f}", f"{b['sitmuf']:+.2f}", _n(page, 3),
                      alarm)
    out.print(book)
    out.print(tests)
    first = t["page"]["first_alarm"]
    out.print(f"MUF test: one-sided, {_span(t['muf']['false_alarm_per_balance'], '.4g')} per "
              f"balance by its length (z = {_span(t['muf']['z'], '.3f')}); alarms: "
              f"{', '.join(map(str, t['muf']['alarms'])) or 'none'}.  Page ({t['page']['side']}"
              f"): k = {t['page']['k']:g}, h = {t['page']['h']:.4g} for "
              f"{t['page']['false_alarm']:g} in {t['page']['balances']} balances; first alarm: "
              f"{'none' if first is None else f'balance {first}'}.  CUMUF: "
              f"{'ALARM' if t['cumuf']['alarm'] else 'no alarm'}; GEMUF: "
              f"{'ALARM' if t['gemuf']['alarm'] else 'no alarm'} (threshold "
              f"{t['gemuf']['threshold']:.4g}).", markup=False)
    conv = q["sigma_muf_conventions"]
    out.print("sigma-MUF, mean over the balances: " + ", ".join(
        f"{name} {sum(v) / len(v):.4g}" for name, v in conv.items())
        + f" {q['unit']} (exact is used; mapit and rss for comparison)", markup=False)


def _scenarios(out, q: dict) -> None:
    """Detection probabilities in closed form, then by Monte Carlo (two tables: 80 columns)."""
    fa = q["false_alarms"]
    closed = _table(f"Detection probability, {q['quantity']} balance: closed form",
                    ("scenario", "loss", "SQ", "Page", "CUMUF", "GEMUF", "MUF (max)"), ())
    mc = _table(f"... and by Monte Carlo ({fa['iterations']} iterations each)",
                ("scenario", "Page", "CUMUF", "GEMUF", "any MUF"), ())
    d = fa["detection"]
    closed.add_row("no loss (false alarms)", "0", "0", "-", "-", "-", "-")
    mc.add_row("no loss (false alarms)", _pd(d["page"]), _pd(d["cumuf"]), _pd(d["gemuf"]),
               _pd(d["muf"]))
    for s in q["scenarios"]:
        c, m = s["closed_form"], s["monte_carlo"]["detection"]
        closed.add_row(s["name"], f"{sum(s['amounts_kg']):.4g}", f"{s['sq']:.3g}",
                       _pd(c["page"]), _pd(c["cumuf"]), _pd(c["gemuf"]),
                       _pd(max(c["muf_by_balance"])))
        mc.add_row(s["name"], _pd(m["page"]), _pd(m["cumuf"]), _pd(m["gemuf"]), _pd(m["muf"]))
    out.print(closed)
    out.print(mc)
    for c in q["detection_curves"]:
        half = next((sq for sq, p in zip(c["sq"], c["page"], strict=True) if p >= 0.5), None)
        out.print(f"  {c['scenario']}: Page's test detects with probability 0.5 from "
                  f"{_n(half, 3)} SQ ({len(c['sq'])} loss sizes up to {c['sq'][-1]:.3g} SQ)",
                  markup=False)


def _show(out, p: dict) -> None:
    from rich.markup import escape

    s = p["study"]
    dates = s["boundary_dates"]
    span = (f"{dates[0]} to {dates[-1]}" if dates else
            f"{s['boundaries_h'][0]:g} to {s['boundaries_h'][-1]:g} h")
    out.print(f"[bold]{escape(s['name'])}[/]: area {escape(s['area'])}, "
              f"{len(s['points'])} measurement points, {len(s['boundaries_h']) - 1} balances "
              f"({span})")
    for q in p["quantities"]:
        out.print()
        _balances(out, q, dates)
        _scenarios(out, q)
    check = p["plant_check"]
    if check is not None:
        out.print(f"\n[bold]Plant check[/] ({check['period_days']:g} days): declared "
                  f"production needs {check['balance']['swu_kg']:.0f} +/- "
                  f"{check['balance']['swu_sd']:.0f} kg-SWU; the declared plant delivers "
                  f"{check['capacity_swu_kg']:.0f} +/- {check['capacity_sd']:.0f}.")
        for finding in check["findings"] or ["consistent: no finding"]:
            out.print(f"  - {escape(finding)}")
    out.print("\n[bold]Assumptions[/]")
    for a in p["assumptions"]:
        out.print(f"  - {escape(a)}")
    if p["records"] is not None:
        r = p["records"]
        out.print(f"\n{len(r['added'])} records appended to {escape(r['url'])} "
                  f"(ids {r['added'][0]['id']}-{r['added'][-1]['id']})")
    if p["report"] is not None and p["report"] != "-":
        out.print(f"\nreport written to {escape(p['report'])}")
