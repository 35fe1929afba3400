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
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar

from ..dates import parse_date, parse_timestamp

__all__ = ["LATE_ENTRY_GRACE", "Bitemporal", "current", "declaration_in_force", "end_of_day",
           "held_on", "in_force", "is_late_entry", "known_as_of", "parse_moment"]


class Bitemporal(Protocol):
    """The attributes the bitemporal selection reads from a record.

    :class:`~enrichwatch.records.Record` satisfies it, and so do the evaluation's record-like
    objects. Read-only properties, so that frozen dataclasses (whose fields may be narrower,
    e.g. ``valid_from: date``) satisfy it too. ``recorded_at`` is optional and read with
    ``getattr``.
    """

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def facility(self) -> str: ...
    @property
    def valid_from(self) -> date | str: ...
    @property
    def known_on(self) -> date | str: ...
    @property
    def supersedes(self) -> int | None: ...


_R = TypeVar("_R")
R = TypeVar("R", bound=Bitemporal)

#: How much later than its claimed ``known_on`` a record may enter the store before it is a
#: *late entry*: one day (``recorded_at`` on the day after ``known_on`` is on time; two days
#: after is late). The store only vouches for when it received a record; a ``known_on`` older
#: than that is a claim.
LATE_ENTRY_GRACE = timedelta(days=1)


def end_of_day(day: date) -> datetime:
    """The last microsecond of a UTC day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def parse_moment(value, param: str = "held_on") -> datetime:
    """A transaction-time instant: a UTC ``datetime``, a timestamp text
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, or a date / ``YYYY-MM-DD`` (its end, UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str) and "T" in value:
        try:
            return parse_timestamp(value)
        except ValueError:
            pass
        from ..errors import InputError

        raise InputError(param, value, "a calendar date YYYY-MM-DD or a UTC time "
                                       "YYYY-MM-DDTHH:MM:SS.ffffffZ")
    return end_of_day(parse_date(value, param))


def _recorded_at(record) -> datetime | None:
    return getattr(record, "recorded_at", None)


def _held(record, limit: datetime) -> bool:
    entered = _recorded_at(record)
    return entered is None or entered <= limit


def held_on(records: Iterable[_R], moment) -> list[_R]:
    """The records the store held at ``moment`` (transaction time): ``recorded_at <=
    moment`` (a date means the end of that day, UTC). Records without a ``recorded_at``
    (plain case-file records) are kept. Ledger order kept."""
    limit = parse_moment(moment)
    return [r for r in records if _held(r, limit)]


def is_late_entry(record, grace: timedelta = LATE_ENTRY_GRACE) -> bool:
    """Whether a record entered the store more than ``grace`` after its claimed ``known_on``
    (False for records without a ``recorded_at``)."""
    entered = _recorded_at(record)
    if entered is None:
        return False
    return entered.astimezone(UTC).date() - parse_date(record.known_on) > grace


def _valid_from(record: Bitemporal) -> date:
    return parse_date(record.valid_from, f"record {record.id} valid_from")


def _known_on(record: Bitemporal) -> date:
    return parse_date(record.known_on, f"record {record.id} known_on")


def current(records: Iterable[R]) -> list[R]:
    """The records not superseded by another record of the same collection (order kept)."""
    listed = list(records)
    superseded = {r.supersedes for r in listed if r.supersedes is not None}
    return [r for r in listed if r.id not in superseded]


def known_as_of(records: Iterable[R], as_of: date) -> list[R]:
    """What was known on ``as_of``: records with ``known_on <= as_of``, minus those superseded by
    a correction also known by then (ledger order kept)."""
    day = parse_date(as_of, "as_of")
    return current(r for r in records if _known_on(r) <= day)


def in_force(records: Iterable[R], kind: str, on: date, known_by: date | None = None, *,
             facility: str | None = None, exclude: Sequence[int] = ()) -> R | None:
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


def declaration_in_force(records: Sequence[R], facility: str, on: date,
                         known_by: date | None = None) -> R | None:
    """The declaration of ``facility`` in force on ``on`` as known on ``known_by``
    (:func:`in_force` for declarations)."""
    return in_force(records, "declaration", on, known_by, facility=facility)
