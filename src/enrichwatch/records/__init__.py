"""Safeguards records: an append-only, hash-chained, optionally signed ledger (SQLite or
PostgreSQL), with bitemporal queries. The contract: ``docs/records-design.md``.

The values (:class:`Record`, :class:`RecordDraft`, :class:`RecordError`, the bitemporal
helpers) import without SQLAlchemy; :class:`RecordStore` and :func:`load_case_file` load the
database layer when first used.

Examples
--------
>>> from enrichwatch.records import RecordStore, RecordDraft, Signer
>>> store = RecordStore.open("sqlite://").init()
>>> iaea = Signer.generate("IAEA")
>>> party = store.append(RecordDraft("party", "*", "2024-01-01", "2024-01-01", "key ceremony",
...                                  iaea.party_payload(requires_signature=True)), iaea)
>>> fac = store.append(RecordDraft("facility", "FFEP", "2009-09-21", "2009-09-21",
...                                "IAEA GOV/2009/74", {"name": "Fordow FEP"},
...                                submitted_by="IAEA"), iaea)
>>> fac.submitted_by, len(fac.signature)
('IAEA', 128)
>>> store.verify().ok
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports
from .bitemporal import (
    LATE_ENTRY_GRACE,
    current,
    declaration_in_force,
    held_on,
    is_late_entry,
    known_as_of,
)
from .chain import VerificationProblem, VerificationReport, canonical_json, record_hash
from .errors import RecordError, RecordProblem, StoreError
from .model import ANY_FACILITY, GENESIS_HASH, KINDS, Record, RecordDraft

if TYPE_CHECKING:  # for type checkers; at run time __getattr__ loads these on first use
    from .casefile import load_case_file, read_case_file
    from .checkpoint import AnchorReport, Checkpoint, verify_inclusion_proof
    from .signing import (
        Signer,
        generate_private_key,
        load_private_key,
        public_key_hex,
        save_private_key,
        verify_signature,
    )
    from .store import RecordStore

_LAZY = {
    "RecordStore": "store",
    "load_case_file": "casefile",
    "read_case_file": "casefile",
    "Signer": "signing",
    "generate_private_key": "signing",
    "load_private_key": "signing",
    "save_private_key": "signing",
    "public_key_hex": "signing",
    "verify_signature": "signing",
    "Checkpoint": "checkpoint",
    "AnchorReport": "checkpoint",
    "verify_inclusion_proof": "checkpoint",
}

__all__ = [
    "ANY_FACILITY",
    "AnchorReport",
    "Checkpoint",
    "GENESIS_HASH",
    "KINDS",
    "LATE_ENTRY_GRACE",
    "Record",
    "RecordDraft",
    "RecordError",
    "RecordProblem",
    "RecordStore",
    "Signer",
    "StoreError",
    "VerificationProblem",
    "VerificationReport",
    "canonical_json",
    "current",
    "declaration_in_force",
    "generate_private_key",
    "held_on",
    "is_late_entry",
    "known_as_of",
    "load_case_file",
    "load_private_key",
    "public_key_hex",
    "read_case_file",
    "record_hash",
    "save_private_key",
    "verify_inclusion_proof",
    "verify_signature",
]


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__,
                                        list_globals=False)
