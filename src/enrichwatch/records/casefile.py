"""Case files: many records in one TOML file, appended in one transaction (all or nothing).

Format (every ``[[records]]`` entry is one :class:`~enrichwatch.records.RecordDraft`)::

    [case]                          # optional, free-form metadata (title, as_of, notes, ...);
    title = "Fordow 2023"           # not stored, ignored by the loader

    [[records]]
    ref = "ffep"                    # optional label, unique in the file
    kind = "facility"               # facility, declaration, inspection, sample, report,
                                    # stockpile, installed_machines, party
    facility = "FFEP"               # "*" for party records
    valid_from = 2009-09-21         # TOML date or "YYYY-MM-DD"
    known_on = 2009-09-21           # TOML date or "YYYY-MM-DD"
    source = "IAEA GOV/2009/74"
    # supersedes = 12 | "ref"       # optional: a stored record id, or the ref of an earlier entry
    # submitted_by = "IAEA"         # optional party id; signed by the matching signer given
    [records.payload]               # kind-specific content (docs/records-design.md)
    name = "Fordow Fuel Enrichment Plant"

    [[records]]
    ref = "diq-2022-11"
    kind = "declaration"
    facility = "FFEP"
    valid_from = 2022-11-22
    known_on = 2022-11-18
    source = "Iran DIQ, as reported in IAEA GOV/INF/2023/1"
    [records.payload]
    declared_on = 2022-11-18
    plant_file = "declared.toml"    # read (relative to the case file) and embedded as `plant`
    declared_max_assay_pct = 60.0
    history_files = ["commissioning.toml"]  # optional: operating histories of the declared
                                    # plant, embedded as `histories` = [{file, text}, ...]

    [[records]]
    ref = "ui-2023-01-21"
    kind = "inspection"
    ...
    [records.payload]
    kind = "unannounced"
    observed_plant_file = "observed.toml"   # embedded as `observed_plant`

    [[records]]
    kind = "sample"
    ...
    [records.payload]
    inspection = "ui-2023-01-21"    # a ref of an earlier entry (or a stored record id)
    ...

A plant payload may be given inline (``plant = '''...'''``) or as a file (``plant_file``), not
both; so may a declaration's operating histories (``histories = [{ file = "label", text =
'''...''' }]``, or ``history_files``, read like plant files). A plant or history file is
resolved relative to the case file and must stay inside the case file's folder (unless
``allow_outside``), be a regular file of at most :data:`~enrichwatch.files.MAX_FILE_BYTES` and
hold valid TOML; a refused file's content is never shown in a message. Refs are replaced by
the ids the entries get; ``supersedes`` and a sample's ``inspection`` may name a ref only of an
*earlier* entry. Any problem (TOML syntax, an unknown key, a missing file, a record the store
rejects) raises :class:`~enrichwatch.records.RecordError` naming the entry (``case.toml
records[3]``), and nothing is appended.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import (
    MISSING,
    ProblemsError,
    confined_path,
    parse_toml,
    read_text_file,
    unknown_key,
)
from .errors import RecordError, RecordProblem
from .model import Record, RecordDraft

if TYPE_CHECKING:
    from .signing import Signer

__all__ = ["ENTRY_KEYS", "load_case_file", "read_case_file"]

#: The keys of a ``[[records]]`` entry.
ENTRY_KEYS = ("ref", "kind", "facility", "valid_from", "known_on", "source", "supersedes",
              "submitted_by", "payload")
_REQUIRED = ("kind", "facility", "valid_from", "known_on", "source")
_PLANT_FILES = {"plant_file": "plant", "observed_plant_file": "observed_plant"}
_TOP_KEYS = ("case", "records")


def _why(err: OSError | UnicodeDecodeError) -> str:
    if isinstance(err, UnicodeDecodeError):
        return f"UTF-8 text; byte {err.start} is not"
    return str(err.strerror or type(err).__name__)


def _read_toml(path: Path) -> dict:
    try:
        text = read_text_file(path)
    except (OSError, UnicodeDecodeError) as err:
        raise RecordError.of(str(path), "file", str(path),
                             f"a readable UTF-8 file ({_why(err)})") from None
    return parse_toml(text, path.name, RecordError)


def _plant_text(name: Any, base: Path, allow_outside: bool, what: str = "plant file") -> str:
    """The text of a plant (or history) file named in a case file; ``ValueError`` says why not
    (never quoting the file's content)."""
    if not isinstance(name, str):
        raise ValueError("a file name (a string)")
    where = "the case file's folder" + (" or elsewhere" if allow_outside else f" ({base})")
    try:
        text = read_text_file(confined_path(name, base, allow_outside))
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"a readable {what} in {where} ({_why(err)})") from None
    try:
        parse_toml(text, name)
    except ProblemsError as err:
        first = err.problems[0]
        raise ValueError(f"a {what} in TOML ({first.key}: {first.allowed}; content not "
                         "shown)") from None
    return text


