"""Units at the API edge (issue 8): pint quantities converted, never stripped; wrong types and
wrong dimensions raise a TypeError naming the parameter.

Tolerances: a quantity converted by pint may differ from the plain number in the last bits
(25000 g / 1000), so results are compared with rel=1e-12; plain numbers pass through untouched
and compare exactly.
"""

import functools
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.composition import (
    Assay,
    Composition,
    kg_u_to_kg_uf6,
    kg_uf6_to_kg_u,
    require_assay,
    require_composition,
)
from enrichwatch.constants import MONTHS_PER_YEAR, SECONDS_PER_YEAR
from enrichwatch.errors import EnrichwatchError, InputTypeError, UnitError
from enrichwatch.physics.swu import enrich, optimal_tails, reachable_product, value_function
from enrichwatch.units import as_float, as_magnitude, in_common_unit, is_quantity

W = Assay.from_weight_percent
FEED, PRODUCT, TAILS = W(0.711), W(90.0), W(0.3)
NAT = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})


@functools.cache
def _ureg():
    """A pint registry (built once), or a clean skip when pint (optional) is missing."""
    return pytest.importorskip("pint").UnitRegistry()


def _same(a, b, rel=1e-12):
    for key in ("feed_kg", "product_kg", "tails_kg", "swu_kg"):
        assert getattr(a, key) == pytest.approx(getattr(b, key), rel=rel), key


# -- plain numbers: unchanged ------------------------------------------------------------------
def test_plain_numbers_and_arrays_pass_through_untouched():
    arr = np.array([1.0, 2.0])
    assert as_magnitude(arr, "feed_kg") is arr
    assert as_magnitude(25.0, "product_kg") == 25.0
    assert as_magnitude(None, "product_kg") is None
    assert as_magnitude([1.0, 2.0], "feed_kg") == [1.0, 2.0]
    assert not is_quantity(25.0) and not is_quantity(arr)


def test_pint_is_not_imported_for_plain_input():
    code = ("import sys\n"
            "from enrichwatch.composition import Assay\n"
            "from enrichwatch.physics.swu import enrich\n"
            "w = Assay.from_weight_percent\n"
            "enrich(w(0.711), w(90.0), w(0.3), product_kg=25.0)\n"
            "assert 'pint' not in sys.modules, 'pint imported for a plain float'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- masses -----------------------------------------------------------------------------------
def test_25000_g_is_25_kg_not_25000_kg():
    ureg = _ureg()
    plain = enrich(FEED, PRODUCT, TAILS, product_kg=25.0)
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=25000 * ureg.g), plain)
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=25 * ureg.kg), plain)
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=0.025 * ureg.t), plain)


@settings(deadline=None)          # no timed assertions: pint builds its registry on first use
@given(st.floats(1e-6, 1e9))
def test_kg_and_gram_quantities_equal_the_plain_mass(m):
    ureg = _ureg()
    plain = enrich(FEED, PRODUCT, TAILS, product_kg=m)
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=m * ureg.kg), plain, rel=0.0)
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=(1000 * m) * ureg.g), plain)


def test_every_amount_of_enrich_converts_and_arrays_of_quantities_too():
    ureg = _ureg()
    plain = enrich(FEED, PRODUCT, feed_kg=5456.204, product_kg=25.0)
    got = enrich(FEED, PRODUCT, feed_kg=5.456204 * ureg.t, product_kg=25000.0 * ureg.g)
    _same(got, plain)
    assert got.tails.weight_percent == pytest.approx(plain.tails.weight_percent, rel=1e-12)
    swu = enrich(FEED, PRODUCT, TAILS, swu_kg=4.82344 * ureg.t)      # kg-SWU is a mass
    _same(swu, enrich(FEED, PRODUCT, TAILS, swu_kg=4823.44))
    masses = np.array([1.0, 2.0, 3.0])
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=masses * 1000 * ureg.g),
          enrich(FEED, PRODUCT, TAILS, product_kg=masses))
    _same(enrich(FEED, PRODUCT, TAILS, product_kg=[1 * ureg.kg, 2000 * ureg.g, 3.0]),
          enrich(FEED, PRODUCT, TAILS, product_kg=masses))


