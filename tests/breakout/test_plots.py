"""Breakout plots (``breakout.plots``): the schedule and the Monte Carlo histogram say what
their colours and lines are (issue 16: neither had a legend)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _visible_labels(ax):
    """(text, window box) of the y tick labels matplotlib draws inside the axis limits."""
    canvas = ax.figure.canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    lo, hi = ax.get_ylim()
    ticks = [(t.label1.get_text(), t.label1.get_window_extent(renderer))
             for t in ax.yaxis.get_major_ticks() if t.label1.get_visible()
             and lo <= t.get_loc() <= hi and t.label1.get_text()]
    return sorted(ticks, key=lambda t: t[1].y0)


@given(low=st.floats(0.01, 300.0), decades=st.floats(0.15, 6.0))
@settings(max_examples=40, deadline=None)
def test_log_days_axis_reads_plain_numbers_that_never_touch(low, decades):
    """Issue 16: the timeline's log axis read 10^0, 10^1 in small superscripts (or showed one
    label in a short span). Any span: at least two labels, plain numbers, apart."""
    from enrichwatch.breakout.plots import _axes, log_days_axis

    ax = _axes(None, (8.0, 4.2))
    ax.plot([0, 1], [low, low * 10**decades])
    ax.set_yscale("log")
    log_days_axis(ax)
    labels = _visible_labels(ax)
    assert len(labels) >= 2, (low, decades, labels)
    assert all(re.fullmatch(r"\d[\d,]*(\.\d+)?", text) for text, _ in labels), labels
    for (_, a), (_, b) in zip(labels, labels[1:], strict=False):
        assert b.y0 - a.y1 >= 0.5 * a.height, (labels, low, decades)
    values = [float(text.replace(",", "")) for text, _ in labels]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_the_timeline_uses_it(may_2025):
    from enrichwatch.breakout import breakout_timeline, plot_timeline

    ax = plot_timeline(breakout_timeline(models=(), since="2019", until="2026"))
    texts = [t for t, _ in _visible_labels(ax)]
    assert {"1", "10", "100"} <= set(texts) and not any("10^" in t for t in texts)
