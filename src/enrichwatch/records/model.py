"""The record values: :class:`RecordDraft` (what a caller submits) and :class:`Record` (what the
store holds), both frozen.

Dates are :class:`datetime.date` objects in Python and ISO strings (``YYYY-MM-DD``) in the
database, in payloads and in the hash chain; ``recorded_at`` is a UTC :class:`datetime.datetime`
stored as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; both are read by :mod:`enrichwatch.dates`. Payloads
are plain JSON values (dates inside them are ISO strings), as validated and normalised by the
store.

Examples
--------
>>> from datetime import date
>>> draft = RecordDraft(kind="report", facility="FFEP", valid_from=date(2023, 2, 1),
...                     known_on="2023-02-01", source="IAEA GOV/INF/2023/1",
...                     payload={"document": "GOV/INF/2023/1", "title": "Fordow", "summary": ""})
>>> draft.kind, draft.known_on
('report', '2023-02-01')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from ..dates import format_timestamp

__all__ = [
    "ANY_FACILITY",
    "FACILITY_CODE_TEXT",
    "PARTY_ID_TEXT",
    "GENESIS_HASH",
    "KINDS",
    "STORE_KINDS",
    "Record",
    "RecordDraft",
    "is_facility_code",
    "is_party_id",
    "stored_record",
]

#: Every record kind the store accepts (a correction is a record of the corrected kind with
#: ``supersedes`` set, not a kind of its own).
KINDS: tuple[str, ...] = ("facility", "declaration", "inspection", "sample", "report",
                          "stockpile", "installed_machines", "party", "policy",
                          "inventory_change_report", "physical_inventory_listing",
                          "material_balance_report")

#: The ``facility`` of ``party`` and ``policy`` records (not tied to one facility).
ANY_FACILITY = "*"

#: The kinds whose records are store-wide (facility :data:`ANY_FACILITY`).
STORE_KINDS: tuple[str, ...] = ("party", "policy")
#: Facility codes: 1 to 32 ASCII capitals, digits, ``_``, ``.`` and ``-``, starting with a
#: capital or a digit (``FFEP``, ``PFEP``, ``NATANZ-FEP``). No spaces, control characters,
#: bidirectional overrides or look-alike letters from other scripts.
_FACILITY_CODE = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,31}")
#: Party ids: 1 to 64 ASCII letters, digits, ``_``, ``.`` and ``-``, starting with a letter or a
#: digit (``IAEA``, ``Iran``).
_PARTY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: What a facility code may be, in words.
FACILITY_CODE_TEXT = ("a facility code of 1 to 32 characters A-Z, 0-9, '_', '.', '-', starting "
                      "with a letter or a digit (e.g. FFEP)")
#: What a party id may be, in words.
PARTY_ID_TEXT = ("a party id of 1 to 64 characters A-Z, a-z, 0-9, '_', '.', '-', starting with a "
                 "letter or a digit (e.g. IAEA)")


def is_facility_code(value: Any) -> bool:
    """True for a facility code of the safe set (``"*"``, the parties' code, is not one).

    >>> is_facility_code("FFEP"), is_facility_code("FFEP\\n"), is_facility_code("FF\\u0415P")
    (True, False, False)
    """
    return isinstance(value, str) and _FACILITY_CODE.fullmatch(value) is not None


def is_party_id(value: Any) -> bool:
    """True for a party id of the safe set.

    >>> is_party_id("IAEA"), is_party_id("Iran"), is_party_id("IAEA\\u202e")
    (True, True, False)
    """
    return isinstance(value, str) and _PARTY_ID.fullmatch(value) is not None


#: ``prev_hash`` of record 1: 64 zeros.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class RecordDraft:
    """A record to append: everything but what the store assigns.

    Parameters
    ----------
    kind : {'facility', 'declaration', 'inspection', 'sample', 'report', 'stockpile', \
'installed_machines', 'party', 'policy'}
        What the record is.
    facility : str
        Facility code (``"*"`` for ``party`` and ``policy`` records).
    valid_from : date or str
        When the content applied in the world (ISO string accepted).
    known_on : date or str
        When the content became known to the safeguards authority (not after today, UTC).
    source : str
        The document the content comes from.
    payload : mapping
        Kind-specific content (see ``docs/records-design.md``).
    supersedes : int, optional
        Id of the record of the same kind and facility this one corrects.
    submitted_by : str, optional
        Party id of the submitter; defaults to the signer's party when a signer is given.
    """

    kind: str
    facility: str
    valid_from: date | str
    known_on: date | str
    source: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    supersedes: int | None = None
    submitted_by: str | None = None


@dataclass(frozen=True)
class Record:
    """One stored record (immutable; built by the store, never by hand).

    Attributes
    ----------
    id : int
        Position in the ledger (1, 2, 3, ... without gaps).
    kind, facility, source : str
    valid_from, known_on : date
        Valid time and record time (as supplied).
    recorded_at : datetime
        When the store appended it (UTC).
    supersedes : int or None
        The record this one corrects.
    payload : dict
        Kind-specific content, as JSON values (dates as ISO strings). Treat as read-only.
    submitted_by, signature : str or None
        Submitting party and its hex Ed25519 signature of ``hash``.
    prev_hash, hash : str
        Hex SHA-256 chain links (see :func:`enrichwatch.records.chain.record_hash`).
    """

    id: int
    kind: str
    facility: str
    valid_from: date
    known_on: date
    recorded_at: datetime
    supersedes: int | None
    source: str
    payload: dict
    submitted_by: str | None
    signature: str | None
    prev_hash: str
    hash: str

    def __repr__(self) -> str:
        extra = f", supersedes={self.supersedes}" if self.supersedes is not None else ""
        signed = f", signed by {self.submitted_by}" if self.signature else ""
        return (f"Record({self.id}: {self.kind} {self.facility!r}, valid from {self.valid_from},"
                f" known on {self.known_on}{extra}{signed})")

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON values (dates and times as ISO strings)."""
        out = asdict(self)
        out.update(valid_from=self.valid_from.isoformat(), known_on=self.known_on.isoformat(),
                   recorded_at=format_timestamp(self.recorded_at))
        return out


_RECORD_FIELDS = tuple(f.name for f in fields(Record))


def stored_record(values: tuple) -> Record:
    """``Record(*values)``, built in one step: the store makes records by the thousand, and
    the frozen dataclass's ``__init__`` sets each of the 13 fields through
    ``object.__setattr__`` (there is no ``__post_init__``: the result is the same object).

    >>> args = (1, "report", "F", date(2023, 2, 1), date(2023, 2, 1), None, None, "s", {},
    ...         None, None, GENESIS_HASH, GENESIS_HASH)
    >>> stored_record(args) == Record(*args)
    True
    """
    record = object.__new__(Record)
    record.__dict__.update(zip(_RECORD_FIELDS, values, strict=True))
    return record
