"""Assays and isotopic compositions: types that know their basis (mass or atom) and scale.

Internally an :class:`Assay` holds the U-235 **mass fraction** and a :class:`Composition` holds
**mass fractions** of each isotope; the atom basis and percent scale exist only in the named
constructors and the properties that read them back. No public function takes a bare float assay:
:func:`require_assay` and :func:`require_composition` refuse anything else with a ``TypeError``
naming the parameter. Amounts may be pint quantities (see :mod:`enrichwatch.units`); so may the
numbers given to the constructors (``Assay.from_weight_percent(3.67 * ureg.percent)``).

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> Assay.from_weight_percent(3.67)
Assay(3.67 wt% U-235)
>>> round(Assay.from_atom_percent(0.711).weight_percent, 5)
0.70208
>>> nat = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
>>> round(nat.assay.weight_percent, 4)
0.7021
>>> round(kg_uf6_to_kg_u(300.0, nat), 2)
202.85
>>> require_assay(0.9, "product")
Traceback (most recent call last):
...
enrichwatch.errors.InputTypeError: product: expected an Assay (e.g. \
Assay.from_weight_percent(90.0)), got float 0.9
>>> rate_from_kg_u_per_yr(120.0, "kg U/month")
10.0
>>> Assay.from_weight_percent(60.0).is_heu
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .constants import (
    DISPLAY_RATE_UNITS,
    FLUORINE_MASS,
    HEU_THRESHOLD_WT_PCT,
    ISOTOPE_MASS,
    RATE_UNITS,
    URANIUM_ISOTOPES,
)
from .errors import AssayError, InputError, InputTypeError, MassError, UnknownNameError
from .units import as_magnitude

__all__ = [
    "Assay",
    "Composition",
    "atom_to_mass_fractions",
    "check_rate_unit",
    "convert_rate",
    "display_rate",
    "is_heu_weight_percent",
    "isotope_name",
    "kg_u_to_kg_uf6",
    "kg_uf6_to_kg_u",
    "mass_to_atom_fractions",
    "rate_from_kg_u_per_yr",
    "rate_to_kg_u_per_yr",
]

_M235 = ISOTOPE_MASS["U235"]
_M238 = ISOTOPE_MASS["U238"]
_SUM_TOLERANCE = 1e-6
_ISOTOPE_PATTERN = re.compile(r"^\s*(?:U[\s\-_]?(\d{3})|(\d{3})\s*U|(\d{3}))\s*$", re.IGNORECASE)


def isotope_name(name: str) -> str:
    """Canonical name (``"U235"``) of a uranium isotope written as U235, U-235, 235U or 235.

    >>> isotope_name("u-234")
    'U234'
    """
    match = _ISOTOPE_PATTERN.match(str(name))
    canonical = f"U{next(g for g in match.groups() if g)}" if match else None
    if canonical is None or canonical not in ISOTOPE_MASS:
        raise UnknownNameError("isotope", name, f"one of {', '.join(URANIUM_ISOTOPES)}")
    return canonical


def _as_array(value, param: str, unit: str = "1") -> np.ndarray:
    arr = np.asarray(as_magnitude(value, param, unit), dtype=float)
    if not np.all(np.isfinite(arr)):
        raise AssayError(param, value, "finite numbers")
    return arr


def _atom_to_mass_binary(x_atom: np.ndarray) -> np.ndarray:
    return x_atom * _M235 / (x_atom * _M235 + (1.0 - x_atom) * _M238)


def _mass_to_atom_binary(x_mass: np.ndarray) -> np.ndarray:
    return (x_mass / _M235) / (x_mass / _M235 + (1.0 - x_mass) / _M238)


@dataclass(frozen=True, eq=False)
class Assay:
    """U-235 content of a U-235/U-238 mixture, scalar or array; immutable.

    Build it with a named constructor that states basis and scale; for a binary mixture the
    atom basis converts with the U-235 and U-238 masses. Values must lie strictly between 0
    and 1 (as fractions).
    """

    _mass_fraction: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        x = np.asarray(self._mass_fraction, dtype=float)
        x.setflags(write=False)
        object.__setattr__(self, "_mass_fraction", x)

    @classmethod
    def _checked(cls, value, param: str, scale: float, basis: str) -> np.ndarray:
        arr = _as_array(value, param, "%" if scale == 100.0 else "1") / scale
        if np.any((arr <= 0.0) | (arr >= 1.0)):
            bad = arr[(arr <= 0.0) | (arr >= 1.0)].ravel()[0] * scale
            unit = "percent" if scale == 100.0 else "fraction"
            raise AssayError(param, float(bad),
                             f"a U-235 {basis} {unit} strictly between 0 and {scale:g}")
        return arr

    @classmethod
    def from_mass_fraction(cls, value, param: str = "assay") -> Assay:
        """Assay from U-235 mass (weight) fraction(s) in (0, 1) [1] (pint quantities converted)."""
        return cls(cls._checked(value, param, 1.0, "mass"))

    @classmethod
    def from_weight_percent(cls, value, param: str = "assay") -> Assay:
        """Assay from U-235 weight percent(s) in (0, 100) [%] (pint quantities converted)."""
        return cls(cls._checked(value, param, 100.0, "mass"))

    @classmethod
    def from_atom_fraction(cls, value, param: str = "assay") -> Assay:
        """Assay from U-235 atom fraction(s) in (0, 1) of a U-235/U-238 mixture."""
        return cls(_atom_to_mass_binary(cls._checked(value, param, 1.0, "atom")))

    @classmethod
    def from_atom_percent(cls, value, param: str = "assay") -> Assay:
        """Assay from U-235 atom percent(s) in (0, 100) of a U-235/U-238 mixture."""
        return cls(_atom_to_mass_binary(cls._checked(value, param, 100.0, "atom")))

    @property
    def mass_fraction(self) -> np.ndarray | float:
        """U-235 mass fraction [1]."""
        return _scalar(self._mass_fraction)

    @property
    def weight_percent(self) -> np.ndarray | float:
        """U-235 weight percent [%]."""
        return _scalar(self._mass_fraction * 100.0)

    @property
    def atom_fraction(self) -> np.ndarray | float:
        """U-235 atom fraction [1], treating the mixture as U-235/U-238 only."""
        return _scalar(_mass_to_atom_binary(self._mass_fraction))

    @property
    def atom_percent(self) -> np.ndarray | float:
        """U-235 atom percent [%], treating the mixture as U-235/U-238 only."""
        return _scalar(_mass_to_atom_binary(self._mass_fraction) * 100.0)

    @property
    def is_heu(self) -> np.ndarray | bool:
        """Highly enriched uranium (:func:`is_heu_weight_percent`)?"""
        return is_heu_weight_percent(self._mass_fraction * 100.0)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._mass_fraction.shape

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assay):
            return NotImplemented
        return bool(np.array_equal(self._mass_fraction, other._mass_fraction))

    def __hash__(self) -> int:
        return hash(self._mass_fraction.tobytes())

    def __repr__(self) -> str:
        pct = self._mass_fraction * 100.0
        if pct.ndim == 0:
            return f"Assay({float(pct):.6g} wt% U-235)"
        return f"Assay({np.array2string(pct, precision=6, threshold=6)} wt% U-235)"


def _scalar(arr: np.ndarray):
    return float(arr) if np.ndim(arr) == 0 else arr


@dataclass(frozen=True, eq=False)
class Composition:
    """Isotopic composition of uranium (U-232 to U-238); immutable.

    Holds mass fractions internally, in the order of :data:`~enrichwatch.constants.URANIUM_ISOTOPES`
    restricted to the isotopes present in the input. Build it with a named constructor.
    """

    isotopes: tuple[str, ...]
    _mass: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        arr = np.asarray(self._mass, dtype=float)
        arr.setflags(write=False)
        object.__setattr__(self, "_mass", arr)

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def _build(cls, values: Mapping[str, float], scale: float, basis: str, param: str,
               normalize: bool) -> Composition:
        if not isinstance(values, Mapping) or not values:
            raise AssayError(param, values, "a non-empty mapping of isotope name to amount")
        named: dict[str, float] = {}
        for key, val in values.items():
            iso = isotope_name(key)
            amount = float(_as_array(val, f"{param}[{key}]", "%" if scale == 100.0 else "1"))
            if amount < 0.0:
                raise AssayError(f"{param}[{key}]", val, f"a {basis} amount >= 0")
            named[iso] = named.get(iso, 0.0) + amount / scale
        if "U238" not in named and "U235" not in named:
            raise AssayError(param, dict(values), "a composition containing U-235 or U-238")
        isotopes = tuple(i for i in URANIUM_ISOTOPES if i in named)
        x = np.array([named[i] for i in isotopes])
        total = x.sum()
        if total <= 0.0:
            raise AssayError(param, dict(values), "fractions with a positive sum")
        if not normalize and abs(total - 1.0) > _SUM_TOLERANCE:
            unit = "100 %" if scale == 100.0 else "1"
            raise AssayError(param, dict(values),
                             f"{basis} amounts summing to {unit} (they sum to {total * scale:.9g};"
                             " pass normalize=True to rescale)")
        x = x / total
        if basis == "atom":
            x = atom_to_mass_fractions(isotopes, x)
        return cls(isotopes, x)

    @classmethod
    def from_mass_fractions(cls, values: Mapping[str, float], *, normalize: bool = False,
                            param: str = "composition") -> Composition:
        """From isotope mass fractions summing to 1 (within 1e-6 unless ``normalize``)."""
        return cls._build(values, 1.0, "mass", param, normalize)

    @classmethod
    def from_mass_percent(cls, values: Mapping[str, float], *, normalize: bool = False,
                          param: str = "composition") -> Composition:
        """From isotope weight percents summing to 100."""
        return cls._build(values, 100.0, "mass", param, normalize)

    @classmethod
    def from_atom_fractions(cls, values: Mapping[str, float], *, normalize: bool = False,
                            param: str = "composition") -> Composition:
        """From isotope atom fractions summing to 1."""
        return cls._build(values, 1.0, "atom", param, normalize)

    @classmethod
    def from_atom_percent(cls, values: Mapping[str, float], *, normalize: bool = False,
                          param: str = "composition") -> Composition:
        """From isotope atom percents summing to 100."""
        return cls._build(values, 100.0, "atom", param, normalize)

    @classmethod
    def binary(cls, assay: Assay, param: str = "assay") -> Composition:
        """U-235/U-238 mixture of a scalar :class:`Assay`."""
        x = float(np.asarray(require_assay(assay, param).mass_fraction))
        return cls(("U235", "U238"), np.array([x, 1.0 - x]))

    @classmethod
    def from_arrays(cls, isotopes: Iterable[str], fractions, basis: str = "mass") -> Composition:
        """From parallel sequences of isotope names and fractions (``basis`` 'mass' or 'atom')."""
        isotopes = tuple(isotopes)
        values = dict(zip(isotopes, np.asarray(fractions, dtype=float).tolist(), strict=True))
        if basis not in ("mass", "atom"):
            raise AssayError("basis", basis, "'mass' or 'atom'")
        return cls._build(values, 1.0, basis, "composition", True)

    # -- readers ------------------------------------------------------------------------------
    @property
    def masses(self) -> np.ndarray:
        """Atomic masses of :attr:`isotopes` [g/mol]."""
        return np.array([ISOTOPE_MASS[i] for i in self.isotopes])

    @property
    def mass_fractions(self) -> np.ndarray:
        """Mass fractions aligned with :attr:`isotopes` [1]."""
        return self._mass

    @property
    def atom_fractions(self) -> np.ndarray:
        """Atom fractions aligned with :attr:`isotopes` [1]."""
        return mass_to_atom_fractions(self.isotopes, self._mass)

    def fraction(self, isotope: str, basis: str = "mass") -> float:
        """Fraction of one isotope on ``basis`` {'mass', 'atom'}; 0 when absent."""
        iso = isotope_name(isotope)
        if basis not in ("mass", "atom"):
            raise AssayError("basis", basis, "'mass' or 'atom'")
        if iso not in self.isotopes:
            return 0.0
        arr = self._mass if basis == "mass" else self.atom_fractions
        return float(arr[self.isotopes.index(iso)])

    def as_dict(self, basis: str = "mass", percent: bool = False) -> dict[str, float]:
        """Isotope → fraction (or percent) on ``basis`` {'mass', 'atom'}."""
        if basis not in ("mass", "atom"):
            raise AssayError("basis", basis, "'mass' or 'atom'")
        arr = self._mass if basis == "mass" else self.atom_fractions
        scale = 100.0 if percent else 1.0
        return {iso: float(v * scale) for iso, v in zip(self.isotopes, arr, strict=True)}

    @property
    def assay(self) -> Assay:
        """U-235 content as an :class:`Assay` (mass basis, as held)."""
        x = self.fraction("U235")
        return Assay(np.asarray(x))

    @property
    def molar_mass(self) -> float:
        """Mean atomic mass of the uranium [g/mol]."""
        return float(1.0 / np.sum(self._mass / self.masses))

    @property
    def uf6_per_u(self) -> float:
        """kg UF6 per kg U for these isotopics [1]."""
        m_u = self.molar_mass
        return (m_u + 6.0 * FLUORINE_MASS) / m_u

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Composition):
            return NotImplemented
        return self.isotopes == other.isotopes and bool(np.array_equal(self._mass, other._mass))

    def __hash__(self) -> int:
        return hash((self.isotopes, self._mass.tobytes()))

    def __repr__(self) -> str:
        pairs = zip(self.isotopes, self._mass, strict=True)
        body = ", ".join(f"{i}={v * 100:.6g}" for i, v in pairs)
        return f"Composition(wt%: {body})"


def atom_to_mass_fractions(isotopes: Iterable[str], atom) -> np.ndarray:
    """Convert atom fractions (last axis aligned with ``isotopes``) to mass fractions."""
    masses = np.array([ISOTOPE_MASS[i] for i in isotopes])
    w = np.asarray(atom, dtype=float) * masses
    return w / w.sum(axis=-1, keepdims=True)


def mass_to_atom_fractions(isotopes: Iterable[str], mass) -> np.ndarray:
    """Convert mass fractions (last axis aligned with ``isotopes``) to atom fractions."""
    masses = np.array([ISOTOPE_MASS[i] for i in isotopes])
    n = np.asarray(mass, dtype=float) / masses
    return n / n.sum(axis=-1, keepdims=True)


_ASSAY_HINT = "an Assay (e.g. Assay.from_weight_percent(90.0))"
_COMPOSITION_HINT = ("a Composition (e.g. Composition.from_atom_percent({'U235': 0.711, "
                     "'U238': 99.289}))")


def require_assay(value, param: str) -> Assay:
    """``value`` if it is an :class:`Assay`; else an :class:`~enrichwatch.errors.InputTypeError`.

    A bare number (or a dimensionless pint quantity) does not say its basis (weight or atom) or
    scale (fraction or percent), so it is refused rather than guessed at.

    Parameters
    ----------
    value : object
        What the caller gave.
    param : str
        Name of the parameter, for the message.

    Returns
    -------
    Assay

    Raises
    ------
    InputTypeError
        A ``TypeError`` naming the parameter, the value and the constructor to use.

    Examples
    --------
    >>> require_assay(Assay.from_weight_percent(90.0), "product")
    Assay(90 wt% U-235)
    """
    if isinstance(value, Assay):
        return value
    if isinstance(value, Composition):
        raise InputTypeError(param, value, f"{_ASSAY_HINT}; for a Composition pass its .assay")
    raise InputTypeError(param, value, _ASSAY_HINT)


def require_composition(value, param: str) -> Composition:
    """``value`` if it is a :class:`Composition`; else an
    :class:`~enrichwatch.errors.InputTypeError` naming ``param``.

    >>> require_composition(Assay.from_weight_percent(3.0), "feed")
    Traceback (most recent call last):
    ...
    enrichwatch.errors.InputTypeError: feed: expected a Composition (e.g. \
Composition.from_atom_percent({'U235': 0.711, 'U238': 99.289})); for an Assay use \
Composition.binary(assay), got Assay Assay(3 wt% U-235)
    """
    if isinstance(value, Composition):
        return value
    if isinstance(value, Assay):
        raise InputTypeError(param, value,
                             f"{_COMPOSITION_HINT}; for an Assay use Composition.binary(assay)")
    raise InputTypeError(param, value, _COMPOSITION_HINT)


def _check_mass(value, param: str) -> np.ndarray:
    arr = np.asarray(as_magnitude(value, param, "kg"), dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0.0):
        raise MassError(param, value, "a finite mass >= 0")
    return arr


def kg_u_to_kg_uf6(kg_u, composition: Composition):
    """Mass of UF6 [kg] holding ``kg_u`` kg of uranium of the given isotopics.

    Parameters
    ----------
    kg_u : array_like or pint Quantity
        Mass of uranium [kg U], >= 0; a quantity is converted to kg.
    composition : Composition
        Isotopics of the uranium.

    Returns
    -------
    float or ndarray
        Mass of UF6 [kg UF6].

    Raises
    ------
    MassError
        Negative or non-finite mass.
    InputTypeError
        ``composition`` not a :class:`Composition`; :class:`~enrichwatch.errors.UnitError`
        (a subclass) for a quantity that is not a mass.

    Examples
    --------
    >>> nat = Composition.from_atom_percent({"U235": 0.711, "U238": 99.289})
    >>> round(kg_u_to_kg_uf6(1.0, nat), 4)
    1.4789
    """
    factor = require_composition(composition, "composition").uf6_per_u
    return _scalar(_check_mass(kg_u, "kg_u") * factor)


def kg_uf6_to_kg_u(kg_uf6, composition: Composition):
    """Mass of uranium [kg U] in ``kg_uf6`` kg of UF6 of the given isotopics.

    Parameters
    ----------
    kg_uf6 : array_like or pint Quantity
        Mass of UF6 [kg UF6], >= 0; a quantity is converted to kg.
    composition : Composition
        Isotopics of the uranium.

    Returns
    -------
    float or ndarray
        Mass of uranium [kg U].
    """
    factor = require_composition(composition, "composition").uf6_per_u
    return _scalar(_check_mass(kg_uf6, "kg_uf6") / factor)


def is_heu_weight_percent(value) -> np.ndarray | bool:
    """Whether uranium of U-235 weight percent(s) ``value`` is highly enriched: at least
    :data:`~enrichwatch.constants.HEU_THRESHOLD_WT_PCT` (20 wt%). The package's test of "HEU"
    for arrays, used by results, reports and plots (the evaluation compares its one float with
    the constant itself, so that a repeated evaluation loads no numpy).

    >>> is_heu_weight_percent(20.0), is_heu_weight_percent(19.75)
    (True, False)
    """
    flags = np.asarray(value, dtype=float) >= HEU_THRESHOLD_WT_PCT
    return bool(flags) if flags.ndim == 0 else flags


def _rate_unit(unit: str) -> tuple[str, float]:
    if unit not in RATE_UNITS:
        raise InputError("rate_unit", unit, "one of " + ", ".join(map(repr, RATE_UNITS)))
    return RATE_UNITS[unit]


def _needs(composition: Composition | None, unit: str) -> Composition:
    if composition is None:
        raise InputError("composition", None, f"the isotopics of the stream to convert {unit}")
    return composition


def rate_to_kg_u_per_yr(rate: float, unit: str, composition: Composition | None = None) -> float:
    """A rate in one of the :data:`~enrichwatch.constants.RATE_UNITS` as kg U/yr.

    kg UF6 rates convert with the isotopics ``composition`` of the stream they apply to (required
    for them, unused for kg U rates).

    >>> nat = Composition.from_mass_percent({"U235": 0.711, "U238": 99.289})
    >>> rate_to_kg_u_per_yr(10.0, "kg U/month", nat)
    120.0
    """
    material, per_year = _rate_unit(unit)
    kg_u = rate if material == "U" else kg_uf6_to_kg_u(rate, _needs(composition, unit))
    return float(kg_u) * per_year


def rate_from_kg_u_per_yr(kg_u_per_yr: float, unit: str,
                          composition: Composition | None = None) -> float:
    """Inverse of :func:`rate_to_kg_u_per_yr`: kg U/yr expressed in ``unit``.

    >>> nat = Composition.from_mass_percent({"U235": 0.711, "U238": 99.289})
    >>> rate_from_kg_u_per_yr(120.0, "kg U/month", nat)
    10.0
    """
    material, per_year = _rate_unit(unit)
    rate = kg_u_per_yr / per_year
    return float(rate if material == "U" else kg_u_to_kg_uf6(rate, _needs(composition, unit)))


def check_rate_unit(unit: str) -> str:
    """``unit`` if results, reports and plots can show rates in it (one of the kg U units,
    :data:`~enrichwatch.constants.DISPLAY_RATE_UNITS`, which need no isotopics); an InputError
    naming ``rate_unit`` if not.

    >>> check_rate_unit("kg U/yr")
    'kg U/yr'
    """
    if unit not in DISPLAY_RATE_UNITS:
        raise InputError("rate_unit", unit, f"one of {sorted(DISPLAY_RATE_UNITS)}")
    return unit


def display_rate(kg_u_per_yr: float, unit: str = "kg U/month") -> float:
    """A rate [kg U/yr] in one of the kg U units results, reports and plots show
    (:func:`check_rate_unit`).

    >>> display_rate(120.0), display_rate(120.0, "kg U/yr")
    (10.0, 120.0)
    """
    return rate_from_kg_u_per_yr(kg_u_per_yr, check_rate_unit(unit))


def convert_rate(rate: float, from_unit: str, to_unit: str,
                 composition: Composition | None = None) -> float:
    """A rate in ``from_unit`` expressed in ``to_unit`` (both
    :data:`~enrichwatch.constants.RATE_UNITS`; kg UF6 units need the stream's ``composition``).
    The same unit gives the rate back unchanged.

    >>> convert_rate(10.0, "kg U/month", "kg U/yr")
    120.0
    """
    if from_unit == to_unit:
        _rate_unit(from_unit)
        return float(rate)
    return rate_from_kg_u_per_yr(rate_to_kg_u_per_yr(rate, from_unit, composition), to_unit,
                                 composition)
