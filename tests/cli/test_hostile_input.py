"""Hostile and careless input at the command line (issue 15, "A record store an inspectorate
could trust"): every attack found in the trial is a test here. Each is refused with exit 1, a
message naming the file or option, the key, the value and what is allowed; never a traceback,
never exit 2, nothing written on refusal."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from enrichwatch.cli import main
from enrichwatch.facility import limits

ROOT = Path(__file__).parents[2]
FORDOW = ROOT / "examples" / "fordow-2023"
CASE = FORDOW / "case.toml"
OBSERVED = FORDOW / "observed.toml"
PASSWORD = "s3cr3t-Pa55"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- output paths ---------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("args", [
    ["solve", OBSERVED, "--report", "{out}"],
    ["compare", OBSERVED, OBSERVED, "--report", "{out}"],
    ["records", "keygen", "IAEA", "--private-key", "{out}"],
])
def test_report_onto_a_fifo_is_refused_and_the_fifo_kept(capsys, tmp_path, args):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, *[str(a).replace("{out}", str(fifo)) for a in args])
    assert code == 1
    assert "FIFO" in err and str(fifo) in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)            # not replaced by a regular file
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_report_onto_a_device_is_refused(capsys, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    before = os.stat(device)
    code, out, err = run(capsys, "solve", OBSERVED, "--report", device, "--json")
    assert code == 1 and "character device" in err
    assert json.loads(out)["error"]["param"] == "--report"
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_write_atomic_itself_never_replaces_a_device(tmp_path):
    from enrichwatch.errors import InputError
    from enrichwatch.files import write_atomic

    with pytest.raises(InputError, match="character device"):
        write_atomic("/dev/null", "x")
    with pytest.raises(InputError, match="folder"):
        write_atomic(tmp_path, "x")
    assert list(tmp_path.iterdir()) == []


def test_report_through_a_symbolic_link_to_a_device_is_refused(capsys, tmp_path):
    link = tmp_path / "report.html"
    link.symlink_to("/dev/null")
    code, _, err = run(capsys, "solve", OBSERVED, "--report", link)
    assert code == 1 and "character device" in err
    assert link.is_symlink()


# -- database URLs ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    f"postgresql://ann:{PASSWORD}@127.0.0.1:1/ledger",             # nothing listens on port 1
    f"postgresql://ann:{PASSWORD}@127.0.0.1:notaport/ledger",      # unparsable
    f"postgres://ann:{PASSWORD}@[::1/ledger",                      # broken host
    f"mysql://ann:{PASSWORD}@127.0.0.1/ledger",                    # unsupported
    f"postgresql://127.0.0.1:1/ledger?password={PASSWORD}",        # password as a parameter
])
@pytest.mark.parametrize("command", [["records", "verify"], ["records", "init"],
                                     ["records", "show", "1"], ["records", "history", "FFEP"],
                                     ["evaluate", "FFEP", "--as-of", "2023-02-01"]])
def test_database_password_never_printed(capsys, url, command):
    code, out, err = run(capsys, *command, "--db", url, "--json")
    assert code == 1
    assert PASSWORD not in out and PASSWORD not in err
    error = json.loads(out)["error"]
    assert PASSWORD not in json.dumps(error)
    assert "***" in error["message"] or "password" not in url


def test_redaction_also_applies_to_errors_raised_elsewhere(capsys, monkeypatch):
    from enrichwatch.cli import records as records_cli

    def leak(db, create=False):
        raise RuntimeError(f"boom while opening postgresql://ann:{PASSWORD}@db/ledger")

    monkeypatch.setattr(records_cli, "_open", leak)
    code, out, err = run(capsys, "records", "verify", "--json")
    assert code == 2                              # an internal error, reported in one line
    assert PASSWORD not in out + err and "ann:***@db" in err


# -- read-only commands and foreign databases ---------------------------------------------------
def foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
        conn.execute("INSERT INTO accounts (owner) VALUES ('someone')")
    return path


@pytest.mark.parametrize("command", [["records", "verify"], ["records", "show", "1"],
                                     ["records", "history", "FFEP"],
                                     ["evaluate", "FFEP", "--as-of", "2023-02-01"]])
def test_read_only_command_refuses_a_foreign_sqlite_file_and_leaves_it_untouched(
        capsys, tmp_path, command):
    db = foreign_sqlite(tmp_path / "other.db")
    before = digest(db)
    code, out, err = run(capsys, *command, "--db", db, "--json")
    assert code == 1 and "enrichwatch record store" in err
    assert json.loads(out)["error"]["param"] == "--db"
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]   # no -wal, no -shm
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert tables == {"accounts"}


def test_read_only_command_refuses_an_empty_sqlite_file(capsys, tmp_path):
    db = tmp_path / "empty.sqlite"
    db.touch()
    code, _, err = run(capsys, "records", "verify", "--db", db)
    assert code == 1 and "enrichwatch record store" in err
    assert db.stat().st_size == 0


def test_read_only_command_still_reads_a_real_store(capsys, tmp_path):
    db = tmp_path / "s.sqlite"
    assert run(capsys, "records", "add", CASE, "--db", db)[0] == 0
    code, out, _ = run(capsys, "records", "verify", "--db", db, "--json")
    assert code == 0 and json.loads(out)["ok"]


@pytest.mark.parametrize("command", [["records", "verify"], ["records", "init"]])
def test_db_that_is_a_device_is_refused(capsys, command):
    code, _, err = run(capsys, *command, "--db", "/dev/null")
    assert code == 1 and "--db" in err and "character device" in err


# -- files named in case files ------------------------------------------------------------------
def case_naming(tmp_path: Path, plant_file: str) -> Path:
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    for name in ("declared.toml", "observed.toml", *HISTORIES):
        shutil.copy(FORDOW / name, folder / name)
    text = CASE.read_text(encoding="utf-8")
    assert text.count('\nplant_file = "declared.toml"') == 1
    (folder / "case.toml").write_text(
        text.replace('\nplant_file = "declared.toml"',
                     f"\nplant_file = {json.dumps(plant_file)}"), encoding="utf-8")
    return folder / "case.toml"


SECRET_LINE = "root:x:0:0:secret-first-line:/root:/bin/bash"
#: The operating history files the Fordow case's declarations state (history_files).
HISTORIES = ("commissioning-2022-11.toml", "feed-cylinder-change.toml")


def case_naming_history(tmp_path: Path, history_file: str) -> Path:
    """The Fordow case with its first declaration's history files replaced by ``history_file``."""
    case = case_naming(tmp_path, "declared.toml")
    text = case.read_text(encoding="utf-8")
    old = 'history_files = ["commissioning-2022-11.toml", "feed-cylinder-change.toml"]'
    assert text.count(old) == 1
    case.write_text(text.replace(old, f"history_files = [{json.dumps(history_file)}]"),
                    encoding="utf-8")
    return case


