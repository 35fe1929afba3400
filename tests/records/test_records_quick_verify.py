"""Issue 14: verify() and verified_read() check each row in one quick pass (position, link,
SHA-256 of the hashed text around the stored payload text) and give any other row the full
check. These tests hold the quick pass to the full one (ChainChecker.check, row by row) on
ledgers tampered at random, and play the attacks on a ledger shared with another facility:
a record that evaluate does not read, tampered anywhere, still fails the store."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.records import RecordDraft, RecordStore, Signer, canonical_json, record_hash
from enrichwatch.records.chain import HASHED_FIELDS, ChainChecker, Selection, hashed_text
from enrichwatch.records.snapshot import LedgerFile
from tests.records.records_support import (
    declaration,
    drop_triggers,
    facility,
    inspection,
    party,
    policy,
    raw,
    report,
    sample,
)
from tests.records.test_records_one_encoding import (
    PlainChecker,
    column_values,
    payloads,
    stored_rows,  # noqa: F401 - the module fixture, shared
)

AS_OF = date(2023, 2, 1)


def _full(rows, head, wanted):
    checker = ChainChecker()
    picked = []
    for row in rows:
        payload = checker.check(row)
        if wanted(tuple(row)):
            picked.append((row, payload))
    return [(p.record_id, p.what) for p in checker.report(*head).problems], picked


def _quick(rows, head, wanted, batch):
    checker = ChainChecker()
    values = [tuple(row) for row in rows]
    picked = checker.check_rows((values[i:i + batch] for i in range(0, len(values), batch)),
                                wanted)
    return [(p.record_id, p.what) for p in checker.report(*head).problems], picked


def _plain(rows, head):
    checker = PlainChecker()
    checker.feed(rows)
    return [(p.record_id, p.what) for p in checker.report(*head).problems]


def _ffep(row: tuple) -> bool:
    return row[2] == "FFEP"


def test_quick_pass_on_an_untampered_ledger(stored_rows):  # noqa: F811
    rows, head = stored_rows
    problems, picked = _quick(rows, head, _ffep, 3)
    assert problems == []
    assert picked == _full(rows, head, _ffep)[1]
    assert [row.id for row, _ in picked] == [row.id for row in rows if row.facility == "FFEP"]
    assert all(payload == json.loads(row.payload) for row, payload in picked)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_quick_pass_finds_what_the_full_check_finds(stored_rows, data):  # noqa: F811
    rows, head = stored_rows
    rows = list(rows)
    for _ in range(data.draw(st.integers(0, 3))):
        i = data.draw(st.integers(0, len(rows) - 1))
        name = data.draw(st.sampled_from(sorted(column_values)))
        if name == "payload" and data.draw(st.booleans()):
            value = data.draw(payloads.map(canonical_json))
        else:
            value = data.draw(column_values[name])
        rows[i] = rows[i]._replace(**{name: value})
    if data.draw(st.booleans()):
        del rows[data.draw(st.integers(0, len(rows) - 1))]
    batch = data.draw(st.integers(1, 5))
    quick = _quick(rows, head, _ffep, batch)
    assert quick == _full(rows, head, _ffep)
    assert quick[0] == _plain(rows, head)
    # a Selection (what verified_read asks) is tested inline: as its call picks
    days = st.dates(date(2009, 1, 1), date(2030, 1, 1)).map(date.isoformat)
    wanted = Selection(data.draw(st.sampled_from(["FFEP", "PFEP", "*"])), data.draw(days),
                       data.draw(st.none() | days.map(lambda d: d + "T12:00:00.000000Z")))
    assert _quick(rows, head, wanted, batch) == _full(rows, head, wanted)


# -- the attacks, on a ledger shared with another facility --------------------------------------
OTHER = 300


@pytest.fixture(scope="module")
def shared_file(tmp_path_factory):
    """IAEA (signatures required) and FFEP's records, then OTHER reports of PFEP, unsigned,
    then FFEP's last report: a SQLite file copied for each test."""
    iaea = Signer.generate("IAEA")
    path = tmp_path_factory.mktemp("shared") / "shared.sqlite"
    store = RecordStore.open(path).init()
    store.append(party(iaea), iaea)                                    # 1
    store.append(facility(), iaea)                                     # 2
    store.append(declaration())                                        # 3
    store.append(inspection(), iaea)                                   # 4
    store.append(sample(4))                                            # 5
    store.append(facility(code="PFEP"))                                # 6
    store.append_many([RecordDraft("report", "PFEP", "2022-06-01", "2022-06-01", "bench",
                                   {"document": f"GOV/{i}", "title": "", "summary": "x" * 50})
                       for i in range(OTHER)])                         # 7 .. 6 + OTHER
    store.append(report(), iaea)                                       # 7 + OTHER
    store.close()
    return path, iaea


@pytest.fixture
def shared(shared_file, tmp_path):
    path, iaea = shared_file
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    store = RecordStore.open(copy).init()
    assert store.verify().ok
    drop_triggers(store)
    yield store, iaea
    store.close()


def _set(store, record_id, name, value):
    raw(store, f"UPDATE records SET {name} = :v WHERE id = :i", v=value, i=record_id)


def _get(store, record_id, name):
    return raw(store, f"SELECT {name} FROM records WHERE id = :i", i=record_id)[0][0]


def _read(store):
    read = store.verified_read("FFEP", AS_OF)
    assert read.report == store.verify()
    lean = LedgerFile(store.engine.url.database).verified_read("FFEP", AS_OF)  # as evaluate
    assert lean is not None and lean.report == read.report and lean.rows == read.rows
    return read


