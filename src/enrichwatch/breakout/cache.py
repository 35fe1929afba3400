"""On-disk cache of breakout results fixed by their inputs: step rates, optimisation
solutions, lower bounds, design checks.

A breakout plan spends most of its time on physics (the rate of every cascade type on every
step, :mod:`.rates`) and on the optimiser (:mod:`.program`), and both depend only on their
inputs. A :class:`ResultCache` keeps them in a folder, one JSON file per result, so that a
repeated run with the same plant and catalog reads them instead of recomputing them. Nothing
is cached unless a cache is made active with :func:`using_cache` (the command line does so;
the library functions never touch the disk on their own).

Keys
----
An entry's key is the SHA-256 of the canonical JSON of everything that fixes its value: the
kind of result, the inputs (machines with every catalog field, machines per cascade, built
jobs, step assays, plant model, the arrays of an optimisation problem), the cache format
(:data:`CACHE_FORMAT`), the package version, numpy's and SciPy's versions, and a fingerprint
of the source code that computes it (the ``breakout`` and ``physics`` packages). A changed
catalog, plant or code gives another key; old entries are never read again (``--clear-cache``
removes them).

The folder
----------
``$ENRICHWATCH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/enrichwatch``, else
``~/.cache/enrichwatch`` (:func:`cache_directory`); entries live in its ``breakout``
sub-folder, which is created with mode 0o700.

An entry is untrusted input
---------------------------
Anyone who can write the folder can write an entry, so an entry is read as a file an attacker
may have written:

* JSON only (never pickle); at most :data:`MAX_ENTRY_BYTES`; a regular file owned by the user,
  opened without following symbolic links (a symlinked entry is refused);
* the envelope must name the format, the kind and the key the reader expects (an entry copied
  under another name is foreign), and every value is checked by its kind: types, shapes,
  finite numbers in range, and physics (a rate must close its mass and U-235 balances and keep
  its separative work within the rated power; an optimisation solution must satisfy every
  constraint of its problem);
* anything wrong makes the entry a *miss*: the result is computed again and the entry
  rewritten. Reading never raises; an unwritable or missing folder only means nothing is kept.

What the checks cannot do: without a secret, an entry that is well-formed, physically possible
and feasible cannot be told from a true one. Such a forged entry can make a plan slower than
the optimum, never faster than the physics allows; where that matters, use ``--no-cache`` or
keep the folder private (it is created 0o700).

Writes go through :func:`enrichwatch.files.write_atomic` (a temporary file and a rename), so
concurrent writers of the same entry each leave a complete file; the last one stays.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     cache = ResultCache(tmp)
...     with using_cache(cache):
...         first = memoised("demo", lambda: {"x": 2.0}, lambda: 4.0, lambda v: {"v": v},
...                          lambda d: number(d["v"]))
...     again = ResultCache(tmp)            # a new process, say
...     with using_cache(again):
...         second = memoised("demo", lambda: {"x": 2.0}, lambda: 1 / 0, lambda v: {"v": v},
...                           lambda d: number(d["v"]))
...     first, second, again.counts["hit"], cache.counts["written"]
(4.0, 4.0, 1, 1)
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:    # numpy loads when first used: a consequence read from the cache needs none
    import numpy as np

__all__ = [
    "CACHE_FORMAT",
    "MAX_ENTRY_BYTES",
    "EntryError",
    "ResultCache",
    "active_cache",
    "array",
    "array_digest",
    "cache_directory",
    "flag",
    "machine_material",
    "memoised",
    "number",
    "text",
    "using_cache",
]

T = TypeVar("T")

#: Version of the entry layout; entries of another format are foreign (a miss).
CACHE_FORMAT = 1
#: Largest entry read [bytes] (the plan of 100 cascade groups writes about 1 MB).
MAX_ENTRY_BYTES = 32 * 1024 * 1024

_SUBFOLDER = "breakout"
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_ENTRY = re.compile(r"^[a-z][a-z0-9-]{0,30}-[0-9a-f]{64}\.json$")
_TEMPORARY = re.compile(r"^\.[a-z][a-z0-9-]{0,30}-[0-9a-f]{64}\.json\..+\.tmp$")
_MEMORY_LIMIT = 4096          # entries kept decoded in memory by one ResultCache


class EntryError(ValueError):
    """A cache entry that does not hold what its kind needs (read as a miss)."""


class _Uncacheable(Exception):
    """Inputs with no canonical form (a custom machine class, say): compute, do not cache."""


# ---------------------------------------------------------------------------------------------
# where


def cache_directory(environ: dict[str, str] | None = None) -> Path | None:
    """The enrichwatch cache folder: ``$ENRICHWATCH_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/enrichwatch`` (an absolute ``XDG_CACHE_HOME`` only, as the XDG
    specification says), else ``~/.cache/enrichwatch``; None without a home folder.

    >>> str(cache_directory({"ENRICHWATCH_CACHE_DIR": "/srv/ew"}))
    '/srv/ew'
    >>> str(cache_directory({"XDG_CACHE_HOME": "/var/cache/ann"}))
    '/var/cache/ann/enrichwatch'
    """
    env = os.environ if environ is None else environ
    if env.get("ENRICHWATCH_CACHE_DIR"):
        return Path(env["ENRICHWATCH_CACHE_DIR"]).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "enrichwatch"
    try:
        return Path.home() / ".cache" / "enrichwatch"
    except (RuntimeError, KeyError):        # no HOME and no password entry
        return None


# ---------------------------------------------------------------------------------------------
# keys


def _package_version() -> str:
    # the root package is always loaded before this one (read from sys.modules: importing it
    # here would count as importing every layer it re-exports)
    return str(getattr(sys.modules.get("enrichwatch"), "__version__", "unknown"))


@functools.cache
def _code_fingerprint() -> str:
    """SHA-256 of the source that computes cached results (package version if unreadable)."""
    __version__ = _package_version()
    root = Path(__file__).resolve().parents[1]
    files = sorted([*(root / "breakout").glob("*.py"), *(root / "physics").glob("*.py"),
                    root / "composition.py", root / "constants.py", root / "units.py"])
    digest = hashlib.sha256(__version__.encode())
    try:
        for f in files:
            digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    except OSError:                                      # pragma: no cover - zipped install
        return f"version {__version__}"
    return digest.hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    import numpy as np

    return {"enrichwatch": _package_version(), "numpy": np.__version__,
            "scipy": _scipy_version()}


def _scipy_version() -> str:
    """SciPy's version file (version and git revision), read without importing SciPy (whose
    import costs a repeated run ~20 ms); its ``__version__`` if the file cannot be read."""
    import importlib.util

    spec = importlib.util.find_spec("scipy")
    try:
        text = Path(str(spec.origin if spec else "")).with_name("version.py").read_text()
    except (OSError, ValueError):                            # pragma: no cover
        import scipy

        return str(scipy.__version__)
    return hashlib.sha256(text.encode()).hexdigest()


def array_digest(values) -> str:
    """Canonical digest of a float array (shape and little-endian bytes) for key material.

    >>> import numpy as np
    >>> array_digest([1.0, 2.0]) == array_digest(np.array([1.0, 2.0]))
    True
    """
    import numpy as np

    a = np.ascontiguousarray(np.asarray(values, dtype="<f8"))
    return f"{a.shape}:" + hashlib.sha256(a.tobytes()).hexdigest()


def _key(kind: str, material: Any) -> str:
    doc = {"format": CACHE_FORMAT, "kind": kind, "code": _code_fingerprint(), **_versions(),
           "input": material}
    try:
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError) as err:
        raise _Uncacheable(str(err)) from None
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# checking what is read


def number(value, lo: float = -math.inf, hi: float = math.inf, *,
           allow_inf: bool = False) -> float:
    """``value`` as a float in [lo, hi] (finite unless ``allow_inf``), else :class:`EntryError`.

    >>> number(2, 0.0, 3.0)
    2.0
    >>> number(True)
    Traceback (most recent call last):
    ...
    enrichwatch.breakout.cache.EntryError: a number is needed, not True
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EntryError(f"a number is needed, not {value!r:.40}")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf) or not lo <= x <= hi:
        raise EntryError(f"{x!r} lies outside [{lo}, {hi}]")
    return x


