"""The exception hierarchy.

Every error raised for bad input inherits :class:`EnrichwatchError` *and* the built-in that fits
(``ValueError`` for bad values, ``KeyError``-free lookups raise ``UnknownNameError``, a
``ValueError`` too; ``TypeError`` for a value of the wrong type, :class:`InputTypeError`, or a
quantity whose units do not convert, :class:`UnitError`). Each carries ``param`` (the
parameter), ``value`` (what was given) and ``allowed`` (what would have been accepted), and
pickles so that parallel workers can return it.

Examples
--------
>>> from enrichwatch.errors import AssayError
>>> err = AssayError("tails", 0.9, "a U-235 fraction below the feed assay 0.00711")
>>> isinstance(err, ValueError)
True
>>> print(err)
tails = 0.9 is not allowed: expected a U-235 fraction below the feed assay 0.00711
>>> err = InputTypeError("product", 0.9, "an Assay (e.g. Assay.from_weight_percent(90.0))")
>>> isinstance(err, TypeError), isinstance(err, ValueError)
(True, False)
>>> print(err)
product: expected an Assay (e.g. Assay.from_weight_percent(90.0)), got float 0.9
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = [
    "AssayError",
    "ConfigurationError",
    "ConvergenceError",
    "EnrichwatchError",
    "EnrichwatchWarning",
    "InputError",
    "MassError",
    "UnknownNameError",
    "warn",
]


class EnrichwatchError(Exception):
    """Base class of every error enrichwatch raises on purpose."""


class _ParameterError(EnrichwatchError):
    """What every error about one parameter holds: ``param``, ``value`` and ``allowed``
    (picklable, so parallel workers can return it)."""

    def __init__(self, param: str, value: Any, allowed: str) -> None:
        self.param = param
        self.value = value
        self.allowed = allowed
        super().__init__(param, value, allowed)

    def __reduce__(self):
        return (type(self), (self.param, self.value, self.allowed))


class InputError(_ParameterError, ValueError):
    """A parameter has a value that is not allowed.

    Parameters
    ----------
    param : str
        Name of the parameter (or file key) at fault.
    value : object
        The value that was given.
    allowed : str
        What would have been accepted, in words.
    """

    def __str__(self) -> str:
        return f"{self.param} = {self.value!r} is not allowed: expected {self.allowed}"


class AssayError(InputError):
    """An assay or composition is outside its range or inconsistent with the others."""


class MassError(InputError):
    """A mass, flow or rate is negative, zero where it must be positive, or not finite."""


class UnknownNameError(InputError):
    """An isotope, machine, cascade or stream name is not known."""


class ConfigurationError(InputError):
    """A cascade or network is built in a way that cannot run (a stream to nowhere, a loop with
    no exit, a feed stage outside the cascade, ...)."""


class InputTypeError(_ParameterError, TypeError):
    """A parameter has a value of the wrong type (a bare float where an ``Assay`` is expected).

    Parameters
    ----------
    param : str
        Name of the parameter at fault.
    value : object
        The value that was given.
    allowed : str
        What would have been accepted, in words (with an example where it helps).
    """

    def __str__(self) -> str:
        return f"{self.param}: expected {self.allowed}, got {describe(self.value)}"


class UnitError(InputTypeError):
    """A quantity with units (a pint ``Quantity``) whose units do not convert to the unit the
    parameter is held in (metres given for a mass), or a unit-carrying value that cannot be
    converted at all."""


def describe(value: Any) -> str:
    """Type name and value, as error messages show what was given.

    >>> describe(0.9), describe("0.9"), describe(None)
    ('float 0.9', "str '0.9'", 'None')
    """
    if value is None:
        return "None"
    kind = type(value).__name__
    shown = str(value) if type(value).__module__.split(".")[0] == "pint" else repr(value)
    return f"{kind} {shown}"


class ConvergenceError(EnrichwatchError, RuntimeError):
    """A solver did not converge.

    Parameters
    ----------
    where : str
        The cascade, loop or solver that failed.
    reason : str
        Why, in words (residual reached, iterations used).
    """

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(where, reason)

    def __str__(self) -> str:
        return f"{self.where}: did not converge: {self.reason}"

    def __reduce__(self):
        return (type(self), (self.where, self.reason))


class EnrichwatchWarning(UserWarning):
    """A value is allowed but doubtful (tails at 1.2 %, a machine run far off its design)."""


def warn(message: str) -> None:
    """Issue an :class:`EnrichwatchWarning` pointing at the caller's caller."""
    warnings.warn(message, EnrichwatchWarning, stacklevel=3)
