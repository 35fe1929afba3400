"""`swu` and `ideal` take assays in percent (weight or atom, --basis): an assay on the wrong side
of the feed's, or beyond what the cascade reaches, is worded in the percent and basis typed, never
in the library's fractions ("below the feed's 0.00711")."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FEED = "U234=0.0055,U235=0.711,U238=99.2835"
LAW = ("--gamma-235", "1.3")
FRACTION = re.compile(r"\bfraction\b|0\.00711")


def _error(cli, *args) -> str:
    code, out, err = cli(*args)
    assert code == 1, (out, err)
    message = err.split("error:", 1)[1]
    assert not FRACTION.search(message), message
    return " ".join(message.split())


def swu(cli, *args):
    return _error(cli, "swu", "--product-kg", "1", *args)


def ideal(cli, *args):
    return _error(cli, "ideal", *LAW, *args)


# -- swu -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("basis", "unit"), [("mass", "wt%"), ("atom", "atom %")])
def test_swu_tails_above_the_feed(cli, basis, unit):
    message = swu(cli, "--feed", "0.711", "--product", "90", "--tails", "0.8", "--basis", basis)
    assert message == f"--tails = 0.8 {unit}: must be below the feed assay 0.711 {unit}"


@pytest.mark.parametrize(("basis", "unit"), [("mass", "wt%"), ("atom", "atom %")])
def test_swu_product_below_the_feed(cli, basis, unit):
    message = swu(cli, "--feed", "0.711", "--product", "0.5", "--tails", "0.3", "--basis", basis)
    assert message == f"--product = 0.5 {unit}: must be above the feed assay 0.711 {unit}"


def test_swu_feed_above_the_product_names_the_feed_as_typed(cli):
    message = swu(cli, "--feed", "95", "--product", "90", "--tails", "0.3")
    assert message == "--product = 90 wt%: must be above the feed assay 95 wt%"


@pytest.mark.parametrize("option", ["--feed", "--product", "--tails"])
@pytest.mark.parametrize("value", ["0", "100", "-1"])
def test_swu_assay_outside_0_100_is_a_percent(cli, option, value):
    args = {"--feed": "0.711", "--product": "90", "--tails": "0.3"} | {option: value}
    message = swu(cli, *[x for kv in args.items() for x in kv])
    assert message.startswith(f"{option} = ") and "percent" in message


def test_swu_json_error_carries_the_typed_value_and_the_percent_bound(cli):
    import json

    code, out, _ = cli("swu", "--feed", "0.711", "--product", "90", "--tails", "0.8",
                       "--product-kg", "1", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert (error["param"], error["value"]) == ("--tails", 0.8)
    assert error["allowed"] == "an assay below the feed assay 0.711 wt%"
    assert error["message"] == "--tails = 0.8 wt%: must be below the feed assay 0.711 wt%"


# capsys is read (and so emptied) once per example
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feed=st.floats(0.2, 20.0), over=st.floats(0.0, 5.0),
       basis=st.sampled_from(["mass", "atom"]))
def test_swu_any_tails_not_below_the_feed_is_worded_as_typed(capsys, feed, over, basis):
    from enrichwatch.cli import main

    tails = feed + over
    code = main(["swu", "--feed", repr(feed), "--product", "90", "--tails", repr(tails),
                 "--product-kg", "1", "--basis", basis])
    err = " ".join(capsys.readouterr().err.split())
    unit = "wt%" if basis == "mass" else "atom %"
    assert code == 1
    assert f"--tails = {tails:g} {unit}: must be below the feed assay {feed:g} {unit}" in err


# -- ideal ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("basis", "unit"), [("mass", "wt%"), ("atom", "atom %")])
def test_ideal_tails_above_the_feed(cli, basis, unit):
    message = ideal(cli, "--feed", FEED, "--product", "90", "--tails", "0.8", "--basis", basis)
    assert message == f"--tails = 0.8 {unit}: must be below the feed assay 0.711 {unit}"


@pytest.mark.parametrize(("basis", "unit"), [("mass", "wt%"), ("atom", "atom %")])
def test_ideal_product_below_the_feed(cli, basis, unit):
    message = ideal(cli, "--feed", FEED, "--product", "0.5", "--tails", "0.3", "--basis", basis)
    assert message == f"--product = 0.5 {unit}: must be above the feed assay 0.711 {unit}"


def test_ideal_feed_assay_is_the_feed_options_u235(cli):
    message = ideal(cli, "--feed", "U235=2,U238=98", "--product", "1.5", "--tails", "0.3")
    assert message == "--product = 1.5 wt%: must be above the feed assay 2 wt%"


@pytest.mark.parametrize(("basis", "unit"), [("mass", "wt%"), ("atom", "atom %")])
def test_ideal_product_beyond_reach_is_a_percent_and_names_the_option(cli, basis, unit):
    message = ideal(cli, "--feed", FEED, "--product", "99.99", "--tails", "0.3",
                    "--basis", basis)
    most = re.search(rf"must be at most ([0-9.]+) {re.escape(unit)}, the most", message)
    assert message.startswith(f"--product = 99.99 {unit}: ") and most, message
    assert 90 < float(most.group(1)) < 99.99
    assert "use --real-stages" in message and "integer_stages" not in message


@pytest.mark.parametrize("option", ["--product", "--tails"])
def test_ideal_assay_outside_0_100_is_a_percent(cli, option):
    args = {"--product": "90", "--tails": "0.3"} | {option: "100"}
    message = ideal(cli, "--feed", FEED, *[x for kv in args.items() for x in kv])
    assert message.startswith(f"{option} = ") and "percent" in message


def test_ideal_feed_option_error_names_the_option(cli):
    message = ideal(cli, "--feed", "U235=0,U238=100", "--product", "90", "--tails", "0.3")
    assert message.startswith("--feed = 'U235=0,U238=100' is not allowed"), message
    assert "U-235 and U-238 both above 0" in message
