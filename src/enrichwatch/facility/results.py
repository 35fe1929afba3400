"""What a solved plant produces, and what a second configuration changes.

Turns a network and its steady state into plain results (per cascade, per withdrawal, HEU
output) and compares two configurations. Calculators return objects; ``as_dict`` gives the
JSON the command line prints (schema in the README), with rates per month. The figures every
presentation shows (rates in a display unit, U-235 flows, which withdrawals are HEU, HEU
totals) are computed here, once, from unrounded values.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(60.0),
...                    Assay.from_weight_percent(2.0), total_machines=166, name="A")
>>> net = Network([a], feeds=[ExternalFeed("feed", "A", leu, a.design.feed_kg_per_yr)])
>>> result = plant_result(net, net.solve())
>>> result.heu_kg_per_month > 0
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..composition import check_rate_unit, convert_rate, is_heu_weight_percent
from ..constants import HEU_THRESHOLD_WT_PCT, MONTHS_PER_YEAR

__all__ = [
    "RATE_UNIT",
    "CascadeResult",
    "Change",
    "PlantResult",
    "WithdrawalResult",
    "compare_results",
    "describe_link",
    "plant_result",
]

#: Rate unit of the results' ``as_dict`` (the command line's JSON).
RATE_UNIT = "kg U/month"
_AT_DESIGN_CUTS = "each at its design cuts (assumed: no withdrawal rate imposed)"


@dataclass(frozen=True)
class WithdrawalResult:
    """One stream leaving the plant: rate [kg U/month] and isotopics [wt%] (empty when the
    stream is empty).

    Rates in other units, the U-235 flow and whether the stream is HEU are read from it
    (:meth:`rate`, :meth:`u235_rate`, :attr:`is_heu`), so that every presentation shows the
    same figures.
    """

    name: str
    label: str
    rate_kg_per_month: float
    composition_wt_pct: Mapping[str, float]
    months_to_sq_at_90: float | None = None

    @property
    def has_assay(self) -> bool:
        """Whether the isotopics are known (False for an empty stream)."""
        return bool(self.composition_wt_pct)

    @property
    def assay_wt_pct(self) -> float:
        """U-235 [wt%] (0 for an empty stream)."""
        return float(self.composition_wt_pct.get("U235", 0.0))

    @property
    def is_heu(self) -> bool:
        """Whether the stream withdraws highly enriched uranium (a flow at >= 20 wt%)."""
        return self.rate_kg_per_month > 0 and bool(is_heu_weight_percent(self.assay_wt_pct))

    def rate(self, unit: str = RATE_UNIT) -> float:
        """Rate in ``unit`` ({'kg U/month', 'kg U/yr'})."""
        return convert_rate(self.rate_kg_per_month, RATE_UNIT, check_rate_unit(unit))

    def u235_rate(self, unit: str = RATE_UNIT) -> float:
        """U-235 flow in ``unit``, kg U-235 for kg U ({'kg U/month', 'kg U/yr'})."""
        return self.rate(unit) * self.assay_wt_pct / 100

    @property
    def u235_kg_per_month(self) -> float:
        """U-235 flow [kg U-235/month]."""
        return self.u235_rate(RATE_UNIT)

    def as_dict(self) -> dict:
        months = self.months_to_sq_at_90
        return {"name": self.name, "label": self.label, "rate": self.rate_kg_per_month,
                "assay_wt_pct": self.assay_wt_pct, "composition_wt_pct": dict(
                    self.composition_wt_pct), "heu": self.is_heu,
                "months_to_sq_at_90pct": None if months is None or np.isinf(months) else months}


@dataclass(frozen=True, kw_only=True)
class CascadeResult:
    """One cascade at steady state (rates per month, assays in wt% U-235)."""

    name: str
    machine: str
    machines_per_stage: tuple[int, ...]
    feed_stage: int
    product_rate: float
    product_assay_wt_pct: float
    tails_rate: float
    tails_assay_wt_pct: float
    swu_machines_per_month: float
    swu_value_per_month: float
    stage_feed_rate: tuple[float, ...]
    stage_cut: tuple[float, ...]
    stage_assay_wt_pct: tuple[float, ...]

    def as_dict(self) -> dict:
        profile = [{"stage": i, "machines": n, "feed_rate": f, "cut": c, "assay_wt_pct": x}
                   for i, (n, f, c, x) in enumerate(zip(self.machines_per_stage,
                                                        self.stage_feed_rate, self.stage_cut,
                                                        self.stage_assay_wt_pct, strict=True))]
        return {"name": self.name, "machine": self.machine, "stages": len(self.stage_cut),
                "machines": sum(self.machines_per_stage), "feed_stage": self.feed_stage,
                "product": {"rate": self.product_rate, "assay_wt_pct": self.product_assay_wt_pct},
                "tails": {"rate": self.tails_rate, "assay_wt_pct": self.tails_assay_wt_pct},
                "swu_machines_per_month": self.swu_machines_per_month,
                "swu_value_per_month": self.swu_value_per_month, "stage_profile": profile}


@dataclass(frozen=True)
class PlantResult:
    """A plant's steady state, ready to present."""

    cascades: tuple[CascadeResult, ...]
    withdrawals: tuple[WithdrawalResult, ...]
    streams: tuple[str, ...]
    feeds: Mapping[str, float]
    balance_residual: float

    @property
    def heu_withdrawals(self) -> tuple[WithdrawalResult, ...]:
        """The withdrawals of HEU (:attr:`WithdrawalResult.is_heu`), in order."""
        return tuple(w for w in self.withdrawals if w.is_heu)

    def heu_rate(self, unit: str = RATE_UNIT) -> float:
        """HEU (>= 20 % U-235) withdrawn, in ``unit`` ({'kg U/month', 'kg U/yr'}): the sum of
        the HEU withdrawals' unrounded rates."""
        return float(sum(w.rate(unit) for w in self.heu_withdrawals))

    def heu_u235_rate(self, unit: str = RATE_UNIT) -> float:
        """U-235 in the HEU withdrawn, in ``unit`` (kg U-235 for kg U): the sum of the HEU
        withdrawals' unrounded U-235 flows."""
        return float(sum(w.u235_rate(unit) for w in self.heu_withdrawals))

    @property
    def heu_kg_per_month(self) -> float:
        """HEU (>= 20 % U-235) withdrawn [kg U/month]."""
        return self.heu_rate(RATE_UNIT)

    @property
    def heu_u235_kg_per_month(self) -> float:
        """U-235 in the HEU withdrawn [kg U-235/month]."""
        return self.heu_u235_rate(RATE_UNIT)

    @property
    def months_to_one_sq_at_90(self) -> float:
        """Months to one significant quantity (25 kg U-235) of >= 90 % uranium from the fastest
        product withdrawal, each run at the rate that brings it to 90 %
        (:func:`enrichwatch.physics.capability.months_to_one_sq`); infinite when none can reach
        90 %."""
        months = [w.months_to_sq_at_90 for w in self.withdrawals
                  if w.months_to_sq_at_90 is not None]
        return min(months, default=float("inf"))

    def as_dict(self) -> dict:
        months = self.months_to_one_sq_at_90
        return {
            "units": {"rate": RATE_UNIT, "swu": "kg-SWU/month", "assay": "wt% U-235"},
            "cascades": [c.as_dict() for c in self.cascades],
            "withdrawals": [w.as_dict() for w in self.withdrawals],
            "streams": list(self.streams),
            "feeds": dict(self.feeds),
            "heu_kg_per_month": self.heu_kg_per_month,
            "heu_u235_kg_per_month": self.heu_u235_kg_per_month,
            "months_to_one_sq_at_90pct": None if np.isinf(months) else months,
            "balance_residual": self.balance_residual,
        }


