"""Multi-isotope ideal cascades: matched abundance ratio (MARC) cascades after von Halle (1987).

The key components are U-235 (light key) and U-238 (heavy key). Every isotope i is separated
with a symmetric factor alpha*_i about a virtual component of mass M* (see
:meth:`enrichwatch.physics.separation.SeparationLaw.symmetric_factors`). With n_e enriching and
n_s stripping stages (the feed stage counted with the enriching section) the share of the feed
of isotope i that leaves in the product is (von Halle 1987, eqs. 37/39/47)::

    phi_i = (a^(n_s+1) - 1) / (a^(n_s+1) - a^(-n_e)),   a = alpha*_i

(miso's ``e_i / (e_i + s_i)``, PyNE's beta^(M+1) form). Separation acts on molecules, so the
work is done in atom fractions and molar flows; kg U appear at the edges (isotope masses from
:data:`enrichwatch.constants.ISOTOPE_MASS`).

Stage numbers are either integers (the miso rule: add enriching stages with no stripping stage
until the product reaches its target, then add stripping stages until the tails reach theirs,
so the product overshoots) or real numbers fitted to both targets (Newton's method with the
analytic slopes of the relations; both live in :mod:`enrichwatch.physics.marc`).

Figures of merit
----------------
* Separative work from the multi-isotope value function (de la Garza)
  ``V = ln(x235/x238) * sum_i x_i / (2 k_i - 1)``, ``k_i = (gamma_i - 1)/(gamma_235 - 1)``;
  see :func:`multi_isotope_value`. ``swu_kg`` weights V with the kg U of each stream.
* Total interstage flow per unit feed, ``flow_per_feed`` [kg U / kg U]: the sum of all stage
  feed flows, exact for the stage model behind phi_i (a stage sends the share a_i/(1 + a_i) of
  isotope i to its heads). Summing that model's stage balances gives, per mole of feed::

      L_t/F = sum_i x_F,i [n_e phi_i - (n_s + 1)(1 - phi_i)] / tanh(ln(a_i) / 2)

  weighted here by m_i / M_F to count kg U. ``flow_per_feed_wbs`` is eq. 31 of Wood,
  Borisevich & Sulaberidze (1999) in the same weighting (PyNE's ``l_t_per_feed``). It puts
  ln(R_P/R_F)/ln(alpha*_235) in place of n_e, which is exact when M* is the key midpoint
  (then R_P/R_F = alpha*_235^n_e for any mixture) and approximate otherwise.

See :func:`ideal_cascade` for an example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import solve_banded
from scipy.optimize import minimize_scalar

from ..composition import Assay, Composition, require_composition
from ..constants import ISOTOPE_MASS
from ..errors import (
    AssayBound,
    AssayError,
    ConvergenceError,
    FractionBasis,
    InputError,
    InputTypeError,
    MassError,
)
from ..units import as_magnitude
from .marc import FitTargets, fit_stages
from .marc import flow_factors as _flow_factors
from .marc import shares as _shares  # noqa: F401  (re-exported: tests reach it here)
from .marc import streams as _streams
from .separation import KEY_MIDPOINT_MASS, PerUnitMass, SeparationLaw, canonical_isotopes

__all__ = [
    "U235Fraction",
    "IdealCascade",
    "StageProfile",
    "ideal_cascade",
    "ideal_cascade_from_stages",
    "multi_isotope_value",
]

_M235 = ISOTOPE_MASS["U235"]
_M238 = ISOTOPE_MASS["U238"]
_HALF_K_TOL = 1e-9  # |2k - 1| below this takes the k = 1/2 branch of the value function
_FIRST_CHUNK = 64  # stage numbers tried at once by the integer search, growing fourfold
_MAX_STAGES = 200_000
_M_STAR_OBJECTIVES = ("exact", "wbs1999")


# -- targets ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class U235Fraction:
    """A U-235 target fraction of a whole (multi-isotope) stream, on a stated basis; immutable.

    Build it with a named constructor. Unlike :class:`~enrichwatch.composition.Assay`, whose
    atom constructors convert as if the stream were U-235/U-238 only, this keeps the basis and
    compares it with the stream's own U-235 atom or mass fraction.

    Examples
    --------
    >>> U235Fraction.atom_percent(90)
    U235Fraction(90 at% U-235)
    >>> U235Fraction.weight_percent(0.25).value
    0.0025
    """

    value: float
    basis: str

    def __post_init__(self) -> None:
        if self.basis not in ("atom", "mass"):
            raise InputError("basis", self.basis, "'atom' or 'mass'")
        value = as_magnitude(self.value, "u235_fraction", "1")   # UnitError if not a fraction
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise AssayError("u235_fraction", self.value,
                             f"a U-235 {self.basis} fraction strictly between 0 and 1") from None
        if not (math.isfinite(x) and 0.0 < x < 1.0):
            raise AssayError("u235_fraction", self.value,
                             f"a U-235 {self.basis} fraction strictly between 0 and 1")
        object.__setattr__(self, "value", x)

    @classmethod
    def atom_fraction(cls, value: float) -> U235Fraction:
        """U-235 atom fraction of the stream, in (0, 1)."""
        return cls(value, "atom")

    @classmethod
    def atom_percent(cls, value: float) -> U235Fraction:
        """U-235 atom percent of the stream, in (0, 100)."""
        return cls(_percent(value, "atom"), "atom")

    @classmethod
    def mass_fraction(cls, value: float) -> U235Fraction:
        """U-235 mass fraction of the stream, in (0, 1)."""
        return cls(value, "mass")

    @classmethod
    def weight_percent(cls, value: float) -> U235Fraction:
        """U-235 weight percent of the stream, in (0, 100)."""
        return cls(_percent(value, "mass"), "mass")

    def __repr__(self) -> str:
        unit = "at%" if self.basis == "atom" else "wt%"
        return f"U235Fraction({self.value * 100:.6g} {unit} U-235)"


def _percent(value, basis: str) -> float:
    value = as_magnitude(value, "u235_percent", "%")   # UnitError if not a fraction
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise AssayError("u235_percent", value, f"a U-235 {basis} percent in (0, 100)") from None
    if not (math.isfinite(x) and 0.0 < x < 100.0):
        raise AssayError("u235_percent", value,
                         f"a U-235 {basis} percent strictly between 0 and 100")
    return x / 100.0


def _as_target(value, param: str) -> U235Fraction:
    if isinstance(value, U235Fraction):
        return value
    allowed = ("a scalar Assay (mass basis) or a U235Fraction (e.g. "
               "U235Fraction.atom_fraction(0.9)); bare numbers have no basis")
    if isinstance(value, Assay):
        if value.shape == ():
            return U235Fraction(float(value.mass_fraction), "mass")
        raise AssayError(param, value, allowed)
    raise InputTypeError(param, value, allowed)


# -- value function -----------------------------------------------------------------------------
def multi_isotope_value(
    isotopes: tuple[str, ...], atom_fractions, stage_factors
) -> np.ndarray | float:
    """Multi-isotope value function V of de la Garza [1] (molar basis).

    ``V = ln(x235/x238) * sum_i x_i / (2 k_i - 1)`` with ``k_i = (gamma_i - 1)/(gamma_235 - 1)``.
    An isotope with k_i = 1/2 contributes ``4 x_i ln(x_i / x238)`` instead; that term is derived
    from the same condition as the others (the separative power of a weak symmetric stage does
    not depend on the composition) and is checked numerically in the tests. For U-235/U-238
    alone V reduces to the binary ``(2x - 1) ln(x / (1 - x))``.

    Parameters
    ----------
    isotopes : tuple of str
        Isotope names, aligned with the last axis of the two arrays; must hold U-235 and U-238.
    atom_fractions : array_like, shape (..., K)
        Atom fractions [1].
    stage_factors : array_like, shape (K,)
        Overall stage factors gamma_i against U-238 (:meth:`SeparationLaw.stage_factors`).

    Returns
    -------
    float or ndarray
        V [1], one value per composition.

    References
    ----------
    .. [1] A. de la Garza, "A generalization of the matched abundance-ratio cascade for
       multicomponent isotope separation", Chem. Eng. Sci. 18, 73-82 (1963).

    Examples
    --------
    >>> x = 0.05
    >>> round(multi_isotope_value(("U235", "U238"), [x, 1 - x], [1.3, 1.0]), 12)
    2.64999508125
    >>> round((2 * x - 1) * math.log(x / (1 - x)), 12)
    2.64999508125
    """
    names = canonical_isotopes(isotopes)
    if "U235" not in names or "U238" not in names:
        raise InputError("isotopes", names, "a set of isotopes containing U235 and U238")
    j, k = names.index("U235"), names.index("U238")
    x = np.asarray(atom_fractions, dtype=float)
    gamma = np.asarray(stage_factors, dtype=float)
    if x.shape[-1:] != (len(names),) or gamma.shape != (len(names),):
        raise InputError("atom_fractions", x.shape,
                         f"arrays whose last axis has one entry per isotope ({len(names)})")
    two_k_1 = 2.0 * (gamma - 1.0) / (gamma[j] - 1.0) - 1.0
    half = np.abs(two_k_1) < _HALF_K_TOL
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(x[..., j] / x[..., k])
        if not half.any():
            value = ratio * (x @ (1.0 / two_k_1))
        else:
            value = ratio * (x @ np.where(half, 0.0, 1.0 / np.where(half, 1.0, two_k_1)))
            value = value + _half_k_terms(x, x[..., k, None], half)
    return float(value) if np.ndim(value) == 0 else value


def _half_k_terms(x: np.ndarray, x238: np.ndarray, half: np.ndarray) -> np.ndarray:
    """sum over k_i = 1/2 isotopes of 4 x_i ln(x_i / x238), with 0 ln 0 = 0."""
    positive = x > 0.0
    ln_i = np.where(positive, np.log(np.where(positive, x, 1.0) / x238), 0.0)
    return np.sum(np.where(half, 4.0 * x * ln_i, 0.0), axis=-1)


# -- stage numbers ------------------------------------------------------------------------------
def _chunks(start: int) -> Iterator[np.ndarray]:
    """Stage numbers start, start + 1, ... as (S, 1) arrays of growing size S."""
    lo, size = start, _FIRST_CHUNK
    while lo < _MAX_STAGES:
        yield np.arange(lo, lo + size, dtype=float)[:, None]
        lo, size = lo + size, size * 4


def _first_stage(predicate: Callable[[np.ndarray], np.ndarray], start: int, what: str) -> int:
    """Smallest n >= start with predicate(n) true, trying chunks of stage numbers at once."""
    for n in _chunks(start):
        hit = predicate(n)
        if hit.any():
            return int(n[np.argmax(hit), 0])
    raise ConvergenceError(what, f"target not reached within {_MAX_STAGES} stages")


@dataclass(frozen=True)
class _Problem:
    """Checked inputs of one ideal cascade, on the atom basis."""

    feed: Composition
    isotopes: tuple[str, ...]
    masses: np.ndarray
    x_feed: np.ndarray
    gamma: np.ndarray
    product: U235Fraction
    tails: U235Fraction
    j: int
    k: int

    def u235(self, x_atom: np.ndarray, basis: str) -> np.ndarray:
        """U-235 fraction on ``basis`` of atom-fraction rows (last axis = isotopes)."""
        if basis == "atom":
            return x_atom[..., self.j]
        return x_atom[..., self.j] * self.masses[self.j] / (x_atom @ self.masses)


def _integer_stages(prob: _Problem, log_a: np.ndarray) -> tuple[int, int]:
    """miso's staging rule: enriching stages (no stripping) first, then stripping stages."""
    _check_attainable(prob, log_a)
    tp, tt = prob.product, prob.tails

    def product_reached(n):
        return prob.u235(_streams(prob.x_feed, log_a, n, 0.0)[1], tp.basis) >= tp.value

    n_e = _first_stage(product_reached, 1, "integer enriching stages")

    def tails_reached(n):
        return prob.u235(_streams(prob.x_feed, log_a, float(n_e), n)[2], tt.basis) <= tt.value

    return n_e, _first_stage(tails_reached, 0, "integer stripping stages")


