"""Units at the API edge: values with units are converted to the internal unit, never stripped.

Inside the package every amount is a plain number in one unit: kg U for masses, kg U per year
for rates, kg-SWU for separative work, fractions [1] for assays. A public function that takes an
amount passes it through :func:`as_magnitude` first:

* a plain number or numpy array passes through unchanged: it is read in the documented unit
  (this path costs one type look-up, nothing measurable on the hot paths);
* a `pint <https://pint.readthedocs.io>`_ ``Quantity`` is converted with pint to the internal
  unit (25000 g becomes 25.0 kg; 2 kg/month becomes 24.0 kg/yr). Separative work has the
  dimension of a mass, so kg-SWU is given as kg (or g, t, ...). A month is one twelfth of a year
  (:data:`~enrichwatch.constants.MONTHS_PER_YEAR`; pint's own ``month`` is ``year / 12`` with a
  Julian year of 365.25 days, the year of :data:`~enrichwatch.constants.SECONDS_PER_YEAR`, and
  months are replaced by twelfths of a year before converting, whatever the registry says);
* a quantity of the wrong dimension (metres for a mass), a pint ``Unit`` without a number, or
  another library's value with units raises :class:`~enrichwatch.errors.UnitError`, a
  ``TypeError`` naming the parameter, the value and what is allowed.

pint stays optional: it is imported only when the value is one of its quantities.

Examples
--------
>>> as_magnitude(25.0, "product_kg")
25.0
>>> import pint
>>> ureg = pint.UnitRegistry()
>>> as_magnitude(25000 * ureg.g, "product_kg")
25.0
>>> as_magnitude(2.0 * ureg.kg / ureg.month, "feed_kg_per_yr", "kg/yr")
24.0
>>> as_magnitude(3.0 * ureg.m, "product_kg")
Traceback (most recent call last):
...
enrichwatch.errors.UnitError: product_kg: expected a mass [kg U] (kg-SWU for separative work): \
a plain number in kg or a pint Quantity convertible to kg, got Quantity 3.0 meter
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

from .constants import MONTHS_PER_YEAR
from .errors import InputTypeError, UnitError

__all__ = ["as_float", "as_magnitude", "in_common_unit", "is_quantity"]

#: Internal units accepted by :func:`as_magnitude`: short name -> (pint spelling, words).
UNITS: dict[str, tuple[str, str]] = {
    "kg": ("kilogram", "a mass [kg U] (kg-SWU for separative work)"),
    "kg/yr": ("kilogram / year", "a mass rate [kg U/yr] (kg-SWU/yr for separative power)"),
    "kg/s": ("kilogram / second", "a mass rate [kg/s]"),
    "m": ("meter", "a length [m]"),
    "m/s": ("meter / second", "a speed [m/s]"),
    "K": ("kelvin", "a temperature [K]"),
    "kg/(m s)": ("kilogram / meter / second", "a density times diffusivity [kg/(m s)]"),
    "kg/mol": ("kilogram / mole", "a molar mass [kg/mol]"),
    "1": ("dimensionless", "a fraction [1]"),
    "%": ("percent", "a percentage [%]"),
}

# types that are plain numbers in the internal unit: returned at once (the hot path)
_PLAIN = frozenset({float, int, np.ndarray, np.float64, type(None)})


def is_quantity(value: Any) -> bool:
    """True if ``value`` is a pint ``Quantity`` (detected without importing pint).

    >>> is_quantity(1.0)
    False
    """
    return (_from_pint(value) and hasattr(value, "magnitude") and hasattr(value, "units")
            and hasattr(value, "to"))


def _from_pint(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "pint"


def as_magnitude(value: Any, param: str, unit: str = "kg"):
    """A value given at the API edge, in the internal unit ``unit``.

    Parameters
    ----------
    value : float, array_like, pint Quantity or None
        A plain number, array or sequence (read in ``unit``, returned unchanged), or a pint
        quantity (converted to ``unit``; the magnitude is returned as a float or an array).
        None is returned unchanged (an optional argument not given).
    param : str
        Name of the parameter, for error messages.
    unit : {'kg', 'kg/yr', 'kg/s', 'm', 'm/s', 'K', 'kg/(m s)', 'kg/mol', '1', '%'} or str
        Internal unit of the parameter; other strings are handed to pint as they are.

    Returns
    -------
    float, ndarray or the value unchanged

    Raises
    ------
    UnitError
        A quantity whose dimension does not match ``unit``, a pint ``Unit`` without a number,
        or a value of another units library (it has a ``unit`` or ``units`` attribute).

    Examples
    --------
    >>> import numpy as np
    >>> as_magnitude(np.array([1.0, 2.0]), "feed_kg")
    array([1., 2.])
    """
    if type(value) in _PLAIN:
        return value
    return _edge(value, param, unit)


@overload
def as_float(value: Any, param: str, unit: str = ..., *,
             optional: Literal[False] = ...) -> float: ...
@overload
def as_float(value: Any, param: str, unit: str = ..., *, optional: bool) -> float | None: ...
def as_float(value: Any, param: str, unit: str = "kg", *, optional: bool = False) -> float | None:
    """A scalar given at the API edge as a float in the internal unit ``unit``.

    Like :func:`as_magnitude`, and the result must be one number: a string, an array, or (unless
    ``optional``) None raises :class:`~enrichwatch.errors.InputTypeError` naming ``param``.

    >>> as_float(1500, "feed_kg_per_yr", "kg/yr")
    1500.0
    >>> as_float("1500", "feed_kg_per_yr", "kg/yr")
    Traceback (most recent call last):
    ...
    enrichwatch.errors.InputTypeError: feed_kg_per_yr: expected a mass rate [kg U/yr] \
