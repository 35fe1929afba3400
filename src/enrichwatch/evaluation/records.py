"""What the evaluation reads from a record, and the bitemporal selections the rules need.

The evaluation works on plain record objects (the store's :class:`enrichwatch.records.Record`,
or any object with the same attributes, see :class:`RecordLike`). Dates may be
:class:`datetime.date` objects or ISO ``YYYY-MM-DD`` strings (payload dates are ISO strings in
the store); :func:`enrichwatch.dates.parse_date` reads both.

Two times (docs/records-design.md): ``valid_from`` is when the content applied in the world
(valid time *D*), ``known_on`` when the safeguards authority learned it (record time *R*).
The selections here **are the store's queries** (``RecordStore.known_as_of`` and
``RecordStore.declaration_in_force``, both built on :mod:`enrichwatch.records.bitemporal`) so
that the rules can ask them for any pair of dates from one list of records:

- :func:`~enrichwatch.records.known_as_of` -- what was known on *R*: ``known_on <= R``, and a
  record superseded by a correction that is itself known by *R* is dropped;
- :func:`in_force` -- of one kind, the record in force on *D* as known on *R*: among those
  known by *R* with ``valid_from <= D``, the latest ``valid_from`` wins (ties: the later
  ``known_on``, then the higher id).

Examples
--------
>>> from enrichwatch.dates import parse_date as d
>>> from enrichwatch.evaluation.casefile import CaseRecord
>>> first = CaseRecord(1, "declaration", "X", d("2022-11-01"), d("2022-11-01"), None, "", {})
>>> fixed = CaseRecord(2, "declaration", "X", d("2022-11-01"), d("2022-12-01"), 1, "", {})
>>> [r.id for r in known_as_of([first, fixed], d("2022-11-15"))]
[1]
>>> [r.id for r in known_as_of([first, fixed], d("2022-12-01"))]
[2]
>>> in_force([first, fixed], "declaration", on=d("2022-11-20"), known_on=d("2022-11-20")).id
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol, overload, runtime_checkable

from ..dates import parse_date
from ..records.bitemporal import Bitemporal, known_as_of
from ..records.bitemporal import in_force as bitemporal_in_force

__all__ = ["RecordLike", "in_force", "known_as_of", "latest_per_facility", "payload_date"]


@runtime_checkable
class RecordLike(Bitemporal, Protocol):
    """The attributes the evaluation reads from a record (as in docs/records-design.md): those
    of the bitemporal selection (:class:`~enrichwatch.records.bitemporal.Bitemporal`) plus
    ``source`` and ``payload``.

    ``enrichwatch.records.Record`` satisfies it; tests use small frozen dataclasses.
    """

    @property
    def source(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


@overload
def payload_date(record: RecordLike, key: str, default: date) -> date: ...
@overload
def payload_date(record: RecordLike, key: str, default: None = None) -> date | None: ...
def payload_date(record: RecordLike, key: str, default: date | None = None) -> date | None:
    """Date ``payload[key]`` of a record (``default`` when absent or null)."""
    value = record.payload.get(key)
    if value is None:
        return default
    return parse_date(value, f"record {record.id} payload.{key}")


def _newest(held: RecordLike, record: RecordLike) -> RecordLike:
    return max(held, record,
               key=lambda r: (parse_date(r.valid_from), parse_date(r.known_on), r.id))


def in_force(records: Iterable[RecordLike], kind: str, *, on: date, known_on: date,
             exclude: Sequence[int] = ()) -> RecordLike | None:
    """The record of ``kind`` in force on valid date ``on`` as known on ``known_on``: the
    store's :func:`enrichwatch.records.bitemporal.in_force` (latest ``valid_from <= on`` among
    the records known by then; ties: the later ``known_on``, then the higher id)."""
    return bitemporal_in_force(records, kind, on, known_on, exclude=exclude)


def latest_per_facility(records: Iterable[RecordLike], kind: str, on: date
                        ) -> list[RecordLike]:
    """For each facility, the record of ``kind`` with the latest ``valid_from <= on`` (records
    already selected as known, e.g. by :func:`known_as_of`), in facility order."""
    best: dict[str, RecordLike] = {}
    for record in records:
        if record.kind != kind or parse_date(record.valid_from) > on:
            continue
        held = best.get(record.facility)
        best[record.facility] = record if held is None else _newest(held, record)
    return [best[f] for f in sorted(best)]
