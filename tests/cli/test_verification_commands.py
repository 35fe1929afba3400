"""`enrichwatch sampling ...` and `enrichwatch game ...`: the reference vectors through the
command line, tables, and exit 1 naming the option for bad input."""

import json

import pytest

from tests.accountancy.verification_vectors import PRINTED_12_DECIMALS, VECTORS


@pytest.mark.parametrize("case", VECTORS["SG-ATTR-001"]["expected"]["results"],
                         ids=lambda c: f"N{c['N']}-M{c['M']}-beta{c['beta']}")
def test_attribute_plan_reproduces_sg_attr_001(cli_json, case):
    """SG-ATTR-001 through the CLI: the user gives the detection probability 1 - beta."""
    dp = f"{1 - case['beta']:.10g}"                    # as a user types it: 0.9, 0.95, 0.2
    code, data, err = cli_json("sampling", "attribute", "--population", case["N"], "--defects",
                               case["M"], "--detection-probability", dp)
    assert code == 0, err
    assert (data["n_iaea"], data["n_exact"]) == (case["n_iaea"], case["n_exact"])
    assert data["nondetection_at_n_exact"] == pytest.approx(case["nondet_at_n_exact"],
                                                            abs=PRINTED_12_DECIMALS)


def test_attribute_plan_from_goal_and_given_sample(cli, cli_json):
    code, data, _ = cli_json("sampling", "attribute", "--population", 400, "--goal-kg", 25,
                             "--item-kg", 2.5, "--sample-size", 82)
    assert code == 0 and data["defects"] == 10 and data["n_exact"] == 82
    assert data["given_sample"]["detection_probability"] == pytest.approx(1 - 0.097913554436,
                                                                          abs=1e-12)
    code, data, _ = cli_json("sampling", "attribute", "--population", 99, "--goal-kg", 25,
                             "--item-kg", 2.5, "--defect", "partial", "--defect-fraction", 0.1)
    assert code == 0 and data["reachable"] is False and data["n_exact"] == 0
    code, out, _ = cli("sampling", "attribute", "--population", 200, "--defects", 10,
                       "--detection-probability", 0.95)
    assert code == 0 and "51.7731" in out and "95.14 %" in out


def test_d_statistic_reproduces_sg_dstat_001(cli_json):
    i, e = VECTORS["SG-DSTAT-001"]["inputs"], VECTORS["SG-DSTAT-001"]["expected"]
    code, data, _ = cli_json("sampling", "d-statistic", "--population", i["N"],
                             "--declared", ",".join(map(str, i["operator"])),
                             "--measured", ",".join(map(str, i["inspector"])),
                             "--rsd-random", i["rsd_r"], "--rsd-systematic", i["rsd_s"])
    assert code == 0
    assert data["d"] == pytest.approx(e["D"], abs=1e-9)
    assert data["variance"] == pytest.approx(e["var_D"], abs=1e-9)
    assert data["sd"] == pytest.approx(e["sd_D"], abs=1e-9) and data["alarm"] is False


def test_variables_and_muf_d(cli, cli_json):
    code, data, _ = cli_json("sampling", "variables", "--population", 500, "--item-kg", 1.5,
                             "--goal-kg", 25, "--rsd-random", 0.05, "--rsd-systematic", 0.01)
    assert code == 0 and data["sample_size"] == 85 and data["detection_probability"] >= 0.9
    code, data, _ = cli_json("sampling", "variables", "--population", 500, "--item-kg", 1.5,
                             "--goal-kg", 25, "--rsd-random", 0.05, "--rsd-systematic", 0.02)
    assert code == 0 and data["sample_size"] is None
    code, data, _ = cli_json("sampling", "muf-d", "--muf", 0, "--sigma-muf", 10, "--d", 40,
                             "--sigma-d", 8, "--sign", -1, "--loss-kg", 40)
    assert code == 0 and data["muf_d"] == 40.0 and data["alarm"] is True
    assert data["sd"] == pytest.approx(164 ** 0.5) and 0.9 < data["detection_probability"] < 1
    code, out, _ = cli("sampling", "muf-d", "--muf", 3, "--sigma-muf", 10)
    assert code == 0 and "MUF-D" in out


def test_inspection_game_reproduces_sg_game_002(cli, cli_json):
    i, e = VECTORS["SG-GAME-002"]["inputs"], VECTORS["SG-GAME-002"]["expected"]
    args = ("game", "inspection", "--gain", i["d"], "--sanction", i["b"], "--inspection-cost",
            i["e"], "--undetected-loss", i["c"], "--detected-loss", i["a"])
    code, data, _ = cli_json(*args)
    assert code == 0
    for key in ("inspection_probability", "violation_probability",
                "critical_detection_probability"):
        assert data[key] == pytest.approx(e[key], abs=1e-12)
    code, out, _ = cli(*args)
    assert code == 0 and "10 %" in out


