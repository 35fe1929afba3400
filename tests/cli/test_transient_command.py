"""``enrichwatch transient`` (issue 11): the answers as JSON and tables, the CSV and the report,
and bad input exiting 1 with a message naming the file, the key and the value."""

import csv
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DECLARED = ROOT / "examples" / "fordow-2023" / "declared.toml"
EXAMPLES = ROOT / "examples" / "transient"
SHORT = """[history]
name = "short"
illustrative = true
[configurations]
observed = "{observed}"
[initial]
state = "steady"
[outputs]
thresholds_pct = [60.0]
[[segments]]
end_h = 1.0
closure = "closed_throughput"
closure_alternatives = ["closed_design"]
[segments.feeds."5 % feed"]
on = false
[segments.withdrawals]
"HEU product" = "closed"
tails = "closed"
[[segments]]
end_h = 3.0
configuration = "observed"
"""


@pytest.fixture()
def short(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT.format(observed=ROOT / "examples" / "fordow-2023" / "observed.toml"))
    return path


def test_json_answers_with_ranges(cli_json, short):
    code, out, err = cli_json("transient", DECLARED, "--history", short)
    assert code == 0, err
    assert out["product_point"] == {"withdrawal": "B.product", "label": "HEU product"}
    assert [r["input"] for r in out["runs"]][0] == "nominal"
    assert "closure of 'segment 0'" in {r["input"] for r in out["runs"]}
    peak = out["summary"]["peak_assay_wt_pct"]
    assert peak["low"] <= peak["nominal"] <= peak["high"]
    assert out["illustrative_note"].startswith("ILLUSTRATIVE")
    assert [s["closure"] for s in out["nominal"]["segments"]] == ["closed_throughput",
                                                                  "fixed_cuts"]
    assert abs(out["nominal"]["balance"]["residual_kg_u235"]) < 1e-12
    assert any("one at a time" in a for a in out["assumptions"])


def test_tables_csv_and_report(cli, short, tmp_path):
    table, report = tmp_path / "t.csv", tmp_path / "t.html"
    code, out, err = cli("transient", DECLARED, "--history", short, "--no-sweep", "--csv", table,
                         "--report", report)
    assert code == 0, err
    assert "peak assay at the product point [wt%]" in out and "ILLUSTRATIVE" in out
    rows = list(csv.reader(table.open()))
    assert rows[0][:3] == ["time_h", "segment", "A.product [wt%]"]
    assert "B[17] [wt%]" in rows[0] and len(rows) > 100
    html = report.read_text()
    assert html.count("<svg") == 3 and "Illustrative reconstruction" in html
    assert "hold-up 1.5 g U per machine" in html


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_every_example_history_runs(cli_json, name):
    """Each example history (start-up, cylinder change isolated or open, product throttled,
    re-piping with or without isolation) runs and returns to production."""
    code, out, err = cli_json("transient", DECLARED, "--history", EXAMPLES / name,
                              "--no-sweep")
    assert code == 0, err
    peak = out["summary"]["peak_assay_wt_pct"]["nominal"]
    last = out["nominal"]["segments"][-1]
    assert "B.product" in last["steady_assay_wt_pct"] and peak > 50.0   # feed on, producing
    assert abs(out["nominal"]["balance"]["residual_kg_u"]) < 1e-9 * max(
        1.0, out["nominal"]["balance"]["fed_kg_u"])


def test_example_history_runs(cli_json):
    code, out, err = cli_json("transient", DECLARED, "--history", EXAMPLES / "repiping.toml",
                              "--no-sweep")
    assert code == 0, err
    steady = out["nominal"]["segments"][0]["steady_assay_wt_pct"]["B.product"]
    assert out["summary"]["peak_assay_wt_pct"]["nominal"] > steady + 10.0   # the isolation
    assert out["history"]["configurations"]["observed"].endswith("observed.toml")


@pytest.mark.parametrize(("body", "key", "value"), [
    ('[[segments]]\nend_h = 2.0\n[[segments]]\nstart_h = 1.0\nend_h = 3.0\n',
     "segments[1].start_h", "1.0"),
    ('[[segments]]\nend_h = 2.0\n[[segments]]\nend_h = 1.0\n', "segments[1].end_h", "1.0"),
    ('[holdup]\npipework_g = -2.0\n[[segments]]\nend_h = 2.0\n', "holdup.pipework_g", "-2.0"),
    ('[[segments]]\nend_h = 2.0\nconfiguration = "repiped"\n', "segments[0].configuration",
     "'repiped'"),
    ('[[segments]]\nend_h = 2.0\n[segments.withdrawals]\nproduct = "closed"\n',
     "segments[0].withdrawals.product", "'product'"),
    ('[outputs]\nthresholds_pct = [-5.0]\n[[segments]]\nend_h = 2.0\n',
     "outputs.thresholds_pct[0]", "-5.0"),
    ('[outputs]\nthresholds_pct = [60.0, 100.0]\n[[segments]]\nend_h = 2.0\n',
     "outputs.thresholds_pct[1]", "100.0"),
    ('[outputs]\nthresholds_pct = [150.0]\n[[segments]]\nend_h = 2.0\n',
     "outputs.thresholds_pct[0]", "150.0"),
    ('[outputs]\nthresholds_pct = [0.0]\n[[segments]]\nend_h = 2.0\n',
     "outputs.thresholds_pct[0]", "0.0"),
    ('[holdup]\nrotor_g = -0.5\n[[segments]]\nend_h = 2.0\n', "holdup.rotor_g", "-0.5"),
    ('[[segments]]\nstart_h = 3.0\nend_h = 2.0\n', "segments[0].end_h", "2.0"),
    ('[[segments]]\nend_h = 4.0\n[[segments]]\nstart_h = 3.0\nduration_h = 2.0\n',
     "segments[1].start_h", "3.0"),
    ('[initial]\nstate = "steady"\nconfiguration = "elsewhere"\n[[segments]]\nend_h = 2.0\n',
     "initial.configuration", "'elsewhere'"),
    ('[[segments]]\nend_h = 2.0\n[segments.feeds."natural"]\non = false\n',
     "segments[0].feeds.natural", "'natural'"),
    ('[[segments]]\nend_h = 2.0\n[segments.withdrawals]\n"HEU product" = { rate = 1e6 }\n',
     'segments[0].withdrawals."HEU product".rate', "1000000.0"),
])
def test_bad_history_exits_1_naming_file_key_and_value(cli, tmp_path, body, key, value):
    path = tmp_path / "bad.toml"
    path.write_text('[history]\nname = "bad"\n' + body)
    code, out, err = cli("transient", DECLARED, "--history", path, "--no-sweep")
    assert code == 1 and "Traceback" not in err
    text = " ".join(err.split())
    assert str(path) in text and key in text and value in text, err


def test_bad_history_as_json(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[history]\nname = "bad"\n[holdup]\nrotor_g = -1.0\n'
                    '[[segments]]\nend_h = 2.0\n')
    code, out, _ = cli("transient", DECLARED, "--history", path, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["param"] == "holdup.rotor_g" and error["value"] == -1.0


def test_bad_method_and_missing_history(cli, short, tmp_path):
    code, _, err = cli("transient", DECLARED, "--history", short, "--method", "Euler")
    assert code == 1 and "--method" in err
    code, _, err = cli("transient", DECLARED, "--history", tmp_path / "none.toml")
    assert code == 1 and "none.toml" in err
