"""``enrichwatch records ...`` (the safeguards record store) and ``enrichwatch evaluate``."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import typer

from ..dates import parse_date
from ..errors import InputError
from .app import JSON_OPTION, BadInput, app, check_output_path, console, emit, steps

__all__ = [
    "DB_OPTION",
    "DEFAULT_DB",
    "evaluate",
    "records_add",
    "records_app",
    "records_history",
    "records_init",
    "records_keygen",
    "records_show",
    "records_verify",
]

records_app = typer.Typer(help="The safeguards record store: an append-only, hash-chained "
                               "ledger of declarations, inspections, samples and reports.",
                          no_args_is_help=True)
app.add_typer(records_app, name="records")

DEFAULT_DB = "enrichwatch-records.sqlite"
DB_OPTION = typer.Option(None, "--db", help="Database: a SQLite file path or a PostgreSQL URL "
                                            "(default $ENRICHWATCH_DB, else "
                                            f"./{DEFAULT_DB}).")


def _open(db: str | None, create: bool = False):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from ..records import RecordStore
    from ..records.backend import POSTGRES_INSTALL, postgres_driver_missing

    url = db or os.environ.get("ENRICHWATCH_DB") or DEFAULT_DB
    is_file = "://" not in str(url)
    if not is_file and postgres_driver_missing(url):
        shown = make_url(str(url)).render_as_string(hide_password=True)
        raise BadInput("--db", shown, "a SQLite file path, or a PostgreSQL URL with the "
                                      f"PostgreSQL driver installed ({POSTGRES_INSTALL})")
    if is_file and not create and not Path(url).exists():
        raise BadInput("--db", str(url), "an existing record store (create one with "
                                         "'enrichwatch records init' or 'records add')")
    if is_file and (Path(url).is_dir() or not Path(url).parent.is_dir()):
        raise BadInput("--db", str(url), "a SQLite file path in an existing folder")
    try:
        return RecordStore.open(url).init()
    except DBAPIError as err:
        reason = str(err.orig).splitlines()[0] if err.orig is not None else type(err).__name__
        raise BadInput("--db", str(url), f"a record store enrichwatch can open ({reason})"
                       ) from None


def _date(text: str | None, param: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text, param)
    except InputError as err:
        raise BadInput(err.param, err.value, err.allowed) from None


def _record_row(r) -> dict:
    return {"id": r.id, "kind": r.kind, "facility": r.facility,
            "valid_from": r.valid_from.isoformat(), "known_on": r.known_on.isoformat(),
            "recorded_at": r.recorded_at.isoformat(), "supersedes": r.supersedes,
            "source": r.source, "submitted_by": r.submitted_by, "signed": bool(r.signature),
            "hash": r.hash}


def _summary(r) -> str:
    p = r.payload
    text = p.get("summary") or p.get("name") or p.get("title") or ""
    return str(text)[:90] + ("…" if len(str(text)) > 90 else "")


def _records_table(out, rows, records, title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for col in ("id", "kind", "facility", "applied", "known", "supersedes", "signed", "summary"):
        table.add_column(col, justify="right" if col == "id" else "left", overflow="fold")
    for row, r in zip(rows, records, strict=True):
        table.add_row(str(row["id"]), row["kind"], escape(row["facility"]), row["valid_from"],
                      row["known_on"], str(row["supersedes"] or ""),
                      "yes" if row["signed"] else "", escape(_summary(r)))
    out.print(table)


def _url(db: str | None) -> str:
    return db or os.environ.get("ENRICHWATCH_DB") or DEFAULT_DB


def _new_file(db: str | None) -> Path | None:
    """The SQLite file to create, when ``--db`` names a file that does not exist yet."""
    url = _url(db)
    if "://" in str(url) or Path(url).exists():
        return None
    if not Path(url).parent.is_dir():
        raise BadInput("--db", str(url), "a SQLite file path in an existing folder")
    return Path(url)


def _create(db: str | None, fill):
    """Run ``fill(store)`` on the store, creating a new SQLite file atomically (no file is
    left behind when ``fill`` fails; nothing another process wrote is ever removed)."""
    from sqlalchemy.exc import DBAPIError

    from ..records.store import create_sqlite_store

    new = _new_file(db)
    if new is None:
        store = _open(db, create=True)
        try:
            return fill(store), store.url
        finally:
            store.close()
    try:
        result, _ = create_sqlite_store(new, fill)
    except DBAPIError as err:
        reason = str(err.orig).splitlines()[0] if err.orig is not None else type(err).__name__
        raise BadInput("--db", str(new), f"a record store enrichwatch can open ({reason})"
                       ) from None
    return result, f"sqlite:///{new.resolve()}"


@records_app.command("init")
def records_init(db: str = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create (or upgrade) a record store."""
    (count, dialect), url = _create(db, lambda store: (store.count(), store.dialect))
    payload = {"url": url, "records": count, "dialect": dialect}
    emit(as_json, payload, lambda out: out.print(
        f"record store ready: {url} ({payload['records']} records)"))


