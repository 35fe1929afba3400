"""On-disk cache of an evaluation's physical consequences, keyed by what fixes them.

The rules of an evaluation ask the physics the same questions whenever the same plant
descriptions come back: a plant's figures at its design cuts, its ranges over the uncertain
inputs, whether it reaches an assay, two plants at one operating point, a stated operating
history run through the transient model. Each answer is plain data fixed by its inputs (the
plant and history texts, the assays), by the machine catalog and by the code. A
:class:`ConsequenceCache` keeps each answer in a folder, one JSON file per answer, so that a
repeated ``enrichwatch evaluate`` reads them instead of solving again, and does not even load
the physics.

Nothing is cached unless a cache is passed down explicitly: ``evaluate(..., cache=...)``
hands it to the evaluation's :class:`~enrichwatch.evaluation.plants.PlantCache`; the command
line makes one (``--no-cache``: none). Library calls without one never touch the disk.

Keys
----
An answer's key is the SHA-256 of the canonical JSON of: its kind, its inputs (plant and history
texts exactly as recorded, assays), the cache format (:data:`CACHE_FORMAT`), the package,
numpy and SciPy versions, the bundled machine catalog's text and a fingerprint of the source
that computes it (``physics``, ``facility``, ``evaluation`` and the modules under them). A
changed text, catalog or code gives another key. Only the bundled catalog is keyed: an
evaluation with another catalog is not cached.

The folder
----------
As for the breakout cache (:mod:`enrichwatch.breakout.cache`): ``$ENRICHWATCH_CACHE_DIR``, else
``$XDG_CACHE_HOME/enrichwatch``, else ``~/.cache/enrichwatch``; entries live in its
``evaluation`` sub-folder, created 0o700.

An entry is untrusted input
---------------------------
Read as the breakout cache reads its entries (JSON only, size-limited, a regular file of the
user opened without following links, an envelope naming the format, kind and key expected);
then the value is checked: only JSON objects with text keys, lists, text, finite numbers (or
``Infinity`` where a figure may be infinite), booleans and null, in the layout of its kind
(:data:`REQUIRED`); anything else is a miss and the answer is computed again. An answer is
written only if its JSON form reads back to exactly the same value (same types, same floats),
so a hit gives the same output as a computation. What the checks cannot do: an entry forged
well-formed cannot be told from a true one; keep the folder private (it is created 0o700) or
use ``--no-cache``.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     first = ConsequenceCache(tmp)
...     a = first.answer("reach", {"plant": "x", "assay_wt_pct": 90.0},
...                      lambda: {"reach": None, "ranges": None})
...     again = ConsequenceCache(tmp)          # a new process, say
...     b = again.answer("reach", {"plant": "x", "assay_wt_pct": 90.0}, lambda: 1 / 0)
...     a == b, again.counts["hit"], first.counts["written"]
(True, 1, 1)
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..breakout.cache import EntryError, ResultCache, cache_directory

__all__ = ["CACHE_FORMAT", "REQUIRED", "ConsequenceCache", "cache_directory"]

#: Version of the entry layout (another format is a miss).
CACHE_FORMAT = 1
_SUBFOLDER = "evaluation"
_MAX_DEPTH = 12
_MAX_TEXT = 100_000

#: Kind -> the keys its answer must hold (its top level; ``reach``'s may be null too).
REQUIRED: Mapping[str, frozenset[str]] = {
    "plant": frozenset({"summary", "cascades", "streams", "feed_points", "withdrawals",
                        "feeds_by_point", "design_cuts_assumption"}),
    "ranges": frozenset({"withdrawal", "inputs", "settings", "figures", "assumption"}),
    "reach": frozenset({"reach", "ranges"}),
    "comparison": frozenset({"comparison"}),
    "transient": frozenset({"history", "file", "reaches", "settings", "time_to_assay_h",
                            "peak_wt_pct", "kg_u_above_declared", "kg_u_above_assay"}),
}
_CODE = ("physics", "facility", "evaluation", "files")
_MODULES = ("composition.py", "constants.py", "units.py", "errors.py", "dates.py")


class _NotJson(Exception):
    """A value with no exact JSON form (computed, not cached)."""


def _package_version() -> str:
    return str(getattr(sys.modules.get("enrichwatch"), "__version__", "unknown"))


@functools.cache
def _fingerprint() -> str:
    """SHA-256 of the package version, the versions of numpy and SciPy (their version files,
    read without importing them), the bundled machine catalog and the source computing the
    answers."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    files = sorted([f for part in _CODE for f in (root / part).rglob("*.py")]
                   + [root / m for m in _MODULES] + [root / "data" / "machines.toml"])
    digest = hashlib.sha256(_package_version().encode())
    for name in ("numpy", "scipy"):
        spec = importlib.util.find_spec(name)
        origin = Path(str(spec.origin if spec else ""))
        for candidate in (origin.with_name("version.py"), origin.with_name("_version.py")):
            try:
                digest.update(name.encode() + b"\0" + candidate.read_bytes())
                break
            except OSError:
                continue
        else:                                               # pragma: no cover
            digest.update(name.encode() + b"\0" + str(origin).encode())
    try:
        for f in files:
            digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    except OSError:                                          # pragma: no cover - zipped
        return "version " + _package_version()
    return digest.hexdigest()