def test_uf6_conversions_take_quantities():
    ureg = _ureg()
    assert kg_u_to_kg_uf6(1000 * ureg.g, NAT) == pytest.approx(kg_u_to_kg_uf6(1.0, NAT))
    assert kg_uf6_to_kg_u(2 * ureg.t, NAT) == pytest.approx(kg_uf6_to_kg_u(2000.0, NAT))


# -- rates --------------------------------------------------------------------------------------
def test_pint_month_is_a_twelfth_of_a_julian_year():
    # the conversions below rely on it as much as on MONTHS_PER_YEAR: say so if pint changes
    ureg = _ureg()
    assert (1 * ureg.month).to("year").magnitude == pytest.approx(1 / MONTHS_PER_YEAR, rel=1e-15)
    assert (1 * ureg.year).to("s").magnitude == pytest.approx(SECONDS_PER_YEAR, rel=1e-15)


def test_kg_per_month_converts_with_12_months_per_year():
    ureg = _ureg()
    assert as_magnitude(2.0 * ureg.kg / ureg.month, "rate", "kg/yr") == pytest.approx(24.0)
    assert as_float(1.0 * ureg.t / ureg.month, "rate", "kg/yr") == pytest.approx(12000.0)
    per_s = as_magnitude(1.0 * ureg.kg / ureg.s, "rate", "kg/yr")
    assert per_s == pytest.approx(SECONDS_PER_YEAR, rel=1e-12)


def test_months_are_twelfths_of_a_year_whatever_the_registry_says():
    pint = pytest.importorskip("pint")
    odd = pint.UnitRegistry(on_redefinition="ignore")
    odd.define("month = 30 * day")                 # not 1/12 year: enrichwatch ignores it
    assert as_magnitude(1.0 * odd.kg / odd.month, "rate", "kg/yr") == pytest.approx(12.0)
    assert as_magnitude(1.0 * odd.kg * odd.month, "amount", "kg yr") == pytest.approx(1 / 12)


# -- wrong dimension ----------------------------------------------------------------------------
@pytest.mark.parametrize("call, param", [
    (lambda u: enrich(FEED, PRODUCT, TAILS, product_kg=3 * u.m), "product_kg"),
    (lambda u: enrich(FEED, PRODUCT, TAILS, swu_kg=3 * u.kg / u.yr), "swu_kg"),
    (lambda u: enrich(FEED, PRODUCT, TAILS, feed_kg=5 * u.dimensionless), "feed_kg"),
    (lambda u: reachable_product(FEED, PRODUCT, TAILS, 4823.44, feed_kg=1 * u.s), "feed_kg"),
    (lambda u: kg_u_to_kg_uf6(1 * u.L, NAT), "kg_u"),
    (lambda u: as_magnitude(1 * u.kg, "feed_kg_per_yr", "kg/yr"), "feed_kg_per_yr"),
    (lambda u: as_magnitude(u.kg, "product_kg"), "product_kg"),     # a Unit without a number
])
def test_a_wrong_dimension_is_a_type_error_naming_the_parameter(call, param):
    ureg = _ureg()
    with pytest.raises(UnitError) as info:
        call(ureg)
    err = info.value
    assert isinstance(err, TypeError) and isinstance(err, EnrichwatchError)
    assert err.param == param and str(err).startswith(f"{param}: expected ")
    assert "got " in str(err)


def test_unit_error_message_names_value_and_what_is_allowed():
    ureg = _ureg()
    with pytest.raises(UnitError, match=r"product_kg: expected a mass \[kg U\].*"
                                        r"got Quantity 3 meter"):
        enrich(FEED, PRODUCT, TAILS, product_kg=3 * ureg.m)


def test_another_library_s_quantity_is_refused_not_stripped():
    class Foreign(float):                      # like astropy's Quantity: a number with a unit
        unit = "g"

    with pytest.raises(UnitError, match="product_kg"):
        enrich(FEED, PRODUCT, TAILS, product_kg=Foreign(25000.0))


