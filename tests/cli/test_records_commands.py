"""`enrichwatch records ...` and `enrichwatch evaluate` on the Fordow 2023 case file."""

import json
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
#: The operating history files the case's declarations state (history_files).
HISTORIES = ("commissioning-2022-11.toml", "feed-cylinder-change.toml")


@pytest.fixture()
def db(tmp_path, cli_json):
    path = tmp_path / "fordow.sqlite"
    code, data, _ = cli_json("records", "add", CASE, "--db", path)
    assert code == 0 and len(data["added"]) == 7
    return path


def test_fordow_case_as_of_2023_02_01_gives_three_findings(cli_json, db, tmp_path):
    report = tmp_path / "evaluation.html"
    code, data, _ = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                             "--report", report)
    assert code == 0
    rules = [f["rule"] for f in data["findings"]]
    assert rules == ["observed-differs-from-declared", "late-design-change-declaration",
                     "assay-above-declared-maximum"]
    assert all(f["consequence"] for f in data["findings"])
    observed = data["findings"][0]["consequence"]["observed"]["product"]["assay_wt_pct"]
    declared = data["findings"][0]["consequence"]["declared"]["product"]["assay_wt_pct"]
    assert declared <= 60.0 < observed
    stated = data["findings"][2]["consequence"]["transients"]
    assert [(t["record"], t["file"]) for t in stated] == [
        (2, HISTORIES[0]), (2, HISTORIES[1]), (5, HISTORIES[1])]
    for t in stated:
        assert isinstance(t["reaches"], bool) and isinstance(t["time_to_assay_h"], dict)
        assert t["peak_wt_pct"]["low"] <= t["peak_wt_pct"]["nominal"] <= \
            t["peak_wt_pct"]["high"]
        assert t["kg_u_above_declared"]["nominal"] >= t["kg_u_above_assay"]["nominal"] >= 0
    html = report.read_text()
    assert "<svg" in html and "Timeline" in html and "F3" in html


@pytest.mark.parametrize("as_of, n", [("2022-12-01", 0), ("2023-01-20", 0)])
def test_before_the_change_was_known_there_are_no_findings(cli_json, db, as_of, n):
    code, data, _ = cli_json("evaluate", "FFEP", "--as-of", as_of, "--db", db)
    assert code == 0 and len(data["findings"]) == n


def test_jcpoa_rule_set_adds_its_findings(cli_json, db):
    code, data, _ = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                             "--rules", "jcpoa")
    assert code == 0 and len(data["findings"]) > 3
    assert all(f.get("citation") for f in data["findings"][3:])


