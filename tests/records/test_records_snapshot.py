"""A SQLite store file read without SQLAlchemy (records.snapshot, what ``evaluate`` uses):
the same verification and the same records as the store's own verified read; only a store of
the newest schema is read so, and opening one changes nothing in the file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest

from enrichwatch.records import RecordDraft, RecordStore, Signer
from enrichwatch.records.sigmemo import SignatureMemo
from enrichwatch.records.snapshot import (
    HEAD_REVISION,
    SCAN_ALL,
    LedgerFile,
    open_ledger_file,
)
from enrichwatch.records.tables import RECORD_COLUMNS
from tests.records.records_support import (
    declaration,
    drop_triggers,
    facility,
    inspection,
    party,
    report,
    sample,
)

AS_OF = date(2023, 2, 1)


@pytest.fixture
def path(tmp_path):
    """A store of two facilities, signed and unsigned records, a correction, appends at three
    moments."""
    iaea = Signer.generate("IAEA")
    clock = [datetime(2023, 1, 20, 9, tzinfo=UTC)]
    file = tmp_path / "s.sqlite"
    with RecordStore.open(file, clock=lambda: clock[0]).init() as store:
        store.append(party(iaea, on="2023-01-01"), iaea)
        store.append(facility(), iaea)
        store.append(facility(code="PFEP"))
        store.append(declaration())
        clock[0] = datetime(2023, 1, 31, 9, tzinfo=UTC)
        store.append(inspection(), iaea)
        store.append(sample(5))
        store.append(declaration(known_on="2023-01-25", supersedes=4))
        clock[0] = datetime(2023, 2, 3, 9, tzinfo=UTC)
        store.append(report(), iaea)
        store.append_many([RecordDraft("report", "PFEP", "2022-06-01", "2022-06-01", "b",
                                       {"document": f"GOV/{i}"}) for i in range(20)])
    return file


def test_the_scan_reads_the_columns_in_stored_row_order():
    columns = SCAN_ALL.removeprefix("SELECT ").split(" FROM ")[0].split(", ")
    assert columns == [c.name for c in RECORD_COLUMNS]


@pytest.mark.parametrize("facility_code", ["FFEP", "PFEP", "XYZ"])
@pytest.mark.parametrize("as_of", [date(2023, 1, 20), AS_OF])
@pytest.mark.parametrize("held_on", [None, "2023-01-24", "2023-01-31T09:00:00.000000Z"])
def test_same_read_as_the_store(path, facility_code, as_of, held_on):
    lean = open_ledger_file(path)
    assert isinstance(lean, LedgerFile)
    with RecordStore.open(path) as store:
        read = store.verified_read(facility_code, as_of, held_on=held_on)
        mine = lean.verified_read(facility_code, as_of, held_on=held_on)
        assert mine is not None and read.report.ok
        assert mine.report == read.report and mine.rows == read.rows
        assert mine.records() == read.records() == store.known_as_of(facility_code, as_of,
                                                                     held_on)
        assert lean.url == store.url


def test_signatures_memo_as_the_store(path, tmp_path):
    with RecordStore.open(path) as store:
        expected = store.verified_read("FFEP", AS_OF).report
    for _ in range(2):                  # the memo empty, then filled by the first read
        read = LedgerFile(path).verified_read("FFEP", AS_OF, memo=SignatureMemo(tmp_path / "m"))
        assert read is not None and read.report == expected


def test_a_tampered_record_among_many_is_found(path):
    """The attack on evaluate's read: a record of another facility, never returned, changed."""
    with RecordStore.open(path).init() as store:
        drop_triggers(store)
    with sqlite3.connect(path) as con:
        changed = con.execute("UPDATE records SET payload = replace(payload, 'GOV/8', "
                              "'GOV/9') WHERE id = 17")
        assert changed.rowcount == 1
    read = LedgerFile(path).verified_read("FFEP", AS_OF)
    assert read is not None and [p.record_id for p in read.report.problems] == [17]
    assert [r.id for r in read.records()] == [2, 5, 6, 7, 8]


@pytest.mark.parametrize("change", [
    "UPDATE alembic_version SET version_num = '0002_web_accounts'",      # an older schema
    "DROP TABLE ledger_head",                                          # not a store
    "DROP TABLE alembic_version",
])
def test_only_a_store_of_the_newest_schema_is_read(path, change):
    with sqlite3.connect(path) as con:
        con.execute(change)
    before = path.read_bytes()
    assert open_ledger_file(path) is None
    assert path.read_bytes() == before


def test_a_store_changed_after_it_was_opened_is_left_to_the_store(path):
    lean = open_ledger_file(path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = 'other'")
    assert lean is not None and lean.verified_read("FFEP", AS_OF) is None


@pytest.mark.parametrize("content", [b"", b"not a database" * 100])
def test_files_that_are_not_stores_are_not_read(tmp_path, content):
    file = tmp_path / "x.sqlite"
    file.write_bytes(content)
    assert open_ledger_file(file) is None
    assert file.read_bytes() == content
    assert open_ledger_file(tmp_path / "missing.sqlite") is None
    assert not (tmp_path / "missing.sqlite").exists()


def test_head_revision_is_the_tables_one():
    from enrichwatch.records import tables

    assert tables.HEAD_REVISION == HEAD_REVISION
