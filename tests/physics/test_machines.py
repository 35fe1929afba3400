"""Centrifuge machine model and catalog: reference vectors, bounds, dimensions, catalog files.

Vectors: tests/reference/machine_vectors.json (copied from shared/reference/cascade-vectors.json,
ids, sources and tolerances unchanged). Tolerances not taken from a vector are stated beside each
assertion.
"""

import json
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

from enrichwatch.constants import (
    SECONDS_PER_YEAR,
    UF6_MOLAR_MASS_KG_MOL,
    URANIUM_MOLAR_MASS_KG_MOL,
)
from enrichwatch.errors import (
    EnrichwatchWarning,
    InputError,
    MassError,
    UnitError,
    UnknownNameError,
)
from enrichwatch.physics.machines import (
    U_STAR,
    CatalogError,
    Machine,
    MachineCatalog,
    RotorGeometry,
    dirac_separative_power,
    feed_from_gamma,
    gamma_from_separative_power,
    heads_factor,
    inner_radius_ratio,
    load_catalog,
    raetz_separative_power,
    separative_power_from_gamma,
)

VECTORS = {v["id"]: v for v in json.loads(
    (Path(__file__).parents[1] / "reference" / "machine_vectors.json").read_text())["vectors"]}
RAETZ = VECTORS["centrifuge-mbmore-raetz-test-machine"]
IDEAL = VECTORS["centrifuge-mbmore-ideal-stage"]
U_PER_UF6 = URANIUM_MOLAR_MASS_KG_MOL / UF6_MOLAR_MASS_KG_MOL
MBMORE_M = 0.352  # kg/mol: the molar mass mbmore divides dU by in its alpha ("Avery p.18")


def _geometry(inputs, **extra) -> RotorGeometry:
    return RotorGeometry(length_m=inputs["height_m"], diameter_m=inputs["diameter_m"],
                         speed_m_s=inputs["v_a_m_s"], temperature_k=inputs["temp_K"],
                         flow_ratio=inputs["L_over_F"], **extra)


def _mbmore_alpha(du, feed, cut, molar_mass=MBMORE_M):
    """mbmore's heads factor, restated to reproduce its numbers: it divides dU by M = 0.352 kg/mol
    while F stays in kg/s, so the argument of the root carries a unit (mol/kg). Regression only."""
    return 1.0 + math.sqrt(2.0 * (du / molar_mass) * (1.0 - cut) / (cut * feed))


# -- reference vectors ---------------------------------------------------------------------------
def test_raetz_test_machine_du_on_kg_u_basis():
    inp, exp = RAETZ["inputs"], RAETZ["expected"]
    du = raetz_separative_power(_geometry(inp), inp["feed_kg_s"], inp["cut"], basis="U")
    assert du == pytest.approx(exp["dU_kg_s"], abs=RAETZ["tolerance"]["dU_kg_s"]["abs"])
    # mbmore's year figure is the same number times a Julian year (same tolerance, per year)
    assert du * SECONDS_PER_YEAR == pytest.approx(
        exp["computed_dU_kgSWU_yr"], abs=RAETZ["tolerance"]["dU_kg_s"]["abs"] * SECONDS_PER_YEAR)


def test_raetz_test_machine_number_is_not_on_the_uf6_basis():
    # Which convention is 7.032e-8 in? Reading the 15e-6 kg/s as kg UF6/s (Glaser's basis) gives
    # 1.278e-7 kg UF6 SWU/s = 8.64e-8 kg U SWU/s: both miss the vector, so mbmore's feed and dU
    # are kg U (its rhoD scaled by 0.238/0.352 is the U-basis rhoD).
    inp, exp = RAETZ["inputs"], RAETZ["expected"]
    tol = RAETZ["tolerance"]["dU_kg_s"]["abs"]
    du_uf6 = raetz_separative_power(_geometry(inp), inp["feed_kg_s"], inp["cut"], basis="UF6")
    assert abs(du_uf6 - exp["dU_kg_s"]) > 10 * tol
    assert abs(du_uf6 * U_PER_UF6 - exp["dU_kg_s"]) > 10 * tol


