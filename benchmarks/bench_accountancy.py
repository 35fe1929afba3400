"""Material accountancy Monte Carlo (issue 10): an enrichment-plant area of 10 measurement points,
8,760 hourly records each, 12 monthly balances.

Targets (one core): 1,000 Monte Carlo iterations of MUF, covariance, SITMUF, Page and GEMUF
< 0.2 s; 100,000 iterations < 20 s. Each timing is end to end from the area: the linear balance
design over the 87,600 records, the exact covariance by linear propagation, its Cholesky
factor, the draws and the tests (the Page threshold, calibrated once beforehand, is timed on its
own).

The command line end to end (issue 10, part 8): ``enrichwatch accountancy`` on the example
(``examples/accountancy/abrupt-loss.toml``: 7 points, 12 monthly balances, U and U-235, two
loss scenarios, 10,000 Monte Carlo iterations per scenario, detection curves, the plant check
against the example plant) as a child process, import and plant solution included; and the
analysis alone in process. No target is set by the issue for these; they are reported.

Run: ``python benchmarks/bench_accountancy.py``.
"""

from harness import Bench, main_exit, measure, scaling  # noqa: I001  (pins threads first)

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from enrichwatch.accountancy import (
    BalancePeriods,
    Flow,
    Level,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PointMeasurement,
    Uncertainty,
    balance_design,
    monte_carlo,
    muf_covariance,
    page_threshold,
    protracted_loss,
)

EXAMPLE = Path(__file__).parents[1] / "examples" / "accountancy" / "abrupt-loss.toml"
HOURS = 8760
MONTH = HOURS / 12
BIG_BUDGET = 15.0      # run 1e6 iterations if 1e5 took less than this [s] (~10x longer)
FEED, PRODUCT, TAILS = 0.711, 4.5, 0.25                        # wt % U-235


def plant() -> tuple[MaterialBalanceArea, BalancePeriods, MeasurementModel]:
    """Two feed stations, two product and two tails take-off stations (hourly flows), feed,
    product and tails stores and the cascade hold-up (hourly levels): 10 points."""
    rng = np.random.default_rng(0)
    t = np.arange(1.0, HOURS + 1)                               # flow records (t-1, t]
    level_t = np.arange(0.0, HOURS + 1)                         # levels incl. every boundary
    feed = 100.0 * (1 + 0.02 * rng.standard_normal((2, t.size)))
    cut = (FEED - TAILS) / (PRODUCT - TAILS)
    flow = Flow.from_weight_percent
    points = [MeasurementPoint(f"feed-{i}", "input", flow(t, feed[i], FEED, start_h=0.0))
              for i in range(2)]
    points += [MeasurementPoint(f"product-{i}", "output",
                                flow(t, cut * feed[i], PRODUCT, start_h=0.0)) for i in range(2)]
    points += [MeasurementPoint(f"tails-{i}", "output",
                                flow(t, (1 - cut) * feed[i], TAILS, start_h=0.0))
               for i in range(2)]
    for name, mass, assay in (("feed-store", 200_000.0, FEED),
                              ("product-store", 20_000.0, PRODUCT),
                              ("tails-store", 180_000.0, TAILS), ("holdup", 500.0, 2.0)):
        points.append(MeasurementPoint(name, "inventory", Level.from_weight_percent(
            level_t, np.full(level_t.size, mass), assay)))
    scale = Uncertainty(0.0005, 0.0005, calibration_period_h=MONTH, instrument="load cells")
    nda = Uncertainty(0.01, 0.005, calibration_period_h=MONTH)
    model = MeasurementModel({p.name: PointMeasurement(scale, nda) for p in points[:6]}
                             | {p.name: PointMeasurement(Uncertainty(0.001, 0.001), nda)
                                for p in points[6:9]}
                             | {"holdup": PointMeasurement(Uncertainty(0.05, 0.05),
                                                           Uncertainty(0.05, 0.02))})
    return (MaterialBalanceArea("enrichment plant", tuple(points)),
            BalancePeriods.regular(0.0, MONTH, 12), model)


def main() -> None:
    area, periods, model = plant()
    bench = Bench("accountancy Monte Carlo: 10 points x 8,760 hourly records, 12 balances")
    records = sum(p.data.times_h.size for p in area.points)
    bench.info("area", f"{len(area.points)} points, {records:,} records")
    bench.check("Page threshold, Markov chain, one-sided (5 %/yr)",
                measure(lambda: page_threshold(0.05, 12), repeats=5))
    bench.check("Page threshold, Markov chain, two-sided (5 %/yr)",
                measure(lambda: page_threshold(0.05, 12, side="both"), repeats=3, warmup=1))
    page = page_threshold(0.05, 12)
    bench.check("design + exact covariance (U)", measure(
        lambda: muf_covariance(balance_design(area, periods), model), repeats=7))
    for quantity in ("U", "U235"):
        loss = protracted_loss(75.0 if quantity == "U235" else 1e4, 12)

        def run(n, q=quantity, loss=loss):
            return lambda: monte_carlo(area, model, periods, q, loss=loss, iterations=n,
                                       seed=1, page=page)
        bench.check(f"1,000 iterations, {quantity} balance", measure(run(1000), repeats=7),
                    target=0.2)
        bench.check(f"100,000 iterations, {quantity} balance",
                    measure(run(100_000), repeats=3, warmup=1), target=20.0)
    bench.check("1,000 iterations, U balance, records sampler (one draw per record)",
                measure(lambda: monte_carlo(area, model, periods, iterations=1000, seed=1,
                                            page=page, method="records"), repeats=3),
                note="the literal simulation, for comparison")

    def runner(n):
        return lambda: monte_carlo(area, model, periods, iterations=n, seed=1, page=page)
    series = scaling(runner, [1_000, 10_000, 100_000], repeats=3)
    if series[100_000].median < BIG_BUDGET:     # issue 14: the series runs to 1e6 samples
        series.update(scaling(runner, [1_000_000], repeats=1))
    else:
        bench.info("1e6 iterations", f"not run: 1e5 took {series[100_000].median:.1f} s "
                                     f"(> {BIG_BUDGET:g} s)")
    bench.scaling("cost in iterations (U), 1e3-1e6", series, unit="iterations")
    mc = monte_carlo(area, model, periods, "U235", loss=protracted_loss(75.0, 12),
                     iterations=100_000, seed=1, page=page)
    bench.info("detection of 1 SQ LEU (75 kg U-235) lost evenly over the year",
               ", ".join(f"{k} {v:.3f}" for k, v in mc.detection.items()))
    example(bench)
    main_exit(bench)


def example(bench: Bench) -> None:
    """The example end to end: the CLI in a child process, and the analysis in process."""
    from enrichwatch.accountancy.study import analyse
    from enrichwatch.accountancy.study_io import load_study

    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

    def cli() -> None:
        subprocess.run([sys.executable, "-m", "enrichwatch", "accountancy", str(EXAMPLE),
                        "--json"], check=True, capture_output=True, env=env)
    bench.check("CLI end to end: enrichwatch accountancy abrupt-loss.toml --json "
                "(10,000 iterations per scenario)", measure(cli, repeats=3, warmup=0),
                note="child process: import, read, analyse, plant check, JSON")
    study = load_study(EXAMPLE)
    bench.check("analysis in process (same file, 10,000 iterations per scenario)",
                measure(lambda: analyse(study), repeats=3))
    bench.check("reading and checking the input file", measure(lambda: load_study(EXAMPLE),
                                                               repeats=5))


if __name__ == "__main__":
    main()
