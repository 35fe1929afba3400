"""``enrichwatch detection``: one scenario (table, JSON, report), the timeline from a breakout
JSON, and bad input (exit 1 naming file, key and value)."""

import json
from pathlib import Path

import pytest

from tests.detection.helpers import BALANCE, REGIME

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "detection"
SCENARIO = '''
[scenario]
name = "over-assay at Fordow"
kind = "over_assay"
facilities = ["Fordow FFEP"]
start = "2023-01-16"
production_start_days = 1

[completion]
days = 11.4
source = "stated for the test"

[observed]
days = 5
source = "GOV/INF/2023/1"
'''


@pytest.fixture()
def scenario(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_one_scenario_as_json(cli_json, scenario):
    code, out, _ = cli_json("detection", scenario)
    assert code == 0
    assert out["misuse"]["name"] == "over-assay at Fordow" and out["regime_date"] == "2023-01-16"
    assert 0 < out["median_days"] < out["p90_days"]
    assert 0 < out["observed_probability"] < 1
    assert out["distribution"]["method"] == "monte-carlo" or out["distribution"]["method"] == \
        "analytic"
    assert out["report"] is None


def test_one_scenario_as_table_and_report(cli, scenario, tmp_path):
    report = tmp_path / "detection.html"
    code, out, err = cli("detection", scenario, "--report", report)
    assert code == 0, err
    assert "Time to detection" in out and "median" in out and "Assumptions" in out
    assert report.read_text().count("<svg") == 1


def test_as_of_applies_another_date(cli_json, scenario):
    code, out, _ = cli_json("detection", scenario, "--as-of", "2025-07-01")
    assert code == 0 and out["regime_date"] == "2025-07-01"
    assert out["median_days"] is None and out["probability_ever"] == 0.0


def test_monte_carlo_on_request(cli_json, scenario):
    code, out, _ = cli_json("detection", scenario, "--method", "monte-carlo", "--samples",
                            "20000", "--seed", "3")
    assert code == 0 and out["distribution"]["method"] == "monte-carlo"
    assert out["distribution"]["samples"] == 20000 and out["distribution"]["seed"] == 3


def test_own_regime_file(cli_json, tmp_path):
    regime = tmp_path / "regime.toml"
    regime.write_text(REGIME, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.replace("Fordow FFEP", "Plant A"), encoding="utf-8")
    code, out, _ = cli_json("detection", path, "--regime", regime)
    assert code == 0 and out["regime"] == "test regime"


def test_timeline_from_a_breakout_json(cli_json, tmp_path):
    def result(days):
        return {"kind": "analyst", "days": days, "setup_days": 1.0, "transport_days": 0.0,
                "schedule": [], "scenario": {"cascades": [{"site": "Fordow FFEP"}],
                                             "sites": [], "stocks": []}}

    data = {"sq_definition": "90pct", "rows": [
        {"date": "2025-05-31", "gap": False, "analyst": result(2.9), "all_capacity": None},
        {"date": "2025-09", "gap": False, "analyst": None, "all_capacity": result(2.6)},
        {"date": "2025-11-12", "gap": True, "analyst": None, "all_capacity": None}]}
    path = tmp_path / "breakout.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = cli_json("detection", "--timeline", "--breakout-json", path, "--since",
                            "2025-05")
    assert code == 0
    assert [r["date"] for r in out["rows"]] == ["2025-05-31", "2025-09", "2025-11-12"]
    assert out["rows"][0]["margin_days"] is not None
    assert out["rows"][1]["no_verification"] and out["rows"][1]["breakout_days"] == 2.6


def test_timeline_table(cli, tmp_path):
    data = {"sq_definition": "90pct", "rows": [
        {"date": "2025-05-31", "gap": False, "analyst": {
            "kind": "analyst", "days": 2.9, "setup_days": 1.0, "transport_days": 0.0,
            "schedule": [], "scenario": {"cascades": [{"site": "Fordow FFEP"}], "sites": [],
                                         "stocks": []}}}]}
    path = tmp_path / "breakout.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = cli("detection", "--timeline", "--breakout-json", path, "--since",
                         "2025-05", "--until", "2025-06")
    assert code == 0, err
    assert "2025-05-31" in out and "margin" in out


def test_example_scenarios_are_valid(cli_json):
    """Every example file passes the checks (the breakout planning they name is computed by
    the planner; one example here, the others in the closing note)."""
    code, out, err = cli_json("detection", EXAMPLES / "fordow-repiping-2023.toml")
    assert code == 0, err
    assert out["misuse"]["observed_days"] == 5.0 and out["probability_before_completion"]


def _edit(old, new):
    assert old in SCENARIO
    return SCENARIO.replace(old, new, 1)


def _regime(old, new):
    assert old in REGIME
    return REGIME.replace(old, new, 1)