def flag(value) -> bool:
    """``value`` if it is a bool, else :class:`EntryError`."""
    if not isinstance(value, bool):
        raise EntryError(f"true or false is needed, not {value!r:.40}")
    return value


def text(value, max_chars: int = 2000) -> str:
    """``value`` if it is a string of at most ``max_chars``, else :class:`EntryError`."""
    if not isinstance(value, str) or len(value) > max_chars:
        raise EntryError(f"a string of at most {max_chars} characters is needed")
    return value


def array(value, shape: tuple[int, ...], lo: float = -math.inf, hi: float = math.inf
          ) -> np.ndarray:
    """``value`` (nested lists) as a finite float array of exactly ``shape`` within [lo, hi]."""
    import numpy as np

    if not isinstance(value, list):
        raise EntryError("an array (a list) is needed")
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise EntryError("an array of numbers is needed") from None
    if a.shape != tuple(shape):
        raise EntryError(f"an array of shape {tuple(shape)} is needed, not {a.shape}")
    if not np.all(np.isfinite(a)) or (a.size and (a.min() < lo or a.max() > hi)):
        raise EntryError(f"finite numbers in [{lo}, {hi}] are needed")
    return a


def _constant(name: str) -> float:
    if name == "Infinity":
        return math.inf
    raise EntryError(f"{name} is not a number an entry may hold")


