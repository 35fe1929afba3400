"""Bitemporal selections: what was known on R, and the record in force on D as known on R.

They are the store's ``known_as_of`` and ``declaration_in_force`` queries; the property tests
compare them with a brute-force reading of the definitions on random ledgers.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.dates import parse_date
from enrichwatch.errors import InputError
from enrichwatch.evaluation import in_force, known_as_of
from enrichwatch.evaluation.records import RecordLike, latest_per_facility, payload_date
from tests.evaluation.evaluation_helpers import Rec, d


def decl(id, valid_from, known_on, supersedes=None):
    return Rec(id, "declaration", "X", d(valid_from), d(known_on), supersedes)


def test_rec_fixture_is_record_like():
    assert isinstance(decl(1, "2022-01-01", "2022-01-01"), RecordLike)


def test_known_as_of_keeps_records_known_by_the_date():
    a, b = decl(1, "2022-01-01", "2022-01-05"), decl(2, "2022-01-01", "2022-02-01")
    assert known_as_of([a, b], d("2022-01-04")) == []
    assert known_as_of([a, b], d("2022-01-05")) == [a]
    assert known_as_of([a, b], d("2022-02-01")) == [a, b]


def test_correction_replaces_the_original_once_known():
    original = decl(1, "2022-11-22", "2022-11-17")
    correction = decl(2, "2022-11-22", "2022-12-10", supersedes=1)
    assert known_as_of([original, correction], d("2022-12-09")) == [original]
    assert known_as_of([original, correction], d("2022-12-10")) == [correction]
    # declaration in force on 1 Dec as known then (the original) and as known later (the fix)
    assert in_force([original, correction], "declaration", on=d("2022-12-01"),
                    known_on=d("2022-12-01")) is original
    assert in_force([original, correction], "declaration", on=d("2022-12-01"),
                    known_on=d("2022-12-31")) is correction


def test_chain_of_corrections_keeps_only_the_last():
    a = decl(1, "2022-01-01", "2022-01-01")
    b = decl(2, "2022-01-01", "2022-02-01", supersedes=1)
    c = decl(3, "2022-01-01", "2022-03-01", supersedes=2)
    assert known_as_of([a, b, c], d("2022-03-01")) == [c]
    assert known_as_of([a, b, c], d("2022-02-15")) == [b]


def test_correction_that_moves_valid_from_later_leaves_a_gap():
    a = decl(1, "2022-01-01", "2022-01-01")
    moved = decl(2, "2022-06-01", "2022-07-01", supersedes=1)
    assert in_force([a, moved], "declaration", on=d("2022-03-01"),
                    known_on=d("2022-07-01")) is None
    assert in_force([a, moved], "declaration", on=d("2022-03-01"),
                    known_on=d("2022-06-30")) is a


def test_latest_valid_from_wins_then_later_known_on_then_highest_id():
    a, b = decl(1, "2022-01-01", "2022-01-01"), decl(2, "2022-03-01", "2022-01-02")
    c = decl(3, "2022-03-01", "2022-01-03")
    assert in_force([a, b, c], "declaration", on=d("2022-02-28"), known_on=d("2022-12-31")) is a
    assert in_force([a, b, c], "declaration", on=d("2022-03-01"), known_on=d("2022-12-31")) is c
    assert in_force([a, b, c], "declaration", on=d("2022-03-01"), known_on=d("2022-01-02")) is b
    assert in_force([a, b, c], "declaration", on=d("2022-03-01"), known_on=d("2022-12-31"),
                    exclude=(3,)) is b


def test_declared_after_it_took_effect_is_in_force_only_once_known():
    """The Fordow pattern: a change effective 16 Jan, declared 22 Jan."""
    nov = decl(1, "2022-11-22", "2022-11-17")
    jan = decl(2, "2023-01-16", "2023-01-22")
    assert in_force([nov, jan], "declaration", on=d("2023-01-21"),
                    known_on=d("2023-01-21")) is nov
    assert in_force([nov, jan], "declaration", on=d("2023-01-21"),
                    known_on=d("2023-02-01")) is jan


def test_other_kinds_are_ignored():
    a = decl(1, "2022-01-01", "2022-01-01")
    other = Rec(2, "inspection", "X", d("2022-02-01"), d("2022-02-01"))
    assert in_force([a, other], "declaration", on=d("2022-03-01"), known_on=d("2022-03-01")) is a


def test_iso_strings_are_accepted_for_dates():
    a = Rec(1, "declaration", "X", "2022-01-01", "2022-01-02",
            payload={"declared_on": "2022-01-02"})
    assert known_as_of([a], d("2022-01-02")) == [a]
    assert payload_date(a, "declared_on") == d("2022-01-02")
    assert payload_date(a, "missing", d("2000-01-01")) == d("2000-01-01")


@pytest.mark.parametrize("bad", ["21/01/2023", 20230121, None, "2023-13-01", "2023-W03-6"])
def test_record_dates_must_be_calendar_dates(bad):
    a = Rec(1, "declaration", "X", "2022-01-01", bad)
    with pytest.raises(InputError, match=r"record 1 known_on = .* is not allowed: expected a "
                                         r"calendar date YYYY-MM-DD"):
        known_as_of([a], d("2022-01-02"))
    with pytest.raises(InputError, match="as_of = .*: expected a calendar date YYYY-MM-DD"):
        parse_date(bad, "as_of")


def test_latest_per_facility():
    recs = [Rec(1, "stockpile", "A", d("2019-05-20"), d("2019-05-31")),
            Rec(2, "stockpile", "A", d("2019-07-01"), d("2019-07-10")),
            Rec(3, "stockpile", "B", d("2019-06-01"), d("2019-06-02")),
            Rec(4, "stockpile", "A", d("2019-09-01"), d("2019-09-02"))]
    assert [r.id for r in latest_per_facility(recs, "stockpile", d("2019-08-01"))] == [2, 3]


# -- properties: the selections against their definitions, on random ledgers ------------------
START = date(2022, 1, 1)
days = st.integers(0, 60)


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 8))
    out = []
    for i in range(1, n + 1):
        sup = draw(st.one_of(st.none(), st.integers(1, i - 1))) if i > 1 else None
        out.append(Rec(i, draw(st.sampled_from(["declaration", "inspection"])), "X",
                       START + timedelta(draw(days)), START + timedelta(draw(days)), sup))
    return out


@settings(max_examples=200, deadline=None)
@given(ledgers(), days, days)
def test_in_force_matches_its_definition(records, on_days, known_days):
    on, known = START + timedelta(on_days), START + timedelta(known_days)
    got = in_force(records, "declaration", on=on, known_on=known)
    replaced = {r.supersedes for r in records if r.known_on <= known and r.supersedes}
    candidates = [r for r in records if r.kind == "declaration" and r.known_on <= known
                  and r.id not in replaced and r.valid_from <= on]
    if not candidates:
        assert got is None
    else:
        assert got is max(candidates, key=lambda r: (r.valid_from, r.known_on, r.id))


@settings(max_examples=200, deadline=None)
@given(ledgers(), days, days)
def test_known_by_grows_with_record_time_up_to_corrections(records, a, b):
    early, late = sorted((START + timedelta(a), START + timedelta(b)))
    later = {r.id for r in known_as_of(records, late)}
    for r in known_as_of(records, early):
        # known early -> still known later, unless a correction known by then replaced it
        assert r.id in later or any(c.supersedes == r.id and c.known_on <= late
                                    for c in records)
