"""`enrichwatch --help` wall time in a fresh process (target < 0.5 s)."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

exe = shutil.which("enrichwatch") or str(Path(sys.executable).parent / "enrichwatch")
runs = []
for _ in range(7):
    start = time.perf_counter()
    subprocess.run([exe, "--help"], check=True, capture_output=True)
    runs.append(time.perf_counter() - start)
runs.sort()
print(f"enrichwatch --help: best {runs[0] * 1e3:.0f} ms, median {runs[3] * 1e3:.0f} ms (7 runs)")
