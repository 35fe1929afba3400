"""Records store on SQLite: appends per second (append, append_many, signed) and the time to
verify 10,000 records (target >= 1,000 appends/s with single appends).

Set ENRICHWATCH_BENCH_POSTGRES_URL (an empty database) to measure PostgreSQL too.
"""

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from enrichwatch.records import RecordDraft, RecordStore, Signer

DAY = date(2023, 2, 1)
SINGLE = 2_000
BATCH = 10_000
VERIFY = 10_000


def report(i: int) -> RecordDraft:
    return RecordDraft("report", "FFEP", DAY, DAY, "bench",
                       {"document": f"GOV/{i}", "title": "benchmark", "summary": "x" * 200})


def rate(store, count: int, append) -> float:
    start = time.perf_counter()
    append(store, count)
    return count / (time.perf_counter() - start)


def singles(store, count, signer=None):
    for i in range(count):
        store.append(report(i), signer)


def batch(store, count):
    store.append_many([report(i) for i in range(count)])


def setup(store) -> Signer:
    iaea = Signer.generate("IAEA")
    store.append(RecordDraft("party", "*", DAY, DAY, "bench", iaea.party_payload(False)))
    store.append(RecordDraft("facility", "FFEP", DAY, DAY, "bench", {"name": "FFEP"}))
    return iaea


def run_appends(url: str, label: str) -> None:
    with RecordStore.open(url).init() as store:
        iaea = setup(store)
        per_s = rate(store, SINGLE, singles)
        print(f"{label}: append        {per_s:8,.0f} records/s (one transaction each)")
        per_s = rate(store, SINGLE, lambda s, n: singles(s, n, iaea))
        print(f"{label}: append signed {per_s:8,.0f} records/s (Ed25519, one transaction each)")
        per_s = rate(store, BATCH, batch)
        print(f"{label}: append_many   {per_s:8,.0f} records/s (one transaction of {BATCH:,})")


def run_verify(url: str, label: str) -> None:
    with RecordStore.open(url).init() as store:
        iaea = setup(store)
        signed = VERIFY // 5
        store.append_many([report(i) for i in range(VERIFY - 2 - signed)])
        store.append_many([report(i) for i in range(signed)], iaea)
        start = time.perf_counter()
        result = store.verify()
        elapsed = time.perf_counter() - start
        assert result.ok and result.records == VERIFY, result
        print(f"{label}: verify {result.records:,} records ({signed:,} signed) in "
              f"{elapsed:.2f} s ({result.records / elapsed:,.0f} records/s)")
        start = time.perf_counter()
        checkpoint = store.checkpoint(iaea)
        print(f"{label}: checkpoint of {checkpoint.tree_size:,} records (verify + Merkle root + "
              f"signature) in {time.perf_counter() - start:.2f} s")
        store.append_many([report(i) for i in range(1000)])
        start = time.perf_counter()
        anchored = store.verify_against(checkpoint)
        assert anchored.ok, anchored
        print(f"{label}: verify_against a checkpoint ({checkpoint.tree_size:,} -> "
              f"{anchored.store_size:,} records, consistency proof) in "
              f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        store.prove(1234)
        print(f"{label}: inclusion proof of one record in {anchored.store_size:,} in "
              f"{time.perf_counter() - start:.3f} s")


with tempfile.TemporaryDirectory() as folder:
    run_appends(str(Path(folder) / "appends.sqlite"), "SQLite")
    run_verify(str(Path(folder) / "verify.sqlite"), "SQLite")
if os.environ.get("ENRICHWATCH_BENCH_POSTGRES_URL"):
    run_appends(os.environ["ENRICHWATCH_BENCH_POSTGRES_URL"], "PostgreSQL")
