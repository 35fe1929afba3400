"""Fixed cascades (issue 14): the stage solver's cost in the number of stages, on one core.

Targets (issue 14): a 300-stage cascade in < 5 ms per solve, and a cost exponent in the number
of stages <= 1.2 over 30-1,000 stages; the 166-machine IR-6 cascade off design (about 20 stages,
4 isotopes) in < 5 ms as before. The scaling cascades are square (20 IR-6 per stage, fed in the
middle at 5 wt% with 4 isotopes, at half the machines' design throughput); each timing is one
whole ``FixedCascade.solve`` (network set-up, flows, Newton, states); one more line shows the
300-stage solve with the cached routing rebuilt every time.

The last line times a first solve in a fresh interpreter with the BLAS thread pools left at
their defaults (the library pins them to one thread during its solves), for information.

    python benchmarks/bench_cascade.py
"""

import os
import subprocess
import sys

from harness import Bench, main_exit, measure, scaling

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics import network
from enrichwatch.physics.cascade import FixedCascade, design_cascade
from enrichwatch.physics.machines import load_catalog

IR6 = load_catalog().get("IR-6")
FEED = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02, "U238": 94.94})
SIZES = [1, 3, 10, 30, 100, 300, 1000]
FIT = [s for s in SIZES if 30 <= s <= 1000]


def square(stages: int) -> tuple[FixedCascade, float]:
    """A cascade of ``stages`` stages of 20 IR-6 each, and its feed rate [kg U/yr]."""
    cascade = FixedCascade(IR6, (20,) * stages, stages // 2, name=f"S{stages}")
    return cascade, 0.5 * 20 * stages * IR6.design_feed_kg_per_yr / 2


def solve_square(stages: int):
    cascade, rate = square(stages)
    return lambda: cascade.solve(FEED, rate)


def solve_square_cold(stages: int):
    """As :func:`solve_square`, with the routing and its solver patterns rebuilt every time
    (they are cached per network layout, so repeated solves of one cascade skip that)."""
    cascade, rate = square(stages)

    def run():
        network._routing.cache_clear()
        return cascade.solve(FEED, rate)

    return run


FIRST_SOLVE = """
import time
from enrichwatch.composition import Composition
from enrichwatch.physics.cascade import FixedCascade
from enrichwatch.physics import network
from enrichwatch.physics.machines import load_catalog
ir6 = load_catalog().get("IR-6")
feed = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02, "U238": 94.94})
c = FixedCascade(ir6, (20,) * 200, 100)
t = time.perf_counter()
c.solve(feed, 0.5 * 20 * 200 * ir6.design_feed_kg_per_yr / 2)
print(time.perf_counter() - t)
"""


def first_solve_default_threads() -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    return sorted(float(subprocess.run([sys.executable, "-c", FIRST_SOLVE], env=env,
                                       capture_output=True, text=True, check=True).stdout)
                  for _ in range(5))


def main() -> None:
    bench = Bench("fixed cascade (issue 14)")
    design = Composition.from_mass_percent({"U235": 3.5, "U238": 96.5})
    c = design_cascade(IR6, design, Assay.from_weight_percent(20.0),
                       Assay.from_weight_percent(0.7), total_machines=166)
    rate = 1.3 * c.design.feed_kg_per_yr
    product = c.solve(FEED, rate).product.rate_kg_per_yr
    bench.check(f"166 IR-6 in {c.n_stages} stages off design (5 % feed at 1.3x)",
                measure(lambda: c.solve(FEED, rate)), target=5e-3)
    bench.check("  same with an imposed product rate",
                measure(lambda: c.solve(FEED, rate, product_kg_per_yr=0.8 * product)),
                target=None)
    series = scaling(solve_square, SIZES)
    bench.check("S = 300 stages", series[300], target=5e-3)
    bench.info("S = 300 stages, routing rebuilt each solve", measure(solve_square_cold(300)).text())
    for s in SIZES:
        bench.info(f"  S = {s}", series[s].text())
    bench.scaling("cost in stages (all)", series, unit="S")
    bench.scaling("cost in stages, 30-1000", {s: series[s] for s in FIT}, max_exponent=1.2,
                  unit="S")
    firsts = first_solve_default_threads()
    bench.info("first solve, fresh interpreter, default BLAS threads (S = 200)",
               f"median {firsts[2] * 1e3:.3g} ms (min {firsts[0] * 1e3:.3g}, "
               f"max {firsts[-1] * 1e3:.3g}; 5 interpreters)")
    main_exit(bench)


if __name__ == "__main__":
    main()
