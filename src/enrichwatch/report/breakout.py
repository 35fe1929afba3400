"""Reports of breakout plans (schedule, material, Monte Carlo distribution) and of the
breakout timeline over the public record."""

from __future__ import annotations

from ._html import render, svg

__all__ = ["render_breakout_report", "render_timeline_report", "unreachable_reason"]


#: Assumptions and sources longer than this [characters] go below the results, in columns,
#: rather than in a sidebar that would run on for screens beside an empty column.
_SIDEBAR_CHARS = 4000
_GAP = "gap in the public record"


def _days(value) -> str:
    return "not reachable" if value is None or value == float("inf") else f"{value:.3g} days"


def _sq(n: float) -> str:
    return f"{n:g} significant quantit{'y' if n == 1 else 'ies'}"


def _headline(d: dict) -> str:
    """The plan in one sentence: time to the target (and to the first SQ when the target is
    more than one), the ideal-SWU lower bound and the plant model."""
    lb = d["lower_bound"]
    first = ("" if d["n_sq"] == 1 else
             f", the first after {_days(d['days_to_first_sq'])}")
    if d["days_to_n_sq"] is None:
        return f"{_sq(d['n_sq'])} not reachable: {unreachable_reason(d)} Plant model: {d['model']}."
    return (f"{_days(d['days_to_n_sq'])} to {_sq(d['n_sq'])}{first}; ideal-SWU lower bound "
            f"{_days(lb['days'])} ({lb['swu_kg']:.4g} kg-SWU); plant model: {d['model']}.")


def unreachable_reason(p: dict) -> str:
    """Why no schedule reaches the target: too little U-235 in the stocks, or too little that
    the steps can enrich."""
    levels = p["materials"]
    held = sum(m["initial_kg_u"] * m["assay_wt_pct"] / 100 for m in levels)
    stocks = ", ".join(f"{m['initial_kg_u']:.4g} kg U at {m['assay_wt_pct']:g} %"
                       for m in levels if m["initial_kg_u"] > 0) or "nothing on the ladder"
    need = p["n_sq"] * p["sq_u235_kg"]
    top = levels[-1]["assay_wt_pct"] if levels else 90.0
    target = (f"{p['n_sq']:g} SQ contain {need:.4g} kg U-235 ({p['target_kg_u']:.4g} kg U at "
              f"{top:g} %)")
    if held < need:
        return f"{target}; the stocks hold {held:.4g} kg U-235 ({stocks})."
    if p["lower_bound"]["days"] is None:
        return (f"{target}; the stocks hold {held:.4g} kg U-235 ({stocks}), but even ideal "
                f"steps lose too much of it in their tails.")
    return (f"{target}; the stocks hold {held:.4g} kg U-235 ({stocks}), but the installed "
            f"cascades cannot run the steps of the ladder that would make it (plan status "
            f"{p['status']}).")


def _stacked(assumptions, sources) -> bool:
    return sum(len(str(a)) for a in list(assumptions) + list(sources)) > _SIDEBAR_CHARS


def _schedule_section(plan, d: dict) -> dict:
    """The schedule: its chart and its table, one row per step."""
    from ..breakout import plot_schedule

    return {
        "title": "Schedule",
        "summary": _headline(d),
        "figure": svg(plot_schedule(plan), "sch-"),
        "caption": "Schedule: each bar is one step run by a group of cascades, from the day it "
                   "starts to the day it ends, coloured by the product level the step makes "
                   "(feed -> product written on bars wide enough); the dashed line is the "
                   "ideal-SWU lower bound on the time to the target.",
        "header": ["cascades", "step", "feed → product (tails) wt%", "tails", "from day",
                   "to day", "feed kg U", "product kg U"],
        "rows": [[f"{e['group']} {e['units']}", e["step"],
                  f"{e['feed_wt_pct']:.3g} → {e['product_wt_pct']:.3g} "
                  f"({e['tails_wt_pct']:.3g})", e["tails"], f"{e['start_day']:.2f}",
                  f"{e['end_day']:.2f}", f"{e['feed_kg_u']:.2f}", f"{e['product_kg_u']:.2f}"]
                 for e in d["schedule"]]}


