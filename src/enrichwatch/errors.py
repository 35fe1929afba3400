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

An error about a U-235 assay on the wrong side of a bound (a product not above the feed's, tails
not below it, a product beyond what a cascade reaches) also carries the bound as data,
:class:`AssayBound` in ``bound`` (None on every other error), so that a caller need not read the
words of ``allowed``:

>>> err = AssayError("tails", 0.009, "a U-235 mass fraction below the feed's 0.00711",
...                  bound=AssayBound("below feed", 0.00711, "mass"))
>>> err.bound.kind, err.bound.percent, err.bound.basis
('below feed', 0.711, 'mass')
>>> InputError("feed_kg", -1.0, "a mass >= 0").bound is None
True
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal, get_args

__all__ = [
    "AssayBound",
    "AssayError",
    "BoundKind",
    "ConfigurationError",
    "ConvergenceError",
    "EnrichwatchError",
    "EnrichwatchWarning",
    "FractionBasis",
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


#: Which side of a U-235 assay bound a value must lie on: above the feed's assay, below it, or
#: at most a reachable assay.
BoundKind = Literal["above feed", "below feed", "at most"]
#: The basis of a U-235 fraction: of the mass or of the atoms of the stream.
FractionBasis = Literal["mass", "atom"]


@dataclass(frozen=True)
class AssayBound:
    """A bound on a U-235 assay, as data; immutable.

    Parameters
    ----------
    kind : {'above feed', 'below feed', 'at most'}
        The side a value must lie on: above the feed's assay (a product), below it (tails), or
        at most ``fraction`` (a product beyond what a cascade reaches).
    fraction : float
        The bound: the feed's U-235 fraction, or the highest one reachable [1], in [0, 1].
    basis : {'mass', 'atom'}
        Basis of ``fraction``: U-235 share of the stream's mass or of its atoms.
    why : str, optional
        What sets the bound, in words, where the kind alone does not say (what limits the
        reach); empty for the feed's assay.

    Examples
    --------
    >>> AssayBound("at most", 0.9912, "atom", why="the most this cascade reaches")
    AssayBound(kind='at most', fraction=0.9912, basis='atom', why='the most this cascade reaches')
    >>> AssayBound("above feed", 0.00711, "mass").percent
    0.711
    """

    kind: BoundKind
    fraction: float
    basis: FractionBasis
    why: str = ""

    def __post_init__(self) -> None:
        if self.kind not in get_args(BoundKind):
            raise InputError("kind", self.kind, "'above feed', 'below feed' or 'at most'")
        if self.basis not in get_args(FractionBasis):
            raise InputError("basis", self.basis, "'mass' or 'atom'")
        fraction = float(self.fraction)
        if not (math.isfinite(fraction) and 0.0 <= fraction <= 1.0):
            raise InputError("fraction", self.fraction, "a U-235 fraction from 0 to 1")
        object.__setattr__(self, "fraction", fraction)

    @property
    def percent(self) -> float:
        """The bound in percent (of ``basis``) [%]."""
        return 100.0 * self.fraction


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
    bound : AssayBound, optional
        For a U-235 assay on the wrong side of a bound: that bound, as data (keyword only).

    Attributes
    ----------
    bound : AssayBound or None
        The bound broken, or None when the error is not about a U-235 assay bound.
    """

    bound: AssayBound | None = None

    def __init__(self, param: str, value: Any, allowed: str, *,
                 bound: AssayBound | None = None) -> None:
        super().__init__(param, value, allowed)
        if bound is not None and not isinstance(bound, AssayBound):
            raise InputTypeError("bound", bound, "an AssayBound or None")
        self.bound = bound

    def __reduce__(self):
        return (type(self), (self.param, self.value, self.allowed), {"bound": self.bound})

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
