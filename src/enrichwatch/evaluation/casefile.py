"""Case files read into plain records, for tests, benchmarks and evaluating without a store.

The records store appends the same files to its ledger
(:func:`enrichwatch.records.load_case_file`, which also validates every payload); this reader
gives :class:`CaseRecord` values with the fields the evaluation reads (:class:`RecordLike`),
ids being the 1-based positions in the file, as in a fresh ledger. It checks the common fields
only. The format (docs/records-design.md, "Case file format", and
``enrichwatch/records/casefile.py``):

- ``[case]`` (optional): free-form metadata (title, description, notes), not stored;
- ``[[records]]``: optional ``ref`` (a label unique in the file), ``kind``, ``facility``,
  ``valid_from``, ``known_on`` (TOML dates or ``YYYY-MM-DD``), ``source``, optional
  ``supersedes`` (the ref of an earlier entry, or a record id), and a ``payload`` table;
- in a payload, ``plant_file`` / ``observed_plant_file`` name a plant description file
  (relative to the case file) whose text becomes ``plant`` / ``observed_plant``; a sample's
  ``inspection`` is the ref of an earlier entry (or a record id);
- dates inside payloads become ISO strings, as the store keeps them.

Examples
--------
>>> import pathlib, tempfile
>>> text = '''
... [[records]]
... kind = "facility"
... facility = "X"
... valid_from = 2020-01-01
... known_on = 2020-01-01
... source = "test"
... payload = { name = "Test plant" }
... '''
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "case.toml"
...     _ = path.write_text(text)
...     read_case_file(path)
(CaseRecord(1: facility 'X', valid from 2020-01-01, known on 2020-01-01),)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["CASE_KINDS", "CaseRecord", "read_case_file"]

#: Record kinds (docs/records-design.md).
CASE_KINDS = ("facility", "declaration", "inspection", "sample", "report", "stockpile",
              "installed_machines", "party")
_PLANT_KEYS = {"plant_file": "plant", "observed_plant_file": "observed_plant"}


@dataclass(frozen=True)
class CaseRecord:
    """A plain record (the fields of :class:`~enrichwatch.evaluation.records.RecordLike`)."""

    id: int
    kind: str
    facility: str
    valid_from: date
    known_on: date
    supersedes: int | None
    source: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        extra = f", supersedes={self.supersedes}" if self.supersedes is not None else ""
        return (f"CaseRecord({self.id}: {self.kind} {self.facility!r}, valid from "
                f"{self.valid_from}, known on {self.known_on}{extra})")


def _iso(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _date(entry: dict, key: str, where: str) -> date:
    value = entry.get(key)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(f"{where}.{key}", value, "a date (YYYY-MM-DD)")
    return value


def _reference(value: Any, refs: Mapping[str, int], index: int, key: str) -> int:
    """A record id from the ref of an earlier entry or an id (= position) of one."""
    if isinstance(value, str) and value in refs:
        return refs[value]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < index:
        return value
    raise InputError(key, value, f"the ref of an earlier entry ({', '.join(refs) or 'none'}) or "
                                 f"the id of an earlier record (1..{index - 1})")


def _payload(entry: dict, where: str, base: Path, refs: Mapping[str, int], index: int) -> dict:
    payload = entry.get("payload", {})
    if not isinstance(payload, dict):
        raise InputError(f"{where}.payload", payload, "a table")
    out = {}
    for key, value in payload.items():
        if key in _PLANT_KEYS:
            try:
                out[_PLANT_KEYS[key]] = (base / value).read_text(encoding="utf-8")
            except (OSError, TypeError) as err:
                raise InputError(f"{where}.payload.{key}", value,
                                 f"a plant file next to the case file ({err})") from None
        else:
            out[key] = _iso(value)
    if entry.get("kind") == "sample" and "inspection" in out:
        out["inspection"] = _reference(out["inspection"], refs, index,
                                       f"{where}.payload.inspection")
    return out


def _record(entry: Any, index: int, base: Path, label: str, refs: dict[str, int]
            ) -> CaseRecord:
    where = f"{label} records[{index - 1}]"
    if not isinstance(entry, dict):
        raise InputError(where, entry, "a [[records]] table")
    if entry.get("kind") not in CASE_KINDS:
        raise InputError(f"{where}.kind", entry.get("kind"), f"one of {', '.join(CASE_KINDS)}")
    for key in ("facility", "source"):
        if not isinstance(entry.get(key), str):
            raise InputError(f"{where}.{key}", entry.get(key), "a string")
    supersedes = entry.get("supersedes")
    if supersedes is not None:
        supersedes = _reference(supersedes, refs, index, f"{where}.supersedes")
    record = CaseRecord(index, entry["kind"], entry["facility"],
                        _date(entry, "valid_from", where), _date(entry, "known_on", where),
                        supersedes, entry["source"], _payload(entry, where, base, refs, index))
    ref = entry.get("ref")
    if ref is not None:
        if not isinstance(ref, str) or not ref.strip() or ref in refs:
            raise InputError(f"{where}.ref", ref, "a label not used by an earlier entry")
        refs[ref] = index
    return record


def read_case_file(path: str | os.PathLike) -> tuple[CaseRecord, ...]:
    """Read a case file into :class:`CaseRecord` values (ids = positions in the file).

    Checks the common fields only; the store validates payloads per kind.

    Raises
    ------
    InputError
        Naming the record and key at fault (``case.toml records[3].known_on``).
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(str(path), "<case file>", f"a readable TOML case file ({err})") from None
    entries = doc.get("records")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path.name} records", entries, "an array of [[records]] tables")
    refs: dict[str, int] = {}
    return tuple(_record(e, i, path.parent, path.name, refs)
                 for i, e in enumerate(entries, start=1))
