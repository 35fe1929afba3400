"""Breakout (issue 14): planning, the Monte Carlo and its scaling in samples, and the command
line cold and repeated; with ``--outlook``, only the web application's outlook timeline (the
breakout and detection timelines 2016-2025, as the outlook page computes them) on a fresh cache
and on a later start that finds the cache filled.

Targets: planning ~100 cascade groups and four stock levels < 2 s (cold, physics included);
10,000 Monte Carlo samples < 5 s on one core; samples 1e3 -> 1e6 about linear (exponent
<= 1.1); ``enrichwatch breakout examples/breakout/feb-2023.toml --json`` < 1 s on a repeated
call (a child process, end to end, its cache filled by an earlier call).

    python benchmarks/bench_breakout.py            # 1e6 samples only if 1e5 took < 20 s
    python benchmarks/bench_breakout.py --big      # 1e6 samples whatever it takes
    python benchmarks/bench_breakout.py --outlook --verdict cpu   # the outlook only (~2 min)

Outlook targets (CPU): fresh cache < 100 s (it was ~120-130 s with the tornadoes the page never
shows; ~75-80 s without, of which ~65 s are the whole-cascade MILPs); a later start < 10 s.

The machine may be shared: the load average is printed, with the time of
``python -c "import numpy"`` as a yardstick of how slow the machine is just now.
"""

from harness import Bench, Timing, main_exit, measure, process_clock  # noqa: I001  (pins threads first)

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from enrichwatch.breakout import load_state, monte_carlo, plan_breakout
from enrichwatch.breakout.cache import ResultCache, using_cache
from enrichwatch.breakout.rates import step_rate

ROOT = Path(__file__).resolve().parents[1]
HUNDRED = ROOT / "examples" / "breakout" / "hundred-cascades.toml"
FEB_2023 = ROOT / "examples" / "breakout" / "feb-2023.toml"
BIG_BUDGET = 20.0          # run 1e6 samples if 1e5 took less than this [s] (10x: ~200 s)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def _child(*args: str, env: dict | None = None) -> None:
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, env=env)


