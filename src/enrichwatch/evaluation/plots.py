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

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..dates import parse_date
from ..physics.plots import new_axes, place_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SEVERITY_COLORS", "finding_dates", "plot_record_timeline"]

# -- safeguards timeline ------------------------------------------------------------------------
_TIMELINE_ROWS = ("declaration", "inspection", "sample", "report", "stockpile",
                  "installed_machines", "finding")
#: Colour of each finding severity, most severe first (ColorBrewer RdYlGn/greys).
SEVERITY_COLORS = {"high": "#b2182b", "medium": "#e08214", "low": "#4d9221", "info": "#5b636b"}
_INK, _MUTED = "#1f2328", "#8c96a0"
_WIDTH_IN = 7.6                     # shown unscaled down to an 800 px wide window
_LANE = 0.62                        # height of a finding lane, in record rows
_GAP = 1.1                          # from the last record row to the first finding lane
# room a finding takes on its lane [pt]: the diamond's half-width before it, its label after
_BEFORE_PT, _AFTER_PT = 7.0, 26.0


def _day(value) -> date:
    return value if isinstance(value, date) else parse_date(value)


def finding_dates(finding, records) -> tuple[date | None, date | None]:
    """When a finding applied and when it became known.

    It applied from the ``valid_from`` of its main (first) evidence record and became known
    when the last of its evidence records did (the latest ``known_on``): no one could have
    found it earlier. Records not in ``records`` are left out; ``(None, None)`` when none
    of its evidence is there.

    Parameters
    ----------
    finding : Finding
    records : sequence of records (``id, valid_from, known_on``)
    """
    by_id = {r.id: r for r in records}
    shown = [by_id[e] for e in finding.evidence if e in by_id]
    if not shown:
        return None, None
    return _day(shown[0].valid_from), max(_day(r.known_on) for r in shown)


def _placed(findings, shown) -> list[tuple[int, Any, date, date]]:
    """(index, finding, applied, known) of the findings with evidence among ``shown``."""
    out = []
    for i, f in enumerate(findings):
        applied, known = finding_dates(f, shown)
        if applied is not None and known is not None:
            out.append((i, f, applied, known))
    return out


def _lanes(spans: list[tuple[date, date]], days_per_pt: float) -> list[int]:
    """A lane for each finding's span (applied -> known), so that no two findings on a lane
    (their markers, the line between and the label) come within reach of each other."""
    ends: list[float] = []
    out = []
    for start, end in spans:
        lo = start.toordinal() - _BEFORE_PT * days_per_pt
        hi = end.toordinal() + _AFTER_PT * days_per_pt
        lane = next((k for k, e in enumerate(ends) if e < lo), len(ends))
        if lane == len(ends):
            ends.append(hi)
        ends[lane] = hi
        out.append(lane)
    return out


def _x_range(dates: list[date]) -> tuple[date, date]:
    lo, hi = min(dates), max(dates)
    pad = timedelta(days=max(2.0, 0.04 * (hi - lo).days))
    return lo - pad, hi + pad + timedelta(days=max(1.0, 0.05 * (hi - lo).days))


