"""Centrifuge machines: the :class:`Machine` type the cascade solver uses, and the sourced catalog.

A machine is defined by its rotor (the shape of Glaser (2008) eq. 10, scaled to its rating) or
by its rating and stage factor (a one-term curve peaking at the design feed); the formulas
themselves (the stage relations, eq. 10, the Dirac bound) are in
:mod:`~enrichwatch.physics.centrifuge`, and are importable from here as well. Rates are per
machine, on the kg U basis: feed in kg U/yr, separative power in kg SWU/yr. Every figure may be
given as a pint quantity (converted at the edge, see :mod:`~enrichwatch.physics.centrifuge`).

The catalog (:func:`load_catalog`, :class:`MachineCatalog`) reads a TOML file of machines, each
figure with its public source; the bundled one is read on first use.

Examples
--------
>>> from enrichwatch.physics.machines import Machine, load_catalog
>>> ir6 = load_catalog().get("ir6")
>>> round(float(ir6.separative_power(ir6.design_feed_kg_per_yr, 0.5)), 6)
5.0
>>> m = Machine.from_rating("demo", swu_per_yr=4.0, gamma=1.4)
>>> round(m.design_feed_kg_per_yr, 1), round(m.design_gamma, 6)
(282.7, 1.4)
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..constants import SECONDS_PER_YEAR
from ..errors import (
    ConvergenceError,
    InputError,
    MassError,
    UnitError,
    UnknownNameError,
    warn,
)
from ..files import ProblemsError, parse_toml, read_package_text, read_text_file
from ..units import as_magnitude, is_quantity
from .centrifuge import (
    RotorGeometry,
    _basis_factor,
    _cut_array,
    _cut_value,
    _design_feed_kg_s,
    _feed_array,
    _out,
    _positive,
    _raetz,
    _reference_feed_kg_s,
    dirac_separative_power,
    feed_from_gamma,
    gamma_from_separative_power,
    heads_factor,
    inner_radius_ratio,
    raetz_separative_power,
    separative_power_from_gamma,
)

# the formulas of physics.centrifuge stay importable from here, where they were first
__all__ = [
    "U_STAR",
    "CatalogError",
    "Machine",
    "MachineCatalog",
    "RotorGeometry",
    "dirac_separative_power",
    "feed_from_gamma",
    "gamma_from_separative_power",
    "heads_factor",
    "inner_radius_ratio",
    "load_catalog",
    "raetz_separative_power",
    "separative_power_from_gamma",
]

#: Maximiser u* of (1 - exp(-u))^2 / u, the root of exp(u) - 1 = 2u [1]. A rating-defined machine
#: places its design feed at the maximum of its one-term curve: q0 = u* q_d.
U_STAR: float = 1.2564312086261695

_GAMMA_FEED_FLOOR = 1e-9  # gamma at zero feed is evaluated at this fraction of the design feed


# -- the machine type -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Machine:
    """One centrifuge type as the fixed-cascade solver sees it; immutable, validated.

    Build it with :meth:`from_geometry` or :meth:`from_rating`. Rates are per machine: feed in
    kg U/yr, separative power in kg SWU/yr (kg U basis).

    *Geometry-defined* (``geometry`` set): dU(q, theta) has the shape of Glaser eq. 10. Off design
    the machine keeps its internal circulation L = k_design q_design, so k = L/q changes with the
    feed (assumption: the scoops and thermal drive set L, not the feed valve). The curve is scaled
    by nominal/model so that dU(q_d, theta_d) equals the rating (the catalog's measured or
    assessed value; scale 1 when no rating is given).

    *Rating-defined* (``geometry`` None): measured dU_d and gamma_d at cut theta_d give
    q_d = 2 dU_d / (theta_d (1 - theta_d) (ln gamma_d)^2). Modelling assumption, a one-term
    Raetz-shaped curve
    dU(q, theta) = K q (1 - exp(-q0/q))^2 theta (1 - theta) / (theta_d (1 - theta_d))
    with q0 = u* q_d (the curve's maximum sits at the design feed) and K fixed by dU_d. Limits:
    dU ~ q at low flow (gamma saturates at the total-reflux value gamma_d^(1/(1 - e^-u*))),
    dU ~ 1/q at high flow. The theta (1 - theta) factor keeps gamma independent of the cut, the
    usual constant-gamma assumption for centrifuge stages.

    :meth:`with_separative_power` multiplies the whole dU(q, theta) surface by a constant: the
    design feed stays, ln gamma scales with the square root of the factor. :meth:`varied` moves
    the two stated inputs of a rating-defined machine independently (rating at the stated stage
    factor, stage factor at the stated rating), as the uncertainty ranges are stated.

    ``gamma_range`` (rating-defined machines only) is the uncertainty range of the design stage
    factor, ``(low, high)`` around :attr:`design_gamma`; None when the stage factor is not
    stated as uncertain (:attr:`stage_factor_range` then gives the design value twice).
    """

    name: str
    nominal_swu_per_yr: float
    swu_range_per_yr: tuple[float, float]
    design_feed_kg_per_yr: float
    design_cut: float = 0.5
    geometry: RotorGeometry | None = None
    source: str = ""
    notes: str = field(default="", repr=False)
    gamma_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("name", self.name, "a non-empty machine name")
        nominal = _positive("nominal_swu_per_yr", self.nominal_swu_per_yr)
        object.__setattr__(self, "nominal_swu_per_yr", nominal)
        object.__setattr__(self, "swu_range_per_yr", self._checked_range(nominal))
        feed = _positive("design_feed_kg_per_yr", self.design_feed_kg_per_yr, MassError)
        object.__setattr__(self, "design_feed_kg_per_yr", feed)
        object.__setattr__(self, "design_cut", _cut_value("design_cut", self.design_cut))
        if self.geometry is not None and not isinstance(self.geometry, RotorGeometry):
            raise InputError("geometry", self.geometry, "a RotorGeometry or None")
        if not isinstance(self.source, str) or not isinstance(self.notes, str):
            raise InputError("source", self.source, "source and notes as strings")
        if self.gamma_range is not None:
            object.__setattr__(self, "gamma_range", self._checked_gamma_range())

    def _checked_gamma_range(self) -> tuple[float, float]:
        rng, gamma = self.gamma_range, self.design_gamma
        allowed = (f"(low, high) stage factors with 1 < low <= design {gamma:.6g} <= high, for a "
                   "rating-defined machine")
        if self.geometry is not None or rng is None:
            raise InputError("gamma_range", rng, allowed)
        try:
            low, high = (float(x) for x in rng)
        except (TypeError, ValueError):
            raise InputError("gamma_range", rng, allowed) from None
        tol = 1e-9 * gamma
        if not (math.isfinite(low) and math.isfinite(high) and 1.0 < low <= gamma + tol
                and gamma - tol <= high):
            raise InputError("gamma_range", rng, allowed)
        return (low, high)

    def _checked_range(self, nominal: float) -> tuple[float, float]:
        rng = self.swu_range_per_yr
        allowed = f"(low, high) in kg SWU/yr with 0 < low <= nominal {nominal:g} <= high"
        if is_quantity(rng):      # one quantity holding both ends: (3, 5) * ureg("kg/yr")
            rng = as_magnitude(rng, "swu_range_per_yr", "kg/yr")
        try:
            ends = [as_magnitude(x, "swu_range_per_yr", "kg/yr") for x in rng]
            low, high = (float(x) for x in ends)
        except (TypeError, ValueError) as err:
            if isinstance(err, UnitError):
                raise
            raise InputError("swu_range_per_yr", rng, allowed) from None
        if not (math.isfinite(low) and math.isfinite(high) and 0.0 < low <= nominal <= high):
            raise InputError("swu_range_per_yr", rng, allowed)
        return (low, high)

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def from_geometry(cls, name: str, geometry: RotorGeometry, *, swu_per_yr: float | None = None,
                      swu_range_per_yr: tuple[float, float] | None = None, cut: float = 0.5,
                      design_feed_kg_per_yr: float | None = None, source: str = "",
                      notes: str = "") -> Machine:
        """Machine from rotor geometry; design feed maximises eq. 10 at ``cut`` unless given.

        ``swu_per_yr`` [kg SWU/yr] rescales the eq. 10 curve to a rating; default: eq. 10's value.

        >>> p2 = Machine.from_geometry("P-2", RotorGeometry(1.0, 0.15, 485.0))
        >>> round(p2.nominal_swu_per_yr, 2), round(p2.design_feed_kg_per_yr)
        (6.41, 320)
        """
        if not isinstance(geometry, RotorGeometry):
            raise InputError("geometry", geometry, "a RotorGeometry")
        cut = _cut_value("cut", cut)
        if design_feed_kg_per_yr is None:
            design_feed_kg_per_yr = _design_feed_kg_s(geometry, cut) * SECONDS_PER_YEAR
        feed = _positive("design_feed_kg_per_yr", design_feed_kg_per_yr, MassError)
        model = float(_raetz(geometry, feed / SECONDS_PER_YEAR, cut, geometry.flow_ratio,
                             geometry.rho_d * _basis_factor("U"))) * SECONDS_PER_YEAR
        nominal = model if swu_per_yr is None else swu_per_yr
        rng = (nominal, nominal) if swu_range_per_yr is None else swu_range_per_yr
        return cls(name, nominal, rng, feed, cut, geometry, source, notes)

    @classmethod
    def from_rating(cls, name: str, swu_per_yr: float, gamma: float, *, cut: float = 0.5,
                    swu_range_per_yr: tuple[float, float] | None = None, source: str = "",
                    notes: str = "", gamma_range: tuple[float, float] | None = None
                    ) -> Machine:
        """Machine from a rating dU_d [kg SWU/yr] and stage factor gamma_d [1] at ``cut``;
        ``gamma_range`` the uncertainty range of gamma_d, if stated.

        >>> round(Machine.from_rating("x", 1.0, 1.326896).design_feed_kg_per_yr, 3)
        100.0
        """
        swu = _positive("swu_per_yr", swu_per_yr)
        g = _positive("gamma", gamma)
        if g <= 1.0:
            raise InputError("gamma", gamma, "an overall stage separation factor > 1")
        cut = _cut_value("cut", cut)
        rng = (swu, swu) if swu_range_per_yr is None else swu_range_per_yr
        return cls(name, swu, rng, feed_from_gamma(swu, g, cut), cut, None, source, notes,
                   gamma_range)

    def with_separative_power(self, swu_per_yr: float) -> Machine:
        """The same machine rescaled to rating ``swu_per_yr`` [kg SWU/yr] (uncertainty sampling).

        The dU(q, theta) surface is multiplied by swu/nominal; design feed and cut stay (so the
        design stage factor, and its range if stated, move: ln gamma scales with the square root
        of the factor). A rating outside the range widens the range and warns (doubtful, not
        impossible).

        >>> m = Machine.from_rating("x", 4.0, 1.4, swu_range_per_yr=(3.0, 5.0))
        >>> m2 = m.with_separative_power(3.0)
        >>> round(m2.design_feed_kg_per_yr, 1) == round(m.design_feed_kg_per_yr, 1)
        True
        """
        swu = _positive("swu_per_yr", swu_per_yr)
        low, high = self.swu_range_per_yr
        if not low <= swu <= high:
            warn(f"machine {self.name!r}: rating {swu:g} kg SWU/yr lies outside its range "
                 f"[{low:g}, {high:g}]; the range is widened")
        rng = (min(low, swu), max(high, swu))
        g_rng = self.gamma_range
        if g_rng is not None:        # ln gamma scales with the square root of the factor
            root = math.sqrt(swu / self.nominal_swu_per_yr)
            g_rng = (math.exp(math.log(g_rng[0]) * root), math.exp(math.log(g_rng[1]) * root))
        return dataclasses.replace(self, nominal_swu_per_yr=swu, swu_range_per_yr=rng,
                                   gamma_range=g_rng)

    def varied(self, *, swu_per_yr: float | None = None, gamma: float | None = None) -> Machine:
        """The machine with its rating and/or design stage factor moved (uncertainty ranges).

        Rating-defined: rebuilt by :meth:`from_rating` from the new rating at the stated stage
        factor, or the new stage factor at the stated rating, so that each input moves alone
        (the design feed per machine follows, q_d = 2 dU_d / (theta (1 - theta) (ln gamma)^2)).
        Geometry-defined: only the rating can move (:meth:`with_separative_power`); the stage
        factor follows from the geometry. Ranges and sources are kept.

        >>> m = Machine.from_rating("x", 5.0, 1.4, swu_range_per_yr=(4.0, 6.0),
        ...                         gamma_range=(1.3, 1.5))
        >>> v = m.varied(swu_per_yr=4.0, gamma=1.5)
        >>> round(v.nominal_swu_per_yr, 6), round(v.design_gamma, 6), v.gamma_range
        (4.0, 1.5, (1.3, 1.5))
        """
        if self.geometry is not None:
            if gamma is not None:
                raise InputError("gamma", gamma, "no stage factor for a geometry-defined machine "
                                 "(it follows from the rotor)")
            return self if swu_per_yr is None else self.with_separative_power(swu_per_yr)
        swu = self.nominal_swu_per_yr if swu_per_yr is None else _positive("swu_per_yr",
                                                                            swu_per_yr)
        g = self.design_gamma if gamma is None else _positive("gamma", gamma)
        low, high = self.swu_range_per_yr
        rng = (min(low, swu), max(high, swu))
        g_rng = None
        if self.gamma_range is not None:
            g_rng = (min(self.gamma_range[0], g), max(self.gamma_range[1], g))
        return Machine.from_rating(self.name, swu, g, cut=self.design_cut, swu_range_per_yr=rng,
                                   source=self.source, notes=self.notes, gamma_range=g_rng)

    # -- properties ---------------------------------------------------------------------------
    @property
    def stage_factor_range(self) -> tuple[float, float]:
        """Uncertainty range of the design stage factor [1]: ``gamma_range``, else the design
        value twice (not stated as uncertain)."""
        if self.gamma_range is not None:
            return self.gamma_range
        return (self.design_gamma, self.design_gamma)

    @property
    def kind(self) -> str:
        """'geometry' or 'rating': how dU(q, theta) is defined."""
        return "rating" if self.geometry is None else "geometry"

    @functools.cached_property
    def model_swu_per_yr(self) -> float | None:
        """Unscaled eq. 10 separative power at design [kg SWU/yr]; None if rating-defined."""
        if self.geometry is None:
            return None
        g = self.geometry
        f = self.design_feed_kg_per_yr / SECONDS_PER_YEAR
        du = _raetz(g, f, self.design_cut, g.flow_ratio, g.rho_d * _basis_factor("U"))
        return float(du) * SECONDS_PER_YEAR

    @property
    def design_gamma(self) -> float:
        """Overall U-235/U-238 stage factor at the design point [1]."""
        return gamma_from_separative_power(self.nominal_swu_per_yr, self.design_feed_kg_per_yr,
                                           self.design_cut)

    # -- the solver's interface ---------------------------------------------------------------
    def separative_power(self, feed_kg_per_yr, cut):
        """Separative power per machine [kg SWU/yr] at feed q [kg U/yr] and cut theta; vectorised.

        Works off design; q = 0 gives 0. Arrays broadcast together.

        >>> m = Machine.from_rating("x", 4.0, 1.4)
        >>> q = m.design_feed_kg_per_yr
        >>> [round(float(v), 3) for v in m.separative_power([0.5 * q, q, 2 * q], 0.5)]
        [3.301, 4.0, 3.402]
        """
        q = _feed_array(feed_kg_per_yr, "feed_kg_per_yr")
        th = _cut_array(cut)
        du = self._raetz_curve(q, th) if self.geometry is not None else self._rating_curve(q, th)
        return _out(du)

    def gamma_235(self, feed_kg_per_yr, cut):
        """Overall U-235/U-238 stage factor gamma [1] at feed q [kg U/yr] and cut; vectorised.

        Falls as the feed per machine rises; at q -> 0 it tends to the total-reflux value.

        >>> m = Machine.from_rating("x", 4.0, 1.4)
        >>> round(float(m.gamma_235(m.design_feed_kg_per_yr, 0.5)), 6)
        1.4
        """
        return _out(self._gamma_235(_feed_array(feed_kg_per_yr, "feed_kg_per_yr"),
                                    _cut_array(cut)))

    def _gamma_235(self, q: np.ndarray, th: np.ndarray) -> np.ndarray:
        """:meth:`gamma_235` of arrays already checked (feeds >= 0, cuts in (0, 1)): the stage
        solver evaluates the stages of all its cascades of this machine at once with it."""
        q = np.maximum(q, _GAMMA_FEED_FLOOR * self.design_feed_kg_per_yr)
        du = self._raetz_curve(q, th) if self.geometry is not None else self._rating_curve(q, th)
        return np.exp(np.sqrt(2.0 * du / (q * th * (1.0 - th))))

    def _rating_curve(self, q: np.ndarray, th: np.ndarray) -> np.ndarray:
        q_d, th_d = self.design_feed_kg_per_yr, self.design_cut
        k_coef = self.nominal_swu_per_yr / (q_d * math.expm1(-U_STAR) ** 2)
        with np.errstate(divide="ignore"):
            u = U_STAR * q_d / q
        return k_coef * q * np.expm1(-u) ** 2 * th * (1.0 - th) / (th_d * (1.0 - th_d))

    def _raetz_curve(self, q: np.ndarray, th: np.ndarray) -> np.ndarray:
        g = self.geometry
        model = self.model_swu_per_yr
        if g is None or g.flow_ratio is None or g.rho_d is None or not model:  # pragma: no cover
            raise InputError("geometry", g, "a rotor geometry with its flow ratio")
        positive = q > 0.0
        safe_q = np.where(positive, q, 1.0)
        k = g.flow_ratio * self.design_feed_kg_per_yr / safe_q
        du = _raetz(g, safe_q / SECONDS_PER_YEAR, th, k, g.rho_d * _basis_factor("U"))
        scale = self.nominal_swu_per_yr / model
        return np.where(positive, du * SECONDS_PER_YEAR * scale, 0.0)

    def __repr__(self) -> str:
        low, high = self.swu_range_per_yr
        return (f"Machine({self.name!r}, {self.nominal_swu_per_yr:.4g} kg SWU/yr "
                f"[{low:.4g}-{high:.4g}], design feed {self.design_feed_kg_per_yr:.4g} kg U/yr "
                f"at cut {self.design_cut:.3g}, gamma {self.design_gamma:.4f}, "
                f"{self.kind}-defined)")


# -- the catalog ----------------------------------------------------------------------------------
class CatalogError(InputError):
    """A machine catalog file is malformed; ``param`` names the file, the entry and the key."""


def _key(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", str(name)).lower()


@dataclass(frozen=True, eq=False)
class _DeferredMachine:
    """A catalog machine given by its rotor with its design feed left to eq. 10.

    Every figure of the entry is checked when the catalog is read; only the optimisation of the
    design feed (under a millisecond each, but the first one loads :mod:`scipy.optimize`, a few
    tenths of a second) waits until the machine is first used, so a run pays only for the
    machines it uses. The machine built is kept: later uses get the same object. An error found
    only by the optimisation raises :class:`CatalogError` naming the file, the entry and the
    machine.
    """

    name: str
    where: str
    geometry: RotorGeometry
    options: tuple[tuple[str, Any], ...]        # keyword arguments of Machine.from_geometry
    _built: dict = field(default_factory=dict, repr=False, compare=False)

    def machine(self) -> Machine:
        """The machine, built on the first call (the same object on every later call)."""
        built = self._built.get("machine")
        if built is None:                       # setdefault: one object even if two threads race
            built = self._built.setdefault("machine", self._build())
        return built

    def _build(self) -> Machine:
        try:
            return Machine.from_geometry(self.name, self.geometry, **dict(self.options))
        except InputError as err:
            raise CatalogError(f"{self.where}: {err.param}", err.value, err.allowed) from None
        except ConvergenceError as err:
            raise CatalogError(f"{self.where}.geometry", "<rotor figures>",
                               f"rotor figures whose eq. 10 curve has its maximum inside the "
                               f"design-feed search ({err}), or a stated "
                               "design_feed_kg_per_yr") from None


def _resolved(entry: Machine | _DeferredMachine) -> Machine:
    return entry.machine() if isinstance(entry, _DeferredMachine) else entry


@dataclass(frozen=True, init=False, eq=False)
class MachineCatalog:
    """An immutable set of :class:`Machine` entries, looked up case- and hyphen-insensitively.

    A catalog read by :func:`load_catalog` builds each geometry-defined machine whose design
    feed eq. 10 gives when it is first used (:meth:`get`, iteration or :attr:`machines`); the
    figures are the same as if built at once.

    >>> cat = load_catalog()
    >>> cat.get("ir-2M").name
    'IR-2m'
    >>> "P-1" in cat.names
    True
    """

    _entries: tuple[Machine | _DeferredMachine, ...]
    path: str

    def __init__(self, machines: tuple[Machine | _DeferredMachine, ...],
                 path: str = "<memory>") -> None:
        object.__setattr__(self, "_entries", tuple(machines))
        object.__setattr__(self, "path", path)
        seen: dict[str, str] = {}
        for m in self._entries:
            if not isinstance(m, (Machine, _DeferredMachine)):
                raise CatalogError(self.path, m, "Machine entries")
            if _key(m.name) in seen:
                raise CatalogError(f"{self.path}: machine {m.name!r}", m.name,
                                   f"a name not already used (clashes with {seen[_key(m.name)]!r})")
            seen[_key(m.name)] = m.name

    @property
    def machines(self) -> tuple[Machine, ...]:
        """Every machine in file order (builds those not yet used)."""
        return tuple(_resolved(m) for m in self._entries)

    @property
    def names(self) -> tuple[str, ...]:
        """Machine names in file order."""
        return tuple(m.name for m in self._entries)

    def get(self, name: str) -> Machine:
        """The machine called ``name`` (case, spaces, hyphens and underscores ignored)."""
        for m in self._entries:
            if _key(m.name) == _key(name):
                return _resolved(m)
        raise UnknownNameError("machine", name, f"one of {', '.join(self.names)}")

    def __iter__(self) -> Iterator[Machine]:
        return (_resolved(m) for m in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(_key(m.name) == _key(name) for m in self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MachineCatalog):
            return NotImplemented
        return (self.path, self.names) == (other.path, other.names) and (
            self.machines == other.machines)

    def __hash__(self) -> int:
        return hash((self.path, self.machines))

    def __repr__(self) -> str:
        return f"MachineCatalog({len(self)} machines from {self.path}: {', '.join(self.names)})"


_TOP_KEYS = {"catalog", "machine"}
_ENTRY_KEYS = {"name", "design_cut", "notes", "rating", "geometry", "separation"}
_RATING_KEYS = {"nominal_swu_per_yr", "low_swu_per_yr", "high_swu_per_yr", "source"}
_SEPARATION_KEYS = {"gamma", "low_gamma", "high_gamma", "source"}
_GEOMETRY_KEYS = {"length_m", "diameter_m", "speed_m_s", "temperature_k", "flow_ratio",
                  "r1_over_r2", "design_feed_kg_per_yr", "source"}
_GEOMETRY_ARGS = ("length_m", "diameter_m", "speed_m_s", "temperature_k", "flow_ratio",
                  "r1_over_r2")


def load_catalog(path: str | Path | None = None) -> MachineCatalog:
    """Load a machine catalog (TOML); ``None`` loads the bundled ``enrichwatch/data/machines.toml``.

    The bundled file is read on first use, never at import. Errors raise :class:`CatalogError`
    naming the file, the entry and the key. Every entry is checked here; the design feed of a
    machine given by its rotor (eq. 10's optimum) is found when the machine is first used, and
    an entry for which it cannot be found raises :class:`CatalogError` then.

    >>> len(load_catalog()) >= 7
    True
    """
    if path is None:
        return _default_catalog()
    p = Path(path)
    try:
        text = read_text_file(p)
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or str(err)
        raise CatalogError("path", str(p), f"a readable TOML file ({why})") from None
    return _parse_catalog(text, str(p))


@functools.lru_cache(maxsize=1)
def _default_catalog() -> MachineCatalog:
    return _parse_catalog(read_package_text("machines.toml"), "enrichwatch/data/machines.toml")


def _parse_catalog(text: str, label: str) -> MachineCatalog:
    try:
        data = parse_toml(text, label)
    except ProblemsError as err:
        problem = err.problems[0]
        raise CatalogError(label, "<file>", f"{problem.allowed} at {problem.key}") from None
    _known_keys(data, _TOP_KEYS, f"{label}: ")
    entries = data.get("machine")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{label}: machine", entries, "one or more [[machine]] tables")
    machines = tuple(_entry(e, f"{label}: machine[{i}]") for i, e in enumerate(entries))
    return MachineCatalog(machines, label)


def _known_keys(table: Mapping, allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise CatalogError(f"{prefix}{key}", "<unknown key>",
                               f"one of the keys {', '.join(sorted(allowed))}")


def _table(entry: Mapping, key: str, where: str, allowed: set[str], required: bool) -> dict:
    value = entry.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise CatalogError(f"{where}.{key}", value, f"a [{key}] table")
    _known_keys(value, allowed, f"{where}.{key}.")
    if not isinstance(value.get("source"), str) or not value["source"].strip():
        raise CatalogError(f"{where}.{key}.source", value.get("source"),
                           "a non-empty public source for these figures")
    return value


def _number(table: Mapping, key: str, where: str, default=None):
    value = table.get(key, default)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CatalogError(f"{where}.{key}", value, "a number")
    return float(value)


def _entry(entry, where: str) -> Machine | _DeferredMachine:
    if not isinstance(entry, dict):
        raise CatalogError(where, entry, "a [[machine]] table")
    _known_keys(entry, _ENTRY_KEYS, f"{where}.")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{where}.name", name, "a non-empty machine name")
    where = f"{where} ({name})"
    rating = _table(entry, "rating", where, _RATING_KEYS, True)
    geometry = _table(entry, "geometry", where, _GEOMETRY_KEYS, False)
    separation = _table(entry, "separation", where, _SEPARATION_KEYS, False)
    if bool(geometry) == bool(separation):
        raise CatalogError(f"{where}.geometry", "both" if geometry else "neither",
                           "exactly one of a [geometry] table or a [separation] table (gamma)")
    notes = entry.get("notes", "")
    if not isinstance(notes, str):
        raise CatalogError(f"{where}.notes", notes, "a string")
    try:
        return _build(name, entry, rating, geometry, separation, notes, where)
    except CatalogError:
        raise
    except InputError as err:
        raise CatalogError(f"{where}: {err.param}", err.value, err.allowed) from None


def _build(name, entry, rating, geometry, separation, notes,
           where) -> Machine | _DeferredMachine:
    rw = f"{where}.rating"
    nominal = _number(rating, "nominal_swu_per_yr", rw)
    rng = (_number(rating, "low_swu_per_yr", rw), _number(rating, "high_swu_per_yr", rw))
    cut = _number(entry, "design_cut", where, 0.5)
    parts = [f"rating: {rating['source']}"]
    if separation:
        parts.append(f"separation: {separation['source']}")
        sw = f"{where}.separation"
        gamma = _number(separation, "gamma", sw)
        g_rng = None
        if "low_gamma" in separation or "high_gamma" in separation:
            g_rng = (_number(separation, "low_gamma", sw), _number(separation, "high_gamma", sw))
        return Machine.from_rating(name, nominal, gamma, cut=cut, swu_range_per_yr=rng,
                                   source="; ".join(parts), notes=notes, gamma_range=g_rng)
    gw = f"{where}.geometry"
    kwargs = {k: _number(geometry, k, gw) for k in _GEOMETRY_ARGS if k in geometry}
    for k in ("length_m", "diameter_m", "speed_m_s"):
        kwargs.setdefault(k, _number(geometry, k, gw))
    feed = geometry.get("design_feed_kg_per_yr")
    feed = None if feed is None else _number(geometry, "design_feed_kg_per_yr", gw)
    parts.append(f"geometry: {geometry['source']}")
    rotor = RotorGeometry(**kwargs)
    options: dict[str, Any] = {"swu_per_yr": nominal, "swu_range_per_yr": rng, "cut": cut,
                               "design_feed_kg_per_yr": feed, "source": "; ".join(parts),
                               "notes": notes}
    if feed is not None:
        return Machine.from_geometry(name, rotor, **options)
    # every check but the optimisation now: the machine stated at the rotor's feed scale
    Machine(name, nominal, rng, _reference_feed_kg_s(rotor) * SECONDS_PER_YEAR,
            _cut_value("cut", cut), rotor, options["source"], notes)
    return _DeferredMachine(name, where, rotor, tuple(options.items()))
