"""The three built-in rules (docs/records-design.md, "Evaluation API").

1. ``observed-differs-from-declared``: every inspection with an observed plant is compared with
   the declaration in force on the inspection date *as known on that date* (what the inspectors
   could hold the State to). A structural difference is a finding; its consequence is product
   assay, HEU output per month and months to one significant quantity at 90 % for both.
2. ``late-design-change-declaration``: a declaration declared (``payload.declared_on``, else
   ``known_on``) after it took effect (``valid_from``): design information must come before
   the change. Consequence: days late, and the HEU the new configuration made meanwhile. (A
   correction that only fixes a record keeps the ``declared_on`` of the record it corrects.)
3. ``assay-above-declared-maximum``: a sample's ``max_u235_pct`` or an inspection's enrichment
   measurement above the ``declared_max_assay_pct`` of the declaration in force on that date
   (as known on the evaluation date). Consequence: for every configuration declared for the
   period from the inspection before to the sample (the one in force before a late declaration
   included) and the observed one: whether it can reach that assay in steady state, at what
   (fastest) product rate, and its highest assay over the withdrawal rate, with ranges; and,
   for each declared configuration whose product at its declared operating point is below the
   assay, the operating histories its declaration states (``payload.histories``) run through
   the transient model (:mod:`.transients`): whether each reaches the assay, when, its peak,
   and the uranium withdrawn above the declared maximum and above the assay, with ranges.

Each rule is a function ``rule(context) -> list[Finding]``; :class:`Context` holds the records
and the plant cache of one evaluation.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation.casefile import CaseRecord
>>> from enrichwatch.evaluation.plants import PlantCache
>>> decl = CaseRecord(1, "declaration", "X", date(2023, 1, 16), date(2023, 1, 22), None, "",
...                   {"declared_on": "2023-01-22", "declared_max_assay_pct": 5.0,
...                    "plant": "", "summary": ""})
>>> ctx = Context.build([decl], "X", date(2023, 2, 1), PlantCache())
>>> [f.title for f in late_declarations(ctx, with_consequence=False)]
['Design change declared 6 days after it took effect']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..constants import DAYS_PER_MONTH, HEU_THRESHOLD_WT_PCT
from ..dates import parse_date
from ..records.bitemporal import current
from .findings import Finding
from .plants import (
    PlantCache,
    PlantFigures,
    operating_differences,
    structural_differences,
)
from .records import RecordLike, in_force, payload_date
from .transients import transients_line

__all__ = ["RULES", "Context", "assay_above_declared", "late_declarations",
           "observed_differs"]

def _valid(record: RecordLike) -> date:
    """The valid date (``valid_from``) of a record."""
    return parse_date(record.valid_from)


@dataclass(frozen=True)
class Context:
    """The records of one evaluation and the plants solved for it.

    ``records`` are the facility's records known on ``as_of`` (superseded ones kept, so that
    questions about an earlier record time can be answered); ``current`` drops the superseded.
    """

    facility: str
    as_of: date
    records: tuple[RecordLike, ...]
    current: tuple[RecordLike, ...]
    plants: PlantCache = field(compare=False)
    # what the rules ask again and again, found once (a ledger may hold 1e5 records)
    _kinds: dict[str, list[RecordLike]] = field(default_factory=dict, compare=False,
                                                repr=False)
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, records: Sequence[RecordLike], facility: str, as_of: date,
              plants: PlantCache) -> Context:
        mine = tuple(r for r in records
                     if r.facility == facility and parse_date(r.known_on) <= as_of)
        # every record of ``mine`` is known by as_of: known_as_of(mine, as_of) is current(mine)
        return cls(facility, as_of, mine, tuple(current(mine)), plants)

    def of_kind(self, kind: str) -> list[RecordLike]:
        """Current records of ``kind`` valid by ``as_of``, oldest first."""
        if kind not in self._kinds:
            self._kinds[kind] = sorted(
                (r for r in self.current if r.kind == kind and _valid(r) <= self.as_of),
                key=lambda r: (_valid(r), r.id))
        return list(self._kinds[kind])

    def get(self, record_id: int | None) -> RecordLike | None:
        if "ids" not in self._index:
            ids: dict[int, RecordLike] = {}
            for r in self.records:
                ids.setdefault(r.id, r)          # the first with that id, as a scan finds it
            self._index["ids"] = ids
        try:
            return self._index["ids"].get(record_id)
        except TypeError:                          # an unhashable id equals no record's
            return None

    def declaration(self, on: date, known_on: date | None = None,
                    exclude: Sequence[int] = ()) -> RecordLike | None:
        """Declaration in force on ``on`` as known on ``known_on`` (default ``as_of``)."""
        if "declarations" not in self._index:
            # the declarations, and every correction (only a correction can supersede one):
            # in_force over these finds what it finds over all the records
            self._index["declarations"] = tuple(
                r for r in self.records if r.kind == "declaration" or r.supersedes is not None)
        return in_force(self._index["declarations"], "declaration", on=on,
                        known_on=self.as_of if known_on is None else min(known_on, self.as_of),
                        exclude=exclude)

    def plant(self, record: RecordLike, key: str) -> PlantFigures:
        return self.plants.figures(record.payload[key], f"record {record.id} payload.{key}")

    def facts(self, record: RecordLike, key: str) -> dict[str, Any]:
        """The plant of ``record.payload[key]`` as plain data
        (:meth:`~enrichwatch.evaluation.plants.PlantCache.facts`)."""
        return self.plants.facts(record.payload[key], f"record {record.id} payload.{key}")


def _change(before: dict, after: dict) -> dict[str, Any]:
    def delta(key):
        x, y = before.get(key), after.get(key)
        return None if x is None or y is None else y - x
    pa, pb = before["product"] or {}, after["product"] or {}
    ratio = (after["heu_kg_u_per_month"] / before["heu_kg_u_per_month"]
             if before["heu_kg_u_per_month"] > 0 else None)
    return {"product_assay_wt_pct": (pb["assay_wt_pct"] - pa["assay_wt_pct"]
                                     if pa and pb else None),
            "heu_kg_u_per_month_ratio": ratio,
            "months_to_one_sq_at_90pct": delta("months_to_one_sq_at_90pct")}


def _plant_text(record: RecordLike, key: str) -> tuple[str, str]:
    """The plant text of ``record.payload[key]`` and where it is (``'record 2 payload.plant'``),
    as :class:`~enrichwatch.evaluation.plants.PlantCache` takes them."""
    return record.payload[key], f"record {record.id} payload.{key}"


def _ranges(ctx: Context, record: RecordLike, key: str, targets=(90.0,)) -> dict[str, Any]:
    return ctx.plants.ranges_answer(*_plant_text(record, key), targets)


def _figure(ranges: dict, key: str, unit: str = "", fmt: str = ".3g") -> str:
    """``'58.9 wt% (54.8-62.3)'`` from a ranges dict of :class:`PlantRanges`."""
    f = ranges["figures"][key]

    def n(x):
        return "n/a" if x is None else format(x, fmt)
    unit = f" {unit}" if unit else ""
    if f["settings"] <= 1 or f["low"] is None:
        return f"{n(f['nominal'])}{unit}"
    return f"{n(f['nominal'])}{unit} ({n(f['low'])}-{n(f['high'])})"


def _ranged_line(r: dict) -> str:
    months = r["figures"]["months_to_one_sq_at_90pct"]
    sq = ("90 % not reachable" if months["nominal"] is None else
          f"{_figure(r, 'months_to_one_sq_at_90pct')} months to 1 SQ at 90 %")
    return (f"at its design cuts product {_figure(r, 'product_assay_wt_pct', 'wt%')} at "
            f"{_figure(r, 'product_rate_kg_u_per_month', 'kg U/month')}, "
            f"{r['max_assay_label'] or 'highest assay'} "
            f"{_figure(r, 'max_assay_wt_pct', 'wt%')}, {sq}")


def _inputs_line(r: dict) -> str:
    if not r["inputs"]:
        return ""
    return (" Ranges over " + "; ".join(f"{k}: {v}" for k, v in r["inputs"].items())
            + f" ({len(r['settings'])} settings: nominal and corners).")


def _split_line(c: dict | None) -> str:
    if c is None:
        return ""
    d, rng = c["difference_wt_pct"], c.get("ranges", {})

    def pp(key):
        x = d[key]
        text = "n/a" if x is None else f"{x:+.3g} pp"
        r = rng.get(key)
        if r and r["low"] is not None and r["settings"] > 1:
            text += f" ({r['low']:+.3g} to {r['high']:+.3g})"
        return text
    return (f" Of the product assay difference {pp('total')} (each at its design cuts), "
            f"the piping accounts for {pp('piping')} at the same feed and the declared "
            f"withdrawal rate of {c['first']['design_cuts']['rate']:.3g} kg U/month "
            f"({pp('piping_at_second_rate')} at the observed rate of "
            f"{c['second']['design_cuts']['rate']:.3g}), the operating point for "
            f"{pp('operating_point')}: at their design cuts the two withdraw at different rates "
            "(assumption: every stage keeps its design cut).")


# -- rule 1 ---------------------------------------------------------------------------------
def observed_differs(ctx: Context) -> list[Finding]:
    """Rule 1: observed configuration structurally different from the declaration in force
    (as known on the inspection date)."""
    out = []
    found = [(insp, ctx.declaration(_valid(insp), known_on=_valid(insp)))
             for insp in ctx.of_kind("inspection") if insp.payload.get("observed_plant")]
    # every comparison's plants (and the ranges of those that differ) solved together, when
    # the first of them is computed (each answer as alone)
    _expect_reach(ctx)
    ctx.plants.expect_comparisons([(_plant_text(decl, "plant"),
                                    _plant_text(insp, "observed_plant"))
                                   for insp, decl in found
                                   if decl is not None and decl.payload.get("plant")])
    for insp, decl in found:
        finding = (_undeclared_plant(ctx, insp) if decl is None
                   else _compare_with_declaration(ctx, insp, decl))
        if finding is not None:
            out.append(finding)
    return out


def _undeclared_plant(ctx: Context, insp: RecordLike) -> Finding:
    seen = ctx.facts(insp, "observed_plant")["summary"]
    return Finding(rule="observed-differs-from-declared", severity="high",
                   title=f"Configuration observed on {_valid(insp)} with no declaration in force",
                   detail=f"Inspection {insp.id} ({insp.source}) observed a configuration; no "
                   f"declaration of {ctx.facility} was in force on {_valid(insp)} as known then.",
                   evidence=(insp.id,), consequence={"declared": None, "observed": seen})


def _compare_with_declaration(ctx: Context, insp: RecordLike, decl: RecordLike
                              ) -> Finding | None:
    plants = [_plant_text(decl, "plant"), _plant_text(insp, "observed_plant")]
    declared, observed = ctx.plants.facts_many(plants)     # both plants' searches together
    diffs = structural_differences(declared, observed)
    if not diffs:
        return None
    before, after = declared["summary"], observed["summary"]
    where = (decl.payload["plant"], f"record {decl.id} payload.plant")
    seen = (insp.payload["observed_plant"], f"record {insp.id} payload.observed_plant")
    split = ctx.plants.comparison(where, seen)
    ranges = dict(zip(("declared", "observed"), ctx.plants.ranges_answers(
        [(text, where, (90.0,)) for text, where in plants]), strict=True))
    consequence = {"structural_differences": [d.as_dict() for d in diffs],
                   "operating_differences": [d.as_dict() for d in
                                             operating_differences(declared, observed)],
                   "declared": before, "observed": after, "change": _change(before, after),
                   "assumption": declared["design_cuts_assumption"]
                   + " (declared, observed, change)",
                   "at_equal_withdrawal": split, "ranges": ranges}
    faster = (after["months_to_one_sq_at_90pct"] or float("inf")) < \
        (before["months_to_one_sq_at_90pct"] or float("inf"))
    severity = "high" if after["heu_kg_u_per_month"] > 0 or faster else "medium"
    detail = (f"Inspection {insp.id} on {_valid(insp)} ({insp.source}) observed a configuration "
              f"that differs from declaration {decl.id} (in force since {_valid(decl)}, as known "
              f"on {_valid(insp)}) in {len(diffs)} structural item(s): "
              + "; ".join(f"{d.item}: {d.declared} -> {d.observed}" for d in diffs)
              + f". Declared: {_ranged_line(ranges['declared'])}. Observed: "
              f"{_ranged_line(ranges['observed'])}." + _split_line(split)
              + _inputs_line(ranges["observed"]))
    return Finding(rule="observed-differs-from-declared", severity=severity,
                   title=f"Observed configuration differs from the declaration in force on "
                   f"{_valid(insp)}", detail=detail, evidence=(insp.id, decl.id),
                   consequence=consequence)


# -- rule 2 ---------------------------------------------------------------------------------
def late_declarations(ctx: Context, *, with_consequence: bool = True) -> list[Finding]:
    """Rule 2: declarations declared after they took effect."""
    out = []
    for decl in ctx.of_kind("declaration"):
        declared_on = payload_date(decl, "declared_on", parse_date(decl.known_on))
        if declared_on > _valid(decl):
            out.append(_late(ctx, decl, declared_on, with_consequence))
    return out


def _late(ctx: Context, decl: RecordLike, declared_on: date, with_consequence: bool
          ) -> Finding:
    days = (declared_on - _valid(decl)).days
    previous = ctx.declaration(_valid(decl) - timedelta(days=1), exclude=(decl.id,))
    seen = [r for r in ctx.of_kind("inspection") if _valid(decl) <= _valid(r) < declared_on]
    evidence = (decl.id,) + ((previous.id,) if previous else ()) + tuple(r.id for r in seen)
    consequence = _late_consequence(ctx, decl, previous, days) if with_consequence else None
    heu = (consequence or {}).get("new", {}).get("heu_kg_u_per_month", 0.0)
    detail = (f"Declaration {decl.id} ({decl.source}) describes a configuration in effect from "
              f"{_valid(decl)} but was declared on {declared_on}, {days} days later"
              + (f"; it replaced declaration {previous.id}" if previous else "")
              + ("; inspection(s) " + ", ".join(str(r.id) for r in seen)
                 + " took place before it was declared" if seen else "")
              + ". Design information must be provided before a change is made."
              + _made_line(consequence, days))
    return Finding(rule="late-design-change-declaration",
                   severity="high" if heu > 0 else "medium",
                   title=f"Design change declared {days} days after it took effect",
                   detail=detail, evidence=evidence, consequence=consequence)


def _made_line(consequence: dict[str, Any] | None, days: int) -> str:
    if not consequence or "ranges" not in consequence:
        return ""
    r = consequence["ranges"]["heu_kg_u_made_while_undeclared"]
    span = "" if r["low"] is None or r["settings"] <= 1 else \
        f" ({r['low']:.3g}-{r['high']:.3g}, moved most by {r['moved_most_by']})"
    return (f" Meanwhile the new configuration made {r['nominal']:.3g} kg U of HEU{span} in "
            f"{days} days (at its design cuts, assumed).")


def _late_consequence(ctx: Context, decl: RecordLike, previous: RecordLike | None,
                      days: int) -> dict[str, Any]:
    facts = ctx.facts(decl, "plant")
    new = facts["summary"]
    out = {"effective_from": _valid(decl), "declared_on": _valid(decl) + timedelta(days=days),
           "days_late": days, "new": new,
           "heu_kg_u_made_while_undeclared": new["heu_kg_u_per_month"] * days / DAYS_PER_MONTH,
           "replaced": None, "change": None}
    if decl.payload.get("plant"):
        heu = _ranges(ctx, decl, "plant")["figures"]["heu_kg_u_per_month"]
        factor = days / DAYS_PER_MONTH
        out["ranges"] = {"heu_kg_u_made_while_undeclared": {
            **heu, **{k: None if heu[k] is None else heu[k] * factor
                      for k in ("nominal", "low", "high")},
            "effects": {k: v * factor for k, v in heu["effects"].items()}},
            "assumption": facts["design_cuts_assumption"]}
    if previous is not None and previous.payload.get("plant"):
        old = ctx.facts(previous, "plant")["summary"]
        out.update(replaced=old, change=_change(old, new))
    return out


# -- rule 3 ---------------------------------------------------------------------------------
def assay_above_declared(ctx: Context) -> list[Finding]:
    """Rule 3: sample or measured assays above the declared maximum in force on that date."""
    return [_above(ctx, *case) for case in _above_cases(ctx)]


def _above_cases(ctx: Context) -> list[tuple[RecordLike, float, str, RecordLike, float]]:
    """Rule 3's cases: ``(record, value, what, declaration, limit)`` of every sample maximum
    or measured enrichment above the declared maximum in force on its date, in date order."""
    found = [(s, float(s.payload["max_u235_pct"]), "sample maximum")
             for s in ctx.of_kind("sample") if s.payload.get("max_u235_pct") is not None]
    for insp in ctx.of_kind("inspection"):
        values = [float(m["value_pct"]) for m in insp.payload.get("measurements") or ()
                  if m.get("quantity", "enrichment") == "enrichment"]
        if values:
            found.append((insp, max(values), "measured enrichment"))
    found.sort(key=lambda item: (_valid(item[0]), item[0].id))
    out = []
    for record, value, what in found:
        decl = ctx.declaration(_valid(record))
        if decl is None:
            continue
        limit = decl.payload.get("declared_max_assay_pct")
        if limit is not None and value > float(limit):
            out.append((record, value, what, decl, float(limit)))
    return out


def _expect_reach(ctx: Context) -> None:
    """Tell the plant cache which plants rule 3 will test at which assays (:func:`_reach_plants`
    of each case), so that their searches run with rule 1's, in the same rounds (each answer
    as alone). Any problem with the records is left to rule 3 to report: nothing is expected
    then."""
    try:
        asked = [(*_plant_text(r, k), (value,)) for record, value, _, decl, _ in _above_cases(ctx)
                 for r, k in _reach_plants(ctx, record, decl, _observed_before(ctx, record))]
    except (LookupError, TypeError, ValueError, AttributeError):
        return
    ctx.plants.expect_ranges(asked)


def _observed_before(ctx: Context, record: RecordLike) -> RecordLike | None:
    """The inspection whose observed plant applies to ``record``: a sample's own inspection if
    it observed a plant, else the latest inspection with one on or before the record's date."""
    own = ctx.get(record.payload.get("inspection")) if record.kind == "sample" else record
    if own is not None and own.kind == "inspection" and own.payload.get("observed_plant"):
        return own
    seen = [r for r in ctx.of_kind("inspection")
            if r.payload.get("observed_plant") and _valid(r) <= _valid(record)]
    return seen[-1] if seen else None


