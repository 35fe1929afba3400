"""Import time of ``enrichwatch`` in a fresh interpreter (target < 0.3 s), and of the first use
of each part of it.

``import enrichwatch`` loads only the table of public names (PEP 562, lazy): no numpy, SciPy or
SQLAlchemy. The first use of a name loads its package, and that first use is what a script
pays: ``ew.enrich`` loads numpy, ``ew.solve_plant`` SciPy, ``ew.RecordStore`` SQLAlchemy,
``ew.evaluate`` the evaluation alone (the facility and physics layers load when a consequence
is first computed, never when it is read from the cache). Each figure is
the wall-clock median over fresh interpreters (harness: median and spread), with the bare
interpreter's median subtracted to give the import itself; PASS/FAIL compares the median wall
time of ``python -c "import enrichwatch"`` (interpreter included) with the target.

The imports of ``enrichwatch evaluate`` of the Fordow store are measured as they happen: one
run of the command (cold: ``--no-cache``; warm: every consequence read from the disk cache)
lists the modules it loaded, in order, and fresh interpreters import that list; the figure is
their CPU time inside the interpreter (its start-up not included), with the cyclic collector on
and off (``evaluate`` keeps it off while it reads and evaluates, when numpy and SciPy load), and
the share of enrichwatch's own modules (the same list imported without them, subtracted).
The source of enrichwatch is read from compiled bytecode, as an installed package's is: every
child runs without ``PYTHONDONTWRITEBYTECODE`` and with ``PYTHONPYCACHEPREFIX`` in a folder of
the benchmark's own (:func:`installed_env`); with ``PYTHONDONTWRITEBYTECODE=1`` an editable
install recompiles every module it imports in every process (~0.1 s of CPU for a cold
``evaluate``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Bench, Timing, main_exit, measure

TARGET_S = 0.3
BARE = "pass"
IMPORT = "import enrichwatch"
FIRST_USE = {
    "ew.enrich (numpy)": (
        "import enrichwatch as ew; w = ew.Assay.from_weight_percent; "
        "ew.enrich(w(0.711), w(90.0), w(0.3), product_kg=25.0)"),
    "ew.solve_plant (SciPy, facility)": "import enrichwatch as ew; ew.solve_plant",
    "ew.RecordStore, open a store and verify it (SQLAlchemy)": (
        "import enrichwatch as ew; ew.RecordStore.open({store!r}).init().verify()"),
    "ew.evaluate (evaluation; physics on first computation)": (
        "import enrichwatch as ew; ew.evaluate"),
    "ew.solve_plant then ew.evaluate (evaluation, facility, physics)": (
        "import enrichwatch as ew; ew.solve_plant; ew.evaluate; "
        "import enrichwatch.physics.capability, enrichwatch.physics.transient"),
    "ew.plan_breakout (breakout)": "import enrichwatch as ew; ew.plan_breakout",
    "ew.write_report (report, Jinja2)": "import enrichwatch as ew; ew.write_report",
}


ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
_BYTECODE = tempfile.mkdtemp(prefix="enrichwatch-bench-pyc-")


def installed_env(**extra: str) -> dict[str, str]:
    """The environment of a child process that reads enrichwatch from compiled bytecode, as
    an installed package is read (written once, in a folder of the benchmark's own)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": _BYTECODE, **extra}


def fresh(code: str) -> Timing:
    """Wall time of ``python -c code`` (interpreter start included)."""
    env = installed_env()
    return measure(lambda: subprocess.run([sys.executable, "-c", code], check=True, env=env),
                   repeats=11, number=1, warmup=2)


# Runs the command line, then writes the modules it loaded, in order, on standard error.
_LIST = ("import contextlib, io, json, sys\n"
         "from enrichwatch.cli import main\n"
         "with contextlib.redirect_stdout(io.StringIO()):\n"
         "    main(sys.argv[1:])\n"
         "sys.stderr.write(json.dumps(list(sys.modules)))\n")
# Imports the modules given as JSON (with the cyclic collector off if a second argument is
# given); prints the CPU time it took [s].
_IMPORT = ("import gc, importlib, json, sys, time\n"
           "modules = json.loads(sys.argv[1])\n"
           "if sys.argv[2:]:\n"
           "    gc.disable()\n"
           "start = time.process_time()\n"
           "for name in modules:\n"
           "    try:\n"
           "        importlib.import_module(name)\n"
           "    except Exception:\n"
           "        pass\n"
           "print(time.process_time() - start)\n")


def loaded_by(args: list[str], env: dict[str, str]) -> list[str]:
    """The modules ``enrichwatch ARGS`` loads, in the order it loads them."""
    done = subprocess.run([sys.executable, "-c", _LIST, *args], capture_output=True,
                          text=True, env=env, check=True)
    return [m for m in json.loads(done.stderr.strip().splitlines()[-1]) if m != "__main__"]


def import_cpu(modules: list[str], env: dict[str, str], repeats: int = 7, *,
               collector: bool = True) -> list[float]:
    """CPU time [s] of importing ``modules`` in fresh interpreters (start-up excluded), with
    the cyclic garbage collector on or off."""
    off = [] if collector else ["off"]
    return [float(subprocess.run([sys.executable, "-c", _IMPORT, json.dumps(modules), *off],
                                 capture_output=True, text=True, env=env, check=True).stdout)
            for _ in range(repeats)]


def evaluate_imports(bench: Bench, folder: Path) -> None:
    """CPU of the imports of a cold and of a warm ``enrichwatch evaluate`` of the Fordow
    store, and the heavy libraries each loads."""
    env = installed_env(ENRICHWATCH_CACHE_DIR=str(folder / "cache"))
    db = str(folder / "fordow.sqlite")
    subprocess.run([sys.executable, "-m", "enrichwatch", "records", "add", str(CASE), "--db",
                    db, "--json"], check=True, capture_output=True, env=env)
    args = ["evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db, "--json"]
    for label, extra in (("cold, --no-cache", ["--no-cache"]), ("warm, consequences cached",
                                                                 [])):
        loaded_by(args + extra, env)            # (fills the cache; compiles the bytecode)
        modules = loaded_by(args + extra, env)
        cpu = sorted(import_cpu(modules, env))
        off = statistics.median(import_cpu(modules, env, collector=False))
        heavy = sorted({m.split(".")[0] for m in modules} & {
            "numpy", "scipy", "pydantic", "rich", "sqlalchemy", "jinja2", "matplotlib"})
        ours = sum(m.startswith("enrichwatch.") for m in modules)
        others = statistics.median(import_cpu([m for m in modules
                                               if m.split(".")[0] != "enrichwatch"], env))
        bench.info(f"imports of `enrichwatch evaluate` ({label})",
                   f"CPU median {statistics.median(cpu) * 1e3:.0f} ms (IQR "
                   f"{cpu[len(cpu) // 4] * 1e3:.0f}-{cpu[3 * len(cpu) // 4] * 1e3:.0f} ms; "
                   f"{len(cpu)} fresh interpreters; {off * 1e3:.0f} ms with the collector "
                   f"off); {len(modules)} modules, {ours} of "
                   f"enrichwatch; heavy: {', '.join(heavy) or 'none'}")
        bench.info(f"  of which enrichwatch's own modules ({label})",
                   f"{(statistics.median(cpu) - others) * 1e3:.0f} ms CPU (the median above "
                   f"less that of importing the same list without them, {others * 1e3:.0f} ms:"
                   " their code, the classes and models they build, what they load late)")


def main() -> Bench:
    bench = Bench("import and first use, fresh interpreters")
    bare = fresh(BARE)
    bench.info("bare interpreter", bare.text())
    bench.check("import enrichwatch (interpreter included)", fresh(IMPORT), target=TARGET_S)
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "records.sqlite")
        subprocess.run([sys.executable, "-c", "import enrichwatch as ew; "
                        f"ew.RecordStore.open({store!r}).init()"], check=True,
                       env=installed_env())
        for label, code in FIRST_USE.items():
            first_use(bench, label, code.format(store=store), bare)
        evaluate_imports(bench, Path(folder))
    return bench


def first_use(bench: Bench, label: str, code: str, bare: Timing) -> None:
    t = fresh(code)
    bench.info(f"first use: {label}", f"{t.text()}; itself "
                                      f"{(t.median - bare.median) * 1e3:.0f} ms")


if __name__ == "__main__":
    main_exit(main())
