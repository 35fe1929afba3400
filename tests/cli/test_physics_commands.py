"""`enrichwatch swu`, `ideal` and `machines`: JSON output, tables, exit codes."""

import json

import pytest

from tests.cli.schema_helpers import validate_output


def test_swu_issue_example(cli_json):
    code, data, _ = cli_json("swu", "--feed", "0.711", "--product", "90", "--tails",
                             "0.3", "--product-kg", "1")
    assert code == 0
    assert data["product_kg"] == pytest.approx(1.0)
    # 25 kg of 90 % needs 4823.44 kg-SWU and 5456.204 kg feed (vector bin-25kg-wgu-grid)
    assert data["swu_kg"] * 25 == pytest.approx(4823.44, rel=1e-6)
    assert data["feed_kg"] * 25 == pytest.approx(5456.204, rel=1e-6)
    assert data["tails_kg"] == pytest.approx(data["feed_kg"] - 1.0, rel=1e-12)


def test_swu_solves_tails_and_optimises(cli_json):
    code, data, _ = cli_json("swu", "--feed", "0.711", "--product", "90", "--feed-kg",
                             "5456.204", "--product-kg", "25")
    assert code == 0 and data["tails_assay_wt_pct"] == pytest.approx(0.3, rel=1e-6)
    code, data, _ = cli_json("swu", "--feed", "0.711", "--product", "5",
                             "--optimal-tails", "--feed-price", "100", "--swu-price", "150",
                             "--product-kg", "1")
    assert code == 0 and data["tails_assay_optimised"]
    assert 0.25 < data["tails_assay_wt_pct"] < 0.3


def test_swu_table_output(cli):
    code, out, _ = cli("swu", "--feed", "0.711", "--product", "3.5", "--tails", "0.3",
                       "--product-kg", "1")
    assert code == 0
    assert "4.33943 kg-SWU" in out and "7.78589" in out


def test_swu_says_which_values_it_solved(cli, cli_json):
    args = ("swu", "--feed", "0.711", "--product", "5", "--feed-kg", "100", "--product-kg", "10")
    code, data, _ = cli_json(*args)
    assert code == 0
    assert sorted(data["solved"]) == ["swu_kg", "tails_assay_wt_pct", "tails_kg"]
    code, out, _ = cli(*args)
    assert "* = solved" in out and "90*" in out and "100*" not in out


def test_optimal_tails_prints_the_cost_and_its_units(cli, cli_json):
    args = ("swu", "--feed", "0.711", "--product", "5", "--optimal-tails", "--feed-price", "100",
            "--swu-price", "150", "--product-kg", "1")
    code, data, _ = cli_json(*args)
    cost = data["cost"]
    assert cost["feed"] == pytest.approx(data["feed_kg"] * 100)
    assert cost["swu"] == pytest.approx(data["swu_kg"] * 150)
    assert cost["total"] == pytest.approx(cost["feed"] + cost["swu"])
    code, out, _ = cli(*args)
    flat = " ".join(out.split())
    assert "per kg U of feed" in flat and "per kg-SWU" in flat and f"{cost['total']:.6g}" in flat


def test_ideal_in_atom_basis_shows_atom_percent_and_a_readable_law(cli, cli_json):
    args = ("ideal", "--feed", "U234=0.0055,U235=0.711,U238=99.2835", "--basis", "atom",
            "--product", "90", "--tails", "0.1", "--alpha-per-mass", "1.05", "--feed-kg", "100")
    code, data, _ = cli_json(*args)
    assert data["basis"] == "atom"
    assert data["law"] == {"kind": "per-unit-mass", "alpha_per_mass": 1.05,
                           "m_star_g_per_mol": pytest.approx(data["m_star"]),
                           "m_star_optimised": True}
    code, out, _ = cli(*args)
    assert "U235 (at%)" in out and "U235 (wt%)" in out
    assert f"{data['product']['atom_pct']['U235']:.6g}" in out
    assert "PerUnitMass(" not in out and "optimised for least total flow" in out


def test_ideal_issue_example(cli_json):
    code, data, _ = cli_json("ideal", "--feed", "U234=0.0055,U235=0.711,U238=99.2835",
                             "--basis", "atom", "--product", "90", "--tails", "0.1",
                             "--gamma-235", "1.3", "--feed-kg", "100")
    assert code == 0
    # marc-miso-integer-stages: 56 enriching and 14 stripping stages
    assert (data["n_enriching"], data["n_stripping"]) == (56, 14)
    assert data["product"]["atom_pct"]["U235"] == pytest.approx(91.020719, abs=1e-3)
    assert data["swu_kg"] > 0 and data["total_flow_per_feed"] > 0
    assert data["feed_kg"] == pytest.approx(data["product_kg"] + data["tails_kg"], rel=1e-12)


def test_ideal_per_unit_mass(cli_json):
    code, data, _ = cli_json("ideal", "--feed", "U234=0.0055,U235=0.72,U238=99.2745",
                             "--basis", "mass", "--product", "5", "--tails", "0.25",
                             "--alpha-per-mass", "1.05", "--mstar", "236.5", "--real-stages")
    assert code == 0
    assert data["m_star"] == pytest.approx(236.5)
    assert data["product"]["mass_pct"]["U235"] == pytest.approx(5.0, rel=1e-6)
    code, free, _ = cli_json("ideal", "--feed", "U234=0.0055,U235=0.72,U238=99.2745",
                             "--product", "5", "--tails", "0.25", "--alpha-per-mass", "1.05",
                             "--real-stages")
    assert code == 0 and free["total_flow_per_feed"] <= data["total_flow_per_feed"] * (1 + 1e-9)


