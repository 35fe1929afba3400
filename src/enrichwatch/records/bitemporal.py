"""Bitemporal selection over plain lists of records (valid time and record time).

A record's *valid time* starts at ``valid_from`` (when its content applied in the world); its
*record time* is ``known_on`` (when the safeguards authority learnt it). A correction is a later
record with ``supersedes`` set: once the correction is known, the corrected record no longer
counts. These functions work on any sequence of :class:`~enrichwatch.records.Record` (what the
store returns, or what the evaluation was handed), so the evaluation can ask the same questions
without a database.

Examples
--------
>>> from datetime import date, datetime, UTC
>>> from enrichwatch.dates import parse_date
>>> from enrichwatch.records.model import Record
>>> def decl(id, valid, known, supersedes=None):
...     return Record(id, "declaration", "F", parse_date(valid), parse_date(known),
...                   datetime(2024, 1, 1, tzinfo=UTC), supersedes, "src", {}, None, None,
...                   "0" * 64, "0" * 64)
>>> ledger = [decl(2, "2020-01-01", "2019-12-01"), decl(3, "2022-11-22", "2022-11-18"),
...           decl(4, "2022-11-01", "2023-01-25", supersedes=3)]
>>> declaration_in_force(ledger, "F", on=date(2022, 12, 1), known_by=date(2022, 12, 31)).id
3
>>> declaration_in_force(ledger, "F", on=date(2022, 12, 1)).id   # as known today
4
>>> [r.id for r in known_as_of(ledger, date(2023, 2, 1))]
[2, 4]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ..dates import parse_date
from .model import Record

__all__ = ["current", "declaration_in_force", "in_force", "known_as_of"]


def _valid_from(record: Record) -> date:
    return parse_date(record.valid_from, f"record {record.id} valid_from")


def _known_on(record: Record) -> date:
    return parse_date(record.known_on, f"record {record.id} known_on")


def current(records: Iterable[Record]) -> list[Record]:
    """The records not superseded by another record of the same collection (order kept)."""
    records = list(records)
    superseded = {r.supersedes for r in records if r.supersedes is not None}
    return [r for r in records if r.id not in superseded]


def known_as_of(records: Iterable[Record], as_of: date) -> list[Record]:
    """What was known on ``as_of``: records with ``known_on <= as_of``, minus those superseded by
    a correction also known by then (ledger order kept)."""
    day = parse_date(as_of, "as_of")
    return current(r for r in records if _known_on(r) <= day)


def in_force(records: Iterable[Record], kind: str, on: date, known_by: date | None = None, *,
             facility: str | None = None, exclude: Sequence[int] = ()) -> Record | None:
    """The record of ``kind`` in force on ``on`` (valid time) as known on ``known_by`` (record
    time; None: everything in ``records``).

    Among the records of that kind (and ``facility``, if given; ids in ``exclude`` left out)
    known by ``known_by`` and not superseded by a correction known by then, the one with the
    latest ``valid_from`` not after ``on``; ties go to the later ``known_on``, then to the later
    record. None if there is none.
    """
    day = parse_date(on, "on")
    chosen = known_as_of(records, known_by) if known_by is not None else current(records)
    chosen = [r for r in chosen if r.kind == kind and (facility is None or r.facility == facility)
              and _valid_from(r) <= day and r.id not in exclude]
    return max(chosen, key=lambda r: (_valid_from(r), _known_on(r), r.id), default=None)


def declaration_in_force(records: Sequence[Record], facility: str, on: date,
                         known_by: date | None = None) -> Record | None:
    """The declaration of ``facility`` in force on ``on`` as known on ``known_by``
    (:func:`in_force` for declarations)."""
    return in_force(records, "declaration", on, known_by, facility=facility)
