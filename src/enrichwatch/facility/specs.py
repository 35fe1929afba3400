"""The parts of a plant description, as immutable values holding what the user wrote.

Rates are kept in the file's rate unit (:data:`~enrichwatch.constants.RATE_UNITS`) and percents
on the basis the user chose, so that a description saved again reads back equal;
:func:`rate_to_kg_u_per_yr` and :meth:`Isotopics.composition` convert to the package's internal
units (kg U/yr, mass fractions) when a network is built. The rate units and their conversions
are defined once, in :mod:`enrichwatch.constants` and :mod:`enrichwatch.composition`, and are
re-exported here.

Examples
--------
>>> iso = Isotopics.from_percent({"U-235": 5.0, "U238": 95.0})
>>> iso
Isotopics(mass %: U235=5, U238=95)
>>> round(rate_to_kg_u_per_yr(10.0, "kg UF6/month", iso.composition()), 4)
81.1274
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..composition import (
    Assay,
    Composition,
    isotope_name,
    rate_from_kg_u_per_yr,
    rate_to_kg_u_per_yr,
)
from ..constants import RATE_UNITS, URANIUM_ISOTOPES
from ..errors import InputError, UnknownNameError
from ..physics.machines import Machine, RotorGeometry

__all__ = [
    "BASES",
    "DEFAULT_RATE_UNIT",
    "OUTPUTS",
    "RATE_UNITS",
    "CascadeSpec",
    "DesignSpec",
    "FeedSpec",
    "Isotopics",
    "MachineSpec",
    "PlantInfo",
    "StreamSpec",
    "WithdrawalSpec",
    "rate_from_kg_u_per_yr",
    "rate_to_kg_u_per_yr",
]

#: Rate unit of a file without a [units] table.
DEFAULT_RATE_UNIT = "kg U/month"

#: Bases of percents in a file.
BASES = ("mass", "atom")

#: The two outputs of a cascade.
OUTPUTS = ("product", "tails")

_GEOMETRY_KEYS = ("length_m", "diameter_m", "speed_m_s", "temperature_k", "flow_ratio")
_REQUIRED_GEOMETRY = ("length_m", "diameter_m", "speed_m_s")


@dataclass(frozen=True)
class PlantInfo:
    """The ``[facility]`` table: name, provenance and stated assumptions."""

    name: str
    country: str | None = None
    description: str | None = None
    illustrative: bool = False
    assumptions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Isotopics:
    """Isotope percents as written in a file, on a stated basis {'mass', 'atom'}.

    Isotope names are canonical (``U235``) and in the package's order; the percents are kept as
    written (not normalised). :meth:`composition` checks them and builds the
    :class:`~enrichwatch.composition.Composition`.
    """

    percent: tuple[tuple[str, float], ...]
    basis: str = "mass"

    @classmethod
    def from_percent(cls, values: Mapping[str, float], basis: str = "mass") -> Isotopics:
        """From isotope -> percent (names as U235, U-235 or 235U); raises on unknown names."""
        named = {isotope_name(k): float(v) for k, v in values.items()}
        if len(named) != len(values):
            raise UnknownNameError("isotope", sorted(values), "each isotope named once")
        return cls(tuple((i, named[i]) for i in URANIUM_ISOTOPES if i in named), basis)

    def as_dict(self) -> dict[str, float]:
        """Isotope -> percent, as written."""
        return dict(self.percent)

    @property
    def total(self) -> float:
        """Sum of the percents [%]."""
        return sum(v for _, v in self.percent)

    @property
    def u235_percent(self) -> float:
        """U-235 percent on this basis, as written [%] (0 when absent)."""
        return self.as_dict().get("U235", 0.0)

    def composition(self, param: str = "composition") -> Composition:
        """The :class:`~enrichwatch.composition.Composition`; raises AssayError unless the
        percents are >= 0 and sum to 100."""
        if self.basis == "atom":
            return Composition.from_atom_percent(self.as_dict(), param=param)
        if self.basis == "mass":
            return Composition.from_mass_percent(self.as_dict(), param=param)
        raise InputError(f"{param}.basis", self.basis, "'mass' or 'atom'")

    def assay(self, percent: float, param: str = "assay") -> Assay:
        """A U-235 assay given in percent on this basis (atom percent of a U-235/U-238 mix)."""
        if self.basis == "atom":
            return Assay.from_atom_percent(percent, param=param)
        return Assay.from_weight_percent(percent, param=param)

    def __repr__(self) -> str:
        body = ", ".join(f"{i}={v:g}" for i, v in self.percent)
        return f"Isotopics({self.basis} %: {body})"


@dataclass(frozen=True)
class MachineSpec:
    """An inline ``[machines.<name>]`` type: rating-defined (``stage_factor``) or
    geometry-defined (``length_m``, ``diameter_m``, ``speed_m_s``, optionally ``temperature_k``
    and ``flow_ratio``). Separative power in kg SWU/yr; ``None`` means "not written".
    """

    name: str
    source: str
    swu_per_yr: float | None = None
    swu_range_per_yr: tuple[float, float] | None = None
    design_cut: float | None = None
    stage_factor: float | None = None
    length_m: float | None = None
    diameter_m: float | None = None
    speed_m_s: float | None = None
    temperature_k: float | None = None
    flow_ratio: float | None = None

    @property
    def geometry_keys(self) -> tuple[str, ...]:
        """The geometry keys that were written."""
        return tuple(k for k in _GEOMETRY_KEYS if getattr(self, k) is not None)

    @property
    def kind(self) -> str | None:
        """'rating', 'geometry', or None when it is neither or both."""
        rating, geometry = self.stage_factor is not None, bool(self.geometry_keys)
        if rating == geometry:
            return None
        return "rating" if rating else "geometry"

    def missing_keys(self) -> tuple[str, ...]:
        """Keys this kind of machine needs and that were not written."""
        if self.kind == "rating":
            return () if self.swu_per_yr is not None else ("swu_per_yr",)
        if self.kind == "geometry":
            return tuple(k for k in _REQUIRED_GEOMETRY if getattr(self, k) is None)
        return ()

    def build(self) -> Machine:
        """The :class:`~enrichwatch.physics.machines.Machine`; raises InputError when the
        figures are not allowed (``param`` names the Machine argument)."""
        cut = 0.5 if self.design_cut is None else self.design_cut
        if self.kind == "rating":
            if self.swu_per_yr is None or self.stage_factor is None:
                raise InputError("swu_per_yr" if self.swu_per_yr is None else "stage_factor",
                                 None, "a rating and a stage factor for a rating-defined machine")
            return Machine.from_rating(self.name, self.swu_per_yr, self.stage_factor, cut=cut,
                                       swu_range_per_yr=self.swu_range_per_yr, source=self.source)
        given = {k: getattr(self, k) for k in self.geometry_keys}
        return Machine.from_geometry(self.name, RotorGeometry(**given), swu_per_yr=self.swu_per_yr,
                                     swu_range_per_yr=self.swu_range_per_yr, cut=cut,
                                     source=self.source)


@dataclass(frozen=True)
class DesignSpec:
    """A ``[cascades.design]`` table: targets from which the stages are designed.

    Assays are percents on the basis of ``feed``; give ``total_machines`` or ``feed_rate``
    (in the file's rate unit).
    """

    feed: Isotopics
    product_assay_pct: float
    tails_assay_pct: float
    total_machines: int | None = None
    feed_rate: float | None = None


@dataclass(frozen=True)
class CascadeSpec:
    """A ``[[cascades]]`` entry: a machine type and either a stage layout
    (``machines_per_stage``, tails end first, with ``feed_stage`` counted from 0 at the tails
    end and optional ``cuts``) or a ``design``."""

    name: str
    machine: str
    machines_per_stage: tuple[int, ...] | None = None
    feed_stage: int | None = None
    cuts: tuple[float, ...] | None = None
    design: DesignSpec | None = None


def _split_output(origin: str) -> tuple[str, str]:
    cascade, _, output = origin.rpartition(".")
    return cascade, output


@dataclass(frozen=True)
class StreamSpec:
    """A ``[[streams]]`` entry: a share of ``origin`` (``"<cascade>.product"`` or
    ``"<cascade>.tails"``) into cascade ``target`` (its feed stage, or ``stage``)."""

    origin: str
    target: str
    stage: int | None = None
    fraction: float = 1.0

    @property
    def cascade(self) -> str:
        return _split_output(self.origin)[0]

    @property
    def output(self) -> str:
        return _split_output(self.origin)[1]


@dataclass(frozen=True)
class FeedSpec:
    """A ``[[feeds]]`` entry: material fed from outside at ``rate`` (file rate unit)."""

    name: str
    target: str
    rate: float
    isotopics: Isotopics
    stage: int | None = None


@dataclass(frozen=True)
class WithdrawalSpec:
    """A ``[[withdrawals]]`` entry: names an output and optionally imposes its rate
    (file rate unit)."""

    origin: str
    name: str | None = None
    rate: float | None = None

    @property
    def cascade(self) -> str:
        return _split_output(self.origin)[0]

    @property
    def output(self) -> str:
        return _split_output(self.origin)[1]
