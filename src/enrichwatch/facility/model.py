"""The plant description: :class:`Facility`, and loading and saving it as TOML.

Examples
--------
>>> plant = Facility.from_toml_text('''
... [facility]
... name = "Demo"
... [units]
... rate = "kg U/yr"
... [[cascades]]
... name = "A"
... machine = "IR-6"
... [cascades.design]
... feed = { U235 = 5.0, U238 = 95.0 }
... product_assay_pct = 20.0
... tails_assay_pct = 2.5
... total_machines = 166
... [[feeds]]
... name = "5 % feed"
... to = "A"
... rate = 1400.0
... composition = { U235 = 5.0, U238 = 95.0 }
... [[withdrawals]]
... from = "A.product"
... name = "20 % product"
... ''', filename="demo.toml")
>>> plant
Facility('Demo': 1 cascades, 0 streams, 1 feeds; rates in kg U/yr; demo.toml)
>>> plant.withdrawal_labels()
{'A.product': '20 % product', 'A.tails': 'A.tails'}
>>> state = plant.to_network().solve()
>>> round(state.feeds["5 % feed"].rate_kg_per_yr, 1)
1400.0
>>> Facility.from_toml_text(plant.to_toml()) == plant
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..composition import rate_to_kg_u_per_yr
from ..constants import RATE_UNITS
from ..errors import ConvergenceError
from ..files import MISSING, parse_toml, read_text_file
from ..files import Problem as _BaseProblem
from ..physics.machines import MachineCatalog
from ..physics.network import Network, NetworkState
from .checks import EMPTY_SHARE, Parts, assemble, remaining_shares
from .problems import FacilityFileError, Problem
from .schema import parse_document
from .specs import (
    DEFAULT_RATE_UNIT,
    OUTPUTS,
    CascadeSpec,
    FeedSpec,
    MachineSpec,
    PlantInfo,
    StreamSpec,
    WithdrawalSpec,
)

__all__ = ["Facility", "load_facility", "save_facility"]

_SECTIONS = ("facility", "units", "machines", "cascades", "streams", "feeds", "withdrawals")
_MAX_RATE_ITERATIONS = 50
_RATE_RTOL = 1e-13


@dataclass(frozen=True)
class Facility:
    """A validated plant description: machines, cascades, streams, feeds and withdrawals.

    Holds what the file says, in the file's rate unit (``rate_unit``) and percent bases; the
    conversion to kg U/yr and mass fractions happens in :meth:`to_network`. Build it with
    :func:`load_facility` or :meth:`from_toml_text`, which check everything; a Facility built
    directly is checked when :meth:`to_network` runs. Equality ignores ``filename``.

    Parameters
    ----------
    info : PlantInfo
        The ``[facility]`` table.
    cascades, feeds : tuple
        :class:`CascadeSpec` and :class:`FeedSpec` entries (at least one of each).
    streams, withdrawals, machines : tuple, optional
        :class:`StreamSpec`, :class:`WithdrawalSpec` and inline :class:`MachineSpec` entries.
    rate_unit : {'kg U/month', 'kg U/yr', 'kg UF6/month', 'kg UF6/yr'}
        Unit of every rate in the description.
    filename : str
        Where it came from (used in error messages).
    """

    info: PlantInfo
    cascades: tuple[CascadeSpec, ...]
    feeds: tuple[FeedSpec, ...]
    streams: tuple[StreamSpec, ...] = ()
    withdrawals: tuple[WithdrawalSpec, ...] = ()
    machines: tuple[MachineSpec, ...] = ()
    rate_unit: str = DEFAULT_RATE_UNIT
    filename: str = field(default="<memory>", compare=False)

    # -- reading and writing ------------------------------------------------------------------
    @classmethod
    def from_toml_text(cls, text: str, filename: str = "<string>", *,
                       catalog: MachineCatalog | None = None) -> Facility:
        """Read and check a plant description from TOML text.

        Parameters
        ----------
        text : str
            The TOML document.
        filename : str
            Name used in error messages.
        catalog : MachineCatalog, optional
            Catalog for machine names not defined inline; default the bundled one.

        Raises
        ------
        FacilityFileError
            Listing every problem of the text at once.
        """
        parts, problems = parse_document(parse_toml(text, filename, FacilityFileError), filename)
        problems += assemble(parts, catalog)[1]
        if problems:
            raise FacilityFileError(sorted(problems, key=_section_rank))
        return cls(*_complete(parts), filename)

    def to_toml(self) -> str:
        """The description as TOML text; :meth:`from_toml_text` reads it back equal."""
        from .toml_io import render  # (here: reading and solving a plant do not write TOML)

        return render(self)

    # -- the network --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The plant's name."""
        return self.info.name

    def _parts(self) -> Parts:
        return Parts(self.filename, self.info, self.rate_unit, self.machines, (),
                     tuple(c.name for c in self.cascades), self.cascades, self.streams,
                     self.feeds, self.withdrawals)

    def to_network(self, catalog: MachineCatalog | None = None) -> Network:
        """The :class:`~enrichwatch.physics.network.Network` described, rates in kg U/yr.

        Cascades with a design table are designed
        (:func:`~enrichwatch.physics.cascade.design_cascade`); kg UF6 feed rates convert with
        each feed's isotopics.

        Parameters
        ----------
        catalog : MachineCatalog, optional
            Catalog for machine names not defined inline; default the bundled one.

        Raises
        ------
        FacilityFileError
            If the description does not hold together (e.g. a machine missing from ``catalog``).
        """
        network, problems = assemble(self._parts(), catalog)
        if problems or network is None:
            raise FacilityFileError(problems)
        return network

    def withdrawal_labels(self) -> dict[str, str]:
        """Network withdrawal name (``"B.product"``) -> the user's name for it.

        Every output that the streams do not take wholly is a withdrawal; outputs the file does
        not name keep the network name.
        """
        left = remaining_shares(self.streams)
        named = {w.origin: w.name or w.origin for w in self.withdrawals}
        return {f"{c.name}.{o}": named.get(f"{c.name}.{o}", f"{c.name}.{o}")
                for c in self.cascades for o in OUTPUTS
                if left.get((c.name, o), 1.0) > EMPTY_SHARE}

    def _imposed(self) -> dict[str, float]:
        return {w.origin: w.rate for w in self.withdrawals if w.rate is not None}

    def withdrawal_rates(self, catalog: MachineCatalog | None = None) -> dict[str, float]:
        """Imposed withdrawal rates [kg U/yr] keyed by network withdrawal name.

        For :meth:`Network.solve(withdrawal_rates=...)
        <enrichwatch.physics.network.Network.solve>`. kg UF6 rates convert with the isotopics of
        the withdrawn stream, which depend on the rate: they are found by solving the network
        repeatedly (each pass changes the rate by a few parts in 10^4 at most, so a handful of
        passes reach 1e-13 relative); ``catalog`` is then used to build it.
        """
        imposed = self._imposed()
        if not imposed:
            return {}
        if RATE_UNITS[self.rate_unit][0] == "U":
            return {k: rate_to_kg_u_per_yr(r, self.rate_unit) for k, r in imposed.items()}
        return self._uf6_rates(self.to_network(catalog), imposed)[0]

    def _uf6_rates(self, network: Network, imposed: dict[str, float]
                   ) -> tuple[dict[str, float], NetworkState]:
        state, rates = network.solve(), dict[str, float]()
        for _ in range(_MAX_RATE_ITERATIONS):
            new = {k: rate_to_kg_u_per_yr(r, self.rate_unit, state.withdrawals[k].composition)
                   for k, r in imposed.items()}
            if rates and all(abs(new[k] - rates[k]) <= _RATE_RTOL * rates[k] for k in new):
                return rates, state
            rates = new
            state = network.solve(rates)
        raise ConvergenceError(f"withdrawal rates of {self.name}",
                               f"kg UF6 -> kg U conversion did not settle in "
                               f"{_MAX_RATE_ITERATIONS} passes")

    def solve(self, catalog: MachineCatalog | None = None) -> NetworkState:
        """Steady state of the plant, imposed withdrawal rates included.

        The same as ``to_network(catalog).solve(withdrawal_rates(catalog))``, building the
        network once.
        """
        return self.solve_network(self.to_network(catalog))

    def solve_network(self, network: Network) -> NetworkState:
        """Steady state of ``network`` (built by :meth:`to_network`) with this plant's imposed
        withdrawal rates."""
        imposed = self._imposed()
        if imposed and RATE_UNITS[self.rate_unit][0] == "UF6":
            return self._uf6_rates(network, imposed)[1]
        return network.solve(self.withdrawal_rates())

    def __repr__(self) -> str:
        return (f"Facility({self.name!r}: {len(self.cascades)} cascades, "
                f"{len(self.streams)} streams, {len(self.feeds)} feeds; "
                f"rates in {self.rate_unit}; {self.filename})")


