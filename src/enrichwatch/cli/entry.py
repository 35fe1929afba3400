"""The entry point: registers the commands on the app and runs them with the error contract.

Exit codes: 0 success, 1 bad input, 2 internal error.

A command is defined in one module of the command line (:data:`COMMANDS`). ``enrichwatch NAME
...`` imports the module of ``NAME`` alone, so that a command does not pay for the imports of
all the others (``evaluate`` none of ``accountancy``'s); anything else (``--help``, ``--version``,
completion, a name that is no command) registers them all, in the order ``--help`` lists them.

Run as a program (:func:`main` with no ``argv``), two more things are done for the process,
none of which changes what a command computes or prints:

* a command of :data:`PROCESS_DEFAULTS` gets environment defaults set before it imports
  anything numerical (:func:`set_process_defaults`; a variable the user has set is kept);
* at exit, the objects left are frozen (:func:`gc.freeze`) before the interpreter shuts down:
  its shutdown runs full passes of the cyclic collector over every object of every module
  loaded (~0.1 s of CPU after a cold ``evaluate``), to free memory the system is about to
  reclaim. Files and databases are closed by the commands themselves, not left to the
  collector (what is left at exit: the standard streams, which are flushed as ever).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import ConvergenceError, EnrichwatchError
from .app import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, app, report_error, stamped

__all__ = ["COMMANDS", "PROCESS_DEFAULTS", "main", "register_commands", "set_process_defaults"]

#: Each command (and group of commands) of ``enrichwatch``, in the order of ``--help``, and
#: the module of :mod:`enrichwatch.cli` that defines it.
COMMANDS: dict[str, str] = {
    "accountancy": "accountancy", "breakout": "breakout", "detection": "detection",
    "machines": "machines", "swu": "physics", "ideal": "physics", "solve": "plant",
    "compare": "plant", "evaluate": "records", "schema": "schema", "transient": "transient",
    "serve": "users", "records": "records", "users": "users", "sampling": "verification",
    "game": "verification",
}


#: Environment defaults for the process of a command: ``(variable, value, the variables that,
#: when any is set, mean the user has chosen)``. ``evaluate`` runs all its linear algebra on
#: one BLAS thread (small systems: each computation is pinned so by
#: :func:`~enrichwatch.physics.sparse_systems.one_blas_thread`), so it has OpenBLAS start no
#: thread pool when numpy and SciPy load (each bundles an OpenBLAS, and both read
#: ``OPENBLAS_NUM_THREADS``, then ``GOTO_NUM_THREADS``, then ``OMP_NUM_THREADS``): the pools'
#: threads, started and left spinning, cost ~0.15 s of CPU of a cold ``evaluate`` for nothing
#: (and its wall time, where another process wants the cores).
PROCESS_DEFAULTS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "evaluate": (
        ("OPENBLAS_NUM_THREADS", "1",
         ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")),
    ),
}


def set_process_defaults(args: Sequence[str], environ=None) -> None:
    """Set the environment defaults of :data:`PROCESS_DEFAULTS` for the command ``args[0]``
    names, in ``environ`` (default :data:`os.environ`): each only when none of the variables
    that choose the same thing is set. Called before the command is imported."""
    environ = os.environ if environ is None else environ
    for name, value, chosen_by in PROCESS_DEFAULTS.get(args[0] if args else "", ()):
        if not any(var in environ for var in chosen_by):
            environ[name] = value


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
    if argv is None:                      # (the process is the command's own)
        set_process_defaults(args)
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
        gc.freeze()                       # (no shutdown pass over what is left: see above)
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
