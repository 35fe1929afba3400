"""``records verify`` and ``evaluate`` with the signature memo ($ENRICHWATCH_SIGNATURE_MEMO,
issue 14): the same answers, each valid signature verified once."""

import os
from pathlib import Path

CASE = Path(__file__).parents[2] / "examples" / "fordow-2023" / "case.toml"

SIGNED = '''
[[records]]
kind = "party"
facility = "*"
valid_from = 2024-01-01
known_on = 2024-01-01
source = "key ceremony"
submitted_by = "IAEA"
[records.payload]
party = "IAEA"
public_key = "{key}"
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
'''


def test_verify_and_evaluate_with_the_memo(cli, cli_json, tmp_path, monkeypatch):
    key = tmp_path / "iaea.pem"
    public = cli_json("records", "keygen", "IAEA", "--private-key", key)[1]["public_key"]
    case = tmp_path / "signed.toml"
    case.write_text(SIGNED.format(key=public))
    db = tmp_path / "signed.sqlite"
    assert cli_json("records", "add", case, "--db", db, "--key", f"IAEA={key}")[0] == 0
    assert cli_json("records", "add", CASE, "--db", db)[0] == 0
    plain = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db)[1]
    memo = tmp_path / "memo"
    monkeypatch.setenv("ENRICHWATCH_SIGNATURE_MEMO", str(memo))
    for _ in range(2):                          # the first run fills the memo, the next uses it
        code, data, _ = cli_json("records", "verify", "--db", db)
        assert code == 0 and data["ok"] and data["records"] == 9
        code, data, _ = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", db)
        assert code == 0 and data == plain
    assert (memo / "verified-signatures.bin").stat().st_size == 2 * 16


def test_an_unusable_memo_is_said_and_skipped(cli, cli_json, tmp_path, monkeypatch):
    db = tmp_path / "plain.sqlite"
    assert cli_json("records", "add", CASE, "--db", db)[0] == 0
    memo = tmp_path / "shared"
    memo.mkdir(mode=0o777)
    os.chmod(memo, 0o777)
    monkeypatch.setenv("ENRICHWATCH_SIGNATURE_MEMO", str(memo))
    code, out, err = cli("records", "verify", "--db", db, "--json")
    assert code == 0 and "ENRICHWATCH_SIGNATURE_MEMO" in err and "others may" in err
