"""Issue 14: the store encodes each record once (the hashed text is built around the stored
payload text) and verify() decodes each row once. These tests hold the fast paths to the
definitions they replace: the same hashes, the same records, and verify() finding the same
problems as the checks written the plain way, on ledgers tampered at random."""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.dates import parse_date, parse_timestamp
from enrichwatch.records import (
    GENESIS_HASH,
    Record,
    RecordStore,
    Signer,
    canonical_json,
    record_hash,
)
from enrichwatch.records.chain import (
    ChainChecker,
    RecordReader,
    StoredRow,
    hashed_text,
    payload_json,
)
from enrichwatch.records.model import stored_record
from enrichwatch.records.tables import RECORD_COLUMNS
from tests.records.records_support import (
    declaration,
    facility,
    inspection,
    party,
    policy,
    report,
    sample,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)
payloads = st.dictionaries(st.text(), json_values, max_size=5)
texts = st.text() | st.sampled_from(["report", "FFEP", "2023-02-01", GENESIS_HASH, "é\u202e"])
odd = st.none() | st.booleans() | st.floats(allow_nan=False) | st.binary() | texts | \
    st.integers(-(2**70), 2**70)


def _fields(values: tuple) -> dict:
    names = ("id", "kind", "facility", "valid_from", "known_on", "recorded_at", "supersedes",
             "source", "payload", "submitted_by", "prev_hash")
    return dict(zip(names, values, strict=True))


@given(st.tuples(st.integers(0, 2**63), texts, texts, texts, texts, texts,
                 st.none() | st.integers(1, 2**40), texts, payloads, st.none() | texts, texts))
def test_hashed_text_is_the_canonical_json_of_the_fields(values):
    fields = _fields(values)
    text = hashed_text(*values[:8], canonical_json(fields["payload"]), *values[9:])
    assert text == canonical_json(fields)
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == record_hash(fields)


@given(st.tuples(odd, odd, odd, odd, odd, odd, odd, odd, odd, odd))
def test_hashed_text_declines_values_of_other_types(values):
    """None whenever a value is not of its plain type: the caller then hashes the general
    way (an int id and supersedes, text or null elsewhere are plain)."""
    id_, kind, fac, vf, ko, ra, sup, src, sub, prev = values
    plain = (type(id_) is int and all(type(v) is str for v in (kind, fac, vf, ko, ra, src, prev))
             and (sup is None or type(sup) is int) and (sub is None or type(sub) is str))
    text = hashed_text(id_, kind, fac, vf, ko, ra, sup, src, "{}", sub, prev)
    assert (text is not None) == plain
    if plain:
        assert text == canonical_json(_fields((id_, kind, fac, vf, ko, ra, sup, src, {}, sub,
                                               prev)))


@given(payloads)
def test_payload_json_is_canonical_json(payload):
    assert payload_json(payload) == canonical_json(payload)


def test_payload_json_refuses_what_canonical_json_refuses():
    for bad in ({"x": float("nan")}, {"x": float("inf")}, {"x": {1, 2}}):
        with pytest.raises((ValueError, TypeError)):
            canonical_json(bad)
        with pytest.raises((ValueError, TypeError)):
            payload_json(bad)


# -- the checks of verify(), written the plain way ---------------------------------------------
class PlainChecker(ChainChecker):
    """verify()'s checks as first written: json.loads, canonical_json, record_hash."""

    def _payload(self, row):
        try:
            payload = json.loads(row.payload)
            if canonical_json(payload) == row.payload and isinstance(payload, dict):
                return payload
        except (TypeError, ValueError):
            pass
        self._problem(row.id, "payload is not the canonical JSON object that was written "
                              "(altered)")
        return None

    def _check_hash(self, row, payload):
        fields = row._asdict()
        fields["payload"] = payload
        try:
            ok = record_hash(fields) == row.hash
        except (TypeError, ValueError):
            ok = False
        if not ok:
            self._problem(row.id, "content does not match its hash: altered after it was "
                                  "written (or moved from another position)")


def plain_record(row: StoredRow) -> Record:
    return Record(
        id=row.id, kind=row.kind, facility=row.facility,
        valid_from=parse_date(row.valid_from, f"record {row.id} valid_from"),
        known_on=parse_date(row.known_on, f"record {row.id} known_on"),
        recorded_at=parse_timestamp(row.recorded_at), supersedes=row.supersedes,
        source=row.source, payload=json.loads(row.payload), submitted_by=row.submitted_by,
        signature=row.signature, prev_hash=row.prev_hash, hash=row.hash)


@pytest.fixture(scope="module")
def stored_rows(tmp_path_factory):
    """The rows of a small ledger: signed and unsigned records, a policy, a correction."""
    iaea, iran = Signer.generate("IAEA"), Signer.generate("Iran")
    store = RecordStore.open(tmp_path_factory.mktemp("rows") / "r.sqlite").init()
    store.append(party(iaea), iaea)
    store.append(party(iran, requires_signature=False), iaea)
    store.append(facility(), iaea)
    store.append(declaration(submitted_by="Iran"), iran)
    store.append_many([inspection(), sample(5), report()], iaea)
    store.append(policy("IAEA", {"report": ["IAEA"]}), iaea)
    store.append(declaration(known_on="2023-01-25", supersedes=4))
    store.append(report(document="GOV/2023/8", on="2023-02-28"), iaea)
    with store.engine.connect() as conn:
        rows = [StoredRow(*r) for r in conn.execute(
            RECORD_COLUMNS[0].table.select().order_by(RECORD_COLUMNS[0]))]
    head = store.head()
    store.close()
    return rows, head


