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
    assert not modules & _LOADED_ON_FIRST_USE, sorted(modules & _LOADED_ON_FIRST_USE)


# Modules of the packages an evaluation imports that it does not use (no rule set is given, no
# case file read, no plant written, no other command's choices offered): loaded on first use
# (the package's __getattr__, or an import inside the function that needs them).
_LOADED_ON_FIRST_USE = {"enrichwatch.evaluation.rulesets", "enrichwatch.evaluation.limits",
                        "enrichwatch.evaluation.casefile", "enrichwatch.records.casefile",
                        "enrichwatch.facility.toml_io", "enrichwatch.cli.choices"}


def test_the_names_loaded_on_first_use_are_those_of_their_modules():
    """Every public name of enrichwatch.evaluation is there, and is its module's own."""
    import importlib

    import enrichwatch.evaluation as evaluation

    for name in evaluation.__all__:
        module = evaluation._LAZY.get(name)
        if module is not None:
            defining = importlib.import_module(f"enrichwatch.evaluation.{module}")
            assert getattr(evaluation, name) is getattr(defining, name), name
        assert getattr(evaluation, name) is not None, name
    assert set(evaluation.__all__) <= set(dir(evaluation))
    with pytest.raises(AttributeError, match="no attribute 'load_rule_sets'"):
        evaluation.load_rule_sets  # noqa: B018


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


# -- the process of a command: environment defaults, and its exit ----------------------------

_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def _without_blas_choice() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _BLAS_VARS
            and k != "ENRICHWATCH_DEBUG"}


@pytest.mark.parametrize("chosen", [{}, {"OPENBLAS_NUM_THREADS": "3"},
                                    {"GOTO_NUM_THREADS": "2"}, {"OMP_NUM_THREADS": "4"}])
def test_evaluate_gets_one_blas_thread_unless_the_user_chose(chosen):
    from enrichwatch.cli.entry import set_process_defaults

    environ = {"PATH": "/bin", **chosen}
    set_process_defaults(["evaluate", "FFEP", "--as-of", "2023-02-01"], environ)
    assert environ == ({"PATH": "/bin", "OPENBLAS_NUM_THREADS": "1"} if not chosen
                       else {"PATH": "/bin", **chosen})


@pytest.mark.parametrize("args", [[], ["--help"], ["solve", "x.toml"], ["accountancy"],
                                  ["records", "evaluate"], ["FFEP", "evaluate"]])
def test_other_commands_get_no_environment_default(args):
    from enrichwatch.cli.entry import set_process_defaults

    environ = {"PATH": "/bin"}
    set_process_defaults(args, environ)
    assert environ == {"PATH": "/bin"}


def test_main_called_in_process_leaves_the_environment_and_the_collector_alone(
        monkeypatch, capsys):
    """Only the command's own process (``main()`` with no ``argv``) gets the defaults and the
    frozen exit; a caller of ``main(argv)`` keeps its environment and its collector."""
    import gc

    from enrichwatch.cli.entry import main

    for var in _BLAS_VARS:
        monkeypatch.delenv(var, raising=False)
    frozen = gc.get_freeze_count()
    assert main(["evaluate", "FFEP", "--as-of", "not-a-date", "--json"]) == 1
    capsys.readouterr()
    assert not any(var in os.environ for var in _BLAS_VARS)
    assert gc.get_freeze_count() == frozen


# Runs the command line as its own process would, then writes (stderr, last line) what the
# BLAS pools were and what the collector held frozen when the interpreter began to shut down.
_AT_EXIT = ("import atexit, gc, json, runpy, sys\n"
            "sys.argv = ['enrichwatch', *sys.argv[1:]]\n"
            "def report():\n"
            "    from threadpoolctl import threadpool_info\n"
            "    sys.stderr.write('\\n' + json.dumps({\n"
            "        'blas': sorted(p['num_threads'] for p in threadpool_info()\n"
            "                       if p['user_api'] == 'blas'),\n"
            "        'frozen': gc.get_freeze_count(), 'enabled': gc.isenabled()}))\n"
            "atexit.register(report)\n"
            "runpy.run_module('enrichwatch', run_name='__main__')\n")

# What the BLAS pools of a process that loads numpy and SciPy are in the same environment.
_PLAIN_BLAS = ("import json, numpy, scipy.linalg\n"
               "from threadpoolctl import threadpool_info\n"
               "print(json.dumps(sorted(p['num_threads'] for p in threadpool_info()\n"
               "                        if p['user_api'] == 'blas')))\n")


def _at_exit(args, env) -> tuple[str, dict]:
    done = subprocess.run([sys.executable, "-c", _AT_EXIT, *args], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fordow_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    db = folder / "fordow.sqlite"
    subprocess.run([sys.executable, "-m", "enrichwatch", "records", "add", str(CASE), "--db",
                    str(db), "--json"], check=True, capture_output=True, timeout=600,
                   env=_without_blas_choice())
    return db


@pytest.mark.parametrize("chosen", [{}, {"OMP_NUM_THREADS": "2"}])
def test_a_fresh_evaluate_runs_on_the_blas_threads_chosen_or_one(fordow_store, tmp_path,
                                                                  chosen):
    """With no choice of the user's, the pools of numpy's and SciPy's OpenBLAS have one
    thread; with one, the pools are what they are in any process (so on a machine of one
    core, 1 either way); the output is the same."""
    env = {**_without_blas_choice(), "ENRICHWATCH_CACHE_DIR": str(tmp_path / "cache"), **chosen}
    out, state = _at_exit(["evaluate", "FFEP", "--as-of", "2023-02-01", "--db",
                           str(fordow_store), "--json", "--no-cache"], env)
    assert len(json.loads(out)["findings"]) == 3
    plain = json.loads(subprocess.run([sys.executable, "-c", _PLAIN_BLAS], capture_output=True,
                                      text=True, env=env, timeout=600, check=True).stdout)
    assert len(state["blas"]) >= 1 and state["blas"] == (plain if chosen else
                                                          [1] * len(state["blas"]))


def test_a_command_process_shuts_down_with_its_objects_frozen(fordow_store, tmp_path):
    """The shutdown's collector passes skip what the command left (gc.freeze before exit);
    the collector is on, as it was, and the command did its work."""
    env = {**_without_blas_choice(), "ENRICHWATCH_CACHE_DIR": str(tmp_path / "cache")}
    out, state = _at_exit(["evaluate", "FFEP", "--as-of", "2023-01-20", "--db",
                           str(fordow_store), "--json"], env)
    assert state["frozen"] > 10_000 and state["enabled"] is True
    assert json.loads(out)["facility"] == "FFEP"


def test_the_collector_makes_no_pass_while_evaluate_reads_and_evaluates(fordow_store, cli,
                                                                         tmp_path,
                                                                         monkeypatch):
    """``evaluate`` keeps the collector off until the ledger read and the evaluation are
    frozen (cli.records._long_lived), then leaves it as it was: on, nothing frozen."""
    import gc

    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path / "cache"))
    engine = "enrichwatch/evaluation/engine.py"
    passes = {"during": 0, "all": 0}

    def inside_evaluation() -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.replace(os.sep, "/").endswith(engine):
                return True
            frame = frame.f_back
        return False

    def count(phase, info):
        if phase == "start":
            passes["all"] += 1
            passes["during"] += inside_evaluation()

    frozen = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        gc.collect()                              # (counted: the hook works)
        code, out, _ = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", fordow_store,
                           "--json", "--no-cache")
    finally:
        gc.callbacks.remove(count)
    assert code == 0 and len(json.loads(out)["findings"]) == 3
    assert passes["all"] >= 1 and passes["during"] == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