@pytest.mark.parametrize("name", ["../../../../../../../../etc/passwd", "../secret.txt",
                                  "/etc/passwd", "{abs_secret}", "sub/../../secret.txt",
                                  "link-out.toml"])
def test_plant_file_outside_the_case_folder_is_refused_without_echo(capsys, tmp_path, name):
    (tmp_path / "secret.txt").write_text(SECRET_LINE + "\n")
    case = case_naming(tmp_path, name.replace("{abs_secret}", str(tmp_path / "secret.txt")))
    (case.parent / "link-out.toml").symlink_to(tmp_path / "secret.txt")
    db = tmp_path / "s.sqlite"
    code, out, err = run(capsys, "records", "add", case, "--db", db, "--json")
    assert code == 1
    assert "payload.plant_file" in err and "inside the case file's folder" in err
    assert "secret-first-line" not in out + err and "root:x" not in out + err
    assert not db.exists()


@pytest.mark.parametrize("name", ["../../../../../../../../etc/passwd", "../secret.txt",
                                  "{abs_secret}", "link-out.toml"])
def test_history_file_outside_the_case_folder_is_refused_like_a_plant_file(capsys, tmp_path,
                                                                           name):
    (tmp_path / "secret.txt").write_text(SECRET_LINE + "\n")
    case = case_naming_history(tmp_path, name.replace("{abs_secret}",
                                                      str(tmp_path / "secret.txt")))
    (case.parent / "link-out.toml").symlink_to(tmp_path / "secret.txt")
    db = tmp_path / "s.sqlite"
    code, out, err = run(capsys, "records", "add", case, "--db", db, "--json")
    assert code == 1
    assert "records[1]" in err and "payload.history_files[0]" in err
    assert "inside the case file's folder" in err
    assert "secret-first-line" not in out + err and "root:x" not in out + err
    assert not db.exists()