def test_prices_convert_to_a_common_unit():
    ureg = pytest.importorskip("pint").UnitRegistry()      # its own: it gains a currency
    ureg.define("USD = [currency]")
    plain = optimal_tails(FEED, 100.0, 150.0)
    got = optimal_tails(FEED, 100.0 * ureg.USD / ureg.kg, 0.15 * ureg.USD / ureg.g)
    assert got.weight_percent == pytest.approx(plain.weight_percent, rel=1e-12)
    assert in_common_unit(1 * ureg.USD / ureg.kg, 2 * ureg.USD / ureg.kg, ("a", "b")) == (1.0, 2.0)
    with pytest.raises(UnitError, match="swu_price"):
        optimal_tails(FEED, 100.0 * ureg.USD / ureg.kg, 150.0)
    with pytest.raises(UnitError, match="swu_price"):
        optimal_tails(FEED, 100.0 * ureg.USD / ureg.kg, 150.0 * ureg.USD / ureg.m)


# -- wrong types where an Assay or a Composition is expected ------------------------------------
@pytest.mark.parametrize("bad", [0.9, "90", None, np.float64(0.9)])
@pytest.mark.parametrize("call, param", [
    (lambda x: enrich(x, PRODUCT, TAILS, product_kg=1.0), "feed"),
    (lambda x: enrich(FEED, x, TAILS, product_kg=1.0), "product"),
    (lambda x: enrich(FEED, PRODUCT, x or 0.003, product_kg=1.0), "tails"),
    (lambda x: reachable_product(FEED, x, TAILS, 10.0), "product"),
    (lambda x: optimal_tails(x, 100.0, 150.0), "feed"),
    (lambda x: value_function(x), "assay"),
    (lambda x: Composition.binary(x), "assay"),
    (lambda x: require_assay(x, "product"), "product"),
])
def test_a_non_assay_is_a_type_error_naming_the_parameter(bad, call, param):
    with pytest.raises(InputTypeError) as info:
        call(bad)
    err = info.value
    assert isinstance(err, TypeError) and not isinstance(err, AttributeError)
    assert err.param == param
    assert str(err).startswith(f"{param}: expected an Assay (e.g. Assay.from_weight_percent")
    assert f"got {type(err.value).__name__}" in str(err) or "got None" in str(err)
    assert pickle.loads(pickle.dumps(err)).param == param


def test_message_for_a_bare_float_assay():
    with pytest.raises(InputTypeError) as info:
        enrich(FEED, 0.9, TAILS, product_kg=25.0)
    assert str(info.value) == ("product: expected an Assay (e.g. "
                               "Assay.from_weight_percent(90.0)), got float 0.9")


def test_a_dimensionless_quantity_is_not_an_assay():
    ureg = _ureg()
    with pytest.raises(InputTypeError, match="product: expected an Assay"):
        enrich(FEED, 90 * ureg.percent, TAILS, product_kg=25.0)


def test_a_composition_for_an_assay_and_back_get_a_hint():
    with pytest.raises(InputTypeError, match=r"\.assay"):
        enrich(NAT, PRODUCT, TAILS, product_kg=1.0)
    with pytest.raises(InputTypeError, match=r"Composition\.binary"):
        kg_u_to_kg_uf6(1.0, FEED)
    with pytest.raises(InputTypeError, match="composition: expected a Composition"):
        kg_uf6_to_kg_u(1.0, {"U235": 0.7, "U238": 99.3})
    assert require_composition(NAT, "feed") is NAT


# -- the constructors: quantities converted to the scale they name ------------------------------
def test_assay_constructors_convert_dimensionless_quantities():
    ureg = _ureg()
    assert W(3.67 * ureg.percent) == W(3.67)
    assert W(0.0367 * ureg.dimensionless).weight_percent == pytest.approx(3.67, rel=1e-14)
    assert Assay.from_mass_fraction(3.67 * ureg.percent).weight_percent == pytest.approx(3.67)
    comp = Composition.from_mass_percent({"U235": 5 * ureg.percent, "U238": 95.0})
    assert comp == Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
    with pytest.raises(UnitError, match="assay"):
        W(3.67 * ureg.kg)
