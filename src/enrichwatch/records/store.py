"""The records store: an append-only, hash-chained ledger in SQLite or PostgreSQL.

Examples
--------
>>> from datetime import date
>>> store = RecordStore.open("sqlite://").init()        # in memory; None: a SQLite file
>>> fac = store.append(RecordDraft("facility", "FFEP", "2009-09-21", "2009-09-21",
...                                "IAEA GOV/2009/74", {"name": "Fordow FEP"}))
>>> rep = store.append(RecordDraft("report", "FFEP", "2023-02-01", "2023-02-01",
...                                "IAEA GOV/INF/2023/1", {"document": "GOV/INF/2023/1"}))
>>> rep.id, rep.prev_hash == fac.hash
(2, True)
>>> [r.kind for r in store.history("FFEP")]
['facility', 'report']
>>> store.verify().ok
True
>>> try:
...     store.append(RecordDraft("report", "XYZ", "2023-02-01", "2023-02-01", "?",
...                              {"document": "?"}))
... except RecordError as err:
...     print(err)
draft 1 (report): facility = 'XYZ': expected a known facility code: append its facility \
record first
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from ..dates import format_timestamp, parse_date, parse_timestamp
from ..files.problems import Problem
from .backend import Backend
from .bitemporal import current, declaration_in_force, parse_moment
from .chain import (
    RecordReader,
    StoredRow,
    VerificationReport,
    payload_json,
    record_hash,
)
from .errors import RecordError, StoreError
from .model import STORE_KINDS, Record, RecordDraft
from .parties import PartyBook
from .snapshot import (
    BATCH,
    HEAD_REVISION,
    SCAN_ALL,
    VerifiedRead,
    bulk,
    selection,
    verify_batches,
)
from .tables import RECORD_COLUMNS, ledger_head, records

if TYPE_CHECKING:
    from .checkpoint import AnchorReport, Checkpoint
    from .rules import CheckedDraft
    from .sigmemo import SignatureMemo
    from .signing import Signer

__all__ = ["RecordStore", "VerifiedRead", "create_sqlite_store"]

# Statements built once (SQLAlchemy caches their compiled form).
_SELECT_HEAD = select(ledger_head.c.last_id, ledger_head.c.last_hash)
# The head, locked (PostgreSQL: row lock; SQLite: BEGIN IMMEDIATE), with the last record's
# recorded_at (transaction time never runs backwards), in one round trip.
_LOCK_HEAD = select(ledger_head.c.last_id, ledger_head.c.last_hash,
                    select(records.c.recorded_at)
                    .where(records.c.id == ledger_head.c.last_id)
                    .scalar_subquery()).with_for_update(of=ledger_head)
_UPDATE_HEAD = update(ledger_head).values(last_id=bindparam("new_id"),
                                          last_hash=bindparam("new_hash"))
_SELECT_PARTIES = (select(records.c.id, records.c.payload, records.c.kind)
                   .where(records.c.kind.in_(STORE_KINDS), records.c.id > bindparam("seen"))
                   .order_by(records.c.id))
_SELECT_FACILITY = select(func.min(records.c.id)).where(
    records.c.kind == "facility", records.c.facility == bindparam("code"))
#: The largest record id: ids are INTEGER columns, 32-bit signed on PostgreSQL, where asking for
#: a larger one fails in the conversion instead of finding nothing.
_MAX_ID = 2**31 - 1
_SELECT_BY_ID = select(*RECORD_COLUMNS).where(records.c.id == bindparam("record_id"))
_SELECT_SUPERSEDING = select(records.c.id).where(records.c.supersedes == bindparam("record_id"))
_INSERT = records.insert()
_COLUMN_NAMES = tuple(column.name for column in RECORD_COLUMNS)
_PARAM_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_SCAN_LEAVES = "SELECT hash, recorded_at FROM records ORDER BY id"


class _Cache:
    """What earlier appends learnt of the ledger, kept between transactions: facility codes
    found (the ledger only grows, so a code once registered stays registered) and the party
    book up to record ``party_seen``. Replaced by an empty one whenever a write fails."""

    def __init__(self) -> None:
        self.facilities: dict[str, int] = {}
        self.parties = PartyBook()
        self.party_seen = 0


class _TransactionLedger:
    """The ledger as seen inside a write transaction (ledger head ``head_id`` when it began),
    including the drafts already accepted in it. Reads the database only when a check needs
    it."""

    def __init__(self, conn: Connection, cache: _Cache, head_id: int) -> None:
        self.conn = conn
        self.cache = cache
        self.head_id = head_id
        self.pending: dict[int, Record] = {}
        self.pending_supersedes: dict[int, int] = {}

    @property
    def parties(self) -> PartyBook:
        if self.cache.party_seen < self.head_id:
            rows = self.conn.execute(_SELECT_PARTIES, {"seen": self.cache.party_seen})
            for rid, payload, kind in rows:
                self.cache.parties.apply(rid, json.loads(payload), kind)
            self.cache.party_seen = self.head_id
        return self.cache.parties

    def add(self, record: Record) -> None:
        self.pending[record.id] = record
        if record.supersedes is not None:
            self.pending_supersedes[record.supersedes] = record.id
        if record.kind == "facility":
            self.cache.facilities.setdefault(record.facility, record.id)
        elif record.kind in STORE_KINDS:
            self.parties.apply(record.id, record.payload, record.kind)

    def committing(self, last_id: int) -> None:
        """Called before commit: the cache now holds the records up to ``last_id``."""
        if self.cache.party_seen == self.head_id:
            self.cache.party_seen = last_id

    def record(self, record_id: int) -> Record | None:
        if record_id in self.pending:
            return self.pending[record_id]
        if not 0 < record_id <= _MAX_ID:
            return None
        row = self.conn.execute(_SELECT_BY_ID, {"record_id": record_id}).first()
        return None if row is None else RecordReader().record(StoredRow(*row))

    def superseded_by(self, record_id: int) -> int | None:
        if record_id in self.pending_supersedes:
            return self.pending_supersedes[record_id]
        return self.conn.execute(_SELECT_SUPERSEDING, {"record_id": record_id}).scalar()

    def facility_record(self, code: str) -> int | None:
        if code not in self.cache.facilities:
            found = self.conn.execute(_SELECT_FACILITY, {"code": code}).scalar()
            if found is not None:
                self.cache.facilities[code] = found
        return self.cache.facilities.get(code)


def _label(label: str | int, kind: str) -> str:
    """An item's label: its own, or ``draft <n> (<kind>)`` for the n-th item."""
    return label if type(label) is str else f"draft {label} ({kind})"


