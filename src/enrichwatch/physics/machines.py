"""Centrifuge machines: Glaser (2008) eq. 10, the Dirac bound, stage factors, and the catalog.

Units and bases
---------------
The package's internal unit of material is **kg U**. Glaser's eq. 10 is written for the process
gas: with rho*D of UF6 [kg UF6/(m s)] and a feed F [kg UF6/s] it returns dU [kg UF6 SWU/s]. The
formula is homogeneous of degree one in mass (dU = F g(rhoD Z / F)), so converting *both* rho*D
and F to the uranium basis with r = M_U/M_UF6 (process-gas molar masses, natural isotopics:
0.2380289/0.352019 = 0.67618) gives dU in kg U SWU/s, exactly ``r`` times the UF6-basis value.
``basis="U"`` (default) does this; ``basis="UF6"`` keeps Glaser's basis. mbmore scales rho*D by
0.238/0.352 and takes its feed in kg/s, so **its numbers are on the kg U basis** (its 15e-6 kg/s
is 15 mg U/s); the ``centrifuge-mbmore-*`` vectors are reproduced with ``basis="U"`` (its ratio
0.67614 against our 0.67618 moves its test machine's dU by 2e-12 kg/s).

Every figure may also be given as a pint quantity: it is converted at the edge to the unit its
name states (``_m`` metres, ``_m_s`` m/s, ``_k`` kelvin, ``_kg_s`` kg/s, ``_per_yr`` per year;
``swu`` and ``feed`` of the stage relations, rates "per unit time", to kg/yr; factors and cuts
to [1]), and a quantity of another dimension raises :class:`~enrichwatch.errors.UnitError`
(see :mod:`enrichwatch.units`).

Separation factors (named as in :mod:`enrichwatch.constants`): gamma = overall U-235/U-238
stage factor (heads ratio / tails ratio), alpha = heads factor R_P/R_F. For one machine fed q at
cut theta with separative power dU: dU = 1/2 q theta (1 - theta) (ln gamma)^2.

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

from ..constants import (
    CENTRIFUGE_FLOW_RATIO,
    CENTRIFUGE_GAS_TEMPERATURE_K,
    CENTRIFUGE_PRESSURE_RATIO,
    CENTRIFUGE_R2_OVER_A,
    GAS_CONSTANT,
    SECONDS_PER_YEAR,
    UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL,
    UF6_MOLAR_MASS_KG_MOL,
    UF6_RHO_D_KG_M_S,
    URANIUM_MOLAR_MASS_KG_MOL,
)
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

_BASES = ("U", "UF6")
_GAMMA_FEED_FLOOR = 1e-9  # gamma at zero feed is evaluated at this fraction of the design feed


# internal unit of each parameter that has one (pint quantities are converted to it); others [1]
_UNIT_OF = {
    "length_m": "m", "diameter_m": "m", "speed_m_s": "m/s", "temperature_k": "K",
    "rho_d": "kg/(m s)", "delta_m": "kg/mol", "feed_kg_s": "kg/s",
    "swu": "kg/yr", "feed": "kg/yr", "feed_kg_per_yr": "kg/yr", "swu_per_yr": "kg/yr",
    "nominal_swu_per_yr": "kg/yr", "design_feed_kg_per_yr": "kg/yr",
    "swu_range_per_yr": "kg/yr",
}


# -- validation helpers ---------------------------------------------------------------------------
def _positive(param: str, value, error=InputError) -> float:
    if isinstance(value, (str, bytes, bool)):
        raise error(param, value, "a positive finite number")
    value = as_magnitude(value, param, _UNIT_OF.get(param, "1"))
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise error(param, value, "a positive finite number") from None
    if not (math.isfinite(x) and x > 0.0):
        raise error(param, value, "a positive finite number")
    return x


def _cut_value(param: str, value) -> float:
    x = _positive(param, value)
    if not x < 1.0:
        raise InputError(param, value, "a cut strictly between 0 and 1")
    return x


def _array(param: str, value, error, what: str, low: float = 0.0, high: float = np.inf, *,
           strict_low: bool = False, strict_high: bool = False) -> np.ndarray:
    arr = np.asarray(as_magnitude(value, param, _UNIT_OF.get(param, "1")), dtype=float)
    bad = ~np.isfinite(arr) | (arr < low) | (arr > high)
    if strict_low:
        bad |= arr <= low
    if strict_high:
        bad |= arr >= high
    if np.any(bad):
        raise error(param, arr[bad].ravel()[0].item(), what)
    return arr


def _feed_array(value, param: str = "feed", strict: bool = False) -> np.ndarray:
    what = "a finite feed rate > 0" if strict else "a finite feed rate >= 0"
    return _array(param, value, MassError, what, strict_low=strict)


def _cut_array(value, param: str = "cut") -> np.ndarray:
    return _array(param, value, InputError, "a cut strictly between 0 and 1", 0.0, 1.0,
                  strict_low=True, strict_high=True)


def _basis_factor(basis: str) -> float:
    if basis not in _BASES:
        raise InputError("basis", basis, "'U' (kg U, the default) or 'UF6' (kg UF6)")
    return URANIUM_MOLAR_MASS_KG_MOL / UF6_MOLAR_MASS_KG_MOL if basis == "U" else 1.0


def _out(arr: np.ndarray):
    return float(arr) if np.ndim(arr) == 0 else arr


# -- stage relations ------------------------------------------------------------------------------
def gamma_from_separative_power(swu, feed, cut):
    """Overall U-235/U-238 stage factor gamma from separative power, feed and cut.

    Solves dU = 1/2 q theta (1 - theta) (ln gamma)^2 for gamma.

    Parameters
    ----------
    swu : float or ndarray
        Separative power of the machine [kg SWU per unit time], >= 0.
    feed : float or ndarray
        Feed rate q [kg U per the same unit time], > 0 (same mass basis as ``swu``).
    cut : float or ndarray
        Cut theta = product/feed [1], in (0, 1).

    Returns
    -------
    float or ndarray
        gamma [1], >= 1.

    Examples
    --------
    >>> round(gamma_from_separative_power(1.0, 100.0, 0.5), 6)
    1.326896
    """
    du = _array("swu", swu, InputError, "a finite separative power >= 0")
    q = _feed_array(feed, strict=True)
    th = _cut_array(cut)
    return _out(np.exp(np.sqrt(2.0 * du / (q * th * (1.0 - th)))))


def separative_power_from_gamma(gamma, feed, cut):
    """Separative power [kg SWU per unit time] of a machine with stage factor gamma.

    dU = 1/2 q theta (1 - theta) (ln gamma)^2, with q [kg U per unit time] and theta [1].

    >>> round(separative_power_from_gamma(1.326896, 100.0, 0.5), 5)
    1.0
    """
    g = _array("gamma", gamma, InputError, "a stage separation factor >= 1", 1.0)
    q = _feed_array(feed)
    th = _cut_array(cut)
    return _out(0.5 * q * th * (1.0 - th) * np.log(g) ** 2)


def feed_from_gamma(swu, gamma, cut):
    """Feed rate q = 2 dU / (theta (1 - theta) (ln gamma)^2) of a machine rated dU at gamma.

    Units: q in kg U per the time unit of ``swu`` (kg SWU per unit time).

    >>> round(feed_from_gamma(1.0, 1.326896, 0.5), 3)
    100.0
    """
    du = _array("swu", swu, InputError, "a finite separative power >= 0")
    g = _array("gamma", gamma, InputError, "a stage separation factor > 1", 1.0, strict_low=True)
    th = _cut_array(cut)
    return _out(2.0 * du / (th * (1.0 - th) * np.log(g) ** 2))


def heads_factor(gamma, cut):
    """Heads separation factor alpha = R_P/R_F of a stage with overall factor gamma at cut theta.

    Exact for trace U-235 (x -> 0): with gamma = alpha beta and the U-235 balance
    theta alpha + (1 - theta)/beta = 1, alpha = gamma / (1 - theta + theta gamma). To first order
    alpha - 1 = (1 - theta) ln gamma = sqrt(2 dU (1 - theta) / (theta q)) (Avery's relation, with
    dU and q on the same mass basis). Unit-consistent, unlike mbmore's alpha, which divides dU by
    M_UF6 = 0.352 kg/mol and so inflates alpha - 1 by 1/sqrt(0.352) = 1.69.

    >>> round(heads_factor(1.2136, 0.5), 4)
    1.0965
    """
    g = _array("gamma", gamma, InputError, "a stage separation factor >= 1", 1.0)
    th = _cut_array(cut)
    return _out(g / (1.0 - th + th * g))


# -- the Glaser (2008) eq. 10 machine model -----------------------------------------------------
def inner_radius_ratio(speed_m_s: float, temperature_k: float = CENTRIFUGE_GAS_TEMPERATURE_K,
                       pressure_ratio: float = CENTRIFUGE_PRESSURE_RATIO) -> float:
    """r1/r2 = sqrt(1 - 2 R T ln x / (M_UF6 v^2)), the inner edge of the separating gas layer.

    ``speed_m_s`` v [m/s], ``temperature_k`` T [K], ``pressure_ratio`` x [1]; R [J/(mol K)] and
    M_UF6 [kg/mol] make the fraction dimensionless. Undefined when the wall-to-axis pressure ratio
    exp(M v^2 / 2RT) does not reach x (slow rotors): then raise, and the caller must give r1/r2.

    >>> round(inner_radius_ratio(485.0, 320.0), 4)
    0.7457
    """
    v = _positive("speed_m_s", speed_m_s)
    t = _positive("temperature_k", temperature_k)
    x = _positive("pressure_ratio", pressure_ratio)
    arg = 1.0 - 2.0 * GAS_CONSTANT * t * math.log(x) / (UF6_MOLAR_MASS_KG_MOL * v * v)
    if not (x > 1.0 and arg > 0.0):
        v_min = math.sqrt(2.0 * GAS_CONSTANT * t * math.log(max(x, 1.0)) / UF6_MOLAR_MASS_KG_MOL)
        raise InputError("speed_m_s", v, f"a wall speed above {v_min:.1f} m/s for pressure ratio "
                         f"{x:g} at {t:g} K (x > 1), or an explicit r1_over_r2")
    return math.sqrt(arg)


@dataclass(frozen=True)
class RotorGeometry:
    """Rotor and gas figures of one centrifuge for Glaser (2008) eq. 10; validated, immutable.

    Parameters
    ----------
    length_m, diameter_m : float
        Rotor length Z [m] and diameter d = 2a [m].
    speed_m_s : float
        Peripheral (wall) speed v [m/s].
    temperature_k : float
        Gas temperature T [K].
    flow_ratio : float
        Internal circulation to feed ratio k = L/F at the design point [1].
    rho_d : float
        rho*D of UF6 [kg UF6/(m s)].
    r1_over_r2 : float or None
        Inner radius ratio; None computes it with :func:`inner_radius_ratio`.
    pressure_ratio, r2_over_a, delta_m : float
        x [1], r2/a [1] and Delta M [kg/mol] of the model.
    """

    length_m: float
    diameter_m: float
    speed_m_s: float
    temperature_k: float = CENTRIFUGE_GAS_TEMPERATURE_K
    flow_ratio: float = CENTRIFUGE_FLOW_RATIO
    rho_d: float = UF6_RHO_D_KG_M_S
    r1_over_r2: float | None = None
    pressure_ratio: float = CENTRIFUGE_PRESSURE_RATIO
    r2_over_a: float = CENTRIFUGE_R2_OVER_A
    delta_m: float = UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL

    def __post_init__(self) -> None:
        for name in ("length_m", "diameter_m", "speed_m_s", "temperature_k", "flow_ratio",
                     "rho_d", "pressure_ratio", "delta_m"):
            object.__setattr__(self, name, _positive(name, getattr(self, name)))
        object.__setattr__(self, "r2_over_a", _positive("r2_over_a", self.r2_over_a))
        if self.r2_over_a > 1.0:
            raise InputError("r2_over_a", self.r2_over_a, "a fraction in (0, 1]")
        if self.r1_over_r2 is not None:
            object.__setattr__(self, "r1_over_r2", _cut_value("r1_over_r2", self.r1_over_r2))
        else:
            inner_radius_ratio(self.speed_m_s, self.temperature_k, self.pressure_ratio)

    @property
    def radius_ratio(self) -> float:
        """r1/r2 [1], given or from :func:`inner_radius_ratio`."""
        if self.r1_over_r2 is not None:
            return self.r1_over_r2
        return inner_radius_ratio(self.speed_m_s, self.temperature_k, self.pressure_ratio)

    @property
    def thermal_factor(self) -> float:
        """C = Delta M v^2 / (2 R T) [1]: (kg/mol)(m/s)^2 / (J/mol) is dimensionless."""
        return self.delta_m * self.speed_m_s**2 / (2.0 * GAS_CONSTANT * self.temperature_k)

    def dirac_bound(self, basis: str = "U") -> float:
        """Dirac upper bound of this rotor [kg SWU/s on ``basis``]."""
        return _out(dirac_separative_power(self.length_m, self.speed_m_s, self.temperature_k,
                                           rho_d=self.rho_d, delta_m=self.delta_m, basis=basis))


def raetz_separative_power(geometry: RotorGeometry, feed_kg_s, cut, flow_ratio=None, *,
                           basis: str = "U"):
    """Separative power of one centrifuge by Glaser (2008) eq. 10 (Raetz), vectorised.

    With a = d/2, r2 = (r2/a) a, C1 = 2 pi rhoD / ln(r2/r1) [kg/(m s)],
    Z_p = Z (1 - theta)(1 + k)/(1 - theta + k) [m] (feed point),
    A_p = C1/F theta / ((1 + k)(1 - theta + k)), A_w = C1/F (1 - theta)/(k (1 - theta + k)) [1/m],
    C = Delta M v^2 / (2 R T) [1]::

        dU = F theta (1 - theta) / 2  C^2 (r2/a)^4 (1 - (r1/r2)^2)^2
             [ (1 + k)/theta (1 - e^(-A_p Z_p)) + k/(1 - theta) (1 - e^(-A_w (Z - Z_p))) ]^2

    Every exponent is dimensionless and dU has the unit of F. No efficiency factor is applied.

    Parameters
    ----------
    geometry : RotorGeometry
    feed_kg_s : float or ndarray
        Feed F [kg/s on ``basis``], > 0.
    cut : float or ndarray
        theta [1], in (0, 1).
    flow_ratio : float or ndarray, optional
        k = L/F [1], > 0; default ``geometry.flow_ratio``.
    basis : {'U', 'UF6'}
        Mass basis of F and dU: 'U' (kg U; rhoD scaled by M_U/M_UF6) or 'UF6' (Glaser's).

    Returns
    -------
    float or ndarray
        dU [kg SWU/s on ``basis``].

    Examples
    --------
    The ``centrifuge-mbmore-raetz-test-machine`` vector (mbmore's numbers are kg U):

    >>> g = RotorGeometry(length_m=0.5, diameter_m=0.15, speed_m_s=485.0)
    >>> f"{raetz_separative_power(g, 15e-6, 0.5):.4e}"
    '7.0323e-08'
    """
    rho_d = geometry.rho_d * _basis_factor(basis)
    f = _feed_array(feed_kg_s, "feed_kg_s", strict=True)
    th = _cut_array(cut)
    k = geometry.flow_ratio if flow_ratio is None else flow_ratio
    k = _array("flow_ratio", k, InputError, "a flow ratio L/F > 0", strict_low=True)
    return _out(_raetz(geometry, f, th, k, rho_d))


def _raetz(g: RotorGeometry, f, th, k, rho_d):
    r12 = g.radius_ratio
    z = g.length_m
    c1 = 2.0 * math.pi * rho_d / -math.log(r12)
    denom = 1.0 - th + k
    z_p = z * (1.0 - th) * (1.0 + k) / denom
    a_p = c1 / f * th / ((1.0 + k) * denom)
    a_w = c1 / f * (1.0 - th) / (k * denom)
    bracket = ((1.0 + k) / th * -np.expm1(-a_p * z_p)
               + k / (1.0 - th) * -np.expm1(-a_w * (z - z_p)))
    shape = g.r2_over_a**4 * (1.0 - r12**2) ** 2
    return f * 0.5 * th * (1.0 - th) * g.thermal_factor**2 * shape * bracket**2


def dirac_separative_power(length_m, speed_m_s, temperature_k=CENTRIFUGE_GAS_TEMPERATURE_K, *,
                           rho_d: float = UF6_RHO_D_KG_M_S,
                           delta_m: float = UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL, basis: str = "U"):
    """Dirac upper bound dU_max = (pi/2) Z rhoD (Delta M v^2 / (2 R T))^2, vectorised.

    Units: Z [m] x rhoD [kg/(m s)] = kg/s; the bracket is dimensionless. So dU_max is in
    kg SWU/s on ``basis`` ('U': rhoD scaled by M_U/M_UF6; 'UF6': Glaser's basis). It grows
    linearly with Z and as v^4, and does not depend on the diameter.

    >>> f"{dirac_separative_power(1.0, 485.0, 320.0, basis='UF6'):.4e}"
    '6.0775e-07'
    """
    z = _array("length_m", length_m, InputError, "a length > 0 [m]", strict_low=True)
    v = _array("speed_m_s", speed_m_s, InputError, "a speed > 0 [m/s]", strict_low=True)
    t = _array("temperature_k", temperature_k, InputError, "a temperature > 0 [K]",
               strict_low=True)
    rd = _positive("rho_d", rho_d) * _basis_factor(basis)
    c = _positive("delta_m", delta_m) * v**2 / (2.0 * GAS_CONSTANT * t)
    return _out(0.5 * math.pi * z * rd * c**2)


def _reference_feed_kg_s(g: RotorGeometry) -> float:
    """C1 Z = 2 pi rhoD Z / ln(r2/r1) [kg U/s], the feed scale of eq. 10 for this rotor."""
    rho_d = g.rho_d * _basis_factor("U")
    return 2.0 * math.pi * rho_d * g.length_m / -math.log(g.radius_ratio)


def _design_feed_kg_s(g: RotorGeometry, cut: float) -> float:
    """Feed [kg U/s] that maximises eq. 10 at ``cut`` with k = g.flow_ratio."""
    from scipy.optimize import minimize_scalar

    rho_d = g.rho_d * _basis_factor("U")
    f_ref = _reference_feed_kg_s(g)

    def negative(s: float) -> float:
        return -float(_raetz(g, f_ref * 10.0**s, cut, g.flow_ratio, rho_d))

    res = minimize_scalar(negative, bounds=(-6.0, 4.0), method="bounded",
                          options={"xatol": 1e-9})
    if not -5.99 < res.x < 3.99:
        raise ConvergenceError("design feed of eq. 10", "the optimum lies at a search bound")
    return f_ref * 10.0 ** float(res.x)


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