def test_raetz_test_machine_alpha_unit_consistent():
    # The vector's alpha 1.16321 is mbmore's: 1 + sqrt(2 (dU/M)(1-cut)/(cut F)) with dU divided
    # by M = 0.352 kg/mol but F left in kg/s, i.e. (alpha - 1) inflated by 1/sqrt(0.352) = 1.69.
    # With dU and F on the same basis the heads factor is 1.0968 (the vector's notes); that is
    # the value enrichwatch gives and tests, within the vector's alpha tolerance.
    inp, exp = RAETZ["inputs"], RAETZ["expected"]
    tol = RAETZ["tolerance"]["alpha"]["abs"]
    du = raetz_separative_power(_geometry(inp), inp["feed_kg_s"], inp["cut"])
    gamma = gamma_from_separative_power(du, inp["feed_kg_s"], inp["cut"])
    alpha = heads_factor(gamma, inp["cut"])
    assert alpha == pytest.approx(1.0968, abs=tol)
    assert _mbmore_alpha(du, inp["feed_kg_s"], inp["cut"]) == pytest.approx(exp["alpha"], abs=tol)
    assert abs(alpha - exp["alpha"]) > tol  # the slip, not noise, separates the two


def _ideal_geometry() -> RotorGeometry:
    # the vector's P-1-like machine: r1/r2 = 0.534 given (mbmore forces it for v <= 380 m/s,
    # where exp(M v^2 / 2RT) < x = 1000 and the r1/r2 formula is undefined)
    return _geometry(IDEAL["inputs"], r1_over_r2=0.534)


def test_ideal_stage_machine_needs_r1_over_r2_at_320_m_s():
    with pytest.raises(InputError, match="speed_m_s"):
        inner_radius_ratio(IDEAL["inputs"]["v_a_m_s"], IDEAL["inputs"]["temp_K"])


def test_ideal_stage_du_at_vector_cut():
    inp, exp = IDEAL["inputs"], IDEAL["expected"]
    du = raetz_separative_power(_ideal_geometry(), inp["feed_kg_s"], exp["cut"])
    assert du == pytest.approx(exp["dU_kg_s"], abs=IDEAL["tolerance"]["dU_kg_s"]["abs"])


def _stage_beta(alpha, cut, x_feed):
    r_f = x_feed / (1.0 - x_feed)
    x_p = alpha * r_f / (1.0 + alpha * r_f)
    x_t = (x_feed - cut * x_p) / (1.0 - cut)
    return r_f / (x_t / (1.0 - x_t))


def test_ideal_stage_cut_and_alpha_in_mbmore_convention():
    # mbmore's ideal stage: the cut at which its alpha(cut) equals beta(cut) from the stage
    # balance at x_F. Reproduced with our dU(cut) and mbmore's (unit-mixing) alpha, as a
    # regression of that model: the cut depends on the slip, so it is only meaningful there.
    inp, exp, tol = IDEAL["inputs"], IDEAL["expected"], IDEAL["tolerance"]
    g, f, x = _ideal_geometry(), inp["feed_kg_s"], inp["x_feed"]

    def alpha(c):
        return _mbmore_alpha(raetz_separative_power(g, f, c), f, c)

    cut = brentq(lambda c: alpha(c) - _stage_beta(alpha(c), c, x), 0.2, 0.8, xtol=1e-12)
    assert cut == pytest.approx(exp["cut"], abs=tol["cut"]["abs"])
    assert alpha(cut) == pytest.approx(exp["alpha"], abs=tol["alpha"]["abs"])
    assert raetz_separative_power(g, f, cut) == pytest.approx(exp["dU_kg_s"],
                                                              abs=tol["dU_kg_s"]["abs"])


