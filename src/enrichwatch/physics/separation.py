"""Per-isotope stage separation factors: the laws that say how a stage separates each isotope.

Naming, fixed project-wide (abundance ratio R = x / (1 - x) of an isotope against U-238):

* heads factor ``alpha = R_P / R_F``, tails factor ``beta = R_F / R_W``;
* overall stage factor ``gamma = alpha * beta`` (heads ratio over tails ratio);
* symmetric (MARC) factor ``alpha*``, the heads/feed factor of a stage that splits a virtual
  component of mass M* in half (``alpha* = sqrt(gamma)`` for a binary mixture).

Three laws share one interface, :class:`SeparationLaw`:

* :class:`WoodCentrifuge` -- gamma linear in the mass-number difference (Wood 2008);
* :class:`WoodDiffusion` -- Graham's law for UF6, ``sqrt((238 + 114) / (A + 114))`` (Wood 2008);
* :class:`PerUnitMass` -- a factor per unit mass difference with real atomic masses (the PyNE
  convention, ``alpha*_i = alpha ** (M* - m_i)``).

References
----------
H. G. Wood, "Effects of separation processes on minor uranium isotopes in enrichment cascades",
Science and Global Security 16, 26-36 (2008).
E. von Halle, "Multicomponent isotope separation in matched abundance ratio cascades composed of
stages with large separation factors", K/ITP-191, Martin Marietta Energy Systems (1987), eq. 15.

Examples
--------
>>> from enrichwatch.physics.separation import WoodCentrifuge
>>> law = WoodCentrifuge(gamma_235=1.6)
>>> law.stage_factors(("U234", "U235", "U238"), 1.6).round(6).tolist()
[1.8, 1.6, 1.0]
>>> law.stage_factors(("U235", "U238"), [1.3, 1.6]).round(6).tolist()
[[1.3, 1.0], [1.6, 1.0]]
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..composition import isotope_name
from ..constants import ISOTOPE_MASS, MASS_NUMBER
from ..errors import InputError

__all__ = [
    "SeparationLaw",
    "WoodCentrifuge",
    "WoodDiffusion",
    "PerUnitMass",
    "KEY_MIDPOINT_MASS",
]

_M235 = ISOTOPE_MASS["U235"]
_M238 = ISOTOPE_MASS["U238"]

#: Mass of the virtual component halfway between the key isotopes U-235 and U-238 [g/mol]:
#: the M* of a symmetric matched-abundance-ratio cascade (von Halle 1987, eq. 15).
KEY_MIDPOINT_MASS: float = 0.5 * (_M235 + _M238)

#: Molar mass of fluorine in UF6 that Wood (2008) adds to the uranium mass number [g/mol].
_WOOD_F6 = 114.0


@lru_cache(maxsize=256)
def _canonical(isotopes: tuple) -> tuple[str, ...]:
    return tuple(isotope_name(i) for i in isotopes)


def canonical_isotopes(isotopes: Iterable[str]) -> tuple[str, ...]:
    """Canonical names of ``isotopes`` (``"U-235"`` -> ``"U235"``); unknown names raise.

    >>> canonical_isotopes(["u-234", "235U"])
    ('U234', 'U235')
    """
    if isinstance(isotopes, str):
        raise InputError("isotopes", isotopes, "a sequence of isotope names, not one string")
    return _canonical(tuple(isotopes))


def _check_gamma(gamma_235, param: str = "gamma_235") -> np.ndarray:
    g = np.asarray(gamma_235, dtype=float)
    if g.ndim > 1 or not np.all(np.isfinite(g)) or np.any(g <= 1.0):
        raise InputError(param, gamma_235,
                         "a finite U-235/U-238 stage separation factor > 1 (scalar or 1-D array)")
    return g


def _check_factor(value, param: str, allowed: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(param, value, allowed) from None
    if not math.isfinite(x) or x <= 1.0:
        raise InputError(param, value, allowed)
    return x


class SeparationLaw(ABC):
    """Interface of a stage separation law; the concrete laws are frozen dataclasses.

    Every law has ``gamma_235``, the overall U-235/U-238 stage factor [1] that an ideal cascade
    built with the law uses, and :meth:`stage_factors`, which the fixed-cascade solver calls.
    """

    gamma_235: float

    @abstractmethod
    def _factors(self, isotopes: tuple[str, ...], g: np.ndarray) -> np.ndarray:
        """gamma_k for canonical ``isotopes`` and checked factors ``g`` of shape (S, 1) or ()."""

    def stage_factors(self, isotopes: tuple[str, ...], gamma_235: np.ndarray | float) -> np.ndarray:
        """Overall stage separation factor gamma_k of each isotope relative to U-238.

        Parameters
        ----------
        isotopes : tuple of str
            Isotope names (``"U235"``, ``"U-235"``, ``"235U"`` ...).
        gamma_235 : float or ndarray of shape (S,)
            U-235/U-238 overall stage factor (heads over tails abundance ratio) [1], > 1.

        Returns
        -------
        ndarray
            Shape (K,) for a scalar ``gamma_235``, (S, K) for an array; U-238 gets 1.0.

        Examples
        --------
        >>> WoodDiffusion().stage_factors(("U235", "U238"), 1.2).round(3).tolist()
        [1.2, 1.0]
        """
        names = canonical_isotopes(isotopes)
        g = _check_gamma(gamma_235)
        return self._factors(names, g if g.ndim == 0 else g[:, None])

    def symmetric_factors(
        self, isotopes: tuple[str, ...], m_star: float | None = None
    ) -> np.ndarray:
        """Symmetric factors alpha*_k of an ideal cascade built with :attr:`gamma_235`.

        ``ln alpha*_k = ln gamma_k - theta ln gamma_235`` with
        ``theta = (m_238 - M*) / (m_238 - m_235)`` (real atomic masses), so that a virtual
        component of mass M* has alpha* = 1. ``m_star=None`` takes the key midpoint
        (theta = 1/2, ``alpha*_k = gamma_k / sqrt(gamma_235)``, von Halle 1987 eq. 15).

        >>> WoodCentrifuge(1.3).symmetric_factors(("U235", "U238")).round(6).tolist()
        [1.140175, 0.877058]
        """
        names = canonical_isotopes(isotopes)
        log_g235 = math.log(self.gamma_235)
        theta = 0.5 if m_star is None else (_M238 - m_star) / (_M238 - _M235)
        return np.exp(np.log(self._factors(names, np.asarray(self.gamma_235))) - theta * log_g235)


@dataclass(frozen=True)
class WoodCentrifuge(SeparationLaw):
    """Gas centrifuge: gamma_i = 1 + (238 - A_i)(gamma_235 - 1)/3 with mass numbers A_i (Wood 2008).

    Parameters
    ----------
    gamma_235 : float
        Overall U-235/U-238 stage separation factor used by ideal cascades [1], > 1.

    Examples
    --------
    >>> WoodCentrifuge(1.6).stage_factors(("U232", "U236"), 1.6).round(12).tolist()
    [2.2, 1.4]
    """

    gamma_235: float

    def __post_init__(self) -> None:
        allowed = "a finite U-235/U-238 stage separation factor > 1"
        object.__setattr__(self, "gamma_235", _check_factor(self.gamma_235, "gamma_235", allowed))

    def _factors(self, isotopes: tuple[str, ...], g: np.ndarray) -> np.ndarray:
        dm = np.array([238 - MASS_NUMBER[i] for i in isotopes], dtype=float)
        return 1.0 + dm * (g - 1.0) / 3.0

    def __repr__(self) -> str:
        return f"WoodCentrifuge(gamma_235={self.gamma_235:g})"


def _wood_diffusion_log(isotopes: tuple[str, ...]) -> np.ndarray:
    a = np.array([MASS_NUMBER[i] for i in isotopes], dtype=float)
    return 0.5 * np.log((238.0 + _WOOD_F6) / (a + _WOOD_F6))


_WOOD_DIFFUSION_LOG_235 = float(_wood_diffusion_log(("U235",))[0])


@dataclass(frozen=True)
class WoodDiffusion(SeparationLaw):
    """Gaseous diffusion: gamma_i = sqrt((238 + 114)/(A_i + 114)) with mass numbers (Wood 2008).

    The law fixes gamma_235 = sqrt(352/349). :meth:`stage_factors` given another gamma_235 scales
    the exponent, ``ln gamma_k = ln gamma_k^WD * ln(gamma_235) / ln(gamma_235^WD)``, which keeps
    the mass dependence and honours the stage's U-235 factor.

    Examples
    --------
    >>> round(WoodDiffusion().gamma_235, 9)
    1.004288797
    """

    @property
    def gamma_235(self) -> float:  # type: ignore[override]  # a field in other laws
        return math.exp(_WOOD_DIFFUSION_LOG_235)

    def _factors(self, isotopes: tuple[str, ...], g: np.ndarray) -> np.ndarray:
        scale = np.log(g) / _WOOD_DIFFUSION_LOG_235
        return np.exp(_wood_diffusion_log(isotopes) * scale)

    def __repr__(self) -> str:
        return "WoodDiffusion()"


@dataclass(frozen=True)
class PerUnitMass(SeparationLaw):
    """Factor per unit mass difference with real atomic masses (PyNE convention).

    The symmetric factor of isotope i is ``alpha ** (M* - m_i)``; the overall factor against
    U-238 is ``gamma_i = alpha ** (m_238 - m_i)``.

    Parameters
    ----------
    alpha : float
        Stage separation factor per unit mass difference [1], > 1.
    m_star : float or None
        Key weight M* [g/mol] between the lightest and heaviest uranium isotope mass; ``None``
        lets :func:`enrichwatch.physics.ideal.ideal_cascade` choose the M* that minimises the
        total interstage flow per unit feed.

    Examples
    --------
    >>> law = PerUnitMass(1.05, m_star=236.5)
    >>> round(law.gamma_235, 6)
    1.158012
    >>> law.symmetric_factors(("U235", "U238"), law.m_star).round(6).tolist()
    [1.073626, 0.927128]
    """

    alpha: float
    m_star: float | None = None

    def __post_init__(self) -> None:
        alpha = _check_factor(self.alpha, "alpha", "a finite factor per unit mass difference > 1")
        object.__setattr__(self, "alpha", alpha)
        if self.m_star is not None:
            lo, hi = min(ISOTOPE_MASS.values()), max(ISOTOPE_MASS.values())
            allowed = f"None or a finite key weight M* in [{lo:.4f}, {hi:.4f}] g/mol"
            try:
                m = float(self.m_star)
            except (TypeError, ValueError):
                raise InputError("m_star", self.m_star, allowed) from None
            if not (math.isfinite(m) and lo <= m <= hi):
                raise InputError("m_star", self.m_star, allowed)
            object.__setattr__(self, "m_star", m)

    @property
    def gamma_235(self) -> float:  # type: ignore[override]  # a field in other laws
        return self.alpha ** (_M238 - _M235)

    def _factors(self, isotopes: tuple[str, ...], g: np.ndarray) -> np.ndarray:
        dm = np.array([_M238 - ISOTOPE_MASS[i] for i in isotopes])
        return np.exp(dm / (_M238 - _M235) * np.log(g))

    def symmetric_factors(
        self, isotopes: tuple[str, ...], m_star: float | None = None
    ) -> np.ndarray:
        """alpha*_k = alpha ** (M* - m_k); ``m_star`` defaults to the law's, then the key midpoint.

        >>> PerUnitMass(1.05).symmetric_factors(("U236",), 236.5).round(6).tolist()
        [1.022419]
        """
        m = self.m_star if m_star is None else m_star
        return super().symmetric_factors(isotopes, m)

    def __repr__(self) -> str:
        return f"PerUnitMass(alpha={self.alpha:g}, m_star={self.m_star!r})"
