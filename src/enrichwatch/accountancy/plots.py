"""Plots of an accountancy analysis (matplotlib, lazy import): MUF with its +/-3 sigma band,
CUMUF with its band, SITMUF with Page's statistic and threshold, detection probability against
loss size.

Each function takes a :class:`~.study.QuantityAnalysis` (and for the last, its curves), an
optional ``ax``, and returns the axes it drew on; without ``ax`` a new figure is made directly
(Agg canvas, no pyplot state). Every plot has a legend; artists tests look for carry a ``gid``
(``"muf"``, ``"band"``, ``"sitmuf"``, ``"page-upper"``, ``"threshold"``, ``"curve-<test>-<i>"``).

Examples
--------
>>> from enrichwatch.accountancy.study_io import load_study
>>> from enrichwatch.accountancy.study import analyse
>>> q = analyse(load_study("examples/accountancy/abrupt-loss.toml"), iterations=100).quantity("U")
>>> ax = plot_muf(q)
>>> sorted(a.get_gid() for a in ax.get_children() if a.get_gid())
['alarm', 'band', 'muf', 'threshold']
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_cumuf", "plot_detection_curves", "plot_muf", "plot_sitmuf"]

_TESTS = (("page", "Page (within the horizon)", "#b2182b"), ("cumuf", "CUMUF (at the end)",
                                                               "#2166ac"),
          ("gemuf", "GEMUF (at the end)", "#1b7837"), ("muf", "MUF (best single balance)",
                                                       "#762a83"))
_STYLES = ("-", "--", ":", "-.")


def _axes(ax, size=(7.5, 3.2)):
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _unit(q) -> str:
    return "kg U" if q.quantity == "U" else "kg U-235"


def _x(q) -> np.ndarray:
    return np.arange(1, q.balance.periods.count + 1)


def _threshold_label(z: np.ndarray) -> str:
    same = float(np.ptp(z)) < 0.005
    return f"threshold {z[0]:.2f} σ" if same else f"threshold {z.min():.2f}-{z.max():.2f} σ"


def plot_muf(q, ax=None):
    """MUF of each balance with its +/-3 sigma-MUF band (exact covariance) and the
    single-balance threshold."""
    ax = _axes(ax)
    x, s = _x(q), q.covariance.sigma_muf
    ax.fill_between(x, -3 * s, 3 * s, color="0.85", label="±3 σ-MUF", gid="band", step="mid")
    ax.step(x, q.muf_z * s, where="mid", color="#b2182b", ls="--", lw=1,
            label=_threshold_label(q.muf_z), gid="threshold")
    ax.axhline(0.0, color="0.4", lw=0.8)
    ax.plot(x, q.balance.muf, "o-", color="#2166ac", label="MUF", gid="muf")
    alarms = q.muf_alarms
    if alarms.any():
        ax.plot(x[alarms], q.balance.muf[alarms], "o", mfc="none", mec="#b2182b", ms=11,
                label="alarm", gid="alarm")
    ax.set_xlabel("balance")
    ax.set_ylabel(f"MUF [{_unit(q)}]")
    ax.set_xticks(x)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_cumuf(q, ax=None):
    """CUMUF after each balance with its +/-3 sigma band (sigma of the sum, covariances
    included)."""
    ax = _axes(ax)
    x, s = _x(q), q.covariance.sigma_cumuf()
    ax.fill_between(x, -3 * s, 3 * s, color="0.85", label="±3 σ-CUMUF", gid="band")
    ax.axhline(0.0, color="0.4", lw=0.8)
    ax.plot(x, q.balance.cumuf, "s-", color="#1b7837", label="CUMUF", gid="cumuf")
    ax.set_xlabel("balance")
    ax.set_ylabel(f"CUMUF [{_unit(q)}]")
    ax.set_xticks(x)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_sitmuf(q, ax=None):
    """SITMUF of each balance and Page's statistic with its threshold h."""
    ax = _axes(ax)
    x = _x(q)
    ax.bar(x, q.sitmuf, color="0.6", width=0.6, label="SITMUF", gid="sitmuf")
    for stat, name, color in ((q.page_upper, "upper", "#b2182b"),
                              (q.page_lower, "lower", "#2166ac")):
        if stat is not None:
            ax.plot(x, stat, "o-", color=color, label=f"Page, {name} side", gid=f"page-{name}")
    ax.axhline(q.page.h, color="#b2182b", ls="--", lw=1,
               label=f"h = {q.page.h:.3g} (k = {q.page.k:g})", gid="threshold")
    ax.axhline(0.0, color="0.4", lw=0.8)
    ax.set_xlabel("balance")
    ax.set_ylabel("SITMUF, Page statistic [σ]")
    ax.set_xticks(x)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_detection_curves(q, ax=None):
    """Detection probability against loss size [SQ] for each scenario's pattern and test."""
    ax = _axes(ax, (7.5, 3.6))
    for i, curve in enumerate(q.curves):
        for key, label, color in _TESTS:
            ax.plot(curve.sq, getattr(curve, key), ls=_STYLES[i % len(_STYLES)], color=color,
                    label=f"{curve.scenario}: {label}", gid=f"curve-{key}-{i}")
    ax.axhline(q.page.alpha, color="0.5", lw=0.8, ls=":")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("loss [SQ]")
    ax.set_ylabel("detection probability")
    ax.legend(fontsize=7, loc="lower right")
    return ax
