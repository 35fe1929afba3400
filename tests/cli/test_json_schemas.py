"""Every --json output follows its shipped JSON schema (cli/schemas/NAME.schema.json)."""

import io
import json
import shutil
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import typer.main

from enrichwatch.cli.app import SCHEMA_VERSION, app
from enrichwatch.cli.entry import register_commands
from enrichwatch.cli.schema import schema_names
from tests.cli.schema_helpers import schema_of, validate_output, validator

register_commands()                 # (every command, as `enrichwatch --help` does)

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"

#: One or more invocations per schema (``--json`` is appended). ``{db}`` is a record store
#: holding the Fordow 2023 case (records 1-7), a party record (8), a signed facility record (9)
#: and an inspection of that facility with no declaration in force (10); ``{key}`` the party's
#: private key, ``{checkpoint}`` a checkpoint of the store; ``{new}`` a path that does not exist.
CASES = {
    "swu": [("swu", "--feed", "0.711", "--product", "90", "--tails", "0.3", "--product-kg", "1"),
            ("swu", "--feed", "0.711", "--product", "5", "--optimal-tails", "--feed-price", "100",
             "--swu-price", "150", "--product-kg", "1")],
    "ideal": [("ideal", "--feed", "U234=0.0055,U235=0.711,U238=99.2835", "--basis", "atom",
               "--product", "90", "--tails", "0.1", "--gamma-235", "1.3", "--feed-kg", "100"),
              ("ideal", "--feed", "U235=0.72,U238=99.28", "--product", "5", "--tails", "0.25",
               "--alpha-per-mass", "1.05", "--real-stages")],
    "machines": [("machines",)],
    "breakout-cache": [("breakout", "--clear-cache")],
    "sampling-attribute": [("sampling", "attribute", "--population", "200", "--defects", "10"),
                           ("sampling", "attribute", "--population", "99", "--goal-kg", "25",
                            "--item-kg", "2.5", "--defect", "partial", "--defect-fraction", "0.1",
                            "--sample-size", "5")],
    "sampling-variables": [("sampling", "variables", "--population", "500", "--item-kg", "1.5",
                            "--goal-kg", "25", "--rsd-random", "0.05", "--rsd-systematic",
                            "0.02")],
    "sampling-d-statistic": [("sampling", "d-statistic", "--population", "50", "--declared",
                              "100,100", "--measured", "99.5,100.2", "--rsd-random", "0.005")],
    "sampling-muf-d": [("sampling", "muf-d", "--muf", "0", "--sigma-muf", "10", "--d", "40",
                        "--sigma-d", "8", "--sign", "-1", "--loss-kg", "40")],
    "game-inspection": [("game", "inspection", "--gain", "1", "--sanction", "9",
                         "--inspection-cost", "1", "--undetected-loss", "10"),
                        ("game", "inspection", "--gain", "1", "--sanction", "9",
                         "--inspection-cost", "1", "--undetected-loss", "10",
                         "--detection-probability", "0.05")],
    "game-zero-sum": [("game", "zero-sum", "--matrix", "3,-1;-2,1")],
    "game-bimatrix": [("game", "bimatrix", "--row-payoffs", "3,0;0,2", "--column-payoffs",
                       "2,0;0,3")],
    "detection": [("detection", str(Path(__file__).parents[2] / "examples" / "detection"
                                    / "fordow-repiping-2023.toml"))],
    "detection-timeline": [("detection", "--timeline", "--since", "2025-05", "--until",
                            "2026")],
    "transient": [("transient", EXAMPLES / "fordow-2023" / "declared.toml", "--history",
                   EXAMPLES / "transient" / "repiping-direct.toml", "--no-sweep")],
    "solve": [("solve", EXAMPLES / "natanz-jcpoa" / "ir1-cascade.toml")],
    "compare": [("compare", EXAMPLES / "fordow-2023" / "declared.toml",
                 EXAMPLES / "fordow-2023" / "observed.toml")],
    "breakout": [("breakout", EXAMPLES / "breakout" / "may-2025.toml", "--samples", "20"),
                 ("breakout", EXAMPLES / "breakout" / "may-2025.toml", "--sq", "50",
                  "--model", "as-built")],
    # a gap in the public record (fast); full rows: tests/cli/test_breakout_command.py
    "breakout-timeline": [("breakout", "--timeline", "--since", "2025-11", "--until", "2025-12")],
    # an observed plant with no declaration in force; the Fordow case with every rule and a
    # rule set: test_evaluate_gives_a_structured_consequence_for_every_rule
    "evaluate": [("evaluate", "FEP", "--as-of", "2024-02-01", "--db", "{db}"),
                 ("evaluate", "FEP", "--as-of", "2024-02-01", "--db", "{db}", "--held-on",
                  "2099-01-01")],
    "records-init": [("records", "init", "--db", "{new}")],
    "records-add": [("records", "add", EXAMPLES / "fordow-2023" / "case.toml", "--db",
                     "{new}")],
    "records-history": [("records", "history", "FFEP", "--db", "{db}"),
                        ("records", "history", "FFEP", "--db", "{db}", "--as-of",
                         "2023-01-21")],
    "users-add": [("users", "add", "schema-test-add", "--role", "analyst", "--db", "{db}")],
    "users-list": [("users", "list", "--db", "{db}")],
    "users-token": [("users", "token", "schema-test-token", "--db", "{db}")],
    "records-show": [("records", "show", "6", "--db", "{db}"),
                     ("records", "show", "9", "--db", "{db}")],
    "records-verify": [("records", "verify", "--db", "{db}"),
                       ("records", "verify", "--db", "{db}", "--against", "{checkpoint}")],
    "records-keygen": [("records", "keygen", "IAEA", "--private-key", "{new}")],
    "records-checkpoint": [("records", "checkpoint", "--key", "IAEA={key}", "--checkpoint", "{new}",
                           "--db", "{db}")],
    "records-prove": [("records", "prove", "3", "--db", "{db}"),
                      ("records", "prove", "3", "--db", "{db}", "--against", "{checkpoint}")],
    "accountancy": [("accountancy", EXAMPLES / "accountancy" / "abrupt-loss.toml",
                     "--samples", "100"),
                    ("accountancy", EXAMPLES / "accountancy" / "no-loss.toml", "--samples",
                     "100")],
    "error": [("swu", "--feed", "0.711", "--product", "-3", "--tails", "0.3", "--product-kg",
               "1"),
              ("swu", "--no-such-option")],
}


