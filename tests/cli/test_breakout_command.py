"""`enrichwatch breakout`: a state file, the Monte Carlo, the timeline, bad input."""

import json
from pathlib import Path

import pytest

from tests.cli.schema_helpers import validate_output

ROOT = Path(__file__).parents[2]
FEB_2023 = ROOT / "examples" / "breakout" / "feb-2023.toml"


def test_feb_2023_plan_with_uncertainty_and_report(cli, tmp_path):
    report = tmp_path / "breakout.html"
    code, out, _ = cli("breakout", FEB_2023, "--samples", "300", "--json",
                       "--report", report)
    assert code == 0
    data = json.loads(out)
    # ISIS: about 12 days for one SQ (domain.md section 6); within a factor 1.5
    assert 12 / 1.5 <= data["days_to_first_sq"] <= 12 * 1.5
    assert data["days_to_first_sq"] >= data["lower_bound"]["days"]
    q = data["uncertainty"]["percentiles_days"]
    assert q["p5"] <= q["p50"] <= q["p95"]
    assert data["schedule"] and data["assumptions"]
    html = report.read_text()
    assert html.count("<svg") == 2 and "Uncertainty" in html


def test_table_output(cli):
    code, out, _ = cli("breakout", FEB_2023, "--model", "as-built")
    assert code == 0 and "days to 1 SQ" in out and "Assumptions" in out
    assert "first" not in out.split("Assumptions")[0]          # one target, said once


def test_timeline_over_a_short_window(cli, tmp_path):
    report = tmp_path / "timeline.html"
    code, out, _ = cli("breakout", "--timeline", "--since", "2023-01", "--until",
                       "2023-06", "--json", "--report", report)
    assert code == 0
    data = json.loads(out)
    validate_output("breakout-timeline", data)           # full rows (the schema test: a gap)
    rows = data["rows"]
    assert [r["date"] for r in rows] == ["2023-02-28", "2023-05-31"]
    for r in rows:
        assert r["days_to_one_sq"]["repiped"] >= r["lower_bound_days"]
        assert r["all_capacity"]["days"] >= r["ideal_bound_days"]
        assert r["all_capacity"]["assumptions"]
    assert rows[0]["analyst"]["days"] >= rows[0]["all_capacity"]["days"]
    assert rows[1]["analyst"] is None                   # no published estimate's assumptions
    assert data["sq_definition"] == "iaea" and "25 kg U-235" in data["sq_statement"]
    assert "<svg" in report.read_text()


def test_sq_definition_is_stated(cli):
    code, out, _ = cli("breakout", FEB_2023, "--sq-definition", "90pct", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["sq_definition"] == "90pct" and data["sq_u235_kg"] == 22.5
    assert "90 % uranium" in data["sq_statement"]
    code, out, _ = cli("breakout", FEB_2023)
    assert code == 0 and "SQ definition" in out


@pytest.mark.parametrize("args, needle", [
    ([], "--timeline"),
    (["--timeline", FEB_2023], "--timeline"),
    ([FEB_2023, "--samples", "-5"], "--samples"),
    ([FEB_2023, "--model", "magic"], "model"),
    ([FEB_2023, "--sq-definition", "85pct"], "--sq-definition"),
    ([FEB_2023, "--scenarios", FEB_2023], "--scenarios"),
])
def test_bad_options_exit_1(cli, args, needle):
    code, _, err = cli("breakout", *args)
    assert code == 1 and needle in err and "Traceback" not in err


def test_bad_state_file_lists_its_problems(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(FEB_2023.read_text().replace('machine = "IR-6"', 'machine = "IR-9"', 1)
                   .replace("assay_pct = 60.0", "assay_pct = 160.0", 1))
    code, _, err = cli("breakout", bad)
    assert code == 1 and "IR-9" in err and "160" in err and "bad.toml" in err
    assert "Traceback" not in err


def test_timeline_text_states_the_up_to_5_pct_range():
    """Under the table, each row with an up-to-5 % stock says at which assay it is fed, the
    range the category allows, and the days at each end per scenario (as in --json)."""
    from enrichwatch.cli.breakout import _leu_line

    ends = {"low_wt_pct": 2.0, "nominal_wt_pct": 4.5, "high_wt_pct": 5.0, "source": "s",
            "days_at_low": 203.0, "days_at_high": 59.27}
    row = {"leu_assay_wt_pct": {"low": 2.0, "nominal": 4.5, "high": 5.0, "source": "s"},
           "analyst": None, "all_capacity": {"leu_assay_range": ends}}
    assert _leu_line(row) == ("up to 5 % taken at 4.5 % (the category allows 2–5 %): "
                              "all-capacity 203 d at 2 %, 59.3 d at 5 %")
    unreachable = {**ends, "days_at_low": None}
    row["analyst"] = {"leu_assay_range": unreachable}
    assert "analyst not reachable at 2 %, 59.3 d at 5 %; all-capacity 203 d" in _leu_line(row)
    assert _leu_line({"leu_assay_wt_pct": None}) == ""