def test_history_file_missing_or_not_toml_is_named_without_echo(capsys, tmp_path):
    case = case_naming_history(tmp_path, "missing.toml")
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 1 and "payload.history_files[0] = 'missing.toml'" in err
    assert "a readable history file" in err
    case = case_naming_history(tmp_path, "notes.txt")
    (case.parent / "notes.txt").write_text(SECRET_LINE + "\n")
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 1 and "content not shown" in err and "secret-first-line" not in err


def test_plant_file_inside_the_folder_that_is_not_toml_is_not_echoed(capsys, tmp_path):
    case = case_naming(tmp_path, "notes.txt")
    (case.parent / "notes.txt").write_text(SECRET_LINE + "\n")
    code, out, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 1 and "content not shown" in err
    assert "secret-first-line" not in out + err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_plant_file_that_is_a_device_is_refused_even_when_outside_is_allowed(
        capsys, tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    case = case_naming(tmp_path, device)
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite",
                       "--allow-outside-files")
    assert code == 1 and "character device" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_plant_file_that_is_a_fifo_is_refused_without_waiting(capsys, tmp_path):
    case = case_naming(tmp_path, "pipe.toml")
    os.mkfifo(case.parent / "pipe.toml")           # nobody writes: a blocking read would hang
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 1 and "FIFO" in err


def test_plant_file_too_large_is_refused(capsys, tmp_path):
    from enrichwatch.files import MAX_FILE_BYTES

    case = case_naming(tmp_path, "huge.toml")
    with open(case.parent / "huge.toml", "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)               # sparse: no disk used
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 1 and f"at most {MAX_FILE_BYTES} bytes" in err


def test_plant_file_outside_allowed_on_request(capsys, tmp_path):
    shared = tmp_path / "shared.toml"
    shutil.copy(FORDOW / "declared.toml", shared)
    case = case_naming(tmp_path, "../shared.toml")
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "a.sqlite")
    assert code == 1
    code, _, err = run(capsys, "records", "add", case, "--db", tmp_path / "b.sqlite",
                       "--allow-outside-files")
    assert code == 0, err


@pytest.mark.parametrize("target", ["/dev/zero", "{fifo}", "{folder}"])
def test_input_files_that_are_not_regular_files_are_refused(capsys, tmp_path, target):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    path = target.replace("{fifo}", str(fifo)).replace("{folder}", str(tmp_path))
    for args in (["solve", path], ["records", "add", path, "--db", tmp_path / "s.sqlite"],
                 ["solve", OBSERVED, "--catalog", path],
                 ["evaluate", "FFEP", "--as-of", "2023-02-01", "--rules", path, "--db",
                  tmp_path / "s.sqlite"]):
        code, _, err = run(capsys, *args)
        assert code == 1, args


# -- limits -------------------------------------------------------------------------------------
def plant_text(cascades: list[str], extra: str = "") -> str:
    return ('[facility]\nname = "big"\n' + "".join(cascades) + extra
            + '[[feeds]]\nname = "f"\nto = "C0"\nrate = 100.0\n'
              'composition = { U235 = 0.711, U238 = 99.289 }\n')


def layout(i: int, stages: int, per_stage: int = 2) -> str:
    return (f'[[cascades]]\nname = "C{i}"\nmachine = "IR-1"\n'
            f"machines_per_stage = [{', '.join([str(per_stage)] * stages)}]\n"
            f"feed_stage = 0\n")


def designed(total: str) -> str:
    return ('[[cascades]]\nname = "C0"\nmachine = "IR-6"\n[cascades.design]\n'
            'feed = { U235 = 0.711, U238 = 99.289 }\nproduct_assay_pct = 5.0\n'
            f"tails_assay_pct = 0.3\ntotal_machines = {total}\n")


