"""Validation at the edge: the problems found in input, and the error that lists them all.

Every file or request that enters enrichwatch (plant files, case files, record payloads, rule
sets) is checked once, at the boundary, and *every* problem is reported at once. This module
holds what those checks share:

- :data:`MISSING`, the value of a problem about a required key that is absent;
- :class:`Problem`: where (file or record), which key, the value found (shortened when long)
  and what is allowed;
- :class:`ProblemsError`: an :class:`~enrichwatch.errors.InputError` (so a ``ValueError``)
  listing every problem, one per line; :class:`~enrichwatch.facility.FacilityFileError` and
  :class:`~enrichwatch.records.RecordError` are its subclasses;
- :func:`key_path`: a key's path written TOML style (``cascades[1].machines_per_stage[3]``);
- :func:`unknown_key`: the message for a misspelt key, with a "did you mean";
- :func:`pydantic_problem`: one pydantic validation error as (key, value, allowed), worded from
  the field's ``description``.

pydantic is imported only when a pydantic error is translated, so importing this module stays
light.

Examples
--------
>>> err = ProblemsError([Problem("plant.toml", "feeds[0].rate", -5.0, "a rate > 0"),
...                      Problem("plant.toml", "units", MISSING, "a [units] table")])
>>> isinstance(err, ValueError), err.param
(True, 'feeds[0].rate')
>>> print(err)
2 problems in plant.toml:
  plant.toml: feeds[0].rate = -5.0: expected a rate > 0
  plant.toml: units is missing: expected a [units] table
>>> unknown_key("valid_form", ["kind", "valid_from", "known_on"])
"one of the keys kind, valid_from, known_on (did you mean 'valid_from'?)"
"""

from __future__ import annotations

