"""Import time of ``enrichwatch`` in a fresh interpreter (target < 0.3 s), and of the first use
of each part of it.

``import enrichwatch`` loads only the table of public names (PEP 562, lazy): no numpy, SciPy or
SQLAlchemy. The first use of a name loads its package, and that first use is what a script
pays: ``ew.enrich`` loads numpy, ``ew.solve_plant`` SciPy, ``ew.RecordStore`` SQLAlchemy,
``ew.evaluate`` the evaluation alone (the facility and physics layers load when a consequence
is first computed, never when it is read from the cache); the last line is every import of
``enrichwatch evaluate`` on a warm cache: the command line, the record store and the
evaluation. Each figure is
the wall-clock median over fresh interpreters (harness: median and spread), with the bare
interpreter's median subtracted to give the import itself; PASS/FAIL compares the median wall
time of ``python -c "import enrichwatch"`` (interpreter included) with the target.
"""

from __future__ import annotations

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
    "`enrichwatch evaluate` on a warm cache (cli, records store, evaluation, its cache)": (
        "import enrichwatch.cli.entry, enrichwatch.evaluation, enrichwatch.records.store, "
        "enrichwatch.evaluation.cache"),
}


def fresh(code: str) -> Timing:
    """Wall time of ``python -c code`` (interpreter start included)."""
    return measure(lambda: subprocess.run([sys.executable, "-c", code], check=True),
                   repeats=11, number=1, warmup=2)


def main() -> Bench:
    bench = Bench("import and first use, fresh interpreters")
    bare = fresh(BARE)
    bench.info("bare interpreter", bare.text())
    bench.check("import enrichwatch (interpreter included)", fresh(IMPORT), target=TARGET_S)
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "records.sqlite")
        subprocess.run([sys.executable, "-c", "import enrichwatch as ew; "
                        f"ew.RecordStore.open({store!r}).init()"], check=True)
        for label, code in FIRST_USE.items():
            first_use(bench, label, code.format(store=store), bare)
    return bench


def first_use(bench: Bench, label: str, code: str, bare: Timing) -> None:
    t = fresh(code)
    bench.info(f"first use: {label}", f"{t.text()}; itself "
                                      f"{(t.median - bare.median) * 1e3:.0f} ms")


if __name__ == "__main__":
    main_exit(main())
