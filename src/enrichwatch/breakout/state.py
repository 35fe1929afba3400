"""The state a breakout starts from: stocks by enrichment level and installed cascades.

A :class:`BreakoutState` holds the stocks (kg U at a U-235 assay, each with a relative
uncertainty and a source) and the installed cascades, grouped into :class:`CascadeGroup`
entries of identical cascades (machine type, machines per cascade, how many, how they are
connected, and the job they were built for). :meth:`BreakoutState.ladder` turns it into the
enrichment :class:`Ladder` the planner works on.

The ladder
----------
Levels are the assays of the stocks below weapon grade, the intermediate levels of the state
(default 20 % and 60 %, the usual steps of batch enrichment) and the product level, 90 %
(:data:`~enrichwatch.constants.WEAPON_GRADE_ASSAY`). Each pair of adjacent levels gives a step
(level l to level l + 1) in two variants, between which the optimiser chooses:

* ``'recycle'``: the tails go back to level l - 1 (tails recycling); those of the lowest step
  are discarded at the waste tails assay (default 0.711 % below an enriched lowest level, and
  0.3 % below natural uranium);
* ``'high-tails'``: the tails are discarded at the assay midway (in abundance ratio) between
  the feed and the level below (the waste tails for the lowest step): more feed per kg of
  product but less separative work, the better choice when feed is plentiful and time short.

Stocks at or above 90 % count towards the product by their U-235 content.

Examples
--------
>>> from enrichwatch.composition import Assay
>>> from enrichwatch.physics.machines import load_catalog
>>> w = Assay.from_weight_percent
>>> state = BreakoutState(
...     "demo", stocks=(Stock(w(60.0), 87.5), Stock(w(4.5), 3000.0)),
...     cascades=(CascadeGroup("A", load_catalog().get("IR-6"), machines=166, count=3),))
>>> ladder = state.ladder()
>>> [round(100 * x, 3) for x in ladder.levels]
[4.5, 20.0, 60.0, 90.0]
>>> [s.label for s in ladder.steps if s.variant == "recycle"]
['4.5 -> 20 % (tails 0.711 %, discarded)', '20 -> 60 % (tails 4.5 %, recycled)', \
'60 -> 90 % (tails 20 %, recycled)']
>>> ladder.steps[-1].label
'60 -> 90 % (tails 37.98 %, discarded)'
>>> round(state.separative_power_kg_swu_per_day, 3)
6.817
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..composition import Assay
from ..constants import DAYS_PER_YEAR, SQ_HEU_U235_KG, WEAPON_GRADE_ASSAY
from ..errors import AssayError, ConfigurationError, InputError, MassError
from ..physics.machines import Machine

__all__ = [
    "CONNECTIONS",
    "DEFAULT_INTERMEDIATE_LEVELS",
    "BreakoutState",
    "BuiltJob",
    "CascadeGroup",
    "Ladder",
    "Step",
    "Stock",
    "VARIANTS",
    "product_target_kg_u",
]

#: How the cascades of a group are connected: each runs alone ('parallel'), or all run as one
#: chain ('series': product of one into the next, tails back), modelled as one longer cascade.
CONNECTIONS: tuple[str, ...] = ("parallel", "series")

#: Intermediate levels of batch enrichment used when a state names none [U-235 mass fraction]:
#: 20 % and 60 %, the steps of the usual 5 -> 20 -> 60 -> 90 % route (ISIS breakout estimates).
DEFAULT_INTERMEDIATE_LEVELS: tuple[float, ...] = (0.20, 0.60)

_NATURAL = 0.00711          # natural uranium, U-235 mass fraction (the 0.711 % convention)
_WASTE_BELOW_NATURAL = 0.003
_SAME = 1e-9                 # two assays closer than this (relative) are one level


def product_target_kg_u(n_sq: float, sq_u235_kg: float = SQ_HEU_U235_KG) -> float:
    """kg U of 90 % uranium holding ``n_sq`` significant quantities of ``sq_u235_kg`` U-235.

    >>> round(product_target_kg_u(1), 3)
    27.778
    """
    if not (isinstance(n_sq, int | float) and math.isfinite(n_sq) and n_sq > 0):
        raise InputError("n_sq", n_sq, "a number of significant quantities > 0")
    if not (math.isfinite(sq_u235_kg) and sq_u235_kg > 0):
        raise MassError("sq_u235_kg", sq_u235_kg, "a U-235 mass per SQ > 0 [kg]")
    return float(n_sq) * sq_u235_kg / WEAPON_GRADE_ASSAY


def _fraction(assay: Assay, param: str) -> float:
    if not isinstance(assay, Assay) or assay.shape != ():
        raise AssayError(param, assay, "a scalar Assay (e.g. Assay.from_weight_percent(60))")
    return float(assay.mass_fraction)


@dataclass(frozen=True)
class Stock:
    """Material in store at one U-235 assay.

    Parameters
    ----------
    assay : Assay
        U-235 assay of the material.
    kg_u : float
        Mass [kg U], >= 0; ``math.inf`` for a feed taken as unlimited (natural uranium).
    uncertainty : float
        Relative one-sigma uncertainty of ``kg_u`` [1], >= 0 (used by the Monte Carlo).
    source, note : str
        Where the figure comes from, and what was assumed.
    """

    assay: Assay
    kg_u: float
    uncertainty: float = 0.0
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        _fraction(self.assay, "stock.assay")
        if not (isinstance(self.kg_u, int | float) and not math.isnan(self.kg_u)
                and self.kg_u >= 0):
            raise MassError("stock.kg_u", self.kg_u, "a mass >= 0 [kg U] (inf: unlimited)")
        if not (math.isfinite(self.uncertainty) and self.uncertainty >= 0):
            raise InputError("stock.uncertainty", self.uncertainty,
                             "a relative one-sigma uncertainty >= 0")

    @property
    def unlimited(self) -> bool:
        return math.isinf(self.kg_u)

    def as_dict(self) -> dict:
        return {"assay_wt_pct": 100.0 * float(self.assay.mass_fraction),
                "kg_u": None if self.unlimited else self.kg_u, "unlimited": self.unlimited,
                "uncertainty_rel": self.uncertainty, "source": self.source, "note": self.note}


@dataclass(frozen=True)
class BuiltJob:
    """The job a cascade was built for (its design point), used by the as-built plant model."""

    feed: Assay
    product: Assay
    tails: Assay

    def __post_init__(self) -> None:
        f, p, w = (_fraction(a, f"built_for.{n}") for a, n in
                   ((self.feed, "feed"), (self.product, "product"), (self.tails, "tails")))
        if not w < f < p:
            raise AssayError("built_for", (100 * f, 100 * p, 100 * w),
                             "assays with tails < feed < product")

    @property
    def label(self) -> str:
        return (f"{100 * float(self.feed.mass_fraction):.4g} -> "
                f"{100 * float(self.product.mass_fraction):.4g} % "
                f"(tails {100 * float(self.tails.mass_fraction):.4g} %)")


def _default_job() -> BuiltJob:
    w = Assay.from_weight_percent
    return BuiltJob(w(0.711), w(5.0), w(0.3))


@dataclass(frozen=True)
class CascadeGroup:
    """Identical installed cascades.

    Parameters
    ----------
    name : str
        Label of the group.
    machine : Machine
        Machine type (:class:`~enrichwatch.physics.machines.Machine`).
    machines : int
        Machines per cascade, >= 1.
    count : int
        Number of cascades, >= 1.
    facility : str
        Where they are.
    connection : {'parallel', 'series'}
        'parallel': each cascade runs on its own. 'series': the cascades run as one chain,
        which the as-built model treats as one cascade of ``count * machines`` machines.
    built_for : BuiltJob, optional
        Design job of the cascades (as-built model); default natural -> 5 % with 0.3 % tails.
    source, note : str
        Where the figures come from, and what was assumed and why.
    """

    name: str
    machine: Machine
    machines: int
    count: int = 1
    facility: str = ""
    connection: str = "parallel"
    built_for: BuiltJob = field(default_factory=_default_job)
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        for key in ("machines", "count"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{self.name}.{key}", value, "a whole number >= 1")
        if self.connection not in CONNECTIONS:
            raise ConfigurationError(f"{self.name}.connection", self.connection,
                                     f"one of {', '.join(CONNECTIONS)}")
        if not hasattr(self.machine, "nominal_swu_per_yr"):
            raise InputError(f"{self.name}.machine", self.machine, "a Machine of the catalog")

    @property
    def n_machines(self) -> int:
        return self.machines * self.count

    def units(self, model: str) -> tuple[int, int]:
        """(resources, machines per resource) the planner schedules under ``model``."""
        if model == "as-built" and self.connection == "series":
            return 1, self.n_machines
        return self.count, self.machines

    def as_dict(self) -> dict:
        return {"name": self.name, "facility": self.facility, "machine": self.machine.name,
                "machines_per_cascade": self.machines, "count": self.count,
                "connection": self.connection,
                "built_for": {"feed_wt_pct": 100 * float(self.built_for.feed.mass_fraction),
                              "product_wt_pct": 100 * float(self.built_for.product.mass_fraction),
                              "tails_wt_pct": 100 * float(self.built_for.tails.mass_fraction)},
                "swu_per_machine_per_yr": self.machine.nominal_swu_per_yr,
                "source": self.source, "note": self.note}


#: The variants of every step (see the module docstring).
VARIANTS: tuple[str, ...] = ("recycle", "high-tails")


@dataclass(frozen=True, kw_only=True)
class Step:
    """One enrichment step of the ladder: level ``level`` to level ``level + 1``.

    ``index`` is the step's position in :attr:`Ladder.steps`; assays are U-235 mass fractions;
    ``tails_to`` is the level receiving the tails (None: discarded at ``tails``); ``variant``
    one of :data:`VARIANTS`.
    """

    index: int
    level: int
    feed: float
    product: float
    tails: float
    tails_to: int | None
    variant: str = "recycle"

    @property
    def label(self) -> str:
        fate = "discarded" if self.tails_to is None else "recycled"
        return (f"{100 * self.feed:.4g} -> {100 * self.product:.4g} % "
                f"(tails {100 * self.tails:.4g} %, {fate})")

    def as_dict(self) -> dict:
        return {"step": self.index, "level": self.level, "variant": self.variant,
                "feed_wt_pct": 100 * self.feed,
                "product_wt_pct": 100 * self.product, "tails_wt_pct": 100 * self.tails,
                "tails_to_level": self.tails_to}


@dataclass(frozen=True)
class Ladder:
    """Enrichment levels (U-235 mass fractions, ascending, the last one 90 %), the stock at
    each level [kg U] (``inf``: unlimited; the last: weapon-grade stock by U-235 content) and
    its one-sigma uncertainty [kg U], and the waste tails assay of the lowest step."""

    levels: tuple[float, ...]
    stock_kg: tuple[float, ...]
    stock_sigma_kg: tuple[float, ...]
    waste_tails: float

    @property
    def top(self) -> int:
        return len(self.levels) - 1

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step variant, in level order (for each level: 'recycle', 'high-tails')."""
        out: list[Step] = []
        for lev in range(len(self.levels) - 1):
            x, up = self.levels[lev], self.levels[lev + 1]
            below = self.levels[lev - 1] if lev > 0 else self.waste_tails
            out.append(Step(index=len(out), level=lev, feed=x, product=up, tails=below,
                            tails_to=lev - 1 if lev else None, variant="recycle"))
            out.append(Step(index=len(out), level=lev, feed=x, product=up,
                            tails=_ratio_mean(below, x), tails_to=None, variant="high-tails"))
        return tuple(out)


