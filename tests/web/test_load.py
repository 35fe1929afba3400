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
