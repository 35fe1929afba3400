"""A plant's consequences over its stated uncertain inputs, and two plants at one operating point.

:class:`PlantRanges` evaluates a plant's network at every setting of its uncertain inputs
(:mod:`enrichwatch.physics.variants`: stage factor, machine rating, stage layout) and gives
each figure as a :class:`~enrichwatch.physics.variants.Spread` (nominal, low, high, the input
that moves it most): the product at the design cuts, the highest assay over the withdrawal
rate (:func:`~enrichwatch.physics.capability.maximum_assay`), the fastest rate for an assay and
the months to one significant quantity. Solves are cached, so asking for several figures costs
one scan per setting; the first figure asked of any setting is found for every setting at
once (:meth:`PlantRanges.as_dict`: the rates at all its targets at once), their searches run
in step and each round of their solves one batch
(:func:`~enrichwatch.physics.network_batch.solve_many`; the figures agree with those of each setting
searched alone to the tolerances of the searches).

:func:`operating_point_comparison` compares two plants at the same operating point (same feeds,
same product withdrawal rate) and each at its own design cuts
(:func:`~enrichwatch.physics.comparison.compare_at_equal_withdrawal`), over the same settings.

Rates are kg U/month, assays wt% U-235.

Examples
--------
>>> from pathlib import Path
>>> import enrichwatch
>>> from enrichwatch.facility import load_facility
>>> root = Path(enrichwatch.__file__).parents[2] / "examples" / "fordow-2023"
>>> declared = load_facility(root / "declared.toml").to_network()
>>> observed = load_facility(root / "observed.toml").to_network()
>>> c = operating_point_comparison(declared, observed)
>>> abs(c["difference_wt_pct"]["piping"]) < 1.0 < c["difference_wt_pct"]["operating_point"]
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..composition import Assay
from ..constants import MONTHS_PER_YEAR
from ..errors import ConvergenceError
from ..physics.capability import (
    MaxAssay,
    RateAtAssay,
    maximum_assay_batch,
    rate_for_assay_batch,
)
from ..physics.comparison import EqualWithdrawal, compare_at_equal_withdrawal
from ..physics.network import Network, NetworkState
from ..physics.network_batch import solve_many
from ..physics.variants import Setting, Spread, settings, uncertain_inputs, vary
from .solve import MemoNetwork

__all__ = ["DESIGN_CUTS_ASSUMPTION", "EQUAL_WITHDRAWAL_ASSUMPTION", "PlantRanges",
           "find_reach_many", "main_product", "operating_point_comparison"]

#: What a figure "at the design cuts" assumes.
DESIGN_CUTS_ASSUMPTION = ("every stage keeps its design cut (no withdrawal rate imposed): the "
                          "product withdrawal rate follows from the cuts")
#: What a figure "at equal withdrawal" assumes.
EQUAL_WITHDRAWAL_ASSUMPTION = ("same external feeds and the same product withdrawal rate, "
                               "imposed by shifting the cuts of the owning cascade together")
_SOLVE_ERRORS = (ConvergenceError, ValueError)


def main_product(network: Network, state: NetworkState) -> str | None:
    """The product withdrawal with the highest assay at ``state`` (None if there is none)."""
    products = [n for n, s in state.withdrawals.items()
                if n.endswith(".product") and s.rate_kg_per_yr > 0 and s.composition is not None]
    return max(products, key=lambda n: float(state.withdrawals[n].assay.mass_fraction),
               default=None)


class PlantRanges:
    """A plant's network at every setting of its uncertain inputs (solved lazily, cached).

    Parameters
    ----------
    network : Network
        The plant at its nominal inputs.
    withdrawal : str, optional
        The product withdrawal the figures are about; default :func:`main_product`.
    """

    def __init__(self, network: Network, withdrawal: str | None = None) -> None:
        network = MemoNetwork.of(network)
        self.network = network
        self.settings: tuple[Setting, ...] = settings(network)
        self.inputs: dict[str, str] = uncertain_inputs(network)
        self._networks: dict[int, Network | None] = {}
        self._states: dict[int, NetworkState | None] = {}
        self._maxima: dict[int, MaxAssay | None] = {}
        self._reach: dict[tuple[int, float], RateAtAssay | None] = {}
        self._failed: set[tuple] = set()       # the searches that raised (their figure None)
        self.withdrawal = withdrawal or main_product(network, network.solve())

    # -- one setting ----------------------------------------------------------------------------
    def variant(self, i: int) -> Network | None:
        """The network at setting ``i`` (None if it cannot be built), keeping its solves."""
        if i not in self._networks:
            try:
                self._networks[i] = MemoNetwork.of(vary(self.network, self.settings[i]))
            except _SOLVE_ERRORS:
                self._networks[i] = None
        return self._networks[i]

    def at(self, setting: Setting) -> Network | None:
        """The network at ``setting``, one of :attr:`settings` or not (None if it cannot be
        built)."""
        if setting in self.settings:
            return self.variant(self.settings.index(setting))
        try:
            return vary(self.network, setting)
        except _SOLVE_ERRORS:
            return None

    def state(self, i: int) -> NetworkState | None:
        """The network at setting ``i`` at its design cuts (every setting's solved at once the
        first time one is asked, :func:`~enrichwatch.physics.network_batch.solve_many`); None if it
        cannot be built or solved."""
        if i not in self._states:
            _solve_states([self])
        return self._states[i]

    def maximum(self, i: int) -> MaxAssay | None:
        """The highest assay of the product withdrawal at setting ``i`` (found for every
        setting at once, the first time one is asked: :meth:`_find_maxima`)."""
        if i not in self._maxima:
            self._find_maxima()
        return self._maxima[i]

    def _find_maxima(self) -> None:
        """The highest assay at every setting not found yet, the searches of all the settings
        run together (:func:`~enrichwatch.physics.capability.maximum_assay_batch`: each round
        of their solves one batch); None where the network cannot be built or solved."""
        _find_maxima([self])

    def reach(self, i: int, assay_wt_pct: float) -> RateAtAssay | None:
        """The fastest rate giving ``assay_wt_pct`` at setting ``i`` (None: out of reach; found
        for every setting at once, the first time one is asked: :meth:`find_reach`)."""
        key = (i, float(assay_wt_pct))
        if key not in self._reach:
            self.find_reach((float(assay_wt_pct),))
        return self._reach[key]

    def found_reach(self, i: int, assay_wt_pct: float) -> bool:
        """Whether the rate at ``assay_wt_pct`` at setting ``i`` was searched, and its search
        (and that of the setting's maximum) did not fail: :meth:`reach` is then what
        :func:`~enrichwatch.physics.capability.rate_for_assay` gives on that network."""
        key = (i, float(assay_wt_pct))
        return key in self._reach and key not in self._failed and \
            ("maximum", i) not in self._failed and i in self._maxima

    def find_reach(self, targets: tuple[float, ...]) -> None:
        """The fastest rate giving each assay of ``targets`` [wt%] at every setting, those not
        found yet (:func:`find_reach_many` of this plant alone): the root searches of all the
        settings and all the targets run together, each round of their solves one batch; each
        figure is the one its search gives alone (each target searches its own fork of its
        setting's maximum curve), bit for bit."""
        find_reach_many([(self, targets)])

    # -- spreads --------------------------------------------------------------------------------
    def _spread(self, value) -> Spread:
        return Spread.from_values(self.settings, [value(i) for i in range(len(self.settings))])

    def _product(self, i: int, what: str) -> float | None:
        state = self.state(i)
        if state is None or self.withdrawal is None:
            return None
        stream = state.withdrawals[self.withdrawal]
        if what == "rate":
            return stream.rate_kg_per_yr / MONTHS_PER_YEAR
        return None if stream.composition is None else float(stream.assay.weight_percent)

    def _heu(self, i: int) -> float | None:
        state = self.state(i)
        if state is None:
            return None
        return sum(s.rate_kg_per_yr for s in state.withdrawals.values()
                   if s.composition is not None and s.rate_kg_per_yr > 0
                   and s.assay.is_heu) / MONTHS_PER_YEAR

    def design(self) -> dict[str, Spread]:
        """Product rate and assay and HEU output at the design cuts."""
        return {"product_rate_kg_u_per_month": self._spread(lambda i: self._product(i, "rate")),
                "product_assay_wt_pct": self._spread(lambda i: self._product(i, "assay")),
                "heu_kg_u_per_month": self._spread(self._heu)}

    def maximum_spread(self) -> Spread:
        def top(i: int) -> float | None:
            found = self.maximum(i)
            return None if found is None else found.weight_percent
        return self._spread(top)

    def rate_spread(self, assay_wt_pct: float) -> Spread:
        """Fastest withdrawal rate giving ``assay_wt_pct`` [kg U/month]."""
        def rate(i: int) -> float | None:
            found = self.reach(i, assay_wt_pct)
            return None if found is None else found.rate_kg_per_month
        return self._spread(rate)

    def months_spread(self, assay_wt_pct: float = 90.0) -> Spread:
        """Months to one significant quantity at ``assay_wt_pct``."""
        def months(i: int) -> float | None:
            found = self.reach(i, assay_wt_pct)
            return None if found is None else found.months_to_significant_quantity
        return self._spread(months)

    def reachable(self, assay_wt_pct: float) -> int:
        """At how many settings the product can reach ``assay_wt_pct``."""
        return sum(self.reach(i, assay_wt_pct) is not None for i in range(len(self.settings)))

    def maximum_dict(self, i: int = 0) -> dict[str, Any] | None:
        """The highest assay at setting ``i`` (default nominal), labelled."""
        top = self.maximum(i)
        if top is None:
            return None
        return {"assay_wt_pct": top.weight_percent, "label": top.label,
                "rate_kg_u_per_month": top.rate_kg_per_month, "monotonic": top.monotonic,
                "slowest_rate_kg_u_per_month": top.slowest_rate_kg_per_yr / MONTHS_PER_YEAR,
                "assay_at_slowest_rate_wt_pct": float(top.slowest_assay.weight_percent)}

    def as_dict(self, targets: tuple[float, ...] = (90.0,)) -> dict[str, Any]:
        """Every figure as ``{nominal, low, high, moved_most_by, ...}``, with the inputs."""
        figures = {k: s.as_dict() for k, s in self.design().items()}
        self.find_reach(targets)
        figures["max_assay_wt_pct"] = self.maximum_spread().as_dict()
        for t in targets:
            figures[f"rate_kg_u_per_month_at_{t:g}pct"] = self.rate_spread(t).as_dict()
            figures[f"months_to_one_sq_at_{t:g}pct"] = self.months_spread(t).as_dict()
        top = self.maximum(0)
        return {"withdrawal": self.withdrawal, "inputs": dict(self.inputs),
                "max_assay_label": None if top is None else top.label,
                "settings": [s.label for s in self.settings],
                "assumption": DESIGN_CUTS_ASSUMPTION + " (product figures); the maximum and "
                              "the rates impose the withdrawal rate",
                "figures": figures}


def _distinct(plants) -> list[PlantRanges]:
    """``plants`` without repeats (the first of each), in order."""
    return list({id(p): p for p in plants}.values())


def _solve_states(plants) -> None:
    """The design states of every setting of ``plants`` not solved yet, one
    :func:`~enrichwatch.physics.network_batch.solve_many` batch for all (each answered as alone)."""
    todo = []
    for plant in _distinct(plants):
        missing = [j for j in range(len(plant.settings)) if j not in plant._states]
        todo += [(plant, j, net) for j in missing if (net := plant.variant(j)) is not None]
        plant._states.update(dict.fromkeys(missing))
    found = solve_many([(net, None, None) for _, _, net in todo])
    for (plant, j, _), state in zip(todo, found, strict=True):
        plant._states[j] = None if isinstance(state, Exception) else state


def _find_maxima(plants, extra: Sequence[tuple[Network, str]] = ()) -> list:
    """The highest assay at every setting of ``plants`` not found yet, the searches of all of
    them run together (:func:`~enrichwatch.physics.capability.maximum_assay_batch`: each
    round of their solves one batch, each search as alone); None where the network cannot be
    built or solved (the failure noted). With them, those of ``extra`` (``(network,
    withdrawal)``), returned (each a MaxAssay or its error)."""
    todo = []
    for plant in _distinct(plants):
        missing = [i for i in range(len(plant.settings)) if i not in plant._maxima]
        if plant.withdrawal is not None:
            todo += [(plant, i, net) for i in missing if (net := plant.variant(i)) is not None]
        plant._maxima.update(dict.fromkeys(missing))
    found = maximum_assay_batch([(net, plant.withdrawal) for plant, _, net in todo]
                                + list(extra))
    for (plant, i, _), top in zip(todo, found[:len(todo)], strict=True):
        plant._maxima[i] = None if isinstance(top, Exception) else top
        if isinstance(top, Exception):
            plant._failed.add(("maximum", i))
    return found[len(todo):]


def find_reach_many(requests: Sequence[tuple[PlantRanges, tuple[float, ...]]],
                    extra: Sequence[tuple[Network, str, Assay]] = ()) -> list:
    """:meth:`PlantRanges.find_reach` of every ``(plant, targets)`` of ``requests``: the
    design states, the maxima and then the root searches of every setting of every plant at
    every target run together, each round of their solves one batch
    (:func:`~enrichwatch.physics.network_batch.solve_many`, which answers each solve as alone), one
    ``find_minimum`` and one ``find_root`` over all. Each search takes the steps it takes
    alone, and each target's root search runs on its own fork of its setting's maximum curve:
    every figure is the one its plant, setting and target give asked alone, bit for bit.

    ``extra``: ``(network, withdrawal, assay)`` searched in the same rounds, each as
    :func:`~enrichwatch.physics.capability.rate_for_assay` alone would (its maximum, then its
    rate from that maximum: the same answer, bit for bit); their answers are returned (a
    RateAtAssay, None out of reach, or the error rate_for_assay raises)."""
    plants = _distinct(plant for plant, _ in requests)
    extra = list(extra)
    _solve_states(plants)
    # an extra search on a plant's own network (its nominal setting) takes that setting's
    # maximum (the same search: not run twice in one round)
    nominal = {(id(plant.variant(0)), plant.withdrawal): plant for plant in plants}
    own = [nominal.get((id(network), withdrawal)) for network, withdrawal, _ in extra]
    searched = iter(_find_maxima(plants, [(network, withdrawal) for (network, withdrawal, _),
                                          plant in zip(extra, own, strict=True) if plant is None]))
    tops = [next(searched) if plant is None else plant.maximum(0) for plant in own]
    todo: dict[tuple[int, int, float], tuple] = {}
    for plant, targets in requests:
        for t in targets:
            for i in range(len(plant.settings)):
                key = (i, float(t))
                if key not in plant._reach:
                    todo.setdefault((id(plant), *key), (plant, key))
    jobs = []
    for plant, (i, target) in todo.values():
        top = plant.maximum(i)
        if top is not None and plant.withdrawal is not None and top.weight_percent >= target:
            jobs.append(((plant, (i, target)), (plant.variant(i), plant.withdrawal,
                                                Assay.from_weight_percent(target), top)))
    found = rate_for_assay_batch(
        [job for _, job in jobs] + [(network, withdrawal, assay, top if isinstance(
            top, MaxAssay) else None)       # failed: its own search again says how, as alone
            for (network, withdrawal, assay), top in zip(extra, tops, strict=True)])
    for plant, key in todo.values():
        plant._reach[key] = None
    for ((plant, key), _), rate in zip(jobs, found[:len(jobs)], strict=True):
        plant._reach[key] = None if isinstance(rate, Exception) else rate
        if isinstance(rate, Exception):
            plant._failed.add(key)
    return found[len(jobs):]


def _comparison_dict(c: EqualWithdrawal) -> dict[str, Any]:
    def month(rate):
        return rate / MONTHS_PER_YEAR
    return {
        "withdrawal": c.withdrawal, "same_feeds": c.same_feeds,
        "first": {"design_cuts": {"rate": month(c.first_rate_kg_per_yr),
                                  "assay_wt_pct": c.first_assay_wt_pct},
                  "at_second_rate": {"rate": month(c.second_rate_kg_per_yr),
                                     "assay_wt_pct": c.first_at_second_rate_wt_pct}},
        "second": {"design_cuts": {"rate": month(c.second_rate_kg_per_yr),
                                   "assay_wt_pct": c.second_assay_wt_pct},
                   "at_first_rate": {"rate": month(c.first_rate_kg_per_yr),
                                     "assay_wt_pct": c.second_at_first_rate_wt_pct}},
        "difference_wt_pct": {"total": c.total_wt_pct, "piping": c.piping_wt_pct,
                              "operating_point": c.operating_point_wt_pct,
                              "piping_at_second_rate": c.piping_at_second_rate_wt_pct},
    }


def _variants(plant: Network | PlantRanges
              ) -> tuple[Network, Callable[[Setting], Network | None]]:
    """A plant's network (keeping its solves), and its network at a setting (None if that
    cannot be built): a :class:`PlantRanges`'s own, kept, or built each time."""
    if isinstance(plant, PlantRanges):
        return plant.network, plant.at
    network = MemoNetwork.of(plant)

    def at(setting: Setting) -> Network | None:
        try:
            return vary(network, setting)
        except _SOLVE_ERRORS:
            return None
    return network, at


def operating_point_comparison(first: Network | PlantRanges, second: Network | PlantRanges,
                               withdrawal: str | None = None, *, ranges: bool = True
                               ) -> dict[str, Any] | None:
    """Two plants compared at the same operating point and each at its own design cuts.

    ``difference_wt_pct`` splits the product assay difference (second less first, each at its
    design cuts: ``total``) into ``piping`` (at the same feed and the first's design withdrawal
    rate) and ``operating_point`` (the rest); ``piping_at_second_rate`` measures the piping at
    the second's rate. With ``ranges``, ``ranges`` gives each over the settings of the uncertain
    inputs (both plants at the same setting). None when the two have no product withdrawal in
    common. A plant given as its :class:`PlantRanges` lends its networks at each setting (and
    the states already solved on them).
    """
    first, first_at = _variants(first)
    second, second_at = _variants(second)
    if withdrawal is None:
        withdrawal = main_product(first, first.solve())
    if withdrawal is None or withdrawal not in second.withdrawal_names:
        return None
    out = _comparison_dict(compare_at_equal_withdrawal(first, second, withdrawal))
    out["assumptions"] = {"design_cuts": DESIGN_CUTS_ASSUMPTION,
                          "equal_withdrawal": EQUAL_WITHDRAWAL_ASSUMPTION}
    if ranges:
        points = settings(first)
        found: list[EqualWithdrawal | None] = []
        for s in points:
            a, b = first_at(s), second_at(s)
            try:
                found.append(None if a is None or b is None else
                             compare_at_equal_withdrawal(a, b, withdrawal))
            except _SOLVE_ERRORS:
                found.append(None)

        def spread(attr):
            return Spread.from_values(points, [None if c is None else getattr(c, attr)
                                               for c in found]).as_dict()
        out["ranges"] = {"inputs": uncertain_inputs(first),
                         "settings": [s.label for s in points],
                         "total": spread("total_wt_pct"), "piping": spread("piping_wt_pct"),
                         "operating_point": spread("operating_point_wt_pct"),
                         "piping_at_second_rate": spread("piping_at_second_rate_wt_pct")}
    return out

