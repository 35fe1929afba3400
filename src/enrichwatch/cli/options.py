"""Options shared by several commands (one name, one meaning, one help text), the choices they
offer, and the edge between the library and the command line: a library error re-raised under
the option that carries the value, a machine catalog or a Dask scheduler checked before any
work, and old option spellings kept as hidden, deprecated aliases."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .app import BadInput

__all__ = [
    "CATALOG_OPTION",
    "DASK_CONNECT_SECONDS",
    "DASK_OPTION",
    "REPORT_OPTION",
    "SEED_OPTION",
    "BreakoutBasis",
    "DetectionMethod",
    "PlantModel",
    "SqDefinition",
    "connect_dask",
    "dask_client",
    "deprecated",
    "named_options",
    "old_spelling",
    "read_catalog",
    "since_option",
    "sq_definition_option",
    "until_option",
]


if TYPE_CHECKING:
    from .choices import BreakoutBasis, DetectionMethod, PlantModel, SqDefinition

REPORT_OPTION = typer.Option(None, "--report", help="Write a self-contained HTML report here.")
CATALOG_OPTION = typer.Option(None, "--catalog", help="Machine catalog file (TOML) to use "
                                                      "instead of the bundled one.")
DASK_OPTION = typer.Option(None, "--dask", help="Run the Monte Carlo on the Dask scheduler at "
                                                "this address (e.g. tcp://host:8786); it is "
                                                "reached before any work.")
SEED_OPTION = typer.Option(0, "--seed", min=0, help="Random seed of the Monte Carlo, a whole "
                                                    "number >= 0.")


def since_option(default: str) -> Any:
    """``--since``: the first report date of a ``--timeline``."""
    return typer.Option(default, "--since", help="With --timeline: first report date (YYYY or "
                                                 "YYYY-MM-DD).")


def until_option(default: str) -> Any:
    """``--until``: report dates of a ``--timeline`` before this one."""
    return typer.Option(default, "--until", help="With --timeline: report dates before this "
                                                 "(YYYY or YYYY-MM-DD).")


def sq_definition_option(default: str, when: str = "") -> Any:
    """``--sq-definition``: one SQ of HEU, as the IAEA or as the published estimates define it
    (``when`` says when the option applies, e.g. "With --timeline: ")."""
    from .choices import SqDefinition

    return typer.Option(SqDefinition(default), "--sq-definition",
                        help=f"{when}SQ definition: iaea (25 kg U-235 in HEU, 27.8 kg U at "
                             f"90 %) or 90pct (25 kg of 90 % uranium, as in most published "
                             f"estimates).")


# -- old spellings --------------------------------------------------------------------------


def deprecated(value: Any, old_value: Any, new: str, old: str) -> Any:
    """The value of option ``new``, or of its hidden, deprecated spelling ``old`` (with a
    one-line note on standard error); both given is bad input."""
    if old_value is None:
        return value
    if value is not None:
        raise BadInput(old, str(old_value), f"only one of {new} and {old} (the same option; "
                                            f"{old} is its old name)")
    sys.stderr.write(f"note: {old} is deprecated; use {new}\n")
    return old_value


def old_spelling(old: str, new: str, **checks: Any) -> Any:
    """A hidden option ``old`` (with the same ``checks`` as ``new``, e.g. ``min=1``), kept so
    that scripts written for it still run (see :func:`deprecated`)."""
    return typer.Option(None, old, hidden=True, help=f"Deprecated: {new}.", **checks)


# -- library errors under option names ----------------------------------------------------------


@contextmanager
def named_options(options: Mapping[str, str], given: Mapping[str, Any] | None = None,
                  phrases: Mapping[str, str] | None = None) -> Iterator[None]:
    """Re-raise a library :class:`~enrichwatch.errors.InputError` (or ``InputTypeError``) whose
    parameter is a key of ``options`` as a :class:`~.app.BadInput` naming the option instead.

    ``options`` maps the library's parameter names to the command's options (``{"feed_kg":
    "--feed-kg"}``); parameter names in the message (``feed_kg``) become option names too.
    ``given`` maps an option to the value as typed (shown instead of the library's form, e.g. an
    assay object); ``phrases`` replaces library wording that has no meaning on the command line
    (``"pass normalize=True to rescale"``). An error about anything else (a file key) passes
    through unchanged.
    """
    from ..errors import InputError, InputTypeError

    try:
        yield
    except (InputError, InputTypeError) as err:
        param = str(err.param)
        option = options.get(param, param if param.startswith("--") else None)
        if option is None:
            raise
        value = (given or {}).get(option)
        value = err.value if value is None else value
        raise BadInput(option, _renamed(value, options),
                       _rename_text(str(err.allowed), options, phrases)) from None


def _renamed(value: Any, options: Mapping[str, str]) -> Any:
    """Parameter names inside a value (a list of names, as an 'exactly one of' error gives)."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [options.get(v, v) for v in value]
    return value


