"""Plots of the evaluation: the records of a facility and the findings on a timeline
(matplotlib, imported only when a plot is made).

Like every plot of the package, :func:`plot_record_timeline` takes an optional ``ax`` and
returns the axes it drew on.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation import CaseRecord
>>> r = CaseRecord(1, "declaration", "X", date(2022, 11, 22), date(2022, 11, 18), None, "test")
>>> ax = plot_record_timeline([r])
>>> [line.get_gid() for line in ax.lines if line.get_gid()]
['record-1']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..physics.plots import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_record_timeline"]

# -- safeguards timeline ------------------------------------------------------------------------
_TIMELINE_ROWS = ("declaration", "inspection", "sample", "report", "stockpile",
                  "installed_machines", "finding")
_SEVERITY_COLOR = {"high": "#b2182b", "medium": "#e08214", "low": "#4d9221", "info": "#5b636b"}


def plot_record_timeline(records, findings=(), as_of=None, ax=None) -> Axes:
    """Timeline of records and findings: one row per record kind, a filled marker where a
    record applied (``valid_from``) joined to a hollow one where it became known (``known_on``),
    findings on their own row at the date of their first evidence, and the as-of date dashed.

    ``records`` are record objects (``id, kind, valid_from, known_on``); ``facility`` and
    ``party`` records are left out. Artists carry gids ``"record-<id>"`` and ``"finding-<i>"``.
    """
    import matplotlib.dates as mdates

    shown = [r for r in records if r.kind in _TIMELINE_ROWS]
    rows = [k for k in _TIMELINE_ROWS if k == "finding" and findings
            or any(r.kind == k for r in shown)]
    ax = ax if ax is not None else new_axes(10.0, 0.55 * len(rows) + 1.4)
    y = {kind: len(rows) - 1 - i for i, kind in enumerate(rows)}
    by_id = {r.id: r for r in shown}
    for r in shown:
        _timeline_record(ax, r, y[r.kind])
    for i, f in enumerate(findings):
        dates = [by_id[e].valid_from for e in f.evidence if e in by_id]
        if dates:
            ax.plot([dates[0]], [y["finding"]], marker="D", ms=9, ls="none", gid=f"finding-{i}",
                    color=_SEVERITY_COLOR.get(f.severity, "black"))
            ax.annotate(f"F{i + 1}", (dates[0], y["finding"]), xytext=(0, 8),
                        textcoords="offset points", ha="center", fontsize=8)
    if as_of is not None:
        ax.axvline(as_of, color="#5b636b", ls="--", lw=1)
        ax.annotate(f"as of {as_of}", (as_of, len(rows) - 0.5), fontsize=8, ha="right",
                    xytext=(-3, 0), textcoords="offset points", color="#5b636b")
    ax.set_yticks(list(y.values()), [k.replace("_", " ") for k in y])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    ax.grid(axis="x", color="#d0d7de", lw=0.6)
    ax.set_title("Records by when they applied (filled) and became known (hollow)", fontsize=10)
    return ax


def _timeline_record(ax, record, y: float) -> None:
    start, known = record.valid_from, record.known_on
    if known != start:
        ax.plot([start, known], [y, y], color="#8c96a0", lw=1.2)
        ax.plot([known], [y], marker="o", ms=7, mfc="white", mec="#1f2328", ls="none")
    ax.plot([start], [y], marker="o", ms=7, color="#1f2328", ls="none", gid=f"record-{record.id}")
    ax.annotate(f"#{record.id}", (start, y), xytext=(0, -13), textcoords="offset points",
                ha="center", fontsize=7.5, color="#1f2328")