def test_ideal_stage_unit_consistent_alpha():
    # Unit-consistent symmetric stage: alpha = beta = sqrt(gamma(cut)), gamma from dU and F on the
    # same basis, cut from the balance at x_F. alpha is about 1.105, not mbmore's 1.182: mbmore's
    # alpha - 1 carries the factor 1/sqrt(0.352) (first order: agreement within 5 %, our tolerance
    # for the different cut and the first-order relation).
    inp, exp, tol = IDEAL["inputs"], IDEAL["expected"], IDEAL["tolerance"]
    g, f, x = _ideal_geometry(), inp["feed_kg_s"], inp["x_feed"]

    def alpha(c):
        return math.sqrt(gamma_from_separative_power(raetz_separative_power(g, f, c), f, c))

    cut = brentq(lambda c: alpha(c) - _stage_beta(alpha(c), c, x), 0.2, 0.8, xtol=1e-12)
    a = alpha(cut)
    assert abs(a - exp["alpha"]) > tol["alpha"]["abs"]
    assert (a - 1.0) == pytest.approx((exp["alpha"] - 1.0) * math.sqrt(MBMORE_M), rel=0.05)
    assert cut == pytest.approx(1.0 / (1.0 + a), abs=2e-3)  # dilute-limit symmetric cut


# -- Dirac bound and dimensions -------------------------------------------------------------------
geometries = st.builds(
    RotorGeometry,
    length_m=st.floats(0.1, 15.0), diameter_m=st.floats(0.05, 0.8),
    speed_m_s=st.floats(360.0, 1000.0), temperature_k=st.floats(280.0, 350.0),
    flow_ratio=st.floats(0.1, 20.0),
    r1_over_r2=st.one_of(st.none(), st.floats(0.05, 0.98)))


@settings(max_examples=300, deadline=None)
@given(g=geometries, log_feed=st.floats(-9.0, -2.0), cut=st.floats(0.02, 0.98),
       basis=st.sampled_from(["U", "UF6"]))
def test_raetz_never_exceeds_dirac_bound(g, log_feed, cut, basis):
    du = raetz_separative_power(g, 10.0**log_feed, cut, basis=basis)
    assert 0.0 < du <= g.dirac_bound(basis) * (1.0 + 1e-12)


def test_dirac_bound_scaling_and_value():
    base = dirac_separative_power(1.0, 500.0, 300.0)
    assert dirac_separative_power(3.0, 500.0, 300.0) == pytest.approx(3.0 * base, rel=1e-12)
    assert dirac_separative_power(1.0, 1000.0, 300.0) == pytest.approx(16.0 * base, rel=1e-12)
    assert dirac_separative_power(1.0, 500.0, 600.0) == pytest.approx(base / 4.0, rel=1e-12)
    # closed form on the UF6 basis: (pi/2) Z rhoD (dM v^2 / 2RT)^2
    c = 0.003 * 485.0**2 / (2.0 * 8.314462618 * 320.0)
    expected = 0.5 * math.pi * 1.0 * 2.2e-5 * c**2
    assert dirac_separative_power(1.0, 485.0, 320.0, basis="UF6") == pytest.approx(expected,
                                                                                   rel=1e-12)


@given(c=st.floats(1e-3, 1e3))
def test_raetz_is_dimensionally_homogeneous(c):
    # mass: F [kg/s] and rhoD [kg/(m s)] in another mass unit scale dU by the same factor;
    # length: Z [m] times rhoD [kg/(m s)] is what enters, so (c Z, rhoD/c) leaves dU unchanged;
    # the diameter enters only through r2/a and r1/r2, so it drops out at fixed ratios.
    g = RotorGeometry(1.0, 0.15, 485.0)
    du = raetz_separative_power(g, 1e-5, 0.45)
    g_mass = RotorGeometry(1.0, 0.15, 485.0, rho_d=g.rho_d * c)
    assert raetz_separative_power(g_mass, 1e-5 * c, 0.45) == pytest.approx(c * du, rel=1e-10)
    g_len = RotorGeometry(c, 0.15, 485.0, rho_d=g.rho_d / c)
    assert raetz_separative_power(g_len, 1e-5, 0.45) == pytest.approx(du, rel=1e-10)
    g_wide = RotorGeometry(1.0, 0.15 * c, 485.0)
    assert raetz_separative_power(g_wide, 1e-5, 0.45) == pytest.approx(du, rel=1e-10)


