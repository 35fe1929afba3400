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
    # a line cut short by the kill (no newline) is no report: the writer died while printing it
    committed += [tuple(line.split()) for line in rest.splitlines(keepends=True)
                  if line.endswith("\n") and len(line.split()) == 2]
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


# -- creating a store: atomic, never removing what another process committed -------------------
def _case(folder: Path, code: str) -> Path:
    path = folder / f"{code}.toml"
    path.write_text(f'''
[[records]]
kind = "facility"
facility = "{code}"
valid_from = 2009-09-21
known_on = 2009-09-21
source = "test"
payload = {{ name = "{code} plant" }}

[[records]]
kind = "report"
facility = "{code}"
valid_from = 2023-02-01
known_on = 2023-02-01
source = "test"
payload = {{ document = "{code}-1" }}
''')
    return path


def test_a_creator_that_loses_the_race_appends_to_the_winners_store(tmp_path):
    """Deterministic: while this creator fills its private file, another creates the store."""
    from enrichwatch.records import load_case_file
    from enrichwatch.records.store import create_sqlite_store

    target = tmp_path / "new.sqlite"
    a, b = _case(tmp_path, "AAA"), _case(tmp_path, "BBB")
    calls = []

    def fill_a(store):
        calls.append(store.url)
        if len(calls) == 1:   # the other process creates and fills the store meanwhile
            create_sqlite_store(target, lambda other: load_case_file(other, b))
        return load_case_file(store, a)

    added, created = create_sqlite_store(target, fill_a)
    assert not created and len(calls) == 2 and str(target) in calls[1]
    with RecordStore.open(target) as store:
        assert store.verify().ok
        assert [r.facility for r in store.history("BBB")] == ["BBB", "BBB"]
        assert [r.hash for r in store.history("AAA")] == [r.hash for r in added]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AAA.toml", "BBB.toml", "new.sqlite"]


def test_a_refused_creator_removes_nothing_of_the_winners_store(tmp_path):
    from enrichwatch.records import RecordError, load_case_file
    from enrichwatch.records.store import create_sqlite_store

    target = tmp_path / "new.sqlite"
    a, b = _case(tmp_path, "AAA"), _case(tmp_path, "BBB")
    won = []

    def fill(store):       # the same case file: refused on the winner's store (AAA exists)
        if not won:
            won.append(create_sqlite_store(target, lambda other: load_case_file(other, b)))
            won.append(create_sqlite_store(target, lambda other: load_case_file(other, a)))
        return load_case_file(store, a)

    with pytest.raises(RecordError, match="AAA"):
        create_sqlite_store(target, fill)
    with RecordStore.open(target) as store:
        assert store.verify().ok and len(store) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AAA.toml", "BBB.toml", "new.sqlite"]


def _add(case: Path, db: Path) -> subprocess.Popen:
    code = ("import sys; from enrichwatch.cli import main; "
            "sys.exit(main(['records', 'add', sys.argv[1], '--db', sys.argv[2], '--json']))")
    return subprocess.Popen([sys.executable, "-c", code, str(case), str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_records_add_into_a_new_file_at_once_keep_both(tmp_path):
    import json

    cases = [_case(tmp_path, "AAA"), _case(tmp_path, "BBB")]
    for trial in range(4):
        db = tmp_path / f"trial{trial}.sqlite"
        procs = [_add(case, db) for case in cases]
        reported = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            reported += [r["hash"] for r in json.loads(out)["added"]]
        with RecordStore.open(db) as store:
            assert store.verify().ok
            assert sorted(r.hash for f in ("AAA", "BBB") for r in store.history(f)) == \
                sorted(reported)
            assert len(store) == 4
    assert not [p for p in tmp_path.iterdir() if ".creating" in p.name]
