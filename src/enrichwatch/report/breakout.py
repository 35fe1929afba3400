"""Reports of breakout plans (schedule, material, Monte Carlo distribution) and of the
breakout timeline over the public record."""

from __future__ import annotations

from ._html import render, svg

__all__ = ["render_breakout_report", "render_timeline_report"]


def _days(value) -> str:
    return "not reachable" if value is None or value == float("inf") else f"{value:.3g} days"


def render_breakout_report(plan, distribution=None, *, title: str | None = None) -> str:
    """HTML report of a breakout plan (schedule, material, steps) and, if given, its Monte
    Carlo distribution, with the state's and the plan's assumptions beside them."""
    from ..breakout import plot_distribution, plot_schedule

    d = plan.as_dict()
    lb = d["lower_bound"]
    sections = [{
        "title": "Schedule",
        "summary": f"{_days(d['days_to_first_sq'])} to the first significant quantity, "
                   f"{_days(d['days_to_n_sq'])} to {d['n_sq']:g} (ideal-SWU lower bound "
                   f"{_days(lb['days'])}, {lb['swu_kg']:.4g} kg-SWU); plant model: "
                   f"{d['model']}.",
        "figure": svg(plot_schedule(plan), "sch-"),
        "header": ["cascades", "step", "feed → product (tails) wt%", "tails", "from day",
                   "to day", "feed kg U", "product kg U"],
        "rows": [[f"{e['group']} {e['units']}", e["step"],
                  f"{e['feed_wt_pct']:.3g} → {e['product_wt_pct']:.3g} "
                  f"({e['tails_wt_pct']:.3g})", e["tails"], f"{e['start_day']:.2f}",
                  f"{e['end_day']:.2f}", f"{e['feed_kg_u']:.2f}", f"{e['product_kg_u']:.2f}"]
                 for e in d["schedule"]]}]
    if distribution is not None:
        m = distribution.as_dict()
        p = m["percentiles_days"]
        sections.append({
            "title": "Uncertainty",
            "summary": f"{m['samples']} Monte Carlo samples: 5th / 50th / 95th percentiles "
                       f"{_days(p['p5'])} / {_days(p['p50'])} / {_days(p['p95'])}; "
                       f"{100 * m['unreachable_share']:.1f} % of samples cannot reach the "
                       f"target.",
            "figure": svg(plot_distribution(distribution), "mc-"), "rows": []})
    assumptions = list(d["assumptions"]) + (list(distribution.as_dict()["assumptions"])
                                            if distribution is not None else [])
    return render("breakout.html", title=str(title or f"Breakout: {d['state']}"),
                   rate_unit="kg U", subtitle=f"{d['state']} ({d['date'] or 'undated'})",
                   sections=sections, assumptions=assumptions, sources=[])


def render_timeline_report(timeline, *, title: str = "Breakout time over the public record"
                           ) -> str:
    """HTML report of the breakout timeline: plot and table, with the assumptions of every
    report date."""
    from ..breakout import plot_timeline, plot_tornado

    t = timeline.as_dict()
    rows = t["rows"]
    models = list(t["models"])
    def scen(r, key):
        s = r.get(key)
        return "" if not s else f"{_days(s['days'])} ({s.get('driver') or 'no tornado'})"

    table = [[r["date"], r.get("report_id") or "", scen(r, "analyst"), scen(r, "all_capacity"),
              *[_days(r["days_to_one_sq"].get(m)) for m in models],
              _days(r["lower_bound_days"]), "no IAEA estimate" if r.get("gap") else ""]
             for r in rows]
    assumptions = list(t["assumptions"]) + ([t["sq_statement"]] if t.get("sq_statement")
                                            else [])
    for r in rows:
        for key in ("analyst", "all_capacity"):
            if r.get(key):
                assumptions += [f"{r['date']} {key}: {a}" for a in r[key]["assumptions"]]
    assumptions += sorted({a for r in rows for a in r.get("assumptions", [])})
    sources = sorted({r["source"] for r in rows if r.get("source")})
    extra = []
    for key, label in (("analyst", "analyst"), ("all_capacity", "all-capacity")):
        last = [r for r in timeline.rows if getattr(r, key, None) is not None
                and getattr(r, key).tornado]
        if last:
            res = getattr(last[-1], key)
            extra.append({"title": f"What moves the {label} answer ({last[-1].date})",
                          "summary": f"{_days(res.days)}; each assumption swung from its low "
                                     "to its high value, the others nominal.",
                          "figure": svg(plot_tornado(res), f"tn-{key}-"),
                          "header": ["assumption", "low", "high", "days at low",
                                     "days at high"],
                          "rows": [[x.assumption, x.low, x.high, _days(x.days_low),
                                    _days(x.days_high)] for x in res.tornado]})
    return render("breakout.html", title=str(title), rate_unit="kg U",
                   subtitle="one significant quantity at each IAEA report date",
                   sections=[{"title": "Timeline", "figure": svg(plot_timeline(timeline), "tl-"),
                              "header": ["report", "document",
                                         "analyst (assumption moving it most)",
                                         "all-capacity (assumption moving it most)",
                                         *[f"unconstrained {m}" for m in models],
                                         "ideal-SWU bound", "gap"],
                              "rows": table}] + extra,
                   assumptions=assumptions, sources=sources)