def test_basis_conversion_is_the_process_gas_mass_ratio():
    g = RotorGeometry(1.0, 0.15, 485.0)
    f_uf6 = np.array([3e-6, 1e-5, 3e-5])
    du_uf6 = raetz_separative_power(g, f_uf6, 0.5, basis="UF6")
    du_u = raetz_separative_power(g, f_uf6 * U_PER_UF6, 0.5, basis="U")
    np.testing.assert_allclose(du_u, du_uf6 * U_PER_UF6, rtol=1e-12)
    assert g.dirac_bound("U") == pytest.approx(g.dirac_bound("UF6") * U_PER_UF6, rel=1e-12)


def test_dimension_check_catches_a_unit_slip():
    # The same alpha computed with every mass in kg and then in g (rhoD, F, dU, and the molar mass
    # 0.352 kg/mol = 352 g/mol): the unit-consistent heads factor does not change, mbmore's
    # (dU divided by a molar mass) does. This is the check that fails on an inconsistent formula.
    g = RotorGeometry(0.5, 0.15, 485.0)
    f = 15e-6
    du_kg = raetz_separative_power(g, f, 0.5)
    g_gram = RotorGeometry(0.5, 0.15, 485.0, rho_d=g.rho_d * 1e3)
    du_g = raetz_separative_power(g_gram, f * 1e3, 0.5)
    consistent = [heads_factor(gamma_from_separative_power(d, q, 0.5), 0.5)
                  for d, q in ((du_kg, f), (du_g, f * 1e3))]
    assert consistent[0] == pytest.approx(consistent[1], rel=1e-10)
    mixed = [_mbmore_alpha(du_kg, f, 0.5, MBMORE_M), _mbmore_alpha(du_g, f * 1e3, 0.5, 352.0)]
    assert mixed[0] != pytest.approx(mixed[1], rel=1e-3)


# -- stage relations ------------------------------------------------------------------------------
@given(swu=st.floats(1e-3, 1e3), feed=st.floats(1.0, 1e5), cut=st.floats(0.01, 0.99))
def test_gamma_swu_round_trip(swu, feed, cut):
    gamma = gamma_from_separative_power(swu, feed, cut)
    assert gamma > 1.0
    assert separative_power_from_gamma(gamma, feed, cut) == pytest.approx(swu, rel=1e-9)
    assert feed_from_gamma(swu, gamma, cut) == pytest.approx(feed, rel=1e-9)


def test_heads_factor_first_order_is_avery():
    # alpha - 1 = (1 - cut) ln gamma + O((ln gamma)^2); tolerance: the second-order term
    gamma, cut = 1.01, 0.4
    assert heads_factor(gamma, cut) - 1.0 == pytest.approx((1 - cut) * math.log(gamma), rel=0.01)


def test_u_star_maximises_the_one_term_curve():
    res = minimize_scalar(lambda u: -(1.0 - math.exp(-u)) ** 2 / u, bounds=(0.1, 5.0),
                          method="bounded", options={"xatol": 1e-10})
    assert res.x == pytest.approx(U_STAR, abs=1e-6)
    assert math.expm1(U_STAR) == pytest.approx(2.0 * U_STAR, rel=1e-14)