(kg-SWU/yr for separative power): one number, got str '1500'
    """
    if type(value) is float:
        return value
    magnitude = as_magnitude(value, param, unit)
    if magnitude is None and optional:
        return None
    allowed = f"{UNITS.get(unit, (unit, f'a quantity in {unit}'))[1]}: one number"
    if magnitude is None or isinstance(magnitude, str | bytes) or np.ndim(magnitude) != 0:
        raise InputTypeError(param, value, allowed)
    try:
        return float(magnitude)
    except (TypeError, ValueError):
        raise InputTypeError(param, value, allowed) from None


def _edge(value: Any, param: str, unit: str):
    if is_quantity(value):
        return _convert(value, param, unit)
    if type(value) in (list, tuple) and any(is_quantity(v) for v in value):
        return [as_magnitude(v, f"{param}[{i}]", unit) for i, v in enumerate(value)]
    if _from_pint(value) or hasattr(value, "units") or hasattr(value, "unit"):
        raise UnitError(param, value, _allowed(unit))      # a pint Unit, another library's value
    return value


def _allowed(unit: str) -> str:
    words = UNITS.get(unit, (unit, f"a quantity in {unit}"))[1]
    return f"{words}: a plain number in {unit} or a pint Quantity convertible to {unit}"


def _convert(quantity: Any, param: str, unit: str):
    from pint.errors import DimensionalityError  # pint is there: the value is one of its own

    target = UNITS.get(unit, (unit, ""))[0]
    try:
        magnitude = _months_as_twelfths(quantity).to(target).magnitude
    except DimensionalityError:
        raise UnitError(param, quantity, _allowed(unit)) from None
    return float(magnitude) if np.ndim(magnitude) == 0 else np.asarray(magnitude, dtype=float)


def _months_as_twelfths(quantity: Any):
    """The quantity with every ``month`` replaced by ``year / MONTHS_PER_YEAR``."""
    exponent = dict(quantity.unit_items()).get("month")
    if not exponent:
        return quantity
    registry = quantity._REGISTRY
    return quantity * (registry.year / (MONTHS_PER_YEAR * registry.month)) ** exponent


def in_common_unit(first: Any, second: Any, params: tuple[str, str]):
    """Two values whose ratio is what counts (two prices), as plain numbers in one unit.

    Plain numbers pass through. Two pint quantities become magnitudes in the unit of the first
    (the second converted to it). A quantity and a plain number are refused: the number has no
    unit to compare with.

    >>> in_common_unit(100.0, 150.0, ("feed_price", "swu_price"))
    (100.0, 150.0)
    """
    first_q, second_q = is_quantity(first), is_quantity(second)
    if not (first_q or second_q):
        return as_magnitude(first, params[0], "1"), as_magnitude(second, params[1], "1")
    if not (first_q and second_q):
        plain = params[1] if first_q else params[0]
        other = params[0] if first_q else params[1]
        raise UnitError(plain, second if first_q else first,
                        f"a pint Quantity like {other} (or plain numbers for both)")
    from pint.errors import DimensionalityError

    try:
        converted = _months_as_twelfths(second).to(_months_as_twelfths(first).units)
    except DimensionalityError:
        raise UnitError(params[1], second,
                        f"a quantity in units convertible to those of {params[0]} "
                        f"({first.units})") from None
    values = (_months_as_twelfths(first).magnitude, converted.magnitude)
    return tuple(float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=float) for v in values)
