"""Monte Carlo of breakout time on a local Dask cluster: 1 worker against 2 workers
(each one process, one thread). Needs `distributed` (pip install 'dask[distributed]')."""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from enrichwatch.breakout import load_state, monte_carlo, plan_breakout  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "examples" / "breakout" / "hundred-cascades.toml"
SAMPLES, CHUNK = 100_000, 5_000


def main():
    state = load_state(EXAMPLE)
    plan = plan_breakout(state, 5)
    t = time.perf_counter()
    local = monte_carlo(state, 5, samples=SAMPLES, seed=0, chunk_size=CHUNK, plan=plan)
    t_local = time.perf_counter() - t
    print(f"local, one process: {SAMPLES:,} samples in {t_local:.2f} s")
    times = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            monte_carlo(state, 5, samples=2 * CHUNK, seed=1, chunk_size=CHUNK, plan=plan,
                        client=client)                           # warm the workers
            t = time.perf_counter()
            dist = monte_carlo(state, 5, samples=SAMPLES, seed=0, chunk_size=CHUNK, plan=plan,
                               address=cluster.scheduler_address)
            times[workers] = time.perf_counter() - t
            same = np.array_equal(dist.days, local.days)
            print(f"Dask, {workers} worker(s): {times[workers]:.2f} s "
                  f"(identical to local: {same})")
    print(f"speed-up 1 -> 2 workers: {times[1] / times[2]:.2f}x on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
