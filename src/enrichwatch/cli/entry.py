"""The entry point: registers the commands on the app and runs them with the error contract.

Exit codes: 0 success, 1 bad input, 2 internal error.

A command is defined in one module of the command line (:data:`COMMANDS`). ``enrichwatch NAME
...`` imports the module of ``NAME`` alone, so that a command does not pay for the imports of
all the others (``evaluate`` none of ``accountancy``'s); anything else (``--help``, ``--version``,
completion, a name that is no command) registers them all, in the order ``--help`` lists them.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import ConvergenceError, EnrichwatchError
from .app import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, app, report_error, stamped

__all__ = ["COMMANDS", "main", "register_commands"]

#: Each command (and group of commands) of ``enrichwatch``, in the order of ``--help``, and
#: the module of :mod:`enrichwatch.cli` that defines it.
COMMANDS: dict[str, str] = {
    "accountancy": "accountancy", "breakout": "breakout", "detection": "detection",
    "machines": "machines", "swu": "physics", "ideal": "physics", "solve": "plant",
    "compare": "plant", "evaluate": "records", "schema": "schema", "transient": "transient",
    "serve": "users", "records": "records", "users": "users", "sampling": "verification",
    "game": "verification",
}


def register_commands(args: Sequence[str] = ()) -> None:
    """Register on :data:`~.app.app` the command ``args[0]`` names, or else every command.

    Registering is importing the module that defines the command (once per process); when
    every command is registered they are put in the order of :data:`COMMANDS`, whatever was
    registered before."""
    module = COMMANDS.get(args[0]) if args else None
    if module is not None:
        importlib.import_module(f"{__package__}.{module}")
        return
    for name in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"{__package__}.{name}")
    order = {name: i for i, name in enumerate(COMMANDS)}
    app.registered_commands.sort(key=lambda info: order.get(_command_name(info), len(order)))
    app.registered_groups.sort(key=lambda info: order.get(str(info.name), len(order)))


def _command_name(info: Any) -> str:
    """The name typer gives a registered command (its function's, with dashes)."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and exits with) 0, 1 or 2.

    Option and argument errors are reported by typer itself (its usage-error exit status 2 is
    mapped to 1, bad input); errors raised by enrichwatch for bad values give 1; anything else
    is an internal error, 2, reported in one line (set ``ENRICHWATCH_DEBUG=1`` for a traceback).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        register_commands(args)
        try:
            status = app(args=argv, prog_name="enrichwatch", standalone_mode=False)
        except _click_error() as usage:
            _show_usage_error(usage)
            raise SystemExit(usage.exit_code) from None
        code = status if isinstance(status, int) and not isinstance(status, bool) else EXIT_OK
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        code = EXIT_BAD_INPUT if status == 2 else status
        if status == 2 and "--json" in args:     # typer printed the usage error on stderr
            sys.stdout.write(json.dumps(stamped("error", {"error": {
                "type": "UsageError", "message": "bad command-line options or arguments "
                                                 "(details on stderr; see --help)"}})) + "\n")
    except ConvergenceError as err:
        code = report_error(err, EXIT_INTERNAL, args)
    except (EnrichwatchError, ValueError, OSError) as err:
        code = report_error(err, EXIT_BAD_INPUT, args)
    except Exception as err:  # noqa: BLE001  -- the contract: never a traceback by default
        code = report_error(err, EXIT_INTERNAL, args)
    if argv is None:
        sys.exit(code)
    return code


def _click_error() -> Any:
    """The command-line parser's error class (typer vendors click in recent versions)."""
    try:
        from typer._click import exceptions
    except ImportError:                               # pragma: no cover - older typer
        from click import exceptions  # type: ignore[no-redef]
    return exceptions.ClickException


def _show_usage_error(err) -> None:
    """Print a usage error as typer would, with any database password in it hidden (the
    message may quote a misplaced argument, e.g. a URL given where a command was expected)."""
    from ..files import redact_secrets

    if isinstance(getattr(err, "message", None), str):
        err.message = redact_secrets(err.message)
    try:
        from typer.rich_utils import rich_format_error
    except ImportError:                               # pragma: no cover - typer without rich
        err.show()
    else:
        rich_format_error(err)