def _precheck(item: tuple, n: int, checker, rules
              ) -> tuple[CheckedDraft, Signer | None, str | int]:
    """``(draft, signer[, label])`` -> ``(checked draft, signer, label)``: the draft's own
    checks (``checker``: a :class:`~enrichwatch.records.rules.DraftChecker`), which need no
    database (done once; a CheckedDraft passes through). Without a label of its own, the
    label is ``n``: :func:`_label` words it when a message needs it (the checks run again
    then, to name the draft)."""
    draft, signer = item[0], item[1]
    if isinstance(draft, rules.CheckedDraft):
        return draft, signer, item[2]
    if not isinstance(draft, RecordDraft):
        raise TypeError(f"draft {n}: expected a RecordDraft, got {type(draft).__name__}")
    if len(item) > 2:
        return checker.check(draft, item[2]), signer, item[2]
    try:
        return checker.check(draft, ""), signer, n
    except RecordError:
        return checker.check(draft, _label(n, draft.kind)), signer, n


def _precheck_all(items: Sequence[tuple], today: date) -> list[tuple]:
    """:func:`_precheck` every item; the drafts' own problems are reported all at once (the
    checks against the ledger then run in order and stop at the first)."""
    from . import rules  # the payload models (pydantic): loaded for the first append

    checker = rules.DraftChecker(today)
    checked: list[tuple] = []
    problems: list[Problem] = []
    for n, item in enumerate(items, 1):
        try:
            checked.append(_precheck(item, n, checker, rules))
        except RecordError as err:
            problems.extend(err.problems)
    if problems:
        raise RecordError(problems)
    return checked


