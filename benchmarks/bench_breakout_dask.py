"""Breakout Monte Carlo on a local Dask cluster against a WARM local run (issue 14).

Both sides warm: the local run is timed after an untimed call in the same process (imports,
rates at the three ratings, HiGHS loaded); the cluster after one untimed run on its workers
(each one process, one thread). Results must be bit-identical to the local run. No target:
whether Dask wins depends on the cores free; the script says which is faster here.
Needs `distributed` (pip install 'enrichwatch[dask]').
"""

from harness import Bench, main_exit, measure  # noqa: I001  (pins threads first)

import os
from pathlib import Path

import numpy as np
from distributed import Client, LocalCluster

from enrichwatch.breakout import load_state, monte_carlo, plan_breakout

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "breakout" / "hundred-cascades.toml"
SAMPLES, CHUNK, N_SQ = 100_000, 5_000, 5


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    bench = Bench(f"breakout Monte Carlo, {SAMPLES:,} samples in chunks of {CHUNK:,}: "
                  "Dask against a warm local run")
    bench.info("load", _load())
    state = load_state(EXAMPLE)
    plan = plan_breakout(state, N_SQ)

    def local():
        return monte_carlo(state, N_SQ, samples=SAMPLES, seed=0, chunk_size=CHUNK, plan=plan)

    reference = local()                                          # warm-up (untimed)
    t_local = bench.check("local, one process, warm", measure(local, repeats=3, warmup=0))
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            def on_dask(c=client):
                return monte_carlo(state, N_SQ, samples=SAMPLES, seed=0, chunk_size=CHUNK,
                                   plan=plan, client=c)

            same = np.array_equal(on_dask().days, reference.days)   # warm-up, and the check
            t = bench.check(f"Dask, {workers} worker(s), warm", measure(on_dask, repeats=3,
                                                                       warmup=0))
            bench.info(f"Dask, {workers} worker(s) against local",
                       f"{t_local.median / t.median:.2f}x the local speed "
                       f"({'faster' if t.median < t_local.median else 'slower'}); "
                       f"identical to local: {same}")
    bench.info("load", _load())
    main_exit(bench)


if __name__ == "__main__":
    main()
