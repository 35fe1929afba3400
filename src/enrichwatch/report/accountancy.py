"""Report of an accountancy analysis: per balance (U, U-235) MUF with its +/-3 sigma band,
CUMUF, SITMUF with Page's statistic and threshold, detection probability against loss size,
the balance and scenario tables, the plant check; assumptions and measurement points beside
them. The figures come from :mod:`enrichwatch.accountancy.plots`; nothing is computed here."""

from __future__ import annotations

from ._html import render, svg

__all__ = ["render_accountancy_report"]


def _n(value, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _pct(p) -> str:
    return "—" if p is None else f"{100 * p:.1f} %"


def _span(values: list[float], spec: str) -> str:
    low, high = format(min(values), spec), format(max(values), spec)
    return low if low == high else f"{low} to {high}"


def _figures(q, d: dict, tag: str) -> list[dict]:
    from ..accountancy.plots import plot_cumuf, plot_detection_curves, plot_muf, plot_sitmuf

    t, unit = d["tests"], d["unit"]
    figures = [
        {"svg": svg(plot_muf(q), f"{tag}-muf-"),
         "caption": f"MUF of each balance [{unit}] (book minus physical; positive: apparent "
                    f"loss) with its ±3 σ-MUF band from the exact covariance; dashed: the "
                    f"single-balance threshold, {_span(t['muf']['z'], '.2f')} σ for a "
                    f"false-alarm probability of "
                    f"{_span(t['muf']['false_alarm_per_balance'], '.3g')} per balance "
                    "(the year's spread over the balances by their length)."},
        {"svg": svg(plot_cumuf(q), f"{tag}-cumuf-"),
         "caption": f"CUMUF, the running sum of MUF [{unit}], with ±3 σ of the sum (the "
                    "covariances between balances included)."},
        {"svg": svg(plot_sitmuf(q), f"{tag}-page-"),
         "caption": f"SITMUF (MUF made independent and standardised; N(0, 1) without loss) and "
                    f"Page's statistic on it, k = {t['page']['k']:g}; dashed: the threshold h = "
                    f"{t['page']['h']:.3g} for a false-alarm probability of "
                    f"{t['page']['false_alarm']:g} within {t['page']['balances']} balances "
                    "(Brook-Evans Markov chain)."}]
    if q.curves:
        figures.append({
            "svg": svg(plot_detection_curves(q), f"{tag}-dp-"),
            "caption": "Detection probability against the size of each loss scenario [SQ] "
                       "(its pattern scaled), closed forms: Page's test within the horizon, "
                       "CUMUF and GEMUF at its end, the single-balance MUF test at its best "
                       "balance; dotted: the false-alarm probability."})
    return figures


def _closes(b: dict, dates) -> str:
    return dates[b["index"]] if dates else f"{b['end_h']:g} h"


def _balance_tables(d: dict, dates) -> list[dict]:
    """The balances in two tables of at most nine columns (one of fourteen did not fit a page
    800 px wide): the balance itself, then the tests on it."""
    balances = [[b["index"], _closes(b, dates), _n(b["beginning"], 7), _n(b["inputs"], 7),
                 _n(b["outputs"], 7), _n(b["ending"], 7), _n(b["muf"]), _n(b["sigma_muf"]),
                 f"{b['muf'] / b['sigma_muf']:+.2f}"] for b in d["balances"]]
    tests = [[b["index"], _closes(b, dates), _n(b["cumuf"]), _n(b["sigma_cumuf"]),
              f"{b['sitmuf']:+.2f}", _n(b["page_upper"] if b["page_upper"] is not None
                                        else b["page_lower"], 3),
              " ".join(n for n, f in (("MUF", b["muf_alarm"]), ("Page", b["page_alarm"])) if f)
              or "—"] for b in d["balances"]]
    unit = d["unit"]
    return [{"title": f"Balances [{unit}]: beginning + inputs − outputs − ending = MUF",
             "header": ["#", "closes", "beginning", "inputs", "outputs", "ending", "MUF",
                        "σ-MUF", "MUF/σ"], "rows": balances, "numeric": range(2, 9)},
            {"title": f"Tests at each balance [{unit}; SITMUF and Page in σ]",
             "header": ["#", "closes", "CUMUF", "σ-CUMUF", "SITMUF", "Page", "alarm"],
             "rows": tests, "numeric": range(2, 6)}]


def _tables(d: dict, dates) -> list[dict]:
    fa = d["false_alarms"]["detection"]
    scen = [["no loss (false alarms)", "0", "0", "—", "—", "—", _pct(fa["page"]),
             _pct(fa["cumuf"]), _pct(fa["gemuf"]), _pct(fa["muf"])]]
    for s in d["scenarios"]:
        c, m = s["closed_form"], s["monte_carlo"]["detection"]
        scen.append([s["name"], f"{sum(s['amounts_kg']):.4g}", f"{s['sq']:.3g}",
                     _pct(c["page"]), _pct(c["cumuf"]), _pct(c["gemuf"]), _pct(m["page"]),
                     _pct(m["cumuf"]), _pct(m["gemuf"]), _pct(m["muf"])])
    unit = d["unit"]
    return [*_balance_tables(d, dates),
            {"title": f"Detection probability ({d['false_alarms']['iterations']} Monte Carlo "
                      "iterations each)",
             "header": ["scenario", f"loss [{unit}]", "SQ", "Page", "CUMUF", "GEMUF",
                        "MC Page", "MC CUMUF", "MC GEMUF", "MC any MUF"], "rows": scen,
             "numeric": range(1, 10)},
            {"title": "σ-MUF conventions", "header": ["balance", *d["sigma_muf_conventions"]],
             "rows": [[k + 1, *(_n(v[k]) for v in d["sigma_muf_conventions"].values())]
                      for k in range(len(d["balances"]))]}]


def _summary(d: dict) -> str:
    t = d["tests"]
    first = t["page"]["first_alarm"]
    return (f"MUF alarms: {', '.join(map(str, t['muf']['alarms'])) or 'none'}; Page: "
            f"{'no alarm' if first is None else f'first alarm at balance {first}'}; CUMUF: "
            f"{'alarm' if t['cumuf']['alarm'] else 'no alarm'}; GEMUF: "
            f"{'alarm' if t['gemuf']['alarm'] else 'no alarm'}.")


def _plant_section(check: dict) -> dict:
    b = check["balance"]
    rows = [["separative work implied [kg-SWU]", _n(b["swu_kg"], 6), _n(b["swu_sd"], 3)],
            ["declared plant delivers [kg-SWU]", _n(check["capacity_swu_kg"], 6),
             _n(check["capacity_sd"], 3)],
            ["U balance F - P - T [kg U]", _n(b["u_balance_kg"]), _n(b["u_balance_sd"], 3)],
            ["U-235 balance F - P - T [kg U-235]", _n(b["u235_balance_kg"]),
             _n(b["u235_balance_sd"], 3)],
            ["SWU per SQ of HEU [kg-SWU]", _n(check["swu_per_sq"], 5), "—"]]
    return {"title": "Enrichment-plant check",
            "summary": "; ".join(check["findings"]) or "Declared feed, product and tails "
                                                       "are consistent with the declared plant.",
            "tables": [{"header": ["quantity", "value", "σ"], "rows": rows}],
            "items": [f"Over {check['period_days']:g} days, operating fraction "
                      f"{check['operating_fraction']:g}; tests at a false-alarm probability "
                      f"of {check['false_alarm']:g} (separative work one-sided, balances "
                      f"two-sided); spare capacity is a finding from {check['min_sq']:g} SQ."]}


def render_accountancy_report(analysis, *, title: str | None = None) -> str:
    """HTML report of an :class:`~enrichwatch.accountancy.study.AccountancyAnalysis`."""
    d = analysis.as_dict()
    s = d["study"]
    dates = s["boundary_dates"]
    sections = []
    for q, qd in zip(analysis.quantities, d["quantities"], strict=True):
        name = "Uranium (element)" if qd["quantity"] == "U" else "U-235 (isotope)"
        sections.append({"title": f"{name} balance", "summary": _summary(qd),
                         "figures": _figures(q, qd, qd["quantity"].lower()),
                         "tables": _tables(qd, dates)})
    if d["plant_check"] is not None:
        sections.append(_plant_section(d["plant_check"]))
    points = [[p["name"], p["role"], p["kind"], p["records"]] for p in s["points"]]
    span = f"{dates[0]} to {dates[-1]}" if dates else \
        f"{s['boundaries_h'][0]:g} to {s['boundaries_h'][-1]:g} h"
    return render("accountancy.html", title=str(title or f"Accountancy: {s['name']}"),
                  subtitle=f"{s['name']}, area {s['area']}, {len(s['boundaries_h']) - 1} "
                           f"balances ({span})",
                  rate_unit="kg U/h (flows)", sections=sections, assumptions=d["assumptions"],
                  points_header=["point", "role", "kind", "records"], points=points)
