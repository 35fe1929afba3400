"""The command-line contract under careless use (regressions from a fresh-user trial,
2026-11-27): exit 1 with a message naming the option for bad input, strict JSON, no traceback
unless ENRICHWATCH_DEBUG is set, no work done for an unusable output path."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
OBSERVED = ROOT / "examples" / "fordow-2023" / "observed.toml"
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"


def test_stream_from_a_cascade_into_itself_solves(cli, tmp_path):
    plant = tmp_path / "self.toml"
    text = OBSERVED.read_text().replace('from = "B.tails"\nto = "A"', 'from = "B.tails"\nto = "B"')
    assert text != OBSERVED.read_text()
    plant.write_text(text)
    code, out, err = cli("solve", plant, "--json")
    assert code == 0, err
    assert json.loads(out)["balance_residual"] < 1e-9


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, b"\x00\x01\x02" * 100])
def test_db_that_is_not_a_database(cli, tmp_path, content):
    db = tmp_path / "x.sqlite"
    db.write_bytes(content)
    code, out, err = cli("records", "add", CASE, "--db", db, "--json")
    assert code == 1 and "--db" in err and "Traceback" not in err
    assert json.loads(out)["error"]["param"] == "--db"


def test_db_in_a_missing_folder_or_a_folder(cli, tmp_path):
    for db in (tmp_path / "nowhere" / "x.sqlite", tmp_path):
        code, _, err = cli("records", "init", "--db", db)
        assert code == 1 and "--db" in err


@pytest.mark.parametrize("args", [
    ["solve", OBSERVED, "--report", "{tmp}/nowhere/x.html"],
    ["solve", OBSERVED, "--report", "{tmp}"],
    ["compare", OBSERVED, OBSERVED, "--report", "{tmp}/nowhere/x.html"],
    ["breakout", ROOT / "examples" / "breakout" / "feb-2023.toml", "--report", "{tmp}/no/x.html"],
    ["records", "keygen", "IAEA", "--private-key", "{tmp}/nowhere/k.pem"],
])
def test_unusable_output_path_is_refused_up_front(cli, tmp_path, args):
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli(*args)
    assert code == 1 and ("--report" in err or "--private-key" in err) and ".tmp" not in err


def test_overflowing_amounts_and_nan_give_strict_json(cli):
    code, out, _ = cli("swu", "--feed", "0.711", "--product", "90", "--tails", "0.3",
                       "--product-kg", "1e308", "--json")
    assert code == 1 and "--product-kg" in json.loads(out)["error"]["param"]
    code, out, _ = cli("swu", "--feed", "nan", "--product", "90", "--tails", "0.3",
                       "--product-kg", "1", "--json")
    assert code == 1 and "NaN" not in out and json.loads(out)["error"]["param"] == "--feed"


def test_usage_errors_give_json_on_stdout(cli):
    code, out, _ = cli("swu", "--fed", "1", "--json")
    assert code == 1 and json.loads(out)["error"]["type"] == "UsageError"


def test_unusable_signing_key(cli, tmp_path):
    code, _, err = cli("records", "add", CASE, "--db", tmp_path / "x.sqlite",
                       "--key", f"IAEA={CASE}")
    assert code == 1 and "--key" in err


def test_broken_catalog_in_a_real_process_gives_no_traceback(cli_process, tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text("this is = not [ a catalog")
    done = cli_process("machines", "--catalog", bad)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "catalog" in done.stderr


def test_more_bad_input_from_the_trial(cli, tmp_path):
    code, _, err = cli("ideal", "--feed", "U235=0.711,U238=99.289", "--product", "90",
                       "--tails", "0.1", "--gamma-235", "1.0000001")
    assert code == 1 and "--gamma-235" in err
    db = tmp_path / "f.sqlite"
    assert cli("records", "add", CASE, "--db", db)[0] == 0
    code, _, err = cli("evaluate", "FFEP", "--as-of", "2999-01-01", "--db", db)
    assert code == 1 and "--as-of" in err
    code, _, err = cli("records", "history", "NOPE", "--db", db)
    assert code == 1 and "NOPE" in err
    code, _, err = cli("breakout", ROOT / "examples" / "breakout" / "feb-2023.toml",
                       "--samples", "100000000")
    assert code == 1 and "--samples" in err


def test_unreachable_target_is_explained(cli):
    code, out, _ = cli("breakout", ROOT / "examples" / "breakout" / "feb-2023.toml",
                       "--sq", "2")
    assert code == 0 and "Not reachable" in out and "kg U-235" in out and "Schedule" not in out
