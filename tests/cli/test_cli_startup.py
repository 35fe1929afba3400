"""What the command line loads before it does anything (issue 14): structural, not timed.

``enrichwatch --help`` loads typer and the command definitions, none of the numerical, database
or validation libraries and no enrichwatch package but the command line's own; a repeated
``enrichwatch evaluate`` (every consequence read from the disk cache) loads no SciPy and no
network solver; a cold one does (so that the check could fail)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert "scipy" not in _top(warm)
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
