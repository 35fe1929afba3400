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


# -- every bound, both bases, from the bound the library error carries (never its words) ---------

UNITS = {"mass": "wt%", "atom": "atom %"}
NUMBER = r"([0-9.]+(?:e[+-]?[0-9]+)?)"


def _main_error(capsys, args) -> str:
    from enrichwatch.cli import main

    code = main([str(a) for a in args])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1, err
    message = err.split("error:", 1)[1].strip()
    assert not FRACTION.search(message), message
    return message


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feed=st.floats(0.2, 20.0), share=st.floats(0.0, 0.95),
       side=st.sampled_from(["product", "tails"]), basis=st.sampled_from(["mass", "atom"]))
def test_swu_any_assay_on_the_wrong_side_is_worded_as_typed(capsys, feed, share, side, basis):
    product, tails = ((feed * (1 - share), feed / 2) if side == "product"
                      else (90.0, feed + share * (90.0 - feed)))
    message = _main_error(capsys, ["swu", "--feed", repr(feed), "--product", repr(product),
                                   "--tails", repr(tails), "--product-kg", "1", "--basis", basis])
    value, where = (product, "above") if side == "product" else (tails, "below")
    unit = UNITS[basis]
    assert message == (f"--{side} = {value:g} {unit}: must be {where} the feed assay {feed:g} "
                       f"{unit}")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(u234=st.floats(0.002, 0.05), u235=st.floats(0.2, 10.0), share=st.floats(0.0, 0.95),
       case=st.sampled_from(["product", "tails", "reach"]), basis=st.sampled_from(["mass", "atom"]))
def test_ideal_any_target_out_of_bounds_is_worded_as_typed(capsys, u234, u235, share, case,
                                                           basis):
    """Product below the feed, tails above it, product beyond reach: in the percent and basis
    typed, the feed's U-235 read on that basis from the --feed composition."""
    from enrichwatch.composition import Composition

    feed_text = f"U234={u234!r},U235={u235!r},U238={100 - u234 - u235!r}"
    build = Composition.from_mass_percent if basis == "mass" else Composition.from_atom_percent
    feed = 100 * build({"U234": u234, "U235": u235, "U238": 100 - u234 - u235}).fraction(
        "U235", basis)
    product, tails = {"product": (feed * (1 - 1e-9) * (1 - share), feed / 2),
                      "tails": (90.0, feed * (1 + 1e-9) + share * (90.0 - feed)),
                      "reach": (99.9999, feed / 2)}[case]
    message = _main_error(capsys, ["ideal", *LAW, "--feed", feed_text, "--product", repr(product),
                                   "--tails", repr(tails), "--basis", basis])
    unit = re.escape(UNITS[basis])
    option, value = ("--tails", tails) if case == "tails" else ("--product", product)
    head = rf"{option} = {re.escape(f'{value:g}')} {unit}: must be "
    if case == "reach":
        shown = re.fullmatch(head + rf"at most {NUMBER} {unit}, the most .*; use --real-stages",
                             message)
        assert shown and float(shown.group(1)) < product, message
    else:
        where = "above" if case == "product" else "below"
        shown = re.fullmatch(head + rf"{where} the feed assay {NUMBER} {unit}", message)
        assert shown and float(shown.group(1)) == pytest.approx(feed, rel=1e-5), message


def _raising(error):
    def check(*_args, **_kwargs):
        raise error

    return check


def test_a_reworded_library_message_still_reads_as_typed(cli, monkeypatch):
    """The CLI reads the bound the error carries, not its words: a library message worded
    anew keeps the translation (the regexes this replaced would have dropped it)."""
    from enrichwatch.errors import AssayBound, AssayError
    from enrichwatch.physics import ideal as ideal_module
    from enrichwatch.physics import swu as swu_module

    monkeypatch.setattr(swu_module, "_check_order", _raising(AssayError(
        "tails", 0.009, "a tails U-235 share under that of the feed (0.00711)",
        bound=AssayBound("below feed", 0.00711, "mass"))))
    message = swu(cli, "--feed", "0.711", "--product", "90", "--tails", "0.9")
    assert message == "--tails = 0.9 wt%: must be below the feed assay 0.711 wt%"
    monkeypatch.setattr(ideal_module, "_check_targets", _raising(AssayError(
        "product", None, "something else entirely",
        bound=AssayBound("at most", 0.95, "atom", why="as far as this cascade goes"))))
    message = ideal(cli, "--feed", FEED, "--product", "97", "--tails", "0.3", "--basis", "atom")
    assert message == ("--product = 97 atom %: must be at most 95 atom %, as far as this cascade "
                       "goes; use --real-stages")
    message = ideal(cli, "--feed", FEED, "--product", "97", "--tails", "0.3", "--basis", "atom",
                    "--real-stages")
    assert message == ("--product = 97 atom %: must be at most 95 atom %, as far as this cascade "
                       "goes")


def test_swu_converts_a_bound_on_the_other_basis_as_u235_u238(cli, monkeypatch):
    from enrichwatch.composition import Assay
    from enrichwatch.errors import AssayBound, AssayError
    from enrichwatch.physics import swu as swu_module

    monkeypatch.setattr(swu_module, "_check_order", _raising(AssayError(
        "product", 0.95, "words", bound=AssayBound("at most", 0.9, "mass"))))
    message = swu(cli, "--feed", "0.711", "--product", "95", "--tails", "0.3", "--basis", "atom")
    most = Assay.from_weight_percent(90.0).atom_percent
    assert message == f"--product = 95 atom %: must be at most {most:.6g} atom %"


def test_a_bound_the_cli_cannot_convert_keeps_the_librarys_words(cli, monkeypatch):
    """A multi-isotope bound on the other basis needs the stream's other isotopes: the message
    is then the library's, still under the option typed (never a traceback)."""
    from enrichwatch.errors import AssayBound, AssayError
    from enrichwatch.physics import ideal as ideal_module

    monkeypatch.setattr(ideal_module, "_check_targets", _raising(AssayError(
        "product", 0.5, "a U-235 mass share above the feed's",
        bound=AssayBound("above feed", 0.00711, "mass"))))
    code, _, err = cli("ideal", *LAW, "--feed", FEED, "--product", "0.5", "--tails", "0.3",
                       "--basis", "atom")
    assert code == 1
    assert "--product = 0.5 is not allowed: expected a U-235 mass share above the feed's" in err
