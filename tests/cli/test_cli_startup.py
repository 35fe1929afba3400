"""What the command line loads before it does anything (issue 14): structural, not timed.

``enrichwatch --help`` loads typer and the command definitions, none of the numerical, database
or validation libraries and no enrichwatch package but the command line's own; a repeated
``enrichwatch evaluate`` (every consequence read from the disk cache) loads no numpy, no SciPy
and no network solver; a cold one does (so that the check could fail). A command loads the
module of the command line that defines it, not the others' (``evaluate`` not
``accountancy``'s), and the help of each command is the same as when all are registered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"

# Runs the command line in a fresh interpreter, then prints the modules it loaded (stderr).
_LOADED = ("import io, json, runpy, sys, contextlib\n"
           "sys.argv = ['enrichwatch', *sys.argv[1:]]\n"
           "out, code = io.StringIO(), None\n"
           "with contextlib.redirect_stdout(out):\n"
           "    try:\n"
           "        runpy.run_module('enrichwatch', run_name='__main__')\n"
           "    except SystemExit as done:\n"
           "        code = done.code\n"
           "sys.stderr.write(json.dumps({'code': code, 'out': out.getvalue(),\n"
           "                             'modules': sorted(sys.modules)}))\n")


def loaded(*args: str, env: dict | None = None) -> tuple[int, str, set[str]]:
    """(exit code, stdout, modules loaded) of ``enrichwatch ARGS`` in a fresh interpreter."""
    env = dict(os.environ if env is None else env)
    env.pop("ENRICHWATCH_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["out"], set(report["modules"])


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_root_help_loads_no_heavy_library():
    code, out, modules = loaded("--help")
    assert code == 0 and "evaluate" in out and "records" in out
    assert not _top(modules) & {"numpy", "scipy", "sqlalchemy", "pydantic", "rich", "jinja2",
                                "matplotlib", "fastapi", "cryptography"}
    ours = {m for m in modules if m.startswith("enrichwatch.")}
    assert {m.split(".")[1] for m in ours} <= {"cli", "dates", "errors"}, sorted(ours)


def test_repeated_evaluate_loads_no_solver(tmp_path):
    env = dict(os.environ, ENRICHWATCH_CACHE_DIR=str(tmp_path / "cache"))
    db = tmp_path / "fordow.sqlite"
    subprocess.run([sys.executable, "-m", "enrichwatch", "records", "add", str(CASE), "--db",
                    str(db), "--json"], check=True, capture_output=True, env=env, timeout=600)
    args = ("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", str(db), "--json")
    code, cold_out, cold = loaded(*args, env=env)
    assert code in (0, None) and {"scipy", "enrichwatch.physics.network"} <= cold | _top(cold)
    code, warm_out, warm = loaded(*args, env=env)
    assert code in (0, None) and warm_out == cold_out
    assert not _top(warm) & {"scipy", "numpy"}
    assert not {"enrichwatch.physics.network", "enrichwatch.physics.steady_state",
                "enrichwatch.physics.transient", "enrichwatch.facility"} & warm


def test_evaluate_of_a_sqlite_store_loads_no_database_library(tmp_path):
    """A SQLite store file of the newest schema is read with sqlite3 alone (records.snapshot):
    SQLAlchemy and Alembic load only for a store to upgrade, a PostgreSQL URL, or a checkpoint
    to check against (which the store itself does; tests/records/test_records_snapshot.py)."""
    env = dict(os.environ, ENRICHWATCH_CACHE_DIR=str(tmp_path / "cache"))
    db = tmp_path / "fordow.sqlite"
    subprocess.run([sys.executable, "-m", "enrichwatch", "records", "add", str(CASE), "--db",
                    str(db), "--json"], check=True, capture_output=True, env=env, timeout=600)
    args = ("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", str(db), "--json")
    for _ in range(2):                          # cold, then with the consequences cached
        code, out, modules = loaded(*args, env=env)
        assert code in (0, None) and json.loads(out)["store_verified"] is True
        assert not _top(modules) & {"sqlalchemy", "alembic"}
    assert "enrichwatch.physics.machines" not in modules    # (the bundled catalog, unread)


_OTHER_COMMANDS = {f"enrichwatch.cli.{m}" for m in (
    "accountancy", "breakout", "detection", "machines", "physics", "plant", "schema",
    "transient", "users", "verification")}


def test_a_fresh_evaluate_loads_nothing_it_does_not_use(tmp_path):
    """``evaluate --no-cache --json`` of a SQLite store, piped: the physics and the store's
    reader, and none of the other commands, the report, the web application, the other
    analyses, the database layer, rich (no bar is drawn, no table printed) or the cache."""
    env = dict(os.environ, ENRICHWATCH_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("FORCE_COLOR", None)
    env.pop("TTY_COMPATIBLE", None)
    db = tmp_path / "fordow.sqlite"
    subprocess.run([sys.executable, "-m", "enrichwatch", "records", "add", str(CASE), "--db",
                    str(db), "--json"], check=True, capture_output=True, env=env, timeout=600)
    code, out, modules = loaded("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", str(db),
                                "--json", "--no-cache", env=env)
    assert code in (0, None) and len(json.loads(out)["findings"]) == 3
    assert {"enrichwatch.cli.records", "enrichwatch.records.snapshot", "scipy",
            "enrichwatch.physics.network"} <= modules | _top(modules)      # (what it uses)
    assert not modules & _OTHER_COMMANDS, sorted(modules & _OTHER_COMMANDS)
    assert not _top(modules) & {"sqlalchemy", "alembic", "jinja2", "matplotlib", "rich",
                                "fastapi", "cryptography", "dask"}
    ours = {m.split(".")[1] for m in modules if m.startswith("enrichwatch.")}
    assert not ours & {"report", "web", "breakout", "accountancy", "detection", "verification"}
    assert "enrichwatch.evaluation.cache" not in modules                   # (--no-cache)


def _fresh_output(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, check=True, env=dict(os.environ, COLUMNS="100"))
    return done.stdout


_MAIN = "from enrichwatch.cli.entry import main, register_commands\n"


@pytest.mark.parametrize("command", ["evaluate", "records", "serve", "swu", "game"])
def test_a_command_alone_has_the_help_it_has_among_all(command):
    """Registering the one command run gives the same help as registering them all."""
    alone = _fresh_output(_MAIN + f"main([{command!r}, '--help'])")
    among_all = _fresh_output(_MAIN + f"register_commands(); main([{command!r}, '--help'])")
    assert alone == among_all and "Usage: enrichwatch " + command in alone


def test_the_root_help_lists_the_commands_in_one_order():
    """Whatever command ran first in the process (``serve`` registers ``users`` and
    ``records``' commands), ``--help`` lists them in the order of :data:`COMMANDS`."""
    from enrichwatch.cli.entry import COMMANDS

    first = _fresh_output(_MAIN + "main(['--help'])")
    after = _fresh_output(_MAIN + "main(['serve', '--help']); print('SPLIT'); main(['--help'])")
    assert after.split("SPLIT\n")[1] == first
    listed = [line.split()[0] for line in first.split("Commands:")[1].splitlines()
              if line.startswith("  ") and line.split()[0] in COMMANDS]
    assert listed == list(COMMANDS)


def test_every_command_is_mapped_to_the_module_defining_it():
    import importlib

    import typer.main

    from enrichwatch.cli.app import app
    from enrichwatch.cli.entry import COMMANDS, register_commands

    register_commands()
    names = set(typer.main.get_command(app).commands)        # type: ignore[attr-defined]
    assert names == set(COMMANDS)
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        assert info.callback.__module__ == f"enrichwatch.cli.{COMMANDS[name]}", name
    for group in app.registered_groups:
        module = importlib.import_module(f"enrichwatch.cli.{COMMANDS[group.name]}")
        assert any(v is group.typer_instance for v in vars(module).values()), group.name
