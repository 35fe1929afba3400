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

import copy
import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..constants import MONTHS_PER_YEAR
from ..errors import ConvergenceError, InputError

if TYPE_CHECKING:       # the physics loads only when a question is not answered from a cache
    from ..facility import Facility
    from ..facility.consequences import PlantRanges
    from ..facility.results import PlantResult, WithdrawalResult
    from ..physics.network import Network
    from .cache import ConsequenceCache

__all__ = ["Difference", "PlantCache", "PlantFigures", "PlantRanges", "Reach",
           "operating_differences", "plant_facts", "structural_differences"]


def __getattr__(name: str) -> Any:
    # PlantRanges is re-exported here, loaded (with the physics) on first use
    if name == "PlantRanges":
        from ..facility.consequences import PlantRanges

        return PlantRanges
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_RATE_RTOL = 1e-6


def _one_blas_thread(compute):
    """``compute`` run with the BLAS pools pinned to one thread once for the whole answer (its
    hundreds of small network solves then each skip pinning them again: nested blocks of
    :func:`~enrichwatch.physics.sparse_systems.one_blas_thread` cost nothing). The physics
    is imported only when the answer is computed, not when it is read from a cache."""
    def run():
        from ..physics.sparse_systems import one_blas_thread

        with one_blas_thread():
            return compute()
    return run