_INSPECTION = """
[case]
title = "An inspection with no declaration in force (schema test)"

[[records]]
kind = "inspection"
facility = "FEP"
valid_from = 2024-01-10
known_on = 2024-01-10
source = "test"

[records.payload]
kind = "announced"
observed_plant_file = "plant.toml"
measurements = []
summary = "A cascade observed before any declaration."
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Paths of a record store (see CASES), a party key and a checkpoint of the store."""
    from enrichwatch.records import RecordDraft, RecordStore, Signer, load_case_file

    folder = tmp_path_factory.mktemp("records")
    db = folder / "store.sqlite"
    iaea = Signer.generate("IAEA")
    iaea.save(folder / "iaea.pem")
    shutil.copy(EXAMPLES / "natanz-jcpoa" / "ir1-cascade.toml", folder / "plant.toml")
    (folder / "case.toml").write_text(_INSPECTION, encoding="utf-8")
    records = RecordStore.open(f"sqlite:///{db}").init()
    try:
        load_case_file(records, EXAMPLES / "fordow-2023" / "case.toml")
        records.append(RecordDraft("party", "*", "2024-01-01", "2024-01-01", "key ceremony",
                                   iaea.party_payload(requires_signature=False)), iaea)
        records.append(RecordDraft("facility", "FEP", "2024-01-02", "2024-01-02", "test",
                                   {"name": "A plant"}, submitted_by="IAEA"), iaea)
        load_case_file(records, folder / "case.toml")
        records.checkpoint(iaea).save(folder / "checkpoint.json")
        from enrichwatch.web.accounts import AccountBook

        AccountBook(records.engine).add("schema-test-token", "analyst", "a long pass phrase 1",
                                        by="test")
    finally:
        records.close()
    return {"db": str(db), "key": str(folder / "iaea.pem"),
            "checkpoint": str(folder / "checkpoint.json")}


def _args(args, store, tmp_path):
    paths = {**store, "new": str(tmp_path / "new")}
    return [a.format(**paths) if isinstance(a, str) else a for a in args]


@pytest.mark.parametrize("name", schema_names())
def test_each_schema_is_valid_and_names_itself(name):
    schema = schema_of(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"] == {"const": f"enrichwatch/{name}",
                                              "description": "Name of this schema."}
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema["additionalProperties"] is False, "stable keys: nothing undocumented"
    assert name in CASES, f"no test invocation for the {name} schema"


def _properties(node, where=""):
    """Every ``(where, key, subschema)`` under a ``properties`` keyword of ``node``."""
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            yield where, key, sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}/{i}")


def _described(sub, schema) -> bool:
    if "description" in sub:
        return True
    target = sub.get("$ref", "")
    return target.startswith("#/$defs/") and "description" in schema["$defs"][target[8:]]


@pytest.mark.parametrize("name", schema_names())
def test_every_key_is_described_and_every_number_has_its_unit(name):
    schema = schema_of(name)
    for where, key, sub in _properties(schema):
        assert _described(sub, schema), f"{name}: {where}/{key} has no description"
        if "number" in (sub.get("type") or ()):
            assert "[" in sub["description"], f"{name}: {where}/{key} states no [unit]"


def test_definitions_shared_by_schemas_are_the_same_everywhere():
    seen: dict[str, tuple[str, dict]] = {}
    for name in schema_names():
        for key, definition in schema_of(name).get("$defs", {}).items():
            first, same = seen.setdefault(key, (name, definition))
            assert definition == same, f"$defs/{key} differs between {first} and {name}"


@pytest.mark.parametrize(("name", "args"), [(n, a) for n, cases in CASES.items() for a in cases],
                         ids=lambda v: v if isinstance(v, str) else " ".join(map(str, v))[:40])
