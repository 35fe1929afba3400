"""`enrichwatch evaluate` keeps the physical consequences in $ENRICHWATCH_CACHE_DIR: a repeated
evaluation prints exactly what a fresh one prints; `--no-cache` reads and writes nothing."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
ARGS = ("evaluate", "FFEP", "--as-of", "2023-02-01")


@pytest.fixture()
def db(tmp_path, cli_json):
    path = tmp_path / "fordow.sqlite"
    assert cli_json("records", "add", CASE, "--db", path)[0] == 0
    return path


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "evaluation").glob("*.json"))


def test_a_repeated_evaluation_prints_the_same_and_no_cache_writes_nothing(db, cli):
    folder = Path(os.environ["ENRICHWATCH_CACHE_DIR"])
    code, fresh, _ = cli(*ARGS, "--db", db, "--json", "--no-cache")
    assert code == 0 and entries(folder) == []
    code, first, _ = cli(*ARGS, "--db", db, "--json")
    written = entries(folder)
    assert code == 0 and first == fresh
    assert {p.name.split("-")[0] for p in written} == {"plant", "ranges", "reach", "comparison",
                                                        "transient"}
    stamps = [p.stat().st_mtime_ns for p in written]
    code, again, _ = cli(*ARGS, "--db", db, "--json")
    assert code == 0 and again == fresh
    assert entries(folder) == written and [p.stat().st_mtime_ns for p in written] == stamps


def test_a_corrupt_entry_is_recomputed_not_an_error(db, cli):
    folder = Path(os.environ["ENRICHWATCH_CACHE_DIR"])
    code, first, _ = cli(*ARGS, "--db", db, "--json")
    for path in entries(folder):
        path.write_text('{"format": 1, "kind": "plant", "value": ')          # cut short
    code, again, err = cli(*ARGS, "--db", db, "--json")
    assert code == 0 and again == first and "Traceback" not in err
