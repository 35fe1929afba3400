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
from collections.abc import Mapping
from dataclasses import dataclass

from ..physics.machines import MachineCatalog
from ..physics.network import Network, NetworkState
from .model import Facility, load_facility
from .results import PlantResult, plant_result

__all__ = ["MemoNetwork", "SolvedPlant", "solve_plant"]


def _rates_key(rates) -> tuple | None:
    """The memo key of ``solve``'s withdrawal rates (None: rates the memo does not keep, such
    as pint quantities; those are solved every time)."""
    if rates is None:
        return ()
    if not isinstance(rates, Mapping):
        return None
    key = []
    for name, rate in rates.items():
        if not isinstance(name, str) or isinstance(rate, bool) or \
                not isinstance(rate, float | int):
            return None
        key.append((name, float(rate)))
    return tuple(sorted(key))


class MemoNetwork(Network):
    """A network that keeps its steady states: solved once per withdrawal-rate setting.

    The capability scans (:mod:`enrichwatch.physics.capability`) solve a network at many
    withdrawal rates, and several figures of a plant ask for the same ones (the natural rate,
    the ends of a root bracket, the best rate of a maximum); a solve is a deterministic
    function of the network and the rates, so the state found first is the answer to every
    later request for it. Build with :meth:`of`; states are shared, and read-only.

    Examples
    --------
    >>> from pathlib import Path
    >>> from enrichwatch.facility import load_facility
    >>> net = MemoNetwork.of(load_facility(Path("examples/fordow-2023/observed.toml"))
    ...                      .to_network())
    >>> net.solve() is net.solve(), len(net.solved)
    (True, 1)
    """

    solved: dict[tuple, NetworkState]

    @classmethod
    def of(cls, network: Network) -> MemoNetwork:
        """``network`` with a memo of its solves (the same network when it has one)."""
        if isinstance(network, MemoNetwork):
            return network
        memo = cls.__new__(cls)
        memo.__dict__.update(network.__dict__)     # the built network, not built again
        memo.solved = {}
        return memo

    def solve(self, withdrawal_rates: Mapping[str, float] | None = None) -> NetworkState:
        """:meth:`Network.solve`, from the memo when these rates were solved before."""
        key = _rates_key(withdrawal_rates)
        if key is None:
            return super().solve(withdrawal_rates)
        state = self.solved.get(key)
        if state is None:
            state = self.solved[key] = super().solve(withdrawal_rates)
        return state


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
        Its ``network`` keeps its solves (:class:`MemoNetwork`): later figures of the plant
        (capability, ranges) reuse the states already found.

    Raises
    ------
    FacilityFileError
        The file cannot be read or the description does not hold together.
    ConvergenceError
        The steady state cannot be found.
    """
    facility = plant if isinstance(plant, Facility) else load_facility(plant, catalog=catalog)
    network = MemoNetwork.of(facility.to_network(catalog))
    state = facility.solve_network(network)
    result = plant_result(network, state, facility.withdrawal_labels(), capability=capability)
    return SolvedPlant(facility, network, state, result)
