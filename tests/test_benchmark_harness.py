"""The benchmark harness: exponent fit and verdicts (benchmarks themselves run on demand)."""

import importlib.util
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