def render_breakout_report(plan, distribution=None, *, title: str | None = None) -> str:
    """HTML report of a breakout plan (schedule, material, steps) and, if given, its Monte
    Carlo distribution, with the state's and the plan's assumptions beside them."""
    from ..breakout import plot_distribution

    d = plan.as_dict()
    if not d["schedule"]:           # unreachable, or nothing to enrich: no chart, no table
        nothing = "" if d["days_to_n_sq"] is None else (
            f" No enrichment needed: the stocks already hold {_sq(d['n_sq'])}.")
        sections = [{"title": "Schedule", "summary": _headline(d) + nothing, "rows": []}]
    else:
        sections = [_schedule_section(plan, d)]
    if distribution is not None:
        m = distribution.as_dict()
        p = m["percentiles_days"]
        sections.append({
            "title": "Uncertainty",
            "summary": f"{m['samples']} Monte Carlo samples: 5th / 50th / 95th percentiles "
                       f"{_days(p['p5'])} / {_days(p['p50'])} / {_days(p['p95'])}; "
                       f"{100 * m['unreachable_share']:.1f} % of samples cannot reach the "
                       f"target.",
            "figure": svg(plot_distribution(distribution), "mc-"),
            "caption": f"Days to {_sq(m['n_sq'] if 'n_sq' in m else d['n_sq'])} over the "
                       "Monte Carlo samples that reach the target (histogram); solid red, the "
                       "median; dotted red, the 5th and 95th percentiles; dashed black, the "
                       "nominal plan.", "rows": []})
    assumptions = list(d["assumptions"]) + (list(distribution.as_dict()["assumptions"])
                                            if distribution is not None else [])
    return render("breakout.html", title=str(title or f"Breakout: {d['state']}"),
                  rate_unit="kg U", subtitle=f"{d['state']} ({d['date'] or 'undated'})",
                  sections=sections, assumptions=assumptions, sources=[],
                  stacked=_stacked(assumptions, []))


def _timeline_table(rows: list[dict], models: list[str]) -> list[list[str]]:
    """One row per report date; a gap in the public record says so, as the CLI does."""
    def scen(r, key):
        s = r.get(key)
        return "" if not s else f"{_days(s['days'])} ({s.get('driver') or 'no tornado'})"

    return [[r["date"], _GAP, *["—"] * (len(models) + 3), "gap"] if r.get("gap") else
            [r["date"], r.get("report_id") or "", scen(r, "analyst"), scen(r, "all_capacity"),
             *[_days(r["days_to_one_sq"].get(m)) for m in models],
             _days(r["lower_bound_days"]), ""]
            for r in rows]


def _timeline_assumptions(t: dict) -> tuple[list[str], list[str]]:
    """The assumptions (global, then each date's scenarios, then the rows') and the sources,
    one URL an item."""
    rows = t["rows"]
    assumptions = list(t["assumptions"]) + ([t["sq_statement"]] if t.get("sq_statement")
                                            else [])
    for r in rows:
        for key in ("analyst", "all_capacity"):
            if r.get(key):
                assumptions += [f"{r['date']} {key}: {a}" for a in r[key]["assumptions"]]
    assumptions += sorted({a for r in rows for a in r.get("assumptions", [])})
    sources = sorted({u.strip() for r in rows if r.get("source")
                      for u in r["source"].split(" ; ") if u.strip()})
    return assumptions, sources


def _tornado_sections(timeline) -> list[dict]:
    from ..breakout import plot_tornado

    out = []
    for key, label in (("analyst", "analyst"), ("all_capacity", "all-capacity")):
        last = [r for r in timeline.rows if getattr(r, key, None) is not None
                and getattr(r, key).tornado]
        if not last:
            continue
        res = getattr(last[-1], key)
        out.append({"title": f"What moves the {label} answer ({last[-1].date})",
                    "summary": f"{_days(res.days)}; each assumption swung from its low "
                               "to its high value, the others nominal.",
                    "figure": svg(plot_tornado(res), f"tn-{key}-"),
                    "caption": f"Tornado of the {label} scenario of {last[-1].date}: each bar "
                               "runs from the days with one assumption at its low value to "
                               "the days with it at its high value (blue: longer when high, "
                               "red: shorter), largest swing on top; dashed, the nominal "
                               "answer.",
                    "header": ["assumption", "low", "high", "days at low", "days at high"],
                    "rows": [[x.assumption, x.low, x.high, _days(x.days_low),
                              _days(x.days_high)] for x in res.tornado]})
    return out


def render_timeline_report(timeline, *, title: str = "Breakout time over the public record"
                           ) -> str:
    """HTML report of the breakout timeline: plot and table, with the assumptions of every
    report date (below the results, in columns, when they are long) and the sources."""
    from ..breakout import plot_timeline

    t = timeline.as_dict()
    models = list(t["models"])
    assumptions, sources = _timeline_assumptions(t)
    gaps = [r["date"] for r in t["rows"] if r.get("gap")]
    timeline_section = {
        "title": "Timeline", "figure": svg(plot_timeline(timeline), "tl-"),
        "caption": "Days to one significant quantity at each IAEA report date (log scale): one "
                   "line per plant model and scenario, the ideal-SWU lower bound dashed"
                   + (f"; dotted vertical lines mark gaps in the public record "
                      f"({', '.join(gaps)})" if gaps else "") + ".",
        "table_class": "first-nowrap",
        "header": ["report", "document", "analyst (assumption moving it most)",
                   "all-capacity (assumption moving it most)",
                   *[f"unconstrained {m}" for m in models], "ideal-SWU bound", "gap"],
        "rows": _timeline_table(t["rows"], models)}
    return render("breakout.html", title=str(title), rate_unit="kg U",
                  subtitle="one significant quantity at each IAEA report date",
                  sections=[timeline_section] + _tornado_sections(timeline),
                  assumptions=assumptions, sources=sources,
                  stacked=_stacked(assumptions, sources))
