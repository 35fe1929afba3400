"""The benchmark harness: exponent fit and verdicts (benchmarks themselves run on demand)."""

import importlib.util
import os
import platform
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_PATH = Path(__file__).parents[1] / "benchmarks" / "harness.py"
_spec = importlib.util.spec_from_file_location("bench_harness", _PATH)
harness = importlib.util.module_from_spec(_spec)
sys.modules["bench_harness"] = harness
_spec.loader.exec_module(harness)


@given(st.floats(0.2, 3.0), st.floats(1e-6, 1.0))
def test_exponent_of_a_power_law_is_recovered(k, c):
    sizes = [10, 30, 100, 300, 1000]
    assert harness.fit_exponent(sizes, [c * s**k for s in sizes]) == pytest.approx(k, rel=1e-9)


def test_exponent_needs_two_sizes():
    with pytest.raises(ValueError, match="two sizes"):
        harness.fit_exponent([10], [1.0])


def _timing(median):
    return harness.Timing(median, median, median, median, median, 3, 1)


def test_verdicts_against_targets(capsys):
    bench = harness.Bench("t")
    bench.check("fast", _timing(1e-3), target=2e-3)
    bench.check("slow", _timing(3e-3), target=2e-3)
    bench.check("rate", _timing(1.0), min_rate=1e7, per_call=2e7)
    bench.scaling("lin", {10: _timing(1.0), 100: _timing(10.0)}, max_exponent=1.2)
    bench.scaling("quad", {10: _timing(1.0), 100: _timing(100.0)}, max_exponent=1.2)
    assert bench.finish() == 1
    out = capsys.readouterr().out
    assert "[PASS] fast" in out and "[FAIL] slow" in out and "[PASS] rate" in out
    assert "[PASS] lin" in out and "[FAIL] quad" in out and "exponent 2.00" in out
    assert "3 PASS, 2 FAIL" in out


def test_measure_reports_median_and_spread():
    calls = []
    t = harness.measure(lambda: calls.append(1), repeats=5, number=10, warmup=2)
    assert len(calls) == 2 + 5 * 10
    assert t.q1 <= t.median <= t.q3 and t.minimum <= t.q1 and t.q3 <= t.maximum