def test_zero_sum_and_bimatrix(cli_json):
    code, data, _ = cli_json("game", "zero-sum", "--matrix", "3,-1;-2,1")
    assert code == 0 and data["value"] == pytest.approx(1 / 7)
    assert data["row_strategy"] == pytest.approx([3 / 7, 4 / 7])
    code, data, _ = cli_json("game", "bimatrix", "--row-payoffs", "3,0;0,2",
                             "--column-payoffs", "2,0;0,3")
    assert code == 0 and len(data["equilibria"]) == 3


@pytest.mark.parametrize("args, option", [
    (["sampling", "attribute", "--population", "0", "--defects", "1"], "--population"),
    (["sampling", "attribute", "--population", "10", "--defects", "11"], "--defects"),
    (["sampling", "attribute", "--population", "10", "--defects", "1",
      "--detection-probability", "1.5"], "--detection-probability"),
    (["sampling", "attribute", "--population", "10"], "--defects"),
    (["sampling", "attribute", "--population", "10", "--goal-kg", "-25", "--item-kg", "1"],
     "--goal-kg"),
    (["sampling", "attribute", "--population", "10", "--goal-kg", "25", "--item-kg", "1",
      "--defect", "partial"], "--defect-fraction"),
    (["sampling", "attribute", "--population", "10", "--goal-kg", "25", "--item-kg", "1",
      "--defect", "sideways"], "--defect"),
    (["sampling", "attribute", "--population", "10", "--defects", "2", "--defect-fraction",
      "0.5"], "--defect-fraction"),
    (["sampling", "attribute", "--population", "10", "--defects", "2", "--item-detection",
      "-0.1"], "--item-detection"),
    (["sampling", "attribute", "--population", "10", "--defects", "2", "--sample-size", "11"],
     "--sample-size"),
    (["sampling", "variables", "--population", "10", "--item-kg", "1", "--goal-kg", "1",
      "--rsd-random", "1.2"], "--rsd-random"),
    (["sampling", "variables", "--population", "10", "--item-kg", "-1", "--goal-kg", "1",
      "--rsd-random", "0.1"], "--item-kg"),
    (["sampling", "variables", "--population", "10", "--item-kg", "1", "--goal-kg", "1",
      "--rsd-random", "0.1", "--false-alarm", "0"], "--false-alarm"),
    (["sampling", "d-statistic", "--population", "3", "--declared", "1,2,x", "--measured",
      "1,2,3", "--rsd-random", "0.01"], "--declared"),
    (["sampling", "d-statistic", "--population", "3", "--declared", "1,-2,3", "--measured",
      "1,2,3", "--rsd-random", "0.01"], "--declared"),
    (["sampling", "d-statistic", "--population", "2", "--declared", "1,2,3", "--measured",
      "1,2,3", "--rsd-random", "0.01"], "--population"),
    (["sampling", "muf-d", "--muf", "0", "--sigma-muf", "10", "--d", "40", "--sigma-d", "8"],
     "--sign"),
    (["sampling", "muf-d", "--muf", "0", "--sigma-muf", "-1"], "--sigma-muf"),
    (["sampling", "muf-d", "--muf", "0", "--sigma-muf", "10", "--d", "40", "--sigma-d", "-8",
      "--sign", "1"], "--sigma-d"),
    (["game", "inspection", "--gain", "-1", "--sanction", "9", "--inspection-cost", "1",
      "--undetected-loss", "10"], "--gain"),
    (["game", "inspection", "--gain", "1", "--sanction", "9", "--inspection-cost", "1",
      "--undetected-loss", "10", "--detected-loss", "12"], "--detected-loss"),
    (["game", "inspection", "--gain", "1", "--sanction", "9", "--inspection-cost", "1",
      "--undetected-loss", "10", "--detection-probability", "2"], "--detection-probability"),
    (["game", "zero-sum", "--matrix", "1,2;3"], "--matrix"),
    (["game", "zero-sum", "--matrix", "1,nan"], "--matrix"),
    (["game", "bimatrix", "--row-payoffs", "1,2", "--column-payoffs", "1;2"],
     "--column-payoffs"),
])
def test_bad_options_exit_1_naming_the_option(cli, args, option):
    code, out, err = cli(*args, "--json")
    assert code == 1 and "Traceback" not in err
    error = json.loads(out)["error"]
    assert error["param"].startswith(option) and option in err
