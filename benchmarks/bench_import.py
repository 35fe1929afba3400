"""Time of `import enrichwatch` in a fresh interpreter (target < 0.3 s)."""

import subprocess
import sys
import time

runs = []
for _ in range(5):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import enrichwatch"], check=True)
    runs.append(time.perf_counter() - start)
base = []
for _ in range(5):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    base.append(time.perf_counter() - start)
print(f"import enrichwatch: best {min(runs) * 1e3:.0f} ms of interpreter+import "
      f"(bare interpreter {min(base) * 1e3:.0f} ms) -> import itself "
      f"{(min(runs) - min(base)) * 1e3:.0f} ms")
