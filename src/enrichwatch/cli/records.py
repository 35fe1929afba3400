"""``enrichwatch records ...`` (the safeguards record store) and ``enrichwatch evaluate``."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import typer

from ..dates import parse_date
from ..errors import InputError
from .app import JSON_OPTION, BadInput, app, check_output_path, console, emit
from .options import CATALOG_OPTION, deprecated, old_spelling, read_catalog
from .progress import QUIET_OPTION, step_bar

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
    """The record store ``--db`` names. Only ``create`` (init, add) may make a new store or
    add enrichwatch's tables to a database; read-only commands refuse any database that is not
    already an enrichwatch store, and leave it untouched. Passwords never appear in errors."""
    import sqlite3

    from sqlalchemy.exc import ArgumentError, DBAPIError

    from ..files import output_problem, redact_secrets
    from ..records import RecordStore
    from ..records.backend import (
        POSTGRES_INSTALL,
        display_url,
        postgres_driver_missing,
        stored_revision,
    )

    url = db or os.environ.get("ENRICHWATCH_DB") or DEFAULT_DB
    is_file = "://" not in str(url)
    shown = str(url) if is_file else display_url(url)
    try:
        missing_driver = not is_file and postgres_driver_missing(url)
    except (ArgumentError, ValueError):
        missing_driver = False                 # reported below, as a URL it cannot open
    if missing_driver:
        raise BadInput("--db", shown, "a SQLite file path, or a PostgreSQL URL with the "
                                      f"PostgreSQL driver installed ({POSTGRES_INSTALL})")
    if is_file and not create and not Path(url).exists():
        raise BadInput("--db", str(url), "an existing record store (create one with "
                                         "'enrichwatch records init' or 'records add')")
    if is_file and (problem := output_problem(url)) is not None:
        raise BadInput("--db", str(url), f"a SQLite file: {problem}")
    try:
        foreign = not create and stored_revision(url) is None
        store = None if foreign else RecordStore.open(url).init()
    except (DBAPIError, sqlite3.Error, ArgumentError, ValueError) as err:
        orig = getattr(err, "orig", None) or err
        reason = redact_secrets(str(orig).splitlines()[0] if str(orig) else type(err).__name__)
        raise BadInput("--db", shown, f"a record store enrichwatch can open ({reason})"
                       ) from None
    if store is None:
        raise BadInput("--db", shown, "an enrichwatch record store (this database has no "
                                      "enrichwatch tables; nothing was changed)")
    return store


def _date(text: str | None, param: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text, param)
    except InputError as err:
        raise BadInput(err.param, err.value, err.allowed) from None


def _facility_code(code: str) -> str:
    """The FACILITY argument, refused unless a facility code of the safe set."""
    from ..records.model import FACILITY_CODE_TEXT, is_facility_code

    if not is_facility_code(code):
        raise BadInput("facility", code, FACILITY_CODE_TEXT)
    return code


def _record_row(r) -> dict:
    from ..dates import format_timestamp

    return {"id": r.id, "kind": r.kind, "facility": r.facility,
            "valid_from": r.valid_from.isoformat(), "known_on": r.known_on.isoformat(),
            "recorded_at": format_timestamp(r.recorded_at), "supersedes": r.supersedes,
            "source": r.source, "submitted_by": r.submitted_by, "signed": bool(r.signature),
            "hash": r.hash}


def _summary(r) -> str:
    p = r.payload
    text = str(p.get("summary") or p.get("name") or p.get("title") or "")
    if len(text) <= 90:
        return text
    return text[:90].rsplit(" ", 1)[0] + " (more: records show)"


def _records_table(out, rows, records, title: str) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # no vertical rules; two facts a column (kind over facility, dates, supersedes over
    # signed) so that the summary keeps room to read (about 40 characters at 80 columns): it
    # wraps at word ends; a long kind folds before dates break
    table = Table(title=escape(title), box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("kind\nfacility", overflow="fold")
    table.add_column("applied\nknown", no_wrap=True)
    table.add_column("super-\nsedes\nsigned", no_wrap=True)
    table.add_column("summary", ratio=1)
    for row, r in zip(rows, records, strict=True):
        marks = "\n".join(m for m in (f"#{row['supersedes']}" if row["supersedes"] else "",
                                      "signed" if row["signed"] else "") if m)
        table.add_row(str(row["id"]), f"{escape(row['kind'])}\n{escape(row['facility'])}",
                      f"{row['valid_from']}\n{row['known_on']}", marks, escape(_summary(r)))
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


def _signer(item: str, option: str = "--key"):
    """A signer from ``PARTY=KEY.pem``."""
    from ..records import Signer

    party, sep, path = item.partition("=")
    if not sep or not party.strip():
        raise BadInput(option, item, "PARTY=PATH-TO-PRIVATE-KEY.pem")
    try:
        return Signer.from_pem_file(party, path)
    except (OSError, ValueError, TypeError):
        raise BadInput(option, item, "PARTY=PATH to a readable Ed25519 private key "
                                     "(PEM, as written by 'records keygen')") from None


def _checkpoint(path: Path | None):
    if path is None:
        return None
    from ..records import Checkpoint

    return Checkpoint.load(path)


AGAINST_OPTION = typer.Option(None, "--against", help="A checkpoint file (from 'records "
                                                      "checkpoint') kept outside the store.")


@records_app.command("init")
def records_init(db: str = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create (or upgrade) a record store."""
    (count, dialect), url = _create(db, lambda store: (store.count(), store.dialect))
    payload = {"url": url, "records": count, "dialect": dialect}
    emit(as_json, payload, lambda out: out.print(
        f"record store ready: {url} ({payload['records']} records)", markup=False),
         schema="records-init")


