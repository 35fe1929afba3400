"""The matched-abundance-ratio (MARC) relations, their slopes, and the real stage-number fit.

The engine of :mod:`enrichwatch.physics.ideal` (which documents the model): with ``n_e``
enriching and ``n_s`` stripping stages and ``a = alpha*_i``, isotope i sends the share

    phi_i = (a^(n_s+1) - 1) / (a^(n_s+1) - a^(-n_e))

of its feed to the product (von Halle 1987, eqs. 37/39/47). Arrays run over isotopes on their
last axis; ``log_a`` holds ln alpha*_i.

Slopes, with ``A = a^(n_s+1)``, ``B = a^(-n_e)``, ``m = n_s + 1`` (differentiate the quotient)::

    d phi / d n_e = -ln(a) phi B / (A - B)        d phi / d m = ln(a) psi A / (A - B)

and at ``a = 1`` (phi = m / (n_e + m)): ``-m / (n_e + m)^2`` and ``n_e / (n_e + m)^2``.

Real stage numbers are fitted to two U-235 targets by Newton's method on the logits of the
targets in ``z = (ln n_e, ln(n_s + 1))``, with these analytic slopes: the logit of the U-235
fraction of the product is ``ln(w_235 x_235 phi_235) - ln(sum_{i != 235} w_i x_i phi_i)``
(w = 1 on the atom basis, the isotope masses on the mass basis), and of the tails the same
with psi = 1 - phi. Steps are halved until the residual falls (a fixed sequence, so the same
input gives the same answer); where Newton stalls, SciPy's ``root`` (``hybr``, then ``lm``)
takes over from the same start with the same analytic Jacobian. Nothing depends on time.

Examples
--------
>>> import numpy as np
>>> phi, psi, d_ne, d_m = share_slopes(np.array([0.13, 0.0, -0.02]), 30.0, 9.0)
>>> bool(np.allclose(phi + psi, 1.0)), float(phi[1]) == 10.0 / 40.0
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import root

__all__ = [
    "EXP_CAP",
    "FIT_TOL",
    "FitEquations",
    "FitTargets",
    "expm1_minus_x",
    "fit_stages",
    "flow_factors",
    "share_slopes",
    "shares",
    "streams",
]

EXP_CAP = 700.0  # exp() arguments are clipped here; every ratio has saturated long before
FIT_TOL = 1e-9  # largest |logit(got) - logit(target)| accepted for real stage numbers
_NEWTON_TOL = 1e-14  # Newton stops below this residual (the rounding floor of the logits)
_NEWTON_STEPS = 60  # Newton iterations before SciPy's root takes over
_HALVINGS = 30  # step halvings tried before a Newton step counts as stalled
_MAX_STEP = 2.0  # longest Newton step in ln n_e or ln(n_s + 1) (a factor e^2 in stage numbers)
_Z_CAP = 700.0  # |ln n_e|, |ln(n_s + 1)| beyond this overflow math.exp: such steps are halved


# -- the relations, vectorised over isotopes (last axis) and stage numbers ----------------------
def expm1_minus_x(x: np.ndarray) -> np.ndarray:
    """expm1(x) - x without cancellation for small |x|."""
    small = np.abs(x) < 1e-2
    if not small.any():
        return np.expm1(x) - x
    xs = np.where(small, x, 0.0)
    series = xs * xs * (0.5 + xs * (1 / 6 + xs * (1 / 24 + xs * (1 / 120 + xs / 720))))
    return np.where(small, series, np.expm1(x) - x)


def _exponents(log_a: np.ndarray, n_e, n_s):
    m1 = np.asarray(n_s, dtype=float) + 1.0
    n_e = np.asarray(n_e, dtype=float)
    up = np.minimum(np.maximum(m1 * log_a, -EXP_CAP), EXP_CAP)
    down = np.minimum(np.maximum(-n_e * log_a, -EXP_CAP), EXP_CAP)
    return n_e, m1, up, down


def shares(log_a: np.ndarray, n_e, n_s) -> tuple[np.ndarray, np.ndarray]:
    """Product share phi_i and tails share 1 - phi_i of each isotope's feed."""
    n_e, m1, up, down = _exponents(log_a, n_e, n_s)
    e_up, e_down = np.expm1(up), np.expm1(down)
    den = e_up - e_down
    if den.all():
        return e_up / den, -e_down / den
    zero = den == 0.0  # alpha*_i = 1 exactly: the limits of the expressions below
    safe = np.where(zero, 1.0, den)
    phi = np.where(zero, m1 / (n_e + m1), e_up / safe)
    psi = np.where(zero, n_e / (n_e + m1), -e_down / safe)
    return phi, psi


