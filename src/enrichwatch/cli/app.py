"""The typer application, output helpers and the exit-code contract."""

from __future__ import annotations

import itertools
import json
import math
import operator
import os
import sys
import traceback
from collections.abc import Callable
from itertools import repeat
from typing import Any

import typer

from ..errors import EnrichwatchError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "JSON_OPTION",
    "SCHEMA_VERSION",
    "BadInput",
    "app",
    "check_output_path",
    "console",
    "emit",
    "is_stdout",
    "report_error",
    "stamped",
]

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2

app = typer.Typer(
    name="enrichwatch",
    help="Safeguards analysis of uranium enrichment plants: SWU, ideal cascades, machines, "
         "plant steady states and comparisons.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Help text is plain: units in brackets ("[kg U]") must not be read as console markup.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"enrichwatch {version('enrichwatch')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Safeguards analysis of uranium enrichment plants."""

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")


def console(stderr: bool = False):
    """A rich console (imported lazily); when not writing to a terminal, as wide as
    ``COLUMNS`` says (120 if unset), with no colour or styling codes.

    Emoji codes (``:x:``) and highlighting are off: text from users' files is printed as
    written. Console markup stays on for enrichwatch's own labels, so user text is printed
    through :func:`rich.markup.escape` (or as :class:`rich.text.Text`).
    """
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, emoji=False)
    if not out.is_terminal:
        out = Console(stderr=stderr, highlight=False, emoji=False, width=_piped_width(),
                      no_color=True)
    return out


def _piped_width() -> int:
    """Width for output that is not a terminal: ``COLUMNS`` if it is a sane number, else 120."""
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return 120
    return width if 40 <= width <= 1000 else 120


#: Version of the JSON output contract; the schemas are ``cli/schemas/NAME.schema.json``.
SCHEMA_VERSION = 2


def stamped(schema: str, payload: dict) -> dict:
    """``payload`` headed by the name and version of the JSON schema it follows."""
    return {"schema": f"enrichwatch/{schema}", "schema_version": SCHEMA_VERSION, **payload}


def emit(as_json: bool, payload: dict, render: Callable[[Any], None], *,
         stderr: bool = False, schema: str | None = None) -> None:
    """Print ``payload`` as JSON, or call ``render(console)`` to print tables (on standard
    error when ``stderr``, e.g. because a report went to standard output).

    ``schema`` names the shipped JSON schema the output follows; the JSON then starts with
    ``schema`` and ``schema_version``.
    """
    if as_json:
        body = stamped(schema, payload) if schema else payload
        sys.stdout.write(json_text(body))   # (written, not joined: it may be megabytes)
        sys.stdout.write("\n")
    else:
        render(console(stderr=stderr))


def json_text(value: Any) -> str:
    """``json.dumps(value, indent=2, allow_nan=False)`` of ``value`` with its non-finite floats
    as null (strict JSON has no NaN or infinity): the text every ``--json`` output prints.

    The standard library writes indented JSON with its pure-Python encoder, generator by
    generator; an evaluation of a large store lists every late entry, hundreds of thousands of
    small objects. This writes the same text in one pass over the value, and hands anything
    it does not know (keys that are not text, objects that are not JSON values, reference
    cycles) to :func:`json.dumps`, which raises or writes as it always has.
    """
    out: list[str] = []
    try:
        _indented(value, out, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(_finite(value), indent=2, allow_nan=False)
    return "".join(out)


class _NotPlain(Exception):
    """A value :func:`json_text` leaves to :func:`json.dumps`."""


_quote = json.encoder.encode_basestring_ascii      # what json.dumps writes for a str
_float_repr, _int_repr = float.__repr__, int.__repr__


def _scalar(value: Any) -> str | None:
    """The JSON text of a scalar (None for a container)."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return _int_repr(value)
    if kind is float:
        return _float_repr(value) if math.isfinite(value) else "null"
    if kind in (dict, list, tuple):
        return None
    raise _NotPlain(kind.__name__)          # subclasses and other objects: json.dumps decides


_PLAIN, _TEXT = frozenset((str, int, float, bool, type(None))), frozenset((str,))
# The standard library's C encoder (None where json has none), one per item separator.
_MAKE_ENCODER = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_encoders: dict[str, Any] = {}
_values, _chain = dict.values, itertools.chain.from_iterable


def _not_plain(value: Any) -> Any:
    raise _NotPlain(type(value).__name__)


def _encoded(value: Any, separator: str) -> str | None:
    """The standard library's C encoder's text of ``value`` with ``separator`` between
    items (and ``": "`` after keys); None when it has none, or for a non-finite float."""
    if _MAKE_ENCODER is None:           # pragma: no cover - json without its C encoder
        return None
    encoder = _encoders.get(separator)
    if encoder is None:
        encoder = _encoders[separator] = _MAKE_ENCODER(
            None, _not_plain, _quote, None, ": ", separator, False, False, False)
    try:
        return "".join(encoder(value, 0))
    except ValueError:                  # NaN or an infinity: the loop writes null
        return None


def _plain_items(items) -> bool:
    """Whether every item is exactly of a plain scalar type (no subclass, no container)."""
    return _PLAIN.issuperset(map(type, items))


def _flat(value: Any, is_dict: bool, inner: str, newline: str) -> str | None:
    """The JSON text (as the loop in :func:`_indented` writes it) of a non-empty container
    of plain scalars (and text keys), or of a list of such dicts, written by the C encoder;
    None for any other container (the loop writes it, as ever).

    An evaluation of a large store lists every late entry: a hundred thousand small objects
    written in one call instead of seven hundred thousand turns of the loop."""
    if is_dict:
        if not (_plain_items(value.values()) and _TEXT.issuperset(map(type, value))
                and type(text := _encoded(value, "," + inner)) is str):
            return None
        return "{" + inner + text[1:-1] + newline + "}"
    if _plain_items(value):
        text = _encoded(value, "," + inner)
        return None if text is None else "[" + inner + text[1:-1] + newline + "]"
    return _flat_dicts(value, inner, newline)


def _flat_dicts(value: Any, inner: str, newline: str) -> str | None:
    """:func:`_flat` of a list (or tuple) of non-empty dicts of plain scalars with text keys.

    The C encoder writes it with the separator of the dicts' items (a comma, a newline and
    their indent) between all items; those between dicts (after a ``}``, before a ``{``: a
    dict's items are each a key, ``"``) are then given the indent of the list's items.
    Encoded text holds no other newline (strings are written with escapes)."""
    if not ({dict} == set(map(type, value)) and min(map(len, value)) > 0
            and _plain_items(_chain(map(_values, value)))
            and _TEXT.issuperset(map(type, _chain(value)))):
        return None
    deeper = inner + "  "
    if len(set(map(tuple, value))) == 1:         # the same keys in the same order
        return _columns(value, inner, newline, deeper)
    text = _encoded(value, "," + deeper)
    if text is None:
        return None
    body = text[2:-2].replace("}," + deeper + "{", inner + "}," + inner + "{" + deeper)
    return "[" + inner + "{" + deeper + body + inner + "}" + newline + "]"


_TRUE_FALSE = {True: "true", False: "false"}
#: How a column of values all of one plain type is written (others: by _scalar).
_COLUMN_TEXT: dict[type, Callable[[Any], str]] = {
    str: _quote, int: _int_repr, bool: _TRUE_FALSE.__getitem__, type(None): lambda _: "null"}


def _columns(value: Any, inner: str, newline: str, deeper: str) -> str:
    """:func:`_flat_dicts` of dicts with the same keys in the same order, a column at a time:
    each key's values written by one function mapped over them, then each dict's items
    joined (the loop's text: floats, NaN included, by :func:`_scalar`)."""
    columns = []
    for key in value[0]:
        column = list(map(operator.itemgetter(key), value))
        kinds = set(map(type, column))
        write: Callable[[Any], str | None] = (
            _COLUMN_TEXT.get(kinds.pop(), _scalar) if len(kinds) == 1 else _scalar)
        columns.append(map((_quote(key) + ": ").__add__, map(write, column)))  # type: ignore[arg-type]
    items = map(("," + deeper).join, zip(*columns, strict=True))
    between = inner + "}," + inner + "{" + deeper
    return "[" + inner + "{" + deeper + between.join(items) + inner + "}" + newline + "]"


def _indented(value: Any, out: list[str], newline: str) -> None:
    """Append the JSON text of ``value`` at the indent of ``newline`` to ``out``."""
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    is_dict = type(value) is dict
    opening, closing = ("{", "}") if is_dict else ("[", "]")
    if not value:
        out.append(opening + closing)
        return
    inner = newline + "  "
    text = _flat(value, is_dict, inner, newline)
    if text is not None:
        out.append(text)
        return
    out.append(opening)
    sep = inner
    for key, item in (value.items() if is_dict else zip(repeat(None), value)):
        out.append(sep)
        sep = "," + inner
        if is_dict:
            if type(key) is not str:
                raise _NotPlain("a key that is not text")
            out.append(_quote(key))
            out.append(": ")
        text = _scalar(item)
        if text is None:
            _indented(item, out, inner)
        else:
            out.append(text)
    out.append(newline + closing)


def _finite(value):
    """The payload with non-finite floats as null (strict JSON has no NaN or infinity)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def is_stdout(path) -> bool:
    """True when an output option is ``-``: standard output (``./-`` names a file)."""
    return path is not None and str(path) == "-"


def check_output_path(path, option: str, *, as_json: bool = False) -> None:
    """Refuse, before any work, an output path that is not a regular file or a new one in an
    existing folder that can be written (a device, a FIFO or a folder is never replaced).

    ``-`` (standard output) is allowed, except with ``--json``, which writes there itself.
    """
    from ..files import output_problem

    if path is None:
        return
    if as_json and is_stdout(path):
        raise BadInput(option, str(path), "a file: --json already writes to standard output")
    problem = output_problem(path)
    if problem is not None:
        raise BadInput(option, str(path), problem)


class BadInput(EnrichwatchError, ValueError):
    """A command-line input problem found by the CLI itself (options that do not fit)."""

    def __init__(self, param: str, value: Any, allowed: str) -> None:
        self.param, self.value, self.allowed = param, value, allowed
        super().__init__(param, value, allowed)

    def __str__(self) -> str:
        return f"{self.param} = {self.value!r} is not allowed: expected {self.allowed}"


def _error_payload(err: BaseException) -> dict:
    from ..files import redact_secrets

    payload = {"type": type(err).__name__, "message": redact_secrets(str(err))}
    for key in ("param", "value", "allowed", "where", "reason"):
        if hasattr(err, key):
            payload[key] = _json_value(getattr(err, key))
    return payload


def _json_value(value: Any) -> Any:
    """A value as JSON: text, numbers, booleans, null and lists of them as they are (texts with
    any password hidden); NaN, infinities and other objects as their text form."""
    from ..files import redact_secrets

    scalar = (str, int, float, bool, type(None))
    if isinstance(value, list | tuple) and all(isinstance(v, scalar) for v in value):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)                                # strict JSON has no NaN or inf
    text = value if isinstance(value, str) else None if isinstance(value, scalar) else repr(value)
    return value if text is None else redact_secrets(text)


def report_error(err: BaseException, code: int, args: list[str]) -> int:
    as_json = "--json" in args
    label = "error" if code == EXIT_BAD_INPUT else "internal error"
    if code == EXIT_INTERNAL and os.environ.get("ENRICHWATCH_DEBUG"):
        traceback.print_exception(err)
    if as_json:
        sys.stdout.write(json.dumps(stamped("error", {"error": _error_payload(err)}),
                                    indent=2) + "\n")
    from rich.markup import escape

    from ..files import redact_secrets

    message = escape(redact_secrets(str(err)))
    console(stderr=True).print(f"[bold red]{label}:[/] {message}", soft_wrap=True)
    return code
