"""Writing files safely: readers see the old file or the new one, never a half-written one.

Used for everything enrichwatch writes for a user (plant files, HTML reports).

Examples
--------
>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_atomic(pathlib.Path(tmp) / "note.txt", "hello\\n")
...     path.read_text(encoding="utf-8")
'hello\\n'
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .safe import check_output_file

__all__ = ["write_atomic"]

_DEFAULT_FILE_MODE = 0o644


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and :func:`os.replace`.

    The temporary file sits in the same folder and is removed if anything fails. An existing
    file's permissions are kept; a new file gets mode 0o644. A path that is not a regular file
    or a new one (a device file, a FIFO, a folder) is refused before anything is written
    (:func:`~enrichwatch.files.check_output_file`).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    check_output_file(path)
    target = Path(path)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _DEFAULT_FILE_MODE
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