# -- machines -------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(swu=st.floats(0.1, 100.0), gamma=st.floats(1.02, 2.5), cut=st.floats(0.1, 0.9))
def test_rating_machine_reproduces_its_design_point_and_peaks_there(swu, gamma, cut):
    m = Machine.from_rating("test", swu, gamma, cut=cut)
    q_d = m.design_feed_kg_per_yr
    assert q_d == pytest.approx(2 * swu / (cut * (1 - cut) * math.log(gamma) ** 2), rel=1e-12)
    assert m.separative_power(q_d, cut) == pytest.approx(swu, rel=1e-12)
    assert m.gamma_235(q_d, cut) == pytest.approx(gamma, rel=1e-12)
    res = minimize_scalar(lambda s: -m.separative_power(q_d * math.exp(s), cut),
                          bounds=(-3.0, 3.0), method="bounded", options={"xatol": 1e-9})
    assert math.exp(res.x) == pytest.approx(1.0, abs=1e-4)  # optimiser tolerance
    assert np.all(m.separative_power(q_d * np.array([0.5, 0.9, 1.1, 2.0]), cut) < swu)


def test_geometry_machine_design_feed_maximises_raetz_at_design_k():
    g = RotorGeometry(1.0, 0.15, 485.0)
    m = Machine.from_geometry("P-2 model", g)
    f_d = m.design_feed_kg_per_yr / SECONDS_PER_YEAR
    for factor in (0.9, 1.1):
        assert raetz_separative_power(g, f_d * factor, 0.5) < raetz_separative_power(g, f_d, 0.5)
    assert m.separative_power(m.design_feed_kg_per_yr, 0.5) == pytest.approx(
        m.nominal_swu_per_yr, rel=1e-12)
    assert m.model_swu_per_yr == pytest.approx(m.nominal_swu_per_yr, rel=1e-12)


def test_geometry_machine_keeps_circulation_off_design():
    # off design k = L/q with L = k_d q_d: at twice the feed, k = 1
    g = RotorGeometry(1.0, 0.15, 485.0)
    m = Machine.from_geometry("P-2 model", g)
    q = 2.0 * m.design_feed_kg_per_yr
    expected = raetz_separative_power(g, q / SECONDS_PER_YEAR, 0.5, flow_ratio=1.0)
    assert m.separative_power(q, 0.5) == pytest.approx(expected * SECONDS_PER_YEAR, rel=1e-12)


CATALOG = load_catalog()


@pytest.mark.parametrize("name", CATALOG.names)
def test_off_design_gamma_falls_with_feed_and_swu_stays_positive(name):
    m = CATALOG.get(name)
    q = m.design_feed_kg_per_yr * np.geomspace(0.05, 20.0, 60)
    for cut in (0.4, m.design_cut, 0.6):
        gamma = m.gamma_235(q, cut)
        assert np.all(np.diff(gamma) < 0.0)
        assert np.all(gamma > 1.0)
        assert np.all(m.separative_power(q, cut) > 0.0)
    assert m.separative_power(0.0, 0.5) == 0.0
    assert math.isfinite(m.gamma_235(0.0, 0.5)) and m.gamma_235(0.0, 0.5) > m.design_gamma


def test_machine_methods_broadcast():
    m = CATALOG.get("IR-6")
    q = m.design_feed_kg_per_yr * np.array([[0.5], [1.0], [2.0]])
    cuts = np.array([0.4, 0.5, 0.6])
    assert m.separative_power(q, cuts).shape == (3, 3)
    assert m.gamma_235(q, cuts).shape == (3, 3)
    # rating-defined: gamma does not depend on the cut (constant-gamma assumption)
    np.testing.assert_allclose(m.gamma_235(q, cuts), np.repeat(m.gamma_235(q, 0.5), 3, axis=1))


def test_with_separative_power_rescales_the_surface():
    for name in ("IR-1", "IR-6"):
        m = CATALOG.get(name)
        low = m.swu_range_per_yr[0]
        m2 = m.with_separative_power(low)
        q = m.design_feed_kg_per_yr * np.array([0.3, 1.0, 3.0])
        factor = low / m.nominal_swu_per_yr
        np.testing.assert_allclose(m2.separative_power(q, 0.5),
                                   factor * m.separative_power(q, 0.5), rtol=1e-12)
        assert m2.design_feed_kg_per_yr == m.design_feed_kg_per_yr
        assert math.log(m2.design_gamma) == pytest.approx(
            math.sqrt(factor) * math.log(m.design_gamma), rel=1e-12)
        assert m2.swu_range_per_yr == m.swu_range_per_yr


