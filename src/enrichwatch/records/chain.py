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

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from ..dates import format_timestamp, parse_date, parse_timestamp
from .model import GENESIS_HASH, STORE_KINDS, Record
from .parties import PartyBook

__all__ = [
    "HASHED_FIELDS",
    "ChainChecker",
    "StoredRow",
    "VerificationProblem",
    "VerificationReport",
    "canonical_json",
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


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a JSON value (dates written ISO; see the module docstring).

    Raises
    ------
    ValueError
        For NaN or infinite floats.
    TypeError
        For values that are not JSON (sets, bytes, ...).
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False, default=_default)


def record_hash(fields: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of the :data:`HASHED_FIELDS` of ``fields``."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(content).encode("ascii")).hexdigest()


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
    return Record(
        id=row.id, kind=row.kind, facility=row.facility,
        valid_from=parse_date(row.valid_from, f"record {row.id} valid_from"),
        known_on=parse_date(row.known_on, f"record {row.id} known_on"),
        recorded_at=parse_timestamp(row.recorded_at), supersedes=row.supersedes,
        source=row.source, payload=json.loads(row.payload), submitted_by=row.submitted_by,
        signature=row.signature, prev_hash=row.prev_hash, hash=row.hash)


def _verify_signature(public_key: str, digest: str, signature: str) -> bool:
    from .signing import verify_signature  # cryptography: imported only when needed

    return verify_signature(public_key, digest, signature)


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

    def __init__(self) -> None:
        self.problems: list[VerificationProblem] = []
        self.parties = PartyBook()
        self.count = 0
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self.last_recorded_at = ""

    def _problem(self, record_id: int, what: str) -> None:
        self.problems.append(VerificationProblem(record_id, what))

    def feed(self, rows: Iterable[StoredRow]) -> ChainChecker:
        """Check rows in order."""
        for row in rows:
            self.check(row)
        return self

    def check(self, row: StoredRow) -> None:
        """Check one row (the next in ledger order)."""
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
        try:
            payload = json.loads(row.payload)
            if canonical_json(payload) == row.payload and isinstance(payload, dict):
                return payload
        except (TypeError, ValueError):
            pass
        self._problem(row.id, "payload is not the canonical JSON object that was written "
                              "(altered)")
        return None

    def _check_hash(self, row: StoredRow, payload: dict) -> None:
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
        elif not _verify_signature(party.public_key, row.hash, row.signature):
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
