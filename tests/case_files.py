"""Case files for the tests (the format of :mod:`enrichwatch.records.casefile`): each
``[[records]]`` entry built from its fields, so that the records, CLI and web tests write one
entry one way instead of each carrying its own TOML text.

A value is written as TOML by its Python type: a :class:`~datetime.date` as a TOML date
(``2023-03-01``), a ``str`` as a quoted string (so ``"2023-03-01"`` stays a string), numbers as
themselves, lists and dicts as inline arrays and tables. Tests that need a broken file still
edit the text with ``str.replace``: the builder writes every key on its own line,
``key = value``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["FORDOW", "UPLOAD_DAY", "case_text", "declaration_entry", "entry", "toml_value"]

#: The Fordow 2023 example folder (its plant files and case file).
FORDOW = Path(__file__).resolve().parents[1] / "examples" / "fordow-2023"

#: The day the web tests' uploaded declaration applies from and is known on.
UPLOAD_DAY = date(2023, 3, 1)


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (a basic string is also a JSON string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[ " + ", ".join(toml_value(v) for v in value) + " ]"
    raise TypeError(f"no TOML value for {value!r}")


def entry(kind: str, facility: str, valid_from: date | str, known_on: date | str,
          source: str, payload: Mapping[str, Any], *, ref: str | None = None,
          supersedes: int | str | None = None) -> str:
    """One ``[[records]]`` entry (``ref`` first, ``supersedes`` after ``source``, when given)."""
    head: dict[str, Any] = {} if ref is None else {"ref": ref}
    head |= {"kind": kind, "facility": facility, "valid_from": valid_from,
             "known_on": known_on, "source": source}
    if supersedes is not None:
        head["supersedes"] = supersedes
    lines = ["", "[[records]]", *(f"{k} = {toml_value(v)}" for k, v in head.items()),
             "[records.payload]", *(f"{k} = {toml_value(v)}" for k, v in payload.items())]
    return "\n".join(lines) + "\n"


def case_text(*entries: str, title: str | None = None) -> str:
    """A case file of ``entries``, headed by a ``[case]`` table with ``title`` if given."""
    head = f"[case]\ntitle = {toml_value(title)}\n" if title is not None else ""
    return head + "".join(entries)


def declaration_entry(facility: str = "FFEP", assay: float = 60.0, *, ref: str | None = None,
                      kind: str = "declaration", source: str = "upload test",
                      plant_file: str = "observed.toml") -> str:
    """The declaration the web tests upload: ``plant_file`` (an attachment) declared for
    ``facility`` from :data:`UPLOAD_DAY` with ``assay`` % U-235 at most (``kind`` other than
    declaration: the same entry under another kind, which an operator may not submit)."""
    return entry(kind, facility, UPLOAD_DAY, UPLOAD_DAY, source,
                 {"declared_on": UPLOAD_DAY, "plant_file": plant_file,
                  "declared_max_assay_pct": assay}, ref=ref)