def _insert_rows(conn: Connection, rows: list[tuple]) -> None:
    """Insert stored rows (tuples in :class:`StoredRow` order) with one ``executemany`` of the
    driver: the values are final, nothing is left for SQLAlchemy to convert."""
    mark = _PARAM_MARKS.get(conn.dialect.paramstyle)
    if mark is None:                    # pragma: no cover - SQLite and psycopg have marks
        conn.execute(_INSERT, [dict(zip(_COLUMN_NAMES, row, strict=True)) for row in rows])
        return
    conn.exec_driver_sql(f"INSERT INTO records ({', '.join(_COLUMN_NAMES)}) VALUES "
                         f"({', '.join([mark] * len(_COLUMN_NAMES))})", rows)


def _stamp(now: datetime, last: str | None) -> tuple[str, datetime, date]:
    """A transaction's ``recorded_at``, as stored and as a datetime (formatted and parsed
    once for all its records), and its date for the drafts' checks: ``now``, or the last
    record's when the clock is behind it (transaction time never runs backwards)."""
    stamp = format_timestamp(now)
    if last is not None and stamp < last:
        moment = parse_timestamp(str(last))
        return format_timestamp(moment), moment, moment.date()
    return stamp, parse_timestamp(stamp), now.date()


_new, _setattr = object.__new__, object.__setattr__
_quote = json.encoder.encode_basestring_ascii    # what canonical JSON writes for a str


class _Builder:
    """Builds the records of one transaction and their rows as stored: each payload encoded
    once (the stored text is the one hashed), ``recorded_at`` formatted once for all, each
    distinct date written once."""

    def __init__(self, recorded_at: str, moment: datetime) -> None:
        self.recorded_at = recorded_at
        self.moment = moment
        self._days: dict[date, str] = {}
        self._quoted_time = _quote(recorded_at)

    def __call__(self, checked: CheckedDraft, signer: Signer | None,
                 submitted_by: str | None, new_id: int, prev_hash: str
                 ) -> tuple[Record, tuple]:
        """The record ``new_id`` of a checked draft, chained to ``prev_hash``, and its row."""
        kind, facility, valid, known, source, payload, supersedes, _ = checked
        days = self._days
        valid_from = days.get(valid) or days.setdefault(valid, valid.isoformat())
        known_on = days.get(known) or days.setdefault(known, known.isoformat())
        recorded_at = self.recorded_at
        text = payload_json(payload)
        if (type(new_id) is int and (supersedes is None or type(supersedes) is int)
                and (submitted_by is None or type(submitted_by) is str)):
            # hashed_text(...), the values of their stored types (the dates written here)
            q = _quote
            hashed = (f'{{"facility":{q(facility)},"id":{new_id},"kind":{q(kind)},'
                      f'"known_on":"{known_on}","payload":{text},"prev_hash":{q(prev_hash)},'
                      f'"recorded_at":{self._quoted_time},"source":{q(source)},'
                      f'"submitted_by":{"null" if submitted_by is None else q(submitted_by)},'
                      f'"supersedes":{"null" if supersedes is None else supersedes},'
                      f'"valid_from":"{valid_from}"}}')
            digest = hashlib.sha256(hashed.encode("ascii")).hexdigest()
        else:                           # pragma: no cover - check_draft gives these types
            digest = record_hash(dict(id=new_id, kind=kind, facility=facility,
                                      valid_from=valid_from, known_on=known_on,
                                      recorded_at=recorded_at, supersedes=supersedes,
                                      source=source, payload=payload,
                                      submitted_by=submitted_by, prev_hash=prev_hash))
        signature = None if signer is None else signer.sign(digest)
        record = _new(Record)           # Record(...) in one step (no per-field frozen setattr)
        _setattr(record, "__dict__", {
            "id": new_id, "kind": kind, "facility": facility, "valid_from": valid,
            "known_on": known, "recorded_at": self.moment, "supersedes": supersedes,
            "source": source, "payload": payload, "submitted_by": submitted_by,
            "signature": signature, "prev_hash": prev_hash, "hash": digest})
        return record, (new_id, kind, facility, valid_from, known_on, recorded_at, supersedes,
                        source, text, submitted_by, signature, prev_hash, digest)