def _embed_plants(payload: Any, base: Path, where: str, problems: list,
                  allow_outside: bool = False) -> Any:
    if not isinstance(payload, Mapping):
        return payload
    out = dict(payload)
    for file_key, key in _PLANT_FILES.items():
        if file_key not in out:
            continue
        name = out.pop(file_key)
        if key in out:
            problems.append(RecordProblem(where, f"payload.{file_key}", name,
                                          f"either {key} or {file_key}, not both"))
            continue
        try:
            out[key] = _plant_text(name, base, allow_outside)
        except ValueError as err:
            problems.append(RecordProblem(where, f"payload.{file_key}", name, str(err)))
    if "history_files" in out:
        _embed_histories(out, base, where, problems, allow_outside)
    return out


def _embed_histories(out: dict, base: Path, where: str, problems: list,
                     allow_outside: bool) -> None:
    """``history_files = [...]`` -> ``histories = [{file, text}, ...]`` (in place), each file
    read as a plant file is (confined to the case file's folder, valid TOML)."""
    names = out.pop("history_files")
    if "histories" in out:
        problems.append(RecordProblem(where, "payload.history_files", names,
                                      "either histories or history_files, not both"))
        return
    if not isinstance(names, list):
        problems.append(RecordProblem(where, "payload.history_files", names,
                                      "a list of operating history files (docs/history-format"
                                      ".md), relative to the case file"))
        return
    histories = []
    for i, name in enumerate(names):
        try:
            histories.append({"file": name,
                              "text": _plant_text(name, base, allow_outside, "history file")})
        except ValueError as err:
            problems.append(RecordProblem(where, f"payload.history_files[{i}]", name, str(err)))
    out["histories"] = histories


def _entry_problems(entry: Any, where: str) -> list[RecordProblem]:
    if not isinstance(entry, Mapping):
        return [RecordProblem(where, "records", entry, "a [[records]] table")]
    problems = [RecordProblem(where, key, entry[key], unknown_key(key, ENTRY_KEYS))
                for key in entry if key not in ENTRY_KEYS]
    problems += [RecordProblem(where, key, MISSING, "a value (required key)")
                 for key in _REQUIRED if key not in entry]
    ref = entry.get("ref")
    if ref is not None and not (isinstance(ref, str) and ref.strip()):
        problems.append(RecordProblem(where, "ref", ref, "a non-empty label"))
    return problems


def read_case_file(path: str | os.PathLike, *,
                   allow_outside: bool = False) -> list[tuple[str, dict]]:
    """Read and check the shape of a case file; return ``(label, entry)`` pairs with plant
    files embedded (refs not yet resolved).

    Plant files must lie in the case file's folder (or below it) unless ``allow_outside``.

    Raises
    ------
    RecordError
        For a syntax error, an unknown or missing key, a duplicate ref or an unreadable
        plant file.
    """
    path = Path(path)
    doc = _read_toml(path)
    problems = [RecordProblem(path.name, key, doc[key], unknown_key(key, _TOP_KEYS))
                for key in doc if key not in _TOP_KEYS]
    entries = doc.get("records")
    if not isinstance(entries, list) or not entries:
        raise RecordError(problems + [RecordProblem(path.name, "records", entries,
                                                    "one or more [[records]] tables")])
    out, refs = [], set()
    for i, entry in enumerate(entries):
        where = f"{path.name} records[{i}]"
        problems += _entry_problems(entry, where)
        if not isinstance(entry, Mapping):
            continue
        ref = entry.get("ref")
        if ref is not None and ref in refs:
            problems.append(RecordProblem(where, "ref", ref, "a ref not used before"))
        refs.add(ref)
        entry = dict(entry, payload=_embed_plants(entry.get("payload", {}), path.parent, where,
                                                  problems, allow_outside))
        out.append((where, entry))
    if problems:
        raise RecordError(problems)
    return out


