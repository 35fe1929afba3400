"""RecordStore: schema, appending, reading back, append-only enforcement by the database."""

from __future__ import annotations

import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import DBAPIError

from enrichwatch.errors import InputError
from enrichwatch.records import (
    GENESIS_HASH,
    Record,
    RecordDraft,
    RecordError,
    RecordStore,
    StoreError,
)
from enrichwatch.records.tables import HEAD_REVISION
from tests.records.records_support import (
    PLANT,
    declaration,
    facility,
    inspection,
    raw,
    report,
    sample,
)


def test_records_package_import_is_light():
    code = ("import sys, enrichwatch, enrichwatch.records; "
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'cryptography', 'pydantic') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_head_revision_is_the_newest_migration():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "enrichwatch.records:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_store_without_schema_says_to_init(store_url):
    fresh = RecordStore.open(store_url)
    with pytest.raises(StoreError, match="init"):
        fresh.append(facility())
    fresh.close()


def test_concurrent_init_creates_the_schema_once(store_url):
    stores = [RecordStore.open(store_url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(RecordStore.init, stores))
    stores[0].append(facility())
    assert [len(s) for s in stores] == [1, 1, 1, 1]
    for s in stores:
        s.close()


def test_threads_sharing_one_store_append_safely(store):
    store.append(facility())
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: store.append(report(document=f"t{i}")), range(40)))
    assert len(store) == 41 and store.verify().ok


def test_init_is_idempotent_and_store_starts_empty(store):
    assert store.init() is store
    assert store.head() == (0, GENESIS_HASH)
    assert len(store) == 0 and store.count() == 0
    report_ = store.verify()
    assert report_.ok and report_.records == 0


def test_append_assigns_ids_chain_and_time(store):
    before = datetime.now(UTC)
    first = store.append(facility())
    second = store.append(report())
    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert before - timedelta(seconds=1) <= second.recorded_at <= datetime.now(UTC)
    assert second.recorded_at.tzinfo is not None
    assert store.head() == (2, second.hash)


def test_appended_record_reads_back_equal(store):
    store.append(facility())
    made = store.append(declaration())
    got = store.get(made.id)
    assert got == made
    assert isinstance(got, Record)
    assert got.valid_from == date(2022, 11, 22) and got.known_on == date(2022, 11, 18)
    assert got.payload["plant"] == PLANT
    assert got.payload["declared_on"] == "2022-11-18"  # payload dates are ISO strings


def test_payload_is_normalised_with_defaults(store):
    store.append(facility())
    rec = store.append(RecordDraft("report", "FFEP", date(2023, 2, 1), date(2023, 2, 1),
                                   "IAEA", {"document": "GOV/INF/2023/1"}))
    assert rec.payload == {"document": "GOV/INF/2023/1", "title": "", "summary": ""}


def test_get_unknown_id_is_a_record_error(store):
    store.append(facility())
    with pytest.raises(RecordError, match="1 to 1"):
        store.get(7)


def test_history_filters_by_facility_and_kind_in_ledger_order(store):
    store.append_many([facility("A"), facility("B"), report("A"), report("B"),
                       report("A", document="X")])
    assert [r.id for r in store.history("A")] == [1, 3, 5]
    assert [r.id for r in store.history("A", kind="report")] == [3, 5]
    assert store.history("C") == []


def test_append_many_links_within_the_batch(store):
    recs = store.append_many([facility(), inspection(), sample(2), report()])
    assert [r.id for r in recs] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.hash for a, b in zip(recs, recs[1:], strict=False))
    assert store.verify().ok


def test_append_many_of_nothing_writes_nothing(store):
    assert store.append_many([]) == []
    assert store.head() == (0, GENESIS_HASH)


def test_rejected_batch_writes_nothing(store):
    store.append(facility())
    head = store.head()
    bad = sample(2, max_pct=50.0)  # largest result is 83.7
    with pytest.raises(RecordError) as caught:
        store.append_many([inspection(), report(), bad, report(document="later")])
    assert caught.value.problems[0].where == "draft 3 (sample)"
    assert store.head() == head and store.count() == 1
    assert store.append(report()).id == 2  # the store still works, no gap


def test_record_error_is_a_picklable_value_error(store):
    with pytest.raises(ValueError) as caught:
        store.append(report("NOPE"))
    err = caught.value
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, RecordError) and str(again) == str(err)
    assert isinstance(err, InputError)
    assert err.param == "facility" and err.value == "NOPE"


def test_raw_update_is_refused_by_the_database(store):
    store.append(facility())
    with pytest.raises(DBAPIError, match="append-only"):
        raw(store, "UPDATE records SET source = 'forged' WHERE id = 1")
    assert store.get(1).source == "IAEA GOV/2009/74"


def test_raw_delete_is_refused_by_the_database(store):
    store.append(facility())
    with pytest.raises(DBAPIError, match="append-only"):
        raw(store, "DELETE FROM records WHERE id = 1")
    assert store.count() == 1


def test_ledger_head_cannot_move_back(store):
    store.append(facility())
    with pytest.raises(DBAPIError, match="forward"):
        raw(store, "UPDATE ledger_head SET last_id = 0")


def test_truncate_is_refused_on_postgresql(store):
    if store.dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    store.append(facility())
    with pytest.raises(DBAPIError, match="append-only"):
        raw(store, "TRUNCATE records")


def test_a_second_store_on_the_same_database_sees_new_facilities(store_url):
    one = RecordStore.open(store_url).init()
    two = RecordStore.open(store_url)
    one.append(facility())
    two.append(report())  # two's facility cache must be refreshed from the database
    one.append(facility("B"))
    two.append(report("B"))
    assert one.verify().ok and len(one) == 4
    one.close()
    two.close()


def test_plain_path_opens_a_sqlite_file(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with RecordStore.open(path).init() as store:
        store.append(facility())
        assert store.dialect == "sqlite"
    assert path.exists()
    with RecordStore.open(f"sqlite:///{path}") as again:
        assert len(again) == 1


def test_default_url_is_a_file_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with RecordStore.open() as store:
        assert store.url.endswith("enrichwatch-records.sqlite")
        store.init()
    assert (tmp_path / "enrichwatch-records.sqlite").exists()


def test_sqlite_runs_in_wal_mode(tmp_path):
    with RecordStore.open(tmp_path / "w.sqlite").init() as store:
        assert raw(store, "PRAGMA journal_mode")[0][0] == "wal"


def test_unsupported_database_is_refused():
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        RecordStore.open("mysql://u@h/db")


def test_repr_hides_password():
    store = RecordStore.open("postgresql://user:secret@localhost/db")
    assert "secret" not in repr(store) and "postgresql+psycopg" in repr(store)
