"""`enrichwatch machines --catalog`: a rotor entry whose design feed eq. 10 cannot find is bad
input (exit 1, the file and the machine named), found when the machine is first used."""

ROTOR = """
[[machine]]
name = "Flat-1"
[machine.rating]
nominal_swu_per_yr = 5.0
low_swu_per_yr = 4.0
high_swu_per_yr = 6.5
source = "test fixture"
[machine.geometry]
length_m = 1.0
diameter_m = 0.15
speed_m_s = 485.0
flow_ratio = 1000.0
source = "test fixture"
"""


def test_a_rotor_without_a_design_feed_is_bad_input(tmp_path, cli, cli_json):
    path = tmp_path / "flat.toml"
    path.write_text(ROTOR)          # k = L/F = 1000: eq. 10's optimum leaves the feed search
    code, out, err = cli("machines", "--catalog", path)
    assert code == 1 and out == "" and "Traceback" not in err
    assert str(path) in err and "(Flat-1).geometry" in err and "design_feed_kg_per_yr" in err
    code, data, _ = cli_json("machines", "--catalog", path)
    assert code == 1 and data["error"]["type"] == "CatalogError"
    assert "(Flat-1)" in data["error"]["param"]


def test_the_same_rotor_with_a_stated_design_feed_is_listed(tmp_path, cli_json):
    path = tmp_path / "stated.toml"
    path.write_text(ROTOR.replace("flow_ratio = 1000.0\n",
                                  "flow_ratio = 1000.0\ndesign_feed_kg_per_yr = 300.0\n"))
    code, data, _ = cli_json("machines", "--catalog", path)
    assert code == 0
    assert [(m["name"], m["design_feed_kg_u_per_yr"]) for m in data["machines"]] == [
        ("Flat-1", 300.0)]
