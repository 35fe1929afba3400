"""Report of a transient run: stream assays against time, a stage-by-time assay map, every run
of the uncertainty sweep, the answers with their ranges, and the assumptions beside them.

The report formats what it is given (a :class:`~enrichwatch.facility.history.HistoryFile` and
the :class:`~enrichwatch.physics.transient.Sweep` run on it) and computes no physics.
"""

from __future__ import annotations

from ._html import fmt_value, render, svg

__all__ = ["render_transient_report"]


def _value(v, digits: str = ".4g") -> str:
    return "not reached" if v is None else format(v, digits)


def _range(r: dict) -> str:
    if r["low"] is None:
        return "not reached in any run"
    text = f"{_value(r['low'])} – {_value(r['high'])}"
    if r["runs_without_value"]:
        text += f" (not reached in {r['runs_without_value']} of {r['runs']} runs)"
    return text


def _answers(summary: dict) -> list[list[str]]:
    rows = [("peak assay [wt%]", summary["peak_assay_wt_pct"]),
            ("time of the peak [h]", summary["peak_time_h"])]
    for t in summary["thresholds"]:
        level = f"{t['threshold_wt_pct']:g} %"
        rows.append((f"first at or above {level} [h]", t["first_reached_h"]))
        if t["withdrawn_kg_u"] is not None:
            rows.append((f"withdrawn at or above {level} [kg U]", t["withdrawn_kg_u"]))
        rows.append((f"most held in stages at or above {level} [kg U]",
                     t["holdup_above_max_kg_u"]))
    return [[label, _value(r["nominal"]), _range(r), r["driver"] or "—",
             f"{r['low_run'] or '—'} / {r['high_run'] or '—'}"] for label, r in rows]


def _inputs(hf, nominal) -> list[dict]:
    h = hf.history
    general = [("history file", hf.path), ("description", hf.description),
               ("initial state", h.initial), ("product point", h.label(hf.product)),
               ("thresholds", ", ".join(f"{100 * t:g} %" for t in h.thresholds)),
               ("hold-up", h.holdup.statement()), ("integrator", f"{nominal.method}, "
                                                                  f"rtol {nominal.rtol:g}")]
    configs = [(name, str(f.filename)) for name, f in hf.facilities.items()]
    segments = []
    for s in h.segments:
        feeds = {k: ("off" if not v.on else "on") for k, v in s.feeds.items()}
        valves = {k: (f"{v.opening:g} open" if v.rate_kg_per_yr is None
                      else f"{v.rate_kg_per_yr:.4g} kg U/yr") for k, v in s.withdrawals.items()}
        text = (f"until {s.end_h:g} h; {s.configuration}; closure {s.closure}"
                + (f" (alternatives {', '.join(s.alternatives)})" if s.alternatives else "")
                + (f"; ramp {s.ramp_h:g} h from {s.ramp_from:g}" if s.ramp_h > 0 else "")
                + (f"; feeds {fmt_value(feeds)}" if feeds else "")
                + (f"; valves {fmt_value(valves)}" if valves else ""))
        segments.append((s.name, text))
    return [{"title": "History", "rows": general}, {"title": "Configurations", "rows": configs},
            {"title": "Segments", "rows": segments}]


def _sweep_section(sweep, point: str, labels) -> dict:
    from ..physics.transient.plots import plot_sweep

    return {"title": "Uncertain inputs",
            "figure": svg(plot_sweep(sweep, point, label=labels.get(point, point)), "sw-"),
            "caption": "The product point in every run: each uncertain input at the ends of "
                       "its range, one at a time (nominal in black).",
            "header": ["input", "setting", "peak wt%",
                       "first at or above the last threshold [h]"],
            "rows": [[i, s, _value(100 * r.peaks[point][0]),
                      _value(r.first_reached.get((point, r.thresholds[-1])) if r.thresholds
                             else None)] for i, s, r in sweep.runs]}


def _segments_section(nominal, point: str) -> dict:
    return {"title": "Segments (nominal run)",
            "header": ["segment", "configuration", "closure", "hours", "steady product wt%",
                       "settling [h]", "slowest time constants [h]"],
            "rows": [[s.name, s.configuration, s.closure, f"{s.start_h:g}–{s.end_h:g}",
                      "drains" if point not in s.steady else f"{100 * s.steady[point]:.4g}",
                      _value(s.settling_h.get(point), ".3g"),
                      ", ".join(f"{t:.3g}" for t in s.time_constants_h)]
                     for s in nominal.segments]}


def render_transient_report(hf, sweep, *, title: str | None = None) -> str:
    """HTML report of a history file's sweep (its nominal run first)."""
    from ..physics.transient.plots import plot_assay_map, plot_streams

    nominal, h, point = sweep.nominal, hf.history, hf.product
    labels = {w: h.label(w) for w in nominal.withdrawals}
    streams = [point] + [w for w in nominal.streams if w not in (point, "anywhere")]
    summary = sweep.point_summary(point, point)
    peak = summary["peak_assay_wt_pct"]
    sections = [
        {"title": f"Answers at the product point ({labels.get(point, point)})",
         "summary": f"Peak {_value(peak['nominal'])} wt% (range {_range(peak)}; driver "
                    f"{peak['driver'] or '—'}).",
         "header": ["answer", "nominal", "range over the runs", "driver", "lowest / highest run"],
         "rows": _answers(summary)},
        {"title": "Stream assays against time",
         "figure": svg(plot_streams(nominal, streams, labels=labels), "st-"),
         "caption": "U-235 assay of every cascade output (withdrawn or linked onward) in the "
                    "nominal run; thresholds dashed; segments shaded in turn."},
        {"title": "Assay of every stage against time",
         "figure": svg(plot_assay_map(nominal), "map-"),
         "caption": "Hold-up assay of each stage (tails end at the bottom of each cascade)."},
        _sweep_section(sweep, point, labels), _segments_section(nominal, point),
    ]
    if nominal.crossings:
        sections.append({"title": "Threshold crossings (nominal run)",
                         "header": ["time [h]", "point", "threshold", "direction"],
                         "rows": [[f"{c.time_h:.4g}", labels.get(c.watch, c.watch),
                                   f"{100 * c.threshold:g} %", "up" if c.direction > 0
                                   else "down"] for c in nominal.crossings]})
    illustrative = h.illustrative or any(f.info.illustrative for f in hf.facilities.values())
    assumptions = list(nominal.assumptions)
    for name, f in hf.facilities.items():
        assumptions += [f"{name}: {a}" for a in f.info.assumptions]
    sources = sorted({*h.sources, *[s for f in hf.facilities.values() for s in f.info.sources]})
    return render("transient.html", title=str(title or h.name), rate_unit="kg U/h",
                  subtitle=h.name, illustrative=illustrative, sections=sections,
                  assumptions=assumptions, sources=sources, inputs=_inputs(hf, nominal))