import difflib
import enum
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from ..errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["MISSING", "Problem", "ProblemsError", "key_path", "pydantic_problem", "unknown_key"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_VALUE_CHARS = 80


class _Missing(enum.Enum):
    MISSING = "<missing>"

    def __repr__(self) -> str:
        return "<missing>"


#: The value of a :class:`Problem` about a key that is required but absent.
MISSING = _Missing.MISSING


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong in some input.

    Parameters
    ----------
    where : str
        The file or record at fault (``plant.toml``, ``case.toml records[3]``).
    key : str
        The key at fault (``cascades[1].machines_per_stage[3]``), or a position
        (``line 3, column 9``).
    value : object
        The value found (:data:`MISSING` when a required key is absent); a long one is shortened
        in the message.
    allowed : str
        What would have been accepted, in words.
    """

    where: str
    key: str
    value: object
    allowed: str

    @property
    def missing(self) -> bool:
        """True when the problem is a required key that is absent."""
        return self.value is MISSING

    def __str__(self) -> str:
        if self.missing:
            return f"{self.where}: {self.key} is missing: expected {self.allowed}"
        return f"{self.where}: {self.key} = {_show(self.value)}: expected {self.allowed}"


class ProblemsError(InputError):
    """Input with one or more problems; all are listed, one per line.

    Subclasses set :attr:`problem_type` (the :class:`Problem` subclass they hold) and may
    override :meth:`heading` (the first line when there are several problems).

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found, in input order (at least one).

    Attributes
    ----------
    problems : tuple of Problem
    param, value, allowed
        Those of the first problem (as for every :class:`~enrichwatch.errors.InputError`).
    """

    #: The kind of problem this error holds (used by :meth:`of` and
    #: :func:`~enrichwatch.files.parse_toml`).
    problem_type: ClassVar[type[Problem]] = Problem

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        first = self.problems[0]
        super().__init__(first.key, first.value, first.allowed)

    @classmethod
    def of(cls, where: str, key: str, value, allowed: str) -> Self:
        """An error with a single problem."""
        return cls([cls.problem_type(where, key, value, allowed)])

    def heading(self) -> str:
        """First line of the message when there are several problems."""
        return f"{len(self.problems)} problems in {self.problems[0].where}:"

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        return "\n  ".join([self.heading()] + [str(p) for p in self.problems])

    def __reduce__(self):
        return (type(self), (self.problems,))


def key_path(loc: Sequence[str | int], *, quote: bool = True) -> str:
    """Readable path of a key, TOML style: ``('cascades', 1, 'cuts')`` -> ``cascades[1].cuts``.

    Keys that are not bare TOML keys are quoted, unless ``quote`` is false.

    >>> key_path(("machines", "IR 6", "source"))
    'machines."IR 6".source'
    >>> key_path(("payload", "enriching", "IR 6"), quote=False)
    'payload.enriching.IR 6'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if not quote or _BARE_KEY.match(part) else '"' + part.replace('"', '\\"') + '"'
        out += f".{text}" if out else text
    return out


def unknown_key(key: str, known: Iterable[str], hint: str | None = None) -> str:
    """What is allowed instead of an unknown ``key``: the known keys, and the closest one
    (or ``hint`` instead, when given)."""
    known = list(known)
    if hint is None:
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
    return f"one of the keys {', '.join(known)}" + (f" ({hint})" if hint else "")


# -- pydantic errors -> problems ------------------------------------------------------------------
def _fields(model: type[BaseModel]) -> dict:
    """The fields of a model by the key a file uses (the alias when there is one)."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _inner(annotation) -> tuple[type[BaseModel] | None, bool]:
    """The model inside an annotation, and whether a key or index comes before it."""
    from pydantic import BaseModel

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _inner(next(a for a in args if a is not type(None)))
    if origin is Annotated:
        return _inner(args[0])
    if origin in (list, dict):
        return _inner(args[-1])[0], True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _walk(model: type[BaseModel] | None, loc: tuple) -> tuple[type[BaseModel] | None, Any]:
    """(model holding the last key, field info of the last key found) along ``loc``."""
    info, skip = None, False
    for part in loc:
        if skip:
            skip = False
            continue
        fields = _fields(model) if model is not None else {}
        if part not in fields:
            return model, None
        info = fields[part]
        model, skip = _inner(info.annotation)
    return model, info


def _described(info) -> str | None:
    return info.description if info is not None and info.description else None


def pydantic_problem(error: Mapping, root: type[BaseModel], *,
                     path: Callable[[tuple], str] = key_path, bad_key: str | None = None,
                     hint: Callable[[str, type[BaseModel] | None], str | None] | None = None,
                     ) -> tuple[str, object, str]:
    """One error of :meth:`pydantic.ValidationError.errors` as ``(key, value, allowed)``.

    What is allowed comes from the ``description`` of the field at fault (pydantic's own message
    when it has none); a required key that is absent has the value :data:`MISSING`; an unknown
    key lists the keys of its table (:func:`unknown_key`).

    Parameters
    ----------
    error : mapping
        One entry of ``ValidationError.errors()``.
    root : pydantic model class
        The model that was validated.
    path : callable, optional
        Writes the key from pydantic's ``loc`` (default :func:`key_path`).
    bad_key : str, optional
        What a key of a table (``dict`` field) must be; default "a valid key" and the
        description of the table.
    hint : callable, optional
        ``hint(key, model holding it)`` -> a hint for an unknown key that replaces
        "did you mean", or ``None`` to keep it.
    """
    loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":
        if bad_key is None:
            described = _described(_walk(root, loc[:-2])[1])
            bad_key = "a valid key" + (f": {described}" if described else "")
        return path(loc[:-1]), loc[-2], bad_key
    holder, info = _walk(root, loc)
    if error["type"] == "extra_forbidden":
        known = _fields(holder) if holder is not None else ()
        return (path(loc), error["input"],
                unknown_key(loc[-1], known, hint(loc[-1], holder) if hint else None))
    value = MISSING if error["type"] == "missing" else error["input"]
    return path(loc), value, _described(info) or error["msg"]
