"""The binary stage relation of the transient model: a stage's heads and tails assays from its
hold-up assay.

A stage holds well-mixed gas at U-235 weight fraction ``z``; it splits its flow at the cut
``theta`` into heads at ``y`` and tails at ``x`` with abundance ratios related by the stage
factor, ``y/(1 - y) = gamma x/(1 - x)``, and the split conserves U-235,
``theta y + (1 - theta) x = z`` (Cohen 1951). With
``y = gamma x / (1 + (gamma - 1) x)`` the second relation is the quadratic

``a x^2 + b x - z = 0``,  ``a = (1 - theta)(gamma - 1)``,  ``b = 1 + (theta - z)(gamma - 1)``,

whose root in [0, 1] is written without cancellation, ``x = 2 z / (b + sqrt(b^2 + 4 a z))``.
This is the model's only nonlinearity. Weight fractions are used throughout: abundance ratios of
weight fractions equal those of atom fractions times a constant (M238/M235) that cancels, so the
relation is the same as the steady solver's (:mod:`enrichwatch.physics.steady_state`) on a
U-235/U-238 feed.

Examples
--------
>>> import numpy as np
>>> x, dx = tails_assay(np.array([0.05]), np.array([0.5]), np.array([1.4]))
>>> y = heads_assay(np.array([0.05]), x, np.array([0.5]))
>>> bool(0 < x[0] < 0.05 < y[0] < 1)
True
>>> round(float(((y / (1 - y)) / (x / (1 - x)))[0]), 12)
1.4
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["heads_assay", "point_assays", "tails_assay", "tails_only"]


def tails_assay(z: np.ndarray, cuts: np.ndarray, gamma: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Tails assay ``x`` of stages holding gas at ``z``, and ``dx/dz``.

    Parameters
    ----------
    z : ndarray
        U-235 weight fraction of each stage's hold-up [1], clipped to [0, 1].
    cuts : ndarray
        Mass cut theta of each stage [1], in (0, 1).
    gamma : ndarray
        Heads-over-tails abundance-ratio factor of each stage [1], > 1.

    Returns
    -------
    x, dxdz : ndarray
        Tails weight fraction [1] and its derivative with respect to ``z`` [1].
    """
    x, g1, a, b = _tails(z, cuts, gamma)
    return x, (1.0 + g1 * x) / (2.0 * a * x + b)


def tails_only(z: np.ndarray, cuts: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """:func:`tails_assay`'s ``x`` alone (the same numbers, without the derivative)."""
    return _tails(z, cuts, gamma)[0]


def _tails(z, cuts, gamma):
    z = np.clip(z, 0.0, 1.0)
    g1 = gamma - 1.0
    a = (1.0 - cuts) * g1
    b = 1.0 + (cuts - z) * g1
    return 2.0 * z / (b + np.sqrt(b * b + 4.0 * a * z)), g1, a, b


def heads_assay(z: np.ndarray, x: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Heads assay ``y = (z - (1 - theta) x) / theta`` [1] from the hold-up and tails assays."""
    return (np.clip(z, 0.0, 1.0) - (1.0 - cuts) * x) / cuts


def point_assays(z: float, cut: float, gamma: float) -> tuple[float, float]:
    """Tails and heads assays ``(x, y)`` [1] of one stage (scalar :func:`tails_assay`)."""
    z = min(max(z, 0.0), 1.0)
    g1 = gamma - 1.0
    a = (1.0 - cut) * g1
    b = 1.0 + (cut - z) * g1
    x = 2.0 * z / (b + math.sqrt(b * b + 4.0 * a * z))
    return x, (z - (1.0 - cut) * x) / cut
