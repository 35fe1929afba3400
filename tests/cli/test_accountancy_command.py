"""`enrichwatch accountancy FILE.toml` (issue 10, part 8): the example's three cases, bad input
exiting 1 naming file, key and value, a refused file writing nothing to the store, the reports
recorded and evaluated, the HTML report."""

import sqlite3
from pathlib import Path

import pytest
import tomli_w

from tests.accountancy.study_helpers import small, write
from tests.cli.schema_helpers import validate_output

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "accountancy"
N = "200"                                     # Monte Carlo iterations: enough to run


def _bad(tmp_path) -> Path:
    doc = {"study": {"name": "bad"}, "periods": {"boundaries_h": [0.0, 10.0]},
           "points": {"feed": {"role": "input", "times_h": [5.0], "masses_kg_u": [-3.0]}},
           "measurement": {"feed": {"mass": {"random_rsd": 0.01, "systematic_rsd": 0.0}}}}
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(doc))
    return path


def test_the_abrupt_loss_case(cli_json):
    code, data, _ = cli_json("accountancy", EXAMPLES / "abrupt-loss.toml", "--samples", N)
    assert code == 0
    validate_output("accountancy", data)
    for q in data["quantities"]:
        assert q["tests"]["muf"]["alarms"] == [6] and q["tests"]["page"]["first_alarm"] == 6
        assert q["false_alarms"]["iterations"] == int(N)
    assert data["plant_check"]["u_balance_alarm"] and data["records"] is None


def test_the_tables_of_the_no_loss_case(cli):
    code, out, err = cli("accountancy", EXAMPLES / "no-loss.toml", "--samples", N)
    assert code == 0, err
    for text in ("U balance [kg U]", "U235 balance [kg U-235]", "2024-06-30", "alarms: none",
                 "Detection probability", "Plant check", "consistent: no finding",
                 "Assumptions", "not verified against their source"):
        assert text in out, text
    assert "Traceback" not in out + err


def test_bad_input_exits_1_naming_file_key_and_value(cli, cli_json, tmp_path):
    bad = _bad(tmp_path)
    code, out, err = cli("accountancy", bad)
    assert code == 1 and "Traceback" not in err
    assert f"{bad}: points.feed.masses_kg_u[0] = -3.0" in " ".join(err.split())
    code, data, _ = cli_json("accountancy", bad)
    assert code == 1 and data["error"]["param"] == "points.feed.masses_kg_u[0]"
    assert data["error"]["value"] == -3.0


def test_a_refused_file_writes_nothing_to_the_store(cli, cli_json, tmp_path):
    new = tmp_path / "new.sqlite"
    code, _, _ = cli("accountancy", _bad(tmp_path), "--db", new, "--facility", "EXAMPLE")
    assert code == 1 and not new.exists()
    db = tmp_path / "example.sqlite"
    assert cli_json("records", "add", EXAMPLES / "case.toml", "--db", db)[0] == 0
    code, _, _ = cli("accountancy", _bad(tmp_path), "--db", db, "--facility", "EXAMPLE")
    assert code == 1
    # a good file for a facility the store does not know: rejected, nothing written either
    code, _, err = cli("accountancy", EXAMPLES / "no-loss.toml", "--samples", N, "--db", db,
                       "--facility", "OTHER")
    assert code == 1 and "facility" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 2


def _zero_errors(doc: dict) -> None:
    zero = {"random_rsd": 0.0, "systematic_rsd": 0.0}
    for table in doc["measurement"].values():
        table.update(mass=dict(zero), assay=dict(zero))