@records_app.command("add")
def records_add(
    case_file: Path = typer.Argument(..., help="Case file (TOML, [[records]] entries)."),
    db: str = DB_OPTION,
    key: list[Path] = typer.Option(None, "--key", help="PARTY=KEY.pem: sign that party's "
                                                       "entries (repeatable).", show_default=False),
    allow_outside: bool = typer.Option(False, "--allow-outside-files",
                                       help="Let plant_file name files outside the case "
                                            "file's folder."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Append every record of a case file, in one transaction (all or nothing)."""
    from ..records import load_case_file

    signers = {}
    for item in key or []:
        signer = _signer(str(item))
        signers[signer.party] = signer
    added, url = _create(db, lambda store: load_case_file(store, case_file, signers,
                                                           allow_outside=allow_outside))
    rows = [_record_row(r) for r in added]
    emit(as_json, {"url": url, "added": rows},
         lambda out: _records_table(out, rows, added, f"{len(added)} records appended to "
                                                      f"{url}"), schema="records-add")


@records_app.command("show")
def records_show(record_id: int = typer.Argument(..., help="Record id."), db: str = DB_OPTION,
                 as_json: bool = JSON_OPTION) -> None:
    """One record, whole: fields, payload, hash and signature."""
    from .record_view import show_record

    record = _open(db).get(record_id)
    payload = record.as_dict()
    emit(as_json, payload, lambda out: show_record(out, payload), schema="records-show")


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
    _facility_code(facility)
    store = _open(db)
    day = _date(as_of, "--as-of")
    records = store.known_as_of(facility, day) if day else store.history(facility, kind)
    if not records and not store.history(facility):
        raise BadInput("facility", facility, f"a facility with records in {store.url}")
    if day and kind:
        records = [r for r in records if r.kind == kind]
    rows = [_record_row(r) for r in records]
    title = f"{facility}: {len(rows)} records" + (f" known on {day}" if day else "")
    emit(as_json, {"facility": facility, "as_of": day.isoformat() if day else None,
                   "records": rows},
         lambda out: _records_table(out, rows, records, title), schema="records-history")


@records_app.command("verify")
def records_verify(db: str = DB_OPTION, against: Path = AGAINST_OPTION,
                   as_json: bool = JSON_OPTION) -> None:
    """Check the whole chain: hashes, order, gaps, signatures, key policy; with --against, also
    prove the store an append-only extension of a checkpoint. Exits 1 if anything is wrong,
    naming each record at fault."""
    checkpoint = _checkpoint(against)
    store = _open(db)
    report = store.verify(memo=_memo())
    anchor = store.verify_against(checkpoint) if checkpoint is not None else None
    payload = report.as_dict()
    if anchor is not None:
        payload["against"] = anchor.as_dict()
        payload["ok"] = report.ok and anchor.ok

    def show(out) -> None:
        from rich.markup import escape

        out.print(escape(str(report)))
        if anchor is not None:
            out.print(escape(str(anchor)))

    emit(as_json, payload, show, schema="records-verify")
    if not payload["ok"]:
        raise typer.Exit(1)


_OLD_CHECKPOINT_OUT = old_spelling("--out", "--checkpoint")
_OLD_KEYGEN_OUT = old_spelling("--out", "--private-key")


def _required(value, option: str, allowed: str):
    """``value`` of a required option that also has an old spelling (so typer cannot require
    it), or bad input naming it."""
    if value is None:
        raise BadInput(option, None, allowed)
    return value


@records_app.command("checkpoint")
def records_checkpoint(
    key: str = typer.Option(..., "--key", help="PARTY=KEY.pem: the party signing the "
                                               "checkpoint."),
    out_file: Path = typer.Option(None, "--checkpoint",
                                  help="Write the checkpoint here (JSON, a new file); keep it "
                                       "outside the store (required)."),
    old_out: Path = _OLD_CHECKPOINT_OUT,
    db: str = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Sign a checkpoint of the ledger (tree size, Merkle root, time) to keep elsewhere; refused
    when the store fails verification."""
    out_file = _required(deprecated(out_file, old_out, "--checkpoint", "--out"), "--checkpoint",
                         "a new file to write the checkpoint to (JSON)")
    check_output_path(out_file, "--checkpoint")
    if out_file.exists():
        raise BadInput("--checkpoint", str(out_file), "a new file (checkpoints are never "
                                                      "overwritten)")
    signer = _signer(key)
    checkpoint = _open(db).checkpoint(signer)
    checkpoint.save(out_file)
    payload = {**checkpoint.as_dict(), "file": str(out_file)}
    emit(as_json, payload, lambda out: out.print(
        f"checkpoint of {checkpoint.tree_size} records (root {checkpoint.root_hash}) signed by "
        f"{checkpoint.party!r}, written to {out_file}"), schema="records-checkpoint")


@records_app.command("prove")
def records_prove(
    record_id: int = typer.Argument(..., help="Record id."),
    against: Path = AGAINST_OPTION,
    db: str = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """An inclusion proof of one record (RFC 9162 audit path): in the whole ledger, or with
    --against in the tree a checkpoint signed (exit 1 if it does not hold)."""
    from ..records import verify_inclusion_proof

    checkpoint = _checkpoint(against)
    store = _open(db)
    size = len(store) if checkpoint is None else checkpoint.tree_size
    if not 1 <= record_id <= size:
        raise BadInput("record id", record_id, f"a record id from 1 to {size}"
                       + (" (the checkpoint's tree size)" if checkpoint is not None else ""))
    if checkpoint is not None and store.count() < checkpoint.tree_size:
        raise BadInput("--against", str(against), f"a checkpoint of at most {store.count()} "
                                                  "records (the store holds fewer: run "
                                                  "'records verify --against')")
    proof = store.prove(record_id, size)
    root = checkpoint.root_hash if checkpoint is not None else proof["root_hash"]
    proof["verified"] = verify_inclusion_proof(proof, root)
    if checkpoint is not None:
        proof["checkpoint_root_hash"] = checkpoint.root_hash
    emit(as_json, proof, lambda out: out.print(
        f"record {record_id} (hash {proof['record_hash']}) "
        + ("is" if proof["verified"] else "is NOT") + f" in the tree of {size} records with root "
        f"{root}\naudit path: " + (" ".join(proof["path"]) or "(none)")), schema="records-prove")
    if not proof["verified"]:
        raise typer.Exit(1)


@records_app.command("keygen")
def records_keygen(
    party: str = typer.Argument(..., help="Party id, e.g. IAEA."),
    out_file: Path = typer.Option(None, "--private-key",
                                  help="Write the private key here (PEM, a new file; keep it "
                                       "secret); --key PARTY=FILE reads it (required)."),
    old_out: Path = _OLD_KEYGEN_OUT,
    as_json: bool = JSON_OPTION,
) -> None:
    """Make an Ed25519 key pair for a party; prints the public key for its party record."""
    from ..records import Signer
    from ..records.model import PARTY_ID_TEXT, is_party_id

    out_file = _required(deprecated(out_file, old_out, "--private-key", "--out"),
                         "--private-key", "a new file to write the private key to (PEM)")
    if not is_party_id(party):
        raise BadInput("party", party, PARTY_ID_TEXT)
    check_output_path(out_file, "--private-key")
    if out_file.exists():
        raise BadInput("--private-key", str(out_file), "a new file (keys are never "
                                                       "overwritten)")
    signer = Signer.generate(party)
    signer.save(out_file)
    payload = {"party": party, "private_key": str(out_file), "public_key": signer.public_key_hex}
    emit(as_json, payload, lambda out: out.print(
        f"private key written to {out_file} (keep it secret)\npublic key: {signer.public_key_hex}",
        markup=False), schema="records-keygen")


@app.command()
def evaluate(
    facility: str = typer.Argument(..., help="Facility code, e.g. FFEP."),
    as_of: str = typer.Option(..., "--as-of", help="Evaluate what was known on this date "
                                                   "(YYYY-MM-DD; the records' claimed "
                                                   "known_on)."),
    held_on: str = typer.Option(None, "--held-on", help="Only records the store held then "
                                                        "(transaction time: YYYY-MM-DD, its "
                                                        "end, or YYYY-MM-DDTHH:MM:SS.ffffffZ)."),
    rules: list[str] = typer.Option(None, "--rules", help="Rule set to apply as well: a bundled "
                                                          "name (jcpoa) or a TOML file "
                                                          "(repeatable).", show_default=False),
    db: str = DB_OPTION,
    against: Path = typer.Option(None, "--against", help="Also check the store against this "
                                                         "checkpoint (from 'records "
                                                         "checkpoint')."),
    allow_unverified: bool = typer.Option(False, "--allow-unverified",
                                          help="Evaluate a store that fails verification "
                                               "anyway; every output then carries the "
                                               "warning."),
    report: Path = typer.Option(None, "--report", help="Write an HTML report (timeline of "
                                                       "records and findings)."),
    catalog: Path = CATALOG_OPTION,
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Compute every physical consequence afresh; read and "
                                       "write no cache ($ENRICHWATCH_CACHE_DIR; a --catalog "
                                       "run is never cached)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Evaluate a facility's records as of a date: findings with evidence and consequences.

    Refuses (exit 1, naming the records) a store that fails 'records verify' (or the
    checkpoint given with --against) unless --allow-unverified is given."""
    _facility_code(facility)
    check_output_path(report, "--report")
    from ..evaluation import evaluate as run_rules
    from ..records.bitemporal import parse_moment

    day = _date(as_of, "--as-of")
    if day is None:                     # pragma: no cover - --as-of is a required option
        raise BadInput("--as-of", as_of, "a calendar date YYYY-MM-DD")
    if day > date.today():
        raise BadInput("--as-of", as_of, f"a date not after today ({date.today()})")
    moment = None
    if held_on is not None:
        try:
            moment = parse_moment(held_on, "--held-on")
        except InputError as err:
            raise BadInput(err.param, err.value, err.allowed) from None
    checkpoint = _checkpoint(against)
    machines = None if catalog is None else read_catalog(catalog)   # (None: the bundled one)
    with _long_lived() as keep:
        with step_bar(3 if report else 2, quiet) as advance:
            advance("reading records")
            store, records, problems, warnings = _verified_records(
                db, facility, day, moment, checkpoint, allow_unverified)
            if not records:
                held = f" held on {held_on}" if moment is not None else ""
                raise BadInput("facility", facility, f"a facility with records known on {day}"
                                                     f"{held} in {store.url}")
            advance(f"evaluating {facility} as of {day}")
            result = run_rules(records, facility, day, rule_sets=list(rules or []),
                               held_on=moment, warnings=warnings, catalog=machines,
                               cache=_consequence_cache(no_cache))
            keep()                  # (read and evaluated once, kept: see _long_lived)
            if report:
                from ..report import render_evaluation_report, write_report

                advance(f"writing {report.name}")
                write_report(render_evaluation_report(result, records), report)
        payload = {**result.as_dict(), "store_verified": not problems,
                   "report": str(report) if report else None}
        for warning in warnings:
            console(stderr=True).print(f"[bold yellow]warning:[/] {_escape(warning)}")
        emit(as_json, payload, lambda out: _findings(out, payload), schema="evaluate")


def _verified_records(db: str | None, facility: str, day: date, moment, checkpoint,
                      allow_unverified: bool) -> tuple[Any, list, list[str], list[str]]:
    """``(store, records, problems, warnings)``: the store ``--db`` names; the facility's
    records known on ``day`` (held on ``moment``), verified and read in one pass over one
    snapshot (what is evaluated is what was verified); the store's verification problems
    (with ``checkpoint``'s), refused unless ``allow_unverified``, and the warning every
    output then carries.

    A SQLite store file of the newest schema is read without SQLAlchemy
    (:class:`~enrichwatch.records.snapshot.LedgerFile`: the same checks, the same records),
    unless there is a checkpoint to check it against."""
    from ..records import StoreError

    store: Any = _ledger_file(db) if checkpoint is None else None
    read = None if store is None else store.verified_read(facility, day, held_on=moment,
                                                          memo=_memo())
    if read is None:                    # (not such a file, or no longer: as a store)
        store = _open(db)
        read = store.verified_read(facility, day, held_on=moment, memo=_memo())
    problems = _store_problems(store, checkpoint, read.report)
    if problems and not allow_unverified:
        raise StoreError(store.url, "fails verification, so it is not evaluated: "
                         + "; ".join(problems[:5])
                         + (f"; ... ({len(problems)} problems)" if len(problems) > 5 else "")
                         + ". Run 'enrichwatch records verify' to see them all, or pass "
                           "--allow-unverified to evaluate anyway (every output then "
                           "carries a warning)")
    warnings = []
    if problems:
        warnings.append(f"UNVERIFIED STORE: {store.url} fails verification ("
                        f"{len(problems)} problem(s): " + "; ".join(problems[:3])
                        + (" ..." if len(problems) > 3 else "") + "); findings may rest on "
                        "tampered records (evaluated with --allow-unverified)")
    return store, read.records(), problems, warnings


def _ledger_file(db: str | None):
    """The SQLite store file ``--db`` names, to read without SQLAlchemy, or None: not a file
    path, or not a store of the newest schema (:func:`_open` then opens it, upgrades it or
    says why it cannot)."""
    from ..files import output_problem
    from ..records.snapshot import open_ledger_file

    url = _url(db)
    if "://" in str(url) or not Path(url).exists() or output_problem(url) is not None:
        return None
    return open_ledger_file(url)


@contextlib.contextmanager
def _long_lived() -> Iterator[Callable[[], None]]:
    """A block in which the objects made before ``keep()`` is called are kept out of the
    cyclic garbage collector's passes until the block ends (:func:`gc.freeze`).

    A ledger read is hundreds of thousands of objects (records, their payloads), kept to the
    end of the command and freed by reference counting: every pass of the collector over
    them finds nothing to free, yet the passes cost a fifth of an evaluation of a store of
    1e5 records. The same holds of the modules the evaluation loads on first use (numpy,
    SciPy, the physics: most of a cold evaluation's objects, ~0.03 s of passes) and of its
    results. The collector is off from the start of the block to ``keep()`` (so that no pass
    traverses them before) and on after it, for the objects made since, as ever. Cyclic
    garbage made before ``keep()`` is freed only after the block (an evaluation of the Fordow
    case makes ~2,000 such objects, no arrays: ~3 MB more at its peak)."""
    enabled = gc.isenabled()
    gc.disable()

    def keep() -> None:
        gc.freeze()
        if enabled:
            gc.enable()
    try:
        yield keep
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _consequence_cache(no_cache: bool):
    """The disk cache of the evaluation's consequences, or None (``--no-cache``, or no folder
    to put it in)."""
    if no_cache:
        return None
    from ..evaluation.cache import ConsequenceCache, cache_directory

    folder = cache_directory()
    return None if folder is None else ConsequenceCache(folder)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _memo():
    """The signature memo ``$ENRICHWATCH_SIGNATURE_MEMO`` names (None when unset, or when it
    cannot be used: signatures are then all verified, as without it)."""
    from ..records.sigmemo import MEMO_ENV

    folder = os.environ.get(MEMO_ENV)
    if not folder:
        return None
    from ..records.sigmemo import SignatureMemo

    try:
        return SignatureMemo(folder)
    except OSError as err:
        console(stderr=True).print(f"[bold yellow]warning:[/] {MEMO_ENV}: "
                                   f"{_escape(str(err))}; verifying every signature")
        return None


def _store_problems(store, checkpoint, report) -> list[str]:
    """Every verification problem of the store (its verification ``report``, and against the
    checkpoint), as text."""
    problems = [str(p) for p in report.problems]
    if checkpoint is not None:
        problems += [f"against the checkpoint: {p}"
                     for p in store.verify_against(checkpoint).problems]
    return problems


def _findings(out, p: dict) -> None:
    from rich.markup import escape

    for warning in p["warnings"]:
        out.print(f"[bold yellow]WARNING:[/] {escape(warning)}\n")
    held = f" (store as held on {p['held_on']})" if p["held_on"] else ""
    out.print(f"[bold]{escape(p['facility'])}[/] as of {p['as_of']}{held}: "
              f"{len(p['findings'])} finding(s)")
    colors = {"high": "red", "medium": "yellow", "low": "green", "info": "blue"}
    for i, f in enumerate(p["findings"], start=1):
        color = colors.get(f["severity"], "white")
        out.print(f"\n[bold {color}]F{i} {f['severity'].upper()}[/] [bold]{escape(f['title'])}[/]"
                  f"  (rule {f['rule']}; evidence: "
                  + ", ".join(f"#{e}" for e in f["evidence"])
                  + ("; late entries: " + ", ".join(f"#{e}" for e in f["late_evidence"])
                     if f["late_evidence"] else "") + ")")
        out.print(escape(f["detail"]))
    if p["late_entries"]:
        ids = ", ".join(f"#{e['id']}" for e in p["late_entries"])
        out.print(f"\n[yellow]Late entries: {ids}.[/] {escape(p['late_entry_note'])}")
    if p["report"]:
        out.print(f"\nreport written to {escape(p['report'])}")
    if any("illustrative" in str(f.get("consequence")) for f in p["findings"]):
        out.print("\n[yellow]Physical consequences are computed from illustrative plant "
                  "reconstructions; see each plant's stated assumptions.[/]")
