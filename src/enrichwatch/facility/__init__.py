"""Plant description files (TOML): read, check, write, and turn into a network.

A plant is described once, in a readable TOML file (format: ``docs/plant-format.md``):
machines, cascades, the streams between them, the feeds and the withdrawals. :func:`load_facility`
reads and checks it, reporting every problem of the file at once in a
:class:`FacilityFileError`; the :class:`Facility` it returns is an immutable value that
:meth:`~Facility.to_network` turns into an :class:`~enrichwatch.physics.network.Network`
(rates in kg U/yr) and :func:`save_facility` writes back.

Examples
--------
>>> import pathlib
>>> from enrichwatch.facility import Facility, FacilityFileError
>>> try:
...     Facility.from_toml_text('''
... [facility]
... name = "Broken"
... [units]
... rate = "kg/month"
... [[cascades]]
... name = "A"
... machine = "IR-7"
... machines_per_stage = [2, 4, 2]
... feed_stage = 1
... [[feeds]]
... name = "feed"
... to = "A"
... rate = -5.0
... composition = { U235 = 5.0, U238 = 95.0 }
... ''', filename="broken.toml")
... except FacilityFileError as err:
...     caught = err
>>> for problem in caught.problems:
...     print(problem.key, "=", repr(problem.value))
units.rate = 'kg/month'
cascades[0].machine = 'IR-7'
feeds[0].rate = -5.0
>>> print(caught.problems[2])
broken.toml: feeds[0].rate = -5.0: expected a feed rate > 0 in the [units] rate unit
"""

from .model import Facility, load_facility, save_facility
from .problems import MISSING, FacilityFileError, Problem
from .results import (
    CascadeResult,
    Change,
    PlantResult,
    WithdrawalResult,
    compare_results,
    plant_result,
)
from .solve import SolvedPlant, solve_plant
from .specs import (
    DEFAULT_RATE_UNIT,
    RATE_UNITS,
    CascadeSpec,
    DesignSpec,
    FeedSpec,
    Isotopics,
    MachineSpec,
    PlantInfo,
    StreamSpec,
    WithdrawalSpec,
    rate_from_kg_u_per_yr,
    rate_to_kg_u_per_yr,
)

__all__ = [
    "DEFAULT_RATE_UNIT",
    "MISSING",
    "RATE_UNITS",
    "CascadeResult",
    "CascadeSpec",
    "Change",
    "DesignSpec",
    "Facility",
    "FacilityFileError",
    "FeedSpec",
    "Isotopics",
    "MachineSpec",
    "PlantInfo",
    "PlantResult",
    "Problem",
    "SolvedPlant",
    "StreamSpec",
    "WithdrawalResult",
    "WithdrawalSpec",
    "compare_results",
    "load_facility",
    "plant_result",
    "rate_from_kg_u_per_yr",
    "rate_to_kg_u_per_yr",
    "save_facility",
    "solve_plant",
]
