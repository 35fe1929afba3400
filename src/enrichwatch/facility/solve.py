"""One recipe for "solve a plant": read (or take) a description, build its network once, solve
it with its imposed withdrawal rates, and turn the steady state into results.

The command line (``solve``, ``compare``), the evaluation (plants inside records) and the
reports all use :func:`solve_plant`, so that a plant is solved the same way everywhere.

Examples
--------
>>> from pathlib import Path
>>> root = Path("examples/fordow-2023")
>>> plant = solve_plant(root / "observed.toml")
>>> round(max(w.assay_wt_pct for w in plant.result.withdrawals), 1)  # at the design cuts
80.4
>>> sorted(plant.state.withdrawals) == sorted(plant.network.withdrawal_names)
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..physics.machines import MachineCatalog
from ..physics.network import Network, NetworkState
from .model import Facility, load_facility
from .results import PlantResult, plant_result

__all__ = ["SolvedPlant", "solve_plant"]


@dataclass(frozen=True)
class SolvedPlant:
    """A plant description solved: the description, its network, the steady state and the
    results ready to present (rates per month, assays in wt%)."""

    facility: Facility
    network: Network
    state: NetworkState
    result: PlantResult

    @property
    def labels(self) -> dict[str, str]:
        """Network withdrawal name -> the name the description gives it."""
        return self.facility.withdrawal_labels()


def solve_plant(plant: Facility | str | os.PathLike, *, catalog: MachineCatalog | None = None,
                capability: bool = True) -> SolvedPlant:
    """Solve a plant description (a :class:`Facility` or the path of a plant file).

    Parameters
    ----------
    plant : Facility or path
        The description, or a plant file to read (:func:`load_facility`).
    catalog : MachineCatalog, optional
        Machine catalog for names not defined in the description (default: the bundled one).
    capability : bool
        Also compute, for each product withdrawal, the months to one significant quantity at
        90 % (:func:`~enrichwatch.physics.capability.months_to_one_sq`; a few dozen solves).

    Returns
    -------
    SolvedPlant

    Raises
    ------
    FacilityFileError
        The file cannot be read or the description does not hold together.
    ConvergenceError
        The steady state cannot be found.
    """
    facility = plant if isinstance(plant, Facility) else load_facility(plant, catalog=catalog)
    network = facility.to_network(catalog)
    state = facility.solve_network(network)
    result = plant_result(network, state, facility.withdrawal_labels(), capability=capability)
    return SolvedPlant(facility, network, state, result)
