"""Evaluating the Fordow 2023 case as of 2023-02-01, in process and end to end.

Targets (issue 14, one core): ``enrichwatch evaluate`` of the Fordow case < 1 s end to end
(a fresh process: imports, opening and verifying the store, the rules, the JSON output); on a
store of 1e5 records < 2 s.

Cold and warm are reported separately. *Cold* (``--no-cache``): every physical consequence is
computed, as on the first evaluation of a plant. *Warm*: the consequences are read from the
disk cache (:mod:`enrichwatch.evaluation.cache`, filled by one earlier run in a folder of the
benchmark's own) and the physics is not even imported; the ledger is still read and verified
in full. Both are checked against the target (the first evaluation of a case is a cold one),
each in wall and CPU time (``--verdict cpu`` judges on CPU time, for a shared machine).

The evaluation solves each plant's network at its nominal inputs and at the 8 corners of its
uncertain inputs (stage factor, rating, stage layout), with a scan of the withdrawal rate for
the highest assay and a root search for the rate at each target assay at every setting; each
network keeps its solves (``MemoNetwork``), so no steady state is solved twice. The count of
network solves is printed: what is left is physics (``enrichwatch.physics``), one solve each;
the stated operating histories of the case add their transient runs (``physics.transient``).

The stores of 1e5 records: (a) 1e5 reports of another facility, appended day by day over
2015-2022 (a shared ledger: ``evaluate FFEP`` verifies them all, evaluates the 7 of Fordow);
(b) 1e5 reports of FFEP itself, all entered today (every one a late entry, listed in the
output: the worst case). Each end-to-end figure is a wall-clock median over fresh processes,
with their CPU time (user + system) beside it. The processes read enrichwatch from compiled
bytecode, as an installed package is read (``bench_import.installed_env``); one more cold
figure is given with ``PYTHONDONTWRITEBYTECODE=1``, where an editable install recompiles every
module it imports in every process. They run with the thread settings the benchmark was started
with, not the harness's pins (the command chooses its BLAS threads as it does for a user).

What a cold run spends outside the physics in process (reading and verifying the store, the
rules with every consequence already known, the JSON output) is reported on its own.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

#: The thread settings of the environment the benchmark was started in, before the harness
#: pins numerical libraries to one thread for its own process: the end-to-end children run
#: ``enrichwatch`` as a user would, with these (the command sets its own defaults).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
_USERS_THREADS = {k: os.environ[k] for k in _THREAD_VARS if k in os.environ}

from bench_import import installed_env  # noqa: E402
from harness import Bench, Timing, main_exit, measure  # noqa: E402

from enrichwatch.evaluation import case_records, evaluate  # noqa: E402
from enrichwatch.evaluation.cache import ConsequenceCache  # noqa: E402
from enrichwatch.physics import network as network_module  # noqa: E402
from enrichwatch.physics import network_batch as network_batch_module  # noqa: E402
from enrichwatch.records import RecordDraft, RecordStore, load_case_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
AS_OF = date(2023, 2, 1)
EXE = shutil.which("enrichwatch") or str(Path(sys.executable).parent / "enrichwatch")
BIG = int(float(os.environ.get("ENRICHWATCH_BENCH_EVALUATE_RECORDS", "1e5")))


def count_solves(fn) -> int:
    """How many network steady states ``fn`` solves."""
    calls = [0]
    solve = network_module.Network.solve

    def counted(self, *args, **kwargs):
        calls[0] += 1
        return solve(self, *args, **kwargs)
    network_module.Network.solve = counted
    try:
        fn()
    finally:
        network_module.Network.solve = solve
    return calls[0]


def run(*args: str, compiled: bool = True) -> tuple[float, float]:
    """Wall and CPU time [s] of ``enrichwatch ARGS`` in a fresh process (reading enrichwatch
    from compiled bytecode unless not ``compiled``)."""
    env = installed_env() if compiled else dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env = {k: v for k, v in env.items() if k not in _THREAD_VARS} | _USERS_THREADS
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([EXE, *args], check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def end_to_end(bench: Bench, label: str, db: Path, target: float, runs: int = 5, *,
               cold: bool = False, report: bool = False, extra: tuple[str, ...] = ("--json",),
               compiled: bool = True) -> None:
    """Median over fresh processes; ``report`` (the HTML report draws every plant: the report
    layer's cost) and a run not ``compiled`` (sources compiled in every process) are
    reported, not checked."""
    args = ("evaluate", "FFEP", "--as-of", AS_OF.isoformat(), "--db", str(db), *extra,
            *(("--no-cache",) if cold else ()))
    run(*args)                      # warm the file cache and the .pyc files (and the cache)
    walls, cpus = zip(*(run(*args, compiled=compiled) for _ in range(runs)), strict=True)
    timing = _timing(walls, _timing(cpus))
    if not compiled:
        bench.info(f"{label} (cold, PYTHONDONTWRITEBYTECODE=1: every module compiled in every "
                   f"process; target {target:g} s)", timing.text())
    elif report:
        bench.info(f"{label} (warm; target {target:g} s)", timing.text())
    else:
        what = "cold: --no-cache, every consequence computed" if cold else \
            "warm: consequences cached"
        bench.check(f"{label} ({what})", timing, target=target)


def _timing(times, cpu: Timing | None = None) -> Timing:
    """Median and quartiles of ``times`` [s] (one call each)."""
    ordered, n = sorted(times), len(times)
    return Timing(ordered[n // 2], ordered[n // 4], ordered[3 * n // 4], ordered[0],
                  ordered[-1], n, 1, cpu)


# Runs the command line as the ``enrichwatch`` script does, then writes (stderr, last line) the
# CPU time of the process when the command began (interpreter and command line loaded) and
# when the interpreter began to shut down (atexit).
_PHASES = ("import atexit, os, sys, time\n"
           "atexit.register(lambda: os.write(2, f'\\n{begun} {time.process_time()}'.encode()))\n"
           "from enrichwatch.cli import main\n"
           "begun = time.process_time()\n"
           "sys.argv = ['enrichwatch', *sys.argv[1:]]\n"
           "main()\n")


def yardstick(bench: Bench, runs: int = 7) -> None:
    """CPU time of a fresh ``python -c "import numpy, scipy.integrate, pydantic"``: the
    libraries a cold evaluate cannot do without, imported and nothing else. It is the floor
    of a cold run on this machine and a measure of the machine itself, to compare the figures
    of runs made on different machines (the same code has measured 1.4x apart on two
    machines of the same kind)."""
    env = {k: v for k, v in installed_env().items() if k not in _THREAD_VARS} | _USERS_THREADS
    env.setdefault("OPENBLAS_NUM_THREADS", "1")         # as the command sets for itself
    cpus = []
    for _ in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", "import numpy, scipy.integrate, pydantic"],
                       check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    t = _timing(cpus[1:])
    bench.info("yardstick: a fresh `python -c 'import numpy, scipy.integrate, pydantic'` "
               "(the libraries' floor of a cold run)",
               f"CPU median {t.median * 1e3:.0f} ms (IQR {t.spread * 1e3:.0f} ms, min "
               f"{t.minimum * 1e3:.0f} ms); {runs} fresh processes")


def process_phases(bench: Bench, db: Path, runs: int = 5) -> None:
    """Where the CPU time of a cold ``enrichwatch evaluate --json --no-cache`` process goes:
    start-up (the interpreter and the command line loaded), the command (its imports, reading,
    evaluation and output), and the interpreter's shutdown (medians over fresh processes)."""
    args = ["evaluate", "FFEP", "--as-of", AS_OF.isoformat(), "--db", str(db), "--json",
            "--no-cache"]
    env = {k: v for k, v in installed_env().items() if k not in _THREAD_VARS} | _USERS_THREADS
    phases = []
    for _ in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-c", _PHASES, *args], check=True, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        begun, ending = map(float, done.stderr.strip().splitlines()[-1].split())
        phases.append((begun, ending - begun, total - ending, total))
    phases = phases[1:]                                   # (the first one compiles)
    median = [sorted(p[i] for p in phases)[len(phases) // 2] * 1e3 for i in range(4)]
    bench.info("cold `enrichwatch evaluate --json --no-cache`, CPU by phase of the process "
               f"(medians of {runs})", f"start-up (interpreter, command line) {median[0]:.0f} "
               f"ms; the command {median[1]:.0f} ms; shutdown {median[2]:.0f} ms; in all "
               f"{median[3]:.0f} ms")


def capability_solves(bench: Bench) -> None:
    """Network solves of the capability figures of one plant at one setting (the evaluation
    asks them at 9 settings of each plant): the highest assay (design setting, 16-rate scan,
    refinement to 1e-4 in the log rate) and the rate at 90 % and at 83.7 % (root searches to
    1e-10), each solve counted once (a plain network: no memo across figures)."""
    from enrichwatch.composition import Assay
    from enrichwatch.facility import load_facility
    from enrichwatch.physics.capability import maximum_assay, rate_for_assay

    net = load_facility(CASE.parent / "observed.toml").to_network()
    found = []
    scan = count_solves(lambda: found.append(maximum_assay(net, "B.product")))
    top = found[0]
    rates = [count_solves(lambda t=t: rate_for_assay(net, "B.product",
                                                     Assay.from_weight_percent(t), maximum=top))
             for t in (90.0, 83.7)]
    bench.info("capability figures of the observed Fordow plant, nominal setting",
               f"highest assay {scan} solves ({len(top.grid)} rates on the grid, "
               f"{scan - len(top.grid)} beyond it); rate at 90 %: {rates[0]}; "
               f"at 83.7 %: {rates[1]}; {scan + sum(rates)} in all")


def capability_ranges(bench: Bench) -> None:
    """CPU of the capability figures of the evaluation: both plants of the case at their 9
    settings each (the design states, the highest assay, the rates at 90 % and 83.7 %), the
    searches of both plants' settings and targets run together as the evaluation runs them
    (:func:`~enrichwatch.facility.consequences.find_reach_many`: one solve_many batch a
    round, each answer as alone), on networks solved fresh
    each time (the plants' own nominal solves, made by solve_plant, are kept as the evaluation
    keeps them); with the rounds and the solves they took."""
    from enrichwatch.facility.consequences import PlantRanges, find_reach_many
    from enrichwatch.facility.solve import solve_plant

    plants = [solve_plant(CASE.parent / f"{name}.toml") for name in ("declared", "observed")]

    def figures():                                 # every setting's network built anew
        ranges = [PlantRanges(plant.network) for plant in plants]
        find_reach_many([(r, (90.0, 83.7)) for r in ranges])
        for r in ranges:
            r.as_dict((90.0, 83.7))
    rounds, members = [0], [0]
    solve_many = network_batch_module.solve_many

    def counted(requests):
        requests = list(requests)
        rounds[0] += 1
        members[0] += len(requests)
        return solve_many(requests)
    network_batch_module.solve_many = counted
    try:
        figures()
    finally:
        network_batch_module.solve_many = solve_many
    timing = measure(figures, repeats=5, number=1)
    bench.info("capability figures of the 2 plants at their 9 settings (design, highest "
               "assay, rates at 90 % and 83.7 %; the nominal searches from the plants' kept "
               "solves)", f"{timing.text()}; {rounds[0]} rounds of solve_many, {members[0]} "
               "requests")


def in_process(bench: Bench) -> None:
    capability_solves(bench)
    capability_ranges(bench)
    records = case_records(CASE)
    solves = count_solves(lambda: evaluate(records, "FFEP", AS_OF))
    t = measure(lambda: evaluate(records, "FFEP", AS_OF), repeats=5, number=1)
    start = time.process_time()
    evaluate(records, "FFEP", AS_OF)
    cpu = time.process_time() - start
    bench.info("evaluate (in process, case file read once, no cache)",
               f"{t.text()}; CPU {cpu:.3g} s; {solves} network solves "
               f"({cpu / solves * 1e3:.3g} ms CPU each, all of it)")
    with tempfile.TemporaryDirectory() as tmp:
        evaluate(records, "FFEP", AS_OF, cache=ConsequenceCache(tmp))
        warm = ConsequenceCache(tmp)          # as a new process would: read from disk
        solves = count_solves(lambda: evaluate(records, "FFEP", AS_OF, cache=warm))
        t = measure(lambda: evaluate(records, "FFEP", AS_OF, cache=ConsequenceCache(tmp)),
                    repeats=5, number=1)
    bench.info("evaluate (in process, consequences read from the disk cache)",
               f"{t.text()}; {solves} network solves")
    t = measure(lambda: subprocess.run([sys.executable, "-c", "import enrichwatch.cli.entry, "
                                        "enrichwatch.evaluation, enrichwatch.records.snapshot"],
                                       check=True, env=installed_env()), repeats=5, number=1)
    bench.info("imports of `evaluate` of a SQLite store (fresh interpreter; records.snapshot: "
               "no SQLAlchemy)", t.text())


def outside_physics(bench: Bench, db: Path, cache: Path) -> None:
    """CPU of what ``enrichwatch evaluate --json`` does in process besides the physics: open,
    read and verify the store (one snapshot, sqlite3 alone), run the rules with every
    consequence read from a disk cache filled beforehand, and write the JSON output."""
    from enrichwatch.cli.app import json_text, stamped
    from enrichwatch.records.snapshot import open_ledger_file

    def read():
        store = open_ledger_file(db)
        done = None if store is None else store.verified_read("FFEP", AS_OF)
        if done is None or not done.report.ok:
            raise SystemExit(f"{db}: not a verified store of the newest schema")
        return done.records()

    records = read()
    evaluate(records, "FFEP", AS_OF, cache=ConsequenceCache(cache))          # (fills it)
    result = evaluate(records, "FFEP", AS_OF, cache=ConsequenceCache(cache))

    def output():
        return json_text(stamped("evaluate", {**result.as_dict(), "store_verified": True,
                                              "report": None}))
    parts = {"open, read and verify the store": measure(read, repeats=7, number=1),
             "rules, consequences read from the disk cache": measure(
                 lambda: evaluate(records, "FFEP", AS_OF, cache=ConsequenceCache(cache)),
                 repeats=7, number=1),
             "JSON output": measure(output, repeats=7, number=1)}
    total = sum(t.cpu.median for t in parts.values() if t.cpu is not None)
    bench.info("evaluate outside the physics, in process (CPU medians)",
               "; ".join(f"{k} {t.cpu.median * 1e3:.1f} ms" for k, t in parts.items()
                         if t.cpu is not None) + f"; {total * 1e3:.0f} ms in all")


def other_facility_store(path: Path, count: int) -> None:
    """``count`` reports of PFEP appended day by day from 2015, then the Fordow case."""
    clock = [datetime(2015, 1, 1, 9, tzinfo=UTC)]
    store = RecordStore.open(path, clock=lambda: clock[0]).init()
    first = date(2015, 1, 1)
    store.append(RecordDraft("facility", "PFEP", first, first, "bench", {"name": "Pilot"}))
    per_day = max(1, count // 2900)
    for start in range(0, count, per_day):
        day = first + timedelta(days=start // per_day)
        clock[0] = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        store.append_many([RecordDraft("report", "PFEP", day, day, "bench",
                                       {"document": f"GOV/{i}", "summary": "x" * 200})
                           for i in range(start, min(count, start + per_day))])
    clock[0] = datetime.now(UTC)
    load_case_file(store, CASE)
    store.close()


def late_store(path: Path, count: int) -> None:
    """The Fordow case, then ``count`` reports of FFEP known 2015-2022, all entered today."""
    store = RecordStore.open(path).init()
    load_case_file(store, CASE)
    first = date(2015, 1, 1)
    for start in range(0, count, 50_000):
        store.append_many([RecordDraft("report", "FFEP", first + timedelta(days=i % 2900),
                                       first + timedelta(days=i % 2900), "bench",
                                       {"document": f"GOV/{i}", "summary": "x" * 200})
                           for i in range(start, min(count, start + 50_000))])
    store.close()


def _versions() -> str:
    """Python, numpy and SciPy versions of this run."""
    import platform

    import numpy
    import scipy
    return f"Python {platform.python_version()}, numpy {numpy.__version__}, SciPy " \
        f"{scipy.__version__}"


def main() -> Bench:
    bench = Bench("evaluate, Fordow 2023 case")
    bench.info("libraries (SciPy's import is a large part of a cold run: 1.17 pays ~0.1 s "
               "more than 1.15, mostly the array-API notes it writes into ~300 docstrings at "
               "import)", _versions())
    in_process(bench)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["ENRICHWATCH_CACHE_DIR"] = str(folder / "cache")   # the children's cache
        fordow = folder / "fordow.sqlite"
        subprocess.run([EXE, "records", "add", str(CASE), "--db", str(fordow), "--json"],
                       check=True, stdout=subprocess.DEVNULL)
        label = "enrichwatch evaluate, Fordow store (7 records)"
        outside_physics(bench, fordow, folder / "rules-cache")
        yardstick(bench)
        process_phases(bench, fordow)
        end_to_end(bench, label, fordow, 1.0, runs=5, cold=True)
        end_to_end(bench, label, fordow, 1.0, runs=3, cold=True, compiled=False)
        end_to_end(bench, label, fordow, 1.0)
        end_to_end(bench, label + ", --report", fordow, 1.0, runs=3, report=True,
                   extra=("--report", str(folder / "report.html")))
        shared = folder / "shared.sqlite"
        other_facility_store(shared, BIG)
        end_to_end(bench, f"enrichwatch evaluate, + {BIG:,} records of another facility",
                   shared, 2.0)
        late = folder / "late.sqlite"
        late_store(late, BIG)
        end_to_end(bench, f"enrichwatch evaluate, + {BIG:,} late records of FFEP (worst case)",
                   late, 2.0, runs=3)
    return bench


if __name__ == "__main__":
    main_exit(main())
