"""The typer application, output helpers and the exit-code contract."""

from __future__ import annotations

import json
import math
import os
import sys
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import typer

from ..errors import EnrichwatchError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "JSON_OPTION",
    "BadInput",
    "app",
    "check_output_path",
    "console",
    "emit",
    "report_error",
    "steps",
]

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2

app = typer.Typer(
    name="enrichwatch",
    help="Safeguards analysis of uranium enrichment plants: SWU, ideal cascades, machines, "
         "plant steady states and comparisons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")


def console(stderr: bool = False):
    """A rich console (imported lazily); 120 columns wide when not writing to a terminal."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False)
    if not out.is_terminal:
        out = Console(stderr=stderr, highlight=False, width=120)
    return out


def emit(as_json: bool, payload: dict, render: Callable[[Any], None]) -> None:
    """Print ``payload`` as JSON, or call ``render(console)`` to print tables."""
    if as_json:
        sys.stdout.write(json.dumps(_finite(payload), indent=2, allow_nan=False) + "\n")
    else:
        render(console())


def _finite(value):
    """The payload with non-finite floats as null (strict JSON has no NaN or infinity)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def check_output_path(path, option: str) -> None:
    """Refuse, before any work, an output file whose folder does not exist or that is a folder."""
    from pathlib import Path

    if path is None:
        return
    target = Path(path)
    if target.is_dir() or not target.parent.is_dir():
        raise BadInput(option, str(path), "a file path in an existing folder")


class BadInput(EnrichwatchError, ValueError):
    """A command-line input problem found by the CLI itself (options that do not fit)."""

    def __init__(self, param: str, value: Any, allowed: str) -> None:
        self.param, self.value, self.allowed = param, value, allowed
        super().__init__(param, value, allowed)

    def __str__(self) -> str:
        return f"{self.param} = {self.value!r} is not allowed: expected {self.allowed}"


def _error_payload(err: BaseException) -> dict:
    payload = {"type": type(err).__name__, "message": str(err)}
    for key in ("param", "value", "allowed", "where", "reason"):
        if hasattr(err, key):
            value = getattr(err, key)
            plain = isinstance(value, str | int | float | bool | None)
            if isinstance(value, float) and not math.isfinite(value):
                plain, value = True, repr(value)          # strict JSON has no NaN or inf
            payload[key] = value if plain else repr(value)
    return payload


def report_error(err: BaseException, code: int, args: list[str]) -> int:
    as_json = "--json" in args
    label = "error" if code == EXIT_BAD_INPUT else "internal error"
    if code == EXIT_INTERNAL and os.environ.get("ENRICHWATCH_DEBUG"):
        traceback.print_exception(err)
    if as_json:
        sys.stdout.write(json.dumps({"error": _error_payload(err)}, indent=2) + "\n")
    from rich.markup import escape

    console(stderr=True).print(f"[bold red]{label}:[/] {escape(str(err))}", soft_wrap=True)
    return code


@contextmanager
def steps(total: int):
    """A progress bar on stderr (only on a terminal); yields ``advance(label)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    err = console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("starting", total=total)

        def advance(label: str) -> None:
            bar.update(task, description=label, advance=1)

        yield advance