def share_slopes(log_a: np.ndarray, n_e: float, n_s: float):
    """phi_i, psi_i = 1 - phi_i and the slopes d phi_i / d n_e, d phi_i / d(n_s + 1).

    Exact derivatives of :func:`shares` as computed, clipping included: where an exponent is
    clipped at :data:`EXP_CAP` its share no longer moves, and its slope is 0.
    """
    n_e_, m1, up, down = _exponents(log_a, n_e, n_s)
    e_up, e_down = np.expm1(up), np.expm1(down)
    den = e_up - e_down
    if not den.all():
        return _share_slopes_at_one(log_a, den == 0.0, n_e_, m1, e_up, e_down, den)
    phi, psi = e_up / den, -e_down / den
    d_ne = (-log_a * (1.0 + e_down) / den) * phi
    d_m1 = (log_a * (1.0 + e_up) / den) * psi
    if np.abs(up).max() >= EXP_CAP or np.abs(down).max() >= EXP_CAP:
        d_ne = np.where(np.abs(down) < EXP_CAP, d_ne, 0.0)
        d_m1 = np.where(np.abs(up) < EXP_CAP, d_m1, 0.0)
    return phi, psi, d_ne, d_m1


def _share_slopes_at_one(log_a, zero, n_e, m1, e_up, e_down, den):
    """:func:`share_slopes` where some alpha*_i = 1 exactly (their limits, n_e, m1 > 0)."""
    safe = np.where(zero, 1.0, den)
    total = n_e + m1
    phi = np.where(zero, m1 / total, e_up / safe)
    psi = np.where(zero, n_e / total, -e_down / safe)
    d_ne = np.where(zero, -m1 / total**2, (-log_a * (1.0 + e_down) / safe) * phi)
    d_m1 = np.where(zero, n_e / total**2, (log_a * (1.0 + e_up) / safe) * psi)
    d_ne = np.where(zero | (np.abs(-n_e * log_a) < EXP_CAP), d_ne, 0.0)
    d_m1 = np.where(zero | (np.abs(m1 * log_a) < EXP_CAP), d_m1, 0.0)
    return phi, psi, d_ne, d_m1


def flow_factors(log_a: np.ndarray, n_e, n_s) -> np.ndarray:
    """Sum of the stage feed flows of each isotope per unit feed of that isotope."""
    n_e, m1, up, down = _exponents(log_a, n_e, n_s)
    den = (np.expm1(up) - np.expm1(down)) * np.tanh(0.5 * log_a)
    num = n_e * expm1_minus_x(up) + m1 * expm1_minus_x(down)
    if den.all():
        return num / den
    zero = den == 0.0
    return np.where(zero, n_e * m1, num / np.where(zero, 1.0, den))


def streams(x_feed: np.ndarray, log_a: np.ndarray, n_e, n_s):
    """Molar cut P/F and atom fractions of product and tails."""
    phi, psi = shares(log_a, n_e, n_s)
    up, down = x_feed * phi, x_feed * psi
    cut = up.sum(axis=-1)
    return cut, up / cut[..., None], down / down.sum(axis=-1)[..., None]


