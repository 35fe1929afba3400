"""Canonical JSON, record hashes and the chain, without and with a store."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.records import GENESIS_HASH, RecordStore, canonical_json, record_hash
from enrichwatch.records.chain import HASHED_FIELDS, ChainChecker, StoredRow
from tests.records.records_support import facility, inspection, report, sample

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(json_values)
def test_canonical_json_round_trips(value):
    text = canonical_json(value)
    assert text.isascii()
    assert canonical_json(json.loads(text)) == text
    assert json.loads(text) == value


@given(st.dictionaries(st.text(), st.integers(), min_size=2, max_size=6))
def test_canonical_json_ignores_key_order(value):
    backwards = dict(reversed(list(value.items())))
    assert canonical_json(backwards) == canonical_json(value)


def test_canonical_json_form():
    assert canonical_json({"b": [1, 2.5, None], "a": date(2023, 1, 21), "c": "é"}) == (
        '{"a":"2023-01-21","b":[1,2.5,null],"c":"\\u00e9"}')
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


FIELDS = dict(id=1, kind="facility", facility="FFEP", valid_from="2009-09-21",
              known_on="2009-09-21", recorded_at="2024-06-01T12:00:00.000000Z",
              supersedes=None, source="IAEA GOV/2009/74",
              payload={"name": "Fordow FEP", "country": "Iran", "description": None},
              submitted_by=None, prev_hash=GENESIS_HASH)


def test_record_hash_is_sha256_of_the_documented_canonical_json():
    text = ('{"facility":"FFEP","id":1,"kind":"facility","known_on":"2009-09-21",'
            '"payload":{"country":"Iran","description":null,"name":"Fordow FEP"},'
            '"prev_hash":"' + "0" * 64 + '","recorded_at":"2024-06-01T12:00:00.000000Z",'
            '"source":"IAEA GOV/2009/74","submitted_by":null,"supersedes":null,'
            '"valid_from":"2009-09-21"}')
    assert record_hash(FIELDS) == hashlib.sha256(text.encode()).hexdigest()
    assert record_hash({**FIELDS, "signature": "x", "hash": "y"}) == record_hash(FIELDS)


@pytest.mark.parametrize("name", HASHED_FIELDS)
def test_every_hashed_field_changes_the_hash(name):
    changed = {**FIELDS, name: 2 if name == "id" else {"x": 1} if name == "payload" else "z"}
    assert record_hash(changed) != record_hash(FIELDS)


def _rows(n: int) -> list[StoredRow]:
    rows, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        fields = {**FIELDS, "id": i, "prev_hash": prev}
        prev = record_hash(fields)
        rows.append(StoredRow(**{**fields, "payload": canonical_json(fields["payload"])},
                              signature=None, hash=prev))
    return rows


def test_checker_accepts_a_good_chain_and_names_a_gap():
    rows = _rows(5)
    assert ChainChecker().feed(rows).report(5, rows[-1].hash).ok
    report_ = ChainChecker().feed(rows[:2] + rows[3:]).report(5, rows[-1].hash)
    assert [p.record_id for p in report_.problems] == [3, 4]
    assert report_.as_dict()["ok"] is False


def test_checker_names_records_missing_at_the_start():
    rows = _rows(4)
    report_ = ChainChecker().feed(rows[2:]).report(4, rows[-1].hash)
    assert str(report_.problems[0]) == (
        "record 1: missing: records 1 to 2 are not in the store (deleted?)")


drafts = st.lists(st.sampled_from(["report", "inspection", "sample", "facility",
                                   "correction"]), min_size=1, max_size=25)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=drafts, batch=st.integers(1, 5))
def test_chain_verifies_after_random_appends(kinds, batch):
    store = RecordStore.open("sqlite://").init()
    store.append(facility())
    pending, inspections, reports, n = [], [], [], 1
    for k in kinds:
        n += 1
        if k == "inspection":
            inspections.append(n)
            pending.append(inspection())
        elif k == "sample" and inspections:
            pending.append(sample(inspections[-1]))
        elif k == "facility":
            pending.append(facility(f"F{n}"))
        elif k == "correction" and reports:
            pending.append(report(supersedes=reports[-1]))
            reports[-1] = n
        else:
            reports.append(n)
            pending.append(report())
        if len(pending) >= batch:
            store.append_many(pending)
            pending = []
    store.append_many(pending)
    result = store.verify()
    assert result.ok and result.records == len(kinds) + 1 == len(store)
    records = store.history("FFEP") + [r for k in range(1, n + 1)
                                       for r in store.history(f"F{k}")]
    for r in records:
        fields = {**r.as_dict()}
        assert record_hash(fields) == r.hash
    store.close()