@records_app.command("add")
def records_add(
    case_file: Path = typer.Argument(..., help="Case file (TOML, [[records]] entries)."),
    db: str = DB_OPTION,
    key: list[Path] = typer.Option(None, "--key", help="PARTY=KEY.pem: sign that party's "
                                                       "entries (repeatable).", show_default=False),
    as_json: bool = JSON_OPTION,
) -> None:
    """Append every record of a case file, in one transaction (all or nothing)."""
    from ..records import Signer, load_case_file

    signers = {}
    for item in key or []:
        party, sep, path = str(item).partition("=")
        if not sep:
            raise BadInput("--key", str(item), "PARTY=PATH-TO-PRIVATE-KEY.pem")
        try:
            signers[party] = Signer.from_pem_file(party, path)
        except (OSError, ValueError, TypeError):
            raise BadInput("--key", str(item), "PARTY=PATH to a readable Ed25519 private key "
                                               "(PEM, as written by 'records keygen')") from None
    added, url = _create(db, lambda store: load_case_file(store, case_file, signers))
    rows = [_record_row(r) for r in added]
    emit(as_json, {"url": url, "added": rows},
         lambda out: _records_table(out, rows, added, f"{len(added)} records appended to "
                                                      f"{url}"))


@records_app.command("show")
def records_show(record_id: int = typer.Argument(..., help="Record id."), db: str = DB_OPTION,
                 as_json: bool = JSON_OPTION) -> None:
    """One record, whole: fields, payload, hash and signature."""
    import json

    record = _open(db).get(record_id)
    payload = record.as_dict()
    emit(as_json, payload, lambda out: out.print_json(json.dumps(payload, default=str)))