# -- the real stage-number fit ------------------------------------------------------------------
@dataclass(frozen=True)
class FitTargets:
    """Two U-235 targets as the weights that pick U-235 out of a stream, and their logits.

    ``key`` [2] is ``w_235 x_F,235`` per stream (product, tails); ``rest`` [K, 2] holds
    ``w_i x_F,i`` with 0 at U-235 (``w`` = 1 on the atom basis, the isotope masses on the mass
    basis); ``logit`` [2] is ln(t / (1 - t)) of each target t.
    """

    j: int
    key: tuple[float, float]
    rest: np.ndarray
    logit: tuple[float, float]

    @classmethod
    def of(cls, x_feed, j: int, weights: tuple, values: tuple) -> FitTargets:
        """From the feed atom fractions, the U-235 index, and per stream (product, tails) the
        basis weights (an array [K] or 1.0) and the target fraction in (0, 1)."""
        rest = np.stack([x_feed * np.asarray(w, dtype=float) for w in weights], axis=1)
        key = (float(rest[j, 0]), float(rest[j, 1]))
        rest[j] = 0.0
        logit = tuple(math.log(t) - math.log1p(-t) for t in values)
        return cls(j, key, rest, (logit[0], logit[1]))


class FitEquations:
    """Residuals and Jacobian of the two targets in ``z = (ln n_e, ln(n_s + 1))``.

    Called as ``eq(z) -> (r, jac)`` with ``r`` [2] (logit got - logit target; product, tails)
    and ``jac`` [2, 2] (row = residual, column = z). Holds its own scratch arrays: use one
    instance per fit, from one thread.
    """

    def __init__(self, log_a: np.ndarray, targets: FitTargets) -> None:
        self.log_a, self.targets = log_a, targets
        self._neg = -log_a
        self._reach = float(np.abs(log_a).max())  # no clipping while max(n_e, m) * reach < cap
        self._unit = not log_a.all()              # an alpha*_i = 1 exactly: the limit formulas
        self._buf = np.empty((4, log_a.size))     # rows: phi, psi, d phi/d n_e, d phi/d m
        self._rows = tuple(self._buf)
        self._inv = np.empty(log_a.size)

    def __call__(self, z) -> tuple[np.ndarray, np.ndarray]:
        r0, r1, j00, j01, j10, j11 = self.floats(float(z[0]), float(z[1]))
        return np.array([r0, r1]), np.array([[j00, j01], [j10, j11]])

    def floats(self, z0: float, z1: float) -> tuple[float, ...]:
        """(r_product, r_tails, dr_p/dz0, dr_p/dz1, dr_t/dz0, dr_t/dz1) as Python floats."""
        if not (abs(z0) < _Z_CAP and abs(z1) < _Z_CAP):   # math.exp would overflow
            return math.inf, math.inf, math.nan, math.nan, math.nan, math.nan
        n_e, n_s = math.exp(z0), math.expm1(z1)
        m1 = n_s + 1.0
        if self._unit or max(n_e, m1) * self._reach >= EXP_CAP:
            for row, value in zip(self._rows, share_slopes(self.log_a, n_e, n_s), strict=True):
                row[...] = value
        else:
            self._fill(n_e, m1)
        return self._finish(n_e, m1)

    def _fill(self, n_e: float, m1: float) -> None:
        """:func:`share_slopes` without clipping or a unit factor, in place (the hot path)."""
        phi, psi, d_ne, d_m1 = self._rows
        inv = self._inv
        np.multiply(self.log_a, m1, out=phi)
        np.expm1(phi, out=phi)                     # A - 1
        np.multiply(self._neg, n_e, out=psi)
        np.expm1(psi, out=psi)                     # B - 1
        np.subtract(phi, psi, out=inv)
        np.divide(1.0, inv, out=inv)               # 1 / (A - B)
        np.add(psi, 1.0, out=d_ne)                 # B
        np.add(phi, 1.0, out=d_m1)                 # A
        phi *= inv
        psi *= inv
        np.negative(psi, out=psi)
        d_ne *= self._neg
        d_ne *= inv
        d_ne *= phi                                # -ln(a) phi B / (A - B)
        d_m1 *= self.log_a
        d_m1 *= inv
        d_m1 *= psi                                # ln(a) psi A / (A - B)

    def _finish(self, n_e: float, m1: float) -> tuple[float, ...]:
        t = self.targets
        (o_p, _), (_, o_t), (a_p, a_t), (b_p, b_t) = (self._buf @ t.rest).tolist()
        phi_j, psi_j, a_j, b_j = self._buf[:, t.j].tolist()
        try:
            return (math.log(t.key[0] * phi_j) - math.log(o_p) - t.logit[0],
                    math.log(t.key[1] * psi_j) - math.log(o_t) - t.logit[1],
                    n_e * (a_j / phi_j - a_p / o_p), m1 * (b_j / phi_j - b_p / o_p),
                    n_e * (a_t / o_t - a_j / psi_j), m1 * (b_t / o_t - b_j / psi_j))
        except (ValueError, ZeroDivisionError):  # a share of 0: the target is out of reach here
            return math.inf, math.inf, math.nan, math.nan, math.nan, math.nan


