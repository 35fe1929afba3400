"""The separation formulas of one centrifuge: the stage relations between separative power,
feed, cut and stage factor, Glaser (2008) eq. 10 for a rotor, and the Dirac bound.

:mod:`~enrichwatch.physics.machines` builds the :class:`~enrichwatch.physics.machines.Machine`
type and the catalog on these formulas.

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
>>> from enrichwatch.physics.centrifuge import RotorGeometry, raetz_separative_power
>>> rotor = RotorGeometry(length_m=1.0, diameter_m=0.15, speed_m_s=485.0)
>>> du = raetz_separative_power(rotor, 1e-5, 0.5)    # kg U SWU/s at 10 mg U/s, cut 1/2
>>> f"{du:.4e}", bool(du < rotor.dirac_bound())
('2.0314e-07', True)
>>> from enrichwatch.physics.centrifuge import gamma_from_separative_power
>>> round(gamma_from_separative_power(1.0, 100.0, 0.5), 6)    # dU, q per year; theta = 1/2
1.326896
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import (
    CENTRIFUGE_FLOW_RATIO,
    CENTRIFUGE_GAS_TEMPERATURE_K,
    CENTRIFUGE_PRESSURE_RATIO,
    CENTRIFUGE_R2_OVER_A,
    GAS_CONSTANT,
    UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL,
    UF6_MOLAR_MASS_KG_MOL,
    UF6_RHO_D_KG_M_S,
    URANIUM_MOLAR_MASS_KG_MOL,
)
from ..errors import ConvergenceError, InputError, MassError
from ..units import as_magnitude

__all__ = [
    "RotorGeometry",
    "dirac_separative_power",
    "feed_from_gamma",
    "gamma_from_separative_power",
    "heads_factor",
    "inner_radius_ratio",
    "raetz_separative_power",
    "separative_power_from_gamma",
]

_BASES = ("U", "UF6")

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


# -- the Glaser (2008) eq. 10 rotor model -------------------------------------------------------
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
