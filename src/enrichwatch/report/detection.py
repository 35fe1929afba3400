"""Reports of detection time: one misuse under a regime, and detection against breakout over
the public record."""

from __future__ import annotations

import math

from ._html import render, svg

__all__ = ["render_detection_report", "render_detection_timeline_report"]


def _days(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "never"
    return f"{value:.3g} days"


def _p(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _signed(value) -> str:
    return "—" if value is None else f"{value:+.3g} days"


def _sources(regime, keys) -> list[tuple[str, str]]:
    if regime is None:
        return []
    return [(k, regime.sources[k]) for k in sorted(set(keys)) if k in regime.sources]


def _headline(d: dict) -> str:
    m = d["misuse"]
    text = (f"{m['name']} ({m['start']}), under the regime of {d['regime_date']}: detection "
            f"median {_days(d['median_days'])}, 90th percentile {_days(d['p90_days'])}; "
            f"P(detected within the IAEA timeliness goal, {m['timeliness_days']:.3g} days) = "
            f"{_p(d['probability_within_timeliness'])}")
    if d["probability_before_completion"] is not None:
        text += (f"; P(detected before one SQ exists, {m['completion_days']:.3g} days) = "
                 f"{_p(d['probability_before_completion'])}")
    if m["observed_days"] is not None:
        q = d["observed_probability"]
        text += (f". Observed: detected after {m['observed_days']:g} days; P(detected within "
                 f"{m['observed_days']:g} days) = {_p(q)}, so the observation falls at the "
                 f"{100 * q:.0f}th percentile of the distribution")
    return text + "."


def render_detection_report(result, *, regime=None, title: str | None = None) -> str:
    """HTML report of one misuse's detection time: headline figures, the CDF plot, the
    measures in force and what each does for this misuse, assumptions and sources (from
    ``regime``, the :class:`~enrichwatch.detection.Regime` used, when given)."""
    from ..detection import plot_detection

    d = result.as_dict()
    rows = [[r["facility"], r["measure"], r["frequency"],
             "yes" if r["reveals_this_misuse"] else "no",
             f"{r['probability_per_look']:.3g}" if r["reveals_this_misuse"] else "",
             f"{r['visible_after_days']:g}" if r["reveals_this_misuse"] else "",
             r["delay"], "yes" if r["verified"] else "no (assumption)",
             ", ".join(r["sources"])] for r in d["measures"]]
    keys = [k for r in d["measures"] for k in r["sources"]]
    sections = [{"title": "Probability of detection against time",
                 "summary": f"{d['distribution']['method']} computation; P(ever detected) = "
                            f"{_p(d['probability_ever'])}.",
                 "figure": svg(plot_detection(result), "det-"),
                 "caption": "Probability that the regime has detected the misuse by each day "
                            "since it began (blue, with its median and 90th percentile "
                            "marked); dashed grey, the IAEA timeliness goal; solid red, the "
                            "day one SQ exists; dotted black, an observed detection. For a "
                            "breakout, the faint red line (right axis) is the uranium at 90 % "
                            "produced by then.", "rows": []},
                {"title": f"Measures in force on {d['regime_date']}"
                          + (f" ({d['era']})" if d["era"] else ""),
                 "header": ["facility", "measure", "frequency", "reveals this misuse",
                            "probability per look", "visible after (days)", "delay",
                            "verified", "sources"],
                 "rows": rows}]
    return render("detection.html", title=str(title or f"Detection: {d['misuse']['name']}"),
                  rate_unit="kg U", subtitle=f"{d['misuse']['name']}, regime {d['regime']}",
                  headline=_headline(d), sections=sections, stacked=False,
                  assumptions=d["assumptions"], sources=_sources(regime, keys))


_TIMELINE_CAPTION = (
    "At each IAEA report date (log scale): days to one SQ by breakout (red) and the median "
    "days to detection (blue, shaded to the 90th percentile); shaded red where one SQ exists "
    "before likely detection, green where detection likely comes first; dashed, the IAEA "
    "timeliness goal; triangles at the top, dates with no verification; dotted verticals, "
    "changes of the regime.")


def _timeline_headline(rows: list[dict]) -> str:
    dated = [r for r in rows if r["breakout_days"] is not None]
    none = [r for r in rows if r["no_verification"]]
    parts = ["Margin = detection (median) minus breakout: above zero, one SQ exists before "
             "verification would likely see the breakout."]
    if dated:
        a, b = dated[0], next((r for r in reversed(dated) if not r["no_verification"]),
                              dated[-1])
        parts.append(f"{a['date']}: breakout {_days(a['breakout_days'])}, detection "
                     f"{_days(a['detection_median_days'])}, margin {_signed(a['margin_days'])}."
                     f" {b['date']}: breakout {_days(b['breakout_days'])}, detection "
                     f"{_days(b['detection_median_days'])}, margin {_signed(b['margin_days'])}.")
    if none:
        parts.append(f"From {none[0]['date']} on, no verification at the enrichment plants: a "
                     f"breakout would not be detected.")
    return " ".join(parts)


def render_detection_timeline_report(timeline, *, regime=None,
                                     title: str = "Would verification see it in time?") -> str:
    """HTML report of detection against breakout at every report date: the plot, the table
    (date, era, breakout, detection median and P90, margin, probabilities), assumptions and
    sources."""
    from ..detection import plot_detection_timeline

    t = timeline.as_dict()
    rows = [[r["date"], r["era"] or "",
             _days(r["breakout_days"]) + (f" ({r['breakout_basis']})"
                                          if r["breakout_basis"] else ""),
             _days(r["detection_median_days"]), _days(r["detection_p90_days"]),
             "no verification" if r["no_verification"] and r["breakout_days"] is not None
             else _signed(r["margin_days"]),
             _p(r["probability_detected_before_1sq"]), _p(r["probability_within_timeliness"]),
             r["note"] or ""] for r in t["rows"]]
    keys = [k for r in timeline.rows for a in r.result.distribution.activities
            for k in a.sources]
    keys += [k for e in timeline.eras for k in e.sources]
    return render("detection.html", title=str(title), rate_unit="kg U",
                  subtitle=f"one SQ at each IAEA report date, regime {t['regime']}",
                  headline=_timeline_headline(t["rows"]),
                  sections=[{"title": "Detection against breakout",
                             "figure": svg(plot_detection_timeline(timeline), "dtl-"),
                             "caption": _TIMELINE_CAPTION, "table_class": "first-nowrap",
                             "header": ["report", "regime", "breakout to 1 SQ",
                                        "detection median", "detection P90",
                                        "margin (median - breakout)", "P(detected before 1 SQ)",
                                        "P(detected within 1 month)", "note"],
                             "rows": rows}],
                  assumptions=t["assumptions"], sources=_sources(regime, keys),
                  stacked=True)          # the table has nine columns: give it the width
