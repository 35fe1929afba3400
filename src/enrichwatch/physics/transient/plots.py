"""Plots of a transient run (matplotlib, imported only when a plot is made).

Each function takes an optional ``ax`` and returns the axes it drew on; without ``ax`` a new
:class:`matplotlib.figure.Figure` is made directly (Agg canvas, no pyplot state). Nothing here
computes physics: the curves are the arrays of a :class:`~.results.TransientResult` and of a
:class:`~.uncertainty.Sweep`. Artists that tests and reports look for carry a ``gid``:
``"stream-<name>"``, ``"threshold-<pct>"``, ``"segment-<i>"`` (shaded span of segment i),
``"assay-map"`` and ``"run-<i>"`` (the i-th run of a sweep).

Examples
--------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> r = SimpleNamespace(times_h=np.array([0.0, 1.0, 1.0, 2.0]), segment_of=np.array([0, 0, 1, 1]),
...                     streams={"B.product": np.array([0.5, 0.6, 0.6, 0.7])}, thresholds=(0.6,),
...                     segments=())
>>> ax = plot_streams(r, ["B.product"])
>>> sorted(str(l.get_gid()) for l in ax.lines)
['stream-B.product', 'threshold-60']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["plot_assay_map", "plot_streams", "plot_sweep"]

_COLORS = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#4d4d4d")


def _axes(ax, size):
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _segments(ax, result) -> None:
    for k, seg in enumerate(result.segments):
        if k % 2:
            ax.axvspan(seg.start_h, seg.end_h, color="#f0f0f0", zorder=0, gid=f"segment-{k}")
        ax.text(0.5 * (seg.start_h + seg.end_h), 1.0, seg.name, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7.5, color="#5b636b", clip_on=False)


def plot_streams(result, streams: Sequence[str], ax=None, labels=None):
    """U-235 assay [wt%] of the given streams against time [h], the thresholds dashed and the
    segments shaded in turn.

    Parameters
    ----------
    result : TransientResult
    streams : sequence of str
        Names of watched points (``"B.product"``, ``"anywhere"``, ...).
    ax : matplotlib Axes, optional
    labels : mapping, optional
        Display names of the streams.
    """
    ax = _axes(ax, (8.0, 3.6))
    _segments(ax, result)
    for k, name in enumerate(streams):
        ax.plot(result.times_h, 100 * result.streams[name], color=_COLORS[k % len(_COLORS)],
                lw=1.4, label=(labels or {}).get(name, name), gid=f"stream-{name}")
    for a in result.thresholds:
        ax.axhline(100 * a, color="#5b636b", ls="--", lw=0.8, gid=f"threshold-{100 * a:g}")
        ax.text(result.times_h[-1], 100 * a, f" {100 * a:g} %", va="center", fontsize=7.5,
                color="#5b636b")
    ax.set_xlabel("time [h]")
    ax.set_ylabel("U-235 [wt%]")
    ax.set_xlim(result.times_h[0], result.times_h[-1])
    ax.legend(loc="best", fontsize=7.5, frameon=False)
    return ax


def plot_assay_map(result, ax=None):
    """Stage-by-time map of the hold-up assay [wt%]: time across, stages up (cascades stacked
    in order, tails end at the bottom of each, a white line between cascades)."""
    ax = _axes(ax, (8.0, 4.2))
    stages = np.arange(len(result.stage_labels) + 1) - 0.5
    mesh = ax.pcolormesh(_edges(result.times_h), stages, 100 * result.stage_assays.T,
                         cmap="viridis", shading="flat", gid="assay-map", rasterized=True)
    ax.figure.colorbar(mesh, ax=ax, label="U-235 [wt%]")
    names = [c for c, _ in result.stage_labels]
    ticks, labels = [], []
    for name in dict.fromkeys(names):
        idx = [i for i, c in enumerate(names) if c == name]
        ax.axhline(idx[0] - 0.5, color="white", lw=1.0)
        ticks.append(0.5 * (idx[0] + idx[-1]))
        labels.append(f"{name}\n(stages 0-{len(idx) - 1})")
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.set_xlabel("time [h]")
    return ax


def _edges(times: np.ndarray) -> np.ndarray:
    """Cell edges around grid times (duplicated boundary times give zero-width cells)."""
    mid = 0.5 * (times[1:] + times[:-1])
    return np.concatenate([[times[0]], mid, [times[-1]]])


def plot_sweep(sweep, stream: str, ax=None, label: str | None = None):
    """One stream's assay [wt%] against time in every run of a sweep (nominal bold)."""
    ax = _axes(ax, (8.0, 3.4))
    nominal = sweep.nominal
    _segments(ax, nominal)
    for k, (inp, setting, r) in enumerate(sweep.runs):
        bold = k == 0
        ax.plot(r.times_h, 100 * r.streams[stream], lw=1.8 if bold else 0.9,
                color="#1f2328" if bold else _COLORS[k % len(_COLORS)],
                alpha=1.0 if bold else 0.8, gid=f"run-{k}",
                label="nominal" if bold else f"{inp} = {setting}")
    for a in nominal.thresholds:
        ax.axhline(100 * a, color="#5b636b", ls="--", lw=0.8)
    ax.set_xlabel("time [h]")
    ax.set_ylabel(f"{label or stream}: U-235 [wt%]")
    ax.set_xlim(nominal.times_h[0], nominal.times_h[-1])
    ax.legend(loc="best", fontsize=7.5, frameon=False)
    return ax