def _check_attainable(prob: _Problem, log_a: np.ndarray) -> None:
    """Raise if no number of enriching stages (without stripping) reaches the product target.

    The product U-235 rises towards the limit of endless enriching stages; with a lighter
    isotope (U-234) in the feed it peaks slightly above that limit first and then falls back,
    as the extra stages concentrate U-234 at the expense of U-235.
    """
    limit_share = np.where(log_a > 0.0, -np.expm1(-log_a), 0.0)
    top = prob.x_feed * limit_share
    best = float(prob.u235(top / top.sum(), prob.product.basis))
    if prob.product.value < best:
        return
    best = max(best, _peak_product(prob, log_a))
    if prob.product.value > best:
        why = ("the most this feed and separation law reach when enriching stages are added "
               "with no stripping stage (integer staging)")
        raise AssayError("product", prob.product,
                         f"a U-235 {prob.product.basis} fraction up to {best:.6g}, {why}; use "
                         "integer_stages=False",
                         bound=AssayBound("at most", best, _basis(prob.product), why=why))


def _peak_product(prob: _Problem, log_a: np.ndarray) -> float:
    """Highest product U-235 over n_e = 1, 2, ... (n_s = 0), scanning until it stops rising."""
    last = np.array([0.0])
    for n in _chunks(1):
        x = np.concatenate([last, prob.u235(_streams(prob.x_feed, log_a, n, 0.0)[1],
                                            prob.product.basis)])
        if np.any(np.diff(x) <= 0.0):
            break
        last = x[-1:]
    return float(x.max())


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _stage_guess(prob: _Problem, log_a: np.ndarray) -> np.ndarray:
    """Binary closed-form estimate of (n_e, n_s) from the U-235/U-238 ratios."""
    per_stage = (log_a[prob.j] - log_a[prob.k]
                 + np.log1p(np.exp(log_a[prob.k])) - np.log1p(np.exp(log_a[prob.j])))
    r_f = math.log(prob.x_feed[prob.j] / prob.x_feed[prob.k])
    n_e = (_atom_log_ratio(prob, prob.product) - r_f) / per_stage
    n_s = (r_f - _atom_log_ratio(prob, prob.tails)) / per_stage - 1.0
    return np.array([max(n_e, 0.5), max(n_s, -0.5)])


