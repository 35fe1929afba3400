"""Bitemporal queries: the declaration in force on D as known on R; what was known on R.

The scenario (Fordow-like, dates illustrative):

1. facility FFEP
2. declaration A, in force from 2020-01-01, known 2019-12-01 (the old layout)
3. declaration B, in force from 2022-11-22, declared and known 2022-11-18 (new interconnection)
4. inspection on 2023-01-21, known the same day
5. declaration B', correcting B: in force from 2022-11-01, known 2023-01-25 (a late correction)
6. sample of inspection 4, taken 2023-01-22, result known 2023-01-30
"""

from __future__ import annotations

import pytest

from enrichwatch.dates import parse_date
from enrichwatch.records import declaration_in_force, known_as_of
from tests.records.records_support import (
    PLANT,
    PLANT_60,
    declaration,
    facility,
    inspection,
    report,
    sample,
)

D = parse_date


@pytest.fixture
def fordow(store):
    store.append_many([
        facility(),
        declaration(valid_from="2020-01-01", known_on="2019-12-01", max_pct=20.0, plant=PLANT),
        declaration(valid_from="2022-11-22", known_on="2022-11-18", plant=PLANT_60),
        inspection(on="2023-01-21"),
        declaration(valid_from="2022-11-01", known_on="2023-01-25", declared_on="2023-01-25",
                    plant=PLANT_60, supersedes=3),
        sample(4, taken_on="2023-01-22", known_on="2023-01-30"),
    ])
    return store


@pytest.mark.parametrize("on, known_by, expected", [
    ("2021-06-01", None, 2),          # the old layout, as known now
    ("2022-11-10", "2022-12-31", 2),  # B not yet in force on D, B' not yet known on R
    ("2022-11-10", None, 5),          # as known now, the correction B' was in force
    ("2022-11-25", "2022-12-31", 3),  # B in force, as known at the end of 2022
    ("2023-01-21", "2023-01-21", 3),  # what the inspectors could hold the State to
    ("2023-01-21", "2023-01-25", 5),  # once B' is known, it replaces B
    ("2019-06-01", None, None),       # before any declaration
    ("2021-06-01", "2019-11-30", None),  # nothing known yet
])
def test_declaration_in_force(fordow, on, known_by, expected):
    found = fordow.declaration_in_force("FFEP", D(on), None if known_by is None else D(known_by))
    assert (found.id if found else None) == expected


def test_declaration_in_force_of_other_facility_is_none(fordow):
    fordow.append(facility("B"))
    assert fordow.declaration_in_force("B", D("2023-01-01")) is None


@pytest.mark.parametrize("as_of, expected", [
    ("2019-12-01", [1, 2]),
    ("2022-11-18", [1, 2, 3]),
    ("2023-01-21", [1, 2, 3, 4]),
    ("2023-01-25", [1, 2, 4, 5]),     # B dropped: its correction is known
    ("2023-02-01", [1, 2, 4, 5, 6]),
])
def test_known_as_of(fordow, as_of, expected):
    assert [r.id for r in fordow.known_as_of("FFEP", D(as_of))] == expected


def test_known_on_keeps_only_the_latest_known_correction(fordow):
    fordow.append(report(on="2023-02-01"))                                   # 7
    fordow.append(report(on="2023-02-01", known_on="2023-02-10", supersedes=7))  # 8
    fordow.append(report(on="2023-02-01", known_on="2023-02-20", supersedes=8))  # 9
    ids = lambda day: [r.id for r in fordow.known_as_of("FFEP", D(day)) if r.kind == "report"]  # noqa: E731
    assert ids("2023-02-01") == [7]
    assert ids("2023-02-15") == [8]
    assert ids("2023-03-01") == [9]


def test_history_keeps_everything(fordow):
    assert [r.id for r in fordow.history("FFEP", kind="declaration")] == [2, 3, 5]


def test_party_records_are_asked_for_with_star(fordow):
    assert fordow.known_as_of("*", D("2030-01-01")) == []


def test_pure_helpers_give_the_same_answers(fordow):
    everything = fordow.history("FFEP")
    for on, known_by in [("2022-11-25", "2022-12-31"), ("2022-11-10", None),
                         ("2023-01-21", "2023-01-25")]:
        kb = None if known_by is None else D(known_by)
        assert (declaration_in_force(everything, "FFEP", D(on), kb)
                == fordow.declaration_in_force("FFEP", D(on), kb))
    assert known_as_of(everything, D("2023-01-25")) == fordow.known_as_of("FFEP", D("2023-01-25"))


def test_same_valid_from_goes_to_the_later_known(store):
    store.append_many([facility(),
                       declaration(valid_from="2022-01-01", known_on="2021-12-01"),
                       declaration(valid_from="2022-01-01", known_on="2021-12-15"),
                       declaration(valid_from="2022-01-01", known_on="2021-12-10")])
    assert store.declaration_in_force("FFEP", D("2022-06-01")).id == 3
    assert store.declaration_in_force("FFEP", D("2022-06-01"), D("2021-12-12")).id == 4
