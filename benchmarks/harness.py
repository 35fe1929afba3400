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
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import math  # noqa: E402
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

__all__ = ["Bench", "Timing", "fit_exponent", "measure", "scaling"]


@dataclass(frozen=True)
class Timing:
    """Median time per call [s] with its spread over repeats."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    repeats: int
    number: int

    @property
    def spread(self) -> float:
        """Interquartile range per call [s]."""
        return self.q3 - self.q1

    def text(self) -> str:
        return (f"median {_fmt(self.median)} (IQR {_fmt(self.spread)}, "
                f"min {_fmt(self.minimum)}, max {_fmt(self.maximum)}; "
                f"{self.repeats} repeats x {self.number})")


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def measure(fn: Callable[[], object], *, repeats: int = 7, number: int | None = None,
            warmup: int = 1, budget: float = 2.0) -> Timing:
    """Time ``fn``: ``warmup`` untimed calls, then ``repeats`` timings of ``number`` calls.

    ``number`` defaults to enough calls for one repeat to last ~``budget / repeats`` seconds
    (at least one), estimated from the warm-up call.
    """
    t0 = time.perf_counter()
    for _ in range(max(warmup, 1)):
        fn()
    one = max((time.perf_counter() - t0) / max(warmup, 1), 1e-7)
    if number is None:
        number = max(1, int(budget / repeats / one))
    per_call = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        per_call.append((time.perf_counter() - t) / number)
    q = statistics.quantiles(per_call, n=4, method="inclusive") if repeats > 1 else per_call * 3
    return Timing(statistics.median(per_call), q[0], q[2], min(per_call), max(per_call),
                  repeats, number)


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
    """Collects checks and prints one line per check with its verdict."""

    title: str
    results: list[tuple[str, bool | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        print(f"== {self.title} (one thread; median over repeats, IQR as spread)")

    def _verdict(self, label: str, ok: bool | None, detail: str) -> None:
        tag = "INFO" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  [{tag}] {label}: {detail}")
        self.results.append((label, ok))

    def check(self, label: str, timing: Timing, *, target: float | None = None,
              min_rate: float | None = None, per_call: int = 1, note: str = "") -> Timing:
        """Report ``timing`` against ``target`` [s per call] or ``min_rate`` [items/s]."""
        detail = timing.text()
        ok: bool | None = None
        if target is not None:
            ok = timing.median < target
            detail += f"; target < {_fmt(target)}"
        if min_rate is not None:
            rate = per_call / timing.median
            ok = rate >= min_rate if ok is None else (ok and rate >= min_rate)
            detail += f"; {rate:,.3g} /s, target >= {min_rate:,.3g} /s"
        if note:
            detail += f" ({note})"
        self._verdict(label, ok, detail)
        return timing

    def info(self, label: str, text: str) -> None:
        self._verdict(label, None, text)

    def scaling(self, label: str, series: Mapping[int, Timing], *,
                max_exponent: float | None = None, unit: str = "n") -> float:
        """Print a scaling series and its fitted exponent, with a verdict if a bound is set."""
        sizes = sorted(series)
        exp = fit_exponent([float(s) for s in sizes], [series[s].median for s in sizes])
        rows = ", ".join(f"{unit}={s}: {_fmt(series[s].median)}" for s in sizes)
        detail = f"{rows}; exponent {exp:.2f}"
        ok = None
        if max_exponent is not None:
            ok = exp <= max_exponent
            detail += f", target <= {max_exponent}"
        self._verdict(label, ok, detail)
        return exp

    def finish(self) -> int:
        failed = [label for label, ok in self.results if ok is False]
        passed = sum(1 for _, ok in self.results if ok)
        print(f"== {self.title}: {passed} PASS, {len(failed)} FAIL"
              + (f" ({'; '.join(failed)})" if failed else ""))
        return 1 if failed else 0


def main_exit(bench: Bench) -> None:
    """Finish ``bench`` and exit with its status (for ``if __name__ == '__main__'``)."""
    sys.exit(bench.finish())
