"""Vectorised binary enrichment: ``enrich()`` (feed, tails, SWU) over arrays of cases.

Target (issue 14): >= 10 million elements per second on one core, at 1e6 elements; the size
series 1e3 ... 1e7 shows the rate at each size (fixed overhead below ~1e4, memory above).
Assays are built once outside the timed call (their checks are the constructors' cost, shown
separately).
"""

import time

import numpy as np
from harness import Bench, Timing, main_exit, measure

from enrichwatch.composition import Assay
from enrichwatch.physics.swu import enrich

TARGET_RATE = 1e7  # elements/s, issue 14
N = 1_000_000
SIZES = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]


def cases(n: int, seed: int = 1) -> tuple[Assay, Assay, Assay]:
    rng = np.random.default_rng(seed)
    return (Assay.from_mass_fraction(rng.uniform(0.005, 0.05, n)),
            Assay.from_mass_fraction(rng.uniform(0.06, 0.95, n)),
            Assay.from_mass_fraction(rng.uniform(0.001, 0.0049, n)))


def checked(bench: Bench, label: str, fn, **target) -> Timing:
    """``bench.check`` of ``fn``, then its CPU time per call (min of 3 runs of the same number
    of calls): the wall-clock median counts time the scheduler gives to other processes on a
    shared machine, CPU time does not."""
    timing = bench.check(label, measure(fn), **target)
    runs = []
    for _ in range(3):
        t = time.process_time()
        for _ in range(timing.number):
            fn()
        runs.append((time.process_time() - t) / timing.number)
    per = target.get("per_call", 1)
    rate = f", {per / min(runs):,.3g} /s" if per > 1 else ""
    bench.info(f"  CPU time, {label}", f"{min(runs) * 1e3:.4g} ms per call{rate}")
    return timing


def main() -> Bench:
    bench = Bench("binary enrich(): feed, tails and SWU over arrays")
    feed, product, tails = cases(N)
    checked(bench, f"enrich, tails and product_kg given, {N:,} elements",
            lambda: enrich(feed, product, tails, product_kg=1.0), min_rate=TARGET_RATE, per_call=N)
    feed_kg = np.full(N, 10.0)
    checked(bench, f"enrich, tails and feed_kg given (array), {N:,} elements",
            lambda: enrich(feed, product, tails, feed_kg=feed_kg), min_rate=TARGET_RATE,
            per_call=N)
    scalar_feed = Assay.from_weight_percent(0.711)
    checked(bench, f"enrich, scalar feed assay, {N:,} elements",
            lambda: enrich(scalar_feed, product, tails, product_kg=1.0), min_rate=TARGET_RATE,
            per_call=N)
    raw = np.random.default_rng(2).uniform(0.001, 0.9, N)
    bench.check(f"one checked Assay array of {N:,} (not in the figures above)",
                measure(lambda: Assay.from_mass_fraction(raw)))
    series = {}
    for n in SIZES:
        f, p, t = cases(n)
        series[n] = measure(lambda f=f, p=p, t=t: enrich(f, p, t, product_kg=1.0),
                            repeats=5 if n >= 1_000_000 else 7)
        bench.info(f"size {n:>10,}", f"{series[n].text()}; {n / series[n].median:,.3g} elements/s")
    bench.scaling("enrich cost against elements", series, max_exponent=1.1)
    return bench


if __name__ == "__main__":
    main_exit(main())
