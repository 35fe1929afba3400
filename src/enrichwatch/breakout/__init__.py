"""Breakout: the fastest route to weapon-grade uranium from stocks and installed machines.

"How long would it take to make enough weapon-grade uranium for one weapon?" This package
answers from the physics of the plant and shows the schedule behind the number:

* :func:`load_state` reads a state file (stocks by enrichment level, installed cascades; TOML)
  and checks it, listing every problem in a :class:`StateFileError`;
* :func:`plan_breakout` finds the fastest schedule to N significant quantities
  (:class:`BreakoutPlan`: times to the first and to N SQ, the schedule, the material balance,
  the assays of every step, the ideal-SWU lower bound beside it);
* :func:`monte_carlo` gives its distribution under machine and stock uncertainty
  (:class:`BreakoutDistribution`), locally or on a Dask cluster;
* :class:`BreakoutScenario` states a breakout estimate's structural assumptions as data (sites
  and their stocks and stations, cascades used, availability, set-up, transport, hold-up,
  losses, stage factor, feed forms); :func:`analyst_scenario` and :func:`all_capacity_scenario`
  build the two families from the bundled data and :func:`assess_scenario` /
  :func:`assess_all_capacity` give their days, Monte Carlo band and tornado
  (:class:`ScenarioResult`), under a selectable SQ definition (:data:`SQ_DEFINITIONS`);
* :func:`breakout_timeline` computes it at every IAEA report date, 2019-2025
  (:class:`Timeline`), and :func:`plot_timeline` draws it; :func:`plot_schedule` and
  :func:`plot_distribution` draw a plan and a distribution.

Examples
--------
>>> from importlib import resources
>>> from enrichwatch.breakout import load_state, plan_breakout
>>> state = load_state(resources.files("enrichwatch") / "data/stockpile/may-2025.toml")
>>> plan = plan_breakout(state)
>>> 1.5 < plan.days_to_first_sq < 3.0
True
"""

from .assess import (
    SQ_DEFINITIONS,
    ScenarioResult,
    TornadoRow,
    assess_all_capacity,
    assess_scenario,
)
from .bound import LowerBound, ideal_swu_bound
from .montecarlo import BreakoutDistribution, monte_carlo
from .planner import plan_breakout
from .plots import plot_distribution, plot_schedule, plot_tornado
from .rates import MODELS, StepRate, step_rate
from .results import BreakoutPlan, LevelBalance, RateRow, ScheduleEntry
from .scenario import (
    BreakoutScenario,
    CascadeUse,
    Range,
    ScenarioFileError,
    Site,
    all_capacity_scenario,
    analyst_scenario,
    load_scenario_file,
)
from .state import BreakoutState, BuiltJob, CascadeGroup, Ladder, Step, Stock, product_target_kg_u
from .state_io import StateFileError, load_state, state_from_toml_text
from .timeline import Timeline, TimelineRow, breakout_timeline, plot_timeline, timeline_state

__all__ = [
    "MODELS",
    "SQ_DEFINITIONS",
    "BreakoutDistribution",
    "BreakoutPlan",
    "BreakoutScenario",
    "CascadeUse",
    "Range",
    "ScenarioFileError",
    "ScenarioResult",
    "Site",
    "TornadoRow",
    "all_capacity_scenario",
    "analyst_scenario",
    "assess_all_capacity",
    "assess_scenario",
    "load_scenario_file",
    "BreakoutState",
    "BuiltJob",
    "CascadeGroup",
    "Ladder",
    "LevelBalance",
    "LowerBound",
    "RateRow",
    "ScheduleEntry",
    "StateFileError",
    "Step",
    "StepRate",
    "Stock",
    "Timeline",
    "TimelineRow",
    "breakout_timeline",
    "calibration_state",
    "ideal_swu_bound",
    "load_state",
    "monte_carlo",
    "plan_breakout",
    "plot_distribution",
    "plot_schedule",
    "plot_timeline",
    "plot_tornado",
    "product_target_kg_u",
    "state_from_toml_text",
    "step_rate",
    "timeline_state",
]


def calibration_state(name: str) -> BreakoutState:
    """A bundled calibration state: ``'feb-2023'`` or ``'may-2025'`` (see their files).

    >>> calibration_state("feb-2023").stocks[0].kg_u
    43.75
    """
    from importlib import resources

    names = ("feb-2023", "may-2025")
    if name not in names:
        from ..errors import UnknownNameError

        raise UnknownNameError("name", name, f"one of {', '.join(names)}")
    packaged = resources.files("enrichwatch") / "data" / "stockpile" / f"{name}.toml"
    with resources.as_file(packaged) as path:  # the file itself, for an installed package
        return load_state(path)
