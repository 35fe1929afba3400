"""Immutable results of the breakout planner: the plan, its schedule and its material balance.

Every result has ``as_dict()`` (plain Python, for JSON: masses in kg U, times in days, assays in
wt% U-235) and a readable ``repr``; building them from a solved programme is done here too.

Examples
--------
>>> entry = ScheduleEntry(group="FFEP IR-6", facility="Fordow", machine="IR-6", first=1, count=2,
...                       machines_per_unit=166, step=2, feed_wt_pct=60.0, product_wt_pct=90.0,
...                       tails_wt_pct=20.0, tails_fate="recycled to 20 %",
...                       feed_source="60 % (stock)", start_day=0.0, end_day=9.2, feed_kg=32.5,
...                       product_kg=18.6, tails_kg=13.9)
>>> entry
ScheduleEntry(FFEP IR-6 #1-2 (2 x 166 IR-6): 60 -> 90 %, day 0-9.2, 18.6 kg U product)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .bound import LowerBound
from .rates import StepRate
from .state import Ladder, Step

__all__ = ["BreakoutPlan", "LevelBalance", "RateRow", "ScheduleEntry", "build_materials",
           "build_schedule", "first_time_reaching"]


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass(frozen=True, kw_only=True)
class ScheduleEntry:
    """Units ``first .. first + count - 1`` of a group run one step from ``start`` to ``end``.

    Assays in wt% U-235, times in days from the start of breakout, masses in kg U.
    """

    group: str
    facility: str
    machine: str
    first: int
    count: int
    machines_per_unit: int
    step: int
    feed_wt_pct: float
    product_wt_pct: float
    tails_wt_pct: float
    tails_fate: str
    feed_source: str
    start_day: float
    end_day: float
    feed_kg: float
    product_kg: float
    tails_kg: float

    @property
    def units_label(self) -> str:
        last = self.first + self.count - 1
        return f"#{self.first}" if self.count == 1 else f"#{self.first}-{last}"

    def as_dict(self) -> dict:
        return {"group": self.group, "facility": self.facility, "machine": self.machine,
                "units": self.units_label, "count": self.count,
                "machines_per_unit": self.machines_per_unit, "step": self.step,
                "feed_wt_pct": self.feed_wt_pct, "product_wt_pct": self.product_wt_pct,
                "tails_wt_pct": self.tails_wt_pct, "tails": self.tails_fate,
                "feed_source": self.feed_source, "start_day": self.start_day,
                "end_day": self.end_day, "feed_kg_u": self.feed_kg,
                "product_kg_u": self.product_kg, "tails_kg_u": self.tails_kg}

    def __repr__(self) -> str:
        return (f"ScheduleEntry({self.group} {self.units_label} ({self.count} x "
                f"{self.machines_per_unit} {self.machine}): {self.feed_wt_pct:.4g} -> "
                f"{self.product_wt_pct:.4g} %, day {self.start_day:.4g}-{self.end_day:.4g}, "
                f"{self.product_kg:.4g} kg U product)")


@dataclass(frozen=True)
class LevelBalance:
    """Material at one level over the plan [kg U]; ``initial_kg`` is None when unlimited."""

    assay_wt_pct: float
    initial_kg: float | None
    produced_kg: float
    recycled_kg: float
    consumed_kg: float

    @property
    def final_kg(self) -> float | None:
        if self.initial_kg is None:
            return None
        return self.initial_kg + self.produced_kg + self.recycled_kg - self.consumed_kg

    def as_dict(self) -> dict:
        return {"assay_wt_pct": self.assay_wt_pct, "initial_kg_u": self.initial_kg,
                "produced_kg_u": self.produced_kg, "recycled_tails_kg_u": self.recycled_kg,
                "consumed_kg_u": self.consumed_kg, "final_kg_u": self.final_kg}


@dataclass(frozen=True)
class RateRow:
    """The rate of one unit of a group on one step (from :mod:`.rates`)."""

    group: str
    step: int
    machines_per_unit: int
    rate: StepRate

    def as_dict(self) -> dict:
        return {"group": self.group, "step": self.step,
                "machines_per_unit": self.machines_per_unit, **self.rate.as_dict()}


@dataclass(frozen=True, kw_only=True)
class BreakoutPlan:
    """The fastest schedule found, its times and the bounds beside it.

    Attributes
    ----------
    state, date : str
        The state planned from.
    model : {'repiped', 'as-built'}
    n_sq : float
        Significant quantities planned for; ``target_kg_u`` the product that makes them
        [kg U at 90 %] with ``sq_u235_kg`` U-235 per SQ.
    days_to_first_sq, days_to_n_sq : float
        Optimal whole-cascade times [days] to one SQ and to ``n_sq`` (``inf``: unreachable).
    first_sq_in_plan_days : float
        When the ``n_sq`` plan itself passes one SQ.
    fluid_days : float
        Optimum with cascades time-shared between steps (LP relaxation) for ``n_sq``.
    lower_bound : LowerBound
        Ideal-SWU lower bound for ``n_sq`` (same machines, rated power).
    gap, mip_gap : float or None
        Relative distance of the whole-cascade plan from the fluid optimum (a proven lower
        bound on any whole-cascade plan), and the MILP's own relative gap at its work limit.
    steps, schedule, materials, waste, rates, assumptions
        The ladder's steps, the schedule, the balance per level, the discarded tails
        ((wt%, kg U) pairs), the unit rates used, and every assumption in words.
    """

    state: str
    date: str | None
    model: str
    n_sq: float
    sq_u235_kg: float
    target_kg_u: float
    days_to_first_sq: float
    days_to_n_sq: float
    first_sq_in_plan_days: float
    fluid_days: float
    lower_bound: LowerBound
    phases: int
    steps: tuple[Step, ...]
    schedule: tuple[ScheduleEntry, ...]
    materials: tuple[LevelBalance, ...]
    waste: tuple[tuple[float, float], ...]
    rates: tuple[RateRow, ...]
    assumptions: tuple[str, ...]
    status: str
    gap: float | None = None
    mip_gap: float | None = None

    @property
    def feasible(self) -> bool:
        return math.isfinite(self.days_to_n_sq)

    def as_dict(self) -> dict:
        return {
            "state": self.state, "date": self.date, "model": self.model, "n_sq": self.n_sq,
            "sq_u235_kg": self.sq_u235_kg, "target_kg_u": self.target_kg_u,
            "days_to_first_sq": _num(self.days_to_first_sq),
            "days_to_n_sq": _num(self.days_to_n_sq),
            "first_sq_in_plan_days": _num(self.first_sq_in_plan_days),
            "fluid_days": _num(self.fluid_days),
            "lower_bound": self.lower_bound.as_dict(), "phases": self.phases,
            "steps": [s.as_dict() for s in self.steps],
            "schedule": [e.as_dict() for e in self.schedule],
            "materials": [m.as_dict() for m in self.materials],
            "waste": [{"tails_wt_pct": x, "kg_u": kg} for x, kg in self.waste],
            "rates": [r.as_dict() for r in self.rates],
            "assumptions": list(self.assumptions), "status": self.status,
            "gap_to_fluid_optimum": _num(self.gap), "mip_gap": _num(self.mip_gap),
            "units": {"time": "days", "mass": "kg U", "assay": "wt% U-235",
                      "separative_work": "kg-SWU"},
        }

    def __repr__(self) -> str:
        return (f"BreakoutPlan({self.state!r}, {self.model}: {self.days_to_first_sq:.4g} days "
                f"to 1 SQ, {self.days_to_n_sq:.4g} days to {self.n_sq:g} SQ "
                f"(fluid {self.fluid_days:.4g}, ideal-SWU bound "
                f"{self.lower_bound.days:.4g}); {len(self.schedule)} schedule entries)")


def first_time_reaching(durations: np.ndarray, top_rates: np.ndarray, start: float,
                        goal: float) -> float:
    """First time [days] when ``start`` + production (rate ``top_rates[h]`` in phase h of
    length ``durations[h]``) reaches ``goal``; ``inf`` if never.

    >>> first_time_reaching(np.array([2.0, 3.0]), np.array([1.0, 2.0]), 0.0, 4.0)
    3.0
    """
    have, t = start, 0.0
    if have >= goal:
        return 0.0
    for d, r in zip(durations, top_rates, strict=True):
        if r > 0 and have + r * d >= goal:
            return float(t + (goal - have) / r)
        have, t = have + r * d, t + d
    return math.inf


def _source(ladder: Ladder, level: int, produced: np.ndarray) -> str:
    pct = f"{100 * ladder.levels[level]:.4g} %"
    stock = ladder.stock_kg[level] > 0
    made = produced[level] > 0
    if math.isinf(ladder.stock_kg[level]):
        return f"{pct} (unlimited stock)"
    if stock and made:
        return f"{pct} (stock, then product of the step below)"
    return f"{pct} ({'stock' if stock or not made else 'product of the step below'})"


def build_schedule(groups, units_per: list[int], ladder: Ladder, rates, alloc: np.ndarray,
                   durations: np.ndarray, produced: np.ndarray) -> tuple[ScheduleEntry, ...]:
    """Schedule entries from an integer allocation a[h, k, s] and phase lengths [days].

    Within each phase the units of a group are numbered in descending step order, so that a
    unit keeps its step across phases whenever the counts allow; consecutive phases with the
    same (group, units, step) are merged.
    """
    steps = ladder.steps
    starts = np.concatenate([[0.0], np.cumsum(durations)])
    open_: dict[tuple, list] = {}
    out: list[list] = []
    tiny = 1e-9 * max(1.0, float(np.sum(durations)))
    for h, d in enumerate(durations):
        if d <= tiny:
            continue
        seen = set()
        for k, group in enumerate(groups):
            first = 1
            for s in sorted(range(len(steps)), key=lambda i: -steps[i].level):
                n = int(round(alloc[h, k, s]))
                if n <= 0:
                    continue
                key = (k, s, first, n)
                seen.add(key)
                r = rates[k][s]
                if key in open_ and math.isclose(open_[key][1], starts[h]):
                    open_[key][1] = starts[h + 1]
                    open_[key][2] += n * d
                else:
                    open_[key] = [starts[h], starts[h + 1], n * d, group, k, s, first, n, r]
                    out.append(open_[key])
                first += n
        for key in [key for key in open_ if key not in seen]:
            del open_[key]
    return tuple(_entry(e, units_per, ladder, steps, produced) for e in out)


def _entry(e, units_per, ladder, steps, produced) -> ScheduleEntry:
    start, end, unit_days, group, k, s, first, n, r = e
    step = steps[s]
    if r.exact_tails and step.tails_to is not None:
        fate = f"recycled to {100 * ladder.levels[step.tails_to]:.4g} %"
        tails = 100 * step.tails
    else:
        fate, tails = "discarded", 100 * r.tails_assay
    return ScheduleEntry(group=group.name, facility=group.facility, machine=group.machine.name,
                         first=first, count=n, machines_per_unit=units_per[k], step=s,
                         feed_wt_pct=100 * step.feed, product_wt_pct=100 * step.product,
                         tails_wt_pct=tails, tails_fate=fate,
                         feed_source=_source(ladder, step.level, produced),
                         start_day=float(start), end_day=float(end),
                         feed_kg=unit_days * r.feed_kg_per_day,
                         product_kg=unit_days * r.product_kg_per_day,
                         tails_kg=unit_days * r.tails_kg_per_day)


def build_materials(ladder: Ladder, rates, alloc: np.ndarray, durations: np.ndarray):
    """(level balances, discarded tails as (wt%, kg U) pairs, product made at each level)."""
    n_levels = len(ladder.levels)
    produced, recycled, consumed = (np.zeros(n_levels) for _ in range(3))
    waste: dict[float, float] = {}
    unit_days = np.einsum("hks,h->ks", alloc, durations)
    for k, row in enumerate(rates):
        for s, r in enumerate(row):
            t = unit_days[k, s]
            if t <= 0:
                continue
            step = ladder.steps[s]
            consumed[step.level] += t * r.feed_kg_per_day
            produced[step.level + 1] += t * r.product_kg_per_day
            if r.exact_tails and step.tails_to is not None:
                recycled[step.tails_to] += t * r.tails_kg_per_day
            else:
                x = round(100 * r.tails_assay, 6)
                waste[x] = waste.get(x, 0.0) + t * r.tails_kg_per_day
    balances = tuple(
        LevelBalance(100 * x, None if math.isinf(m) else m, float(produced[i]),
                     float(recycled[i]), float(consumed[i]))
        for i, (x, m) in enumerate(zip(ladder.levels, ladder.stock_kg, strict=True)))
    return balances, tuple(sorted(waste.items())), produced