def test_history_table_keeps_the_summary_readable_at_80_columns(cli, db, monkeypatch):
    """The summary column is not squeezed to a word a line: at 80 columns a facility name of
    28 characters and a declaration's first words stay on one line, and no cell is cut."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("records", "history", "FFEP", "--db", db)
    assert code == 0 and "…" not in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("Fordow Fuel Enrichment Plant" in line for line in lines)
    assert any("Updated design information" in line for line in lines)
    assert "FFEP" in out and "2022-11-17" in out                # facility and dates kept


def test_table_output_and_history(cli, cli_json, db):
    code, out, _ = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db)
    assert code == 0 and "3 finding(s)" in out and "F3 HIGH" in out
    assert "Stated operating histories" in out and HISTORIES[1] in out
    code, data, _ = cli_json("records", "history", "FFEP", "--db", db)
    assert [r["id"] for r in data["records"]] == list(range(1, 8))
    code, data, _ = cli_json("records", "history", "FFEP", "--as-of", "2023-01-21",
                             "--db", db)
    assert [r["id"] for r in data["records"]] == [1, 2, 3, 4]
    code, data, _ = cli_json("records", "show", "6", "--db", db)
    assert code == 0 and data["payload"]["max_u235_pct"] == 83.7
    code, data, _ = cli_json("records", "show", "2", "--db", db)    # the store holds them
    assert [h["file"] for h in data["payload"]["histories"]] == list(HISTORIES)
    assert data["payload"]["histories"][0]["text"] == (CASE.parent / HISTORIES[0]).read_text()


def test_verify_names_a_tampered_record(cli, cli_json, db):
    code, data, _ = cli_json("records", "verify", "--db", db)
    assert code == 0 and data["ok"]
    with sqlite3.connect(db) as con:
        con.execute("DROP TRIGGER records_no_update")
        con.execute("UPDATE records SET payload = replace(payload, '83.7', '60.0') WHERE id = 6")
    code, out, _ = cli("records", "verify", "--db", db)
    assert code == 1 and "6" in out
    code, data, _ = cli_json("records", "verify", "--db", db)
    assert code == 1 and not data["ok"]
    assert any(p["record_id"] == 6 for p in data["problems"])
    code, data, err = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db)
    assert code == 1 and "record 6" in err and "--allow-unverified" in err
    assert data["error"]["type"] == "StoreError" and "Traceback" not in err


def test_tampered_store_is_refused_by_evaluate_unless_allowed(cli, cli_json, db, tmp_path):
    """The issue's attack: evaluate on a tampered store exited 0 and computed findings from the
    tampered data (3 became 4), its report without a warning."""
    with sqlite3.connect(db) as con:
        con.execute("DROP TRIGGER records_no_update")
        con.execute("UPDATE records SET known_on = '2022-11-25', payload = "
                    "replace(payload, '\"declared_on\":\"2022-11-17\"', "
                    "'\"declared_on\":\"2022-11-25\"') WHERE id = 2")
    report = tmp_path / "tampered.html"
    code, out, err = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                         "--report", report)
    assert code == 1 and "record 2" in err and "fails verification" in err
    assert out == "" and not report.exists()
    code, data, err = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                               "--report", report, "--allow-unverified")
    assert code == 0 and data["store_verified"] is False
    assert data["warnings"] and "UNVERIFIED STORE" in data["warnings"][0]
    assert "record 2" in data["warnings"][0] and "UNVERIFIED STORE" in err
    html = report.read_text()
    assert "UNVERIFIED STORE" in html and 'role="alert"' in html
    code, out, _ = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                       "--allow-unverified")
    assert code == 0 and "WARNING" in out and "UNVERIFIED STORE" in out


def test_broken_case_file_appends_nothing(cli, cli_json, db, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(CASE.read_text().replace("max_u235_pct = 83.7", "max_u235_pct = 183.7"))
    for name in ("declared.toml", "observed.toml", *HISTORIES):
        (tmp_path / name).write_text((CASE.parent / name).read_text())
    fresh = tmp_path / "fresh.sqlite"
    code, _, err = cli("records", "add", broken, "--db", fresh)
    assert code == 1 and "183.7" in err and "Traceback" not in err
    assert not fresh.exists()                  # no empty store left behind
    code, _, err = cli("records", "add", CASE, "--db", db)     # the same case twice
    assert code == 1 and "FFEP" in err
    code, data, _ = cli_json("records", "history", "FFEP", "--db", db)
    assert len(data["records"]) == 7


def test_signed_records_with_a_generated_key(cli_json, tmp_path):
    key = tmp_path / "iaea.pem"
    code, data, _ = cli_json("records", "keygen", "IAEA", "--private-key", key)
    assert code == 0 and len(data["public_key"]) == 64
    case = tmp_path / "signed.toml"
    case.write_text(f'''
[[records]]
kind = "party"
facility = "*"
valid_from = 2024-01-01
known_on = 2024-01-01
source = "key ceremony"
submitted_by = "IAEA"
[records.payload]
party = "IAEA"
public_key = "{data['public_key']}"
requires_signature = true

[[records]]
kind = "facility"
facility = "PFEP"
valid_from = 2024-01-02
known_on = 2024-01-02
source = "test"
submitted_by = "IAEA"
[records.payload]
name = "Pilot plant"
''')
    db = tmp_path / "signed.sqlite"
    code, data, _ = cli_json("records", "add", case, "--db", db, "--key", f"IAEA={key}")
    assert code == 0 and all(r["signed"] for r in data["added"])
    code, data, _ = cli_json("records", "verify", "--db", db)
    assert code == 0 and data["ok"]


@pytest.mark.parametrize("args, needle", [
    (["evaluate", "FFEP", "--as-of", "2023-02-30"], "--as-of"),
    (["evaluate", "NOPE", "--as-of", "2023-02-01"], "facility"),
    (["records", "show", "99"], "99"),
])
def test_bad_input(cli, db, args, needle):
    code, _, err = cli(*args, "--db", db)
    assert code == 1 and needle in err and "Traceback" not in err


def test_missing_store(cli, tmp_path):
    code, _, err = cli("records", "verify", "--db", tmp_path / "none.sqlite")
    assert code == 1 and "none.sqlite" in err


def test_checkpoint_verify_against_and_prove(cli, cli_json, db, tmp_path):
    key = tmp_path / "iaea.pem"
    assert cli_json("records", "keygen", "IAEA", "--private-key", key)[0] == 0
    cp = tmp_path / "cp.json"
    code, data, _ = cli_json("records", "checkpoint", "--key", f"IAEA={key}", "--checkpoint",
                             cp, "--db", db)
    assert code == 0 and data["tree_size"] == 7 and json.loads(cp.read_text())["signature"]
    code, _, err = cli("records", "checkpoint", "--key", f"IAEA={key}", "--checkpoint", cp,
                       "--db", db)
    assert code == 1 and "--checkpoint" in err and "new file" in err
    code, data, _ = cli_json("records", "verify", "--against", cp, "--db", db)
    assert code == 0 and data["ok"] and data["against"]["ok"]
    code, data, _ = cli_json("records", "prove", "4", "--against", cp, "--db", db)
    assert code == 0 and data["verified"] and len(data["path"]) == 3
    code, _, err = cli("records", "prove", "8", "--against", cp, "--db", db)
    assert code == 1 and "record id" in err and "1 to 7" in err

    with sqlite3.connect(db) as con:                       # truncate, rewrite the head
        con.execute("DROP TRIGGER records_no_delete")
        con.execute("DROP TRIGGER ledger_head_only_grows")
        con.execute("DELETE FROM records WHERE id = 7")
        con.execute("UPDATE ledger_head SET last_id = 6, last_hash = "
                    "(SELECT hash FROM records WHERE id = 6)")
    code, data, _ = cli_json("records", "verify", "--db", db)
    assert code == 0 and data["ok"]                        # the chain alone cannot tell
    code, data, _ = cli_json("records", "verify", "--against", cp, "--db", db)
    assert code == 1 and not data["ok"] and data["against"]["problems"][0]["record_id"] == 7
    assert "truncated" in data["against"]["problems"][0]["what"]
    code, _, err = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                       "--against", cp)
    assert code == 1 and "truncated" in err


def test_bad_checkpoint_and_key_are_named(cli, cli_json, db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "x"}')
    code, _, err = cli("records", "verify", "--against", bad, "--db", db)
    assert code == 1 and "bad.json" in err and "Traceback" not in err
    code, _, err = cli("records", "checkpoint", "--key", "IAEA", "--checkpoint",
                       tmp_path / "cp.json", "--db", db)
    assert code == 1 and "--key" in err and "PARTY=" in err


def test_late_entries_and_transaction_time(cli, cli_json, db):
    code, data, _ = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db)
    assert code == 0 and len(data["findings"]) == 3
    assert [e["id"] for e in data["late_entries"]] == list(range(1, 8))   # a reconstruction
    assert data["late_entry_note"] and all(f["late_evidence"] for f in data["findings"])
    code, _, err = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                       "--held-on", "2023-02-01")           # the store did not exist then
    assert code == 1 and "held on 2023-02-01" in err
    code, _, err = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db,
                       "--held-on", "2023-02-30")
    assert code == 1 and "--held-on" in err