LIMIT_CASES = {
    "huge total_machines": (plant_text([designed("99999999999999999999999")]),
                            "cascades[0].design.total_machines", "at most 1000000 machines"),
    "total_machines just above": (plant_text([designed(str(limits.MAX_MACHINES + 1))]),
                                  "total_machines", "at most 1000000 machines"),
    "100,000 stages": (plant_text([layout(0, 100_000, 1)]), "cascades[0].machines_per_stage",
                       f"at most {limits.MAX_STAGES_PER_CASCADE} stages"),
    "10,000 cascades": (plant_text(["[[cascades]]\nname = 'x'\nmachine = 'IR-1'\n"] * 10_000),
                        "cascades", f"at most {limits.MAX_CASCADES} [[cascades]]"),
    "2,000 chained cascades": (
        plant_text([layout(i, 1) for i in range(2000)],
                   "".join(f'[[streams]]\nfrom = "C{i}.product"\nto = "C{i + 1}"\n'
                           for i in range(1999))),
        "cascades", f"at most {limits.MAX_CASCADES} [[cascades]]"),
    "12,000 stages in all": (plant_text([layout(i, 600) for i in range(20)]), "cascades",
                             f"at most {limits.MAX_TOTAL_STAGES} stages in the whole plant"),
    "a huge stage": (plant_text([layout(0, 3, 10**12)]), "machines_per_stage[0]",
                     "at most 1000000 machines in a stage"),
    "a design of millions of stages": (
        plant_text([designed("1000").replace('machine = "IR-6"', 'machine = "slow"')],
                   '[machines.slow]\nsource = "test"\nswu_per_yr = 1.0\n'
                   'stage_factor = 1.00001\n'),
        "cascades[0].design", f"a design of at most {limits.MAX_STAGES_PER_CASCADE} stages"),
}


@pytest.mark.parametrize("case", list(LIMIT_CASES))
def test_plant_beyond_the_limits_is_refused_with_exit_1(capsys, tmp_path, case):
    text, key, allowed = LIMIT_CASES[case]
    plant = tmp_path / "big.toml"
    plant.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "solve", plant, "--json")
    assert code == 1, err
    assert key in err and allowed in err and "big.toml" in err
    assert json.loads(out)["error"]["type"] == "FacilityFileError"


def test_limit_check_allocates_nothing_large():
    """The limits are checked on the parsed document, before any cascade is built."""
    from enrichwatch.facility.schema import parse_document

    raw = {"facility": {"name": "x"},
           "cascades": [{"name": f"C{i}", "machine": "IR-1", "machines_per_stage": [1] * 50,
                         "feed_stage": 0} for i in range(10_000)],
           "feeds": []}
    parts, problems = parse_document(raw, "x.toml")
    assert parts.cascades == () and not parts.format_ok
    assert [p.key for p in problems] == ["cascades"]


