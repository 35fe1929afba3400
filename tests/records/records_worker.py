"""Child process of the concurrency and crash tests (run as a script, not collected).

    python records_worker.py append URL WORKER COUNT
        append COUNT report records one by one (documents "w<WORKER>-<i>"), then print "done"
    python records_worker.py crash URL BATCH
        append batches of BATCH report records for ever; after each commit print
        "<last id> <last hash>" (flushed), so the parent knows what was committed
"""

from __future__ import annotations

import sys
from datetime import date

from enrichwatch.records import RecordDraft, RecordStore

DAY = date(2023, 2, 1)


def report(document: str) -> RecordDraft:
    return RecordDraft("report", "FFEP", DAY, DAY, "worker", {"document": document})


def append(url: str, worker: int, count: int) -> None:
    store = RecordStore.open(url)
    for i in range(count):
        store.append(report(f"w{worker}-{i}"))
    store.close()
    print("done", flush=True)


def crash(url: str, batch: int) -> None:
    store = RecordStore.open(url)
    n = 0
    while True:
        records = store.append_many([report(f"c{n + i}") for i in range(batch)])
        n += batch
        print(records[-1].id, records[-1].hash, flush=True)


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "append":
        append(url, int(sys.argv[3]), int(sys.argv[4]))
    else:
        crash(url, int(sys.argv[3]))
