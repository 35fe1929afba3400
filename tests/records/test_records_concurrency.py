"""Concurrent writers and killed writers: no record lost, the chain stays valid."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from enrichwatch.records import RecordStore
from tests.records.records_support import facility

WORKER = Path(__file__).with_name("records_worker.py")
PROCESSES = 8
APPENDS = 1000
BATCH = 50
KILLS = 4


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_eight_processes_appending_lose_no_record(store, store_url):
    store.append(facility())
    started = time.perf_counter()
    workers = [start("append", store_url, w, APPENDS) for w in range(PROCESSES)]
    for w in workers:
        out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
        assert out.strip() == "done"
    elapsed = time.perf_counter() - started
    result = store.verify()
    assert result.ok, str(result)
    assert result.records == len(store) == store.count() == 1 + PROCESSES * APPENDS
    documents = [r.payload["document"] for r in store.history("FFEP", kind="report")]
    assert Counter(documents) == Counter(f"w{w}-{i}" for w in range(PROCESSES)
                                         for i in range(APPENDS))
    for w in range(PROCESSES):  # each writer's records in its own order
        mine = [int(d.split("-")[1]) for d in documents if d.startswith(f"w{w}-")]
        assert mine == sorted(mine)
    print(f"{store.dialect}: {PROCESSES} x {APPENDS} appends in {elapsed:.1f} s")


def _kill_mid_batch(url: str, rng: random.Random) -> list[tuple[int, str]]:
    """Start a writer, let it commit a few batches, SIGKILL it at a random moment; return
    what it reported as committed."""
    child = start("crash", url, BATCH)
    committed = []
    while len(committed) < 3:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        committed.append(tuple(line.split()))
    time.sleep(rng.uniform(0.0, 0.05))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    rest, _ = child.communicate()
    committed += [tuple(line.split()) for line in rest.splitlines() if line.strip()]
    return [(int(rid), digest) for rid, digest in committed]


@pytest.mark.slow
def test_writer_killed_mid_write_leaves_a_valid_store(store, store_url):
    store.append(facility())
    rng = random.Random(20230121)
    reported = []
    for _ in range(KILLS):
        reported += _kill_mid_batch(store_url, rng)
        with RecordStore.open(store_url) as reopened:
            result = reopened.verify()
            assert result.ok, str(result)
            assert (len(reopened) - 1) % BATCH == 0  # whole batches only
            for rid, digest in reported:
                assert reopened.get(rid).hash == digest
    with RecordStore.open(store_url) as reopened:  # and it can still be written
        assert reopened.append(facility("AFTER")).id == len(reopened)
        assert reopened.verify().ok
