"""Plots of detection: one misuse's CDF, and detection against breakout over the years.

Both take an optional matplotlib ``ax`` and return it; without one they draw on a new figure
(Agg canvas, no pyplot state).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import DAYS_PER_MONTH
from .detect import DetectionResult
from .timeline import DetectionTimeline, _when

__all__ = ["plot_detection", "plot_detection_timeline"]

_BREAKOUT, _DETECT, _GOAL = "#b2182b", "#2166ac", "0.45"


def _axes(ax, size):
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _horizon(result: DetectionResult) -> float:
    m, d = result.misuse, result.distribution
    finite = [x for x in (d.p90, m.completion_days, m.timeliness_days, m.observed_days)
              if x is not None and math.isfinite(x)]
    return 1.25 * max(finite)


def plot_detection(result: DetectionResult, ax=None):
    """Probability of detection against days since the misuse began, with the time to one
    SQ, the IAEA timeliness goal and an observed detection marked; for a breakout, the uranium
    at 90 % produced on a second axis.

    Parameters
    ----------
    result : DetectionResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.5, 4.0))
    m, d = result.misuse, result.distribution
    t, f = d.grid(_horizon(result), 400)
    ax.plot(t, f, color=_DETECT, lw=2, label="P(detected by t)", gid="detection-cdf")
    for q, x in ((0.5, d.median), (0.9, d.p90)):
        if math.isfinite(x):
            ax.plot([x], [q], "o", color=_DETECT, ms=5, gid=f"detection-p{int(100 * q)}")
            ax.annotate(f"P{int(100 * q)} {x:.3g} d", (x, q), textcoords="offset points",
                        xytext=(6, -10), fontsize=8, color=_DETECT)
    ax.axvline(m.timeliness_days, color=_GOAL, ls="--", lw=1, gid="timeliness",
               label=f"IAEA timeliness goal ({m.timeliness_days:.3g} d)")
    if m.completion_days is not None:
        ax.axvline(m.completion_days, color=_BREAKOUT, lw=1.5, gid="completion",
                   label=f"1 SQ exists ({m.completion_days:.3g} d)")
    if m.observed_days is not None:
        ax.axvline(m.observed_days, color="k", ls=":", lw=1.5, gid="observed",
                   label=f"observed detection ({m.observed_days:g} d: "
                         f"P = {result.observed_probability:.2f})")
    if m.breakout is not None and m.breakout.heu:
        twin = ax.twinx()
        twin.plot(t, m.breakout.heu_at(t), color=_BREAKOUT, alpha=0.45, lw=1,
                  gid="heu-profile")
        twin.set_ylabel("kg U at 90 % produced", color=_BREAKOUT, fontsize=8)
        twin.tick_params(labelsize=8, colors=_BREAKOUT)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(0.0, t[-1])
    ax.set_xlabel("days since the misuse began")
    ax.set_ylabel("probability of detection")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def _series(timeline: DetectionTimeline):
    rows = timeline.rows
    x = np.array([_when(r.date) for r in rows])
    b = np.array([np.nan if r.breakout_days is None else r.breakout_days for r in rows])
    med = np.array([r.detection_median_days for r in rows])
    p90 = np.array([r.detection_p90_days for r in rows])
    return x, b, med, p90


def _eras(ax, timeline: DetectionTimeline, eras, top: float) -> None:
    first = _when(timeline.rows[0].date)
    for e in eras:
        if e.start < first:
            continue
        ax.axvline(e.start, color="0.75", ls=":", lw=0.8, gid=f"era-{e.start.isoformat()}")
        ax.text(e.start, top, " " + (e.short or e.label), rotation=90, fontsize=7.5,
                va="top", ha="right", color="0.35")


def plot_detection_timeline(timeline: DetectionTimeline, ax=None, *, eras=None):
    """Detection against breakout at each report date (log scale): days to one SQ, the
    median detection time with its band to the 90th percentile, the margin shaded (red: one
    SQ before likely detection), dates with no verification marked at the top, the IAEA
    timeliness goal dashed, and the regime's eras marked (``eras``: :class:`~.regime.Era`
    entries; default the timeline's).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.6, 4.8))          # shown unscaled down to an 800 px wide window
    x, b, med, p90 = _series(timeline)
    finite = np.concatenate([v[np.isfinite(v)] for v in (b, med, p90)] + [[1.0]])
    low, top = min(0.1, 0.5 * finite.min()), max(1000.0, 2.0 * finite.max())
    none = ~np.isfinite(med)
    med_plot, p90_plot = np.where(none, top, med), np.where(np.isfinite(p90), p90, top)
    ok = np.isfinite(b)
    ax.fill_between(x, b, med_plot, where=ok & (med_plot > b), interpolate=True,
                    color=_BREAKOUT, alpha=0.18, lw=0, gid="margin-late",
                    label="1 SQ before likely detection")
    ax.fill_between(x, b, med_plot, where=ok & (med_plot <= b), interpolate=True,
                    color="#1a9850", alpha=0.15, lw=0, gid="margin-early",
                    label="likely detected first")
    ax.fill_between(x[~none], med[~none], p90_plot[~none], color=_DETECT, alpha=0.15, lw=0,
                    gid="detection-band", label="detection: median to 90th percentile")
    ax.plot(x[ok], b[ok], "o-", color=_BREAKOUT, ms=4, lw=2, gid="breakout",
            label="breakout: days to 1 SQ")
    ax.plot(x[~none], med[~none], "s-", color=_DETECT, ms=4, lw=2, gid="detection",
            label="detection: median days")
    if none.any():
        ax.plot(x[none], np.full(none.sum(), top), "v", color=_DETECT, ms=8,
                gid="no-verification", label="no verification: never detected")
    ax.axhline(timeline.timeliness_days, color=_GOAL, ls="--", lw=1, gid="timeliness",
               label=f"IAEA timeliness goal ({timeline.timeliness_days / DAYS_PER_MONTH:g} "
                     "month)")
    _eras(ax, timeline, timeline.eras if eras is None else eras, top)
    ax.set_yscale("log")
    ax.set_ylim(low, top * 1.6)
    ax.set_ylabel("days from the start of a breakout")
    ax.set_xlabel("IAEA report date (regime then in force)")
    ax.set_title("Would verification see a breakout in time?", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
              frameon=False)
    return ax
