"""MUF covariance: exact linear propagation (checked against a brute-force propagation and a
literal simulation of every measurement), the MAPIT and RSS conventions, contributions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.accountancy import (
    BalancePeriods,
    Items,
    MaterialBalanceArea,
    MeasurementModel,
    MeasurementPoint,
    PointMeasurement,
    Uncertainty,
    balance_design,
    material_balance,
    muf_covariance,
    simulate_observations,
)
from enrichwatch.errors import InputError
from tests.accountancy.helpers import balanced_plant, toy_area, toy_model, vector

w = Items.from_weight_percent


def _toy(masses_in, masses_out, inventory, assay=(1.0, 3.0, 0.3)):
    n = len(masses_in)
    mid = 10.0 * (np.arange(n) + 0.5)
    area = MaterialBalanceArea("toy", (
        MeasurementPoint("in", "input", w(mid, masses_in, assay[0])),
        MeasurementPoint("inv", "inventory", w(10.0 * np.arange(n + 1), inventory, assay[1])),
        MeasurementPoint("out", "output", w(mid + 1, masses_out, assay[2]))))
    return area, BalancePeriods.regular(0.0, 10.0, n)


def _model(cal=None):
    return MeasurementModel({
        "in": PointMeasurement(Uncertainty(0.01, 0.005, cal, "scale"), Uncertainty(0.02, 0.01)),
        "inv": PointMeasurement(Uncertainty(0.02, 0.01, cal), Uncertainty(0.01, 0.01, cal)),
        "out": PointMeasurement(Uncertainty(0.01, 0.005, cal, "scale"), Uncertainty(0.03, 0.0))})


def _brute_force(area, periods, model, quantity):
    """A Cov(x) A^T with Cov(x) written out record by record."""
    d = balance_design(area, periods, quantity)
    names, parts = d.names, []
    for j in range(d.values.size):
        pm = model.points[names[d.point_index[j]]]
        parts.append(pm.parts(quantity, "m"))
    n = d.values.size
    cov = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for (part_i, ui), (part_j, uj) in ((a, b) for a in parts[i] for b in parts[j]):
                if i == j and part_i == part_j:
                    cov[i, j] += ui.random_rsd**2
                owner_i = ui.instrument or names[d.point_index[i]]
                owner_j = uj.instrument or names[d.point_index[j]]
                if part_i != part_j or owner_i != owner_j:
                    continue
                period = ui.calibration_period_h                  # the same for one owner
                if period is None or (np.ceil(d.times_h[i] / period)
                                      == np.ceil(d.times_h[j] / period)):
                    cov[i, j] += ui.systematic_rsd * uj.systematic_rsd
    a = d.coef * d.values
    return a @ cov @ a.T


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1, 500), min_size=3, max_size=3),
       st.lists(st.floats(1, 500), min_size=3, max_size=3),
       st.lists(st.floats(1, 500), min_size=4, max_size=4),
       st.sampled_from([None, 10.0, 20.0]), st.sampled_from(["U", "U235"]))
def test_exact_covariance_is_the_linear_propagation(x_in, x_out, inv, cal, quantity):
    area, periods = _toy(x_in, x_out, inv)
    model = _model(cal)
    got = muf_covariance(area, model, periods, quantity)
    want = _brute_force(area, periods, model, quantity)
    assert got.matrix == pytest.approx(want, rel=1e-10, abs=1e-12)
    assert np.all(np.linalg.eigvalsh(got.matrix) > -1e-9)
    total = sum(r + s for r, s in got.contributions.values())
    assert total == pytest.approx(np.diag(got.matrix), rel=1e-12)


@pytest.mark.parametrize("quantity", ["U", "U235"])
def test_exact_covariance_matches_a_literal_simulation(quantity):
    area, periods = _toy([100, 120, 90, 110], [98, 121, 92, 108], [50, 52, 51, 53, 52])
    model = _model(cal=20.0)
    n = 40_000
    obs = simulate_observations(area, model, iterations=n, seed=11, origin_h=periods)
    d = balance_design(area, periods, quantity)
    x = np.concatenate([o.values * (o.u235_fraction if quantity == "U235" else 1.0)
                        for o in obs.values()], axis=1)          # records in design order
    muf = x @ d.coef.T
    cov = muf_covariance(area, model, periods, quantity).matrix
    scale = np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    assert np.cov(muf.T) == pytest.approx(cov, abs=float(5 * np.sqrt(2 / n) * scale.max()))
    assert muf.mean(axis=0) == pytest.approx(d.muf(), abs=float(5 * np.sqrt(cov.max() / n)))


def test_conventions_differ_as_documented():
    v = vector("SG-SMUF-002")
    area, periods = toy_area(v["inputs"])
    model = toy_model(v["inputs"])
    exact, mapit, rss = (muf_covariance(area, model, periods, convention=c)
                         for c in ("exact", "mapit", "rss"))
    assert mapit.sigma_muf[1:] == pytest.approx(rss.sigma_muf[1:])          # only C0 differs
    assert mapit.sigma_muf[0] < rss.sigma_muf[0]
    assert np.all(rss.sigma_muf > exact.sigma_muf)       # the inventory covariance is negative
    for cov in (mapit, rss):
        total = sum(r + s for r, s in cov.contributions.values())
        assert total == pytest.approx(np.diag(cov.matrix))
    with pytest.raises(InputError):
        muf_covariance(area, model, periods, convention="gum")


def test_recalibrating_every_balance_removes_the_systematic_correlation_of_transfers():
    area, periods = _toy([100, 100, 100], [100, 100, 100], [50, 50, 50, 50])
    m = MeasurementModel({n: PointMeasurement(Uncertainty(0.01, 0.01, 10.0)) for n in area.names})
    cov = muf_covariance(area, m, periods).systematic
    # transfers: own calibration per balance -> no lag-2 term; the shared inventory C_1 keeps
    # a lag-1 term (-C^2 rsd_s^2 as both balances see the same inventory measurement)
    assert cov[0, 2] == pytest.approx(0.0, abs=1e-12)
    assert cov[0, 1] == pytest.approx(-(50**2) * 0.01**2)


def test_contributions_name_points_and_instruments():
    area, periods = _toy([100, 100, 100], [100, 100, 100], [50, 50, 50, 50])
    cov = muf_covariance(area, _model(), periods)
    assert set(cov.contributions) == {"in", "inv", "out", "scale"}
    rand_in, sys_in = cov.contributions["in"]
    assert rand_in == pytest.approx([100**2 * 0.01**2] * 3)
    assert sys_in == pytest.approx([0.0] * 3)                # its systematic error is the scale's


def test_sigma_cumuf_uses_the_covariances():
    area, periods, model = balanced_plant(3)
    cov = muf_covariance(area, model, periods)
    assert cov.sigma_cumuf()[-1] == pytest.approx(np.sqrt(cov.matrix.sum()))
    assert cov.sigma_cumuf()[0] == pytest.approx(cov.sigma_muf[0])


def test_material_balance_repr_and_terms():
    area, periods, _ = balanced_plant(2)
    mb = material_balance(area, periods)
    assert "2 periods" in repr(mb)
    assert set(mb.point_terms) == set(area.names)
    assert mb.physical.tolist() == pytest.approx([20_400.0, 20_400.0])
