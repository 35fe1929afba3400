"""Run every ``bench_*.py`` in this folder, one process each, and list their verdicts.

    python benchmarks/run_all.py [NAME ...]      # e.g. run_all.py cascade network

Exit status 1 if any benchmark printed a FAIL or exited non-zero.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    failed = []
    for script in scripts:
        print(f"\n### {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE, text=True,
                              capture_output=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode or "[FAIL]" in proc.stdout:
            failed.append(script.name)
            sys.stdout.write(proc.stderr[-2000:])
    print("\n### summary: " + ("all PASS" if not failed else "FAIL in " + ", ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