def _reach(ctx: Context, record: RecordLike, key: str, value: float) -> dict | None:
    where = f"record {record.id} payload.{key}"
    found = ctx.plants.reach_answer(record.payload[key], where, value)
    if found["reach"] is None:
        return None
    out = {"record": record.id, **found["reach"],
           "operating_point": ctx.facts(record, key)["summary"]}
    if found["ranges"] is not None:
        out["ranges"] = found["ranges"]
    return out


def _reach_plants(ctx: Context, record: RecordLike, decl: RecordLike,
                  insp: RecordLike | None) -> list[tuple[RecordLike, str]]:
    """Every plant :func:`_above` tests ``record``'s value against, ``(record, key)``: the
    basis (the observed plant, else the declared one), the configurations of the period and
    the declaration."""
    asked = [(insp, "observed_plant") if insp else (decl, "plant")]
    asked += [(d, "plant") for d, _, _ in _period_declarations(ctx, record, insp)
              if d.payload.get("plant")]
    if insp is not None:
        asked += [(insp, "observed_plant")]
        if decl.payload.get("plant") not in (None, "", insp.payload["observed_plant"]):
            asked += [(decl, "plant")]
    return asked


def _reach_together(ctx: Context, record: RecordLike, value: float, insp: RecordLike | None,
                    decl: RecordLike, basis: tuple) -> None:
    """Ask at once every plant :func:`_above` tests against ``value`` (:func:`_reach_plants`):
    their searches run together (:meth:`~enrichwatch.evaluation.plants.PlantCache.
    reach_answers`, each answer as its plant alone gives it), and :func:`_reach` then reads
    the answers."""
    asked = _reach_plants(ctx, record, decl, insp)
    ctx.plants.reach_answers(list(dict.fromkeys(_plant_text(r, k) for r, k in asked)), value)


