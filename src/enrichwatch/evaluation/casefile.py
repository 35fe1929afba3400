"""Case files as plain records, for tests, benchmarks and evaluating without a store.

The records store appends the same files to its ledger
(:func:`enrichwatch.records.load_case_file`, which also validates every payload);
:func:`case_records` turns the entries of the one case-file reader
(:func:`enrichwatch.records.read_case_file`, no database needed, which checks the file's shape:
keys, refs, plant files) into :class:`CaseRecord` values with the fields the evaluation reads
(:class:`RecordLike`), ids being the 1-based positions in the file, as in a fresh ledger. The
common fields are checked here; payloads are validated per kind by the store only. The format
(docs/records-design.md, "Case file format", and ``enrichwatch/records/casefile.py``):

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
...     case_records(path)
(CaseRecord(1: facility 'X', valid from 2020-01-01, known on 2020-01-01),)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..dates import parse_date
from ..errors import InputError
from ..records.casefile import read_case_file
from ..records.model import KINDS

__all__ = ["CaseRecord", "case_records"]


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


def _reference(value: Any, refs: Mapping[str, int], index: int, key: str) -> int:
    """A record id from the ref of an earlier entry or an id (= position) of one."""
    if isinstance(value, str) and value in refs:
        return refs[value]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < index:
        return value
    raise InputError(key, value, f"the ref of an earlier entry ({', '.join(refs) or 'none'}) or "
                                 f"the id of an earlier record (1..{index - 1})")


def _payload(entry: dict, where: str, refs: Mapping[str, int], index: int) -> dict:
    payload = entry.get("payload", {})
    if not isinstance(payload, dict):
        raise InputError(f"{where}.payload", payload, "a table")
    out = {key: _iso(value) for key, value in payload.items()}
    if entry.get("kind") == "sample" and "inspection" in out:
        out["inspection"] = _reference(out["inspection"], refs, index,
                                       f"{where}.payload.inspection")
    return out


def _record(entry: dict, index: int, where: str, refs: dict[str, int]) -> CaseRecord:
    if entry.get("kind") not in KINDS:
        raise InputError(f"{where}.kind", entry.get("kind"), f"one of {', '.join(KINDS)}")
    for key in ("facility", "source"):
        if not isinstance(entry.get(key), str):
            raise InputError(f"{where}.{key}", entry.get(key), "a string")
    supersedes = entry.get("supersedes")
    if supersedes is not None:
        supersedes = _reference(supersedes, refs, index, f"{where}.supersedes")
    record = CaseRecord(index, entry["kind"], entry["facility"],
                        parse_date(entry.get("valid_from"), f"{where}.valid_from"),
                        parse_date(entry.get("known_on"), f"{where}.known_on"),
                        supersedes, entry["source"], _payload(entry, where, refs, index))
    if entry.get("ref") is not None:
        refs[entry["ref"]] = index
    return record


def case_records(path: str | os.PathLike) -> tuple[CaseRecord, ...]:
    """The records of a case file as :class:`CaseRecord` values (ids = positions in the file).

    The file is read, and its shape (keys, refs, plant files) checked, by
    :func:`enrichwatch.records.read_case_file`; then the common fields are checked here. The
    store alone validates payloads per kind.

    Raises
    ------
    InputError
        A :class:`~enrichwatch.records.RecordError` listing every problem of the file's shape,
        or an error naming the record and key at fault (``case.toml records[3].known_on``).
    """
    refs: dict[str, int] = {}
    return tuple(_record(entry, i, where, refs)
                 for i, (where, entry) in enumerate(read_case_file(path), start=1))
