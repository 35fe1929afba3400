"""Tampering with the stored ledger behind the store's back (raw SQL, triggers dropped first, as
an attacker with database access would) is detected by verify(), which names the record."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.records import Signer, record_hash
from enrichwatch.records.chain import HASHED_FIELDS
from enrichwatch.records.snapshot import LedgerFile
from tests.records.records_support import (
    declaration,
    drop_triggers,
    facility,
    inspection,
    party,
    raw,
    report,
    sample,
)

TEXT_COLUMNS = ("kind", "facility", "valid_from", "known_on", "recorded_at", "source",
                "payload", "prev_hash", "hash")


@pytest.fixture
def iaea():
    return Signer.generate("IAEA")


@pytest.fixture
def ledger(store, iaea):
    """Eight records, some signed by IAEA (which requires signatures); triggers dropped."""
    store.append(party(iaea), iaea)                            # 1
    store.append(facility(), iaea)                             # 2
    store.append(declaration())                                # 3
    store.append(inspection(), iaea)                           # 4
    store.append(sample(4))                                    # 5
    store.append(report(), iaea)                               # 6
    store.append(declaration(known_on="2023-01-25", supersedes=3))  # 7
    store.append(report(document="GOV/2023/8", on="2023-02-28"))    # 8
    assert store.verify().ok
    drop_triggers(store)
    return store


def problems_of(store) -> list[tuple[int, str]]:
    report_ = store.verify()
    assert not report_.ok
    _same_without_sqlalchemy(store)
    return [(p.record_id, p.what) for p in report_.problems]


def _same_without_sqlalchemy(store) -> None:
    """A SQLite store file read as ``evaluate`` reads it (sqlite3 alone, snapshot.LedgerFile)
    finds the same problems and the same records as the store."""
    if store.dialect != "sqlite":
        return
    read = store.verified_read("FFEP", "2023-02-01")
    lean = LedgerFile(store.engine.url.database).verified_read("FFEP", "2023-02-01")
    assert lean is not None and lean.report == read.report and lean.rows == read.rows


def column(store, record_id: int, name: str):
    return raw(store, f"SELECT {name} FROM records WHERE id = :i", i=record_id)[0][0]


def set_column(store, record_id: int, name: str, value) -> None:
    raw(store, f"UPDATE records SET {name} = :v WHERE id = :i", v=value, i=record_id)


def flip(text: str, position: int) -> str:
    old = text[position]
    new = "0" if old != "0" else "1"
    return text[:position] + new + text[position + 1:]


@pytest.mark.parametrize("name", TEXT_COLUMNS + ("signature",))
def test_changed_byte_in_each_column_names_the_record(ledger, name):
    value = column(ledger, 4, name)
    set_column(ledger, 4, name, flip(value, len(value) // 2))
    found = problems_of(ledger)
    assert found and {rid for rid, _ in found} <= {4, 5}
    assert found[0][0] == 4


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_of_any_record_is_detected(ledger, data):
    record_id = data.draw(st.integers(1, 8), label="record")
    name = data.draw(st.sampled_from(TEXT_COLUMNS), label="column")
    value = column(ledger, record_id, name)
    position = data.draw(st.integers(0, len(value) - 1), label="position")
    char = data.draw(st.characters(min_codepoint=32, max_codepoint=126), label="char")
    changed = value[:position] + char + value[position + 1:]
    set_column(ledger, record_id, name, changed)
    try:
        report_ = ledger.verify()
        assert report_.ok == (changed == value)
        if not report_.ok:
            assert report_.problems[0].record_id == record_id
    finally:
        set_column(ledger, record_id, name, value)
    assert ledger.verify().ok


def test_changed_supersedes_is_detected(ledger):
    set_column(ledger, 7, "supersedes", None)
    assert problems_of(ledger)[0][0] == 7


def test_added_submitter_is_detected(ledger):
    set_column(ledger, 5, "submitted_by", "IAEA")
    found = problems_of(ledger)
    assert [rid for rid, _ in found] == [5, 5]  # hash mismatch, and unsigned but required
    assert "requires signatures" in found[1][1]


def test_deleted_record_in_the_middle_is_named(ledger):
    raw(ledger, "DELETE FROM records WHERE id = 6")
    found = problems_of(ledger)
    assert found[0] == (6, "missing: record 6 is not in the store (deleted?)")
    assert found[1][0] == 7 and "prev_hash" in found[1][1]


def test_deleted_last_record_is_named_through_the_ledger_head(ledger):
    raw(ledger, "DELETE FROM records WHERE id = 8")
    found = problems_of(ledger)
    assert found == [(8, "missing: the ledger head says 8 records, only 7 are in the store "
                         "(deleted from the end?)")]


def test_two_records_reordered_are_named(ledger):
    raw(ledger, "UPDATE records SET id = -5 WHERE id = 5")
    raw(ledger, "UPDATE records SET id = 5 WHERE id = 6")
    raw(ledger, "UPDATE records SET id = 6 WHERE id = -5")
    found = problems_of(ledger)
    named = {rid for rid, _ in found}
    assert {5, 6} <= named and min(named) == 5
    assert any("altered" in what for rid, what in found if rid == 5)


def test_bad_signature_is_named(ledger, iaea):
    forged = Signer.generate("IAEA").sign(column(ledger, 6, "hash"))
    set_column(ledger, 6, "signature", forged)
    assert problems_of(ledger) == [(6, "bad signature: not 'IAEA''s signature (key of record 1)"
                                       " of the record hash")]


def test_signature_moved_from_another_record_is_named(ledger):
    set_column(ledger, 6, "signature", column(ledger, 4, "signature"))
    assert [rid for rid, _ in problems_of(ledger)] == [6]


def test_signature_in_upper_case_is_a_changed_byte(ledger):
    set_column(ledger, 6, "signature", column(ledger, 6, "signature").upper())
    assert [rid for rid, _ in problems_of(ledger)] == [6]


def test_removed_required_signature_is_named(ledger):
    set_column(ledger, 4, "signature", None)
    found = problems_of(ledger)
    assert found == [(4, "unsigned, but party 'IAEA' (record 1) requires signatures")]


def test_signature_added_to_an_unsigned_record_is_named(ledger, iaea):
    set_column(ledger, 8, "signature", iaea.sign(column(ledger, 8, "hash")))
    assert problems_of(ledger)[0][0] == 8


def test_reformatted_payload_is_a_changed_byte(ledger):
    set_column(ledger, 3, "payload", column(ledger, 3, "payload").replace(",", ", ", 1))
    found = problems_of(ledger)
    assert found[0][0] == 3 and "canonical" in found[0][1]


def test_record_appended_behind_the_store_is_named(ledger):
    head_id, head_hash = ledger.head()
    row = {"id": 9, "kind": "report", "facility": "FFEP", "valid_from": "2023-03-01",
           "known_on": "2023-03-01", "recorded_at": "2023-03-01T00:00:00.000000Z",
           "supersedes": None, "source": "forged", "payload": {"document": "X", "title": "",
                                                               "summary": ""},
           "submitted_by": None, "prev_hash": head_hash}
    digest = record_hash(row)
    raw(ledger, "INSERT INTO records (id, kind, facility, valid_from, known_on, recorded_at, "
                "source, payload, prev_hash, hash) VALUES (9, 'report', 'FFEP', '2023-03-01', "
                "'2023-03-01', '2023-03-01T00:00:00.000000Z', 'forged', "
                "'{\"document\":\"X\",\"summary\":\"\",\"title\":\"\"}', :p, :h)",
        p=head_hash, h=digest)
    found = problems_of(ledger)
    assert [rid for rid, _ in found] == [9, 9]
    assert "transaction time runs forward only" in found[0][1]      # dated 2023: backdated
    assert found[1] == (9, "not in the ledger head, which ends at record 8 "
                           "(inserted behind the store's back?)")


def test_consistent_rewrite_breaks_signatures_and_changes_the_head_hash(ledger):
    """Re-hashing the chain after a change hides it from the chain alone: what remains are the
    signatures of the records after it, and the head hash noted elsewhere."""
    noted = ledger.verify().head_hash
    set_column(ledger, 3, "source", "rewritten")
    names = ", ".join(HASHED_FIELDS)
    prev = column(ledger, 2, "hash")
    for rid in range(3, 9):
        fields = raw(ledger, f"SELECT {names} FROM records WHERE id = {rid}")[0]._asdict()
        fields.update(payload=json.loads(fields["payload"]), prev_hash=prev)
        prev = record_hash(fields)
        set_column(ledger, rid, "prev_hash", fields["prev_hash"])
        set_column(ledger, rid, "hash", prev)
    raw(ledger, "UPDATE ledger_head SET last_hash = :h", h=prev)
    found = ledger.verify()
    assert [p.record_id for p in found.problems] == [4, 6]  # IAEA's signatures break
    assert all("bad signature" in p.what for p in found.problems)
    assert found.head_hash != noted