def _atom_log_ratio(prob: _Problem, target: U235Fraction) -> float:
    """ln(x235/x238) on the atom basis of a U-235 target, as if U-235/U-238 only."""
    shift = math.log(prob.masses[prob.k] / prob.masses[prob.j]) if target.basis == "mass" else 0.0
    return float(_logit(target.value)) + shift


def _real_stages(prob: _Problem, log_a: np.ndarray) -> tuple[float, float]:
    """Real (n_e, n_s) such that product and tails U-235 hit their targets.

    Newton's method with the analytic Jacobian (:func:`enrichwatch.physics.marc.fit_stages`),
    from the binary closed-form estimate.
    """
    tp, tt = prob.product, prob.tails
    targets = FitTargets.of(prob.x_feed, prob.j,
                            tuple(prob.masses if t.basis == "mass" else 1.0 for t in (tp, tt)),
                            (tp.value, tt.value))
    n_e, n_s, message = fit_stages(log_a, targets, _stage_guess(prob, log_a))
    if message or not math.isfinite(n_e):
        raise ConvergenceError("real-valued stage numbers",
                               f"{message} (targets may be out of reach of this feed)")
    return n_e, n_s


# -- flows and figures of merit -----------------------------------------------------------------
def _mass_weights(prob: _Problem) -> np.ndarray:
    """m_i / M_F: turns molar per-isotope terms per mole of feed into kg U per kg U of feed."""
    return prob.masses / float(prob.x_feed @ prob.masses)


