"""Conventions across commands, through the real command line: one name and one meaning per
option (--catalog, --dask, old spellings kept as deprecated aliases), choices listed in --help and
checked before any work, library errors under option names, a Dask scheduler reached first, and
breakout and JCPOA outputs that say what they mean."""

import json
import re
import socket
from pathlib import Path

import pytest
import typer.main

from enrichwatch.cli import options
from enrichwatch.cli.app import app
from enrichwatch.cli.entry import register_commands
from enrichwatch.evaluation import bundled_rule_sets, load_rule_set
from enrichwatch.physics.machines import load_catalog

from .schema_helpers import validate_output

register_commands()                 # (every command, as `enrichwatch --help` does)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FEB_2023 = EXAMPLES / "breakout" / "feb-2023.toml"
DECLARED = EXAMPLES / "fordow-2023" / "declared.toml"
CASE = EXAMPLES / "fordow-2023" / "case.toml"
BUNDLED_CATALOG = ROOT / "src" / "enrichwatch" / "data" / "machines.toml"


def _commands(group, path=()):
    yield path, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _option(path: tuple, name: str):
    return next((p for p in COMMANDS[path].params if name in p.opts), None)


# -- --catalog ------------------------------------------------------------------------------


CATALOG_COMMANDS = [("machines",), ("solve",), ("compare",), ("transient",), ("breakout",),
                    ("evaluate",)]


def test_every_command_that_reads_machines_takes_one_catalog_option():
    helps = {path: _option(path, "--catalog") for path in CATALOG_COMMANDS}
    assert all(helps.values()), [p for p, o in helps.items() if o is None]
    assert len({o.help for o in helps.values()}) == 1          # one meaning, one text
    taking = {p for p, c in COMMANDS.items() if _option(p, "--catalog")}
    assert taking == set(CATALOG_COMMANDS)


def _catalog_without(tmp_path: Path, machine: str) -> Path:
    """The bundled catalog without ``machine``'s [[machine]] table."""
    text = BUNDLED_CATALOG.read_text(encoding="utf-8")
    tables = text.split("[[machine]]")
    kept = [t for t in tables[1:] if not re.search(rf'name\s*=\s*"{re.escape(machine)}"', t)]
    assert len(kept) == len(tables) - 2, "the machine must be in the bundled catalog once"
    path = tmp_path / f"without-{machine}.toml"
    path.write_text("[[machine]]".join([tables[0], *kept]), encoding="utf-8")
    assert machine not in load_catalog(path)
    return path