def plot_record_timeline(records, findings=(), as_of=None, ax=None) -> Axes:
    """Timeline of records and findings: one row per record kind, a filled marker where a
    record applied (``valid_from``) joined to a hollow one where it became known (``known_on``);
    findings below on as many lanes as keep them apart, each a filled diamond where it became
    known (:func:`finding_dates`) joined to a hollow one where it applied, coloured by
    severity; the as-of date dashed; a legend of the marks and severities.

    ``records`` are record objects (``id, kind, valid_from, known_on``); ``facility`` and
    ``party`` records are left out. Artists carry gids ``"record-<id>"`` and ``"finding-<i>"``
    (the diamond where finding i became known), ``"finding-<i>-applied"``; labels
    ``"label-record-<id>"`` and ``"label-finding-<i>"`` are placed clear of each other.
    """
    shown = [r for r in records if r.kind in _TIMELINE_ROWS]
    placed = _placed(findings, shown)
    dates = [_day(d) for r in shown for d in (r.valid_from, r.known_on)]
    dates += [d for p in placed for d in p[2:]] + ([_day(as_of)] if as_of is not None else [])
    x0, x1 = _x_range(dates) if dates else (date.today(), date.today())
    days_per_pt = (x1 - x0).days / (_WIDTH_IN * 72.0 - 110.0)   # axes ~110 pt narrower
    lanes = _lanes([(p[2], p[3]) for p in placed], days_per_pt)
    kinds = [k for k in _TIMELINE_ROWS[:-1] if any(r.kind == k for r in shown)]
    n_lanes = max(lanes, default=-1) + 1
    base = (n_lanes - 1) * _LANE + _GAP if n_lanes else 0.0
    y = {kind: base + len(kinds) - 1 - i for i, kind in enumerate(kinds)}
    if ax is None:
        ax = new_axes(_WIDTH_IN, 0.42 * len(kinds) + 0.3 * n_lanes + 1.9)
    items = [item for r in shown for item in _timeline_record(ax, r, y[r.kind])]
    items += [_timeline_finding(ax, i, f, applied, known, (n_lanes - 1 - lane) * _LANE)
              for (i, f, applied, known), lane in zip(placed, lanes, strict=True)]
    ticks = dict(y)
    if n_lanes:
        ticks["finding"] = (n_lanes - 1) * _LANE / 2
        ax.axhline(base - _GAP / 2, color="#d0d7de", lw=0.8)
    _frame(ax, ticks, (x0, x1), max(y.values(), default=base), as_of)
    _legend(ax, {f.severity for _, f, *_ in placed}, n_lanes > 0)
    place_labels(ax, items)
    return ax


def _timeline_record(ax, record, y: float) -> list[tuple]:
    start, known = _day(record.valid_from), _day(record.known_on)
    if known != start:
        ax.plot([start, known], [y, y], color=_MUTED, lw=1.2)
        ax.plot([known], [y], marker="o", ms=7, mfc="white", mec=_INK, ls="none")
    ax.plot([start], [y], marker="o", ms=7, color=_INK, ls="none", gid=f"record-{record.id}")
    return [(start, y, f"#{record.id}", {"fontsize": 8, "color": _INK,
                                          "gid": f"label-record-{record.id}"})]


def _timeline_finding(ax, i: int, finding, applied: date, known: date, y: float) -> tuple:
    color = SEVERITY_COLORS.get(finding.severity, "black")
    if applied != known:
        ax.plot([applied, known], [y, y], color=color, lw=1.1, ls=":")
        ax.plot([applied], [y], marker="D", ms=6.5, mfc="white", mec=color, ls="none",
                gid=f"finding-{i}-applied")
    ax.plot([known], [y], marker="D", ms=8, ls="none", gid=f"finding-{i}", color=color)
    return (known, y, f"F{i + 1}", {"fontsize": 8.5, "fontweight": "bold", "color": color,
                                    "gid": f"label-finding-{i}"}, "right")


def _frame(ax, ticks: dict, xlim, top: float, as_of) -> None:
    import matplotlib.dates as mdates

    if as_of is not None:
        ax.axvline(_day(as_of), color="#5b636b", ls="--", lw=1, gid="as-of")
        ax.annotate(f"as of {_day(as_of)}", (_day(as_of), top + 0.62), fontsize=8,
                    ha="right", va="top", xytext=(-3, 0), textcoords="offset points",
                    color="#5b636b")
    ax.set_yticks(list(ticks.values()), [k.replace("_", " ") for k in ticks], fontsize=9)
    ax.set_ylim(-0.45, top + 0.7)
    ax.set_xlim(*xlim)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(labelsize=8.5)
    ax.grid(axis="x", color="#d0d7de", lw=0.6)


def _legend(ax, severities: set, with_findings: bool) -> None:
    from matplotlib.lines import Line2D

    def mark(label, marker, filled, color=_INK, ms=7):
        return Line2D([], [], ls="none", marker=marker, ms=ms, label=label, mec=color,
                      mfc=color if filled else "white")

    handles = [mark("record: applied", "o", True), mark("record: known", "o", False)]
    if with_findings:
        handles += [mark("finding: known", "D", True, _MUTED),
                    mark("finding: applied", "D", False, _MUTED)]
        handles += [mark(f"severity {s}", "D", True, c)
                    for s, c in SEVERITY_COLORS.items() if s in severities]
    ncol = len(handles) if len(handles) <= 4 else -(-len(handles) // 2)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol,
              fontsize=8, frameon=False, handletextpad=0.3, columnspacing=1.2)