# ---------------------------------------------------------------------------------------------
# reading and writing files


def _read_entry(path: Path) -> bytes | None:
    """The bytes of a regular entry file owned by the user; None if there is none.

    Raises OSError (EntryError) for what is refused: a symbolic link, another kind of file,
    another owner, a file too large.
    """
    if not hasattr(os, "O_NOFOLLOW") and path.is_symlink():   # pragma: no cover - Windows
        raise EntryError("a symbolic link is refused")
    flags = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise EntryError("a symbolic link is refused") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise EntryError("not a regular file")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise EntryError(f"owned by user {info.st_uid}, not by this user")
        if info.st_size > MAX_ENTRY_BYTES:
            raise EntryError(f"larger than {MAX_ENTRY_BYTES} bytes")
        chunks, size = [], 0
        while size <= MAX_ENTRY_BYTES:
            chunk = os.read(fd, MAX_ENTRY_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_ENTRY_BYTES:
        raise EntryError(f"larger than {MAX_ENTRY_BYTES} bytes")
    return b"".join(chunks)


def _private_folder(folder: Path) -> Path:
    """``folder`` created (0o700) if missing; OSError unless it is a real folder of the user."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(errno.ENOTDIR, "not a folder (a symbolic link?)", str(folder))
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise OSError(errno.EPERM, f"owned by user {info.st_uid}", str(folder))
    return folder


class ResultCache:
    """A cache folder (see the module docstring).

    Parameters
    ----------
    directory : str or Path
        The enrichwatch cache folder (entries go to its ``breakout`` sub-folder).
    log : callable, optional
        ``log(message)`` for every hit, miss and write, in words (``--verbose``).
    write : bool
        Write entries (False: read only).

    Attributes
    ----------
    counts : dict of str to int
        Events so far: ``hit``, ``miss`` (no entry), ``rejected`` (an entry read as a miss:
        corrupt, foreign, tampered, refused), ``written``, ``unwritten`` (a write that failed).
    """

    def __init__(self, directory: str | os.PathLike, *, log: Callable[[str], None] | None = None,
                 write: bool = True) -> None:
        self.directory = Path(directory)
        self.folder = self.directory / _SUBFOLDER
        self.write = write
        self.counts = {"hit": 0, "miss": 0, "rejected": 0, "written": 0, "unwritten": 0}
        self._log = log
        self._memory: dict[tuple[str, str], Any] = {}

    def __repr__(self) -> str:
        return f"ResultCache({str(self.directory)!r}, {self.counts})"

    def _event(self, event: str, message: str) -> None:
        self.counts[event] += 1
        if self._log is not None:
            self._log(message)

    def path(self, kind: str, key: str) -> Path:
        """The file of entry ``kind``/``key``."""
        if not _KIND.match(kind) or not re.fullmatch(r"[0-9a-f]{64}", key):
            raise ValueError(f"bad cache entry name {kind!r}/{key!r}")
        return self.folder / f"{kind}-{key}.json"

    def load(self, kind: str, key: str, decode: Callable[[Any], T]) -> T | None:
        """The value of an entry, checked by ``decode``; None (a miss) if absent or bad."""
        if (kind, key) in self._memory:
            return self._memory[(kind, key)]
        path = self.path(kind, key)
        label = f"cache: {kind} {key[:12]}"
        try:
            raw = _read_entry(path)
            if raw is None:
                self._event("miss", f"{label}: not cached, computing")
                return None
            doc = json.loads(raw, parse_constant=_constant)
            if not (isinstance(doc, dict) and set(doc) == {"format", "kind", "key", "value"}):
                raise EntryError("not a cache entry")
            if doc["format"] != CACHE_FORMAT or doc["kind"] != kind or doc["key"] != key:
                raise EntryError("a foreign entry (another format, kind or key)")
            value = decode(doc["value"])
        except Exception as err:  # noqa: BLE001 -- an entry is untrusted input: any fault is a miss
            why = str(err) if isinstance(err, EntryError | OSError) else type(err).__name__
            self._event("rejected", f"{label}: ignored {path} ({why:.200}); computing")
            return None
        self._event("hit", f"{label}: read {path}")
        self._remember(kind, key, value)
        return value

    def store(self, kind: str, key: str, value: Any, doc: Any) -> None:
        """Keep ``value`` for this process and write ``doc`` (its JSON form) to the folder."""
        self._remember(kind, key, value)
        if not self.write:
            return
        from ..errors import InputError
        from ..files import write_atomic

        path = self.path(kind, key)
        envelope = {"format": CACHE_FORMAT, "kind": kind, "key": key, "value": doc}
        try:
            content = json.dumps(envelope, separators=(",", ":"), allow_nan=True)
            _private_folder(self.folder)
            if path.is_symlink():
                raise OSError(errno.ELOOP, "a symbolic link is in the way", str(path))
            write_atomic(path, content)
        except (OSError, InputError, ValueError) as err:
            self._event("unwritten", f"cache: {kind} {key[:12]}: not written ({err})")
            return
        self._event("written", f"cache: {kind} {key[:12]}: wrote {path}")

    def _remember(self, kind: str, key: str, value: Any) -> None:
        if len(self._memory) >= _MEMORY_LIMIT:
            self._memory.clear()
        self._memory[(kind, key)] = value

    def entries(self) -> list[Path]:
        """Entry files in the folder (and temporary files left by interrupted writers)."""
        try:
            with os.scandir(self.folder) as it:
                names = [e.name for e in it if not e.is_dir(follow_symlinks=False)]
        except OSError:
            return []
        return sorted(self.folder / n for n in names if _ENTRY.match(n) or _TEMPORARY.match(n))

    def clear(self) -> int:
        """Remove every entry (only files named as entries); returns how many were removed."""
        self._memory.clear()
        removed = 0
        for path in self.entries():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        return removed

    def memo(self, kind: str, material: Callable[[], Any], compute: Callable[[], T],
             encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
        """The cached value of ``compute()`` under the key of ``material()`` (see
        :func:`memoised`)."""
        try:
            key = _key(kind, material())
        except _Uncacheable as err:
            if self._log is not None:
                self._log(f"cache: {kind}: not cacheable ({err}); computing")
            return compute()
        hit = self.load(kind, key, decode)
        if hit is not None:
            return hit
        value = compute()
        self.store(kind, key, value, encode(value))
        return value


_ACTIVE: ContextVar[ResultCache | None] = ContextVar("enrichwatch_breakout_cache", default=None)


def active_cache() -> ResultCache | None:
    """The cache made active by :func:`using_cache` in this context, or None."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using_cache(cache: ResultCache | None) -> Iterator[ResultCache | None]:
    """Make ``cache`` the active one inside the ``with`` block (None: no cache)."""
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)


def memoised(kind: str, material: Callable[[], Any], compute: Callable[[], T],
             encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
    """``compute()``, or its value from the active cache.

    Parameters
    ----------
    kind : str
        Kind of result (lower case, the start of the entry's file name).
    material : callable
        Returns the JSON-able inputs that fix the value (called only with a cache active;
        a :class:`TypeError` from JSON makes the call uncacheable).
    compute : callable
        Computes the value.
    encode, decode : callable
        Value to JSON-able document and back; ``decode`` checks everything it reads and raises
        (any exception) for an entry it cannot trust. ``decode(encode(v))`` must equal ``v``
        exactly (JSON keeps floats exactly).
    """
    cache = _ACTIVE.get()
    if cache is None:
        return compute()
    return cache.memo(kind, material, compute, encode, decode)


def machine_material(machine) -> dict:
    """Every field of a catalog :class:`~enrichwatch.physics.machines.Machine` (another class
    cannot be keyed: its behaviour is not in its fields)."""
    import dataclasses

    from ..physics.machines import Machine

    if type(machine) is not Machine:
        raise _Uncacheable(f"{type(machine).__name__} is not a catalog Machine")
    return {"class": "Machine", **dataclasses.asdict(machine)}
