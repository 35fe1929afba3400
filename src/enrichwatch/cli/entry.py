"""The entry point: registers every command on the app and runs it with the error contract.

Exit codes: 0 success, 1 bad input, 2 internal error.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..errors import ConvergenceError, EnrichwatchError
from . import (  # noqa: F401  (registers the commands)
    accountancy,
    breakout,
    detection,
    machines,
    physics,
    plant,
    records,
    schema,
    transient,
    users,
    verification,
)
from .app import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, app, report_error, stamped

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and exits with) 0, 1 or 2.

    Option and argument errors are reported by typer itself (its usage-error exit status 2 is
    mapped to 1, bad input); errors raised by enrichwatch for bad values give 1; anything else
    is an internal error, 2, reported in one line (set ``ENRICHWATCH_DEBUG=1`` for a traceback).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
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