@pytest.mark.parametrize("text", [
    "a = " + "[" * 100_000 + "]" * 100_000,                  # the parser's own recursion
    "[" + ".".join(["t"] * 40) + "]\nx = 1\n",               # deep tables, no recursion
    "a = " + "{ b = " * 30 + "1" + " }" * 30,                # deep inline tables
])
@pytest.mark.parametrize("command", ["solve", "records-add", "breakout", "catalog", "rules"])
def test_deep_nesting_is_refused_with_exit_1(capsys, tmp_path, text, command):
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    args = {"solve": ["solve", path],
            "records-add": ["records", "add", path, "--db", tmp_path / "s.sqlite"],
            "breakout": ["breakout", path],
            "catalog": ["solve", OBSERVED, "--catalog", path],
            "rules": ["evaluate", "FFEP", "--as-of", "2023-02-01", "--rules", path,
                      "--db", tmp_path / "s.sqlite"]}[command]
    if command == "rules":
        assert run(capsys, "records", "add", CASE, "--db", tmp_path / "s.sqlite")[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 1, err
    assert "deep.toml" in err and "nested" in err


# -- facility and party codes -------------------------------------------------------------------
BAD_CODES = ["FF\nEP", "FFEP\u202e", "\u202eFFEP", "FF\u0415P",   # Cyrillic Е, a look-alike
             "ffep", " FFEP", "FF EP", "", "A" * 33, "FFEP\x00", "*", "../FFEP", "FFE\u200bP"]


def one_record_case(tmp_path: Path, facility: str, kind: str = "facility",
                    submitted_by: str | None = None, party: str = "IAEA") -> Path:
    payload = ('payload = { name = "Fordow" }' if kind == "facility" else
               f'payload = {{ party = {json.dumps(party)}, public_key = "{"ab" * 32}", '
               'requires_signature = false }')
    text = (f"[[records]]\nkind = {json.dumps(kind)}\nfacility = {json.dumps(facility)}\n"
            'valid_from = 2009-09-21\nknown_on = 2009-09-21\nsource = "IAEA GOV/2009/74"\n'
            + (f"submitted_by = {json.dumps(submitted_by)}\n" if submitted_by else "")
            + payload + "\n")
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("code_", BAD_CODES)
def test_bad_facility_codes_are_refused(capsys, tmp_path, code_):
    db = tmp_path / "s.sqlite"
    code, out, err = run(capsys, "records", "add", one_record_case(tmp_path, code_), "--db", db,
                         "--json")
    assert code == 1 and "facility" in err
    assert json.loads(out)["error"]["param"] == "facility"
    assert "\u202e" not in err and "\u200b" not in err      # shown escaped, not applied
    assert not db.exists()


@pytest.mark.parametrize("code_", BAD_CODES[:4])
@pytest.mark.parametrize("command", [["records", "history"], ["evaluate"]])
def test_bad_facility_argument_is_refused(capsys, tmp_path, code_, command):
    extra = ["--as-of", "2023-02-01"] if command == ["evaluate"] else []
    code, _, err = run(capsys, *command, code_, *extra, "--db", tmp_path / "none.sqlite")
    assert code == 1 and "facility" in err
    assert "\u202e" not in err                          # shown escaped, as '\u202e'


@pytest.mark.parametrize("party", ["IA\nEA", "IAEA\u202e", "I\u0410EA", "", " IAEA", "a" * 65])
def test_bad_party_ids_are_refused(capsys, tmp_path, party):
    db = tmp_path / "s.sqlite"
    case = one_record_case(tmp_path, "*", kind="party", party=party)
    code, _, err = run(capsys, "records", "add", case, "--db", db)
    assert code == 1 and "payload.party" in err and "party id" in err
    case = one_record_case(tmp_path, "FFEP", submitted_by=party or "x y")
    code, _, err = run(capsys, "records", "add", case, "--db", db)
    assert code == 1 and "submitted_by" in err
    code, _, err = run(capsys, "records", "keygen", party or "x y", "--private-key",
                       tmp_path / "k.pem")
    assert code == 1 and "party" in err
    assert not db.exists() and not (tmp_path / "k.pem").exists()


@pytest.mark.parametrize("good", ["FFEP", "FEP", "PFEP", "X", "NATANZ-FEP", "FEP.2", "A_1"])
def test_good_facility_codes_are_accepted(capsys, tmp_path, good):
    code, _, err = run(capsys, "records", "add", one_record_case(tmp_path, good), "--db",
                       tmp_path / "s.sqlite")
    assert code == 0, err


# -- terminal output ----------------------------------------------------------------------------
def test_user_text_is_printed_literally(capsys, tmp_path):
    text = ":x: [bold red]LOUD[/] :smile: [link=http://evil]click[/link]"
    plant = tmp_path / "plant.toml"
    plant.write_text(OBSERVED.read_text(encoding="utf-8").replace(
        'name = "Fordow', f"name = {json.dumps(text)} #", 1), encoding="utf-8")
    code, out, err = run(capsys, "solve", plant)
    assert code == 0, err
    assert text in out
    assert "\u274c" not in out and "\U0001f604" not in out       # no emoji


def test_record_text_is_printed_literally(capsys, tmp_path):
    case = one_record_case(tmp_path, "FFEP")
    case.write_text(case.read_text().replace('"Fordow"', '":x: [bold]Fordow[/bold]"'))
    code, out, err = run(capsys, "records", "add", case, "--db", tmp_path / "s.sqlite")
    assert code == 0, err
    assert ":x: [bold]Fordow[/bold]" in out and "\u274c" not in out


def test_error_text_is_printed_literally(capsys, tmp_path):
    plant = tmp_path / ":x:[red].toml"
    plant.write_text("[facility]\nname = ':x:'\n")
    code, _, err = run(capsys, "solve", plant)
    assert code == 1 and ":x:[red].toml" in err and "\u274c" not in err
