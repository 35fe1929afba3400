"""Problems found in a plant file, and the error that carries all of them at once.

Every :class:`Problem` names the file, the table and key (``cascades[1].machines_per_stage[3]``),
the value found and what is allowed. :class:`FacilityFileError` is an
:class:`~enrichwatch.errors.InputError` (so a ``ValueError``) holding every problem of one file;
its ``str()`` lists them one per line.

Examples
--------
>>> err = FacilityFileError([Problem("plant.toml", "feeds[0].rate", -5.0, "a rate > 0"),
...                          Problem("plant.toml", "units.rate", "kg/month", "a known unit")])
>>> isinstance(err, ValueError)
True
>>> print(err)
2 problems in plant.toml:
  plant.toml: feeds[0].rate = -5.0: expected a rate > 0
  plant.toml: units.rate = 'kg/month': expected a known unit
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["MISSING", "FacilityFileError", "Problem", "key_path"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_VALUE_CHARS = 80


class _Missing(enum.Enum):
    MISSING = "<missing>"

    def __repr__(self) -> str:
        return "<missing>"


#: The value of a :class:`Problem` about a key that is required but absent.
MISSING = _Missing.MISSING


def key_path(loc: Sequence[str | int]) -> str:
    """Readable path of a key, TOML style: ``('cascades', 1, 'cuts')`` -> ``cascades[1].cuts``.

    >>> key_path(("machines", "IR 6", "source"))
    'machines."IR 6".source'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _BARE_KEY.match(part) else '"' + part.replace('"', '\\"') + '"'
        out += f".{text}" if out else text
    return out


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a plant file.

    Parameters
    ----------
    file : str
        The file (or label) the description came from.
    key : str
        Table and key at fault, e.g. ``cascades[1].machines_per_stage[3]``; for syntax errors the
        position (``line 3, column 9``).
    value : object
        The value found (:data:`MISSING` when a required key is absent).
    allowed : str
        What would have been accepted, in words.
    """

    file: str
    key: str
    value: object
    allowed: str

    @property
    def missing(self) -> bool:
        """True when the problem is a required key that is absent."""
        return self.value is MISSING

    def __str__(self) -> str:
        if self.missing:
            return f"{self.file}: {self.key} is missing: expected {self.allowed}"
        return f"{self.file}: {self.key} = {_show(self.value)}: expected {self.allowed}"


class FacilityFileError(InputError):
    """A plant file (or plant description) has one or more problems; all are listed.

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found, in file order (at least one).

    Attributes
    ----------
    problems : tuple of Problem
    filename : str
        The file of the first problem.
    param, value, allowed
        Those of the first problem (as for every :class:`~enrichwatch.errors.InputError`).
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError("FacilityFileError needs at least one Problem")
        first = self.problems[0]
        super().__init__(first.key, first.value, first.allowed)

    @property
    def filename(self) -> str:
        return self.problems[0].file

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in {self.filename}:"]
        return "\n  ".join(lines + [str(p) for p in self.problems])

    def __reduce__(self):
        return (type(self), (self.problems,))