def test_output_validates_against_its_schema(cli, store, tmp_path, monkeypatch, name, args):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long pass phrase 2\n"))   # users add
    code, out, _ = cli(*_args(args, store, tmp_path), "--json")
    assert (code == 0) == (name != "error"), out
    validate_output(name, json.loads(out))


def test_a_schema_refuses_an_undocumented_key(cli):
    code, out, _ = cli(*CASES["swu"][0], "--json")
    data = dict(json.loads(out), surprise=1)
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        validator("swu").validate(data)


def test_evaluate_gives_a_structured_consequence_for_every_rule(cli_json, store):
    """Issue 16: one consequence shape per rule (the schema's oneOf), never free-form."""
    code, data, _ = cli_json("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", store["db"],
                             "--rules", "jcpoa")
    assert code == 0
    validate_output("evaluate", data)
    assert [f["rule"] for f in data["findings"]][:3] == [
        "observed-differs-from-declared", "late-design-change-declaration",
        "assay-above-declared-maximum"]
    limits = data["findings"][3:]
    assert limits and all(f["rule"] == "jcpoa" and f["limit"] for f in limits)
    bad = json.loads(json.dumps(data))
    bad["findings"][2]["consequence"]["configurations"][0]["surprise"] = 1
    assert not validator("evaluate").is_valid(bad)
    bad = json.loads(json.dumps(data))
    bad["findings"][3]["consequence"] = data["findings"][0]["consequence"]
    assert not validator("evaluate").is_valid(bad), "a rule set's finding has its own shape"
    code, data, _ = cli_json("evaluate", "FEP", "--as-of", "2024-02-01", "--db", store["db"])
    assert code == 0 and [f["rule"] for f in data["findings"]] == [
        "observed-differs-from-declared"]
    assert data["findings"][0]["consequence"]["declared"] is None      # nothing in force


def test_n_sq_is_a_count(cli_json):
    code, data, _ = cli_json("breakout", EXAMPLES / "breakout" / "may-2025.toml", "--sq", "2")
    assert code == 0 and data["n_sq"] == 2 and isinstance(data["n_sq"], int)
    code, _, err = cli_json("breakout", EXAMPLES / "breakout" / "may-2025.toml", "--sq", "1.5")
    assert code == 1 and "--sq" in err


def test_the_library_and_the_command_line_name_assays_alike(cli_json):
    """Issue 16: ``as_dict()`` said ``wt_frac`` where the command line says ``wt_pct``."""
    from enrichwatch import Assay
    from enrichwatch.physics.swu import enrich

    given = {"feed": 0.711, "product": 90.0, "tails": 0.3}
    result = enrich(*(Assay.from_weight_percent(x) for x in given.values()), product_kg=1.0)
    code, data, _ = cli_json("swu", *[f"--{k}={v}" for k, v in given.items()],
                             "--product-kg", "1")
    assert code == 0
    library = result.as_dict()
    assert set(library) <= set(schema_of("swu")["properties"])
    assert library == {k: data[k] for k in library}


def test_records_show_prints_a_table_unless_json(cli, store):
    code, out, _ = cli("records", "show", "2", "--db", store["db"])
    assert code == 0 and not out.lstrip().startswith("{")
    assert "Record 2: declaration" in out and "payload.plant:" in out and "(unsigned)" in out


@cache
def _root():
    return typer.main.get_command(app)


def _command_of(args) -> str:
    """The command path an invocation runs (``records show``, ``swu``)."""
    cmd, path = _root(), []
    for arg in map(str, args):
        sub = getattr(cmd, "commands", {}).get(arg)
        if sub is None:
            break
        cmd, path = sub, [*path, arg]
    return " ".join(path)


def _json_commands():
    root = _root()

    def walk(cmd, path=()):
        params = {o for p in getattr(cmd, "params", []) for o in getattr(p, "opts", [])}
        if "--json" in params:
            yield " ".join(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))
    return sorted(walk(root))


@pytest.mark.parametrize("command", _json_commands())
def test_every_json_command_has_a_schema_and_a_test(command):
    covered = {_command_of(a) for name, cases in CASES.items() if name != "error" for a in cases}
    assert command in covered, f"`{command} --json` has no schema test"


def test_schema_command_lists_and_prints_the_shipped_schemas(cli):
    code, out, _ = cli("schema")
    assert code == 0 and all(name in out for name in schema_names())
    code, out, _ = cli("schema", "records-show")
    assert code == 0 and json.loads(out) == schema_of("records-show")
    code, _, err = cli("schema", "nope")
    assert code == 1 and "NAME" in err and "records-show" in err


def test_an_error_gives_the_value_as_json_not_as_a_python_repr():
    from enrichwatch.cli.app import _error_payload, stamped
    from enrichwatch.errors import InputError

    error = _error_payload(InputError("range", (3.0, float("nan"), "low"), "low <= high"))
    assert error["value"] == [3.0, "nan", "low"]
    validate_output("error", json.loads(json.dumps(stamped("error", {"error": error}))))