def test_with_separative_power_outside_range_warns_and_widens():
    m = CATALOG.get("IR-2m")
    with pytest.warns(EnrichwatchWarning, match="outside its range"):
        m2 = m.with_separative_power(7.0)
    assert m2.swu_range_per_yr == (3.0, 7.0)


@pytest.mark.parametrize("call, param", [
    (lambda: Machine.from_rating("x", 1.0, 1.0), "gamma"),
    (lambda: Machine.from_rating("x", 1.0, 1.3, cut=1.0), "cut"),
    (lambda: Machine.from_rating("x", -1.0, 1.3), "swu_per_yr"),
    (lambda: Machine.from_rating("x", 2.0, 1.3, swu_range_per_yr=(2.5, 3.0)), "swu_range_per_yr"),
    (lambda: Machine.from_rating("", 2.0, 1.3), "name"),
    (lambda: RotorGeometry(1.0, 0.15, float("nan")), "speed_m_s"),
    (lambda: RotorGeometry(1.0, 0.15, 485.0, r1_over_r2=1.2), "r1_over_r2"),
    (lambda: CATALOG.get("IR-6").separative_power(-1.0, 0.5), "feed_kg_per_yr"),
    (lambda: CATALOG.get("IR-6").gamma_235(100.0, 0.0), "cut"),
    (lambda: raetz_separative_power(RotorGeometry(1.0, 0.15, 485.0), 1e-5, 0.5, basis="kg"),
     "basis"),
])
def test_invalid_input_names_parameter(call, param):
    with pytest.raises(InputError) as info:
        call()
    assert info.value.param == param
    assert pickle.loads(pickle.dumps(info.value)).param == param


def test_negative_feed_is_a_mass_error():
    with pytest.raises(MassError):
        CATALOG.get("IR-1").separative_power(np.array([100.0, -1.0]), 0.5)


# -- catalog --------------------------------------------------------------------------------------
def test_catalog_entries_have_sources_and_ranges():
    for required in ("IR-1", "IR-2m", "IR-4", "IR-6", "IR-8", "P-1", "P-2"):
        assert required in CATALOG.names
    for m in CATALOG:
        low, high = m.swu_range_per_yr
        assert low <= m.nominal_swu_per_yr <= high
        assert "rating:" in m.source and ("geometry:" in m.source or "separation:" in m.source)
        assert m.notes.strip()
        assert m.design_gamma > 1.0 and m.design_feed_kg_per_yr > 0.0
        assert m.separative_power(m.design_feed_kg_per_yr, m.design_cut) == pytest.approx(
            m.nominal_swu_per_yr, rel=1e-12)


def test_catalog_lookup_is_case_and_hyphen_insensitive():
    assert CATALOG.get("ir2M") is CATALOG.get("IR-2m")
    assert CATALOG.get(" p_1 ").name == "P-1"
    assert "ir-6" in CATALOG and "IR-9" not in CATALOG
    assert len(CATALOG) == len(list(CATALOG))


def test_unknown_machine_lists_known_names():
    with pytest.raises(UnknownNameError) as info:
        CATALOG.get("IR-9")
    assert "IR-9" in str(info.value) and "IR-6" in info.value.allowed


MINIMAL = """
[[machine]]
name = "Test-1"
[machine.rating]
nominal_swu_per_yr = 2.0
low_swu_per_yr = 1.5
high_swu_per_yr = 2.5
source = "test fixture"
[machine.separation]
gamma = 1.3
source = "test fixture"
"""


def test_custom_catalog_can_be_injected(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL)
    cat = load_catalog(path)
    assert cat.names == ("Test-1",)
    assert cat.get("test1").design_gamma == pytest.approx(1.3, rel=1e-12)
    assert str(path) in repr(cat)


