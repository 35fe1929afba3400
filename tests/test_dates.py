"""The one date parser: strict calendar dates ``YYYY-MM-DD``, one error wording."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.dates import DATE_FORMAT, format_timestamp, parse_date, parse_timestamp
from enrichwatch.errors import InputError

WORDING = "expected a calendar date YYYY-MM-DD"


@given(st.dates())
def test_any_date_round_trips_through_its_iso_text(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day) is day


_DATE_LIKE = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),      # shaped like a date, real or not
    st.text(alphabet="0123456789-W:T ", max_size=12),      # ISO 8601 variants and near misses
)


@given(_DATE_LIKE)
def test_a_string_that_parses_is_exactly_the_iso_text_of_its_date(text):
    try:
        day = parse_date(text)
    except InputError as err:
        assert (err.param, err.value, err.allowed) == ("date", text, DATE_FORMAT)
    else:
        assert day.isoformat() == text


@given(st.text(max_size=20))
def test_any_text_parses_to_its_own_iso_text_or_is_refused(text):
    try:
        assert parse_date(text).isoformat() == text
    except InputError as err:
        assert str(err).endswith(WORDING)


@pytest.mark.parametrize("bad", [
    "2023-W03-6",       # week date (Python 3.11 fromisoformat accepts it)
    "2023W036",
    "2023-021",         # ordinal date
    "20230121",         # basic format
    "2023-1-21",
    "2023-01-21 ",
    " 2023-01-21",
    "2023-01-21T00:00",
    "2023-02-30",
    "2023-13-01",
    "21/01/2023",
    "２０２３-０１-２１",  # full-width digits
    "",
    20230121,
    2023.0121,
    True,
    None,
    datetime(2023, 1, 21),
    datetime(2023, 1, 21, tzinfo=UTC),
])
def test_everything_else_is_refused_with_one_wording(bad):
    with pytest.raises(InputError) as info:
        parse_date(bad, "case.toml records[3].known_on")
    err = info.value
    assert (err.param, err.value, err.allowed) == ("case.toml records[3].known_on", bad,
                                                   DATE_FORMAT)
    assert str(err) == f"case.toml records[3].known_on = {bad!r} is not allowed: {WORDING}"
    assert isinstance(err, ValueError)
    assert pickle.loads(pickle.dumps(err)).param == err.param


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1),
                    timezones=st.just(UTC)))
def test_timestamps_round_trip(moment):
    text = format_timestamp(moment)
    assert len(text) == 27 and text.endswith("Z")
    assert parse_timestamp(text) == moment


def test_timestamps_are_written_in_utc():
    east = datetime(2023, 2, 1, 15, 0, tzinfo=timezone(timedelta(hours=3)))
    assert format_timestamp(east) == "2023-02-01T12:00:00.000000Z"


def test_edges_of_the_calendar():
    assert parse_date("0001-01-01") == date.min
    assert parse_date("9999-12-31") == date.max
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(InputError):
        parse_date("2023-02-29")
    with pytest.raises(InputError):
        parse_date("0000-01-01")


def _strptime(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,7}Z?\Z")
       | st.text(alphabet="0123456789-T:.Z ", max_size=30))
def test_stored_timestamps_read_fast_as_strptime_reads_them(text):
    """Issue 14: the exact stored form is read by slicing; every text gives what strptime
    gives, or a ValueError as strptime does."""
    try:
        expected = _strptime(text)
    except ValueError:
        with pytest.raises(ValueError):
            parse_timestamp(text)
        return
    assert parse_timestamp(text) == expected and parse_timestamp(text).tzinfo is UTC
