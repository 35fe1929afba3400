"""Errors of the records store: a rejected record, and a store that cannot be used.

:class:`RecordError` is an :class:`~enrichwatch.errors.InputError` (so a ``ValueError``) that
lists every problem found in the rejected record(s) at once. Each :class:`RecordProblem` says
*where* (``draft 2 (sample)``, ``case.toml records[3]``), *which key*
(``payload.results[0].u235_pct``), the value found and what is allowed. Nothing of a rejected
append is written.

Examples
--------
>>> err = RecordError.of("draft 1 (sample)", "payload.results[0].u235_pct", 120.0,
...                      "a U-235 percent from 0 to 100")
>>> isinstance(err, ValueError)
True
>>> print(err)
draft 1 (sample): payload.results[0].u235_pct = 120.0: expected a U-235 percent from 0 to 100
>>> err.param, err.value
('payload.results[0].u235_pct', 120.0)
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import EnrichwatchError, InputError

__all__ = ["MISSING", "RecordError", "RecordProblem", "StoreError"]

_MAX_VALUE_CHARS = 80


class _Missing(enum.Enum):
    MISSING = "<missing>"

    def __repr__(self) -> str:
        return "<missing>"


#: The value of a :class:`RecordProblem` about a required key that is absent.
MISSING = _Missing.MISSING


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with a record that was to be appended.

    Parameters
    ----------
    where : str
        Which record: ``draft 2 (sample)`` for the second draft of an append, or
        ``case.toml records[3]`` for an entry of a case file.
    key : str
        The field at fault, e.g. ``known_on`` or ``payload.results[0].u235_pct``.
    value : object
        The value found (:data:`MISSING` for an absent required key).
    allowed : str
        What would have been accepted, in words.
    """

    where: str
    key: str
    value: object
    allowed: str

    def __str__(self) -> str:
        if self.value is MISSING:
            return f"{self.where}: {self.key} is missing: expected {self.allowed}"
        return f"{self.where}: {self.key} = {_show(self.value)}: expected {self.allowed}"


class RecordError(InputError):
    """One or more records were rejected; nothing of the append was written.

    Parameters
    ----------
    problems : sequence of RecordProblem
        Every problem found (at least one).

    Attributes
    ----------
    problems : tuple of RecordProblem
    param, value, allowed
        Those of the first problem (as for every :class:`~enrichwatch.errors.InputError`).
    """

    def __init__(self, problems: Sequence[RecordProblem]) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError("RecordError needs at least one RecordProblem")
        first = self.problems[0]
        super().__init__(first.key, first.value, first.allowed)

    @classmethod
    def of(cls, where: str, key: str, value, allowed: str) -> RecordError:
        """An error with a single problem."""
        return cls([RecordProblem(where, key, value, allowed)])

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems, nothing was written:"]
        return "\n  ".join(lines + [str(p) for p in self.problems])

    def __reduce__(self):
        return (type(self), (self.problems,))


class StoreError(EnrichwatchError, RuntimeError):
    """The store cannot be used as it is (no schema yet, an unknown schema revision, a ledger
    head that does not match the records).

    Parameters
    ----------
    url : str
        The store (password hidden).
    reason : str
        What is wrong and what to do, in words.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(url, reason)

    def __str__(self) -> str:
        return f"records store {self.url}: {self.reason}"

    def __reduce__(self):
        return (type(self), (self.url, self.reason))