def _once(fn, repeats: int) -> Timing:
    """Timing of ``repeats`` single calls, without a warm-up call (for the long runs), in wall
    and CPU time (:func:`harness.process_clock`)."""
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = process_clock()
        fn()
        w1, c1 = process_clock()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)

    def timing(times, cpu=None):
        times = sorted(times)
        mid = times[len(times) // 2]
        return Timing(mid, times[0], times[-1], times[0], times[-1], repeats, 1, cpu)
    return timing(walls, timing(cpus))


def planning(bench: Bench) -> None:
    state = load_state(HUNDRED)
    bench.info("state", f"{len(state.cascades)} groups, {sum(g.count for g in state.cascades)} "
                        f"cascades, {len(state.stocks)} stock levels, "
                        f"{len(state.ladder().steps)} step variants")
    for model in ("repiped", "as-built"):
        def cold(m=model):
            step_rate.cache_clear()
            plan_breakout(state, 1, model=m)
        bench.check(f"plan, {model}, cold (physics included)", measure(cold, repeats=3),
                    target=2.0)
        bench.check(f"plan, {model}, rates in memory", measure(
            lambda m=model: plan_breakout(state, 1, model=m), repeats=5))
        with tempfile.TemporaryDirectory() as tmp:
            _cached_plan(state, model, tmp)                      # fills the folder

            def from_disk(m=model, folder=tmp):
                step_rate.cache_clear()
                _cached_plan(state, m, folder)
            bench.check(f"plan, {model}, from the disk cache", measure(from_disk, repeats=5))


def _cached_plan(state, model, folder):
    with using_cache(ResultCache(folder)):
        return plan_breakout(state, 1, model=model)


def sampling(bench: Bench, big: bool) -> None:
    for path, n_sq in ((FEB_2023, 1), (HUNDRED, 5)):
        state = load_state(path)
        plan = plan_breakout(state, n_sq)
        monte_carlo(state, n_sq, samples=1000, plan=plan)        # rates of the three ratings
        label = path.stem
        bench.check(f"Monte Carlo {label}, 10,000 samples (rates in memory)", measure(
            lambda s=state, k=n_sq, p=plan: monte_carlo(s, k, samples=10_000, plan=p),
            repeats=3, warmup=0), target=5.0)
        series = {}
        for n, repeats in ((1_000, 5), (10_000, 3), (100_000, 1)):
            series[n] = _once(lambda s=state, k=n_sq, p=plan, n=n:
                              monte_carlo(s, k, samples=n, plan=p), repeats)
        if big or series[100_000].median < BIG_BUDGET:
            series[1_000_000] = _once(lambda s=state, k=n_sq, p=plan:
                                      monte_carlo(s, k, samples=1_000_000, plan=p), 1)
        else:
            bench.info(f"Monte Carlo {label}, 1e6 samples", "not run: 1e5 took "
                       f"{series[100_000].median:.1f} s (> {BIG_BUDGET:g} s); --big runs it")
        bench.scaling(f"Monte Carlo {label}, time in samples", series, max_exponent=1.1,
                      unit="samples")


def command_line(bench: Bench) -> None:
    """Child processes as on a user's machine: Python keeps bytecode (PYTHONDONTWRITEBYTECODE
    unset; an installed package has it anyway; without it ~40 modules are compiled on every
    call, ~0.1-0.4 s more on this machine)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    bench.info("load", _load())
    bench.check("yardstick: python -c 'import numpy'",
                measure(lambda: _child("-c", "import numpy", env=env), repeats=5, warmup=1))
    args = ("-m", "enrichwatch", "breakout", str(FEB_2023), "--json")
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def cold():
            _child(*args, env=dict(env, ENRICHWATCH_CACHE_DIR=f"{tmp}/{next(counter)}"))

        bench.check("CLI feb-2023 --json, cold (empty cache)", measure(cold, repeats=5))
        warm = dict(env, ENRICHWATCH_CACHE_DIR=f"{tmp}/warm")
        _child(*args, env=warm)                                  # fills the cache
        bench.check("CLI feb-2023 --json, repeated call", measure(
            lambda: _child(*args, env=warm), repeats=9), target=1.0)
        bench.check("CLI feb-2023 --json --no-cache", measure(
            lambda: _child(*args, "--no-cache", env=warm), repeats=5))
        mc = (*args, "--samples", "10000")
        _child(*mc, env=warm)                    # the rates at the low and high ratings too
        bench.check("CLI feb-2023 --samples 10000 --json, repeated call", measure(
            lambda: _child(*mc, env=warm), repeats=5))
        bench.check("CLI feb-2023 --samples 10000 --json --no-cache", measure(
            lambda: _child(*mc, "--no-cache", env=warm), repeats=5))
    bench.info("load", _load())


def outlook(bench: Bench) -> None:
    """The web outlook's timelines 2016-2025, once on a fresh cache folder, then from the
    filled folder with the in-memory rates emptied (a later start of the server)."""
    from enrichwatch.web.service import Outlook

    with tempfile.TemporaryDirectory() as tmp:
        saved = os.environ.get("ENRICHWATCH_CACHE_DIR")
        os.environ["ENRICHWATCH_CACHE_DIR"] = tmp
        try:
            def run() -> None:
                step_rate.cache_clear()
                view = Outlook().compute()
                if view.state != "ready":
                    raise RuntimeError(f"the outlook failed: {view.error}")
            bench.check("web outlook 2016-2025, fresh cache (cold)", _once(run, 1),
                        target=100.0)
            bench.info("rates computed cold", f"{step_rate.cache_info().misses} distinct "
                                              "cascade-step rates")
            bench.check("web outlook 2016-2025, cache filled (a later start)", _once(run, 3),
                        target=10.0)
        finally:
            if saved is None:
                os.environ.pop("ENRICHWATCH_CACHE_DIR", None)
            else:
                os.environ["ENRICHWATCH_CACHE_DIR"] = saved


def main() -> None:
    bench = Bench("breakout")
    bench.info("load", _load())
    if "--outlook" in sys.argv:
        outlook(bench)
        main_exit(bench)
        return
    command_line(bench)
    planning(bench)
    sampling(bench, "--big" in sys.argv)
    bench.info("load", _load())
    main_exit(bench)


if __name__ == "__main__":
    main()