@records_app.command("history")
def records_history(
    facility: str = typer.Argument(..., help="Facility code, e.g. FFEP."),
    kind: str = typer.Option(None, "--kind", help="Only records of this kind."),
    as_of: str = typer.Option(None, "--as-of", help="Only what was known on this date "
                                                    "(YYYY-MM-DD)."),
    db: str = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A facility's records in ledger order (or what was known on a date)."""
    store = _open(db)
    day = _date(as_of, "--as-of")
    records = store.known_as_of(facility, day) if day else store.history(facility, kind)
    if not records and not store.history(facility):
        raise BadInput("facility", facility, f"a facility with records in {store.url}")
    if day and kind:
        records = [r for r in records if r.kind == kind]
    rows = [_record_row(r) for r in records]
    title = f"{facility}: {len(rows)} records" + (f" known on {day}" if day else "")
    emit(as_json, {"facility": facility, "as_of": as_of, "records": rows},
         lambda out: _records_table(out, rows, records, title))


@records_app.command("verify")
def records_verify(db: str = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Check the whole chain: hashes, order, gaps, signatures. Exits 1 if anything is wrong,
    naming each record at fault."""
    report = _open(db).verify()
    payload = report.as_dict()
    emit(as_json, payload, lambda out: out.print(str(report)))
    if not report.ok:
        raise typer.Exit(1)


@records_app.command("keygen")
def records_keygen(
    party: str = typer.Argument(..., help="Party id, e.g. IAEA."),
    out_file: Path = typer.Option(..., "--out", help="Where to write the private key (PEM)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make an Ed25519 key pair for a party; prints the public key for its party record."""
    from ..records import Signer

    check_output_path(out_file, "--out")
    signer = Signer.generate(party)
    signer.save(out_file)
    payload = {"party": party, "private_key": str(out_file), "public_key": signer.public_key_hex}
    emit(as_json, payload, lambda out: out.print(
        f"private key written to {out_file} (keep it secret)\npublic key: {signer.public_key_hex}"))


@app.command()
def evaluate(
    facility: str = typer.Argument(..., help="Facility code, e.g. FFEP."),
    as_of: str = typer.Option(..., "--as-of", help="Evaluate what was known on this date "
                                                   "(YYYY-MM-DD)."),
    rules: list[str] = typer.Option(None, "--rules", help="Rule set to apply as well: a bundled "
                                                          "name (jcpoa) or a TOML file "
                                                          "(repeatable).", show_default=False),
    db: str = DB_OPTION,
    report: Path = typer.Option(None, "--report", help="Write an HTML report (timeline of "
                                                       "records and findings)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Evaluate a facility's records as of a date: findings with evidence and consequences."""
    check_output_path(report, "--report")
    from ..evaluation import evaluate as run_rules

    day = _date(as_of, "--as-of")
    if day > date.today():
        raise BadInput("--as-of", as_of, f"a date not after today ({date.today()})")
    with steps(3 if report else 2) as advance:
        advance("reading records")
        store = _open(db)
        chain = store.verify()
        records = store.known_as_of(facility, day)
        if not records:
            raise BadInput("facility", facility, f"a facility with records known on {day} in "
                                                 f"{store.url}")
        advance(f"evaluating {facility} as of {day}")
        result = run_rules(records, facility, day, rule_sets=list(rules or []))
        if report:
            from ..report import render_evaluation_report, write_report

            advance(f"writing {report.name}")
            write_report(render_evaluation_report(result, records), report)
    payload = {**result.as_dict(), "store_verified": chain.ok,
               "report": str(report) if report else None}
    if not chain.ok:
        console(stderr=True).print(f"[bold yellow]warning:[/] the record store fails "
                                   f"verification ({len(chain.problems)} problem(s)); run "
                                   "'enrichwatch records verify' — findings may rest on "
                                   "tampered records")
    emit(as_json, payload, lambda out: _findings(out, payload))


def _findings(out, p: dict) -> None:
    from rich.markup import escape

    out.print(f"[bold]{escape(p['facility'])}[/] as of {p['as_of']}: "
              f"{len(p['findings'])} finding(s)")
    colors = {"high": "red", "medium": "yellow", "low": "green", "info": "blue"}
    for i, f in enumerate(p["findings"], start=1):
        color = colors.get(f["severity"], "white")
        out.print(f"\n[bold {color}]F{i} {f['severity'].upper()}[/] [bold]{escape(f['title'])}[/]"
                  f"  (rule {f['rule']}; evidence: "
                  + ", ".join(f"#{e}" for e in f["evidence"]) + ")")
        out.print(escape(f["detail"]))
    if p["report"]:
        out.print(f"\nreport written to {escape(p['report'])}")
    if any("illustrative" in str(f.get("consequence")) for f in p["findings"]):
        out.print("\n[yellow]Physical consequences are computed from illustrative plant "
                  "reconstructions; see each plant's stated assumptions.[/]")