def _period_declarations(ctx: Context, record: RecordLike, insp: RecordLike | None
                         ) -> list[tuple[RecordLike, date, date | None]]:
    """Declarations in force at some time from the inspection before ``record`` (before its
    own inspection, for a sample) to ``record``'s date, as known on the evaluation date, each
    with the dates it was in force within that period (``until`` None: still in force)."""
    end = _valid(record)
    own = insp if insp is not None and record.kind == "sample" else record
    earlier = [r for r in ctx.of_kind("inspection") if _valid(r) < _valid(own) and r.id != own.id]
    start = _valid(earlier[-1]) if earlier else end
    found = [d for d in [ctx.declaration(start)] if d is not None]
    later = sorted((r for r in ctx.of_kind("declaration") if start < _valid(r) <= end),
                   key=lambda r: (_valid(r), r.id))
    for decl in later:
        if decl.id not in {d.id for d in found}:
            found.append(decl)
    out = []
    for i, decl in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        out.append((decl, max(_valid(decl), start) if i == 0 else _valid(decl),
                    None if nxt is None else _valid(nxt) - timedelta(days=1)))
    return out


def _configurations(ctx: Context, record: RecordLike, value: float, insp: RecordLike | None
                    ) -> list[dict[str, Any]]:
    """Every configuration declared for the period, and the observed one, tested against
    ``value``."""
    out = []
    for decl, since, until in _period_declarations(ctx, record, insp):
        if not decl.payload.get("plant"):
            continue
        reach = _reach(ctx, decl, "plant", value)
        if reach is not None:
            out.append({"role": "declared", "in_force_from": since, "in_force_until": until,
                        "declared_on": payload_date(decl, "declared_on",
                                                    parse_date(decl.known_on)), **reach})
    if insp is not None:
        reach = _reach(ctx, insp, "observed_plant", value)
        if reach is not None:
            out.append({"role": "observed", "observed_on": _valid(insp), **reach})
    return out


