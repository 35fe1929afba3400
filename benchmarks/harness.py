"""Benchmark harness: median and spread over repeats, a verdict against a target, and
scaling series with their fitted exponent.

Every benchmark script imports this module first; it pins numerical libraries to one thread
(environment variables before numpy loads, and threadpoolctl once it has), so the figures are
"on one core" as the issues state them.

Use::

    from harness import Bench, measure, scaling

    bench = Bench("fixed cascade")
    bench.check("S = 300", measure(lambda: solve(300)), target=5e-3)
    bench.scaling("cost in S", {s: measure(lambda s=s: solve(s)) for s in sizes}, max_exponent=1.2)
    bench.finish()          # prints the summary; exit status 1 if any check failed

A result is a :class:`Timing`: the median time per call, the interquartile spread, and the
number of repeats. Targets are upper bounds on the median in seconds (``target``) or lower bounds
on a rate (``min_rate``, per second, with ``per_call`` items in one call).

Each measurement records two clocks: wall time (``time.perf_counter``) and the CPU time of the
process (``time.process_time``) plus that of the child processes it waited for
(``resource.getrusage(RUSAGE_CHILDREN)``: subprocess benchmarks). Both are printed. On a shared
machine wall time counts the waits for other users' work; CPU time does not (but it misses time
spent waiting on disk, network or sleeping). The verdict uses wall time, or CPU time when the
script is run with ``--verdict cpu`` or with ``ENRICHWATCH_BENCH_VERDICT=cpu`` in the
environment; every verdict line and the summary say which clock decided.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Mapping  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

try:  # pin BLAS pools already loaded (numpy imported before this module)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
except ImportError:  # pragma: no cover - threadpoolctl ships with the test extra
    pass

__all__ = ["VERDICT_ENV", "Bench", "Timing", "fit_exponent", "machine", "measure",
           "process_clock", "scaling", "verdict_clock"]

#: Environment variable choosing the clock of the verdicts: ``wall`` (default) or ``cpu``.
VERDICT_ENV = "ENRICHWATCH_BENCH_VERDICT"
CLOCKS = ("wall", "cpu")


@dataclass(frozen=True)
class Timing:
    """Median time per call [s] with its spread over repeats (wall time), and the same figures
    in CPU time of this process and its waited-for children (``cpu``; None when not recorded,
    e.g. a timing built by hand)."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    repeats: int
    number: int
    cpu: Timing | None = None

    @property
    def spread(self) -> float:
        """Interquartile range per call [s]."""
        return self.q3 - self.q1

    def on(self, clock: str) -> Timing:
        """The figures of ``clock`` (``wall`` or ``cpu``); wall when CPU time is missing."""
        return self.cpu if clock == "cpu" and self.cpu is not None else self

    def _figures(self) -> str:
        return (f"median {_fmt(self.median)} (IQR {_fmt(self.spread)}, "
                f"min {_fmt(self.minimum)}, max {_fmt(self.maximum)})")

    def text(self) -> str:
        cpu = (f"; cpu {self.cpu._figures()}" if self.cpu is not None
               else "; cpu not recorded")
        return (f"wall {self._figures()}{cpu}; {self.repeats} repeats x {self.number}")