def _key(kind: str, material: Any) -> str:
    doc = {"format": CACHE_FORMAT, "kind": kind, "code": _fingerprint(), "input": material}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"),
                                     allow_nan=False).encode()).hexdigest()


# -- values <-> JSON ---------------------------------------------------------------------------
def _encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data; :class:`_NotJson` when JSON cannot hold it exactly."""
    if depth > _MAX_DEPTH:
        raise _NotJson("nested too deep")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        if math.isnan(value) or value == -math.inf:
            raise _NotJson(f"{value!r}")
        return value
    if type(value) is list:
        return [_encode(v, depth + 1) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise _NotJson("a key that is not text")
        return {k: _encode(v, depth + 1) for k, v in value.items()}
    raise _NotJson(f"a {type(value).__name__}")


def _check(value: Any, depth: int = 0) -> Any:
    """``value`` read from an entry if it holds only what an answer may hold, else
    :class:`EntryError`."""
    if depth > _MAX_DEPTH:
        raise EntryError("nested too deep")
    if value is None or type(value) in (bool, int):
        return value
    if type(value) is str:
        if len(value) > _MAX_TEXT:
            raise EntryError("a text too long")
        return value
    if type(value) is float:
        if math.isnan(value) or value == -math.inf:
            raise EntryError(f"{value!r} is not a figure an answer may hold")
        return value
    if type(value) is list:
        return [_check(v, depth + 1) for v in value]
    if type(value) is dict:
        return {_check_key(k): _check(v, depth + 1) for k, v in value.items()}
    raise EntryError(f"a {type(value).__name__} is not JSON data")


def _check_key(key: Any) -> str:
    if type(key) is not str or len(key) > 1000:
        raise EntryError("a key that is not a short text")
    return key


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types throughout (1 and 1.0, or a tuple and a list, differ)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _decoder(kind: str) -> Callable[[Any], dict[str, Any]]:
    def decode(doc: Any) -> dict[str, Any]:
        value = _check(doc)
        if type(value) is not dict or not REQUIRED[kind] <= set(value):
            raise EntryError(f"not a {kind} answer")
        return value
    return decode


class ConsequenceCache(ResultCache):
    """A folder of an evaluation's answers (see the module docstring).

    Parameters
    ----------
    directory : str or Path
        The enrichwatch cache folder (:func:`cache_directory`); entries go to its
        ``evaluation`` sub-folder.
    log : callable, optional
        ``log(message)`` for every hit, miss and write.
    write : bool
        Write entries (False: read only).

    Attributes
    ----------
    counts : dict of str to int
        ``hit``, ``miss``, ``rejected`` (an entry read as a miss), ``written``, ``unwritten``
        and ``uncached`` (an answer with no exact JSON form, computed and not kept).
    """

    def __init__(self, directory: str | os.PathLike, *, log: Callable[[str], None] | None = None,
                 write: bool = True) -> None:
        super().__init__(directory, log=log, write=write)
        self.folder = self.directory / _SUBFOLDER
        self.counts["uncached"] = 0

    def __repr__(self) -> str:
        return f"ConsequenceCache({str(self.directory)!r}, {self.counts})"

    def answer(self, kind: str, material: Any, compute: Callable[[], dict[str, Any]]
               ) -> dict[str, Any]:
        """The answer of kind ``kind`` for the inputs ``material`` (JSON data): read, or
        computed with ``compute()`` and written. A fresh copy each time (callers may change
        it)."""
        if kind not in REQUIRED:
            raise ValueError(f"unknown answer kind {kind!r}")
        key = _key(kind, material)
        found = self.load(kind, key, _decoder(kind))
        if found is not None:
            return copy.deepcopy(found)
        value = compute()
        try:
            doc = _encode(value)
            exact = _same(_decoder(kind)(json.loads(json.dumps(doc, allow_nan=True))), value)
        except (_NotJson, EntryError) as err:
            exact, why = False, str(err)
        else:
            why = "its JSON form does not read back the same"
        if exact:
            self.store(kind, key, copy.deepcopy(value), doc)
        else:
            self._event("uncached", f"cache: {kind} {key[:12]}: not kept ({why})")
        return value