class FakeClock:
    """A deterministic (wall, cpu) clock: each call of the timed function moves wall time by
    ``wall`` and CPU time by ``cpu`` seconds (a shared machine: wall > cpu)."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.now, self.step = [0.0, 0.0], (wall, cpu)

    def __call__(self) -> tuple[float, float]:
        return self.now[0], self.now[1]

    def work(self) -> None:
        self.now[0] += self.step[0]
        self.now[1] += self.step[1]


def _measured(wall: float, cpu: float, **kw):
    clock = FakeClock(wall, cpu)
    return harness.measure(clock.work, repeats=5, number=4, warmup=1, clock=clock, **kw)


def test_measure_records_wall_and_cpu_time_per_call():
    t = _measured(3e-3, 1e-3)
    assert t.median == pytest.approx(3e-3) and t.cpu.median == pytest.approx(1e-3)
    assert t.spread == pytest.approx(0) and t.cpu.spread == pytest.approx(0)
    assert (t.repeats, t.number, t.cpu.repeats, t.cpu.number) == (5, 4, 5, 4)
    assert "wall median 3 ms" in t.text() and "cpu median 1 ms" in t.text()


def test_number_of_calls_comes_from_the_wall_clock():
    slow = FakeClock(1.5, 0.1)
    assert harness.measure(slow.work, repeats=2, warmup=1, budget=2.0, clock=slow).number == 1
    clock_t = FakeClock(0.01, 0.001)
    t = harness.measure(clock_t.work, repeats=2, warmup=1, budget=2.0, clock=clock_t)
    assert t.number == 100                   # 2 s / 2 repeats / 10 ms a call
    assert t.median == pytest.approx(0.01) and t.cpu.median == pytest.approx(0.001)


def test_the_process_clock_counts_children_cpu_time():
    import subprocess

    before = harness.process_clock()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    after = harness.process_clock()
    children = after[1] - before[1]
    assert children > 0.05                   # the child's loop, not this process's waiting


@pytest.mark.parametrize(("verdict", "tag", "clock"), [("wall", "FAIL", "wall"),
                                                       ("cpu", "PASS", "CPU")])
def test_verdict_uses_the_chosen_clock_and_says_which(capsys, verdict, tag, clock):
    bench = harness.Bench("t", verdict=verdict)
    bench.check("solve", _measured(3e-3, 1e-3), target=2e-3)
    bench.check("rate", _measured(2.0, 0.5), min_rate=1e7, per_call=1e7)
    out = capsys.readouterr().out
    assert f"verdicts on {clock} time" in out
    assert f"[{tag}] solve" in out and f"[{tag}] rate" in out
    assert f"verdict on {clock} time" in out
    assert "wall median 3 ms" in out and "cpu median 1 ms" in out     # both always printed
    assert bench.finish() == (1 if tag == "FAIL" else 0)
    assert f"on {clock} time" in capsys.readouterr().out


def test_scaling_fits_both_clocks_and_judges_the_chosen_one(capsys):
    # wall grows quadratically (others' load grows with it), CPU linearly
    series = {n: _measured(1e-6 * n * n, 1e-5 * n) for n in (10, 100, 1000)}
    for verdict, tag in (("wall", "FAIL"), ("cpu", "PASS")):
        bench = harness.Bench("t", verdict=verdict)
        exp = bench.scaling("cost", series, max_exponent=1.2)
        assert exp == pytest.approx(2.0 if verdict == "wall" else 1.0)
        out = capsys.readouterr().out
        assert "exponent 2.00 wall, 1.00 cpu" in out and f"[{tag}] cost" in out


def test_a_cpu_verdict_on_a_timing_without_cpu_time_says_it_used_wall(capsys):
    bench = harness.Bench("t", verdict="cpu")
    bench.check("by hand", _timing(1e-3), target=2e-3)
    out = capsys.readouterr().out
    assert "[PASS] by hand" in out and "cpu not recorded" in out
    assert "verdict on wall time (no CPU time recorded)" in out


@pytest.mark.parametrize(("argv", "env", "expected"), [
    ([], {}, "wall"),
    (["--verdict", "cpu"], {}, "cpu"),
    (["--big", "--verdict=cpu"], {}, "cpu"),
    ([], {"ENRICHWATCH_BENCH_VERDICT": "cpu"}, "cpu"),
    ([], {"ENRICHWATCH_BENCH_VERDICT": "CPU"}, "cpu"),
    (["--verdict", "wall"], {"ENRICHWATCH_BENCH_VERDICT": "cpu"}, "wall"),   # option wins
])
def test_verdict_clock_from_option_or_environment(argv, env, expected):
    assert harness.verdict_clock(argv, env) == expected


@pytest.mark.parametrize(("argv", "env", "named"), [
    (["--verdict", "gpu"], {}, "--verdict = 'gpu'"),
    (["--verdict"], {}, "--verdict = ''"),
    ([], {"ENRICHWATCH_BENCH_VERDICT": "fast"}, "ENRICHWATCH_BENCH_VERDICT = 'fast'"),
])
def test_a_bad_verdict_clock_is_refused_by_name(argv, env, named):
    with pytest.raises(SystemExit, match="expected wall or cpu") as err:
        harness.verdict_clock(argv, env)
    assert named in str(err.value)


def test_every_bench_says_on_which_machine_it_ran(capsys):
    harness.Bench("any", verdict="cpu")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  [INFO] machine: ")
    assert f"{os.cpu_count()} cores" in lines[1] and platform.python_version() in lines[1]
    assert "load average" in lines[1]
