"""What the evaluation reads from a record, and the bitemporal selections the rules need.

The evaluation works on plain record objects (the store's :class:`enrichwatch.records.Record`,
or any object with the same attributes, see :class:`RecordLike`). Dates may be
:class:`datetime.date` objects or ISO ``YYYY-MM-DD`` strings (payload dates are ISO strings in
the store); :func:`as_date` reads both.

Two times (docs/records-design.md): ``valid_from`` is when the content applied in the world
(valid time *D*), ``known_on`` when the safeguards authority learned it (record time *R*).
The selections here **mirror the store's queries** (``RecordStore.known_on`` and
``RecordStore.declaration_in_force``) so that the rules can ask them for any pair of dates
from one list of records:

- :func:`known_by` -- what was known on *R*: ``known_on <= R``, and a record superseded by a
  correction that is itself known by *R* is dropped;
- :func:`in_force` -- of one kind, the record in force on *D* as known on *R*: among those
  known by *R* with ``valid_from <= D``, the latest ``valid_from`` wins (ties: the later
  ``known_on``, then the higher id).

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation.casefile import CaseRecord
>>> d = lambda text: date.fromisoformat(text)
>>> first = CaseRecord(1, "declaration", "X", d("2022-11-01"), d("2022-11-01"), None, "", {})
>>> fixed = CaseRecord(2, "declaration", "X", d("2022-11-01"), d("2022-12-01"), 1, "", {})
>>> [r.id for r in known_by([first, fixed], d("2022-11-15"))]
[1]
>>> [r.id for r in known_by([first, fixed], d("2022-12-01"))]
[2]
>>> in_force([first, fixed], "declaration", on=d("2022-11-20"), known_on=d("2022-11-20")).id
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError
from ..records.bitemporal import in_force as bitemporal_in_force
from ..records.bitemporal import known_as_of

__all__ = ["RecordLike", "as_date", "in_force", "known_by", "latest_per_facility",
           "payload_date"]


@runtime_checkable
class RecordLike(Protocol):
    """The attributes the evaluation reads from a record (as in docs/records-design.md).

    ``enrichwatch.records.Record`` satisfies it; tests use small frozen dataclasses.
    """

    id: int
    kind: str
    facility: str
    valid_from: date | str
    known_on: date | str
    supersedes: int | None
    source: str
    payload: Mapping[str, Any]


def as_date(value: date | str, param: str = "date") -> date:
    """A :class:`~datetime.date` from a date or an ISO ``YYYY-MM-DD`` string.

    >>> as_date("2023-01-21")
    datetime.date(2023, 1, 21)

    Raises
    ------
    InputError
        For anything else (a datetime, a number, ``'21/01/2023'``).
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(param, value, "a date (YYYY-MM-DD)")


def payload_date(record: RecordLike, key: str, default: date | None = None) -> date | None:
    """Date ``payload[key]`` of a record (``default`` when absent or null)."""
    value = record.payload.get(key)
    if value is None:
        return default
    return as_date(value, f"record {record.id} payload.{key}")


def known_by(records: Iterable[RecordLike], on: date) -> list[RecordLike]:
    """Records known on date ``on`` (``known_on <= on``), minus those superseded by a correction
    also known by then, in the input order (the store's
    :func:`~enrichwatch.records.known_as_of`)."""
    return known_as_of(records, on)


def _newest(records: Iterable[RecordLike]) -> RecordLike | None:
    return max(records, key=lambda r: (as_date(r.valid_from), as_date(r.known_on), r.id),
               default=None)


def in_force(records: Iterable[RecordLike], kind: str, *, on: date, known_on: date,
             exclude: Sequence[int] = ()) -> RecordLike | None:
    """The record of ``kind`` in force on valid date ``on`` as known on ``known_on``: the
    store's :func:`enrichwatch.records.bitemporal.in_force` (latest ``valid_from <= on`` among
    the records known by then; ties: the later ``known_on``, then the higher id)."""
    return bitemporal_in_force(records, kind, on, known_on, exclude=exclude)


def latest_per_facility(records: Iterable[RecordLike], kind: str, on: date
                        ) -> list[RecordLike]:
    """For each facility, the record of ``kind`` with the latest ``valid_from <= on`` (records
    already selected as known, e.g. by :func:`known_by`), in facility order."""
    best: dict[str, RecordLike] = {}
    for record in records:
        if record.kind != kind or as_date(record.valid_from) > on:
            continue
        held = best.get(record.facility)
        best[record.facility] = _newest([record] if held is None else [held, record])
    return [best[f] for f in sorted(best)]