class RecordStore:
    """The append-only ledger of safeguards records (SQLite file or PostgreSQL database).

    Build it with :meth:`open`; create or upgrade the schema with :meth:`init`. Every append
    is validated (payload per kind, dates in order, facility known, what it supersedes, the
    submitter's signature requirement), hash-chained to the record before it and optionally
    signed, in one serialised transaction: concurrent writers (threads or processes) never lose
    or interleave records, and a rejected or interrupted append leaves nothing behind.
    """

    def __init__(self, backend: Backend,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._backend = backend
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cache = _Cache()
        self._ready = False
        self._write_lock = threading.Lock()  # threads of one process: one writer at a time

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | os.PathLike | None = None,
             clock: Callable[[], datetime] | None = None,
             pool_size: int | None = None) -> RecordStore:
        """Open a store (no connection is made yet).

        Parameters
        ----------
        url : str, path or None
            ``sqlite:///path/file.sqlite``, ``sqlite://`` (in memory, one connection),
            ``postgresql://user@host:port/db`` (driver psycopg 3), a plain file path (SQLite),
            or None for ``./enrichwatch-records.sqlite``.
        clock : callable, optional
            Returns the current UTC time (default the system clock); the store stamps each
            record's ``recorded_at`` with it, never earlier than the record before (tests use
            it to play a ledger's history at past dates).
        pool_size : int, optional
            Exactly this many database connections at most (no overflow; default
            SQLAlchemy's 5 + 10 overflow); ``enrichwatch serve`` sets it from ``--threads``.
        """
        return cls(Backend(url, pool_size), clock)

    @property
    def url(self) -> str:
        """The store's URL (password hidden)."""
        return self._backend.display_url

    @property
    def engine(self):
        """The SQLAlchemy engine, for administration and tests. Writing through it bypasses the
        store's checks (the database triggers still refuse UPDATE and DELETE of records)."""
        return self._backend.engine

    @property
    def dialect(self) -> str:
        """``'sqlite'`` or ``'postgresql'``."""
        return self._backend.dialect

    def init(self) -> RecordStore:
        """Create the schema, or upgrade it to the newest revision (Alembic); returns the store.

        Cheap when the schema is current (one query), so it can be called on every start.
        """
        if self._backend.revision() != HEAD_REVISION:
            self._backend.migrate()
        self._ready = True
        return self

    def close(self) -> None:
        """Release the store's connections."""
        self._backend.dispose()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RecordStore({self.url!r})"

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        revision = self._backend.revision()
        if revision is None:
            raise StoreError(self.url, "no records schema yet: call RecordStore.init() "
                                       "(or run `enrichwatch records init`)")
        if revision != HEAD_REVISION:
            raise StoreError(self.url, f"schema revision {revision!r}, this version of "
                                       f"enrichwatch needs {HEAD_REVISION!r}: call init()")
        self._ready = True

    # -- appending --------------------------------------------------------------------------------
    def append(self, draft: RecordDraft, signer: Signer | None = None) -> Record:
        """Validate, chain, sign and append one record; return it as stored.

        Raises
        ------
        RecordError
            If the record is rejected (nothing is written).
        """
        return self.append_signed([(draft, signer)])[0]

    def append_many(self, drafts: Iterable[RecordDraft],
                    signer: Signer | None = None) -> list[Record]:
        """Append records in one transaction: all of them, or (on any rejection) none.

        Later drafts may refer to earlier ones of the same call (a sample to its inspection,
        a correction to the record it supersedes, a record to its new facility).
        """
        return self.append_signed([(d, signer) for d in drafts])

    def append_signed(self, items: Sequence[tuple]) -> list[Record]:
        """Append ``(draft, signer)`` or ``(draft, signer, label)`` items in one transaction,
        each signed by its own signer (or unsigned for None); ``label`` names the item in error
        messages (default ``draft <n> (<kind>)``).

        Each draft is checked by itself before the write lock is taken (so that writers hold
        the lock only for the checks against the ledger, the chaining and the insert)."""
        with bulk():
            checked = _precheck_all(items, self._clock().date())
            return self._append_prepared(lambda first_id: checked, prechecked=True)

    def _append_prepared(self, prepare: Callable[[int], Sequence[tuple]],
                         prechecked: bool = False) -> list[Record]:
        """Append the items ``prepare(first_id)`` returns, called inside the locked transaction
        with the id the first item will get (so that items can refer to each other by id);
        ``prechecked``: they are :func:`_precheck` results already."""
        self._ensure_ready()
        with self._write_lock, bulk():
            try:
                with self._backend.write() as conn:
                    return self._append_in(conn, prepare, prechecked)
            except BaseException as err:
                self._cache = _Cache()
                if isinstance(err, IntegrityError):
                    raise StoreError(self.url, f"the database refused the append ({err.orig})"
                                               ": run verify()") from err
                raise

    def _append_in(self, conn: Connection, prepare: Callable[[int], Sequence[tuple]],
                   prechecked: bool) -> list[Record]:
        head_id, head_hash, last = conn.execute(_LOCK_HEAD).one()
        ledger = _TransactionLedger(conn, self._cache, head_id)
        now = self._clock()
        stamp, moment, today = _stamp(now, last)
        items = prepare(head_id + 1)
        out, rows = [], []
        from .rules import check_against_ledger

        build = _Builder(stamp, moment)
        for draft, signer, label in (items if prechecked else _precheck_all(items, today)):
            # (LedgerView.parties is a plain attribute there, a read-only property here)
            try:
                submitted_by = check_against_ledger(
                    draft, head_id + 1, signer, ledger,  # type: ignore[arg-type]
                    label if type(label) is str else "")
            except RecordError:         # again, to name the draft (the checks only read)
                if type(label) is str:
                    raise
                check_against_ledger(draft, head_id + 1, signer, ledger,  # type: ignore[arg-type]
                                     _label(label, draft.kind))
                raise
            record, row = build(draft, signer, submitted_by, head_id + 1, head_hash)
            ledger.add(record)
            out.append(record)
            rows.append(row)
            head_id, head_hash = record.id, record.hash
        if out:
            _insert_rows(conn, rows)
            conn.execute(_UPDATE_HEAD, {"new_id": head_id, "new_hash": head_hash})
            ledger.committing(head_id)  # (the cache is reset if the commit fails)
        return out

    # -- reading ----------------------------------------------------------------------------------
    def _select(self, *conditions) -> list[Record]:
        self._ensure_ready()
        query = select(*RECORD_COLUMNS).where(*conditions).order_by(records.c.id)
        reader = RecordReader()
        with bulk(), self._backend.read() as conn:
            return [reader.record(StoredRow(*row)) for row in conn.execute(query)]

    def __len__(self) -> int:
        """The number of records (the last id)."""
        return self.head()[0]

    def head(self) -> tuple[int, str]:
        """The last record's id and hash, as the ledger head holds them ((0, 64 zeros) when
        empty)."""
        self._ensure_ready()
        with self._backend.read() as conn:
            return tuple(conn.execute(_SELECT_HEAD).one())

    def get(self, record_id: int) -> Record:
        """The record with this id.

        Raises
        ------
        RecordError
            If there is no such record.
        """
        found = self._select(records.c.id == record_id) if 0 < record_id <= _MAX_ID else []
        if not found:
            raise RecordError.of("get", "id", record_id,
                                 f"the id of a stored record (1 to {len(self)})")
        return found[0]

    def history(self, facility: str, kind: str | None = None) -> list[Record]:
        """Every record of a facility (``"*"``: the parties), optionally of one kind, in ledger
        order, corrections and superseded records included."""
        conditions = [records.c.facility == facility]
        if kind is not None:
            conditions.append(records.c.kind == kind)
        return self._select(*conditions)

    def known_as_of(self, facility: str, as_of: date, held_on=None) -> list[Record]:
        """What the store knew on ``as_of`` about a facility: its records with
        ``known_on <= as_of``, minus those superseded by a correction known by then.

        ``held_on`` (a UTC datetime, a timestamp text, or a date: its end) restricts this to
        what the store held then (transaction time, ``recorded_at <= held_on``): the answer
        the store would have given at that moment, which no later entry, backdated or not,
        can change."""
        day = parse_date(as_of, "as_of")
        conditions = [records.c.facility == facility, records.c.known_on <= day.isoformat()]
        if held_on is not None:
            conditions.append(records.c.recorded_at <= format_timestamp(parse_moment(held_on)))
        return current(self._select(*conditions))

    def declaration_in_force(self, facility: str, on: date,
                             known_by: date | None = None) -> Record | None:
        """The declaration in force on ``on`` (valid time) as known on ``known_by`` (record
        time; None: as known now). See
        :func:`enrichwatch.records.bitemporal.declaration_in_force`."""
        conditions = [records.c.facility == facility, records.c.kind == "declaration"]
        if known_by is not None:
            conditions.append(records.c.known_on <= parse_date(known_by, "known_by").isoformat())
        return declaration_in_force(self._select(*conditions), facility, on, known_by)

    # -- verifying --------------------------------------------------------------------------------
    def verify(self, *, memo: SignatureMemo | None = None) -> VerificationReport:
        """Check the whole ledger: ids without gaps, chain links, hashes recomputed from the
        stored bytes, signatures and signature requirements, the ledger head.

        Parameters
        ----------
        memo : SignatureMemo, optional
            The verifying account's memo of signatures it has verified before
            (:mod:`.sigmemo`): those are not verified again (every other check is made).

        Returns
        -------
        VerificationReport
            ``ok``, and every problem found naming its record id.
        """
        return self._verify(None, memo).report

    def verified_read(self, facility: str, as_of: date, held_on=None, *,
                      memo: SignatureMemo | None = None) -> VerifiedRead:
        """:meth:`verify` and :meth:`known_as_of` in one pass over one snapshot of the ledger:
        the records returned are the very ones verified (no append can come between), and
        each row is read and decoded once.

        Returns
        -------
        VerifiedRead
            ``report`` (as :meth:`verify` gives it, but for one check: the payloads of
            records neither returned nor needed by the signature rules are not decoded to check
            their canonical form, see :meth:`.ChainChecker.check_rows`; every record returned
            is checked in full) and ``records()`` (as :meth:`known_as_of` gives them; read only
            when asked, so that a caller may refuse a store that fails verification before it
            reads anything from it).
        """
        return self._verify(selection(facility, as_of, held_on), memo)

    def _verify(self, wanted: Callable[[tuple], bool] | None,
                memo: SignatureMemo | None) -> VerifiedRead:
        self._ensure_ready()
        with self._backend.read() as conn:
            head = tuple(conn.execute(_SELECT_HEAD).one())
            return verify_batches(self._backend.batches(conn, SCAN_ALL, BATCH), head, wanted,
                                  memo)

    # -- anchoring ------------------------------------------------------------------------------
    def _leaves(self) -> tuple[list[str], list[str]]:
        """The record hashes and ``recorded_at`` texts, in ledger order (one snapshot)."""
        self._ensure_ready()
        hashes, times = [], []
        with bulk(), self._backend.read() as conn:
            for digest, recorded_at in self._backend.rows(conn, _SCAN_LEAVES, BATCH):
                hashes.append(digest)
                times.append(recorded_at)
        return hashes, times

    def _registered_key(self, party: str, upto: int) -> str | None:
        """The key ``party`` had registered after record ``upto`` (None: not registered)."""
        book = PartyBook()
        query = (select(records.c.id, records.c.payload, records.c.kind)
                 .where(records.c.kind.in_(STORE_KINDS), records.c.id <= upto)
                 .order_by(records.c.id))
        with self._backend.read() as conn:
            for rid, payload, kind in conn.execute(query):
                try:
                    book.apply(rid, json.loads(payload), kind)
                except ValueError:
                    continue
        registered = book.get(party)
        return None if registered is None else registered.public_key

    def merkle_root(self) -> tuple[int, str]:
        """The tree size and hex Merkle root (RFC 9162) of the ledger now."""
        from .checkpoint import leaves_of
        from .merkle import tree_root

        hashes, _ = self._leaves()
        return len(hashes), tree_root(leaves_of(hashes)).hex()

    def checkpoint(self, signer: Signer) -> Checkpoint:
        """A signed checkpoint of the whole ledger (see :mod:`.checkpoint`), to keep elsewhere.

        Raises
        ------
        StoreError
            If the ledger fails :meth:`verify` (no checkpoint vouches for a broken ledger), or
            the signer is a registered party signing with another key than its registered one.
        """
        from .checkpoint import make_checkpoint

        report = self.verify()
        if not report.ok:
            raise StoreError(self.url, f"the ledger fails verification ({report.problems[0]}"
                                       f"{' ...' if len(report.problems) > 1 else ''}): "
                                       "no checkpoint signed")
        hashes, _ = self._leaves()
        registered = self._registered_key(signer.party, len(hashes))
        if registered is not None and registered != signer.public_key_hex:
            raise StoreError(self.url, f"party {signer.party!r} is registered with key "
                                       f"{registered[:16]}..., not the signer's key "
                                       f"{signer.public_key_hex[:16]}...")
        return make_checkpoint(hashes, signer, self._clock())

    def verify_against(self, checkpoint: Checkpoint) -> AnchorReport:
        """Whether the ledger is an append-only extension of ``checkpoint`` (an RFC 9162
        consistency proof), and if not, what changed: records removed from the end, the
        stretch of records rewritten, records backdated before the checkpoint.
        :meth:`verify` checks the chain itself; run both."""
        from .checkpoint import check_against

        hashes, times = self._leaves()
        registered = self._registered_key(checkpoint.party,
                                          min(checkpoint.tree_size, len(hashes)))
        return check_against(checkpoint, hashes, times, registered)

    def prove(self, record_id: int, tree_size: int | None = None) -> dict:
        """The inclusion proof of a record in the tree of the first ``tree_size`` records
        (default: all), as JSON values; check it with
        :func:`enrichwatch.records.checkpoint.verify_inclusion_proof`."""
        from .checkpoint import prove_inclusion

        hashes, _ = self._leaves()
        return prove_inclusion(hashes, record_id, tree_size)

    def count(self) -> int:
        """The number of rows in the records table (as opposed to :meth:`head`)."""
        self._ensure_ready()
        with self._backend.read() as conn:
            return conn.execute(select(func.count()).select_from(records)).scalar_one()