def _stated_transients(ctx: Context, configurations: list[dict[str, Any]], value: float,
                       limit: float) -> list[dict[str, Any]]:
    """The histories stated by each declaration of the period whose product at its declared
    operating point is below ``value``, run on its plant."""
    records, requests = [], []
    for c in configurations:
        decl = ctx.get(c["record"]) if c["role"] == "declared" else None
        product = c["operating_point"]["product"]
        if decl is None or (product is not None and product["assay_wt_pct"] >= value):
            continue
        for i, history in enumerate(decl.payload.get("histories") or ()):
            records.append(decl.id)
            requests.append((decl.payload["plant"], f"record {decl.id} payload.plant", history,
                             f"record {decl.id} payload.histories[{i}]", limit, value))
    return [{"record": record, **answer}      # asked at once, each answered alone
            for record, answer in zip(records, ctx.plants.transients(requests), strict=True)]


def _reach_words(c: dict[str, Any]) -> str:
    r = c.get("ranges")
    top = (f"{c['max_assay_label']} {c['max_assay_wt_pct']:.3g} wt% at "
           f"{c['max_assay_rate_kg_u_per_month']:.3g} kg U/month")
    if r is not None and r["settings"] > 1:
        m = r["max_assay_wt_pct"]
        top += f", range {m['low']:.3g}-{m['high']:.3g} moved most by {m['moved_most_by']}"
    if c["reachable"]:
        text = f"reaches it at up to {c['rate_kg_u_per_month_at_target']:.3g} kg U/month"
        rate = None if r is None else r["rate_kg_u_per_month_at_target"]
        if r is not None and rate is not None and r["settings"] > 1 and rate["low"] is not None:
            text += f" ({rate['low']:.3g}-{rate['high']:.3g})"
    else:
        text = "cannot reach it"
    if r is not None and r["settings"] > 1:
        text += f", in {r['settings_reaching_target']} of {r['settings']} settings"
    return f"{text} ({top})"


