"""Input checks shared by the verification modules (sampling, games, plant checks).

Each check returns the value in the type the calculators use, or raises
:class:`~enrichwatch.errors.InputError` naming the parameter, echoing the value and saying what is
allowed.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..errors import InputError, InputTypeError

__all__ = ["count", "exact", "finite", "nonnegative", "positive", "probability", "vector"]


def _number(param: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise InputTypeError(param, value, "a real number")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(param, value, "a finite number")
    return x


def finite(param: str, value) -> float:
    """A finite real number."""
    return _number(param, value)


def positive(param: str, value, what: str = "a finite number > 0") -> float:
    """A finite number > 0."""
    x = _number(param, value)
    if x <= 0.0:
        raise InputError(param, value, what)
    return x


def nonnegative(param: str, value, what: str = "a finite number >= 0") -> float:
    """A finite number >= 0."""
    x = _number(param, value)
    if x < 0.0:
        raise InputError(param, value, what)
    return x


def probability(param: str, value, *, low_open: bool = False, high_open: bool = False) -> float:
    """A probability in [0, 1]; ``low_open``/``high_open`` exclude 0 or 1."""
    x = _number(param, value)
    if x < 0.0 or x > 1.0 or (low_open and x == 0.0) or (high_open and x == 1.0):
        low, high = "(" if low_open else "[", ")" if high_open else "]"
        raise InputError(param, value, f"a probability in {low}0, 1{high}")
    return x


def count(param: str, value, low: int = 1, high: int | None = None) -> int:
    """A whole number in [low, high] (an integral float such as 5.0 is accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(param, value, "a whole number")
    if isinstance(value, numbers.Integral):
        n = int(value)
    elif math.isfinite(float(value)) and float(value).is_integer():
        n = int(float(value))
    else:
        raise InputError(param, value, "a whole number")
    if n < low or (high is not None and n > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise InputError(param, value, f"a whole number {bound}")
    return n


def exact(value) -> Fraction:
    """The exact rational a probability stands for, read as the decimal number it prints as
    (``0.1`` is one tenth, not the binary double nearest to it); fractions stay as given."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(repr(float(value)))


def vector(param: str, values, *, length: int | None = None) -> np.ndarray:
    """A one-dimensional array of finite numbers (of ``length`` entries, if given)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(param, values, "a sequence of numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(param, values, "a non-empty one-dimensional sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise InputError(param, float(arr[~np.isfinite(arr)][0]), "finite numbers")
    if length is not None and arr.size != length:
        raise InputError(param, values, f"{length} numbers")
    return arr