def describe_link(link) -> str:
    """One-line description of a network link, used to compare configurations."""
    stage = "feed stage" if link.stage is None else f"stage {link.stage}"
    share = "" if link.fraction == 1.0 else f" ({link.fraction:.3g} of it)"
    return f"{link.source}.{link.output} -> {link.target} {stage}{share}"


def _wt_pct(composition) -> dict[str, float]:
    return {} if composition is None else composition.as_dict("mass", percent=True)


def _cascade_result(cascade, state) -> CascadeResult:
    per_month = 1.0 / MONTHS_PER_YEAR
    return CascadeResult(
        name=cascade.name, machine=getattr(cascade.machine, "name", str(cascade.machine)),
        machines_per_stage=cascade.machines_per_stage, feed_stage=cascade.feed_stage,
        product_rate=state.product.rate_kg_per_yr * per_month,
        product_assay_wt_pct=_u235(state.product),
        tails_rate=state.tails.rate_kg_per_yr * per_month, tails_assay_wt_pct=_u235(state.tails),
        swu_machines_per_month=state.swu_machines_kg_per_yr * per_month,
        swu_value_per_month=state.swu_value_kg_per_yr * per_month,
        stage_feed_rate=tuple((state.stage_feed_kg_per_yr * per_month).tolist()),
        stage_cut=tuple(state.cuts.tolist()),
        stage_assay_wt_pct=tuple((100 * state.stage_assay).tolist()))


def _u235(stream) -> float:
    return 100 * stream.composition.fraction("U235") if stream.composition is not None else 0.0


