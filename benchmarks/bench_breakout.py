"""Breakout planning and Monte Carlo (targets: planning ~100 cascades and four stock levels
< 2 s; 10,000 Monte Carlo samples < 5 s on one core)."""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")                      # one core

import time  # noqa: E402
from pathlib import Path  # noqa: E402

from enrichwatch.breakout import calibration_state, load_state, monte_carlo, plan_breakout  # noqa: E402
from enrichwatch.breakout.montecarlo import prepare  # noqa: E402
from enrichwatch.breakout.rates import step_rate  # noqa: E402

EXAMPLE = Path(__file__).parents[1] / "examples" / "breakout" / "hundred-cascades.toml"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


state = load_state(EXAMPLE)
print(f"state: {len(state.cascades)} groups, {sum(g.count for g in state.cascades)} cascades, "
      f"{len(state.stocks)} stock levels, {len(state.ladder().steps)} step variants")
for model in ("repiped", "as-built"):
    step_rate.cache_clear()
    plan, cold = timed(lambda m=model: plan_breakout(state, 1, model=m))
    _, warm = timed(lambda m=model: plan_breakout(state, 1, model=m))
    plan5, warm5 = timed(lambda m=model: plan_breakout(state, 5, model=m))
    print(f"planning ({model}): 1 SQ {cold:.2f} s cold (physics included), {warm:.2f} s warm; "
          f"5 SQ {warm5:.2f} s warm -> {plan.days_to_first_sq:.3g} / {plan5.days_to_n_sq:.3g} "
          "days")

for name, st in (("hundred-cascades, 5 SQ", state), ("may-2025", calibration_state("may-2025")),
                 ("feb-2023", calibration_state("feb-2023"))):
    n = 5 if st is state else 1
    plan = plan_breakout(st, n)
    step_rate.cache_clear()
    _, prep = timed(lambda s=st, k=n: prepare(s, k))
    dist, total = timed(lambda s=st, k=n, p=plan: monte_carlo(s, k, samples=10_000, seed=0,
                                                               plan=p))
    p = dist.percentiles
    print(f"Monte Carlo {name}: 10,000 samples in {prep + total:.2f} s on one core, cold "
          f"(physics at the low/nominal/high ratings, once: {prep:.2f} s; sampling and "
          f"re-optimisation: {total:.2f} s); "
          f"P5 {p[5]:.3g}, P50 {p[50]:.3g}, P95 {p[95]:.3g} days; {dist.lp_solves} LPs by HiGHS")