def test_breakout_uses_the_catalog_given(cli, tmp_path):
    same = tmp_path / "same.toml"
    same.write_text(BUNDLED_CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = cli("breakout", FEB_2023, "--catalog", same, "--json")
    assert code == 0
    bundled = json.loads(cli("breakout", FEB_2023, "--json")[1])
    assert json.loads(out)["days_to_n_sq"] == bundled["days_to_n_sq"]
    code, _, err = cli("breakout", FEB_2023, "--catalog", _catalog_without(tmp_path, "IR-6"))
    assert code == 1 and "IR-6" in err and "a machine of the catalog" in err


@pytest.fixture()
def fordow_store(cli, tmp_path):
    db = tmp_path / "case.sqlite"
    code, _, err = cli("records", "add", CASE, "--db", db)
    assert code == 0, err
    return db


def test_evaluate_uses_the_catalog_given(cli, fordow_store, tmp_path):
    args = ("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", fordow_store, "--json")
    code, out, _ = cli(*args)
    assert code == 0
    findings = json.loads(out)["findings"]
    same = tmp_path / "same.toml"
    same.write_text(BUNDLED_CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = cli(*args, "--catalog", same)
    assert code == 0 and json.loads(out)["findings"] == findings
    # the case's plants name IR-6: without it in the catalog they cannot be solved
    code, _, err = cli(*args[:-1], "--catalog", _catalog_without(tmp_path, "IR-6"))
    assert code == 1 and "'IR-6': expected a machine of the catalog" in err


def _bad_catalogs(tmp_path: Path) -> list[Path]:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[machine]\nname = ", encoding="utf-8")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[[machines]]\nname = "X"\n', encoding="utf-8")
    return [broken, wrong, tmp_path / "missing.toml"]


@pytest.mark.parametrize("path", CATALOG_COMMANDS, ids=" ".join)
def test_a_bad_catalog_is_refused_naming_the_option_and_the_file(cli, tmp_path, path):
    given = {("machines",): [], ("solve",): [DECLARED], ("compare",): [DECLARED, DECLARED],
             ("transient",): [DECLARED, "--history", EXAMPLES / "transient" / "startup.toml"],
             ("breakout",): [FEB_2023],
             ("evaluate",): ["FFEP", "--as-of", "2023-02-01", "--db", tmp_path / "none.db"]}
    for catalog in _bad_catalogs(tmp_path):
        code, out, err = cli(*path, *given[path], "--catalog", catalog, "--json")
        assert code == 1, err
        error = json.loads(out)["error"]
        assert error["param"] == "--catalog" and error["value"] == str(catalog)
        assert "--catalog" in err and catalog.name in err and "Traceback" not in err
    assert not (tmp_path / "none.db").exists()                   # refused before any work


# -- one name per concept, old names deprecated ------------------------------------------------


def test_keygen_and_checkpoint_name_the_file_they_write(cli, tmp_path, fordow_store):
    key = tmp_path / "iaea.pem"
    code, out, err = cli("records", "keygen", "IAEA", "--private-key", key, "--json")
    assert code == 0 and key.exists() and json.loads(out)["private_key"] == str(key)
    assert "deprecated" not in err
    checkpoint = tmp_path / "cp.json"
    code, out, err = cli("records", "checkpoint", "--key", f"IAEA={key}", "--checkpoint",
                         checkpoint, "--db", fordow_store)
    assert code == 0 and checkpoint.exists(), err


@pytest.mark.parametrize("old, new, args", [
    ("--out", "--private-key", ["records", "keygen", "IAEA", "--out", "{tmp}/k.pem"]),
    ("--iterations", "--samples", ["accountancy", EXAMPLES / "accountancy" / "no-loss.toml",
                                   "--iterations", "50"]),
    ("--basis", "--breakout-basis", ["detection", "--timeline", "--basis", "nonsense"]),
])
def test_old_spellings_still_run_with_a_one_line_note(cli, tmp_path, old, new, args):
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli(*args)
    if "nonsense" in args:                            # a choice: checked as the new option is
        assert code == 1 and "nonsense" in err
        return
    assert code == 0, err
    notes = [line for line in err.splitlines() if "deprecated" in line]
    assert notes == [f"note: {old} is deprecated; use {new}"]


@pytest.mark.parametrize("args", [
    ["records", "keygen", "IAEA", "--private-key", "{tmp}/a.pem", "--out", "{tmp}/b.pem"],
    ["accountancy", EXAMPLES / "accountancy" / "no-loss.toml", "--samples", "5",
     "--iterations", "5"],
    ["accountancy", EXAMPLES / "accountancy" / "no-loss.toml", "--dask", "tcp://a:1",
     "--address", "tcp://a:1"],
])
def test_old_and_new_spelling_together_are_refused(cli, tmp_path, args):
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli(*args)
    assert code == 1 and "only one of" in err
    assert not list(tmp_path.glob("*.pem"))


def test_required_options_with_an_old_spelling_are_still_required(cli, tmp_path):
    code, out, _ = cli("records", "keygen", "IAEA", "--json")
    assert code == 1 and json.loads(out)["error"]["param"] == "--private-key"
    code, out, _ = cli("records", "checkpoint", "--key", "IAEA=k.pem", "--json")
    assert code == 1 and json.loads(out)["error"]["param"] == "--checkpoint"


def test_old_spellings_are_hidden_and_one_concept_has_one_name():
    """Across every command: the file-writing options are named for what they write, the Dask
    address is --dask, a Monte Carlo count is --samples, --basis is the assay basis only."""
    names = {o for c in COMMANDS.values() for p in c.params if not getattr(p, "hidden", False)
             for o in p.opts}
    assert not names & {"--out", "--address", "--iterations"}
    for path in COMMANDS:
        basis = _option(path, "--basis")
        if basis is not None and not basis.hidden:
            choices = {c.value for c in basis.type_descriptor.annotation}
            assert choices == {"mass", "atom"}, path
    dask = {_option(p, "--dask").help for p in COMMANDS if _option(p, "--dask")}
    assert len(dask) == 1 and {p for p in COMMANDS if _option(p, "--dask")} == {
        ("breakout",), ("detection",), ("accountancy",)}


# -- choices --------------------------------------------------------------------------------


@pytest.mark.parametrize("path, option, values", [
    (("breakout",), "--model", ["repiped", "as-built"]),
    (("breakout",), "--sq-definition", ["iaea", "90pct"]),
    (("detection",), "--method", ["auto", "analytic", "monte-carlo"]),
    (("detection",), "--breakout-basis", ["auto", "analyst", "all-capacity"]),
    (("detection",), "--sq-definition", ["iaea", "90pct"]),
    (("transient",), "--method", ["Radau", "BDF"]),
])
def test_choices_are_listed_in_help_and_checked_first(cli, monkeypatch, path, option, values):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = cli(*path, "--help")
    assert code == 0 and f"{option} <{'|'.join(values)}>" in out
    # a bad value is refused by the parser, before the (missing) input file is even read
    code, _, err = cli(*path, "/nonexistent/input.toml", option, "magic")
    assert code == 1 and option in err and "magic" in err and "nonexistent" not in err


# -- library errors under option names --------------------------------------------------------


FEED = "U234=0.0055,U235=0.711,U238=99.2835"
SWU_BASE = ["--feed", "0.711", "--product", "90", "--tails", "0.3"]
IDEAL_BASE = ["--feed", FEED, "--product", "90", "--tails", "0.1"]

#: A bad value of every numeric option of swu, ideal and solve (solve has none: its numbers are
#: in the plant file, whose errors name file keys).
BAD_NUMBERS = {
    ("swu",): {
        "--feed": ["--feed", "-1", "--product", "90", "--tails", "0.3", "--product-kg", "1"],
        "--product": ["--feed", "0.711", "--product", "100", "--tails", "0.3", "--product-kg",
                      "1"],
        "--tails": ["--feed", "0.711", "--product", "90", "--tails", "5", "--product-kg", "1"],
        "--feed-kg": [*SWU_BASE, "--feed-kg", "-5"],
        "--product-kg": [*SWU_BASE, "--product-kg", "inf"],
        "--tails-kg": [*SWU_BASE, "--tails-kg", "nan"],
        "--swu-kg": [*SWU_BASE, "--swu-kg", "-1"],
        "--feed-price": ["--feed", "0.711", "--product", "90", "--optimal-tails", "--feed-price",
                         "-1", "--swu-price", "100", "--product-kg", "1"],
        "--swu-price": ["--feed", "0.711", "--product", "90", "--optimal-tails", "--feed-price",
                        "100", "--swu-price", "0", "--product-kg", "1"],
    },
    ("ideal",): {
        "--product": ["--feed", FEED, "--product", "190", "--tails", "0.1", "--gamma-235",
                      "1.3"],
        "--tails": ["--feed", FEED, "--product", "90", "--tails", "0.9", "--gamma-235", "1.3"],
        "--gamma-235": [*IDEAL_BASE, "--gamma-235", "0.9"],
        "--alpha-per-mass": [*IDEAL_BASE, "--alpha-per-mass", "-1"],
        "--mstar": [*IDEAL_BASE, "--alpha-per-mass", "1.1", "--mstar", "1000"],
        "--feed-kg": [*IDEAL_BASE, "--gamma-235", "1.3", "--feed-kg", "-1"],
        "--product-kg": [*IDEAL_BASE, "--gamma-235", "1.3", "--product-kg", "nan"],
    },
    ("solve",): {},
}

#: A Python parameter name (``feed_kg``, ``u235_percent``) anywhere in a message.
PARAMETER = re.compile(r"(?<![\w./-])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w-])")


def test_every_numeric_option_has_a_bad_value_case():
    for path, cases in BAD_NUMBERS.items():
        numeric = {o for p in COMMANDS[path].params
                   if p.type_descriptor.annotation in (float, int) for o in p.opts}
        assert set(cases) == numeric, path


@pytest.mark.parametrize("path, option", [(p, o) for p, c in BAD_NUMBERS.items() for o in c],
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_a_bad_number_names_its_option(cli, path, option):
    code, out, err = cli(*path, *BAD_NUMBERS[path][option], "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["param"] == option, error
    assert f"error: {option} = " in err and not PARAMETER.findall(err), err


def test_a_parameter_list_in_a_message_names_options(cli):
    code, _, err = cli("swu", *SWU_BASE, "--feed-kg", "100", "--product-kg", "1")
    assert code == 1 and "--feed-kg" in err and "--product-kg" in err
    assert not PARAMETER.findall(err), err
    code, _, err = cli("ideal", *IDEAL_BASE, "--gamma-235", "1.3", "--feed-kg", "2",
                       "--product-kg", "1")
    assert code == 1 and "exactly one of --feed-kg or --product-kg" in err


def test_file_keys_are_not_renamed(cli, tmp_path):
    """Errors about a file keep the file's key: only the command's own parameters map."""
    plant = tmp_path / "plant.toml"
    plant.write_text(DECLARED.read_text(encoding="utf-8").replace('machine = "IR-6"',
                                                                  'machine = "IR-9"', 1),
                     encoding="utf-8")
    code, _, err = cli("solve", plant)
    assert code == 1 and "IR-9" in err and ".machine" in err


# -- --dask: reached before any work -------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def no_work(monkeypatch):
    """Planning, detection or the accountancy study fail the test if they start."""
    import enrichwatch.accountancy.study as study
    import enrichwatch.breakout as breakout
    import enrichwatch.detection as detection

    def started(*args, **kwargs):
        raise AssertionError("work started before the Dask scheduler was reached")

    for module, name in ((breakout, "plan_breakout"), (breakout, "load_state"),
                         (detection, "detect"), (detection, "load_misuse"),
                         (study, "analyse")):
        monkeypatch.setattr(module, name, started)
    monkeypatch.setattr(options, "DASK_CONNECT_SECONDS", 1.0)


@pytest.mark.parametrize("args", [
    ["breakout", FEB_2023, "--samples", "10"],
    ["detection", EXAMPLES / "detection" / "fordow-repiping-2023.toml", "--method",
     "monte-carlo", "--samples", "10"],
    ["accountancy", EXAMPLES / "accountancy" / "no-loss.toml", "--samples", "10"],
], ids=["breakout", "detection", "accountancy"])
@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "nonsense://x", "tcp://[::1"])
def test_an_unreachable_scheduler_is_refused_before_any_work(cli, no_work, args, address):
    address = address.replace("{port}", str(_closed_port()))
    code, out, err = cli(*args, "--dask", address, "--json")
    assert code == 1, err
    error = json.loads(out)["error"]
    assert error["param"] == "--dask" and error["value"] == address
    assert "--dask" in err and address in err and "Traceback" not in err


def test_dask_without_samples_is_refused(cli):
    code, _, err = cli("breakout", FEB_2023, "--dask", "tcp://127.0.0.1:1")
    assert code == 1 and "--dask" in err and "--samples" in err


def test_breakout_on_a_scheduler_gives_the_local_answer(cli):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        code, out, err = cli("breakout", FEB_2023, "--samples", "20", "--dask",
                             cluster.scheduler_address, "--json")
    assert code == 0, err
    local = json.loads(cli("breakout", FEB_2023, "--samples", "20", "--json")[1])
    remote = json.loads(out)
    assert remote["uncertainty"]["percentiles_days"] == local["uncertainty"]["percentiles_days"]


# -- breakout says the target once; an unreachable one says why ----------------------------------


def test_one_sq_is_said_once_in_the_table_and_the_report(cli, tmp_path):
    report = tmp_path / "plan.html"
    code, out, _ = cli("breakout", FEB_2023, "--report", report)
    headline = out.split("Schedule")[0]
    assert code == 0 and headline.count("days to 1 SQ") == 1 and "first" not in headline
    html = report.read_text(encoding="utf-8")
    assert "to 1 significant quantity" in html and "to the first" not in html


def test_more_than_one_sq_says_the_first_once(cli):
    code, out, _ = cli("breakout", EXAMPLES / "breakout" / "hundred-cascades.toml", "--sq", "2")
    headline = " ".join(out.split("Schedule")[0].split())
    assert code == 0 and "days to 2 SQ, the first after" in headline
    assert headline.count("first") == 1


def test_an_unreachable_target_gives_the_reason_and_no_empty_table(cli, tmp_path):
    report = tmp_path / "unreachable.html"
    code, out, _ = cli("breakout", FEB_2023, "--sq", "10", "--report", report)
    flat = " ".join(out.split())
    html = " ".join(report.read_text(encoding="utf-8").split())
    assert "10 significant quantities not reachable: 10 SQ contain 250 kg U-235" in html
    assert "26.25 kg U-235" in html
    assert code == 0 and "10 SQ not reachable" in flat
    # 10 SQ = 250 kg U-235; the file's stock is 43.75 kg U at 60 % = 26.25 kg U-235
    assert "Not reachable: 10 SQ contain 250 kg U-235" in flat and "26.25 kg U-235" in flat
    assert "Schedule" not in out and "┏" not in out
    code, out, _ = cli("breakout", FEB_2023, "--sq", "10", "--json")
    data = json.loads(out)
    validate_output("breakout", data)
    assert data["days_to_n_sq"] is None and data["schedule"] == []


def test_the_timeline_table_fits_80_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("breakout", "--timeline", "--since", "2023-01", "--until", "2023-06")
    assert code == 0 and "2023-02-28" in out and "2023-05-31" in out
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 80
    assert "moved most by" in out                   # the drivers, under the table


# -- JCPOA findings: one unit per limit ---------------------------------------------------------


def test_every_bundled_limit_has_one_unit():
    for name in bundled_rule_sets():
        for limit in load_rule_set(name).limits:
            assert " or " not in limit.unit, (limit.id, limit.unit)


def test_jcpoa_findings_state_the_unit_of_their_value(cli, fordow_store):
    code, out, _ = cli("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", fordow_store,
                       "--rules", "jcpoa", "--json")
    assert code == 0
    fordow = [f for f in json.loads(out)["findings"]
              if f.get("limit") == "jcpoa-fordow-no-enrichment"]
    assert fordow and all(f["consequence"]["unit"] == "wt% U-235" for f in fordow)
    assert all("machines" not in f["title"] for f in fordow)
