"""Errors of the records store: a rejected record, and a store that cannot be used.

:class:`RecordError` is an :class:`~enrichwatch.errors.InputError` (so a ``ValueError``) that
lists every problem found in the rejected record(s) at once (a
:class:`~enrichwatch.files.ProblemsError`). Each :class:`RecordProblem` says
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

from ..errors import EnrichwatchError
from ..files import MISSING
from ..files import problems as validation

__all__ = ["MISSING", "RecordError", "RecordProblem", "StoreError"]


class RecordProblem(validation.Problem):
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


class RecordError(validation.ProblemsError):
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

    problem_type = RecordProblem

    def heading(self) -> str:
        return f"{len(self.problems)} problems, nothing was written:"


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
