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

from ..errors import ConvergenceError
from ..physics.machines import MachineCatalog
from ..physics.network import Network, NetworkState
from .model import Facility, load_facility
from .problems import FacilityFileError
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

    def solve(self, withdrawal_rates: Mapping[str, float] | None = None, *,
              start: NetworkState | None = None) -> NetworkState:
        """:meth:`Network.solve`, from the memo when these rates were solved before (a warm
        ``start`` changes a state only within the solver tolerance, so the memo ignores it)."""
        state = self._recall(withdrawal_rates)
        if state is None:
            state = super().solve(withdrawal_rates, start=start)
            self._keep(withdrawal_rates, state)
        return state

    #: answers as Network.solve does, from the memo: solve_many may batch it (with the hooks)
    solve.batchable = True  # type: ignore[attr-defined]

    def _recall(self, withdrawal_rates) -> NetworkState | None:
        """The state solved before at these rates (:meth:`Network.solve` and
        :func:`~enrichwatch.physics.network_batch.solve_many` ask here first; a warm ``start``
        changes a state only within the solver tolerance, so the memo ignores it)."""
        key = _rates_key(withdrawal_rates)
        return None if key is None else self.solved.get(key)

    def _keep(self, withdrawal_rates, state: NetworkState) -> None:
        """Keep a state just solved at these rates (rates the memo does not key, such as pint
        quantities, are not kept)."""
        key = _rates_key(withdrawal_rates)
        if key is not None:
            self.solved.setdefault(key, state)


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
                capability: bool = True, max_newton_iterations: int | None = None
                ) -> SolvedPlant:
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
    max_newton_iterations : int, optional
        Most Newton iterations of each network solve (default the network's, 60).

    Returns
    -------
    SolvedPlant
        Its ``network`` keeps its solves (:class:`MemoNetwork`): later figures of the plant
        (capability, ranges) reuse the states already found.

    Raises
    ------
    FacilityFileError
        The file cannot be read or the description does not hold together; or the plant's
        network does not converge (at its own setting, or at a withdrawal rate the capability
        figure needs): the problem names the setting, the worst stage and what to try. Every
        solve is bounded by its iteration count, so this comes after a bounded amount of work.
    """
    facility = plant if isinstance(plant, Facility) else load_facility(plant, catalog=catalog)
    network = MemoNetwork.of(facility.to_network(catalog))
    if max_newton_iterations is not None:
        network = MemoNetwork.of(Network(network.cascades.values(), network.links,
                                         network.feeds,
                                         max_newton_iterations=max_newton_iterations))
    try:
        state = facility.solve_network(network)
    except ConvergenceError as err:
        raise _not_converged(facility, "steady state", err, _DESIGN_HINT) from None
    try:
        result = plant_result(network, state, facility.withdrawal_labels(),
                              capability=capability)
    except ConvergenceError as err:
        raise _not_converged(facility, "months to 1 SQ at 90 %", err, _CAPABILITY_HINT) from None
    return SolvedPlant(facility, network, state, result)


_DESIGN_HINT = (
    "try: check the cuts, feed stages and streams of the cascade named (a stage whose feed "
    "flow is many orders of magnitude below the plant's feed carries almost nothing: the cuts "
    "around it send the material away from it); solve that cascade alone, then add the "
    "others a few at a time, to find the part at fault")
_CAPABILITY_HINT = (
    "the plant's own steady state was found; this figure re-solves the network at other "
    "withdrawal rates, and one of them did not converge; try: the same plant with that "
    "cascade's cuts or feed stage changed, or solve_plant(..., capability=False) for the steady "
    "state alone")


def _not_converged(facility: Facility, figure: str, err: ConvergenceError,
                   hint: str) -> FacilityFileError:
    """The error for a plant whose network does not converge: a problem of its file naming the
    figure, the setting and the stage at fault (``err``) and what to try."""
    return FacilityFileError.of(str(facility.filename), figure, _NotConverged(),
                                f"a network the solver can converge; {err}; {hint}")


class _NotConverged:
    """The value shown for a figure that could not be solved: ``<did not converge>``."""

    def __repr__(self) -> str:
        return "<did not converge>"