def _finite(value: float) -> float | None:
    return None if value is None or math.isinf(value) else float(value)


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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reach:
        """The :class:`Reach` of :meth:`as_dict`."""
        return cls(d["withdrawal"], d["label"], d["target_assay_wt_pct"], d["max_assay_wt_pct"],
                   d["rate_kg_u_per_month_at_target"], d["max_assay_label"],
                   d["max_assay_rate_kg_u_per_month"], d["assay_at_slowest_rate_wt_pct"])

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

    Every question the rules ask about a plant (:meth:`facts`, :meth:`ranges_answer`,
    :meth:`reach_answer`, :meth:`comparison`, :meth:`transient`) is answered once per
    evaluation as plain data; with a ``cache`` (and the bundled catalog) the answers are also
    kept on disk for later evaluations, keyed by the texts they are about
    (:mod:`enrichwatch.evaluation.cache`), and an answer read from there loads no physics.

    Parameters
    ----------
    catalog : MachineCatalog, optional
        Machine catalog for names not defined in the descriptions; default the bundled one.
    cache : ConsequenceCache, optional
        Disk cache of the answers (used only with the bundled catalog).
    """

    def __init__(self, catalog=None, cache: ConsequenceCache | None = None) -> None:
        self._catalog = catalog
        self._disk = cache if catalog is None else None
        self._figures: dict[str, PlantFigures] = {}
        self._solved: dict[str, Any] = {}       # solved without the capability figure
        self._expected: list[tuple] = []        # comparisons a rule will ask
        self._expected_ranges: list[tuple] = []     # ranges a rule will ask
        self._ranges: dict[str, PlantRanges] = {}
        self._answers: dict[tuple[str, str], Any] = {}

    def _answer(self, kind: str, material: dict[str, Any], compute) -> Any:
        """The answer of ``kind`` for ``material``: once per evaluation, from the disk cache
        when there is one; a fresh copy each time."""
        memo = (kind, json.dumps(material, sort_keys=True))
        if memo not in self._answers:
            computed = _one_blas_thread(compute)
            if self._disk is None:
                self._answers[memo] = computed()
            else:
                ran: list[bool] = []

                def run() -> Any:
                    ran.append(True)
                    return computed()
                self._answers[memo] = self._disk.answer(kind, material, run)
                if not ran:     # read from the disk: what the rules expect may be there too
                    self._expected.clear()
                    self._expected_ranges.clear()
        return copy.deepcopy(self._answers[memo])

    def figures(self, text: str, where: str) -> PlantFigures:
        """The plant of ``text`` solved (once); ``where`` names it in errors
        (``'record 2 payload.plant'``).

        Raises
        ------
        InputError
            If the text is not a valid plant description (the problems are listed).
        """
        if text not in self._figures:
            self._prepare_figures([(text, where)])
        if text not in self._figures:          # it fails: solved as before, for its error
            self._figures[text] = self._solve(text, where)
        return self._figures[text]

    def expect_comparisons(self, pairs: Sequence[tuple[tuple[str, str], tuple[str, str]]]
                           ) -> None:
        """Note plants a rule will compare (``(first, second)``, each ``(text, where)``): the
        first physics computed for any plant (:meth:`_prepare`) then solves all of them at
        once, and the ranges at 90 % of each pair that differs in structure (the rule asks
        them then) in the same search rounds as the plants' own capability figures. Nothing is
        computed here (an evaluation answered from the disk cache loads no physics)."""
        self._expected += [tuple(pair) for pair in pairs]

    def expect_ranges(self, requests: Sequence[tuple[str, str, tuple[float, ...]]]) -> None:
        """Note ranges a rule will ask (``(text, where, targets)``: :meth:`ranges_answers`,
        :meth:`reach_answers`): the first physics computed for any plant (:meth:`_prepare`)
        searches them too, in the same rounds (each figure as alone). Nothing is computed
        here."""
        self._expected_ranges += [(text, where, tuple(float(t) for t in targets))
                                  for text, where, targets in requests]

    def _bare(self, text: str, where: str):
        """The plant of ``text`` solved without its capability figure (kept), or None when it
        cannot be (:meth:`_solve` then raises its error)."""
        from ..facility import Facility, FacilityFileError
        from ..facility.solve import solve_plant

        if text not in self._solved:
            if not isinstance(text, str) or not text.strip():
                return None
            try:
                facility = Facility.from_toml_text(text, where, catalog=self._catalog)
                self._solved[text] = solve_plant(facility, catalog=self._catalog,
                                                 capability=False)
            except FacilityFileError:
                return None
        return self._solved[text]

    def _prepare_figures(self, requests: Sequence[tuple[str, str]]) -> None:
        """:meth:`_prepare` of these plants."""
        self._prepare(requests, ())

    def _prepare(self, plants: Sequence[tuple[str, str]],
                 ranges: Sequence[tuple[str, str, tuple[float, ...]]]) -> None:
        """Solve the plants of ``plants`` (``(text, where)``) and of the comparisons expected
        (:meth:`expect_comparisons`) not solved yet, and search together, each round of all
        their solves one batch (:func:`~enrichwatch.facility.consequences.find_reach_many`):
        the ranges of ``ranges`` (``(text, where, targets)``) and of the expected pairs that
        differ in structure (at 90 %), and every plant's months to one significant quantity
        at 90 % (each product withdrawal's, as :func:`~enrichwatch.facility.solve.solve_plant`
        finds them; for the withdrawal of ranges searched at 90 %, their nominal setting's,
        the same search). Each search takes the steps it takes alone: every figure is the one
        its plant gives asked alone, bit for bit. A plant that does not solve, or whose
        search fails, is left out: :meth:`_solve` then raises its error."""
        from ..facility.consequences import find_reach_many

        expected, self._expected = self._expected, []
        ranges = list(ranges) + [r for r in self._expected_ranges if isinstance(r[0], str)]
        self._expected_ranges = []
        plants = list(plants) + [plant for pair in expected for plant in pair] + [
            r[:2] for r in ranges]
        for first, second in expected:
            a, b = self._bare(*first), self._bare(*second)
            if a is not None and b is not None and structural_differences(
                    PlantFigures(a.facility, a.network, a.result),
                    PlantFigures(b.facility, b.network, b.result)):
                ranges += [(*first, (90.0,)), (*second, (90.0,))]
        bare = {text: solved for text, where in plants + [r[:2] for r in ranges]
                if text not in self._figures and (solved := self._bare(text, where)) is not None}
        searched = []
        for text, where, targets in ranges:
            if text in bare or text in self._figures:
                searched.append((self.ranges(text, where), targets))
        at_90 = {id(r) for r, targets in searched if 90.0 in targets}
        covered = {text: r for text, r in self._ranges.items() if id(r) in at_90}
        weapon_grade = _weapon_grade()
        jobs = [(text, w.name) for text, plant in bare.items() for w in plant.result.withdrawals
                if w.name.endswith(".product")
                and not (text in covered and covered[text].withdrawal == w.name)]
        found = find_reach_many(searched, [(bare[text].network, name, weapon_grade)
                                           for text, name in jobs])
        months: dict[str, dict[str, Any]] = {text: {} for text in bare}
        for (text, name), rate in zip(jobs, found, strict=True):
            months[text][name] = rate
        for text, r in covered.items():
            if text in months and r.withdrawal is not None:
                months[text][r.withdrawal] = (
                    r.reach(0, 90.0) if r.found_reach(0, 90.0) else
                    ConvergenceError(r.withdrawal, "the rate at 90 % was not found"))
        for text, plant in bare.items():
            self._keep_figures(text, plant, months[text])

    def _keep_figures(self, text: str, plant, rates: dict[str, Any]) -> None:
        """Keep the figures of a plant solved without its capability figure, given the rate at
        90 % of each of its product withdrawals (a RateAtAssay, None out of reach, or an
        error: the plant is then not kept)."""
        if any(isinstance(rate, Exception) for rate in rates.values()):
            return
        months = {name: float("inf") if rate is None else rate.months_to_significant_quantity
                  for name, rate in rates.items()}
        result = dataclasses.replace(plant.result, withdrawals=tuple(
            dataclasses.replace(w, months_to_sq_at_90=months[w.name])
            if w.name in months else w for w in plant.result.withdrawals))
        self._figures[text] = PlantFigures(plant.facility, plant.network, result)

    def _together(self, kind: str, asked: list[tuple[dict[str, Any], Any]], prepare,
                  answer) -> list[Any]:
        """The answers of ``kind`` for ``asked`` (``(material, request)`` pairs), each as
        :meth:`_answer` gives it; the first time one has to be computed, ``prepare`` runs on
        every request of ``asked`` not answered yet in this evaluation (their physics
        together, each as alone), then each answer is ``answer(request)``."""
        pending = [True]

        def compute(request) -> Any:
            if pending[0]:
                pending[0] = False
                prepare([r for m, r in asked
                         if (kind, json.dumps(m, sort_keys=True)) not in self._answers])
            return answer(request)
        return [self._answer(kind, material, partial(compute, request))
                for material, request in asked]

    def _solve(self, text: str, where: str) -> PlantFigures:
        if not isinstance(text, str) or not text.strip():
            raise InputError(where, text, "a plant description (TOML text)")
        from ..facility import Facility, FacilityFileError
        from ..facility.solve import solve_plant

        try:
            facility = Facility.from_toml_text(text, where, catalog=self._catalog)
            plant = solve_plant(facility, catalog=self._catalog)
        except FacilityFileError as err:
            raise InputError(where, "<plant description>",
                             f"a valid plant description:\n  {err}") from err
        return PlantFigures(plant.facility, plant.network, plant.result)

    @staticmethod
    def _text(text: Any, where: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InputError(where, text, "a plant description (TOML text)")
        return text

    def facts(self, text: str, where: str) -> dict[str, Any]:
        """What the rules need of the plant of ``text`` at its design cuts, as plain data
        (:func:`plant_facts`)."""
        return self.facts_many([(text, where)])[0]

    def facts_many(self, requests: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """:meth:`facts` of several ``(text, where)``: the plants not answered yet are solved
        when the first of them is needed, their capability searches together
        (:meth:`_prepare_figures`; each figure as its plant alone gives it)."""
        asked = [({"plant": self._text(text, where)}, (text, where)) for text, where in requests]
        return self._together("plant", asked, self._prepare_figures,
                              lambda request: plant_facts(self.figures(*request)))

    def ranges(self, text: str, where: str) -> PlantRanges:
        """The plant of ``text`` over its uncertain inputs (stage factor, machine rating, stage
        layout), for its main product withdrawal; solved lazily and kept."""
        if text not in self._ranges:
            from ..facility.consequences import PlantRanges

            solved = self._figures.get(text) or self._bare(text, where) or \
                self.figures(text, where)               # (this raises its error)
            plant = PlantFigures(solved.facility, solved.network, solved.result)
            main = plant.main_product
            self._ranges[text] = PlantRanges(plant.network, None if main is None else main.name)
        return self._ranges[text]

    def ranges_answer(self, text: str, where: str, targets: tuple[float, ...] = (90.0,)
                      ) -> dict[str, Any]:
        """:meth:`ranges` ``.as_dict(targets)``."""
        return self.ranges_answers([(text, where, targets)])[0]

    def ranges_answers(self, requests: Sequence[tuple[str, str, tuple[float, ...]]]
                       ) -> list[dict[str, Any]]:
        """:meth:`ranges_answer` of several ``(text, where, targets)``: those not answered yet
        are searched together when the first of them is needed
        (:func:`~enrichwatch.facility.consequences.find_reach_many`: every setting of every
        plant at every target, each round of their solves one batch; each figure as its
        plant, setting and target asked alone give it, bit for bit)."""
        asked = []
        for text, where, targets in requests:
            targets = tuple(float(t) for t in targets)
            asked.append(({"plant": self._text(text, where), "targets": list(targets)},
                          (text, where, targets)))
        return self._together("ranges", asked, self._prepare_ranges,
                              lambda r: self.ranges(r[0], r[1]).as_dict(r[2]))

    def _prepare_ranges(self, requests: Sequence[tuple[str, str, tuple[float, ...]]]) -> None:
        """The ranges of ``requests`` (``(text, where, targets)``) at their targets, searched
        together (:meth:`_prepare`; a plant that does not solve is left out: its own answer
        raises its error)."""
        self._prepare([(text, where) for text, where, _ in requests], requests)

    def comparison(self, first: tuple[str, str], second: tuple[str, str]
                   ) -> dict[str, Any] | None:
        """Two plants (each ``(text, where)``) at the same operating point and each at its
        design cuts, with ranges (:func:`~enrichwatch.facility.consequences.
        operating_point_comparison`)."""
        a, b = self._text(*first), self._text(*second)

        def compute() -> dict[str, Any]:
            from ..facility.consequences import operating_point_comparison

            main = self.figures(*first).main_product
            self.figures(*second)
            return {"comparison": operating_point_comparison(    # on the networks kept
                self.ranges(*first), self.ranges(*second), None if main is None else main.name)}
        return self._answer("comparison", {"first": a, "second": b}, compute)["comparison"]

    def transient(self, text: str, where: str, history: Any, history_where: str,
                  limit_pct: float, assay_pct: float) -> dict[str, Any]:
        """A stated operating history run on the plant of ``text``
        (:func:`~enrichwatch.evaluation.transients.stated_transient`), once per evaluation."""
        return self.transients([(text, where, history, history_where, limit_pct,
                                 assay_pct)])[0]

    def transients(self, requests: Sequence[tuple[str, str, Any, str, float, float]]
                   ) -> list[dict[str, Any]]:
        """:meth:`transient` for several ``(text, where, history, history_where, limit_pct,
        assay_pct)``: those not answered yet are run in one call, when the first of them is
        needed (:func:`~enrichwatch.evaluation.transients.stated_transients`: each history's
        sweep integrated on its own, so an answer does not depend on the others)."""
        from .transients import check_history

        asked = []
        for text, where, history, history_where, limit, assay in requests:
            text = self._text(text, where)
            check_history(history, history_where)
            asked.append(((text, where, history, history_where, limit, assay),
                          {"plant": text, "history": {"file": history["file"],
                                                      "text": history["text"]},
                           "limit_pct": float(limit), "assay_pct": float(assay)}))
        ran: dict[str, dict[str, Any]] = {}

        def compute(memo: str) -> dict[str, Any]:
            if memo not in ran:
                ran.update(self._run_transients(
                    {m: request for request, material in asked
                     if (m := json.dumps(material, sort_keys=True)) not in ran
                     and ("transient", m) not in self._answers}))
            return ran[memo]

        return [self._answer("transient", material, partial(
                    compute, json.dumps(material, sort_keys=True)))
                for _, material in asked]

    def _run_transients(self, requests: dict[str, tuple]) -> dict[str, dict[str, Any]]:
        from .transients import stated_transients

        plants = [self.figures(text, where).facility for text, where, *_ in requests.values()]
        answers = stated_transients(
            [(plant, history, history_where, limit, assay) for plant, (_, _, history,
             history_where, limit, assay) in zip(plants, requests.values(), strict=True)],
            catalog=self._catalog)
        return dict(zip(requests, answers, strict=True))

    def reach(self, text: str, where: str, assay_wt_pct: float) -> Reach | None:
        """Can the plant of ``text`` make product at ``assay_wt_pct`` in steady state?

        Tries every product withdrawal and answers for the one reaching the highest assay;
        None if the plant has no product withdrawal.
        """
        found = self.reach_answer(text, where, assay_wt_pct)["reach"]
        return None if found is None else Reach.from_dict(found)

    def reach_answer(self, text: str, where: str, assay_wt_pct: float) -> dict[str, Any]:
        """``{"reach": Reach.as_dict() or None, "ranges": ...}``: :meth:`reach`, and when it
        is about the withdrawal of the ranges, its figures over the uncertain inputs (inputs,
        settings, how many reach the assay, the highest assay and the rate at the assay)."""
        return self.reach_answers([(text, where)], assay_wt_pct)[0]

    def reach_answers(self, requests: Sequence[tuple[str, str]], assay_wt_pct: float
                      ) -> list[dict[str, Any]]:
        """:meth:`reach_answer` of several plants ``(text, where)`` at one assay: those not
        answered yet are searched together when the first of them is needed (the maxima and
        the rates of every setting of every plant, each round of their solves one batch; each
        figure as its plant alone gives it, bit for bit)."""
        value = float(assay_wt_pct)
        asked = [({"plant": self._text(text, where), "assay_wt_pct": value}, (text, where))
                 for text, where in requests]
        return self._together("reach", asked, lambda todo: self._prepare_ranges(
            [(text, where, (value,)) for text, where in todo]),
            lambda request: self._reach_answer(request[0], request[1], value))

    def _reach_answer(self, text: str, where: str, value: float) -> dict[str, Any]:
        ranges = self.ranges(text, where)
        reach = self._find_reach(self.figures(text, where), value, ranges)
        out: dict[str, Any] = {"reach": None if reach is None else reach.as_dict(),
                               "ranges": None}
        if reach is not None and ranges.withdrawal == reach.withdrawal:
            out["ranges"] = {"inputs": dict(ranges.inputs),
                             "settings": len(ranges.settings),
                             "settings_reaching_target": ranges.reachable(value),
                             "max_assay_wt_pct": ranges.maximum_spread().as_dict(),
                             "rate_kg_u_per_month_at_target":
                                 ranges.rate_spread(value).as_dict()}
        return out

    @staticmethod
    def _find_reach(plant: PlantFigures, target: float, ranges: PlantRanges) -> Reach | None:
        from ..composition import Assay
        from ..physics.capability import MaxAssay, maximum_assay, rate_for_assay

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


def _weapon_grade():
    """The 90 % assay of :func:`~enrichwatch.physics.capability.months_to_one_sq`."""
    import numpy as np

    from ..composition import Assay
    from ..constants import WEAPON_GRADE_ASSAY

    return Assay(np.asarray(WEAPON_GRADE_ASSAY))


def plant_facts(plant: PlantFigures) -> dict[str, Any]:
    """What the rules use of a solved plant, as plain data: its :meth:`~PlantFigures.summary`,
    its cascades' layouts, streams, feed points, withdrawal names and feeds by point (rate
    [kg U/month], U-235 [wt%]), and the assumption behind figures at the design cuts."""
    from ..facility.consequences import DESIGN_CUTS_ASSUMPTION

    return {"summary": plant.summary(),
            "cascades": {c.name: _layout(c) for c in plant.result.cascades},
            "streams": list(plant.result.streams),
            "feed_points": _feed_points(plant),
            "withdrawals": [w.name for w in plant.result.withdrawals],
            "feeds_by_point": {p: list(v) for p, v in _feeds_by_point(plant).items()},
            "design_cuts_assumption": DESIGN_CUTS_ASSUMPTION}


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


def _cascade_differences(a: dict[str, str], b: dict[str, str]) -> list[Difference]:
    out = []
    for name in list(a) + [n for n in b if n not in a]:
        before, after = a.get(name, "(absent)"), b.get(name, "(absent)")
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


def _facts(plant: PlantFigures | dict[str, Any]) -> dict[str, Any]:
    return plant if isinstance(plant, dict) else plant_facts(plant)


def structural_differences(declared: PlantFigures | dict[str, Any],
                           observed: PlantFigures | dict[str, Any]) -> tuple[Difference, ...]:
    """How ``observed`` differs from ``declared`` in structure: cascades (machine type,
    machines per stage, feed stage), streams between cascades, feed points and withdrawal
    points. Empty when the structures are the same. Each plant is given solved or as its
    :func:`plant_facts`."""
    a, b = _facts(declared), _facts(observed)
    out = _cascade_differences(a["cascades"], b["cascades"])
    out += _set_differences("stream", a["streams"], b["streams"])
    out += _set_differences("feed point", a["feed_points"], b["feed_points"])
    out += _set_differences("withdrawal point", a["withdrawals"], b["withdrawals"])
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


def operating_differences(declared: PlantFigures | dict[str, Any],
                          observed: PlantFigures | dict[str, Any]) -> tuple[Difference, ...]:
    """Feed rates and feed U-235 assays that differ at feed points present in both (each plant
    solved or as its :func:`plant_facts`)."""
    a, b = _facts(declared)["feeds_by_point"], _facts(observed)["feeds_by_point"]
    out = []
    for point in (p for p in a if p in b):
        (ra, xa), (rb, xb) = a[point], b[point]
        if abs(ra - rb) > _RATE_RTOL * ra or abs(xa - xb) > _RATE_RTOL * xa:
            out.append(Difference(f"feed {point}", f"{ra:.4g} kg U/month at {xa:.4g} wt%",
                                  f"{rb:.4g} kg U/month at {xb:.4g} wt%"))
    return tuple(out)