@dataclass(frozen=True)
class BreakoutState:
    """Stocks and installed cascades at one date; see the module docstring.

    Parameters
    ----------
    name : str
    stocks : tuple of Stock
    cascades : tuple of CascadeGroup
    date : str, optional
        Date of the figures (ISO, e.g. '2023-02-28').
    description : str
    intermediate_levels : tuple of Assay, optional
        Intermediate enrichment levels; default 20 % and 60 %.
    waste_tails : Assay, optional
        Tails assay of the lowest step (default: see the module docstring).
    assumptions, sources : tuple of str
        Stated assumptions and sources of the state as a whole.
    file : str, optional
        File the state was read from.
    """

    name: str
    stocks: tuple[Stock, ...]
    cascades: tuple[CascadeGroup, ...]
    date: str | None = None
    description: str = ""
    intermediate_levels: tuple[Assay, ...] | None = None
    waste_tails: Assay | None = None
    assumptions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    file: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stocks", tuple(self.stocks))
        object.__setattr__(self, "cascades", tuple(self.cascades))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "sources", tuple(self.sources))
        if not self.stocks:
            raise InputError("stocks", [], "at least one stock")
        names = [c.name for c in self.cascades]
        if len(set(names)) != len(names):
            raise ConfigurationError("cascades.name", names, "unique cascade group names")
        self.ladder()            # checks the levels and the waste tails

    @property
    def n_machines(self) -> int:
        return sum(c.n_machines for c in self.cascades)

    @property
    def separative_power_kg_swu_per_day(self) -> float:
        """Rated separative power of every installed machine [kg-SWU/day]."""
        return sum(c.n_machines * c.machine.nominal_swu_per_yr for c in self.cascades) \
            / DAYS_PER_YEAR

    def _intermediate(self) -> list[float]:
        if self.intermediate_levels is None:
            return list(DEFAULT_INTERMEDIATE_LEVELS)
        return [_fraction(a, "intermediate_levels") for a in self.intermediate_levels]

    def ladder(self) -> Ladder:
        """The enrichment ladder of this state (see the module docstring)."""
        top = WEAPON_GRADE_ASSAY
        below = [s for s in self.stocks if _fraction(s.assay, "stock.assay") < top]
        levels: list[float] = []
        for x in sorted([_fraction(s.assay, "") for s in below] + self._intermediate()):
            if x >= top:
                raise AssayError("intermediate_levels", 100 * x, "levels below 90 %")
            if not levels or x > levels[-1] * (1 + _SAME):
                levels.append(x)
        levels.append(top)
        kg, var = [0.0] * len(levels), [0.0] * len(levels)
        for s in self.stocks:
            x = _fraction(s.assay, "")
            i = len(levels) - 1 if x >= top else _index(levels, x)
            scale = x / top if x >= top else 1.0
            kg[i] += s.kg_u * scale
            var[i] += 0.0 if s.unlimited else (s.uncertainty * s.kg_u * scale) ** 2
        if math.isinf(kg[-1]):
            raise MassError("stocks", "unlimited weapon-grade stock", "a finite mass at >= 90 %")
        waste = self._waste(levels[0])
        return Ladder(tuple(levels), tuple(kg), tuple(math.sqrt(v) for v in var), waste)

    def _waste(self, lowest: float) -> float:
        if self.waste_tails is None:
            return _NATURAL if lowest > _NATURAL * (1 + 1e-6) else _WASTE_BELOW_NATURAL
        w = _fraction(self.waste_tails, "waste_tails")
        if not w < lowest:
            raise AssayError("waste_tails", 100 * w,
                             f"a tails assay below the lowest level {100 * lowest:.4g} %")
        return w

    def as_dict(self) -> dict:
        return {"name": self.name, "date": self.date, "description": self.description,
                "file": self.file, "stocks": [s.as_dict() for s in self.stocks],
                "cascades": [c.as_dict() for c in self.cascades],
                "levels_wt_pct": [100 * x for x in self.ladder().levels],
                "waste_tails_wt_pct": 100 * self.ladder().waste_tails,
                "n_machines": self.n_machines,
                "separative_power_kg_swu_per_day": self.separative_power_kg_swu_per_day,
                "assumptions": list(self.assumptions), "sources": list(self.sources)}

    def __repr__(self) -> str:
        stocks = ", ".join(
            f"{'unlimited' if s.unlimited else f'{s.kg_u:.6g} kg U'} at "
            f"{100 * float(s.assay.mass_fraction):.4g} %" for s in self.stocks)
        return (f"BreakoutState({self.name!r}{', ' + self.date if self.date else ''}: {stocks}; "
                f"{len(self.cascades)} cascade groups, {self.n_machines} machines, "
                f"{self.separative_power_kg_swu_per_day:.4g} kg-SWU/day)")


def _ratio_mean(a: float, b: float) -> float:
    """Assay whose abundance ratio x/(1-x) is the geometric mean of those of a and b."""
    r = math.sqrt(a / (1 - a) * b / (1 - b))
    return r / (1 + r)


def _index(levels: list[float], x: float) -> int:
    for i, level in enumerate(levels):
        if abs(level - x) <= _SAME * level:
            return i
    raise AssayError("stock.assay", 100 * x, "an assay of the ladder")   # pragma: no cover
