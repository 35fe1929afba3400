"""Inspection games: how often to inspect when the inspectee chooses whether to violate.

Three calculators:

* :func:`inspection_game`: the basic 2x2 inspection game in closed form (Avenhaus, von Stengel
  and Zamir, "Inspection games", Handbook of Game Theory vol. 3, ch. 51, 2002; Avenhaus and
  Canty, *Compliance Quantified*, 1996). The inspector inspects or not, the inspectee behaves
  legally or violates. Inspectee: 0 if legal, gain ``d`` from an undetected violation, sanction
  ``-b`` from a detected one. Inspector: 0 (legal, no inspection), ``-e`` (legal, inspected),
  ``-c`` (undetected violation), ``-a`` (detected violation), ``0 <= a < c``. An inspection
  detects a violation with probability ``1 - beta``. Mixed equilibrium: inspection probability
  ``p* = d / ((1 - beta)(b + d))`` and violation probability ``q* = e / (e + (1 - beta)(c - a))``;
  violating does not pay once ``p (1 - beta) >= d / (b + d)`` (the deterrence condition), so
  deterrence is possible only if ``1 - beta >= d / (b + d)``, the critical detection probability.
* :func:`solve_zero_sum`: value and optimal mixed strategies of a zero-sum matrix game by linear
  programming (scipy's HiGHS); :func:`solve_2x2_zero_sum`, the 2x2 closed form it is checked
  against.
* :func:`bimatrix_equilibria`: the Nash equilibria of a (non-degenerate) two-player game by
  support enumeration (B. von Stengel, "Equilibrium computation for two-player games in
  strategic and extensive form", ch. 3 of Nisan et al. (eds.), *Algorithmic Game Theory*, 2007;
  the method of the nashpy library, written here rather than adding nashpy and its networkx and
  deprecated dependencies for some 80 lines).

Matrices: rows are the row player's (inspector's) pure strategies, columns the column player's;
a row player's payoff matrix holds what the row player receives.

Examples
--------
>>> eq = inspection_game(gain=1, sanction=9, inspection_cost=1, undetected_loss=10,
...                      detected_loss=1)
>>> round(eq.inspection_probability, 12), round(eq.violation_probability, 12)
(0.1, 0.1)
>>> solve_zero_sum([[1, -1], [-1, 1]]).value
0.0
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ..errors import ConvergenceError, InputError
from . import _verify as check

__all__ = [
    "MAX_SUPPORT_PAIRS",
    "Equilibrium",
    "InspectionEquilibrium",
    "InspectionGame",
    "ZeroSumSolution",
    "bimatrix_equilibria",
    "deterrence_condition",
    "inspection_game",
    "solve_2x2_zero_sum",
    "solve_zero_sum",
]

#: Largest number of support pairs :func:`bimatrix_equilibria` enumerates (C(m+n, m); 12,870 for
#: an 8x8 game).
MAX_SUPPORT_PAIRS = 20_000


# -- the 2x2 inspection game ------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionGame:
    """Payoff parameters of the 2x2 inspection game (any consistent utility unit).

    Parameters
    ----------
    gain : float
        ``d`` > 0: the inspectee's gain from an undetected violation.
    sanction : float
        ``b`` > 0: the inspectee's loss when a violation is detected.
    inspection_cost : float
        ``e`` > 0: the inspector's cost of inspecting a legal inspectee.
    undetected_loss : float
        ``c`` > 0: the inspector's loss from an undetected violation.
    detected_loss : float
        ``a``, ``0 <= a < c``: the inspector's loss from a detected violation.
    detection_probability : float
        ``1 - beta`` in [0, 1]: probability that an inspection detects a violation.
    """

    gain: float
    sanction: float
    inspection_cost: float
    undetected_loss: float
    detected_loss: float
    detection_probability: float = 1.0

    def __post_init__(self) -> None:
        for name in ("gain", "sanction", "inspection_cost", "undetected_loss"):
            object.__setattr__(self, name, check.positive(name, getattr(self, name)))
        a = check.nonnegative("detected_loss", self.detected_loss)
        if a >= self.undetected_loss:
            raise InputError("detected_loss", self.detected_loss,
                             f"a loss >= 0 below undetected_loss ({self.undetected_loss:g}): "
                             "the inspector prefers detecting a violation")
        object.__setattr__(self, "detected_loss", a)
        object.__setattr__(self, "detection_probability", check.probability(
            "detection_probability", self.detection_probability))

    @property
    def critical_detection_probability(self) -> float:
        """``d / (b + d)``: the detection probability below which no inspection rate deters."""
        return self.gain / (self.sanction + self.gain)

    def payoffs(self) -> tuple[np.ndarray, np.ndarray]:
        """The inspector's and the inspectee's 2x2 payoff matrices: rows (inspect, do not
        inspect), columns (legal, violate)."""
        det, miss = self.detection_probability, 1.0 - self.detection_probability
        a, c, e = self.detected_loss, self.undetected_loss, self.inspection_cost
        b, d = self.sanction, self.gain
        inspector = np.array([[-e, -det * a - miss * c], [0.0, -c]])
        inspectee = np.array([[0.0, -det * b + miss * d], [0.0, d]])
        return inspector, inspectee


@dataclass(frozen=True)
class InspectionEquilibrium:
    """Solution of the 2x2 inspection game.

    ``inspection_probability`` and ``violation_probability`` are the simultaneous-move
    equilibrium; ``leadership_inspection_probability`` is what an inspector who announces its
    rate in advance (inspector leadership) needs to deter (None when it cannot), and
    ``leadership_inspector_payoff`` what that costs it.
    """

    game: InspectionGame
    inspection_probability: float
    violation_probability: float
    inspector_payoff: float
    inspectee_payoff: float
    leadership_inspection_probability: float | None
    leadership_inspector_payoff: float | None

    @property
    def critical_detection_probability(self) -> float:
        return self.game.critical_detection_probability

    @property
    def deterrence_possible(self) -> bool:
        """Whether some inspection rate deters: ``1 - beta >= d / (b + d)``."""
        return self.leadership_inspection_probability is not None

    def as_dict(self) -> dict:
        g = self.game
        return {"gain": g.gain, "sanction": g.sanction, "inspection_cost": g.inspection_cost,
                "undetected_loss": g.undetected_loss, "detected_loss": g.detected_loss,
                "detection_probability": g.detection_probability,
                "critical_detection_probability": self.critical_detection_probability,
                "inspection_probability": self.inspection_probability,
                "violation_probability": self.violation_probability,
                "inspector_payoff": self.inspector_payoff,
                "inspectee_payoff": self.inspectee_payoff,
                "deterrence_possible": self.deterrence_possible,
                "leadership_inspection_probability": self.leadership_inspection_probability,
                "leadership_inspector_payoff": self.leadership_inspector_payoff}


def deterrence_condition(inspection_probability, detection_probability, gain, sanction) -> bool:
    """Whether violating does not pay: ``p (1 - beta) >= d / (b + d)`` (ties counted as
    deterred, the inspectee then being indifferent).

    >>> deterrence_condition(0.4, 0.2, gain=1, sanction=9), deterrence_condition(1, 0.1, 1, 9)
    (False, True)
    """
    p = check.probability("inspection_probability", inspection_probability)
    det = check.probability("detection_probability", detection_probability)
    d, b = check.positive("gain", gain), check.positive("sanction", sanction)
    p_, det_, d_, b_ = (check.exact(v) for v in (p, det, d, b))     # ties decided exactly
    return p_ * det_ * (b_ + d_) >= d_


def inspection_game(gain, sanction, inspection_cost, undetected_loss, detected_loss,
                    detection_probability=1.0) -> InspectionEquilibrium:
    """Equilibrium of the 2x2 inspection game in closed form (parameters as
    :class:`InspectionGame`).

    If ``1 - beta >= d / (b + d)`` the equilibrium is mixed: ``p* = d / ((1 - beta)(b + d))``,
    ``q* = e / (e + (1 - beta)(c - a))``, payoffs ``-c q*`` (inspector) and 0 (inspectee);
    otherwise violating is dominant and the inspector inspects always (never, if
    ``1 - beta = 0``), ``p = 1, q = 1``.

    Returns
    -------
    InspectionEquilibrium
    """
    g = InspectionGame(gain, sanction, inspection_cost, undetected_loss, detected_loss,
                       detection_probability)
    det = g.detection_probability
    if det > 0.0 and det >= g.critical_detection_probability:
        p = min(g.gain / (det * (g.sanction + g.gain)), 1.0)
        q = g.inspection_cost / (g.inspection_cost + det * (g.undetected_loss - g.detected_loss))
        return InspectionEquilibrium(g, p, q, -g.undetected_loss * q, 0.0, p,
                                     -g.inspection_cost * p)
    inspector, inspectee = g.payoffs()
    row = 0 if det > 0.0 else 1
    return InspectionEquilibrium(g, 1.0 - row, 1.0, float(inspector[row, 1]),
                                 float(inspectee[row, 1]), None, None)


# -- zero-sum matrix games --------------------------------------------------------------------


def _matrix(param: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(param, values, "a matrix of numbers (rows of equal length)") from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(param, values, "a non-empty matrix (a list of rows of equal length)")
    if not np.all(np.isfinite(arr)):
        raise InputError(param, float(arr[~np.isfinite(arr)][0]), "finite payoffs")
    return arr


@dataclass(frozen=True)
class ZeroSumSolution:
    """Value of a zero-sum game (to the row player) and optimal mixed strategies."""

    value: float
    row_strategy: tuple[float, ...]
    column_strategy: tuple[float, ...]

    def as_dict(self) -> dict:
        return {"value": self.value, "row_strategy": list(self.row_strategy),
                "column_strategy": list(self.column_strategy)}


def _maximin(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    """The row player's maximin: maximise v with ``x^T A >= v``, ``sum x = 1``, ``x >= 0``."""
    m, n = matrix.shape
    cost = np.zeros(m + 1)
    cost[-1] = -1.0
    a_ub = np.hstack([-matrix.T, np.ones((n, 1))])
    a_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(cost, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    if res.status != 0:
        raise ConvergenceError("zero-sum game linear programme", str(res.message))
    x = np.clip(res.x[:m], 0.0, None)
    return float(res.x[-1]) + 0.0, x / x.sum()           # + 0.0: no negative zero


def solve_zero_sum(matrix) -> ZeroSumSolution:
    """Solve a zero-sum matrix game by linear programming (scipy ``linprog``, HiGHS).

    Parameters
    ----------
    matrix : array_like, shape (m, n)
        The row player's payoffs (the column player pays them).

    Returns
    -------
    ZeroSumSolution
        The value (row player's maximin = column player's minimax) and optimal strategies.

    Examples
    --------
    >>> s = solve_zero_sum([[3, -1], [-2, 1]])
    >>> round(s.value, 12), [round(x, 12) for x in s.row_strategy]
    (0.142857142857, [0.428571428571, 0.571428571429])
    """
    a = _matrix("matrix", matrix)
    value, x = _maximin(a)
    minus_value, y = _maximin(-a.T)
    del minus_value                          # equal to -value by LP duality
    return ZeroSumSolution(value, tuple(x.tolist()), tuple(y.tolist()))


def solve_2x2_zero_sum(matrix) -> ZeroSumSolution:
    """Closed-form solution of a 2x2 zero-sum game ``[[a, b], [c, d]]``.

    A saddle point (``max_i min_j = min_j max_i``) gives pure strategies; otherwise
    ``x1 = (d - c) / D``, ``y1 = (d - b) / D``, value ``(a d - b c) / D`` with
    ``D = a - b - c + d``.

    >>> solve_2x2_zero_sum([[3, -1], [-2, 1]]).value
    0.14285714285714285
    """
    arr = _matrix("matrix", matrix)
    if arr.shape != (2, 2):
        raise InputError("matrix", arr.tolist(), "a 2x2 matrix")
    (a, b), (c, d) = arr.tolist()
    lower, upper = arr.min(axis=1).max(), arr.max(axis=0).min()
    if lower == upper:                                         # saddle point: pure strategies
        i, j = int(arr.min(axis=1).argmax()), int(arr.max(axis=0).argmin())
        return ZeroSumSolution(float(lower), tuple(float(k == i) for k in range(2)),
                               tuple(float(k == j) for k in range(2)))
    den = a - b - c + d
    x1, y1 = (d - c) / den, (d - b) / den
    return ZeroSumSolution((a * d - b * c) / den, (x1, 1.0 - x1), (y1, 1.0 - y1))


# -- bimatrix games: support enumeration -------------------------------------------------------


@dataclass(frozen=True)
class Equilibrium:
    """A Nash equilibrium of a two-player game: mixed strategies and expected payoffs."""

    row_strategy: tuple[float, ...]
    column_strategy: tuple[float, ...]
    row_payoff: float
    column_payoff: float

    def as_dict(self) -> dict:
        return {"row_strategy": list(self.row_strategy),
                "column_strategy": list(self.column_strategy),
                "row_payoff": self.row_payoff, "column_payoff": self.column_payoff}


def _indifferent(payoff: np.ndarray, own: tuple, other: tuple) -> tuple[np.ndarray, float] | None:
    """Mixture over ``other`` (columns of ``payoff``) that makes every strategy in ``own`` (its
    rows) equally good; None if there is none or it is not unique."""
    k = len(own)
    system = np.zeros((k + 1, k + 1))
    system[:k, :k] = payoff[np.ix_(own, other)]
    system[:k, k] = -1.0
    system[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        sol = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(sol)):
        return None
    return sol[:k], float(sol[k])


def _on_support(size: int, support: tuple, weights: np.ndarray, tol: float) -> np.ndarray | None:
    if np.any(weights < -tol):
        return None
    full = np.zeros(size)
    full[list(support)] = np.clip(weights, 0.0, None)
    return full / full.sum()


def _equilibrium_on(a, b, rows, cols, ptol: float, utol: float) -> Equilibrium | None:
    """The equilibrium whose supports are ``rows`` and ``cols``, if there is one (``ptol``:
    tolerance on probabilities, ``utol`` on payoffs)."""
    col_mix = _indifferent(a, rows, cols)          # column mixture making the rows indifferent
    row_mix = _indifferent(b.T, cols, rows)        # row mixture making the columns indifferent
    if col_mix is None or row_mix is None:
        return None
    y = _on_support(a.shape[1], cols, col_mix[0], ptol)
    x = _on_support(a.shape[0], rows, row_mix[0], ptol)
    if x is None or y is None:
        return None
    u, v = float(x @ a @ y), float(x @ b @ y)
    if np.any(a @ y > u + utol) or np.any(x @ b > v + utol):      # a better reply off the support
        return None
    return Equilibrium(tuple(x.tolist()), tuple(y.tolist()), u, v)


def bimatrix_equilibria(row_payoffs, column_payoffs, *, tol: float = 1e-9) -> tuple[Equilibrium,
                                                                                     ...]:
    """Nash equilibria of a two-player game by support enumeration.

    Every pair of supports of equal size is tried: the mixtures that make each player
    indifferent over the other's support are solved for, and kept when they are probability
    vectors and no strategy off the support does better. For a non-degenerate game this finds
    every equilibrium (an odd number); a degenerate game (a pure strategy with two best replies,
    ties in the payoffs) may have continua of equilibria, of which only some are returned.

    Parameters
    ----------
    row_payoffs, column_payoffs : array_like, shape (m, n)
        What the row and the column player receive.
    tol : float
        Tolerance on probabilities, and on payoffs relative to the largest absolute payoff
        (for best replies).

    Returns
    -------
    tuple of Equilibrium
        In the order found (smaller supports first), without duplicates.

    Examples
    --------
    >>> sexes = bimatrix_equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> [([round(x, 9) for x in eq.row_strategy], round(eq.row_payoff, 9)) for eq in sexes]
    [([1.0, 0.0], 3.0), ([0.0, 1.0], 2.0), ([0.6, 0.4], 1.2)]
    """
    a, b = _matrix("row_payoffs", row_payoffs), _matrix("column_payoffs", column_payoffs)
    if a.shape != b.shape:
        raise InputError("column_payoffs", b.shape, f"a matrix of the row payoffs' shape {a.shape}")
    m, n = a.shape
    if math.comb(m + n, m) > MAX_SUPPORT_PAIRS:
        raise InputError("row_payoffs", a.shape, "a game small enough for support enumeration "
                                                 f"(at most {MAX_SUPPORT_PAIRS} support pairs, "
                                                 "e.g. 8x8)")
    tol = check.positive("tol", tol)
    scale = tol * max(1.0, float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    found: list[Equilibrium] = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                eq = _equilibrium_on(a, b, rows, cols, tol, scale)
                if eq is not None and not any(_same(eq, other, tol) for other in found):
                    found.append(eq)
    return tuple(found)


def _same(p: Equilibrium, q: Equilibrium, tol: float) -> bool:
    return bool(np.allclose(p.row_strategy, q.row_strategy, atol=max(tol, 1e-12))
                and np.allclose(p.column_strategy, q.column_strategy, atol=max(tol, 1e-12)))