def machine() -> str:
    """The processor, cores and Python of this run: the figures of two machines differ (the
    same code has measured 1.4x apart on two machines of the same kind), so each run says
    where it was made."""
    model = "processor unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), model)
    except OSError:  # pragma: no cover - not Linux
        pass
    load = ("/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg")
            else "unknown")
    return f"{model}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {load}"


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def process_clock() -> tuple[float, float]:
    """(wall, cpu) now [s]: ``perf_counter``, and the CPU time (user + system) of this process
    and of the children it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.perf_counter(),
            time.process_time() + children.ru_utime + children.ru_stime)


def _summary(per_call: list[float], repeats: int, number: int,
             cpu: Timing | None = None) -> Timing:
    q = statistics.quantiles(per_call, n=4, method="inclusive") if repeats > 1 else per_call * 3
    return Timing(statistics.median(per_call), q[0], q[2], min(per_call), max(per_call),
                  repeats, number, cpu)


def measure(fn: Callable[[], object], *, repeats: int = 7, number: int | None = None,
            warmup: int = 1, budget: float = 2.0,
            clock: Callable[[], tuple[float, float]] = process_clock) -> Timing:
    """Time ``fn``: ``warmup`` untimed calls, then ``repeats`` timings of ``number`` calls, each
    in wall and in CPU time (``clock()`` gives both; see :func:`process_clock`).

    ``number`` defaults to enough calls for one repeat to last ~``budget / repeats`` seconds
    of wall time (at least one), estimated from the warm-up call.
    """
    t0 = clock()[0]
    for _ in range(max(warmup, 1)):
        fn()
    one = max((clock()[0] - t0) / max(warmup, 1), 1e-7)
    if number is None:
        number = max(1, int(budget / repeats / one))
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = clock()
        for _ in range(number):
            fn()
        w1, c1 = clock()
        wall.append((w1 - w0) / number)
        cpu.append((c1 - c0) / number)
    return _summary(wall, repeats, number, _summary(cpu, repeats, number))


def verdict_clock(argv: list[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> str:
    """The clock of the verdicts: ``--verdict wall|cpu`` (or ``--verdict=...``) in ``argv``
    (default ``sys.argv``), else ``$ENRICHWATCH_BENCH_VERDICT``, else ``wall``.

    Raises
    ------
    SystemExit
        For any other value (naming where it came from and what is allowed).
    """
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    value, source = environ.get(VERDICT_ENV), VERDICT_ENV
    for i, arg in enumerate(argv):
        if arg == "--verdict":
            value = argv[i + 1] if i + 1 < len(argv) else ""
            source = "--verdict"
        elif arg.startswith("--verdict="):
            value, source = arg.partition("=")[2], "--verdict"
    if value is None or (source == VERDICT_ENV and value == ""):
        return "wall"
    if value.strip().lower() not in CLOCKS:
        raise SystemExit(f"error: {source} = {value!r} is not allowed: expected wall or cpu")
    return value.strip().lower()


def fit_exponent(sizes: list[float], times: list[float]) -> float:
    """Least-squares slope of log(time) against log(size): cost ~ size**exponent."""
    if len(sizes) < 2:
        raise ValueError("a scaling series needs at least two sizes")
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def scaling(fn_for: Callable[[int], Callable[[], object]], sizes: list[int],
            **measure_kw) -> dict[int, Timing]:
    """Measure ``fn_for(size)`` for each size."""
    return {n: measure(fn_for(n), **measure_kw) for n in sizes}


@dataclass
class Bench:
    """Collects checks and prints one line per check with its verdict, decided on the wall or
    the CPU clock (``verdict``; by default :func:`verdict_clock`)."""

    title: str
    results: list[tuple[str, bool | None]] = field(default_factory=list)
    verdict: str | None = None

    def __post_init__(self) -> None:
        self.verdict = verdict_clock() if self.verdict is None else self.verdict
        if self.verdict not in CLOCKS:
            raise ValueError(f"verdict = {self.verdict!r} is not allowed: expected wall or cpu")
        print(f"== {self.title} (one thread; median over repeats, IQR as spread; "
              f"verdicts on {self._clock_name()} time)")
        print(f"  [INFO] machine: {machine()}")

    def _clock_name(self) -> str:
        return "CPU" if self.verdict == "cpu" else "wall"

    def _verdict(self, label: str, ok: bool | None, detail: str) -> None:
        tag = "INFO" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  [{tag}] {label}: {detail}")
        self.results.append((label, ok))

    def _judged(self, timing: Timing) -> tuple[Timing, str]:
        """The figures the verdict uses and the name of their clock (wall when a CPU verdict
        was asked for but the timing has no CPU time)."""
        if self.verdict == "cpu" and timing.cpu is None:
            return timing, "wall time (no CPU time recorded)"
        return timing.on(str(self.verdict)), f"{self._clock_name()} time"

    def check(self, label: str, timing: Timing, *, target: float | None = None,
              min_rate: float | None = None, per_call: int = 1, note: str = "") -> Timing:
        """Report ``timing`` against ``target`` [s per call] or ``min_rate`` [items/s]."""
        detail = timing.text()
        judged, clock = self._judged(timing)
        ok: bool | None = None
        if target is not None:
            ok = judged.median < target
            detail += f"; target < {_fmt(target)}"
        if min_rate is not None:
            rate = per_call / judged.median if judged.median > 0 else math.inf
            ok = rate >= min_rate if ok is None else (ok and rate >= min_rate)
            detail += f"; {rate:,.3g} /s, target >= {min_rate:,.3g} /s"
        if ok is not None:
            detail += f"; verdict on {clock}"
        if note:
            detail += f" ({note})"
        self._verdict(label, ok, detail)
        return timing

    def info(self, label: str, text: str) -> None:
        self._verdict(label, None, text)

    def scaling(self, label: str, series: Mapping[int, Timing], *,
                max_exponent: float | None = None, unit: str = "n") -> float:
        """Print a scaling series in both clocks and the fitted exponent of each, with a
        verdict on the chosen clock's exponent if a bound is set."""
        sizes = sorted(series)
        exps = {}
        for name in CLOCKS:
            if name == "cpu" and any(series[s].cpu is None for s in sizes):
                continue
            times = [series[s].on(name).median for s in sizes]
            if name == "cpu" and min(times) <= 0:      # below the CPU clock's resolution
                continue
            exps[name] = fit_exponent([float(s) for s in sizes], times)
        rows = ", ".join(f"{unit}={s}: {_fmt(series[s].median)}"
                         + (f" (cpu {_fmt(series[s].cpu.median)})"
                            if series[s].cpu is not None else "") for s in sizes)
        detail = f"{rows}; exponent {exps['wall']:.2f} wall"
        detail += f", {exps['cpu']:.2f} cpu" if "cpu" in exps else " (cpu not recorded)"
        clock = (f"{self._clock_name()} time" if self.verdict == "wall" or "cpu" in exps
                 else "wall time (no CPU time recorded)")
        exp = exps["cpu"] if self.verdict == "cpu" and "cpu" in exps else exps["wall"]
        ok = None
        if max_exponent is not None:
            ok = exp <= max_exponent
            detail += f", target <= {max_exponent}; verdict on {clock}"
        self._verdict(label, ok, detail)
        return exp

    def finish(self) -> int:
        failed = [label for label, ok in self.results if ok is False]
        passed = sum(1 for _, ok in self.results if ok)
        print(f"== {self.title}: {passed} PASS, {len(failed)} FAIL on {self._clock_name()} time"
              + (f" ({'; '.join(failed)})" if failed else ""))
        return 1 if failed else 0


def main_exit(bench: Bench) -> None:
    """Finish ``bench`` and exit with its status (for ``if __name__ == '__main__'``)."""
    sys.exit(bench.finish())
