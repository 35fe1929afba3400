"""Safe edges: reading input files, choosing output files, hiding secrets, limiting shapes.

Everything that enters enrichwatch from a path, or leaves it for one, passes here:

- :func:`read_text_file`: a regular file only (a FIFO, a device or a folder is refused at once,
  without blocking), at most :data:`MAX_FILE_BYTES`, decoded as UTF-8;
- :func:`check_output_file`: an output path must be a regular file or a new one, in an existing
  folder that can be written; a device file or a FIFO is never replaced;
- :func:`confined_path`: a file named inside another file (a case file's ``plant_file``),
  resolved relative to that file's folder and kept inside it;
- :func:`check_depth`: parsed documents nested at most :data:`MAX_NESTING_DEPTH` deep;
- :func:`redact_secrets`: passwords in database URLs (``scheme://user:password@host``,
  ``password=...``) replaced by ``***``.

Examples
--------
>>> redact_secrets("postgresql://ann:s3cret@db.example/ledger")
'postgresql://ann:***@db.example/ledger'
>>> redact_secrets("host=db password=s3cret user=ann")
'host=db password=*** user=ann'
>>> check_depth({"a": [[1, 2], {"b": 3}]}, 3)
>>> check_depth({"a": {"b": {"c": 1}}}, 2)
Traceback (most recent call last):
...
ValueError: nested 3 levels deep
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path

from ..errors import InputError

__all__ = ["MAX_FILE_BYTES", "MAX_NESTING_DEPTH", "STDIO", "FileRefused", "check_depth",
           "check_output_file", "confined_path", "is_stdio", "output_problem", "read_text_file",
           "redact_secrets"]

#: Largest input file read [bytes] (plant files, case files, rule sets, catalogs, state files);
#: the largest shipped file is 24 kB.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of tables and arrays accepted in an input document (the formats need 5).
MAX_NESTING_DEPTH = 16

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
# the password runs to the last "@" of the URL (a raw "/" or "@" in it is hidden too)
# (and "scheme:/user:password@", as a URL given where a path was expected becomes)
# (patterns, compiled on first use by re's cache: most commands never redact anything)
_URL_PASSWORD = r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*:/{1,3}[^:/@\s'\"]*):[^\s'\"]*@"
_KEY_PASSWORD = r"(?P<head>\bpassword\s*=\s*)(?:'[^']*'|\"[^\"]*\"|[^\s&;'\"]+)"


class FileRefused(OSError):
    """A path that enrichwatch will not read or write (not a regular file, too large, ...).

    An :class:`OSError`, so callers that report unreadable files report it the same way;
    ``strerror`` says why in words.
    """

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, os.fspath(path))

    def __str__(self) -> str:
        return str(self.strerror)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


#: The path that means standard input (for reading) or standard output (for writing).
STDIO = "-"


def is_stdio(path: str | os.PathLike | None) -> bool:
    """True for ``-``: read standard input or write standard output (``./-`` is a file)."""
    return path is not None and os.fspath(path) == STDIO


def _read_stdin(max_bytes: int) -> str:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(STDIO, f"standard input of at most {max_bytes} bytes is needed")
    return data.decode("utf-8")


def read_text_file(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular UTF-8 file of at most ``max_bytes`` bytes; ``-`` reads standard
    input (at most ``max_bytes`` of it).

    The file is opened without blocking and checked before anything is read, so a FIFO, a
    device (``/dev/zero``) or a folder is refused at once.

    Raises
    ------
    FileRefused
        Not a regular file, or larger than ``max_bytes``.
    OSError
        The file cannot be opened (missing, no permission).
    UnicodeDecodeError
        The bytes are not UTF-8.
    """
    if is_stdio(path):
        return _read_stdin(max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise FileRefused(path, f"a regular file is needed, this is {kind}")
        if info.st_size > max_bytes:
            raise FileRefused(path, f"a file of at most {max_bytes} bytes is needed, this one "
                                    f"has {info.st_size}")
        chunks, size = [], 0
        while size <= max_bytes:              # the file may grow while it is read
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise FileRefused(path, f"a file of at most {max_bytes} bytes is needed")
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8")


def output_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be an output file, or None when it can.

    An output file must be a regular file or a new one, in an existing folder enrichwatch may
    write to (a device file, a FIFO, a folder or a socket is never replaced). ``-`` (standard
    output) is always allowed.
    """
    if is_stdio(path):
        return None
    target = Path(path)
    try:
        mode = target.stat().st_mode          # follows a symbolic link to what it names
    except FileNotFoundError:
        mode = None
    except OSError as err:
        return f"a path that can be checked ({err.strerror})"
    if mode is not None and (kind := _kind(mode)) is not None:
        return f"a regular file or a new one (this is {kind})"
    if mode is None and target.is_symlink():
        return "a regular file or a new one (this is a symbolic link to nothing)"
    folder = target.parent
    if not folder.is_dir():
        return "a file path in an existing folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "a file path in a folder you may write to"
    return None


def check_output_file(path: str | os.PathLike, param: str = "path") -> None:
    """Refuse an output path :func:`output_problem` finds fault with (:class:`InputError`)."""
    problem = output_problem(path)
    if problem is not None:
        raise InputError(param, os.fspath(path), problem)


def confined_path(name: str, base: str | os.PathLike, allow_outside: bool = False) -> Path:
    """``name`` resolved relative to the folder ``base``, which it must stay inside.

    Symbolic links are resolved before the check; ``allow_outside`` lifts the confinement.

    Raises
    ------
    FileRefused
        ``name`` is empty, holds a NUL, or leads outside ``base``.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> confined_path("plant.toml", folder).name
    'plant.toml'
    >>> confined_path("../../etc/passwd", folder)
    Traceback (most recent call last):
    ...
    enrichwatch.files.safe.FileRefused: a file inside the case file's folder is needed
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise FileRefused(str(name), "a file name is needed")
    folder = Path(base).resolve()
    target = (folder / Path(name).expanduser()).resolve()
    if not allow_outside and not target.is_relative_to(folder):
        raise FileRefused(name, "a file inside the case file's folder is needed")
    return target


def check_depth(document: object, limit: int = MAX_NESTING_DEPTH) -> None:
    """Refuse a document of dicts and lists nested more than ``limit`` deep (``ValueError``).

    Iterative: a deep document cannot exhaust the interpreter's stack here.
    """
    stack = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, dict | list | tuple):
            continue
        children = value.values() if isinstance(value, dict) else value
        if depth + 1 > limit:
            raise ValueError(f"nested {depth + 1} levels deep")
        stack.extend((child, depth + 1) for child in children)


def redact_secrets(text: str) -> str:
    """``text`` with the passwords of database URLs and ``password=`` settings as ``***``."""
    text = re.sub(_URL_PASSWORD, r"\g<head>:***@", text)
    return re.sub(_KEY_PASSWORD, r"\g<head>***", text, flags=re.IGNORECASE)
