"""Problems found in a plant file, and the error that carries all of them at once.

The shared pieces live in :mod:`enrichwatch.files`; here they are named for plant files.
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

from ..files import MISSING, key_path
from ..files import problems as validation

__all__ = ["MISSING", "FacilityFileError", "Problem", "key_path"]


class Problem(validation.Problem):
    """One thing wrong in a plant file: ``Problem(file, key, value, allowed)``.

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

    @property
    def file(self) -> str:
        """The file (or label) the description came from."""
        return self.where


class FacilityFileError(validation.ProblemsError):
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

    problem_type = Problem

    @property
    def filename(self) -> str:
        return self.problems[0].where
