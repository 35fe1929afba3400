"""Records store on SQLite (and PostgreSQL when ENRICHWATCH_BENCH_POSTGRES_URL names an empty
database): appends, verify, anchoring.

Targets (issue 14, one core): ``append_many`` within 2x of the driver's ``executemany`` of the
same rows (unsigned: signing is Ed25519 work a raw insert does not do, shown apart); single
appends >= 1,000/s; ``verify`` of 1e5 records < 1 s. Scaling series, with fitted exponents:
``verify`` and ``append_many`` over 1e3..1e6 records (ENRICHWATCH_BENCH_RECORDS_MAX caps the
sizes, default 1e6). Verifying a signature costs ~50-100 us (Ed25519 through cryptography):
signed stores are measured apart, without and with the signature memo
(``enrichwatch.records.sigmemo``).

Every timing is a wall-clock median with its spread (harness); the CPU time of the same calls
is printed beside the headline figures, as the machine may be shared.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from harness import Bench, Timing, main_exit, measure, process_clock

from enrichwatch.records import RecordDraft, RecordStore, Signer
from enrichwatch.records.sigmemo import SignatureMemo
from enrichwatch.records.tables import RECORD_COLUMNS

DAY = date(2023, 2, 1)
BATCH = 10_000
SINGLE = 1_000
SIZES = [1_000, 10_000, 100_000, 1_000_000]
MAX_SIZE = int(float(os.environ.get("ENRICHWATCH_BENCH_RECORDS_MAX", "1e6")))
_NAMES = [c.name for c in RECORD_COLUMNS]
_RAW_INSERT = (f"INSERT INTO records ({', '.join(_NAMES)}) VALUES "
               f"({', '.join('?' * len(_NAMES))})")


def report(i: int) -> RecordDraft:
    """A report record of ~300 bytes of payload."""
    return RecordDraft("report", "FFEP", DAY, DAY, "bench",
                       {"document": f"GOV/{i}", "title": "benchmark", "summary": "x" * 200})


def new_store(url: str, signer: Signer | None = None) -> RecordStore:
    store = RecordStore.open(url).init()
    iaea = signer or Signer.generate("IAEA")
    store.append(RecordDraft("party", "*", DAY, DAY, "bench", iaea.party_payload(False)))
    store.append(RecordDraft("facility", "FFEP", DAY, DAY, "bench", {"name": "FFEP"}))
    return store


def cpu(fn, number: int = 1) -> float:
    """CPU time per call [s], min of 3 runs (the wall median counts other processes' time)."""
    runs = []
    for _ in range(3):
        t = time.process_time()
        for _ in range(number):
            fn()
        runs.append((time.process_time() - t) / number)
    return min(runs)


def _us(seconds: float, per: int) -> str:
    return f"{seconds / per * 1e6:.3g} us/record"


class Appends:
    """``append_many`` of fresh batches of drafts (made beforehand) into one store, and the
    driver's ``executemany`` of the rows it wrote (ids shifted, made beforehand) into a second
    store of the same schema, indexes and triggers."""

    CALLS = 9                       # 1 warm-up + 5 repeats + 3 CPU-time runs

    def __init__(self, folder: Path, signer: Signer | None) -> None:
        self.signer = signer
        self.file = folder / "appends.sqlite"
        self.store = new_store(f"sqlite:///{self.file}", signer)
        self.raw = RecordStore.open(f"sqlite:///{folder / 'raw.sqlite'}").init()
        self.drafts = [[report(i) for i in range(BATCH)] for _ in range(self.CALLS)]
        self.rows: list[list[tuple]] = []

    def append_many(self) -> None:
        self.store.append_many(self.drafts.pop(), self.signer)

    def prepare_rows(self) -> None:
        with sqlite3.connect(self.file) as conn:
            rows = conn.execute("SELECT * FROM records ORDER BY id DESC LIMIT ?",
                                (BATCH,)).fetchall()[::-1]
        self.rows = [[(k * BATCH + n, *r[1:]) for n, r in enumerate(rows, 1)]
                     for k in range(self.CALLS)]

    def executemany(self) -> None:
        with self.raw.engine.begin() as conn:
            conn.exec_driver_sql(_RAW_INSERT, self.rows.pop())


def check_appends(bench: Bench, folder: Path) -> None:
    store = new_store(f"sqlite:///{folder / 'single.sqlite'}")

    def singles() -> None:
        for i in range(SINGLE):
            store.append(report(i))
    t = bench.check(f"append, one transaction each ({SINGLE:,})",
                    measure(singles, repeats=3, number=1), min_rate=1_000, per_call=SINGLE)
    bench.info("  per record", _us(t.median, SINGLE))
    for signed in (False, True):
        label = "signed (Ed25519)" if signed else "unsigned"
        work = Appends(folder / label.split()[0], Signer.generate("IAEA") if signed else None)
        many = measure(work.append_many, repeats=5, number=1)
        many_cpu = cpu(work.append_many)
        work.prepare_rows()
        raw = measure(work.executemany, repeats=5, number=1)
        raw_cpu = cpu(work.executemany)
        ratio = many.median / raw.median
        bench.info(f"append_many {label}, {BATCH:,} per transaction",
                   f"{_us(many.median, BATCH)} (IQR {_us(many.spread, BATCH)}, CPU "
                   f"{_us(many_cpu, BATCH)}); driver executemany of the same rows "
                   f"{_us(raw.median, BATCH)} (CPU {_us(raw_cpu, BATCH)})")
        cpu_ratio = _cpu_median(many) / _cpu_median(raw)
        note = (f"a ratio of medians, not seconds (wall {ratio:.2f}, CPU {cpu_ratio:.2f}); "
                f"ratio of the least CPU times of 3 more runs {many_cpu / raw_cpu:.2f}")
        if signed:
            bench.info(f"  append_many / executemany, {label}",
                       f"{note}; Ed25519 signing alone ~50 us/record")
        else:
            bench.check(f"  append_many / executemany, {label}",
                        Timing(ratio, ratio, ratio, ratio, ratio, 5, 1,
                               Timing(*(cpu_ratio,) * 5, 5, 1)), target=2.0, note=note)


def _cpu_median(t: Timing) -> float:
    return t.cpu.median if t.cpu is not None else t.median


def check_verify(bench: Bench, folder: Path) -> None:
    store = new_store(f"sqlite:///{folder / 'verify.sqlite'}")
    verify_series: dict[int, Timing] = {}
    append_series: dict[int, Timing] = {}
    for size in (s for s in SIZES if s <= MAX_SIZE):
        missing = size - len(store)
        wall, spent = process_clock()
        while missing > 0:
            store.append_many([report(i) for i in range(min(missing, 50_000))])
            missing = size - len(store)
        wall_end, spent_end = process_clock()
        append_series[size] = Timing(*(wall_end - wall,) * 5, 1, 1,
                                     Timing(*(spent_end - spent,) * 5, 1, 1))
        repeats = 3 if size >= 100_000 else 5
        t = measure(store.verify, repeats=repeats, number=1)
        verify_series[size] = t
        rate = f"{size / t.median:,.0f} records/s"
        if size == 100_000:
            bench.check(f"verify {size:,} records", t, target=1.0, note=rate)
            bench.info("  CPU time", f"{cpu(store.verify):.3g} s")
        else:
            bench.info(f"verify {size:,} records", f"{t.text()}; {rate}")
    bench.scaling("verify: cost in records", verify_series, max_exponent=1.15)
    grown = {n: t for n, t in append_series.items() if n >= 10_000}
    if len(grown) >= 2:        # (each point: the time to grow the store 0.9 n records)
        bench.scaling("append_many, up to 50k per transaction: cost in records appended",
                      grown, max_exponent=1.15)
    if MAX_SIZE >= 100_000:
        check_anchoring(bench, store)


def check_anchoring(bench: Bench, store: RecordStore) -> None:
    signer = Signer.generate("anchor")
    size = len(store)
    checkpoint = store.checkpoint(signer)
    bench.info(f"checkpoint of {size:,} records (verify + Merkle root + signature)",
               measure(lambda: store.checkpoint(signer), repeats=3, number=1).text())
    bench.info(f"verify_against a checkpoint of {size:,} records",
               measure(lambda: store.verify_against(checkpoint), repeats=3, number=1).text())
    bench.info(f"inclusion proof of one record in {size:,}",
               measure(lambda: store.prove(1234), repeats=3, number=1).text())


def check_signed(bench: Bench, folder: Path, count: int = 20_000) -> None:
    signer = Signer.generate("IAEA")
    store = new_store(f"sqlite:///{folder / 'signed.sqlite'}", signer)
    store.append_many([report(i) for i in range(count - 2)], signer)
    plain = measure(store.verify, repeats=3, number=1)
    bench.info(f"verify {count:,} signed records, every signature verified",
               f"{plain.text()}; {_us(plain.median, count)} (Ed25519 dominates)")
    memo = SignatureMemo(folder / "memo")
    store.verify(memo=memo)                         # the first pass fills the memo
    again = measure(lambda: store.verify(memo=SignatureMemo(folder / "memo")), repeats=3,
                    number=1)
    bench.info(f"verify {count:,} signed records again, signature memo",
               f"{again.text()}; {_us(again.median, count)} (every other check made)")


def check_postgres(bench: Bench, url: str) -> None:
    store = new_store(url)
    t = measure(lambda: store.append_many([report(i) for i in range(BATCH)]), repeats=3,
                number=1)
    bench.info(f"PostgreSQL: append_many {BATCH:,}", f"{t.text()}; {_us(t.median, BATCH)}")
    t = measure(store.verify, repeats=3, number=1)
    bench.info(f"PostgreSQL: verify {len(store):,} records",
               f"{t.text()}; {len(store) / t.median:,.0f} records/s")


def main() -> Bench:
    bench = Bench("records store, SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for sub in ("unsigned", "signed"):
            (folder / sub).mkdir()
        check_appends(bench, folder)
        check_verify(bench, folder)
        check_signed(bench, folder)
    if os.environ.get("ENRICHWATCH_BENCH_POSTGRES_URL"):
        check_postgres(bench, os.environ["ENRICHWATCH_BENCH_POSTGRES_URL"])
    return bench


if __name__ == "__main__":
    main_exit(main())
