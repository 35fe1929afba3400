"""Optional dependencies: the PostgreSQL driver (extra `postgres`) and Dask (extra `dask`) are
loaded only when used, and their absence gives a clear error naming the extra."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from enrichwatch.breakout import calibration_state, monte_carlo, plan_breakout
from enrichwatch.cli import main
from enrichwatch.records import RecordStore, StoreError, backend

STATE = Path(__file__).parents[1] / "examples" / "breakout" / "feb-2023.toml"
URL = "postgresql://analyst:secret@db.example/ledger"


@pytest.fixture()
def no_psycopg(monkeypatch):
    monkeypatch.setattr(backend, "_psycopg_installed", lambda: False)


@pytest.fixture()
def no_dask(monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else find_spec(name, *a))
    monkeypatch.setitem(sys.modules, "distributed", None)     # import fails like a missing one


def test_store_without_postgres_driver_says_what_to_install(no_psycopg):
    assert backend.postgres_driver_missing(URL)
    assert not backend.postgres_driver_missing("plant.sqlite")
    with pytest.raises(StoreError, match=r"pip install 'enrichwatch\[postgres\]'") as caught:
        RecordStore.open(URL)
    assert "secret" not in str(caught.value)


def test_sqlite_store_needs_no_driver(no_psycopg):
    assert RecordStore.open("sqlite://").init().verify().ok


def test_cli_db_without_postgres_driver_exits_1_naming_db_and_extra(no_psycopg, capsys):
    code = main(["records", "history", "FFEP", "--db", URL, "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    error = json.loads(out)["error"]
    assert error["param"] == "--db" and "enrichwatch[postgres]" in error["allowed"]
    assert "--db" in err and "enrichwatch[postgres]" in err
    assert "secret" not in out + err


def test_cli_dask_without_dask_exits_1_naming_dask_and_extra(no_dask, capsys):
    code = main(["breakout", str(STATE), "--samples", "10",
                 "--dask", "tcp://scheduler:8786"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "--dask" in err and "enrichwatch[dask]" in err


def test_monte_carlo_on_a_cluster_without_dask_names_the_extra(no_dask):
    state = calibration_state("may-2025")
    plan = plan_breakout(state)
    with pytest.raises(ModuleNotFoundError) as caught:
        monte_carlo(state, samples=1, plan=plan, address="tcp://scheduler:8786")
    assert "pip install 'enrichwatch[dask]'" in "".join(caught.value.__notes__)
