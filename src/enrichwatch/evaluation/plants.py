"""Plant descriptions inside records, solved once per evaluation, and what two of them differ in.

A declaration carries the declared plant (``payload.plant``) and an inspection the plant seen
(``payload.observed_plant``), both as plant-description TOML text (docs/plant-format.md).
:class:`PlantCache` reads, builds and solves each distinct text once per evaluation and keeps
the capability answers (highest reachable assay, withdrawal rate for an assay) it was asked.
:func:`structural_differences` says how two configurations differ in structure: cascades
(machine type, machines per stage, feed stage), streams between cascades, feed points and
withdrawal points; :func:`operating_differences` adds feed rates and isotopics.

Rates are kg U/month, assays wt% U-235, times months.

Examples
--------
>>> from pathlib import Path
>>> root = Path("examples/fordow-2023")
>>> cache = PlantCache()
>>> declared = cache.figures((root / "declared.toml").read_text(), "declared.toml")
>>> observed = cache.figures((root / "observed.toml").read_text(), "observed.toml")
>>> for d in structural_differences(declared, observed):
...     print(d.item, "|", d.declared, "|", d.observed)
stream | A.product -> B feed stage | (absent)
stream | (absent) | A.product -> B stage 7
>>> round(observed.summary()["product"]["assay_wt_pct"], 1)   # at the design cuts (assumed)
80.4
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..composition import Assay
from ..constants import MONTHS_PER_YEAR
from ..errors import InputError
from ..facility import Facility, FacilityFileError
from ..facility.consequences import PlantRanges, operating_point_comparison
from ..facility.results import PlantResult, WithdrawalResult
from ..facility.solve import solve_plant
from ..physics.capability import MaxAssay, maximum_assay, rate_for_assay
from ..physics.network import Network
from .transients import stated_transient

__all__ = ["Difference", "PlantCache", "PlantFigures", "PlantRanges", "Reach",
           "operating_differences", "structural_differences"]

_RATE_RTOL = 1e-6


def _finite(value: float) -> float | None:
    return None if value is None or np.isinf(value) else float(value)


@dataclass(frozen=True)
class PlantFigures:
    """A plant description read, built and solved: its facility, network and results."""

    facility: Facility
    network: Network
    result: PlantResult

    @property
    def main_product(self) -> WithdrawalResult | None:
        """The product withdrawal with the highest assay (None if the plant withdraws none)."""
        products = [w for w in self.result.withdrawals
                    if w.name.endswith(".product") and w.rate_kg_per_month > 0]
        return max(products, key=lambda w: w.assay_wt_pct, default=None)

    def summary(self) -> dict[str, Any]:
        """Product (label, rate, assay), HEU output and months to one SQ at 90 %."""
        main = self.main_product
        product = None if main is None else {
            "withdrawal": main.name, "label": main.label,
            "rate_kg_u_per_month": main.rate_kg_per_month, "assay_wt_pct": main.assay_wt_pct}
        return {"plant": self.facility.name, "illustrative": self.facility.info.illustrative,
                "product": product, "heu_kg_u_per_month": self.result.heu_kg_per_month,
                "months_to_one_sq_at_90pct": _finite(self.result.months_to_one_sq_at_90)}


@dataclass(frozen=True)
class Reach:
    """Whether a plant's product withdrawal can reach an assay in steady state.

    ``rate_kg_u_per_month`` is the fastest withdrawal rate at which the product has the target
    assay (None if the plant cannot reach it); ``max_assay_wt_pct`` the highest assay over the
    withdrawal rate (:func:`enrichwatch.physics.capability.maximum_assay`), labelled by
    ``max_assay_label`` (``'limit as withdrawal -> 0'`` when the assay falls with the rate all
    the way, else ``'maximum over withdrawal rate'``) and reached at
    ``max_assay_rate_kg_u_per_month``.
    """

    withdrawal: str
    label: str
    target_wt_pct: float
    max_assay_wt_pct: float
    rate_kg_u_per_month: float | None
    max_assay_label: str = ""
    max_assay_rate_kg_u_per_month: float | None = None
    assay_at_slowest_rate_wt_pct: float | None = None

    @property
    def reachable(self) -> bool:
        return self.rate_kg_u_per_month is not None

    def as_dict(self) -> dict[str, Any]:
        return {"withdrawal": self.withdrawal, "label": self.label,
                "target_assay_wt_pct": self.target_wt_pct, "reachable": self.reachable,
                "max_assay_wt_pct": self.max_assay_wt_pct,
                "max_assay_label": self.max_assay_label,
                "max_assay_rate_kg_u_per_month": self.max_assay_rate_kg_u_per_month,
                "assay_at_slowest_rate_wt_pct": self.assay_at_slowest_rate_wt_pct,
                "rate_kg_u_per_month_at_target": self.rate_kg_u_per_month}


class PlantCache:
    """Solved plants keyed by their description text, for one evaluation.

    Parameters
    ----------
    catalog : MachineCatalog, optional
        Machine catalog for names not defined in the descriptions; default the bundled one.
    """

    def __init__(self, catalog=None) -> None:
        self._catalog = catalog
        self._figures: dict[str, PlantFigures] = {}
        self._reach: dict[tuple[str, float], Reach | None] = {}
        self._ranges: dict[str, PlantRanges] = {}
        self._comparisons: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._transients: dict[tuple, dict[str, Any]] = {}

    def figures(self, text: str, where: str) -> PlantFigures:
        """The plant of ``text`` solved (once); ``where`` names it in errors
        (``'record 2 payload.plant'``).

        Raises
        ------
        InputError
            If the text is not a valid plant description (the problems are listed).
        """
        if text not in self._figures:
            self._figures[text] = self._solve(text, where)
        return self._figures[text]

    def _solve(self, text: str, where: str) -> PlantFigures:
        if not isinstance(text, str) or not text.strip():
            raise InputError(where, text, "a plant description (TOML text)")
        try:
            facility = Facility.from_toml_text(text, where, catalog=self._catalog)
            plant = solve_plant(facility, catalog=self._catalog)
        except FacilityFileError as err:
            raise InputError(where, "<plant description>",
                             f"a valid plant description:\n  {err}") from err
        return PlantFigures(plant.facility, plant.network, plant.result)

    def ranges(self, text: str, where: str) -> PlantRanges:
        """The plant of ``text`` over its uncertain inputs (stage factor, machine rating, stage
        layout), for its main product withdrawal; solved lazily and kept."""
        if text not in self._ranges:
            plant = self.figures(text, where)
            main = plant.main_product
            self._ranges[text] = PlantRanges(plant.network, None if main is None else main.name)
        return self._ranges[text]

    def comparison(self, first: tuple[str, str], second: tuple[str, str]
                   ) -> dict[str, Any] | None:
        """Two plants (each ``(text, where)``) at the same operating point and each at its
        design cuts, with ranges (:func:`~enrichwatch.facility.consequences.
        operating_point_comparison`)."""
        key = (first[0], second[0])
        if key not in self._comparisons:
            main = self.figures(*first).main_product
            self.figures(*second)
            self._comparisons[key] = operating_point_comparison(    # on the networks kept
                self.ranges(*first), self.ranges(*second), None if main is None else main.name)
        return self._comparisons[key]

    def transient(self, text: str, where: str, history: Any, history_where: str,
                  limit_pct: float, assay_pct: float) -> dict[str, Any]:
        """A stated operating history run on the plant of ``text``
        (:func:`~enrichwatch.evaluation.transients.stated_transient`), once per evaluation."""
        key = (text, repr(history), float(limit_pct), float(assay_pct))
        if key not in self._transients:
            self._transients[key] = stated_transient(
                self.figures(text, where).facility, text, history, history_where, limit_pct,
                assay_pct, catalog=self._catalog)
        return self._transients[key]

    def reach(self, text: str, where: str, assay_wt_pct: float) -> Reach | None:
        """Can the plant of ``text`` make product at ``assay_wt_pct`` in steady state?

        Tries every product withdrawal and answers for the one reaching the highest assay;
        None if the plant has no product withdrawal.
        """
        key = (text, float(assay_wt_pct))
        if key not in self._reach:
            self._reach[key] = self._find_reach(self.figures(text, where), float(assay_wt_pct),
                                                self.ranges(text, where))
        return self._reach[key]

    @staticmethod
    def _find_reach(plant: PlantFigures, target: float, ranges: PlantRanges) -> Reach | None:
        products = [w for w in plant.result.withdrawals if w.name.endswith(".product")]
        if not products:
            return None
        # the nominal setting of the ranges is this very network: reuse its scans
        cached = {w.name: ranges.maximum(0) if w.name == ranges.withdrawal else None
                  for w in products}
        tops: dict[str, MaxAssay] = {
            n: top if top is not None else maximum_assay(plant.network, n)
            for n, top in cached.items()}
        best = max(products, key=lambda w: tops[w.name].weight_percent)
        top, found = tops[best.name], None
        if top.weight_percent >= target:
            found = (ranges.reach(0, target) if best.name == ranges.withdrawal else
                     rate_for_assay(plant.network, best.name, Assay.from_weight_percent(target),
                                    maximum=top))
        rate = None if found is None else found.rate_kg_per_yr / MONTHS_PER_YEAR
        return Reach(best.name, best.label, target, top.weight_percent, rate, top.label,
                     top.rate_kg_per_month, float(top.slowest_assay.weight_percent))


@dataclass(frozen=True)
class Difference:
    """One way two configurations differ: the item, as declared and as observed."""

    item: str
    declared: str
    observed: str

    def as_dict(self) -> dict[str, str]:
        return {"item": self.item, "declared": self.declared, "observed": self.observed}


def _layout(c) -> str:
    stages = ", ".join(str(n) for n in c.machines_per_stage)
    return (f"{sum(c.machines_per_stage)} {c.machine} in {len(c.machines_per_stage)} stages "
            f"[{stages}], feed stage {c.feed_stage}")


def _cascade_differences(a: PlantResult, b: PlantResult) -> list[Difference]:
    old, new = {c.name: c for c in a.cascades}, {c.name: c for c in b.cascades}
    out = []
    for name in list(old) + [n for n in new if n not in old]:
        x, y = old.get(name), new.get(name)
        before, after = (_layout(x) if x else "(absent)"), (_layout(y) if y else "(absent)")
        if before != after:
            out.append(Difference(f"cascade {name}", before, after))
    return out


def _set_differences(item: str, a: list[str], b: list[str]) -> list[Difference]:
    out = [Difference(item, s, "(absent)") for s in a if s not in b]
    return out + [Difference(item, "(absent)", s) for s in b if s not in a]


def _feed_points(plant: PlantFigures) -> list[str]:
    return sorted({_point(f.target, f.stage) for f in plant.network.feeds})


def _point(target: str, stage: int | None) -> str:
    return f"into {target} " + ("feed stage" if stage is None else f"stage {stage}")


def structural_differences(declared: PlantFigures, observed: PlantFigures
                           ) -> tuple[Difference, ...]:
    """How ``observed`` differs from ``declared`` in structure: cascades (machine type,
    machines per stage, feed stage), streams between cascades, feed points and withdrawal
    points. Empty when the structures are the same."""
    a, b = declared.result, observed.result
    out = _cascade_differences(a, b)
    out += _set_differences("stream", list(a.streams), list(b.streams))
    out += _set_differences("feed point", _feed_points(declared), _feed_points(observed))
    out += _set_differences("withdrawal point", [w.name for w in a.withdrawals],
                            [w.name for w in b.withdrawals])
    return tuple(out)


def _feeds_by_point(plant: PlantFigures) -> dict[str, tuple[float, float]]:
    """Feed point -> (rate [kg U/month], U-235 [wt%], rate-weighted)."""
    sums: dict[str, list[float]] = {}
    for f in plant.network.feeds:
        rate = f.rate_kg_per_yr / MONTHS_PER_YEAR
        entry = sums.setdefault(_point(f.target, f.stage), [0.0, 0.0])
        entry[0] += rate
        entry[1] += rate * 100 * f.composition.fraction("U235")
    return {p: (r, u / r) for p, (r, u) in sums.items() if r > 0}


def operating_differences(declared: PlantFigures, observed: PlantFigures
                          ) -> tuple[Difference, ...]:
    """Feed rates and feed U-235 assays that differ at feed points present in both."""
    a, b = _feeds_by_point(declared), _feeds_by_point(observed)
    out = []
    for point in (p for p in a if p in b):
        (ra, xa), (rb, xb) = a[point], b[point]
        if abs(ra - rb) > _RATE_RTOL * ra or abs(xa - xb) > _RATE_RTOL * xa:
            out.append(Difference(f"feed {point}", f"{ra:.4g} kg U/month at {xa:.4g} wt%",
                                  f"{rb:.4g} kg U/month at {xb:.4g} wt%"))
    return tuple(out)
