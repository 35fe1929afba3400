"""Tests of enrichwatch.physics.separation (stage separation laws).

Golden values: tests/reference/ideal_vectors.json (copied from
shared/reference/cascade-vectors.json).
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.constants import ISOTOPE_MASS
from enrichwatch.errors import InputError, UnknownNameError
from enrichwatch.physics.separation import (
    KEY_MIDPOINT_MASS,
    PerUnitMass,
    SeparationLaw,
    WoodCentrifuge,
    WoodDiffusion,
)

VECTORS = {v["id"]: v for v in json.loads(
    (Path(__file__).parent.parent / "reference" / "ideal_vectors.json").read_text())}
ALL = ("U232", "U233", "U234", "U235", "U236", "U238")
LAWS = [WoodCentrifuge(1.3), WoodDiffusion(), PerUnitMass(1.05), PerUnitMass(1.05, m_star=236.5)]
gammas = st.floats(min_value=1.001, max_value=3.0)


# -- golden values ------------------------------------------------------------------------------
def test_sepfactor_miso_centrifuge():
    vec = VECTORS["sepfactor-miso-centrifuge-diffusion"]
    isotopes = tuple(f"U{a}" for a in vec["inputs"]["isotopes"])
    got = WoodCentrifuge(vec["inputs"]["gamma_235"]).stage_factors(isotopes,
                                                                   vec["inputs"]["gamma_235"])
    np.testing.assert_allclose(got, vec["expected"]["centrifuge"],
                               rtol=vec["tolerance"]["centrifuge"]["rel"], atol=0)


def test_sepfactor_miso_diffusion():
    vec = VECTORS["sepfactor-miso-centrifuge-diffusion"]
    isotopes = tuple(f"U{a}" for a in vec["inputs"]["isotopes"])
    law = WoodDiffusion()
    got = law.stage_factors(isotopes, law.gamma_235)  # the law's own factor (independent of 1.6)
    np.testing.assert_allclose(got, vec["expected"]["diffusion"], rtol=0,
                               atol=vec["tolerance"]["diffusion"]["abs"])


# -- the interface ------------------------------------------------------------------------------
@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_shapes_and_reference_isotope(law):
    assert isinstance(law, SeparationLaw)
    scalar = law.stage_factors(ALL, 1.3)
    assert scalar.shape == (6,)
    assert scalar[-1] == 1.0
    assert scalar[ALL.index("U235")] == pytest.approx(1.3, rel=1e-14)
    arr = law.stage_factors(ALL, np.array([1.1, 1.3, 1.6]))
    assert arr.shape == (3, 6)
    np.testing.assert_allclose(arr[1], scalar, rtol=1e-14)
    np.testing.assert_array_equal(arr[:, -1], 1.0)


@pytest.mark.parametrize("law", LAWS, ids=repr)
@given(g=st.lists(gammas, min_size=1, max_size=20))
def test_vectorised_equals_one_by_one(law, g):
    arr = law.stage_factors(ALL, np.array(g))
    for row, gi in zip(arr, g, strict=True):
        np.testing.assert_allclose(row, law.stage_factors(ALL, gi), rtol=1e-13)
        assert row[3] == pytest.approx(gi, rel=1e-13)  # gamma_235 honoured


@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_lighter_isotopes_separate_more(law):
    factors = law.stage_factors(ALL, 1.2)
    assert np.all(np.diff(factors) < 0)


def test_wood_centrifuge_linear_in_mass_number():
    law = WoodCentrifuge(1.4)
    got = law.stage_factors(("U234", "U236"), 1.25)  # law's own gamma is ignored here
    np.testing.assert_allclose(got, [1 + 4 * 0.25 / 3, 1 + 2 * 0.25 / 3], rtol=1e-15)


def test_wood_diffusion_keeps_mass_dependence():
    law = WoodDiffusion()
    own = law.stage_factors(ALL, law.gamma_235)
    scaled = law.stage_factors(ALL, 1.3)
    expected = np.log(own) * math.log(1.3) / math.log(law.gamma_235)
    np.testing.assert_allclose(np.log(scaled), expected, rtol=1e-13)
    assert law.gamma_235 == pytest.approx(math.sqrt(352 / 349), rel=1e-15)


def test_per_unit_mass_uses_real_masses():
    law = PerUnitMass(1.05)
    masses = np.array([ISOTOPE_MASS[i] for i in ALL])
    np.testing.assert_allclose(law.stage_factors(ALL, law.gamma_235),
                               1.05 ** (ISOTOPE_MASS["U238"] - masses), rtol=1e-13)
    dm = (ISOTOPE_MASS["U238"] - masses) / (ISOTOPE_MASS["U238"] - ISOTOPE_MASS["U235"])
    np.testing.assert_allclose(law.stage_factors(ALL, 1.4), 1.4 ** dm, rtol=1e-13)


@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_symmetric_factors_at_key_midpoint(law):
    a = law.symmetric_factors(("U235", "U238"), KEY_MIDPOINT_MASS)
    assert a[0] * a[1] == pytest.approx(1.0, rel=1e-13)
    assert a[0] / a[1] == pytest.approx(law.gamma_235, rel=1e-13)


def test_symmetric_factors_von_halle_eq15():
    law = WoodCentrifuge(1.3)
    np.testing.assert_allclose(law.symmetric_factors(ALL),
                               law.stage_factors(ALL, 1.3) / math.sqrt(1.3), rtol=1e-14)


def test_per_unit_mass_symmetric_factor_is_pyne_beta():
    law = PerUnitMass(1.05, m_star=236.5)
    masses = np.array([ISOTOPE_MASS[i] for i in ALL])
    np.testing.assert_allclose(law.symmetric_factors(ALL), 1.05 ** (236.5 - masses), rtol=1e-13)


def test_isotope_names_are_canonicalised():
    law = WoodCentrifuge(1.3)
    np.testing.assert_array_equal(law.stage_factors(("U-234", "235U", "u238"), 1.3),
                                  law.stage_factors(("U234", "U235", "U238"), 1.3))


def test_laws_are_immutable_and_hashable():
    law = WoodCentrifuge(1.3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        law.gamma_235 = 2.0
    assert len({WoodCentrifuge(1.3), WoodCentrifuge(1.3), PerUnitMass(1.05)}) == 2
    assert "1.3" in repr(law) and "m_star" in repr(PerUnitMass(1.05))


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, param", [
    (lambda: WoodCentrifuge(1.0), "gamma_235"),
    (lambda: WoodCentrifuge(float("nan")), "gamma_235"),
    (lambda: WoodCentrifuge("fast"), "gamma_235"),
    (lambda: PerUnitMass(0.95), "alpha"),
    (lambda: PerUnitMass(float("inf")), "alpha"),
    (lambda: PerUnitMass(1.05, m_star=240.0), "m_star"),
    (lambda: PerUnitMass(1.05, m_star=float("nan")), "m_star"),
    (lambda: WoodCentrifuge(1.3).stage_factors(("U235",), 0.9), "gamma_235"),
    (lambda: WoodCentrifuge(1.3).stage_factors(("U235",), [1.2, np.inf]), "gamma_235"),
    (lambda: WoodCentrifuge(1.3).stage_factors(("U235",), [[1.2]]), "gamma_235"),
    (lambda: WoodCentrifuge(1.3).stage_factors("U235", 1.3), "isotopes"),
])
def test_bad_input_names_parameter(make, param):
    with pytest.raises(InputError) as info:
        make()
    assert isinstance(info.value, ValueError)
    assert info.value.param == param
    assert str(info.value).startswith(param)
    assert pickle.loads(pickle.dumps(info.value)).param == param


def test_unknown_isotope():
    with pytest.raises(UnknownNameError) as info:
        WoodCentrifuge(1.3).stage_factors(("U235", "U239"), 1.3)
    assert isinstance(info.value, ValueError)
    assert "U239" in str(info.value) and info.value.param == "isotope"