@pytest.mark.parametrize(("kind", "text", "key", "value"), [
    ("regime", _regime("per_year = 12", "per_year = -3"), "measure[0].period[0].per_year",
     "-3"),
    ("regime", _regime('source = ["S1"]\nverified = false',
                       'probability = 1.7\nsource = ["S1"]\nverified = false'),
     "measure[0].period[0].probability", "1.7"),
    ("regime", _regime('from = "2023-01-01"', 'from = "2022-01-01"'),
     "measure[0].period[1].from", "'2022-01-01'"),
    ("regime", _regime("period_days = 60", "period_days = -60"),
     "measure[3].period[0].period_days", "-60"),
    ("regime", _regime('facilities = ["Plant A"]\n\n[[measure.period]]\nfrom = "2020-01-01"\n'
                       'in_place = true\nat', 'facilities = ["Plant Q"]\n\n[[measure.period]]'
                       '\nfrom = "2020-01-01"\nin_place = true\nat'),
     "measure[2].facilities[0]", "'Plant Q'"),
    ("regime", REGIME + BALANCE.replace("sigma_muf_kg = 12.0", "sigma_muf_kg = -1"),
     "measure[4].period[0].accountancy.sigma_muf_kg", "-1"),
    ("scenario", _edit('facilities = ["Fordow FFEP"]', 'facilities = ["Fordow FFEP", "Arak"]'),
     "scenario.facilities[1]", "'Arak'"),
])
def test_bad_input_exits_1_naming_file_key_and_value(cli, tmp_path, kind, text, key, value):
    regime = tmp_path / "regime.toml"
    scenario = tmp_path / "scenario.toml"
    regime.write_text(text if kind == "regime" else REGIME, encoding="utf-8")
    scenario.write_text(text if kind == "scenario" else
                        SCENARIO.replace("Fordow FFEP", "Plant A"), encoding="utf-8")
    report = tmp_path / "report.html"
    args = ["detection", scenario, "--report", report] + (["--regime", regime]
                                                          if kind == "regime" else [])
    code, out, err = cli(*args)
    assert code == 1 and not report.exists()              # nothing half-written
    flat = " ".join(err.split())
    name = regime.name if kind == "regime" else scenario.name
    assert name in flat and key in flat and value in flat, flat
    assert "Traceback" not in err


def test_a_date_the_regime_does_not_cover_exits_1(cli, cli_json, scenario, tmp_path):
    """The bundled regime records 2016-01-16 to 2025-12-31: an earlier or later date is refused
    (naming the option, or the file and key), not answered with 'never detected'."""
    code, _, err = cli("detection", scenario, "--as-of", "2012-02-15")
    flat = " ".join(err.split())
    assert code == 1 and "--as-of" in flat and "2012-02-15" in flat and "2016-01-16" in flat
    late = tmp_path / "late.toml"
    late.write_text(_edit('start = "2023-01-16"', 'start = "2026-02-01"'), encoding="utf-8")
    code, out, _ = cli_json("detection", late)
    assert code == 1 and out["error"]["param"] == "scenario.start"
    assert out["error"]["value"] == "2026-02-01" and "late.toml" in out["error"]["message"]
    code, out, _ = cli_json("detection", late, "--as-of", "2023-01-16")
    assert code == 0 and out["regime_date"] == "2023-01-16"


def test_bad_input_as_json(cli_json, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(_edit('facilities = ["Fordow FFEP"]', 'facilities = ["Arak"]'),
                        encoding="utf-8")
    code, out, _ = cli_json("detection", scenario)
    assert code == 1 and out["error"]["param"] == "scenario.facilities[0]"
    assert out["error"]["value"] == "Arak"


@pytest.mark.parametrize("args", [
    ["detection"],
    ["detection", "x.toml", "--timeline"],
    ["detection", "--timeline", "--as-of", "2023-01-01"],
    ["detection", "SCEN", "--as-of", "2023-1-1"],
    ["detection", "SCEN", "--method", "quick"],
    ["detection", "SCEN", "--samples", "0"],
    ["detection", "SCEN", "--breakout-json", "b.json"],
    ["detection", "--timeline", "--breakout-basis", "best"],
    ["detection", "--timeline", "--sq-definition", "kg"],
    ["detection", "--timeline", "--breakout-json", "missing.json"],
])
def test_bad_options_exit_1(cli, scenario, args):
    args = [str(scenario) if a == "SCEN" else a for a in args]
    code, _, err = cli(*args)
    assert code == 1 and "Traceback" not in err


def test_deep_nesting_and_unusable_report_path_are_refused(cli, scenario, tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "{ b = " * 30 + "1" + " }" * 30, encoding="utf-8")
    for args in (["detection", deep], ["detection", scenario, "--regime", deep]):
        code, _, err = cli(*args)
        assert code == 1 and "deep.toml" in err and "nested" in err
    code, _, err = cli("detection", scenario, "--report", tmp_path / "nowhere" / "x.html")
    assert code == 1 and "--report" in err


def test_dask_gives_the_local_figures(cli_json, scenario, local_cluster):
    """--dask runs the Monte Carlo chunks on a scheduler: the same figures as locally."""
    cluster, client = local_cluster

    def transitions(dask_scheduler):
        return dask_scheduler.transition_counter

    args = ("detection", scenario, "--method", "monte-carlo", "--samples", "6000", "--seed", "5")
    code, local, _ = cli_json(*args)
    assert code == 0
    before = client.run_on_scheduler(transitions)
    code, remote, _ = cli_json(*args, "--dask", cluster.scheduler_address)
    assert code == 0
    assert client.run_on_scheduler(transitions) > before          # it ran there
    for key in ("median_days", "p90_days", "observed_probability",
                "probability_before_completion", "probability_within_timeliness"):
        assert remote[key] == local[key], key
