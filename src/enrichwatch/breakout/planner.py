"""The breakout planner: the fastest schedule to N significant quantities of weapon-grade uranium.

Pipeline: the state's ladder of enrichment levels (:meth:`BreakoutState.ladder
<enrichwatch.breakout.state.BreakoutState.ladder>`), the rate of every cascade type on every
step from the physics (:mod:`.rates`, cached per distinct type), the optimisation problem
(:mod:`.program`: a MILP over whole cascades assigned to steps in H phases, then the phase
lengths by LP; the LP relaxation gives the fluid optimum), and the ideal-SWU lower bound
(:mod:`.bound`). The result is a :class:`~.results.BreakoutPlan`.

What the plan assumes (restated in every plan's ``assumptions``):

* batch enrichment along the ladder, one level at a time; each step either recycles its tails
  into the level below (those of the lowest step are discarded) or discards them at a higher
  assay (less work, more feed), as the optimiser chooses; steps are skipped where stock of a
  higher level exists, because the optimiser then finds no use for them;
* material flows between steps as it is made (no batch or equilibrium time, no losses, no
  time to re-pipe a cascade or to move material between sites);
* machines at their rated separative power; 1 SQ = 25 kg U-235 in uranium of 90 % U-235 (about
  27.8 kg U) unless ``sq_u235_kg`` says otherwise.

Examples
--------
>>> from enrichwatch.composition import Assay
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.breakout.state import BreakoutState, CascadeGroup, Stock
>>> w = Assay.from_weight_percent
>>> ir6 = load_catalog().get("IR-6")
>>> state = BreakoutState("demo", stocks=(Stock(w(60.0), 87.5),),
...                       cascades=(CascadeGroup("A", ir6, machines=166, count=3),))
>>> plan = plan_breakout(state)
>>> round(plan.days_to_first_sq, 1), round(plan.lower_bound.days, 1)
(7.1, 6.2)
>>> plan.schedule[0]
ScheduleEntry(A #1-3 (3 x 166 IR-6): 60 -> 90 %, day 0-7.098, 27.78 kg U product)
>>> plan.schedule[0].tails_fate, round(plan.schedule[0].tails_wt_pct, 1)
('discarded', 38.0)
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import SQ_HEU_U235_KG
from ..errors import InputError
from ..parallel import Progress, as_progress, within
from .bound import LowerBound, ideal_swu_bound
from .cache import EntryError, machine_material, memoised
from .program import Program, solve_program
from .rates import MODELS, StepRate, job_material, rate_from_doc, step_rate
from .results import (
    BreakoutPlan,
    RateRow,
    build_materials,
    build_schedule,
    first_time_reaching,
)
from .state import BreakoutState, Ladder, product_target_kg_u

__all__ = ["build_program", "lower_bound", "plan_breakout", "unit_rates"]

_MAX_PHASES = 80


def _check(model: str, phases: int) -> None:
    if model not in MODELS:
        raise InputError("model", model, f"one of {', '.join(MODELS)}")
    if isinstance(phases, bool) or not isinstance(phases, int) or not 1 <= phases <= _MAX_PHASES:
        raise InputError("phases", phases, f"a whole number from 1 to {_MAX_PHASES}")


def unit_rates(state: BreakoutState, model: str = "repiped", ratings=None, *,
               progress: Progress | None = None):
    """Rates of one unit of every group on every step of the state's ladder.

    Parameters
    ----------
    state : BreakoutState
    model : {'repiped', 'as-built'}
    ratings : mapping of str to float, optional
        Machine name -> separative power [kg-SWU/yr per machine] to use instead of the
        catalog's nominal value (the Monte Carlo evaluates the catalog's low and high ends).
    progress : Progress, optional
        Advanced by one per rate (group x step), computed or read from the cache; not started
        (the caller's phase counts them).

    Returns
    -------
    list of list of StepRate
        ``[group][step]``, per unit (cascade or chain) in kg U/day.
    """
    steps = state.ladder().steps
    units = []
    for group in state.cascades:
        _, per = group.units(model)
        machine = group.machine
        if ratings and machine.name in ratings:
            rating = float(ratings[machine.name])
            if rating != machine.nominal_swu_per_yr:
                machine = machine.with_separative_power(rating)
        units.append((machine, per, group.built_for if model == "as-built" else None))

    bar = as_progress(progress)
    computed = []

    def compute():
        computed.append(True)
        from ..physics.sparse_systems import one_blas_thread

        with one_blas_thread():      # once for the hundreds of small solves, not per solve
            return [[_counted(step_rate(m, per, job, st.feed, st.product, st.tails, model), bar)
                     for st in steps] for m, per, job in units]

    rates = memoised("rates", lambda: _rates_material(units, steps, model), compute,
                     lambda rates: [[r.cache_doc() for r in row] for row in rates],
                     lambda doc: _rates_from_doc(doc, units, steps))
    if not computed:
        bar.advance(len(units) * len(steps))
    return [list(row) for row in rates]          # the cache keeps its own lists


def _counted(done, bar: Progress):
    """``done``, after advancing ``bar`` by one step."""
    bar.advance(1)
    return done


def _rates_material(units, steps, model: str) -> dict:
    """What fixes the rates of :func:`unit_rates`: machines (every catalog field, at the
    rating used), machines per unit, built jobs, step assays and the model."""
    return {"model": model, "steps": [[st.feed, st.product, st.tails] for st in steps],
            "units": [{"machine": machine_material(m), "machines": per,
                       "job": job_material(job)} for m, per, job in units]}


def _rates_from_doc(doc, units, steps) -> list[list[StepRate]]:
    if not (isinstance(doc, list) and len(doc) == len(units)
            and all(isinstance(row, list) and len(row) == len(steps) for row in doc)):
        raise EntryError(f"rates for {len(units)} units x {len(steps)} steps are needed")
    return [[rate_from_doc(d, st.feed, st.product, st.tails, per * m.nominal_swu_per_yr)
             for d, st in zip(row, steps, strict=True)]
            for row, (m, per, _) in zip(doc, units, strict=True)]


def build_program(ladder: Ladder, units, rates, target_kg_u: float) -> Program:
    """The :class:`~.program.Program` of a ladder, unit counts and unit rates."""
    n_k, steps = len(rates), ladder.steps
    g = np.zeros((n_k, len(steps), len(ladder.levels)))
    work = np.zeros((n_k, len(steps)))
    for k, row in enumerate(rates):
        for s, r in enumerate(row):
            lev = steps[s].level
            g[k, s, lev] -= r.feed_kg_per_day
            g[k, s, lev + 1] += r.product_kg_per_day
            if r.exact_tails and steps[s].tails_to is not None:
                g[k, s, steps[s].tails_to] += r.tails_kg_per_day
            work[k, s] = r.value_work_kg_swu_per_day
    return Program(g, np.asarray(units, float), np.asarray(ladder.stock_kg, float),
                   float(target_kg_u), work)


def lower_bound(state: BreakoutState, target_kg_u: float) -> LowerBound:
    """Ideal-SWU lower bound for ``target_kg_u`` of 90 % with all installed machines."""
    ladder = state.ladder()
    bound = ideal_swu_bound(ladder.levels, ladder.stock_kg, ladder.waste_tails, target_kg_u)
    return bound.with_power(state.separative_power_kg_swu_per_day)


def _assumptions(state: BreakoutState, model: str, sq_u235_kg: float, phases: int) -> tuple:
    ladder = state.ladder()
    how = ("every cascade re-piped for the step it is given (same machines, new stages)"
           if model == "repiped" else
           "every cascade kept as built and fed off design; 'series' groups run as one chain")
    return (
        f"plant model: {model}: {how}",
        f"1 SQ = {sq_u235_kg:g} kg U-235 in uranium of 90 % U-235 "
        f"({product_target_kg_u(1, sq_u235_kg):.4g} kg U)",
        "ladder: " + " -> ".join(f"{100 * x:.4g} %" for x in ladder.levels)
        + f"; each step either recycles its tails into the level below (the lowest step "
          f"discards them at {100 * ladder.waste_tails:.4g} %) or discards them at the assay "
          "midway (in abundance ratio) between its feed and the level below",
        "machines at their catalog rating: "
        + ", ".join(sorted({f"{g.machine.name} {g.machine.nominal_swu_per_yr:g} kg-SWU/yr"
                            for g in state.cascades})),
        f"whole cascades assigned to steps in {phases} phases; material flows between "
        "steps as it is made; no time to re-pipe, equilibrate or move material",
        "optimiser: MILP stopped at a relative gap of 1e-3 or a work limit of 2,000 nodes "
        "(deterministic, no wall-clock limit); the gap to the fluid optimum is reported",
        *state.assumptions,
    )


def plan_breakout(state: BreakoutState, n_sq: float = 1, *, model: str = "repiped",
                  phases: int = 6, sq_u235_kg: float = SQ_HEU_U235_KG,
                  progress: Progress | None = None) -> BreakoutPlan:
    """Fastest schedule to ``n_sq`` significant quantities of 90 % uranium.

    Parameters
    ----------
    state : BreakoutState
    n_sq : float
        Significant quantities wanted (> 0).
    model : {'repiped', 'as-built'}
        Plant model (see :mod:`.rates`).
    phases : int
        Phases of the whole-cascade schedule to start with (1-80; doubled automatically, up to
        48, while the schedule lags the fluid optimum by more than 1 %).
    sq_u235_kg : float
        U-235 per SQ [kg] (default 25, IAEA). ISIS uses 25 kg of 90 % uranium, i.e. 22.5.
    progress : Progress, optional
        One phase of planning steps (:mod:`enrichwatch.parallel`): the unit rate of every
        group on every step, then each optimisation (fluid LP, whole-cascade MILP, and for
        ``n_sq`` other than 1 the MILP to the first SQ).

    Returns
    -------
    BreakoutPlan
    """
    _check(model, phases)
    target = product_target_kg_u(n_sq, sq_u235_kg)
    one = product_target_kg_u(1, sq_u235_kg)
    ladder = state.ladder()
    bar = as_progress(progress)
    bar.start(len(state.cascades) * len(ladder.steps) + (2 if n_sq == 1 else 3), "planning steps")
    try:
        rates = unit_rates(state, model, progress=within(bar))
        units = [g.units(model)[0] for g in state.cascades]
        units_per = [g.units(model)[1] for g in state.cascades]
        prog = build_program(ladder, units, rates, target)
        fluid = _counted(solve_program(prog, 1), bar)
        whole = _counted(solve_program(prog, phases, integer=True), bar)
        if n_sq == 1:
            first = whole
        else:
            first = _counted(solve_program(build_program(ladder, units, rates, one), phases,
                                           integer=True), bar)
    finally:
        bar.close()
    materials, waste, produced = build_materials(ladder, rates, whole.allocation,
                                                 whole.durations)
    top = np.einsum("hks,ks->h", whole.allocation, prog.g[:, :, -1])
    return BreakoutPlan(
        state=state.name, date=state.date, model=model, n_sq=float(n_sq),
        sq_u235_kg=float(sq_u235_kg), target_kg_u=target,
        days_to_first_sq=first.days, days_to_n_sq=whole.days,
        first_sq_in_plan_days=first_time_reaching(whole.durations, top, ladder.stock_kg[-1], one)
        if whole.feasible else math.inf,
        fluid_days=fluid.days, lower_bound=lower_bound(state, target), phases=whole.phases,
        steps=ladder.steps,
        schedule=build_schedule(state.cascades, units_per, ladder, rates, whole.allocation,
                                whole.durations, produced),
        materials=materials, waste=waste,
        rates=tuple(RateRow(g.name, s, units_per[k], r) for k, g in enumerate(state.cascades)
                    for s, r in enumerate(rates[k])),
        assumptions=_assumptions(state, model, sq_u235_kg, whole.phases), status=whole.status,
        gap=whole.gap, mip_gap=whole.mip_gap)