def _who(c: dict[str, Any]) -> str:
    if c["role"] == "observed":
        return f"the configuration observed on {c['observed_on']} (record {c['record']})"
    until = "" if c["in_force_until"] is None else f" to {c['in_force_until']}"
    return (f"declaration {c['record']} (in force {c['in_force_from']}{until}, declared on "
            f"{c['declared_on']})")


def _above(ctx: Context, record: RecordLike, value: float, what: str, decl: RecordLike,
           limit: float) -> Finding:
    insp = _observed_before(ctx, record)
    basis = (insp, "observed_plant", "observed") if insp else (decl, "plant", "declared")
    _reach_together(ctx, record, value, insp, decl, basis)
    main = _reach(ctx, basis[0], basis[1], value)
    configurations = _configurations(ctx, record, value, insp)
    transients = _stated_transients(ctx, configurations, value, limit)
    consequence = {"assay_wt_pct": value, "declared_max_assay_pct": limit,
                   "configuration": basis[2], basis[2] + "_configuration": main,
                   "configurations": configurations, "transients": transients}
    if insp is not None and decl.payload.get("plant") not in (None, "",
                                                             insp.payload["observed_plant"]):
        consequence["declared_configuration"] = _reach(ctx, decl, "plant", value)
    evidence = tuple(dict.fromkeys(
        [record.id] + ([insp.id] if insp else []) + [decl.id]))
    tested = ("no configuration with a product withdrawal" if not configurations else
              "; ".join(f"{_who(c)} {_reach_words(c)}" for c in configurations))
    inputs: dict[str, Any] = next(
        (c["ranges"]["inputs"] for c in configurations if c.get("ranges")), {})
    ranges = ("" if not inputs else " Ranges over " + "; ".join(
        f"{k}: {v}" for k, v in inputs.items()) + " (nominal and corners).")
    detail = (f"{what.capitalize()} {value:g} wt% U-235 in record {record.id} ({record.source}, "
              f"{_valid(record)}) is above the declared maximum {limit:g} wt% of declaration "
              f"{decl.id} in force on that date. In steady state (rates found by imposing the "
              f"product withdrawal rate): {tested}.{ranges}"
              + transients_line(transients, limit, value))
    severity = "high" if value >= HEU_THRESHOLD_WT_PCT else "medium"   # (HEU: >= 20 wt%)
    return Finding(rule="assay-above-declared-maximum", severity=severity,
                   title=f"U-235 assay {value:g} % above the declared maximum {limit:g} %",
                   detail=detail, evidence=evidence, consequence=consequence)


#: The built-in rules, in order.
RULES = (observed_differs, late_declarations, assay_above_declared)
