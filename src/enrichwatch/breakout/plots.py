"""Plots of a breakout plan and of its Monte Carlo distribution (matplotlib, lazy import).

Each function takes an optional ``ax`` and returns the axes it drew on; without ``ax`` a new
:class:`matplotlib.figure.Figure` is made directly (Agg canvas, no pyplot state). Artists that
tests and reports look for carry a ``gid``: ``"entry-<i>"`` (bar of the i-th schedule entry),
``"histogram"``, ``"percentile-<p>"`` and ``"nominal"``. The timeline plot is
:func:`enrichwatch.breakout.timeline.plot_timeline`.

Examples
--------
>>> from enrichwatch.breakout import calibration_state, plan_breakout
>>> plan = plan_breakout(calibration_state("may-2025"))
>>> ax = plot_schedule(plan)
>>> sorted(p.get_gid() for p in ax.patches)[:2]
['entry-0', 'entry-1']
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["log_days_axis", "plot_distribution", "plot_schedule", "plot_tornado"]

_STEP_COLORS = ("#1b7837", "#762a83", "#2166ac", "#b2182b", "#e08214", "#4d4d4d")


def _axes(ax, size):
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def plot_schedule(plan, ax=None):
    """Gantt chart of a :class:`~.results.BreakoutPlan`: one row per (group, units), bars
    coloured by the step's product level, labelled with the feed -> product assays.

    Parameters
    ----------
    plan : BreakoutPlan
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    entries = plan.schedule
    ax = _axes(ax, (7.6, 0.9 + 0.35 * max(4, len(entries))))
    rows: list[str] = []
    levels = sorted({e.product_wt_pct for e in entries})
    for i, e in enumerate(entries):
        label = f"{e.group} {e.units_label}"
        if label not in rows:
            rows.append(label)
        y = rows.index(label)
        color = _STEP_COLORS[levels.index(e.product_wt_pct) % len(_STEP_COLORS)]
        ax.barh(y, e.end_day - e.start_day, left=e.start_day, color=color, alpha=0.8,
                gid=f"entry-{i}")
        if e.end_day - e.start_day > 0.12 * max(plan.days_to_n_sq, 1e-9):   # room to label
            ax.text(e.start_day + 0.5 * (e.end_day - e.start_day), y,
                    f"{e.feed_wt_pct:.3g}->{e.product_wt_pct:.3g} %", ha="center",
                    va="center", fontsize=8, color="white")
    ax.set_yticks(range(len(rows)), rows, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("days from the start of breakout")
    ax.set_title(f"{plan.state}: {plan.days_to_n_sq:.3g} days to {plan.n_sq:g} SQ "
                 f"({plan.model})", fontsize=9)
    if np.isfinite(plan.lower_bound.days):
        ax.axvline(plan.lower_bound.days, color="0.3", ls="--", lw=1, gid="bound")
    _schedule_legend(ax, levels, plan.lower_bound.days)
    return ax


def _schedule_legend(ax, levels, bound_days: float) -> None:
    """Which colour is which product level, and the dashed ideal-SWU bound."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list = [Patch(color=_STEP_COLORS[i % len(_STEP_COLORS)], alpha=0.8,
                           label=f"step to {level:.3g} %") for i, level in enumerate(levels)]
    if np.isfinite(bound_days):
        handles.append(Line2D([], [], color="0.3", ls="--", lw=1,
                              label=f"ideal-SWU lower bound ({bound_days:.3g} d)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=min(len(handles), 4), fontsize=8, frameon=False)


def plot_distribution(dist, ax=None, bins: int = 60):
    """Histogram of a :class:`~.montecarlo.BreakoutDistribution` with its 5th, 50th and 95th
    percentiles and the nominal plan's time.

    Parameters
    ----------
    dist : BreakoutDistribution
    ax : matplotlib Axes, optional
    bins : int

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (6.4, 3.9))
    days = dist.days[np.isfinite(dist.days)]
    ax.hist(days, bins=bins, color="#2166ac", alpha=0.7, gid="histogram",
            label=f"samples ({days.size} of {dist.days.size} reach the target)")
    tails = [p for p, v in dist.percentiles.items() if p != 50 and np.isfinite(v)]
    for p, v in dist.percentiles.items():
        if np.isfinite(v):
            label = (f"median ({v:.3g} d)" if p == 50 else
                     f"{' and '.join(f'{q:g}th' for q in tails)} percentiles"
                     if p == tails[0] else None)
            ax.axvline(v, color="#b2182b", ls=":" if p != 50 else "-", gid=f"percentile-{p}",
                       label=label)
    ax.axvline(dist.nominal_days, color="0.2", ls="--", gid="nominal",
               label=f"nominal plan ({dist.nominal_days:.3g} d)")
    ax.set_xlabel(f"days to {dist.n_sq:g} SQ ({dist.model})")
    ax.set_ylabel("samples")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
              frameon=False)
    return ax


