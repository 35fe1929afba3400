"""`enrichwatch solve` and `compare` on the examples and on broken plant files."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.toml")
                  if {"facility", "cascades"} <= set(tomllib.loads(p.read_text())))
BROKEN = sorted((ROOT / "tests" / "data" / "broken_plants").glob("*.toml"))
DECLARED = ROOT / "examples" / "fordow-2023" / "declared.toml"
OBSERVED = ROOT / "examples" / "fordow-2023" / "observed.toml"


def test_there_are_examples_and_enough_broken_files():
    assert len(EXAMPLES) >= 4
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_solve_examples_json_schema(cli, path):
    code, out, _ = cli("solve", path, "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"facility", "units", "cascades", "withdrawals", "streams", "feeds",
                         "heu_kg_per_month", "heu_u235_kg_per_month",
                         "months_to_one_sq_at_90pct", "balance_residual", "report"}
    assert data["facility"]["illustrative"] and data["facility"]["assumptions"]
    assert data["units"]["rate"] == "kg U/month"
    assert data["balance_residual"] < 1e-9
    fed = sum(data["feeds"].values())
    assert sum(w["rate"] for w in data["withdrawals"]) == pytest.approx(fed, rel=1e-9)
    for c in data["cascades"]:
        assert c["product"]["assay_wt_pct"] > c["tails"]["assay_wt_pct"]
        assert len(c["stage_profile"]) == c["stages"]
        assert sum(s["machines"] for s in c["stage_profile"]) == c["machines"]


def test_natanz_example_stays_within_the_jcpoa_limit(cli):
    code, out, _ = cli("solve", ROOT / "examples/natanz-jcpoa/ir1-cascade.toml", "--json")
    data = json.loads(out)
    product = next(w for w in data["withdrawals"] if w["label"] == "LEU product")
    assert code == 0 and product["rate"] == pytest.approx(3.05, rel=1e-9)
    assert 3.5 < product["assay_wt_pct"] <= 3.67 and data["heu_kg_per_month"] == 0.0


def test_compare_fordow_declared_and_observed(cli, tmp_path):
    report = tmp_path / "fordow.html"
    code, out, _ = cli("compare", DECLARED, OBSERVED, "--json", "--report", report)
    assert code == 0
    data = json.loads(out)
    streams = [(c["before"], c["after"]) for c in data["changes"] if c["item"] == "stream"]
    assert ("A.product -> B feed stage", "(removed)") in streams
    assert ("(absent)", "A.product -> B stage 7") in streams
    heu = {key: next(w for w in data[key]["withdrawals"] if w["label"] == "HEU product")
           for key in ("first", "second")}
    assert heu["first"]["assay_wt_pct"] <= 60.0 < heu["second"]["assay_wt_pct"]
    assert data["second"]["heu_kg_per_month"] < data["first"]["heu_kg_per_month"]
    html = report.read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "ILLUSTRATIVE" in html.upper()
    # the same operating point: the piping alone moves the assay by well under a point; the
    # rest of the change is the slower withdrawal at the second's design cuts
    op = data["operating_point"]
    assert op["withdrawal"] == "B.product" and op["same_feeds"]
    d = op["difference_wt_pct"]
    assert d["total"] == pytest.approx(heu["second"]["assay_wt_pct"] - heu["first"][
        "assay_wt_pct"], rel=1e-9)
    assert abs(d["piping"]) < 1.0 and abs(d["piping_at_second_rate"]) < 1.0
    assert d["piping"] + d["operating_point"] == pytest.approx(d["total"], rel=1e-12)
    assert op["second"]["at_first_rate"]["rate"] == pytest.approx(heu["first"]["rate"],
                                                                  rel=1e-9)
    for key in ("total", "piping", "operating_point"):
        r = op["ranges"][key]
        assert r["low"] <= r["nominal"] <= r["high"] and r["moved_most_by"]
    assert set(op["ranges"]["inputs"]) == {"stage factor", "machine rating", "stage layout"}
    for key in ("first", "second"):
        top = data["maximum_assay"][key]
        assert top["label"] == "maximum over withdrawal rate" and not top["monotonic"]
        assert top["assay_wt_pct"] > top["assay_at_slowest_rate_wt_pct"]
        assert top["range"]["low"] <= top["assay_wt_pct"] <= top["range"]["high"]


def test_compare_table_shows_the_split_and_the_maximum(cli):
    code, out, _ = cli("compare", DECLARED, OBSERVED)
    assert code == 0
    flat = " ".join(out.split())
    assert "from the piping (same feed, declared.toml's withdrawal rate)" in flat
    assert "What observed.toml changes against declared.toml" in flat
    assert "first" not in flat.replace("in the first", "")     # columns named by file
    assert "from the operating point" in flat and "maximum over" in flat


def test_solve_table_and_report(cli, tmp_path):
    report = tmp_path / "declared.html"
    code, out, _ = cli("solve", DECLARED, "--report", report)
    assert code == 0
    assert "Illustrative reconstruction" in out and "HEU product" in out
    assert report.exists() and report.stat().st_size > 10_000


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_plant_files_exit_1_with_a_message(cli, path):
    code, out, err = cli("solve", path)
    assert code == 1
    assert path.name in err and "Traceback" not in out + err
    code, out, _ = cli("solve", path, "--json")
    assert code == 1 and path.name in json.loads(out)["error"]["message"]


def test_missing_file_and_broken_second_file(cli, tmp_path):
    code, _, err = cli("solve", tmp_path / "nowhere.toml")
    assert code == 1 and "nowhere.toml" in err
    code, _, err = cli("compare", DECLARED, BROKEN[0])
    assert code == 1 and BROKEN[0].name in err


def test_solve_states_separative_power_per_year_as_the_report_does(cli, cli_json):
    code, data, _ = cli_json("solve", DECLARED)
    code, out, _ = cli("solve", DECLARED)
    assert code == 0 and "kg-SWU/yr" in out and "kg-SWU/month" not in out
    for c in data["cascades"]:
        assert f"{c['swu_machines_per_month'] * 12:.4g}" in out


def test_plant_from_standard_input(cli_process):
    done = subprocess.run([sys.executable, "-m", "enrichwatch", "solve", "-", "--json"],
                          input=Path(DECLARED).read_text(encoding="utf-8"), text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from_file = cli_process("solve", DECLARED, "--json")
    strip = ("facility", "report")
    got, want = json.loads(done.stdout), json.loads(from_file.stdout)
    assert {k: v for k, v in got.items() if k not in strip} == \
        {k: v for k, v in want.items() if k not in strip}


def test_report_to_standard_output(cli_process, tmp_path):
    done = cli_process("solve", DECLARED, "--report", "-")
    assert done.returncode == 0
    assert done.stdout.lstrip().startswith("<!DOCTYPE html>") and done.stdout.rstrip().endswith(
        "</html>")
    assert "Cascades" in done.stderr and "standard output" in done.stderr
    assert not Path("-").exists()


def test_report_to_standard_output_with_json_is_refused(cli):
    code, out, err = cli("solve", DECLARED, "--report", "-", "--json")
    assert code == 1 and "--report" in out and "standard output" in out


def test_a_plant_that_does_not_converge_exits_1_naming_the_setting(cli, tmp_path):
    """Issue 14: was exit 2 (internal error) after minutes on a big plant."""
    from tests.facility.test_solve_convergence import _plant_text

    path = tmp_path / "chain.toml"
    path.write_text(_plant_text())
    code, out, err = cli("solve", path)
    assert code == 1 and "Traceback" not in out + err
    assert "chain.toml" in err and "did not converge" in err and "at the design cuts" in err
    code, out, _ = cli("solve", path, "--json")
    assert code == 1 and "try:" in json.loads(out)["error"]["message"]