_T = TypeVar("_T")


def _self_contained(store: RecordStore) -> None:
    """Move everything into the main SQLite file (WAL checkpointed, rollback journal) so the
    file alone is the store."""
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.close()
    finally:
        connection.close()
    store.close()


def create_sqlite_store(path: str | os.PathLike, fill: Callable[[RecordStore], _T],
                        clock: Callable[[], datetime] | None = None) -> tuple[_T, bool]:
    """Create a SQLite store at ``path`` holding what ``fill(store)`` appends, atomically.

    The store is built in a private file next to ``path`` and linked into place only once
    ``fill`` has succeeded (``os.link``, which never replaces an existing file). So a refused
    ``fill`` leaves no file behind, and nothing another process committed is ever removed: if
    ``path`` exists already, or another process creates it meanwhile, ``fill`` runs again on
    that store (which may refuse the records, e.g. a facility already registered).

    Returns
    -------
    (result, created)
        ``fill``'s result (on the store at ``path``), and whether this call created the file.

    Raises
    ------
    StoreError
        If the folder does not allow hard links (a file system without them).
    """
    path = Path(path).expanduser().resolve()
    if path.exists():
        with RecordStore.open(path, clock).init() as existing:
            return fill(existing), False
    private = path.with_name(f".{path.name}.{uuid.uuid4().hex}.creating")
    try:
        store = RecordStore.open(private, clock).init()
        try:
            result = fill(store)
        finally:
            _self_contained(store)
        try:
            os.link(private, path)
        except FileExistsError:
            with RecordStore.open(path, clock).init() as existing:   # another creator won
                return fill(existing), False
        except OSError as err:
            raise StoreError(str(path), f"cannot create the store file atomically ({err})"
                             ) from None
        return result, True
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{private}{suffix}").unlink(missing_ok=True)
