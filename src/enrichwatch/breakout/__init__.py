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
  :func:`plot_distribution` draw a plan and a distribution;
* :class:`ResultCache` keeps rates and schedules on disk for repeated runs, once made active
  with :func:`using_cache` (the command line does; see :mod:`.cache`).

Names load lazily (PEP 562): ``import enrichwatch.breakout`` loads nothing heavy, and
``load_state`` / ``plan_breakout`` do not load the scenario, Monte Carlo or timeline modules.

Examples
--------
>>> from importlib import resources
>>> from enrichwatch.breakout import load_state, plan_breakout
>>> state = load_state(resources.files("enrichwatch") / "data/stockpile/may-2025.toml")
>>> plan = plan_breakout(state)
>>> 1.5 < plan.days_to_first_sq < 3.0
True
"""

from __future__ import annotations

from ..lazy import lazy_exports

# As typing.TYPE_CHECKING (without importing typing): type checkers read it as true, so they
# see the imports below; at run time __getattr__ loads each name on first use.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from .assess import ScenarioResult, TornadoRow, assess_all_capacity, assess_scenario
    from .bound import LowerBound, ideal_swu_bound
    from .cache import ResultCache, cache_directory, using_cache
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
    from .sq import SQ_DEFINITIONS
    from .state import (
        BreakoutState,
        BuiltJob,
        CascadeGroup,
        Ladder,
        Step,
        Stock,
        product_target_kg_u,
    )
    from .state_io import StateFileError, load_state, state_from_toml_text
    from .timeline import Timeline, TimelineRow, breakout_timeline, plot_timeline, timeline_state

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "ScenarioResult": "assess",
    "TornadoRow": "assess",
    "assess_all_capacity": "assess",
    "assess_scenario": "assess",
    "LowerBound": "bound",
    "ideal_swu_bound": "bound",
    "ResultCache": "cache",
    "cache_directory": "cache",
    "using_cache": "cache",
    "BreakoutDistribution": "montecarlo",
    "monte_carlo": "montecarlo",
    "plan_breakout": "planner",
    "plot_distribution": "plots",
    "plot_schedule": "plots",
    "plot_tornado": "plots",
    "MODELS": "rates",
    "StepRate": "rates",
    "step_rate": "rates",
    "BreakoutPlan": "results",
    "LevelBalance": "results",
    "RateRow": "results",
    "ScheduleEntry": "results",
    "BreakoutScenario": "scenario",
    "CascadeUse": "scenario",
    "Range": "scenario",
    "ScenarioFileError": "scenario",
    "Site": "scenario",
    "all_capacity_scenario": "scenario",
    "analyst_scenario": "scenario",
    "load_scenario_file": "scenario",
    "SQ_DEFINITIONS": "sq",
    "BreakoutState": "state",
    "BuiltJob": "state",
    "CascadeGroup": "state",
    "Ladder": "state",
    "Step": "state",
    "Stock": "state",
    "product_target_kg_u": "state",
    "StateFileError": "state_io",
    "load_state": "state_io",
    "state_from_toml_text": "state_io",
    "Timeline": "timeline",
    "TimelineRow": "timeline",
    "breakout_timeline": "timeline",
    "plot_timeline": "timeline",
    "timeline_state": "timeline",
}

__all__ = [
    "all_capacity_scenario",
    "analyst_scenario",
    "assess_all_capacity",
    "assess_scenario",
    "breakout_timeline",
    "BreakoutDistribution",
    "BreakoutPlan",
    "BreakoutScenario",
    "BreakoutState",
    "BuiltJob",
    "cache_directory",
    "calibration_state",
    "CascadeGroup",
    "CascadeUse",
    "ideal_swu_bound",
    "Ladder",
    "LevelBalance",
    "load_scenario_file",
    "load_state",
    "LowerBound",
    "MODELS",
    "monte_carlo",
    "plan_breakout",
    "plot_distribution",
    "plot_schedule",
    "plot_timeline",
    "plot_tornado",
    "product_target_kg_u",
    "Range",
    "RateRow",
    "ResultCache",
    "ScenarioFileError",
    "ScenarioResult",
    "ScheduleEntry",
    "Site",
    "SQ_DEFINITIONS",
    "state_from_toml_text",
    "StateFileError",
    "Step",
    "step_rate",
    "StepRate",
    "Stock",
    "Timeline",
    "timeline_state",
    "TimelineRow",
    "TornadoRow",
    "using_cache",
]


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)


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
        from .state_io import load_state

        return load_state(path)