def test_machines_lists_sources_and_ranges(cli, cli_json):
    code, data, _ = cli_json("machines")
    assert code == 0
    names = {m["name"] for m in data["machines"]}
    assert {"IR-1", "IR-2m", "IR-4", "IR-6", "IR-8", "P-1", "P-2"} <= names
    for m in data["machines"]:
        low, high = m["swu_range_per_yr"]
        assert low <= m["swu_per_yr"] <= high and m["source"]
    code, out, _ = cli("machines")
    assert code == 0 and "IR-6" in out and "Sources" in out


def test_machines_sources_wrap_under_their_indent_at_80_columns(cli, monkeypatch):
    """Each source's continuation lines stay indented under it, not at the margin."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("machines")
    assert code == 0
    lines = out.splitlines()
    sources = lines[next(i for i, line in enumerate(lines) if line.startswith("Sources")) + 1:]
    assert len(sources) > 7                                # the sources wrap at 80 columns
    assert all(line.startswith("  ") for line in sources if line.strip())
    starts = [line for line in sources if line.startswith("  IR-6:")]
    assert len(starts) == 1


@pytest.mark.parametrize("args, needle", [
    (["swu", "--feed", "0.711", "--product", "90", "--tails", "1", "--product-kg", "1"], "tails"),
    (["swu", "--feed", "0.711", "--product", "120", "--tails", "0.3", "--product-kg", "1"],
     "product"),
    (["swu", "--feed", "0.711", "--product", "90", "--tails", "0.3", "--product-kg", "-1"],
     "--product-kg"),
    (["swu", "--feed", "0.711", "--product", "90", "--tails", "0.3"], "--swu-kg with --tails"),
    (["ideal", "--feed", "U235=0.711,U237=99.289", "--product", "90", "--tails", "0.1",
      "--gamma-235", "1.3"], "U237"),
    (["ideal", "--feed", "U235=0.711,U238", "--product", "90", "--tails", "0.1",
      "--gamma-235", "1.3"], "--feed"),
    (["ideal", "--feed", "U235=0.711,U238=99.289", "--product", "90", "--tails", "0.1"],
     "--gamma-235"),
    (["machines", "--catalog", "/nonexistent/catalog.toml"], "catalog"),
])
def test_bad_input_exits_1_with_a_message(cli, args, needle):
    code, out, err = cli(*args)
    assert code == 1
    assert needle in err and "Traceback" not in err + out
    code, out, _ = cli(*args, "--json")
    assert code == 1 and needle in json.loads(out)["error"]["message"]


def test_unknown_option_exits_1(cli):
    code, _, err = cli("swu", "--feed", "0.711", "--bogus")
    assert code == 1 and "bogus" in err


def test_console_script_runs_and_help_works(cli_process):
    done = cli_process("--help")
    assert done.returncode == 0 and "swu" in done.stdout and "machines" in done.stdout


def test_ideal_says_whole_stages_miss_the_targets_asked(cli, cli_json):
    """Whole stages overshoot: the output gives the U-235 assays asked and obtained, in the
    basis asked, and says why; --real-stages meets them."""
    args = ("ideal", "--feed", "U234=0.0055,U235=0.711,U238=99.2835", "--basis", "atom",
            "--product", "90", "--tails", "0.1", "--gamma-235", "1.3", "--feed-kg", "100")
    code, data, _ = cli_json(*args)
    assert code == 0
    validate_output("ideal", data)
    t = data["targets"]
    assert t["basis"] == "atom" and t["whole_stages"] is True
    assert t["product_u235_pct"] == {"asked": 90.0,
                                     "obtained": data["product"]["atom_pct"]["U235"]}
    assert t["tails_u235_pct"] == {"asked": 0.1, "obtained": data["tails"]["atom_pct"]["U235"]}
    assert t["product_u235_pct"]["obtained"] > 91.0 and "whole number of stages" in t["note"]
    code, out, _ = cli(*args)
    flat = " ".join(out.split())
    assert "whole number of stages" in flat and "(asked 90)" in flat
    assert f"product {t['product_u235_pct']['obtained']:.6g} at% U-235" in flat
    code, real, _ = cli_json(*args, "--real-stages")
    assert code == 0 and real["targets"]["whole_stages"] is False
    assert real["targets"]["product_u235_pct"]["obtained"] == pytest.approx(90.0, rel=1e-6)


def test_ideal_mass_basis_targets_are_in_weight_percent(cli_json):
    code, data, _ = cli_json("ideal", "--feed", "U234=0.0055,U235=0.72,U238=99.2745",
                             "--basis", "mass", "--product", "5", "--tails", "0.25",
                             "--alpha-per-mass", "1.05")
    assert code == 0
    t = data["targets"]
    assert t["basis"] == "mass" and t["product_u235_pct"]["asked"] == 5.0
    assert t["product_u235_pct"]["obtained"] == pytest.approx(
        data["product"]["mass_pct"]["U235"], rel=1e-12)
    assert t["product_u235_pct"]["obtained"] != pytest.approx(5.0, rel=1e-3)