#: The bad input of issue 10 ("Must show"), each with the key and the value the error names.
BAD_INPUT = {
    "negative mass": (lambda d: d["points"]["feed"].update(masses_kg_u=[1000.0, -1.0]),
                      "points.feed.masses_kg_u[1]", -1.0),
    "assay above 100 %": (lambda d: d["points"]["product"].update(assay_wt_pct=100.5),
                          "points.product.assay_wt_pct", 100.5),
    "assay below 0 %": (lambda d: d["points"]["product"].update(assay_wt_pct=[4.0, -0.1]),
                        "points.product.assay_wt_pct[1]", -0.1),
    "overlapping periods": (lambda d: d.update(periods={"intervals_h": [[0.0, 100.0],
                                                                        [90.0, 200.0]]}),
                            "periods.intervals_h[1]", [90.0, 200.0]),
    "backward periods": (lambda d: d.update(periods={"boundaries_h": [0.0, 200.0, 100.0]}),
                         "periods.boundaries_h[2]", 100.0),
    "unknown point": (lambda d: d["measurement"].update(fed=d["measurement"]["feed"]),
                      "measurement.fed", "fed"),
    "RSD = 1": (lambda d: d["measurement"]["feed"]["mass"].update(random_rsd=1.0),
                "measurement.feed.mass.random_rsd", 1.0),
    "RSD > 1": (lambda d: d["measurement"]["store"]["assay"].update(systematic_rsd=3.0),
                "measurement.store.assay.systematic_rsd", 3.0),
    "every error zero": (_zero_errors, "measurement", "sigma-MUF = 0 in balance 1 (U)"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_each_bad_input_exits_1_naming_file_key_value_and_writes_nothing(cli, cli_json,
                                                                       tmp_path, case):
    """Through the command line, with a store to record into: exit 1, no traceback, the
    message names the file, the key and the value, and the store is left as it was."""
    change, key, value = BAD_INPUT[case]
    doc = small()
    change(doc)
    bad = write(tmp_path, doc, "bad.toml")
    db = tmp_path / "example.sqlite"
    assert cli_json("records", "add", EXAMPLES / "case.toml", "--db", db)[0] == 0
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT * FROM records ORDER BY id").fetchall()
    code, out, err = cli("accountancy", bad, "--db", db, "--facility", "EXAMPLE")
    assert code == 1 and "Traceback" not in out + err
    assert f"{bad}: {key} = {value!r}" in " ".join(err.split())
    code, data, err = cli_json("accountancy", bad, "--db", db, "--facility", "EXAMPLE")
    assert code == 1 and str(bad) in data["error"]["message"]
    problems = data["error"]["message"]
    assert f"{key} = {value!r}" in " ".join(problems.split())
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM records ORDER BY id").fetchall() == before


@pytest.mark.parametrize("args, option", [
    (("--facility", "EXAMPLE"), "--facility"),
    (("--db", "x.sqlite"), "--facility"),
    (("--db", "x.sqlite", "--facility", "bad code"), "facility"),
])
def test_record_options_fit_together(cli_json, tmp_path, args, option):
    code, data, _ = cli_json("accountancy", EXAMPLES / "no-loss.toml", *args)
    assert code == 1 and data["error"]["param"] == option


def test_the_reports_recorded_and_evaluated(cli_json, tmp_path):
    db = tmp_path / "example.sqlite"
    assert cli_json("records", "add", EXAMPLES / "case.toml", "--db", db)[0] == 0
    code, data, _ = cli_json("accountancy", EXAMPLES / "abrupt-loss.toml", "--samples", N,
                             "--db", db, "--facility", "EXAMPLE")
    assert code == 0
    study = data
    kinds = [r["kind"] for r in data["records"]["added"]]
    assert len(kinds) == 38 and kinds.count("material_balance_report") == 13
    # a receipt whose shipper declared 100 kg U more than the receiver found
    receipt = {"date": "2024-03-05", "kmp": "feed-receipts", "change": "receipt",
               "kg_u": 8400.0, "u235_pct": 0.711, "shipper_kg_u": 8500.0, "batch": "48Y-X"}
    case = {"records": [{"kind": "inventory_change_report", "facility": "EXAMPLE",
                         "valid_from": "2024-03-31", "known_on": "2024-04-10",
                         "source": "shipper's and receiver's values",
                         "payload": {"mba": "EX-MBA-2", "period_start": "2024-02-29",
                                     "period_end": "2024-03-31", "entries": [receipt]}}]}
    (tmp_path / "srd.toml").write_text(tomli_w.dumps(case))
    assert cli_json("records", "add", tmp_path / "srd.toml", "--db", db)[0] == 0
    code, data, _ = cli_json("evaluate", "EXAMPLE", "--as-of", "2025-01-31", "--db", db)
    assert code == 0
    validate_output("evaluate", data)                 # one consequence shape per rule
    rules = [f["rule"] for f in data["findings"]]
    assert rules.count("shipper-receiver-difference") == 1
    assert rules.count("muf-above-threshold") == 2 and rules.count("page-alarm") == 2
    assert "declared-production-capacity" in rules
    june = [f for f in data["findings"] if f["rule"] == "muf-above-threshold"][0]
    assert june["consequence"]["period_end"] == "2024-06-30"
    assert june["consequence"]["assumptions"]["false_alarm_per_year"] == 0.05
    # one convention: the evaluation tests the June balance (30 days) at the probability and
    # threshold the study gave that balance, not another convention's
    a = june["consequence"]["assumptions"]
    for q in study["quantities"]:
        assert q["tests"]["muf"]["false_alarm_per_balance"][5] == pytest.approx(
            a["false_alarm_per_balance"], rel=1e-12)
        assert q["balances"][5]["muf_z"] == pytest.approx(a["z"], rel=1e-12)
    assert a["false_alarm_per_balance"] == pytest.approx(1 - 0.95 ** (30 / 365.25))


def test_the_html_report(cli, tmp_path):
    report = tmp_path / "acc.html"
    code, out, _ = cli("accountancy", EXAMPLES / "protracted-loss.toml", "--samples", N,
                       "--report", report)
    assert code == 0 and f"report written to {report}" in " ".join(out.split())
    html = report.read_text()
    assert html.count("<svg") == 8 and html.count("<figcaption>") == 8
    assert html.count('id="u-muf-legend') + html.count("legend") >= 8
    for text in ("±3 σ-MUF band", "Page&#39;s statistic", "Detection probability against",
                 "Enrichment-plant check", "Assumptions", "cascade-holdup"):
        assert text in html, text
    code, _, _ = cli("accountancy", EXAMPLES / "no-loss.toml", "--report", "-", "--json")
    assert code == 1