def _rename_text(text: str, options: Mapping[str, str],
                 phrases: Mapping[str, str] | None) -> str:
    for old, new in (phrases or {}).items():
        text = text.replace(old, new)
    # only identifiers (with an underscore): "feed_kg", never the word "feed" in a sentence
    names = sorted((p for p in options if "_" in p), key=len, reverse=True)
    if names:
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
        text = pattern.sub(lambda m: options[m.group(1)], text)
    return text


# -- inputs checked at the edge, before any work --------------------------------------------------


def read_catalog(path: Path | None, option: str = "--catalog"):
    """The machine catalog in ``path`` (None: the bundled one, returned as None so that the
    library picks it), or bad input naming the option and the file."""
    from ..physics.machines import load_catalog

    if path is None:
        return None
    from ..errors import InputError

    try:
        return load_catalog(path)
    except InputError as err:
        what = err.allowed if err.param == "path" else f"a machine catalog (TOML); {err}"
        raise BadInput(option, str(path), what) from None


#: How long [s] to wait for a Dask scheduler to answer before giving up (a network timeout at
#: the command line's edge; the computation itself has no time limit).
DASK_CONNECT_SECONDS = 10.0


def connect_dask(address: str, option: str = "--dask"):
    """A ``distributed.Client`` connected to ``address``, or bad input naming the option and
    the address when Dask is not installed or no scheduler answers within
    :data:`DASK_CONNECT_SECONDS`. The caller closes it."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise BadInput(option, address, "a Dask scheduler address, with Dask installed "
                                        "(pip install 'enrichwatch[dask]')")
    seconds = DASK_CONNECT_SECONDS
    try:
        _probe(address, seconds)
        from distributed import Client

        return Client(address, timeout=f"{seconds:g}s")
    except Exception as err:  # noqa: BLE001 -- whatever the network says, it is the address
        why = " ".join(str(err).split()) or type(err).__name__
        raise BadInput(option, address, f"the address of a running Dask scheduler, e.g. "
                                        f"tcp://host:8786 (not reached: {why[:300]})") from None


def _probe(address: str, seconds: float) -> None:
    """Open and close one connection to ``address`` (a malformed address or an unknown scheme
    fails at once; a silent one after ``seconds``), so that a failed attempt leaves no
    half-made client behind."""
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address
    from distributed.comm.registry import get_backend

    get_backend(parse_address(address)[0])

    async def once() -> None:
        comm = await connect(address, timeout=seconds)
        await comm.close()

    asyncio.run(once())


@contextmanager
def dask_client(address: str | None, option: str = "--dask") -> Iterator[Any]:
    """``connect_dask(address)`` for the block (None without an address), closed after."""
    if address is None:
        yield None
        return
    client = connect_dask(address, option)
    try:
        yield client
    finally:
        client.close()


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    def __getattr__(name: str):
        # The choices of other commands' options (enumerations: each costs a class to build),
        # loaded on first use.
        if name not in ("BreakoutBasis", "DetectionMethod", "PlantModel", "SqDefinition"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from . import choices

        value = getattr(choices, name)
        globals()[name] = value
        return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