def _problems(checker_type, rows, head):
    checker = checker_type()
    for row in rows:
        checker.check(row)
    return [(p.record_id, p.what) for p in checker.report(*head).problems]


column_values = {
    "payload": st.sampled_from(['{"a":1}', '{"a": 1}', ' {"a":1}', '{"a":1} ', '[1]', 'null',
                                '{"b":1,"a":2}', '{"a":NaN}', '{"a":1e400}', '', '{',
                                '{"a":"\\u00e9"}', '{"a":"é"}']) | st.binary(max_size=8),
    "id": st.integers(-3, 20) | st.just(3.0),
    "supersedes": st.none() | st.integers(1, 12) | st.just("4"),
    "submitted_by": st.none() | st.sampled_from(["IAEA", "Iran", "nobody"]) | st.just(7),
    "signature": st.none() | st.sampled_from(["00" * 64, "zz"]) | st.binary(max_size=4),
    "kind": st.sampled_from(["report", "party", "policy", "declaration"]) | st.just(1),
    "source": texts | st.just(5),
    "recorded_at": texts,
    "prev_hash": st.just(GENESIS_HASH) | texts,
    "hash": st.just(GENESIS_HASH) | texts,
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_verify_finds_what_the_plain_checks_find(stored_rows, data):
    rows, head = stored_rows
    rows = list(rows)
    for _ in range(data.draw(st.integers(0, 3))):
        i = data.draw(st.integers(0, len(rows) - 1))
        name = data.draw(st.sampled_from(sorted(column_values)))
        if name == "payload" and data.draw(st.booleans()):      # another canonical payload
            value = data.draw(payloads.map(canonical_json))
        else:
            value = data.draw(column_values[name])
        rows[i] = rows[i]._replace(**{name: value})
    if data.draw(st.booleans()):
        del rows[data.draw(st.integers(0, len(rows) - 1))]
    assert _problems(ChainChecker, rows, head) == _problems(PlainChecker, rows, head)


def test_untampered_rows_verify(stored_rows):
    rows, head = stored_rows
    assert _problems(ChainChecker, rows, head) == []


def test_reader_gives_the_records_of_the_rows(stored_rows):
    rows, _ = stored_rows
    reader = RecordReader()
    assert [reader.record(r) for r in rows] == [plain_record(r) for r in rows]
    payloads_read = [json.loads(r.payload) for r in rows]
    assert [reader.record(r, p) for r, p in zip(rows, payloads_read, strict=True)] == \
        [plain_record(r) for r in rows]


def test_reader_names_the_record_of_a_bad_date(stored_rows):
    rows, _ = stored_rows
    reader = RecordReader()
    reader.record(rows[0])                                  # its dates now cached
    bad = rows[1]._replace(valid_from="2023-02-30")
    with pytest.raises(ValueError, match="record 2 valid_from"):
        reader.record(bad)
    with pytest.raises(ValueError, match="record 2 valid_from"):
        reader.record(bad)                                  # failures are not cached


def test_stored_record_is_the_record():
    values = (3, "report", "F", date(2023, 2, 1), date(2023, 2, 2),
              datetime(2024, 1, 1, tzinfo=UTC), None, "s", {"a": 1}, None, None,
              GENESIS_HASH, "ab" * 32)
    made = stored_record(values)
    assert made == Record(*values) and repr(made) == repr(Record(*values))
    assert made.as_dict() == Record(*values).as_dict()
    with pytest.raises(AttributeError):
        made.id = 4                                         # still frozen
    assert replace(made, id=4).id == 4


# -- appending -----------------------------------------------------------------------------------
def test_one_append_one_timestamp_and_the_stored_text_is_hashed(store):
    store.append(facility())
    added = store.append_many([report(document=f"GOV/{i}") for i in range(5)])
    assert len({r.recorded_at for r in added}) == 1
    with store.engine.connect() as conn:
        rows = [StoredRow(*r) for r in conn.execute(
            RECORD_COLUMNS[0].table.select().where(RECORD_COLUMNS[0] > 1)
            .order_by(RECORD_COLUMNS[0]))]
    for record, row in zip(added, rows, strict=True):
        assert row.payload == canonical_json(record.payload)
        assert row.recorded_at == added[0].as_dict()["recorded_at"]
        assert plain_record(row) == record
        fields = row._asdict()
        fields["payload"] = json.loads(row.payload)
        assert record_hash(fields) == record.hash == row.hash


def test_the_clock_behind_the_last_record_gives_the_last_time(tmp_path):
    now = [datetime(2024, 5, 1, 12, tzinfo=UTC)]
    store = RecordStore.open(tmp_path / "c.sqlite", clock=lambda: now[0]).init()
    first = store.append(facility())
    now[0] = datetime(2024, 4, 1, tzinfo=UTC)
    second = store.append(report())
    assert second.recorded_at == first.recorded_at
    assert store.verify().ok


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(store, enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        store.append(facility())
        store.append_many([report()])
        with pytest.raises(ValueError):
            store.append(report(code="NOPE"))
        store.verify()
        store.history("FFEP")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_verified_read_is_verify_and_known_as_of_in_one_snapshot(store):
    store.append(facility())
    store.append(declaration())
    store.append(inspection())
    store.append(declaration(known_on="2023-01-25", supersedes=2))
    store.append(facility(code="PFEP"))
    for as_of, held in [("2023-01-22", None), ("2023-02-01", None),
                        ("2023-02-01", "2000-01-01"), ("2023-02-01", "2100-01-01")]:
        read = store.verified_read("FFEP", date.fromisoformat(as_of), held_on=held)
        assert read.report == store.verify()
        assert read.records() == store.known_as_of("FFEP", date.fromisoformat(as_of),
                                                   held_on=held)