def plant_result(network, state, labels: Mapping[str, str] | None = None, *,
                 capability: bool = True) -> PlantResult:
    """Results of a solved network; ``labels`` maps withdrawal names to the user's names.

    With ``capability``, each product withdrawal also gets the months to one significant
    quantity at 90 % (the network re-solved at the withdrawal rate that gives 90 %).
    """
    from ..physics.capability import months_to_one_sq

    labels = labels or {}
    cascades = tuple(_cascade_result(c, state.cascades[name])
                     for name, c in network.cascades.items())

    def months(name):
        if not capability or not name.endswith(".product"):
            return None
        return months_to_one_sq(network, name)

    withdrawals = tuple(
        WithdrawalResult(name, labels.get(name, name), s.rate_kg_per_yr / MONTHS_PER_YEAR,
                         _wt_pct(s.composition), months(name))
        for name, s in state.withdrawals.items())
    feeds = {f.name: f.rate_kg_per_yr / MONTHS_PER_YEAR for f in network.feeds}
    return PlantResult(cascades, withdrawals, tuple(describe_link(k) for k in network.links),
                       feeds, float(np.max(np.abs(state.balance_residual()))))


@dataclass(frozen=True)
class Change:
    """One difference between two configurations."""

    item: str
    before: str
    after: str
    note: str = ""

    def as_dict(self) -> dict:
        return {"item": self.item, "before": self.before, "after": self.after, "note": self.note}


def compare_results(a: PlantResult, b: PlantResult) -> tuple[Change, ...]:
    """What configuration ``b`` changes with respect to ``a``: streams added or removed,
    cascade layouts, withdrawals (rates and assays) and HEU output."""
    changes = [Change("stream", s, "(removed)", "in the first, not the second")
               for s in a.streams if s not in b.streams]
    changes += [Change("stream", "(absent)", s, "added in the second")
                for s in b.streams if s not in a.streams]
    changes += _cascade_changes(a, b)
    changes += _withdrawal_changes(a, b)
    changes.append(Change(f"HEU output (>= {HEU_THRESHOLD_WT_PCT:g} %)",
                          f"{a.heu_kg_per_month:.4g} {RATE_UNIT}",
                          f"{b.heu_kg_per_month:.4g} {RATE_UNIT}",
                          _ratio_note(a.heu_kg_per_month, b.heu_kg_per_month)))
    changes.append(Change("months to 1 SQ at 90 %", _months(a.months_to_one_sq_at_90),
                          _months(b.months_to_one_sq_at_90),
                          "25 kg U-235 at 90 %, product withdrawn slowly enough to reach 90 %"))
    return tuple(changes)


def _months(value: float) -> str:
    return "never (90 % not reachable)" if np.isinf(value) else f"{value:.3g} months"


def _ratio_note(before: float, after: float) -> str:
    if before > 0:
        return f"x{after / before:.3g}"
    return "new" if after > 0 else ""


def _cascade_changes(a: PlantResult, b: PlantResult) -> list[Change]:
    old, new = {c.name: c for c in a.cascades}, {c.name: c for c in b.cascades}
    out = [Change(f"cascade {n}", f"{sum(old[n].machines_per_stage)} machines", "(removed)")
           for n in old if n not in new]
    out += [Change(f"cascade {n}", "(absent)", f"{sum(new[n].machines_per_stage)} machines")
            for n in new if n not in old]
    for n in (name for name in old if name in new):
        x, y = old[n], new[n]
        if (x.machines_per_stage, x.feed_stage) != (y.machines_per_stage, y.feed_stage):
            out.append(Change(f"cascade {n} layout",
                              f"{len(x.stage_cut)} stages, feed at {x.feed_stage}",
                              f"{len(y.stage_cut)} stages, feed at {y.feed_stage}"))
        out.append(Change(f"cascade {n} product", _stream(x.product_rate, x.product_assay_wt_pct),
                          _stream(y.product_rate, y.product_assay_wt_pct), _AT_DESIGN_CUTS))
    return out


def _stream(rate: float, assay: float) -> str:
    return f"{rate:.4g} {RATE_UNIT} at {assay:.4g} wt%"


def _withdrawal_changes(a: PlantResult, b: PlantResult) -> list[Change]:
    old, new = {w.name: w for w in a.withdrawals}, {w.name: w for w in b.withdrawals}
    out = []
    for name in list(old) + [n for n in new if n not in old]:
        x, y = old.get(name), new.get(name)
        out.append(Change(f"withdrawal {(y or old[name]).label}",  # x is old[name]
                          _stream(x.rate_kg_per_month, x.assay_wt_pct) if x else "(absent)",
                          _stream(y.rate_kg_per_month, y.assay_wt_pct) if y else "(removed)",
                          _AT_DESIGN_CUTS))
    return out
