"""Dates, the one way: strict ISO calendar dates, and the timestamps of the record store.

Every date enrichwatch reads (a record's ``valid_from`` and ``known_on``, a payload's
``declared_on``, ``--as-of`` on the command line, a breakout state's date) goes through
:func:`parse_date`: a :class:`datetime.date`, or a string of exactly ``YYYY-MM-DD`` that is a
real calendar date. Anything else (a week date ``2023-W03-6``, an ordinal date ``2023-021``,
``2023-1-21``, ``20230121``, a datetime, a number) is refused with one wording, naming the
parameter or file key at fault.

The record store keeps ``recorded_at`` as a UTC timestamp ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
(:func:`format_timestamp`, :func:`parse_timestamp`).

Examples
--------
>>> parse_date("2023-01-21")
datetime.date(2023, 1, 21)
>>> parse_date("2023-W03-6", "records[3].known_on")
Traceback (most recent call last):
    ...
enrichwatch.errors.InputError: records[3].known_on = '2023-W03-6' is not allowed: expected a \
calendar date YYYY-MM-DD
>>> format_timestamp(parse_timestamp("2023-02-01T10:00:00.000001Z"))
'2023-02-01T10:00:00.000001Z'
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from .errors import InputError

__all__ = ["DATE_FORMAT", "format_timestamp", "parse_date", "parse_timestamp"]

#: What a date must be, in words (the ``allowed`` of every date error).
DATE_FORMAT = "a calendar date YYYY-MM-DD"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
# The exact form format_timestamp writes: read by slicing (strptime costs ~10 us a call).
_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def parse_date(value: Any, param: str = "date") -> date:
    """A calendar date from a :class:`~datetime.date` or a ``YYYY-MM-DD`` string.

    Parameters
    ----------
    value : date or str
        A date (not a datetime), or a string of exactly ``YYYY-MM-DD`` naming a real day.
    param : str, optional
        The parameter or file key the value comes from, for the message
        (``"--as-of"``, ``"case.toml records[3].known_on"``).

    Returns
    -------
    datetime.date

    Raises
    ------
    InputError
        For anything else: a week date (``2023-W03-6``), an ordinal date (``2023-021``),
        ``2023-1-21``, ``20230121``, ``2023-02-30``, a datetime, a number, a bool, None.
        The message names ``param`` and ``value`` and expects "a calendar date YYYY-MM-DD".

    Examples
    --------
    >>> from datetime import date
    >>> parse_date(date(2023, 1, 21)), parse_date("2023-01-21")
    (datetime.date(2023, 1, 21), datetime.date(2023, 1, 21))
    >>> for bad in ["2023-1-21", "20230121", "2023-02-30", 20230121]:
    ...     try:
    ...         parse_date(bad, "--as-of")
    ...     except InputError as err:
    ...         print(err)
    --as-of = '2023-1-21' is not allowed: expected a calendar date YYYY-MM-DD
    --as-of = '20230121' is not allowed: expected a calendar date YYYY-MM-DD
    --as-of = '2023-02-30' is not allowed: expected a calendar date YYYY-MM-DD
    --as-of = 20230121 is not allowed: expected a calendar date YYYY-MM-DD
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # 2023-02-30
    raise InputError(param, value, DATE_FORMAT)


def format_timestamp(moment: datetime) -> str:
    """A UTC datetime as the record store keeps it: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return moment.astimezone(UTC).strftime(_TIMESTAMP)


def parse_timestamp(text: str) -> datetime:
    """The UTC datetime of a stored ``recorded_at`` string (:func:`format_timestamp`'s
    inverse)."""
    if isinstance(text, str) and _STORED.fullmatch(text):   # the same answer, 8x sooner
        return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                        int(text[14:16]), int(text[17:19]), int(text[20:26]), tzinfo=UTC)
    return datetime.strptime(text, _TIMESTAMP).replace(tzinfo=UTC)