def fit_stages(log_a: np.ndarray, targets: FitTargets, start) -> tuple[float, float, str]:
    """Real (n_e, n_s) whose product and tails hit the targets, from a start (n_e, n_s).

    Returns the stage numbers and an empty message, or nan and the solver's message if no
    solution within :data:`FIT_TOL` was found.
    """
    equations = FitEquations(log_a, targets)
    z0 = (math.log(start[0]), math.log1p(start[1]))
    z = _newton(equations, *z0)
    message = ""
    if z is None:
        for method in ("hybr", "lm"):  # judged by the residual: hybr may stall at the solution
            with np.errstate(all="ignore"):   # lm's covariance may overflow; not used
                sol = root(equations, np.array(z0), jac=True, method=method,
                           options={"xtol": 1e-13})
            if _size(*equations.floats(*sol.x.tolist())[:2]) <= FIT_TOL:
                z = tuple(sol.x.tolist())
                break
            message = str(sol.message)
    if z is None:
        return math.nan, math.nan, message
    return math.exp(z[0]), math.expm1(z[1]), ""


def _size(r0: float, r1: float) -> float:
    """Largest |residual|; inf if either is not finite."""
    if not (math.isfinite(r0) and math.isfinite(r1)):
        return math.inf
    return max(abs(r0), abs(r1))


def _newton(equations: FitEquations, z0: float, z1: float) -> tuple[float, float] | None:
    """Damped Newton iteration on Python floats; None where it stalls above :data:`FIT_TOL`."""
    r0, r1, a, b, c, d = equations.floats(z0, z1)
    size = _size(r0, r1)
    for _ in range(_NEWTON_STEPS):
        if size <= _NEWTON_TOL:
            break
        det = a * d - b * c
        if not (math.isfinite(det) and det != 0.0):
            break
        trial = _halve_until_better(equations, (z0, z1), ((r1 * b - r0 * d) / det,
                                                         (r0 * c - r1 * a) / det), size)
        if trial is None:
            break  # no step lowers the residual: at its rounding floor, or stalled
        (z0, z1), (r0, r1, a, b, c, d), size = trial
    return (z0, z1) if size <= FIT_TOL else None


def _halve_until_better(equations: FitEquations, z, step, size):
    """(z, equations at z, residual size) after the longest step z + s step / 2^k
    (k < _HALVINGS) that lowers the residual, or None; s shortens a step longer than
    _MAX_STEP (near the product plateau the Jacobian is almost singular)."""
    scale = min(1.0, _MAX_STEP / max(abs(step[0]), abs(step[1]), 1e-300))
    for _ in range(_HALVINGS):
        z0, z1 = z[0] + scale * step[0], z[1] + scale * step[1]
        values = equations.floats(z0, z1)
        new_size = _size(values[0], values[1])
        if new_size < size:
            return (z0, z1), values, new_size
        scale *= 0.5
    return None
