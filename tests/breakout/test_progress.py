"""Progress of the breakout planner, Monte Carlo and timeline: true totals, counts that end at
them, and the same results with or without a progress."""

import numpy as np

from enrichwatch.breakout import breakout_timeline, monte_carlo, plan_breakout
from enrichwatch.breakout.cache import ResultCache, using_cache
from enrichwatch.parallel import RecordedProgress


def _rates(state) -> int:
    return len(state.cascades) * len(state.ladder().steps)


def test_planning_counts_every_rate_and_solve(ladder_state):
    rec = RecordedProgress()
    plan = plan_breakout(ladder_state, progress=rec)
    steps = _rates(ladder_state) + 2                     # fluid LP, whole-cascade MILP
    assert rec.phases == (("planning steps", steps, steps),)
    assert rec.events[-1] == ("close",)
    assert plan.days_to_n_sq == plan_breakout(ladder_state).days_to_n_sq


def test_two_sq_plan_one_more_solve(heu_state):
    rec = RecordedProgress()
    plan_breakout(heu_state, 2, progress=rec)
    steps = _rates(heu_state) + 3                        # and the MILP to the first SQ
    assert rec.phases == (("planning steps", steps, steps),)


def test_rates_read_from_the_cache_count_as_done(heu_state, tmp_path):
    with using_cache(ResultCache(tmp_path)):
        plan_breakout(heu_state)
        rec = RecordedProgress()
        plan_breakout(heu_state, progress=rec)
    steps = _rates(heu_state) + 2
    assert rec.phases == (("planning steps", steps, steps),)


def test_monte_carlo_counts_set_up_then_samples_and_changes_nothing(ladder_state):
    rec = RecordedProgress()
    a = monte_carlo(ladder_state, samples=1500, chunk_size=400, seed=3, progress=rec)
    b = monte_carlo(ladder_state, samples=1500, chunk_size=400, seed=3)
    assert np.array_equal(a.days, b.days)
    setup = 3 * _rates(ladder_state)
    assert rec.phases[-2:] == (
        ("Monte Carlo set-up: unit rates at the low, nominal and high ratings", setup, setup),
        ("Monte Carlo samples", 1500, 1500))
    assert [e for e in rec.events if e[0] == "advance"][-4:] == [("advance", 400)] * 3 + [
        ("advance", 300)]


def test_monte_carlo_on_dask_counts_every_sample(ladder_state, local_cluster):
    _, client = local_cluster
    rec = RecordedProgress()
    monte_carlo(ladder_state, samples=900, chunk_size=200, seed=1, client=client, progress=rec)
    assert rec.phases[-1] == ("Monte Carlo samples", 900, 900)


def test_timeline_counts_report_dates():
    rec = RecordedProgress()
    tl = breakout_timeline(models=(), since="2023", until="2024", progress=rec)
    assert len(tl.rows) > 1
    assert rec.phases == (("report dates", len(tl.rows), len(tl.rows)),)
    calls = []
    breakout_timeline(models=(), since="2023", until="2024",
                      progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i + 1, len(tl.rows)) for i in range(len(tl.rows))]