@pytest.mark.parametrize("text, fragment", [
    ("[[machine]\nname = 1", "valid TOML"),
    (MINIMAL.replace('source = "test fixture"\n[machine.separation]', "[machine.separation]"),
     "(Test-1).rating.source"),
    (MINIMAL.replace("gamma = 1.3", "gamma = 0.9"), "(Test-1): gamma"),
    (MINIMAL.replace("gamma = 1.3", 'gamma = "1.3"'), "(Test-1).separation.gamma"),
    (MINIMAL.replace("low_swu_per_yr = 1.5", "low_swu_per_yr = 2.2"), "swu_range_per_yr"),
    (MINIMAL.replace("low_swu_per_yr", "lo_swu_per_yr"), "(Test-1).rating.lo_swu_per_yr"),
    (MINIMAL + '[machine.geometry]\nlength_m = 1.0\nsource = "x"\n', "(Test-1).geometry"),
    (MINIMAL + MINIMAL.replace("Test-1", "test 1"), "not already used"),
    ("[catalog]\nversion = 1\n", "machine"),
])
def test_broken_catalog_names_file_entry_and_key(tmp_path, text, fragment):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert str(path) in message and fragment in message


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="readable TOML file"):
        load_catalog(tmp_path / "nope.toml")


def test_catalog_is_immutable_and_validated():
    with pytest.raises(CatalogError):
        MachineCatalog((CATALOG.get("IR-1"), CATALOG.get("IR-1")))
    with pytest.raises(AttributeError):
        CATALOG.get("IR-1").nominal_swu_per_yr = 3.0


def test_import_is_light_and_lazy():
    code = ("import sys, enrichwatch\n"
            "assert 'enrichwatch.physics.machines' not in sys.modules\n"
            "import enrichwatch.physics.machines as m\n"
            "assert m._default_catalog.cache_info().currsize == 0\n"
            "assert 'scipy.optimize' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- units at the edge (issue 8) ------------------------------------------------------------------
def test_rotor_figures_and_rates_may_be_quantities():
    ureg = pytest.importorskip("pint").UnitRegistry()
    plain = RotorGeometry(1.0, 0.15, 485.0)
    given_ = RotorGeometry(100 * ureg.cm, 150 * ureg.mm, 0.485 * ureg("km/s"),
                           temperature_k=ureg.Quantity(320.0 - 273.15, "degC"))
    assert given_.length_m == 1.0 and given_.diameter_m == pytest.approx(0.15, rel=1e-15)
    assert given_.temperature_k == pytest.approx(320.0, rel=1e-12)
    assert raetz_separative_power(given_, 15e-3 * ureg("g/s"), 0.5) == pytest.approx(
        raetz_separative_power(plain, 15e-6, 0.5), rel=1e-12)
    assert dirac_separative_power(100 * ureg.cm, 485.0 * ureg("m/s")) == pytest.approx(
        dirac_separative_power(1.0, 485.0), rel=1e-12)
    m = Machine.from_rating("x", 4.0 / 12 * ureg("kg/month"), 1.4,
                            swu_range_per_yr=(3.0, 5.0) * ureg("kg/yr"))
    assert m.nominal_swu_per_yr == pytest.approx(4.0, rel=1e-12)
    assert m.swu_range_per_yr == (3.0, 5.0)
    q = m.design_feed_kg_per_yr
    assert m.separative_power(q / 12 * ureg("kg/month"), 0.5) == pytest.approx(
        m.separative_power(q, 0.5), rel=1e-12)


def test_wrong_units_for_machine_figures_name_the_parameter():
    ureg = pytest.importorskip("pint").UnitRegistry()
    with pytest.raises(UnitError, match="length_m: expected a length"):
        RotorGeometry(1.0 * ureg.kg, 0.15, 485.0)
    with pytest.raises(UnitError, match="swu_per_yr"):
        Machine.from_rating("x", 4.0 * ureg.kg, 1.4)         # a mass, not a rate
    with pytest.raises(UnitError, match="feed_kg_per_yr"):
        CATALOG.get("IR-6").gamma_235(100.0 * ureg.m, 0.5)
