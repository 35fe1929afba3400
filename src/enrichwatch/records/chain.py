"""The hash chain: canonical JSON, record hashes, and checking a ledger read in order.

Each record's ``hash`` is the hex SHA-256 of the canonical JSON (UTF-8; here pure ASCII) of the
object with exactly these keys (:data:`HASHED_FIELDS`)::

    id, kind, facility, valid_from, known_on, recorded_at, supersedes, source, payload,
    submitted_by, prev_hash

with the values as stored: dates ``YYYY-MM-DD``, ``recorded_at`` ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
(UTC), ``supersedes``/``submitted_by`` ``null`` when absent, ``payload`` the JSON object.
``prev_hash`` is the previous record's ``hash`` (:data:`GENESIS_HASH`, 64 zeros, for record 1).
Canonical JSON is :func:`json.dumps` with sorted keys, ``","``/``":"`` separators, ASCII
escapes and no NaN or infinity; floats are written as Python writes them (shortest repr that
reads back exactly). ``signature`` and ``hash`` are not hashed: the signature is of the hash.

The payload is encoded once: the stored ``payload`` text *is* its canonical JSON, and the hashed
text is built around it (:func:`hashed_text`), so that the store writes, and ``verify()`` checks,
each record with one canonical encoding and one SHA-256.

Examples
--------
>>> canonical_json({"b": 1.5, "a": [True, None, "é"]})
'{"a":[true,null,"\\\\u00e9"],"b":1.5}'
>>> fields = dict(id=1, kind="facility", facility="FFEP", valid_from="2011-12-14",
...               known_on="2011-12-14", recorded_at="2024-01-01T00:00:00.000000Z",
...               supersedes=None, source="GOV/2012/9", payload={"name": "Fordow"},
...               submitted_by=None, prev_hash=GENESIS_HASH)
>>> len(record_hash(fields))
64
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from ..dates import format_timestamp, parse_date, parse_timestamp
from .model import GENESIS_HASH, STORE_KINDS, Record, stored_record
from .parties import PartyBook

__all__ = [
    "HASHED_FIELDS",
    "ChainChecker",
    "RecordReader",
    "Selection",
    "StoredRow",
    "VerificationProblem",
    "VerificationReport",
    "canonical_json",
    "hashed_text",
    "payload_json",
    "record_hash",
    "row_to_record",
]

#: The fields whose canonical JSON is hashed, in no particular order (keys are sorted).
HASHED_FIELDS: tuple[str, ...] = ("id", "kind", "facility", "valid_from", "known_on",
                                  "recorded_at", "supersedes", "source", "payload",
                                  "submitted_by", "prev_hash")


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# One encoder (json.dumps would build one per call).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                            allow_nan=False, default=_default)
_STRING = json.encoder.encode_basestring_ascii   # what the encoder writes for a str
# Its C encoder, built once, for payloads (trees: JSON read back, or a validated payload's
# dump), which cannot be circular: without the circular-reference bookkeeping, the same text
# in half the time.
# (c_make_encoder and scan_once are not in the type stubs)
_MAKE_ENCODER = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_C_ENCODER = (None if _MAKE_ENCODER is None else
              _MAKE_ENCODER(None, _default, _STRING, None, ":", ",", True, False, False))


# The C scanner json.loads runs once past any leading whitespace: ``(value, end)``.
_SCAN = json.decoder.JSONDecoder().scan_once  # type: ignore[attr-defined]


def payload_json(payload: dict) -> str:
    """:func:`canonical_json` of a payload object (a tree of JSON values, not circular)."""
    if _C_ENCODER is None or type(payload) is not dict:   # pragma: no cover - pure-Python json
        return _ENCODER.encode(payload)
    return "".join(_C_ENCODER(payload, 0))


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a JSON value (dates written ISO; see the module docstring).

    Raises
    ------
    ValueError
        For NaN or infinite floats.
    TypeError
        For values that are not JSON (sets, bytes, ...).
    """
    return _ENCODER.encode(value)


