"""Assays and compositions: bases, scales, UF6 conversion, bad input."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.composition import (
    Assay,
    Composition,
    convert_rate,
    display_rate,
    is_heu_weight_percent,
    isotope_name,
    kg_u_to_kg_uf6,
    kg_uf6_to_kg_u,
    rate_from_kg_u_per_yr,
    rate_to_kg_u_per_yr,
)
from enrichwatch.constants import (
    DISPLAY_RATE_UNITS,
    FLUORINE_MASS,
    HEU_THRESHOLD,
    HEU_THRESHOLD_WT_PCT,
    ISOTOPE_MASS,
    MONTHS_PER_YEAR,
    RATE_UNITS,
)
from enrichwatch.errors import (
    AssayError,
    EnrichwatchError,
    InputError,
    MassError,
    UnknownNameError,
)

NAT = {"U234": 0.0055, "U235": 0.711, "U238": 99.2835}


def test_assay_scales_and_bases_round_trip():
    a = Assay.from_atom_percent(np.array([0.711, 3.67, 90.0]))
    np.testing.assert_allclose(Assay.from_mass_fraction(a.mass_fraction).atom_percent,
                               [0.711, 3.67, 90.0], rtol=1e-14)
    np.testing.assert_allclose(a.weight_percent, a.mass_fraction * 100, rtol=1e-15)
    # a mass fraction is larger than the atom fraction: U-235 is the lighter isotope
    assert np.all(a.weight_percent < a.atom_percent)


def test_atom_to_mass_uses_isotope_masses():
    x = 0.9
    m5, m8 = ISOTOPE_MASS["U235"], ISOTOPE_MASS["U238"]
    expected = x * m5 / (x * m5 + (1 - x) * m8)
    assert Assay.from_atom_fraction(x).mass_fraction == pytest.approx(expected, rel=1e-15)


def test_composition_bases_agree():
    c = Composition.from_atom_percent(NAT)
    np.testing.assert_allclose(c.atom_fractions, [v / 100 for v in NAT.values()], rtol=1e-12)
    again = Composition.from_mass_fractions(dict(zip(c.isotopes, c.mass_fractions, strict=True)))
    np.testing.assert_allclose(again.atom_fractions, c.atom_fractions, rtol=1e-14)
    assert c.fraction("U-236") == 0.0
    assert c.as_dict("atom", percent=True)["U235"] == pytest.approx(0.711, rel=1e-12)


def test_uf6_conversion_uses_actual_isotopics():
    nat = Composition.from_atom_percent(NAT)
    heu = Composition.from_atom_percent({"U235": 90.0, "U238": 10.0})
    # JCPOA: 300 kg UF6 = 202.8 kg U (domain.md section 2)
    assert kg_uf6_to_kg_u(300.0, nat) == pytest.approx(202.8, abs=0.1)
    m_u = heu.molar_mass
    assert kg_u_to_kg_uf6(1.0, heu) == pytest.approx((m_u + 6 * FLUORINE_MASS) / m_u, rel=1e-14)
    assert kg_u_to_kg_uf6(1.0, heu) > kg_u_to_kg_uf6(1.0, nat)


@given(st.floats(0.0, 1e6))
def test_uf6_round_trip(kg):
    c = Composition.from_atom_percent(NAT)
    assert kg_uf6_to_kg_u(kg_u_to_kg_uf6(kg, c), c) == pytest.approx(kg, rel=1e-14, abs=1e-300)


@given(st.lists(st.floats(1e-6, 1.0), min_size=2, max_size=6))
def test_fractions_normalise_and_convert(values):
    isotopes = ["U232", "U233", "U234", "U235", "U236", "U238"][-len(values):]
    c = Composition.from_arrays(isotopes, values, basis="atom")
    assert c.mass_fractions.sum() == pytest.approx(1.0, rel=1e-12)
    assert c.atom_fractions.sum() == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("name, canonical", [("U235", "U235"), ("u-234", "U234"),
                                             ("238U", "U238"), ("236", "U236")])
def test_isotope_names(name, canonical):
    assert isotope_name(name) == canonical


def test_unknown_isotope():
    with pytest.raises(UnknownNameError, match="isotope") as err:
        Composition.from_atom_percent({"U237": 1.0, "U238": 99.0})
    assert isinstance(err.value, ValueError)
    assert "U232" in str(err.value)


@pytest.mark.parametrize("values, match", [
    ({"U235": 0.711, "U238": 90.0}, "summing to 100"),
    ({"U235": -1.0, "U238": 101.0}, ">= 0"),
    ({"U234": 1.0}, "U-235 or U-238"),
    ({}, "non-empty"),
])
def test_bad_compositions(values, match):
    with pytest.raises(AssayError, match=match):
        Composition.from_atom_percent(values)


def test_assay_out_of_range_names_value_and_scale():
    with pytest.raises(AssayError) as err:
        Assay.from_weight_percent(120.0)
    assert err.value.value == 120.0
    assert "percent" in str(err.value)


def test_errors_pickle_and_inherit():
    err = AssayError("tails", 0.9, "below the feed")
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, EnrichwatchError) and isinstance(back, ValueError)
    assert str(back) == str(err)
    with pytest.raises(MassError):
        kg_u_to_kg_uf6(-1.0, Composition.from_atom_percent(NAT))


# -- the one table of rate units -----------------------------------------------------------------
LEU = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U238": 94.96})


def test_rate_unit_table_holds_the_four_units_of_kg_u_and_kg_uf6():
    assert dict(RATE_UNITS) == {"kg U/month": ("U", MONTHS_PER_YEAR), "kg U/yr": ("U", 1.0),
                                "kg UF6/month": ("UF6", MONTHS_PER_YEAR),
                                "kg UF6/yr": ("UF6", 1.0)}
    assert DISPLAY_RATE_UNITS == ("kg U/month", "kg U/yr")
    with pytest.raises(TypeError):
        RATE_UNITS["kg U/week"] = ("U", 52.0)  # type: ignore[index]


@pytest.mark.parametrize("unit", list(RATE_UNITS))
@given(kg_u_per_yr=st.one_of(st.just(0.0), st.floats(min_value=1e-9, max_value=1e7)))
def test_every_rate_unit_converts_kg_u_per_yr_and_back(unit, kg_u_per_yr):
    rate = rate_from_kg_u_per_yr(kg_u_per_yr, unit, LEU)
    assert rate_to_kg_u_per_yr(rate, unit, LEU) == pytest.approx(kg_u_per_yr, rel=1e-12, abs=0)


@pytest.mark.parametrize("a", list(RATE_UNITS))
@pytest.mark.parametrize("b", list(RATE_UNITS))
def test_rates_convert_between_any_two_units_through_kg_u_per_yr(a, b):
    rate = convert_rate(7.25, a, b, LEU)
    assert rate == pytest.approx(rate_from_kg_u_per_yr(rate_to_kg_u_per_yr(7.25, a, LEU), b, LEU),
                                 rel=1e-15)
    assert convert_rate(rate, b, a, LEU) == pytest.approx(7.25, rel=1e-14)
    if a == b:
        assert rate == 7.25                                 # the same unit: unchanged


@pytest.mark.parametrize("unit, expected", [
    ("kg U/month", 10.0), ("kg U/yr", 120.0),
    ("kg UF6/month", 10.0 * LEU.uf6_per_u), ("kg UF6/yr", 120.0 * LEU.uf6_per_u)])
def test_every_rate_unit_has_its_factor_from_kg_u_per_yr(unit, expected):
    assert rate_from_kg_u_per_yr(120.0, unit, LEU) == pytest.approx(expected, rel=1e-15)


def test_display_rates_are_the_kg_u_units_and_need_no_isotopics():
    for unit in DISPLAY_RATE_UNITS:
        assert display_rate(120.0, unit) == rate_from_kg_u_per_yr(120.0, unit)
    assert display_rate(120.0) == 10.0                      # default: per month
    for unit in ("kg UF6/month", "t/month"):
        with pytest.raises(InputError) as caught:
            display_rate(120.0, unit)
        assert caught.value.param == "rate_unit"


def test_unknown_rate_unit_and_missing_isotopics_are_named():
    with pytest.raises(InputError) as caught:
        rate_to_kg_u_per_yr(1.0, "kg U/week")
    assert caught.value.param == "rate_unit"
    with pytest.raises(InputError) as caught:
        rate_from_kg_u_per_yr(1.0, "kg UF6/yr")
    assert caught.value.param == "composition"


def test_heu_is_one_test_on_the_weight_percent_scale():
    assert HEU_THRESHOLD_WT_PCT == 100 * HEU_THRESHOLD == 20.0
    assert is_heu_weight_percent(20.0) and not is_heu_weight_percent(19.999)
    np.testing.assert_array_equal(is_heu_weight_percent(np.array([5.0, 20.0, 60.0])),
                                  [False, True, True])
    assert Assay.from_weight_percent(60.0).is_heu is True
    assert Assay.from_mass_fraction(HEU_THRESHOLD).is_heu is True
    assert Assay.from_weight_percent(19.75).is_heu is False