def _wbs_flow(prob: _Problem, log_a, cut, x_p, x_t) -> float:
    """Wood-Borisevich-Sulaberidze (1999) eq. 31 in kg U (PyNE's l_t_per_feed); nan if a_i = 1."""
    j, k = prob.j, prob.k
    num = (cut * x_p * math.log(x_p[j] / x_p[k]) + (1.0 - cut) * x_t * math.log(x_t[j] / x_t[k])
           - prob.x_feed * math.log(prob.x_feed[j] / prob.x_feed[k]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(_mass_weights(prob) * num / (log_a[j] * np.tanh(0.5 * log_a))))


def _exact_flow(prob: _Problem, log_a, n_e, n_s) -> float:
    """Sum of all stage feed flows [kg U per kg U of feed]."""
    return float((prob.x_feed * _mass_weights(prob)) @ _flow_factors(log_a, n_e, n_s))


def _m_star_bounds(prob: _Problem, objective: str) -> tuple[float, float]:
    lo, hi = _M235, _M238
    if objective == "wbs1999":
        # eq. 31 is singular where alpha*_i = 1 for an isotope between the keys (U-236):
        # search the singularity-free interval that holds the key midpoint.
        inner = [float(m) for m in prob.masses if lo < m < hi]
        lo = max([lo] + [m for m in inner if m < KEY_MIDPOINT_MASS])
        hi = min([hi] + [m for m in inner if m > KEY_MIDPOINT_MASS])
    return lo + 1e-6, hi - 1e-6


def _optimal_m_star(prob: _Problem, alpha: float, objective: str) -> float:
    """M* minimising the total interstage flow per unit feed (real-valued stages)."""
    ln_alpha = math.log(alpha)

    def flow(m_star):
        log_a = (m_star - prob.masses) * ln_alpha
        n_e, n_s = _real_stages(prob, log_a)
        if objective == "exact":
            return _exact_flow(prob, log_a, n_e, n_s)
        cut, x_p, x_t = _streams(prob.x_feed, log_a, n_e, n_s)
        return _wbs_flow(prob, log_a, cut, x_p, x_t)

    best = minimize_scalar(flow, bounds=_m_star_bounds(prob, objective), method="bounded",
                           options={"xatol": 1e-9})
    if not best.success:
        raise ConvergenceError("M* optimisation", str(best.message))
    return float(best.x)


def _amounts(feed_kg, product_kg) -> tuple:
    """(feed_kg, product_kg) in kg U, pint quantities converted (None stays None)."""
    return as_magnitude(feed_kg, "feed_kg", "kg"), as_magnitude(product_kg, "product_kg", "kg")


def _kg_flows(cut: float, m_f: float, m_p: float, feed_kg, product_kg) -> tuple[float, float]:
    """(feed_kg, product_kg) from the molar cut and the stream molar masses."""
    per_feed_kg = cut * m_p / m_f  # kg product per kg feed
    if (feed_kg is None) == (product_kg is None):
        raise InputError("feed_kg", feed_kg, "exactly one of feed_kg or product_kg [kg U]")
    if feed_kg is not None:
        f = _number(feed_kg, "feed_kg", MassError, "a finite mass >= 0 [kg U]", False)
        return f, f * per_feed_kg
    p = _number(product_kg, "product_kg", MassError, "a finite mass >= 0 [kg U]", False)
    return p / per_feed_kg, p


def _number(value, param: str, error: type[InputError], allowed: str, positive: bool) -> float:
    """``value`` as a finite float >= 0 (> 0 if ``positive``), else ``error``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise error(param, value, allowed) from None
    if not math.isfinite(x) or x < 0.0 or (positive and x == 0.0):
        raise error(param, value, allowed)
    return x


def _composition(isotopes: tuple[str, ...], x_atom: np.ndarray, masses: np.ndarray) -> Composition:
    w = x_atom * masses
    return Composition(isotopes, w / w.sum())


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StageProfile:
    """Stage-by-stage state of an integer ideal cascade; immutable.

    ``stage`` runs from 1 (tails end) to n_e + n_s (product end); ``feed_stage`` (n_s + 1) gets
    the external feed; ``x_u235`` is the U-235 atom fraction of each stage's feed (heads from
    below mixed with tails from above); ``flow_per_feed`` its feed flow [kg U / kg U of feed].
    """

    stage: np.ndarray
    feed_stage: int
    x_u235: np.ndarray
    flow_per_feed: np.ndarray

    def __repr__(self) -> str:
        return (f"StageProfile({self.stage.size} stages, feed stage {self.feed_stage}, "
                f"U-235 {self.x_u235[0] * 100:.4g} -> {self.x_u235[-1] * 100:.4g} at%, "
                f"max stage flow {self.flow_per_feed.max():.4g} F)")


@dataclass(frozen=True, eq=False, kw_only=True)
class IdealCascade:
    """An ideal (matched abundance ratio) cascade and its streams; immutable.

    Masses and flows are kg U; flows per unit feed are kg U per kg U of cascade feed.

    Attributes
    ----------
    law : SeparationLaw
        Separation law; ``gamma_235`` is its U-235/U-238 stage factor [1].
    m_star : float
        Key weight M* [g/mol] about which the stages are symmetric.
    isotopes, alpha_star : tuple of str, ndarray
        Isotopes and their symmetric stage factors alpha*_i [1].
    n_enriching, n_stripping : int or float
        Stage numbers (ints when ``integer_stages``).
    feed, product, tails : Composition
        Stream isotopics.
    feed_kg, product_kg, tails_kg : float
        Stream masses [kg U].
    swu_kg : float
        Separative work [kg SWU]: sum over streams of kg U times the multi-isotope value
        (:func:`multi_isotope_value`, on atom fractions).
    flow_per_feed : float
        Total interstage flow, the sum of all stage feed flows, per unit feed [kg U / kg U].
    flow_per_feed_wbs : float
        The same by Wood-Borisevich-Sulaberidze (1999) eq. 31 (PyNE's ``l_t_per_feed``); equal
        to ``flow_per_feed`` when M* is the key midpoint, approximate otherwise.
    """

    law: SeparationLaw
    m_star: float
    isotopes: tuple[str, ...]
    alpha_star: np.ndarray = field(repr=False)
    n_enriching: int | float
    n_stripping: int | float
    integer_stages: bool
    feed: Composition
    product: Composition
    tails: Composition
    feed_kg: float
    product_kg: float
    tails_kg: float
    swu_kg: float
    flow_per_feed: float
    flow_per_feed_wbs: float

    @property
    def gamma_235(self) -> float:
        """U-235/U-238 overall stage factor [1]."""
        return self.law.gamma_235

    @property
    def cut(self) -> float:
        """Product per unit feed [kg U / kg U]."""
        return self.product_kg / self.feed_kg if self.feed_kg > 0 else math.nan

    @property
    def swu_per_product_kg(self) -> float:
        """Separative work per kg U of product [kg SWU / kg U]."""
        return self.swu_kg / self.product_kg if self.product_kg > 0 else math.nan

    def stage_profile(self) -> StageProfile:
        """Stage-by-stage U-235 atom fraction and flow (integer stage numbers only).

        Solves, for every isotope, the stage balances of the model behind the MARC relations:
        a stage sends the share a_i/(1 + a_i) of isotope i to its heads (a_i = alpha*_i).

        >>> from enrichwatch.physics.separation import WoodCentrifuge
        >>> feed = Composition.from_atom_percent({"U235": 0.711, "U238": 99.289})
        >>> casc = ideal_cascade(feed, U235Fraction.atom_percent(5), U235Fraction.atom_percent(0.3),
        ...                      WoodCentrifuge(1.3), feed_kg=1.0)
        >>> prof = casc.stage_profile()
        >>> prof.stage.size == casc.n_enriching + casc.n_stripping
        True
        >>> bool(abs(prof.flow_per_feed.sum() / casc.flow_per_feed - 1) < 1e-9)
        True
        """
        if not self.integer_stages:
            raise InputError("integer_stages", False, "a cascade with integer stage numbers")
        n_e, n_s = int(self.n_enriching), int(self.n_stripping)
        x_feed, masses = self.feed.atom_fractions, self.feed.masses
        moles = _stage_flows(self.alpha_star, x_feed, n_e, n_s)
        kg_u = moles @ masses / float(x_feed @ masses)
        j = self.isotopes.index("U235")
        x235 = moles[:, j] / moles.sum(axis=1)
        return StageProfile(np.arange(1, n_e + n_s + 1), n_s + 1, x235, kg_u)

    def __repr__(self) -> str:
        fmt = "d" if self.integer_stages else ".4f"
        kind = "integer" if self.integer_stages else "real"
        return (f"IdealCascade({self.law!r}, M* {self.m_star:.4f} g/mol: "
                f"{self.n_enriching:{fmt}} enriching + {self.n_stripping:{fmt}} stripping "
                f"stages ({kind}); "
                f"feed {self.feed_kg:.6g} kg U at {_pct(self.feed)} -> "
                f"product {self.product_kg:.6g} kg U at {_pct(self.product)} + "
                f"tails {self.tails_kg:.6g} kg U at {_pct(self.tails)}; "
                f"{self.swu_kg:.6g} kg SWU; L_t/F {self.flow_per_feed:.6g})")


def _pct(comp: Composition) -> str:
    return (f"{comp.fraction('U235') * 100:.5g} wt% "
            f"({comp.fraction('U235', 'atom') * 100:.5g} at%) U-235")


def _stage_flows(alpha_star: np.ndarray, x_feed: np.ndarray, n_e: int, n_s: int) -> np.ndarray:
    """Stage feed flow of every isotope, shape (n_e + n_s, K), per unit molar feed."""
    n = n_e + n_s
    out = np.empty((n, alpha_star.size))
    for i, (a, x) in enumerate(zip(alpha_star, x_feed, strict=True)):
        up = a / (1.0 + a)
        bands = np.zeros((3, n))
        bands[0, 1:] = -(1.0 - up)  # tails from the stage above
        bands[1, :] = 1.0
        bands[2, :-1] = -up  # heads from the stage below
        rhs = np.zeros(n)
        rhs[n_s] = x
        out[:, i] = solve_banded((1, 1), bands, rhs)
    return out


# -- the public calculator ----------------------------------------------------------------------
def _problem(feed, product, tails, law, check_targets: bool = True) -> _Problem:
    require_composition(feed, "feed")
    if not isinstance(law, SeparationLaw):
        raise InputError("law", law, "a SeparationLaw (WoodCentrifuge, WoodDiffusion, PerUnitMass)")
    isotopes, x_feed = feed.isotopes, feed.atom_fractions
    j = isotopes.index("U235") if "U235" in isotopes else -1
    k = isotopes.index("U238") if "U238" in isotopes else -1
    if j < 0 or k < 0 or x_feed[j] <= 0.0 or x_feed[k] <= 0.0:
        raise AssayError("feed", feed, "a composition with U-235 and U-238 both above 0")
    prob = _Problem(feed, isotopes, feed.masses, x_feed, law.stage_factors(isotopes, law.gamma_235),
                    _as_target(product, "product"), _as_target(tails, "tails"), j, k)
    if check_targets:
        _check_targets(prob)
    return prob


def _check_targets(prob: _Problem) -> None:
    tp, tt = prob.product, prob.tails
    feed_p, feed_t = (float(prob.u235(prob.x_feed, t.basis)) for t in (tp, tt))
    if tt.value >= feed_t:
        raise AssayError("tails", tt,
                         f"a U-235 {tt.basis} fraction below the feed's {feed_t:.6g}",
                         bound=AssayBound("below feed", feed_t, _basis(tt)))
    if tp.value <= feed_p:
        raise AssayError("product", tp,
                         f"a U-235 {tp.basis} fraction above the feed's {feed_p:.6g}",
                         bound=AssayBound("above feed", feed_p, _basis(tp)))


def _basis(target: U235Fraction) -> FractionBasis:
    """The basis of a target, as the type of an :class:`~enrichwatch.errors.AssayBound` says."""
    return "atom" if target.basis == "atom" else "mass"


def _log_alpha_star(prob: _Problem, law: SeparationLaw, m_star_objective: str):
    """(ln alpha*_i, M*) for the law, optimising M* for a PerUnitMass law without one."""
    if m_star_objective not in _M_STAR_OBJECTIVES:
        raise InputError("m_star_objective", m_star_objective, "'exact' or 'wbs1999'")
    m_star = KEY_MIDPOINT_MASS
    if isinstance(law, PerUnitMass):
        m_star = (_optimal_m_star(prob, law.alpha, m_star_objective) if law.m_star is None
                  else law.m_star)
    theta = (_M238 - m_star) / (_M238 - _M235)
    return np.log(prob.gamma) - theta * math.log(prob.gamma[prob.j]), m_star


def ideal_cascade(
    feed: Composition,
    product: Assay | U235Fraction,
    tails: Assay | U235Fraction,
    law: SeparationLaw,
    *,
    feed_kg: float | None = None,
    product_kg: float | None = None,
    integer_stages: bool = True,
    m_star_objective: str = "exact",
) -> IdealCascade:
    """Design a multi-isotope ideal (MARC) cascade for given U-235 product and tails targets.

    Parameters
    ----------
    feed : Composition
        Feed isotopics (any of U-232 ... U-238; U-235 and U-238 required).
    product, tails : Assay or U235Fraction
        U-235 targets. An :class:`~enrichwatch.composition.Assay` is read as the U-235 mass
        fraction of the stream; use :class:`U235Fraction` to state the atom basis.
    law : SeparationLaw
        Separation law; its ``gamma_235`` sets the stages. A :class:`PerUnitMass` law without
        ``m_star`` gets the M* that minimises the total interstage flow per unit feed.
    feed_kg, product_kg : float or pint Quantity
        Exactly one: the feed or the product mass [kg U], >= 0; a quantity is converted to kg.
    integer_stages : bool
        True: integer stage numbers by miso's rule (the product overshoots, the tails are at or
        below target). False: real stage numbers that hit both targets.
    m_star_objective : {'exact', 'wbs1999'}
        Flow minimised when M* is free: the exact sum of stage flows, or eq. 31 of Wood,
        Borisevich & Sulaberidze (1999) as PyNE does (searched between the isotope masses that
        bracket the key midpoint, since eq. 31 is singular where alpha*_i = 1). M* is always
        optimised with real stage numbers.

    Returns
    -------
    IdealCascade
        Immutable; ``repr`` summarises stages, streams [kg U], SWU and flow.

    Raises
    ------
    AssayError
        Tails target at or above the feed, product target at or below the feed, or a product
        target beyond reach under integer staging (for these three, ``bound``, an
        :class:`~enrichwatch.errors.AssayBound` on the target's basis, holds the feed's U-235
        or the most reached); feed without U-235 or U-238.
    MassError
        Negative or non-finite mass.
    InputError
        A law that is not a SeparationLaw, both or neither of ``feed_kg``/``product_kg``,
        unknown objective.
    InputTypeError
        ``feed`` not a Composition, a target neither an Assay nor a U235Fraction (a bare
        float); :class:`~enrichwatch.errors.UnitError` for a quantity that is not a mass.
    ConvergenceError
        Real stage numbers not found.

    Examples
    --------
    >>> from enrichwatch.physics.separation import PerUnitMass, WoodCentrifuge
    >>> nat = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    >>> casc = ideal_cascade(nat, U235Fraction.atom_percent(90), U235Fraction.atom_percent(0.1),
    ...                      WoodCentrifuge(1.3), feed_kg=100.0)
    >>> casc.n_enriching, casc.n_stripping, round(casc.product.fraction("U235", "atom"), 6)
    (56, 14, 0.910207)
    >>> round(casc.product_kg, 4), round(casc.swu_kg, 2)
    (0.6643, 199.21)
    >>> casc = ideal_cascade(nat, Assay.from_weight_percent(5), Assay.from_weight_percent(0.25),
    ...                      PerUnitMass(1.05), product_kg=1.0, integer_stages=False)
    >>> round(casc.m_star, 3), round(casc.feed_kg, 3)
    (236.549, 10.507)
    """
    amounts = _amounts(feed_kg, product_kg)
    prob = _problem(feed, product, tails, law)
    log_a, m_star = _log_alpha_star(prob, law, m_star_objective)
    n_e: float
    n_s: float
    if integer_stages:
        n_e, n_s = _integer_stages(prob, log_a)
    else:
        n_e, n_s = _real_stages(prob, log_a)
    return _assemble(prob, law, m_star, log_a, (n_e, n_s), integer_stages, amounts)


def ideal_cascade_from_stages(
    feed: Composition,
    law: SeparationLaw,
    n_enriching: float,
    n_stripping: float,
    *,
    feed_kg: float | None = None,
    product_kg: float | None = None,
) -> IdealCascade:
    """The streams of an ideal cascade with given stage numbers (no targets).

    Useful to see what a cascade designed for one feed makes of another. A :class:`PerUnitMass`
    law without ``m_star`` uses the key midpoint M* = (m_235 + m_238)/2.

    Parameters
    ----------
    feed : Composition
        Feed isotopics; U-235 and U-238 required.
    law : SeparationLaw
        Separation law.
    n_enriching : int or float
        Enriching stages, feed stage included [1], > 0.
    n_stripping : int or float
        Stripping stages [1], >= 0. Integers for both give an integer cascade.
    feed_kg, product_kg : float or pint Quantity
        Exactly one: the feed or the product mass [kg U], >= 0; a quantity is converted to kg.

    Examples
    --------
    >>> from enrichwatch.physics.separation import WoodCentrifuge
    >>> nat = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    >>> casc = ideal_cascade_from_stages(nat, WoodCentrifuge(1.3), 56, 14, feed_kg=100.0)
    >>> round(casc.product.fraction("U235", "atom"), 6)
    0.910207
    """
    require_composition(feed, "feed")
    amounts = _amounts(feed_kg, product_kg)
    n_e = _number(n_enriching, "n_enriching", InputError, "a finite number of stages > 0", True)
    n_s = _number(n_stripping, "n_stripping", InputError, "a finite number of stages >= 0", False)
    dummy = U235Fraction.atom_fraction(0.5)
    prob = _problem(feed, dummy, dummy, law, check_targets=False)
    m_star = getattr(law, "m_star", None) or KEY_MIDPOINT_MASS
    log_a = np.log(law.symmetric_factors(prob.isotopes, m_star))
    integer = all(isinstance(n, int | np.integer) for n in (n_enriching, n_stripping))
    stages = (int(n_e), int(n_s)) if integer else (n_e, n_s)
    return _assemble(prob, law, m_star, log_a, stages, integer, amounts)


def _assemble(prob, law, m_star, log_a, stages, integer, amounts) -> IdealCascade:
    n_e, n_s = stages
    cut, x_p, x_t = _streams(prob.x_feed, log_a, float(n_e), float(n_s))
    cut = float(cut)
    m_f, m_p = float(prob.x_feed @ prob.masses), float(x_p @ prob.masses)
    f_kg, p_kg = _kg_flows(cut, m_f, m_p, *amounts)
    values = np.asarray(multi_isotope_value(prob.isotopes, np.stack([prob.x_feed, x_p, x_t]),
                                            prob.gamma))
    v_f, v_p, v_t = (float(v) for v in values)
    t_kg = f_kg - p_kg
    alpha_star = np.exp(log_a)
    alpha_star.setflags(write=False)
    return IdealCascade(
        law=law, m_star=float(m_star), isotopes=prob.isotopes, alpha_star=alpha_star,
        n_enriching=n_e, n_stripping=n_s, integer_stages=integer, feed=prob.feed,
        product=_composition(prob.isotopes, x_p, prob.masses),
        tails=_composition(prob.isotopes, x_t, prob.masses),
        feed_kg=f_kg, product_kg=p_kg, tails_kg=t_kg,
        swu_kg=p_kg * v_p + t_kg * v_t - f_kg * v_f,
        flow_per_feed=_exact_flow(prob, log_a, float(n_e), float(n_s)),
        flow_per_feed_wbs=_wbs_flow(prob, log_a, cut, x_p, x_t),
    )
