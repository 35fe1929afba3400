"""Time of `import enrichwatch` in a fresh interpreter (target < 0.3 s), and of the first use.

`import enrichwatch` loads only the table of public names (PEP 562, lazy): no numpy, SciPy or
SQLAlchemy. The first use of a name loads its package: `ew.enrich(...)` loads numpy and the
SWU module. Each figure is the median over fresh interpreters (the runs of the three commands
interleaved, so that a busy machine slows them alike), with its spread; the bare
interpreter's median is subtracted to give the import itself. PASS/FAIL compares the median
wall time of `python -c "import enrichwatch"` (interpreter included) with the target.
"""

import statistics
import subprocess
import sys
import time

RUNS = 20
TARGET_S = 0.3
COMMANDS = {
    "bare interpreter": "pass",
    "import enrichwatch": "import enrichwatch",
    "first use: ew.enrich (numpy)": (
        "import enrichwatch as ew; w = ew.Assay.from_weight_percent; "
        "ew.enrich(w(0.711), w(90.0), w(0.3), product_kg=25.0)"),
}


def wall_time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


times = {label: [] for label in COMMANDS}
for code in COMMANDS.values():                   # warm the file cache and the .pyc files
    wall_time(code)
for _ in range(RUNS):
    for label, code in COMMANDS.items():
        times[label].append(wall_time(code))

bare = statistics.median(times["bare interpreter"])
for label, runs in times.items():
    median = statistics.median(runs)
    q1, _, q3 = statistics.quantiles(runs, n=4)
    line = (f"{label:30s} median {median * 1e3:6.1f} ms  (interquartile {q1 * 1e3:.1f}-"
            f"{q3 * 1e3:.1f}, min-max {min(runs) * 1e3:.1f}-{max(runs) * 1e3:.1f}; {RUNS} runs)")
    if label != "bare interpreter":
        line += f"  -> itself {(median - bare) * 1e3:.1f} ms"
    print(line)
median = statistics.median(times["import enrichwatch"])
verdict = "PASS" if median < TARGET_S else "FAIL"
print(f"target: import enrichwatch < {TARGET_S * 1e3:.0f} ms (median, interpreter included): "
      f"{verdict}")