def plot_tornado(result, ax=None):
    """Tornado of a :class:`~.assess.ScenarioResult`: for each assumption, a bar from the days
    with it at its low value to the days with it at its high value (the others nominal),
    largest swing on top, the nominal days as a line. Bars carry ``gid`` ``"tornado-<i>"``.

    Parameters
    ----------
    result : ScenarioResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = list(result.tornado)
    ax = _axes(ax, (7.0, 0.6 + 0.4 * max(3, len(rows))))
    cap = 10.0 * max(result.days, 1e-9)
    for i, t in enumerate(rows):
        lo, hi = (min(x, cap) for x in (t.days_low, t.days_high))
        ax.barh(i, hi - lo, left=lo, color="#2166ac" if hi >= lo else "#b2182b", alpha=0.8,
                gid=f"tornado-{i}")
        ax.text(max(lo, hi), i, f" {t.low} / {t.high}", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [t.assumption for t in rows], fontsize=8.5)
    ax.invert_yaxis()
    ax.axvline(result.days, color="0.2", ls="--", gid="nominal")
    sc = result.scenario
    ax.set_xlabel(f"days to {result.n_sq:g} SQ ({result.sq_definition} SQ)")
    ax.set_title(f"{sc.kind} scenario {sc.date}: what moves the answer (low / high)",
                 fontsize=9)
    return ax


def _plain(value: float, _pos=None) -> str:
    """A tick value as a plain number: 0.05, 1.5, 20, 1,000 (no powers of ten)."""
    return f"{value:,.0f}" if value >= 1e5 else f"{round(value, 9):,.6g}"


def log_days_axis(ax, axis: str = "y") -> None:
    """Label a logarithmic axis of days with plain numbers, far enough apart to read.

    Labels stand at 1, 2 and 5 times each power of ten when the axis spans one to four
    decades (1, 2, 5, 10, 20, 50, 100 ...), at the powers of ten alone beyond four, and at
    evenly spaced round numbers (1.2, 1.4, 1.6 ...) within a span of less than one decade;
    minor ticks are unlabelled. Call it after the data are drawn (it reads the limits).

    Parameters
    ----------
    ax : matplotlib Axes
        With a log-scaled ``axis``.
    axis : {'y', 'x'}
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    which = ax.yaxis if axis == "y" else ax.xaxis
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    decades = math.log10(hi / lo) if 0 < lo < hi else 1.0
    if decades < 1:
        which.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    else:
        which.set_major_locator(LogLocator(base=10, subs=(1.0,) if decades > 4
                                           else (1.0, 2.0, 5.0), numticks=30))
    which.set_major_formatter(FuncFormatter(_plain))
    which.set_minor_locator(LogLocator(base=10, subs=tuple(float(k) for k in range(2, 10)),
                                       numticks=30))
    which.set_minor_formatter(NullFormatter())