def _complete(parts: Parts) -> tuple[PlantInfo, tuple[CascadeSpec, ...], tuple[FeedSpec, ...],
                                     tuple[StreamSpec, ...], tuple[WithdrawalSpec, ...],
                                     tuple[MachineSpec, ...], str]:
    """The entries of parts that passed every check (no ``None`` left), in Facility order."""
    if parts.info is None or parts.rate_unit is None:      # pragma: no cover - a problem
        raise FacilityFileError.of(parts.file, "facility", MISSING, "a [facility] table")
    return (parts.info, tuple(c for c in parts.cascades if c is not None),
            tuple(f for f in parts.feeds if f is not None),
            tuple(s for s in parts.streams if s is not None),
            tuple(w for w in parts.withdrawals if w is not None), parts.machines,
            parts.rate_unit)


def _section_rank(problem: _BaseProblem) -> int:
    """Order of the problem's table in the file layout (stable sort keeps the rest in order)."""
    section = problem.key.split(".")[0].split("[")[0]
    return _SECTIONS.index(section) if section in _SECTIONS else len(_SECTIONS)


def load_facility(path: str | os.PathLike, *, catalog: MachineCatalog | None = None) -> Facility:
    """Read and check a plant description file (TOML, UTF-8).

    Parameters
    ----------
    path : str or path-like
    catalog : MachineCatalog, optional
        Catalog for machine names not defined inline; default the bundled one.

    Raises
    ------
    FacilityFileError
        Listing every problem of the file (or that it cannot be read).
    """
    label = str(path)
    try:
        text = read_text_file(path)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise FacilityFileError([Problem(label, "file", label, f"a readable file ({reason})")]) \
            from None
    except UnicodeDecodeError as err:
        raise FacilityFileError([Problem(label, "file", err.object[err.start:err.end],
                                         f"UTF-8 text (byte {err.start} is not)")]) from None
    return Facility.from_toml_text(text, label, catalog=catalog)


def save_facility(facility: Facility, path: str | os.PathLike) -> Path:
    """Write ``facility`` as TOML to ``path`` atomically (temporary file + :func:`os.replace`).

    >>> import tempfile, pathlib
    >>> from enrichwatch.facility import Isotopics
    >>> nat = Isotopics.from_percent({"U235": 0.711, "U238": 99.289})
    >>> plant = Facility(PlantInfo("Tiny"), (CascadeSpec("A", "IR-1", (1, 2, 1), 1),),
    ...                  (FeedSpec("feed", "A", 10.0, nat),))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_facility(plant, pathlib.Path(tmp) / "tiny.toml")
    ...     load_facility(path) == plant
    True
    """
    from .toml_io import write_atomic

    return write_atomic(path, facility.to_toml())