def record_hash(fields: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of the :data:`HASHED_FIELDS` of ``fields``."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(content).encode("ascii")).hexdigest()


def _plain(id: Any, kind: Any, facility: Any, valid_from: Any, known_on: Any,
           recorded_at: Any, supersedes: Any, source: Any, submitted_by: Any,
           prev_hash: Any) -> bool:
    return (type(id) is int and type(kind) is str and type(facility) is str
            and type(valid_from) is str and type(known_on) is str
            and type(recorded_at) is str and type(source) is str and type(prev_hash) is str
            and (supersedes is None or type(supersedes) is int)
            and (submitted_by is None or type(submitted_by) is str))


def hashed_text(id: Any, kind: Any, facility: Any, valid_from: Any, known_on: Any,
                recorded_at: Any, supersedes: Any, source: Any, payload_text: str,
                submitted_by: Any, prev_hash: Any) -> str | None:
    """The canonical JSON of a record's hashed fields, given its payload as canonical JSON
    text: exactly ``canonical_json`` of the fields with the payload object, built without
    encoding the payload again. None when a value is not of its plain stored type (an int id
    and supersedes, text or null elsewhere): :func:`record_hash` then says what it hashes to.

    >>> fields = dict(id=1, kind="report", facility="F", valid_from="2023-02-01",
    ...               known_on="2023-02-01", recorded_at="2024-01-01T00:00:00.000000Z",
    ...               supersedes=None, source="s", payload={"a": [1.5, "\u00e9"]},
    ...               submitted_by=None, prev_hash=GENESIS_HASH)
    >>> text = hashed_text(1, "report", "F", "2023-02-01", "2023-02-01",
    ...                    "2024-01-01T00:00:00.000000Z", None, "s",
    ...                    canonical_json(fields["payload"]), None, GENESIS_HASH)
    >>> text == canonical_json(fields)
    True
    """
    if not _plain(id, kind, facility, valid_from, known_on, recorded_at, supersedes, source,
                  submitted_by, prev_hash):
        return None
    s = _STRING
    return (f'{{"facility":{s(facility)},"id":{id},"kind":{s(kind)},"known_on":{s(known_on)},'
            f'"payload":{payload_text},"prev_hash":{s(prev_hash)},'
            f'"recorded_at":{s(recorded_at)},"source":{s(source)},"submitted_by":'
            f'{"null" if submitted_by is None else s(submitted_by)},"supersedes":'
            f'{"null" if supersedes is None else supersedes},"valid_from":{s(valid_from)}}}')


class StoredRow(NamedTuple):
    """One row of the records table, as stored (dates and payload as text)."""

    id: int
    kind: str
    facility: str
    valid_from: str
    known_on: str
    recorded_at: str
    supersedes: int | None
    source: str
    payload: str
    submitted_by: str | None
    signature: str | None
    prev_hash: str
    hash: str


def row_to_record(row: StoredRow) -> Record:
    """The :class:`Record` of a stored row."""
    return RecordReader().record(row)


class RecordReader:
    """Turns stored rows into :class:`Record` values, reading each distinct date and
    ``recorded_at`` text once (a ledger has few distinct days, and the records of one append
    share their ``recorded_at``). One reader per read: the caches grow with what it reads."""

    def __init__(self) -> None:
        self._days: dict[str, date] = {}
        self._moments: dict[str, datetime] = {}

    def _day(self, text: Any, record_id: Any, name: str) -> date:
        found = self._days.get(text) if type(text) is str else None
        if found is None:
            found = parse_date(text, f"record {record_id} {name}")
            if type(text) is str:
                self._days[text] = found
        return found

    def _moment(self, text: Any) -> datetime:
        found = self._moments.get(text) if type(text) is str else None
        if found is None:
            found = parse_timestamp(text)
            if type(text) is str:
                self._moments[text] = found
        return found

    def records(self, pairs: Iterable[tuple[StoredRow, dict | None]]) -> list[Record]:
        """``[self.record(row, payload) for row, payload in pairs]``, in one loop (a read may
        return a whole ledger)."""
        days, moments, out = self._days, self._moments, []
        new, setattr_, loads = object.__new__, object.__setattr__, json.loads
        for row, payload in pairs:
            (rid, kind, facility, valid_text, known_text, recorded_at, supersedes, source,
             text, submitted_by, signature, prev_hash, digest) = row
            valid_from = days.get(valid_text) if type(valid_text) is str else None
            if valid_from is None:
                valid_from = self._day(valid_text, rid, "valid_from")
            known_on = days.get(known_text) if type(known_text) is str else None
            if known_on is None:
                known_on = self._day(known_text, rid, "known_on")
            moment = moments.get(recorded_at) if type(recorded_at) is str else None
            if moment is None:
                moment = self._moment(recorded_at)
            record = new(Record)        # stored_record(...), inline
            setattr_(record, "__dict__", {
                "id": rid, "kind": kind, "facility": facility, "valid_from": valid_from,
                "known_on": known_on, "recorded_at": moment, "supersedes": supersedes,
                "source": source, "payload": loads(text) if payload is None else payload,
                "submitted_by": submitted_by, "signature": signature, "prev_hash": prev_hash,
                "hash": digest})
            out.append(record)
        return out

    def record(self, row: StoredRow, payload: dict | None = None) -> Record:
        """The record of ``row``; ``payload``: its payload already read from ``row.payload``
        (else it is read here)."""
        return stored_record((
            row.id, row.kind, row.facility, self._day(row.valid_from, row.id, "valid_from"),
            self._day(row.known_on, row.id, "known_on"), self._moment(row.recorded_at),
            row.supersedes, row.source, json.loads(row.payload) if payload is None else payload,
            row.submitted_by, row.signature, row.prev_hash, row.hash))


@dataclass(frozen=True)
class Selection:
    """The rows of ``facility`` known on ``day`` (and recorded by ``limit``, a timestamp text;
    None: any time): a ``wanted`` for :meth:`ChainChecker.check_rows`, which asks it inline.
    Dates and times are compared as stored text (ISO forms order as their values)."""

    facility: str
    day: str
    limit: str | None = None

    def __call__(self, row: tuple) -> bool:
        """Whether ``row`` (as stored, in :class:`StoredRow` order) is selected."""
        known_on, recorded_at = row[4], row[5]
        return (row[2] == self.facility and type(known_on) is str and known_on <= self.day
                and (self.limit is None
                     or (type(recorded_at) is str and recorded_at <= self.limit)))


def _verify_signature(public_key: str, digest: str, signature: str) -> bool:
    from .signing import verify_signature  # cryptography: imported only when needed

    return verify_signature(public_key, digest, signature)


#: ``(public_key, record_hash, signature) -> valid?``, as :func:`.signing.verify_signature`.
SignatureCheck = Callable[[str, str, str], bool]


@dataclass(frozen=True)
class VerificationProblem:
    """One thing wrong in the stored ledger: which record, and what."""

    record_id: int
    what: str

    def __str__(self) -> str:
        return f"record {self.record_id}: {self.what}"


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of :meth:`RecordStore.verify`.

    Attributes
    ----------
    ok : bool
        True when no problem was found.
    problems : list of VerificationProblem
        Each names a record id and what is wrong with it, in ledger order.
    records : int
        Number of records read.
    head_id, head_hash : int, str
        The last record's id and hash (note them elsewhere to detect a rewritten ledger).
    """

    problems: list[VerificationProblem] = field(default_factory=list)
    records: int = 0
    head_id: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"ledger OK: {self.records} records, head {self.head_id} {self.head_hash}"
        lines = [f"ledger NOT OK: {len(self.problems)} problems in {self.records} records"]
        return "\n  ".join(lines + [str(p) for p in self.problems])

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON values."""
        return {"ok": self.ok, "records": self.records, "head_id": self.head_id,
                "head_hash": self.head_hash,
                "problems": [{"record_id": p.record_id, "what": p.what} for p in self.problems]}


class ChainChecker:
    """Checks stored rows fed in ledger (id) order; :meth:`report` gives the outcome.

    Checks: ids 1, 2, 3, ... without gaps; each ``prev_hash`` equal to the previous row's
    ``hash``; each ``hash`` equal to the hash recomputed from the stored fields; payload text in
    canonical form; every signature valid for the submitter's registered key; no unsigned record
    from a party that requires signatures; the ledger head (last id and hash the store wrote)
    equal to the last row.
    """

    def __init__(self, verify_signature: SignatureCheck | None = None) -> None:
        self.problems: list[VerificationProblem] = []
        self.parties = PartyBook()
        self.count = 0
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self.last_recorded_at = ""
        self._verify_signature = verify_signature or _verify_signature

    def _problem(self, record_id: int, what: str) -> None:
        self.problems.append(VerificationProblem(record_id, what))

    def feed(self, rows: Iterable[StoredRow]) -> ChainChecker:
        """Check rows in order."""
        for row in rows:
            self.check(row)
        return self

    def check(self, row: StoredRow) -> dict | None:
        """Check one row (the next in ledger order); returns its payload object (None when
        the payload text is not the canonical JSON of an object)."""
        self.count += 1
        self._check_position(row)
        payload = self._payload(row)
        if payload is not None:
            self._check_hash(row, payload)
            self._check_signature(row, payload)
            if row.kind in STORE_KINDS:
                self.parties.apply(row.id, payload, row.kind)
        self.last_id, self.last_hash = row.id, row.hash
        self.last_recorded_at = row.recorded_at
        return payload

    def check_rows(self, batches: Iterable[Sequence[tuple]],
                   wanted: Callable[[tuple], bool] | None = None, *,
                   every_payload: bool = True) -> list[tuple[StoredRow, dict | None]]:
        """Check rows (tuples in :class:`StoredRow` order, in batches, in ledger order) as
        :meth:`check` does, and return the ``(row, payload)`` of those ``wanted`` picks.

        One pass, each row handled once, in two ways. A row in its place (the next id, linked
        to the row before, not recorded before it) whose values are of their stored types and
        whose hash is the SHA-256 of its hashed text (built around the stored payload text) has
        its payload checked to be canonical, and read by the signature rules when they need it
        (a party or policy record, a signed or submitted record, any record under a policy).
        Any other row gets :meth:`check` itself, so that every problem is found and worded as
        :meth:`check` finds and words it.

        ``every_payload=False`` leaves out the canonical check of the payloads that neither
        the signature rules nor ``wanted`` read (the work of decoding them, a third of the
        pass): a payload text that is not canonical yet has its hash right, and the next
        record's link to it, can only have been written, hash and all, behind the store's
        back -- a rewrite the chain alone cannot tell from a canonical one (the signatures,
        the ledger head noted elsewhere and a checkpoint do). Every other problem is still
        found; :meth:`RecordStore.verified_read` checks so (the records it returns are
        checked in full), :meth:`RecordStore.verify` does not.
        """
        picked: list[tuple[StoredRow, dict | None]] = []
        quote, sha256, store_kinds = _STRING, hashlib.sha256, STORE_KINDS
        make = functools.partial(tuple.__new__, StoredRow)   # StoredRow._make, in C
        scan, encode = _SCAN, _C_ENCODER
        last_id, last_hash, last_time = self.last_id, self.last_hash, self.last_recorded_at
        count = self.count
        # a Selection is asked inline (the same test as its call), any other ``wanted`` called
        inline = type(wanted) is Selection
        w_facility, w_day, w_limit = ((wanted.facility, wanted.day, wanted.limit)
                                      if isinstance(wanted, Selection) else ("", "", None))
        for batch in batches:
            for values in batch:
                (rid, kind, facility, valid_from, known_on, recorded_at, supersedes, source,
                 payload_text, submitted_by, signature, prev_hash, digest) = values
                try:
                    quick = (type(rid) is int and rid == last_id + 1 and prev_hash == last_hash
                             and type(recorded_at) is str and recorded_at >= last_time
                             and (supersedes is None or type(supersedes) is int)
                             and type(payload_text) is str and payload_text.isascii()
                             and sha256(
                                 f'{{"facility":{quote(facility)},"id":{rid},"kind":'
                                 f'{quote(kind)},"known_on":{quote(known_on)},"payload":'
                                 f'{payload_text},"prev_hash":{quote(prev_hash)},"recorded_at":'
                                 f'{quote(recorded_at)},"source":{quote(source)},"submitted_by":'
                                 f'{"null" if submitted_by is None else quote(submitted_by)},'
                                 f'"supersedes":{"null" if supersedes is None else supersedes},'
                                 f'"valid_from":{quote(valid_from)}}}'.encode("ascii")
                             ).hexdigest() == digest)
                except TypeError:       # a value of another type than stored: the full check
                    quick = False
                if inline:
                    want = (facility == w_facility and type(known_on) is str
                            and known_on <= w_day
                            and (w_limit is None
                                 or (type(recorded_at) is str and recorded_at <= w_limit)))
                else:
                    want = wanted is not None and wanted(values)
                if not quick:
                    self.count, self.last_id = count, last_id
                    self.last_hash, self.last_recorded_at = last_hash, last_time
                    row = make(values)
                    payload = self.check(row)
                    count, last_id, last_hash = self.count, self.last_id, self.last_hash
                    last_time = self.last_recorded_at
                    if want:
                        picked.append((row, payload))
                    continue
                count += 1
                last_id, last_hash, last_time = rid, digest, recorded_at
                if (signature is not None or submitted_by is not None or kind in store_kinds
                        or self.parties.policy is not None):
                    row = make(values)
                    payload = self._payload(row)
                    if payload is not None:
                        self._check_signature(row, payload)
                        if kind in store_kinds:
                            self.parties.apply(rid, payload, kind)
                    if want:
                        picked.append((row, payload))
                elif want:              # (the signature rules have nothing to say)
                    # _read_payload's test, inline for a canonical payload (the rest: there)
                    try:
                        payload, end = scan(payload_text, 0)
                        if not (end == len(payload_text) and type(payload) is dict
                                and encode is not None
                                and "".join(encode(payload, 0)) == payload_text):
                            payload = self._read_payload(rid, payload_text)
                    except (StopIteration, TypeError, ValueError):
                        payload = self._read_payload(rid, payload_text)
                    picked.append((make(values), payload))
                elif every_payload:
                    self._read_payload(rid, payload_text)
        self.count, self.last_id = count, last_id
        self.last_hash, self.last_recorded_at = last_hash, last_time
        return picked

    def _check_position(self, row: StoredRow) -> None:
        expected = self.last_id + 1
        if row.id > expected:
            missing = (f"record {expected} is" if row.id == expected + 1
                       else f"records {expected} to {row.id - 1} are")
            self._problem(expected, f"missing: {missing} not in the store (deleted?)")
        elif row.id < expected:
            self._problem(row.id, f"out of order: found after record {self.last_id}")
        if row.prev_hash != self.last_hash:
            before = f"record {self.last_id}" if self.last_id else "the genesis value"
            self._problem(row.id, f"prev_hash does not match the hash of {before}: a record "
                                  "was deleted, inserted or reordered before it")
        if row.recorded_at < self.last_recorded_at:
            self._problem(row.id, f"recorded_at {row.recorded_at} is earlier than that of "
                                  f"record {self.last_id} ({self.last_recorded_at}): transaction "
                                  "time runs forward only (backdated or reordered)")

    def _payload(self, row: StoredRow) -> dict | None:
        return self._read_payload(row.id, row.payload)

    def _read_payload(self, record_id: int, text: Any) -> dict | None:
        try:  # json.loads of a text that must start and end with its object (no whitespace)
            payload, end = _SCAN(text, 0) if type(text) is str else (None, -1)
            if end == len(text) and type(payload) is dict and payload_json(payload) == text:
                return payload
        except (StopIteration, TypeError, ValueError):
            pass
        self._problem(record_id, "payload is not the canonical JSON object that was written "
                                 "(altered)")
        return None

    def _check_hash(self, row: StoredRow, payload: dict) -> None:
        # the payload text is canonical (checked by _payload): hash around it
        text = hashed_text(row.id, row.kind, row.facility, row.valid_from, row.known_on,
                           row.recorded_at, row.supersedes, row.source, row.payload,
                           row.submitted_by, row.prev_hash)
        if text is not None:
            ok = hashlib.sha256(text.encode("ascii")).hexdigest() == row.hash
        else:                           # a value of an unexpected type: the general way
            fields = row._asdict()
            fields["payload"] = payload
            try:
                ok = record_hash(fields) == row.hash
            except (TypeError, ValueError):
                ok = False
        if not ok:
            self._problem(row.id, "content does not match its hash: altered after it was "
                                  "written (or moved from another position)")

    def _check_signature(self, row: StoredRow, payload: dict) -> None:
        if (row.signature is None and row.submitted_by is None and self.parties.policy is None
                and row.kind not in STORE_KINDS):
            return      # unsigned, by no one, no policy: nothing below can object
        signer = row.submitted_by if row.signature is not None else None
        for key, value, allowed in self.parties.authorization_problems(row.kind, payload,
                                                                       signer):
            self._problem(row.id, f"not authorised: {key} {value}, expected {allowed}")
        party = self.parties.key_for(row.submitted_by, row.id, row.kind, payload)
        if row.signature is None:
            if party is not None and party.requires_signature:
                self._problem(row.id, f"unsigned, but party {row.submitted_by!r} (record "
                                      f"{party.record_id}) requires signatures")
            return
        if party is None:
            self._problem(row.id, f"signed by {row.submitted_by!r}, which is not a registered"
                                  " party")
        elif not self._verify_signature(party.public_key, row.hash, row.signature):
            self._problem(row.id, f"bad signature: not {row.submitted_by!r}'s signature (key "
                                  f"of record {party.record_id}) of the record hash")

    def report(self, head_id: int, head_hash: str) -> VerificationReport:
        """The outcome, given the ledger head the store wrote (last id and hash)."""
        if head_id > self.last_id:
            self._problem(self.last_id + 1, f"missing: the ledger head says {head_id} records, "
                                            f"only {self.last_id} are in the store (deleted "
                                            "from the end?)")
        elif head_id < self.last_id:
            self._problem(head_id + 1, f"not in the ledger head, which ends at record "
                                       f"{head_id} (inserted behind the store's back?)")
        elif head_hash != self.last_hash:
            self._problem(head_id, "hash differs from the one the ledger head recorded")
        return VerificationReport(self.problems, self.count, self.last_id, self.last_hash)