def test_shared_ledger_reads_only_the_facility(shared):
    store, _ = shared
    read = _read(store)
    assert read.report.ok and read.report.records == OTHER + 7
    assert [r.id for r in read.records()] == [2, 3, 4, 5, OTHER + 7]
    assert read.records() == store.known_as_of("FFEP", AS_OF)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_changed_byte_of_a_record_not_read_is_found(shared, data):
    store, _ = shared
    record_id = data.draw(st.integers(7, OTHER + 6), label="record")
    name = data.draw(st.sampled_from(["kind", "facility", "valid_from", "known_on",
                                      "recorded_at", "source", "payload", "prev_hash",
                                      "hash"]), label="column")
    value = _get(store, record_id, name)
    position = data.draw(st.integers(0, len(value) - 1), label="position")
    char = data.draw(st.characters(min_codepoint=32, max_codepoint=126), label="char")
    changed = value[:position] + char + value[position + 1:]
    _set(store, record_id, name, changed)
    try:
        read = _read(store)
        assert read.report.ok == (changed == value)
        if not read.report.ok:
            assert read.report.problems[0].record_id == record_id
    finally:
        _set(store, record_id, name, value)
    assert _read(store).report.ok


def _rehash(store, record_id, **changes):
    """Change a record and recompute its hash (not the links after it)."""
    names = ", ".join(HASHED_FIELDS)
    fields = raw(store, f"SELECT {names} FROM records WHERE id = {record_id}")[0]._asdict()
    payload = changes.get("payload", json.loads(fields["payload"]))
    fields.update(changes, payload=payload)
    digest = record_hash(fields)
    for name, value in changes.items():
        _set(store, record_id, name, canonical_json(value) if name == "payload" else value)
    _set(store, record_id, "hash", digest)
    return digest


def test_a_rehashed_record_not_read_breaks_the_next_link(shared):
    store, _ = shared
    _rehash(store, 100, source="rewritten")
    problems = _read(store).report.problems
    assert [p.record_id for p in problems] == [101]
    assert "prev_hash does not match the hash of record 100" in problems[0].what


def test_a_rehashed_record_at_the_end_changes_the_ledger_head(shared):
    store, iaea = shared
    last = OTHER + 7
    _rehash(store, last, source="rewritten")
    problems = _read(store).report.problems
    assert [p.record_id for p in problems] == [last, last]
    assert "bad signature" in problems[0].what
    assert "ledger head" in problems[1].what


def test_a_consistent_rewrite_of_records_not_read_breaks_a_signature_after(shared):
    store, _ = shared
    prev = _get(store, 49, "hash")
    for record_id in range(50, OTHER + 8):
        changes = {"prev_hash": prev}
        if record_id == 50:
            changes["payload"] = {"document": "forged", "title": "", "summary": ""}
        prev = _rehash(store, record_id, **changes)
    raw(store, "UPDATE ledger_head SET last_hash = :h", h=prev)
    problems = _read(store).report.problems
    assert [p.record_id for p in problems] == [OTHER + 7]       # IAEA's signed report
    assert "bad signature" in problems[0].what


def test_a_non_canonical_payload_of_a_record_read_is_found_with_its_hash_recomputed(shared):
    store, _ = shared
    text = _get(store, 3, "payload").replace(",", ", ", 1)
    fields = raw(store, f"SELECT {', '.join(HASHED_FIELDS)} FROM records WHERE id = 3"
                 )[0]._asdict()
    values = [fields[n] for n in ("id", "kind", "facility", "valid_from", "known_on",
                                  "recorded_at", "supersedes", "source")]
    digest = hashlib.sha256(hashed_text(*values, text, fields["submitted_by"],
                                        fields["prev_hash"]).encode()).hexdigest()
    _set(store, 3, "payload", text)
    _set(store, 3, "hash", digest)
    problems = _read(store).report.problems
    assert problems[0].record_id == 3 and "canonical" in problems[0].what


def test_an_unsigned_record_of_a_party_requiring_signatures_is_found_anywhere(shared):
    store, _ = shared
    _rehash(store, 200, submitted_by="IAEA")
    problems = _read(store).report.problems
    assert problems[0].record_id == 200 and "requires signatures" in problems[0].what


def test_under_a_policy_every_later_record_is_held_to_it(tmp_path):
    iaea = Signer.generate("IAEA")
    store = RecordStore.open(tmp_path / "p.sqlite").init()
    store.append(party(iaea), iaea)
    store.append(facility(), iaea)
    store.append(policy("IAEA", {"report": ["IAEA"]}), iaea)
    store.append(report(), iaea)
    drop_triggers(store)
    _rehash(store, 4, signature=None)
    found = store.verify().problems
    assert found and found[0].record_id == 4
    store.close()


def test_verify_finds_a_non_canonical_payload_of_any_record_with_its_chain_rewritten(shared):
    """verify() decodes every payload: a record not canonical though hashed and chained
    right (a rewrite behind the store's back, the ledger head moved) is named."""
    store, _ = shared
    text = _get(store, 100, "payload").replace(",", ", ", 1)
    fields = raw(store, f"SELECT {', '.join(HASHED_FIELDS)} FROM records WHERE id = 100"
                 )[0]._asdict()
    values = [fields[n] for n in ("id", "kind", "facility", "valid_from", "known_on",
                                  "recorded_at", "supersedes", "source")]
    prev = hashlib.sha256(hashed_text(*values, text, None, fields["prev_hash"]).encode()
                          ).hexdigest()
    _set(store, 100, "payload", text)
    _set(store, 100, "hash", prev)
    for record_id in range(101, OTHER + 7):
        prev = _rehash(store, record_id, prev_hash=prev)
    problems = store.verify().problems
    assert [p.record_id for p in problems][:1] == [100]
    assert "canonical" in problems[0].what
