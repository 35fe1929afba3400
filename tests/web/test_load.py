"""A short load test (issue 13): the benchmark's clients (``benchmarks/bench_web.py``) for a few
seconds against a real server (``enrichwatch serve`` in a child process, on localhost), on
SQLite and PostgreSQL: no error, the ledger verifies after, and it holds exactly the
acknowledged writes, each once (nothing lost, duplicated or unacknowledged). No timing is
asserted; the figures are the benchmark's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench_web():
    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "benchmarks" /
                                                  "bench_web.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_web", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_short_load_loses_and_duplicates_nothing(store_url, tmp_path):
    bench = _bench_web()
    tally, ledger, log = bench.run_load(store_url, readers=4, writers=3, seconds=3.0,
                                        folder=tmp_path, findings=False)
    server_log = log.read_text(errors="replace")
    assert tally.errors == [], tally.errors[:5]
    assert "unhandled error" not in server_log and "Traceback" not in server_log
    assert tally.page_latencies and tally.api_latencies      # the readers did read
    writers = {source.split("-")[2] for source in tally.acknowledged}
    assert writers == {"w0", "w1", "w2"}                      # every writer wrote
    assert ledger.verifies, ledger.problems
    assert ledger.new_records == len(tally.acknowledged) > 0
    assert (ledger.lost, ledger.duplicated, ledger.unacknowledged, ledger.wrong_ids) == \
        ((), (), (), ())


def test_the_ledger_check_sees_a_lost_and_an_unacknowledged_write(store_url, tmp_path):
    """The check that the load test relies on can fail: a write acknowledged but absent, and
    one present but never acknowledged."""
    from enrichwatch.records import RecordDraft, RecordStore

    bench = _bench_web()
    setup = bench.prepare(store_url, tmp_path)
    store = RecordStore.open(store_url)
    try:
        store.append(RecordDraft("report", "FFEP", "2024-05-01", "2024-05-01",
                                 f"{bench.SOURCE_PREFIX}-w9-0 [web: account x]",
                                 {"document": "d", "title": "t", "summary": ""}))
    finally:
        store.close()
    tally = bench.Tally(acknowledged={f"{bench.SOURCE_PREFIX}-w9-1": 99})
    ledger = bench.check_ledger(setup, tally)
    assert ledger.verifies
    assert ledger.lost == (f"{bench.SOURCE_PREFIX}-w9-1",)
    assert ledger.unacknowledged == (f"{bench.SOURCE_PREFIX}-w9-0",)
    assert ledger.new_records == 1


def _counting_evaluations(monkeypatch, seconds: float = 0.0) -> list:
    """Replace the evaluation (seconds of physics) by a stand-in that records the record
    ids it was given, takes ``seconds`` and returns a new object each call."""
    import time

    import enrichwatch.evaluation as evaluation

    calls: list = []

    def counted(records, facility, as_of, warnings=(), cache=None):
        calls.append(tuple(r.id for r in records))
        time.sleep(seconds)
        return object()

    monkeypatch.setattr(evaluation, "evaluate", counted)
    return calls


def test_findings_stay_cached_while_later_records_are_written(store_url, monkeypatch):
    """Under writes, an evaluation as of a past date is reused (what it reads did not
    change); a record known by that date makes it evaluate again."""
    from datetime import date

    from enrichwatch.records import RecordDraft
    from enrichwatch.web.service import Ledger
    from tests.web.conftest import filled_store

    store = filled_store(store_url)
    try:
        calls = _counting_evaluations(monkeypatch)
        ledger = Ledger(store, verify_ttl_s=0.0)
        as_of = date(2023, 2, 1)
        first = ledger.evaluate("FFEP", as_of)
        store.append(RecordDraft("report", "FFEP", "2024-05-01", "2024-05-01", "later",
                                 {"document": "d", "title": "t", "summary": ""}))
        assert ledger.evaluate("FFEP", as_of) is first and len(calls) == 1
        store.append(RecordDraft("report", "FFEP", "2023-01-30", "2023-01-31", "known",
                                 {"document": "e", "title": "t", "summary": ""}))
        assert ledger.evaluate("FFEP", as_of) is not first and len(calls) == 2
        assert len(calls[1]) == len(calls[0]) + 1
    finally:
        store.close()


def test_concurrent_requests_for_one_evaluation_evaluate_once(store_url, monkeypatch):
    import threading
    from datetime import date

    from enrichwatch.web.service import Ledger
    from tests.web.conftest import filled_store

    store = filled_store(store_url)
    try:
        calls = _counting_evaluations(monkeypatch, seconds=0.5)   # others arrive meanwhile
        ledger = Ledger(store, verify_ttl_s=60.0)
        barrier = threading.Barrier(4)
        results = []

        def read():
            barrier.wait()
            results.append(ledger.evaluate("FFEP", date(2023, 2, 1)))

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(calls) == 1 and len(results) == 4
        assert all(r is results[0] for r in results)
    finally:
        store.close()
