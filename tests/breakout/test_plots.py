"""Breakout plots (``breakout.plots``): the schedule and the Monte Carlo histogram say what
their colours and lines are (issue 16: neither had a legend)."""

import pytest

from enrichwatch.breakout import (
    calibration_state,
    monte_carlo,
    plan_breakout,
    plot_distribution,
    plot_schedule,
)


@pytest.fixture(scope="module")
def feb_2023():
    state = calibration_state("feb-2023")
    plan = plan_breakout(state)
    return plan, monte_carlo(state, samples=50, seed=0, plan=plan)


def test_schedule_legend_names_every_product_level_and_the_bound(feb_2023):
    plan, _ = feb_2023
    legend = [t.get_text() for t in plot_schedule(plan).get_legend().get_texts()]
    levels = sorted({e.product_wt_pct for e in plan.schedule})
    assert legend[:len(levels)] == [f"step to {v:.3g} %" for v in levels]
    assert legend[-1] == f"ideal-SWU lower bound ({plan.lower_bound.days:.3g} d)"


def test_distribution_legend_names_the_histogram_and_each_line(feb_2023):
    _, dist = feb_2023
    ax = plot_distribution(dist)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    reaching = int((dist.days < float("inf")).sum())
    assert sorted(legend) == sorted([
        f"median ({dist.percentiles[50]:.3g} d)", "5th and 95th percentiles",
        f"nominal plan ({dist.nominal_days:.3g} d)",
        f"samples ({reaching} of {dist.days.size} reach the target)"])
