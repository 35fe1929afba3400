"""Verified reads of one snapshot of the ledger, and a SQLite store file read without SQLAlchemy.

:func:`verify_batches` is the one verified read: every row of the ledger, in id order, goes
through :class:`~.chain.ChainChecker` (ids, links, hashes, signatures and their rules, the
ledger head), and the rows of one facility known on a date are kept.
:meth:`RecordStore.verified_read <enrichwatch.records.store.RecordStore.verified_read>` feeds it
the rows of any store; :class:`LedgerFile` feeds it those of a SQLite file through the standard
library's :mod:`sqlite3` alone, so that a command that only reads a SQLite store (``enrichwatch
evaluate``) does not load SQLAlchemy (a third of its start-up). The connection is set up as the
store's engine sets up its own (WAL, ``synchronous=NORMAL``, foreign keys, the busy timeout) and
the rows are read in one transaction: one snapshot, as the store reads it. A file whose schema
is not the newest is not read here (:func:`open_ledger_file` says None): the store upgrades it.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from enrichwatch.records import RecordDraft, RecordStore
>>> folder = tempfile.mkdtemp()
>>> path = Path(folder) / "s.sqlite"
>>> with RecordStore.open(path).init() as store:
...     _ = store.append(RecordDraft("facility", "FFEP", "2009-09-21", "2009-09-21", "src",
...                                  {"name": "Fordow"}))
>>> read = open_ledger_file(path).verified_read("FFEP", "2023-02-01")
>>> read.report.ok, [r.id for r in read.records()]
(True, [1])
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import format_timestamp, parse_date
from .bitemporal import current, parse_moment
from .chain import ChainChecker, RecordReader, Selection, StoredRow, VerificationReport

if TYPE_CHECKING:
    from .model import Record
    from .sigmemo import SignatureMemo

__all__ = ["BUSY_TIMEOUT_S", "HEAD_REVISION", "LedgerFile", "VerifiedRead", "bulk",
           "open_ledger_file", "selection", "set_wal", "verify_batches"]

#: The Alembic revision of the newest schema (a test checks it against ``migrations/``;
#: 0002 adds the web accounts tables, 0003 the web's failed logins; see
#: ``enrichwatch.web.accounts``).
HEAD_REVISION = "0003_web_login_failures"
#: How long a SQLite writer waits for the write lock before giving up [s].
BUSY_TIMEOUT_S = 120.0
#: Rows fetched at a time.
BATCH = 5000
#: Every column of ``records`` in :class:`~.chain.StoredRow` order, in id order.
SCAN_ALL = ("SELECT id, kind, facility, valid_from, known_on, recorded_at, supersedes, source, "
            "payload, submitted_by, signature, prev_hash, hash FROM records ORDER BY id")
_SELECT_HEAD = "SELECT last_id, last_hash FROM ledger_head"


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are made by the thousand: they are
    kept, so its passes (each over every object of the process) find nothing to free, yet
    would cost a sixth of an append's time. Reference counting still frees everything; the
    collector is switched back on (if it was on) at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class VerifiedRead:
    """What a verified read found in one snapshot of the ledger."""

    report: VerificationReport
    rows: list[tuple[StoredRow, dict | None]] = field(repr=False)

    def records(self) -> list[Record]:
        """The records selected (as :meth:`RecordStore.known_as_of` gives them)."""
        with bulk():
            return current(RecordReader().records(self.rows))


def selection(facility: str, as_of: date | str, held_on=None) -> Selection:
    """The rows (as stored) of ``facility`` known on ``as_of`` and held on ``held_on`` (a
    moment, a timestamp text, or a date's end; None: now)."""
    day = parse_date(as_of, "as_of").isoformat()
    limit = None if held_on is None else format_timestamp(parse_moment(held_on))
    return Selection(facility, day, limit)


def verify_batches(batches: Iterable[Sequence[tuple]], head: tuple[int, str],
                   wanted: Callable[[tuple], bool] | None,
                   memo: SignatureMemo | None) -> VerifiedRead:
    """Check every row of the ledger (``batches`` of rows in id order; ``head``: the ledger
    head's last id and hash, read in the same snapshot) and keep those ``wanted`` picks (None:
    a plain verification, every payload checked canonical; see
    :meth:`.ChainChecker.check_rows`)."""
    checker = ChainChecker(None if memo is None else memo.verify)
    with bulk():
        picked = checker.check_rows(batches, wanted, every_payload=wanted is None)
    if memo is not None:
        memo.save()
    return VerifiedRead(checker.report(*head), picked)


def set_wal(cursor, attempts: int = 200) -> None:
    """Switch a SQLite file to WAL. The switch needs a moment with no other connection in a
    transaction and, on a brand-new file, SQLite reports "database is locked" at once instead
    of waiting for the busy timeout; so retry briefly (up to ~10 s)."""
    import time

    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _connect(path: Path) -> sqlite3.Connection:
    """A connection set up as the store's engine sets up its own."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        cursor = conn.cursor()
        set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
    except BaseException:
        conn.close()
        raise
    return conn


def _revision(conn: sqlite3.Connection) -> str | None:
    names = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in names:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else row[0]


class LedgerFile:
    """A SQLite record store of the newest schema, read (and verified) without SQLAlchemy;
    made by :func:`open_ledger_file`. Nothing is written to it (but the switch to WAL, as
    the store makes on every connection)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path).expanduser().resolve()

    @property
    def url(self) -> str:
        """The store's URL, as :attr:`RecordStore.url` gives it."""
        from .backend import display_url  # (SQLAlchemy: only for a message)

        return display_url(self.path)

    def __repr__(self) -> str:
        return f"LedgerFile({str(self.path)!r})"

    def verified_read(self, facility: str, as_of: date | str, held_on=None, *,
                      memo: SignatureMemo | None = None) -> VerifiedRead | None:
        """:meth:`RecordStore.verified_read`, or None when the file is no longer a store of
        the newest schema (or has no single ledger head): read it with the store then."""
        wanted = selection(facility, as_of, held_on)
        conn = _connect(self.path)
        try:
            conn.execute("BEGIN")
            if _revision(conn) != HEAD_REVISION:
                return None
            heads = conn.execute(_SELECT_HEAD).fetchall()
            if len(heads) != 1:
                return None
            return verify_batches(_batches(conn), tuple(heads[0]), wanted, memo)
        finally:
            conn.close()                # (ends the read transaction)


def _batches(conn: sqlite3.Connection) -> Iterator[list[tuple]]:
    cursor = conn.execute(SCAN_ALL)
    try:
        while found := cursor.fetchmany(BATCH):
            yield found
    finally:
        cursor.close()


def open_ledger_file(path: str | os.PathLike) -> LedgerFile | None:
    """The SQLite store file at ``path`` to read without SQLAlchemy, or None when it is not a
    store of the newest schema (another program's database, an older schema to upgrade) or
    cannot be opened read-only: the caller opens it as a :class:`RecordStore`, which says
    why or upgrades it. Nothing is changed here (the file is opened read-only)."""
    from urllib.parse import quote

    resolved = Path(path).expanduser().resolve()
    try:
        conn = sqlite3.connect(f"file:{quote(str(resolved))}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        names = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "records", "ledger_head"} <= names:
            return None
        return LedgerFile(resolved) if _revision(conn) == HEAD_REVISION else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()
