"""TOML in and out: the only place enrichwatch parses TOML.

- :func:`parse_toml`: TOML text to a dict; a syntax error becomes a :class:`Problem` naming the
  line and column, raised as the caller's :class:`ProblemsError` subclass;
- :func:`read_toml_file`: a file read as UTF-8 and parsed, an unreadable file becoming a
  problem too;
- :func:`read_package_toml`: a TOML file shipped in the package's ``data/`` folder;
- :func:`toml_literal`: a value written as TOML (inline tables, one-line arrays when they fit,
  floats exactly), for writers that lay out a document by hand.

Examples
--------
>>> try:
...     parse_toml('name = "A', "bad.toml")
... except ProblemsError as err:
...     print(err)
bad.toml: line 1 (end of file) = 'name = "A': expected valid TOML (Unterminated string)
>>> print(toml_literal({"U235": 5.0, "U-234": 0.04}))
{ U235 = 5.0, U-234 = 0.04 }
>>> print(toml_literal([4, 8, 4]))
[4, 8, 4]
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .problems import ProblemsError
from .safe import MAX_NESTING_DEPTH, check_depth, is_stdio, read_text_file

__all__ = ["parse_toml", "read_package_text", "read_package_toml", "read_toml_file", "toml_key",
           "toml_literal"]

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_LINE_LIMIT = 100


def _syntax_problem(err: tomllib.TOMLDecodeError, text: str) -> tuple[str, str, str]:
    message = str(err)
    match = _POSITION.search(message)
    reason = _POSITION.sub("", message).replace("(at end of document)", "").strip()
    lines = text.splitlines() or [""]
    if match is None:
        return f"line {len(lines)} (end of file)", lines[-1].strip(), f"valid TOML ({reason})"
    line, column = int(match.group(1)), int(match.group(2))
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"line {line}, column {column}", shown, f"valid TOML ({reason})"


def parse_toml(text: str, where: str, error: type[ProblemsError] = ProblemsError) -> dict:
    """Parse TOML text; a syntax error raises ``error`` naming the line and column.

    Tables and arrays nested deeper than :data:`~enrichwatch.files.safe.MAX_NESTING_DEPTH`
    are refused too.

    Parameters
    ----------
    text : str
        The TOML document.
    where : str
        The file or label named in problems.
    error : type of ProblemsError, optional
        The error raised (a subclass names the kind of input: plant file, case file, ...).
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise error.of(where, *_syntax_problem(err, text)) from None
    except RecursionError:
        doc = None
    try:
        if doc is None:
            raise ValueError("nested too deep to parse")
        check_depth(doc)
    except ValueError as err:
        raise error.of(where, "nesting", str(err),
                       f"tables and arrays nested at most {MAX_NESTING_DEPTH} levels deep"
                       ) from None
    return doc


def read_toml_file(path: str | os.PathLike, error: type[ProblemsError] = ProblemsError, *,
                   where: str | None = None) -> dict:
    """Read a UTF-8 TOML file; an unreadable file or a syntax error raises ``error``.

    The file must be a regular file of at most
    :data:`~enrichwatch.files.safe.MAX_FILE_BYTES` (:func:`~enrichwatch.files.read_text_file`).

    ``where`` names the file in problems (default: the path as given).
    """
    label = ("<stdin>" if is_stdio(path) else str(path)) if where is None else where
    path = Path(path)
    try:
        text = read_text_file(path)
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise error.of(label, "file", str(path), f"a readable UTF-8 file ({why})") from None
    return parse_toml(text, label, error)


def read_package_text(*parts: str) -> str:
    """The text of a file shipped in ``enrichwatch/data/`` (``read_package_text("a", "b.csv")``)."""
    return resources.files("enrichwatch").joinpath("data", *parts).read_text(encoding="utf-8")


def read_package_toml(*parts: str) -> dict[str, Any]:
    """A TOML file shipped in ``enrichwatch/data/``, parsed."""
    return parse_toml(read_package_text(*parts), "enrichwatch/data/" + "/".join(parts))


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_literal(key)


def toml_literal(value: Any) -> str:
    """A value as TOML: inline tables for mappings, one-line arrays when they fit."""
    import tomli_w

    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {toml_literal(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        items = [toml_literal(v) for v in value]
        line = "[" + ", ".join(items) + "]"
        if len(line) <= _LINE_LIMIT:
            return line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    return tomli_w.dumps({"v": value})[len("v = "):].rstrip("\n")


def toml_key(key: str) -> str:
    """A table key as TOML: bare when it can be, quoted otherwise."""
    return _key(key)