def _resolve(value: Any, ids: Mapping[str, int], where: str, key: str) -> Any:
    if not isinstance(value, str):
        return value
    if value not in ids:
        raise RecordError.of(where, key, value,
                             "a record id, or the ref of an earlier entry of the case file")
    return ids[value]


def _draft(entry: dict, ids: Mapping[str, int], where: str) -> RecordDraft:
    payload = entry["payload"]
    if entry["kind"] == "sample" and isinstance(payload, Mapping) and "inspection" in payload:
        payload = dict(payload, inspection=_resolve(payload["inspection"], ids, where,
                                                    "payload.inspection"))
    return RecordDraft(kind=entry["kind"], facility=entry["facility"],
                       valid_from=entry["valid_from"], known_on=entry["known_on"],
                       source=entry["source"],
                       payload=payload,
                       supersedes=_resolve(entry.get("supersedes"), ids, where, "supersedes"),
                       submitted_by=entry.get("submitted_by"))


def load_case_file(store, path: str | os.PathLike,
                   signers: Iterable[Signer] | Mapping[str, Signer] = (), *,
                   allow_outside: bool = False,
                   amend: Callable[[RecordDraft], RecordDraft] | None = None) -> list[Record]:
    """Append every record of a case file to a store, in one transaction (all or nothing).

    Parameters
    ----------
    store : RecordStore
        The store (initialised).
    path : str or path
        The case file (format in the module docstring and ``docs/records-design.md``).
    signers : iterable of Signer, or mapping party -> Signer
        Keys of the submitting parties: an entry with ``submitted_by = "X"`` is signed by X's
        signer (and left unsigned when none is given).
    allow_outside : bool
        Let ``plant_file`` (and ``history_files``) name files outside the case file's folder
        (default: refused).
    amend : callable, optional
        Applied to each draft, refs resolved, before it is signed and appended (the web
        application stamps the submitting account and party this way).

    Returns
    -------
    list of Record
        The records appended, in file order.

    Raises
    ------
    RecordError
        Naming the entry at fault (``case.toml records[3]``); nothing is appended.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from enrichwatch.records import RecordStore
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "case.toml").write_text('''
    ... [[records]]
    ... ref = "f"
    ... kind = "facility"
    ... facility = "FFEP"
    ... valid_from = 2009-09-21
    ... known_on = 2009-09-21
    ... source = "IAEA GOV/2009/74"
    ... payload = { name = "Fordow FEP" }
    ... [[records]]
    ... kind = "facility"
    ... facility = "FFEP"
    ... valid_from = 2009-09-21
    ... known_on = 2009-09-25
    ... source = "IAEA GOV/2009/74"
    ... supersedes = "f"
    ... payload = { name = "Fordow Fuel Enrichment Plant", country = "Iran" }
    ... ''')
    >>> store = RecordStore.open("sqlite://").init()
    >>> [(r.id, r.supersedes) for r in load_case_file(store, folder / "case.toml")]
    [(1, None), (2, 1)]
    """
    if isinstance(signers, Mapping):
        by_party = dict(signers)
    else:
        by_party = {s.party: s for s in signers}
    entries = read_case_file(path, allow_outside=allow_outside)

    def prepare(first_id: int) -> list[tuple]:
        ids: dict[str, int] = {}
        items = []
        for n, (where, entry) in enumerate(entries):
            draft = _draft(entry, ids, where)
            if amend is not None:
                draft = amend(draft)
            if entry.get("ref") is not None:
                ids[entry["ref"]] = first_id + n
            items.append((draft, by_party.get(draft.submitted_by), where))
        return items

    return store._append_prepared(prepare)
