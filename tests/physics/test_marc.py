"""Tests of enrichwatch.physics.marc: the MARC relations' analytic slopes and the stage fit.

Issue 14 ("Solvers that scale") replaced finite-difference Jacobians by analytic ones; these
tests hold the analytic slopes to central finite differences over admissible inputs, the fast
residual to its definition (the U-235 fraction of the streams), and the fit to the stage
numbers that made its targets. Tolerances: central differences with step h have a truncation
error ~h^2 and a rounding error ~1e-16/h, so with h = 1e-5 (relative) agreement to 1e-6
relative is a real check; residuals agree to 1e-11 (rounding of logs of the streams).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import Composition
from enrichwatch.constants import ISOTOPE_MASS
from enrichwatch.physics import marc
from enrichwatch.physics.marc import (
    EXP_CAP,
    FitEquations,
    FitTargets,
    fit_stages,
    share_slopes,
    shares,
    streams,
)
from enrichwatch.physics.separation import PerUnitMass, WoodCentrifuge, WoodDiffusion

tiny = st.floats(1e-12, 1e-6).flatmap(lambda x: st.sampled_from([x, -x]))
log_factors = st.lists(st.one_of(st.floats(-0.4, 0.4).filter(lambda x: x == 0 or abs(x) > 1e-12),
                                 st.just(0.0), tiny), min_size=2, max_size=5)
enriching = st.floats(0.5, 300.0)
stripping = st.floats(-0.4, 150.0)


def _central(f, x: float, h: float) -> np.ndarray:
    return (np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2.0 * h)


def _close(analytic, numeric, rtol=1e-6, rounding=0.0):
    """Within ``rtol`` (truncation ~h^2) plus ``rounding``, the differences' own rounding error
    (a few ulps of the function over the step), plus 1e-7 of the largest slope."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    scale = max(float(np.abs(numeric).max()), 1e-300)
    allowed = rtol * np.abs(numeric) + 1e-7 * scale + rounding
    assert np.all(np.abs(analytic - numeric) <= allowed), (analytic, numeric, allowed)


# -- slopes of the shares ---------------------------------------------------------------------
@given(log_factors, enriching, stripping)
@settings(max_examples=200)
def test_share_slopes_match_finite_differences(log_a, n_e, n_s):
    log_a = np.array(log_a)
    reach = np.abs(log_a).max() * (max(n_e, n_s + 1.0) * 1.01)
    assume(abs(reach - EXP_CAP) > 0.05 * EXP_CAP)  # not straddling the clip
    phi, psi, d_ne, d_m1 = share_slopes(log_a, n_e, n_s)
    np.testing.assert_array_equal(np.stack([phi, psi]), np.stack(shares(log_a, n_e, n_s)))
    h_e, h_s = 1e-5 * n_e, 1e-5 * (n_s + 1.0)

    def smaller_share(*stages):   # the share below 1/2 keeps its relative precision
        phi_, psi_ = shares(log_a, *stages)
        return np.where(phi < 0.5, phi_, -psi_)   # d psi = -d phi

    size = np.abs(smaller_share(n_e, n_s))
    _close(d_ne, _central(lambda n: smaller_share(n, n_s), n_e, h_e), rounding=1e-14 * size / h_e)
    _close(d_m1, _central(lambda n: smaller_share(n_e, n), n_s, h_s), rounding=1e-14 * size / h_s)


@pytest.mark.parametrize(("n_e", "n_s"), [(30.0, 10.0), (7.5, 0.0), (0.6, -0.3)])
def test_share_slopes_at_a_unit_factor_are_the_limits(n_e, n_s):
    """alpha*_i = 1 (an isotope at M*): phi = m/(n_e + m), and the slopes tend to its
    derivatives from either side without cancellation."""
    m = n_s + 1.0
    phi, _, d_ne, d_m1 = share_slopes(np.array([0.0, 0.1]), n_e, n_s)
    assert phi[0] == m / (n_e + m)
    assert d_ne[0] == -m / (n_e + m) ** 2
    assert d_m1[0] == n_e / (n_e + m) ** 2
    for tiny in (1e-12, -1e-9, 1e-6):
        _, _, near_e, near_m = share_slopes(np.array([tiny, 0.1]), n_e, n_s)
        assert near_e[0] == pytest.approx(d_ne[0], rel=100 * abs(tiny) + 1e-9)
        assert near_m[0] == pytest.approx(d_m1[0], rel=100 * abs(tiny) + 1e-9)


def test_clipped_shares_do_not_move():
    """Where an exponent is clipped at EXP_CAP the share is constant, so its slope is 0."""
    log_a = np.array([5.0, -5.0, 0.01])
    phi, psi, d_ne, d_m1 = share_slopes(log_a, 200.0, 199.0)   # 5 * 200 > 700
    assert d_m1[0] == 0.0 and d_ne[1] == 0.0
    assert phi[0] == 1.0 and psi[1] == 1.0
    _close(d_ne[2], _central(lambda n: shares(log_a, n, 199.0)[0][2], 200.0, 1e-3))


# -- the fit equations ------------------------------------------------------------------------
feeds = st.builds(
    lambda u5, r4, u6: Composition.from_atom_fractions(
        {"U234": u5 * r4, "U235": u5, "U236": u6, "U238": 1 - u5 * (1 + r4) - u6}),
    u5=st.floats(0.002, 0.05), r4=st.floats(0.0, 0.05), u6=st.floats(0.0, 0.01))
laws = st.one_of(st.builds(WoodCentrifuge, st.floats(1.1, 1.8)),
                 st.builds(PerUnitMass, st.floats(1.02, 1.2), st.floats(235.5, 237.5)),
                 st.just(PerUnitMass(1.05, 236.0)),   # alpha* = 1 for U-236 exactly
                 st.just(WoodDiffusion()))
bases = st.sampled_from(["atom", "mass"])


def _log_a(feed: Composition, law) -> np.ndarray:
    m_star = getattr(law, "m_star", None) or 0.5 * (ISOTOPE_MASS["U235"] + ISOTOPE_MASS["U238"])
    return np.log(law.symmetric_factors(feed.isotopes, m_star))


def _targets(feed: Composition, bases_: tuple[str, str], values=(0.5, 0.001)) -> FitTargets:
    weights = tuple(feed.masses if b == "mass" else 1.0 for b in bases_)
    return FitTargets.of(feed.atom_fractions, feed.isotopes.index("U235"), weights, values)


def _u235(x: np.ndarray, feed: Composition, basis: str) -> float:
    j = feed.isotopes.index("U235")
    return float(x[j] if basis == "atom" else x[j] * feed.masses[j] / (x @ feed.masses))


def _u235_odds(x: np.ndarray, feed: Composition, basis: str) -> float:
    """U-235 over the other isotopes (atom or mass), without forming 1 - fraction."""
    j = feed.isotopes.index("U235")
    w = x if basis == "atom" else x * feed.masses
    return float(w[j] / np.delete(w, j).sum())


@given(feeds, laws, st.tuples(bases, bases), st.floats(-0.5, 5.5), st.floats(-0.3, 4.5))
@settings(max_examples=150, deadline=None)
def test_fit_jacobian_matches_finite_differences(feed, law, bases_, z0, z1):
    eq = FitEquations(_log_a(feed, law), _targets(feed, bases_))
    r, jac = eq(np.array([z0, z1]))
    assume(np.all(np.isfinite(r)) and np.abs(r).max() < 30)   # shares not underflowed
    h = 1e-5
    numeric = np.stack([_central(lambda t: eq(np.array([t, z1]))[0], z0, h),
                        _central(lambda t: eq(np.array([z0, t]))[0], z1, h)], axis=1)
    _close(jac, numeric, rtol=1e-5)


@given(feeds, laws, st.tuples(bases, bases), st.floats(0.0, 4.5), st.floats(0.0, 4.0))
@settings(max_examples=100, deadline=None)
def test_fit_residuals_are_the_logit_errors_of_the_streams(feed, law, bases_, z0, z1):
    """The residual, computed from the shares without normalising the streams, is
    logit(U-235 of the stream) - logit(target) as the definition reads."""
    log_a = _log_a(feed, law)
    n_e, n_s = math.exp(z0), math.expm1(z1)
    _, x_p, x_t = streams(feed.atom_fractions, log_a, n_e, n_s)
    got = (_u235(x_p, feed, bases_[0]), _u235(x_t, feed, bases_[1]))
    assume(got[0] < 1 - 1e-8 and got[1] > 1e-12)
    r, _ = FitEquations(log_a, _targets(feed, bases_, (0.6, 0.002)))(np.array([z0, z1]))
    # logit from U-235 over the other isotopes: 1 - g formed by subtraction loses eps/(1 - g)
    # (1.5e-10 of a product at 1 - 1e-8 in a stored example), the reference's error, not the fit's
    odds = [_u235_odds(x_p, feed, bases_[0]), _u235_odds(x_t, feed, bases_[1])]
    want = [math.log(o) - math.log(t / (1 - t)) for o, t in zip(odds, (0.6, 0.002), strict=True)]
    np.testing.assert_allclose(r, want, rtol=0, atol=1e-11 * (1 + max(map(abs, want))))


def test_fast_path_equals_the_general_one():
    """The in-place path (no clipping, no unit factor) gives what share_slopes gives."""
    feed = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    eq = FitEquations(_log_a(feed, WoodCentrifuge(1.3)), _targets(feed, ("atom", "mass")))
    fast = eq.floats(3.1, 2.2)
    eq._unit = True   # forces the general path through share_slopes
    np.testing.assert_allclose(eq.floats(3.1, 2.2), fast, rtol=1e-14, atol=1e-15)


# -- the fit ------------------------------------------------------------------------------------
@given(feeds, laws, st.floats(0.5, 80.0), st.floats(0.0, 40.0), st.tuples(bases, bases))
@settings(max_examples=80, deadline=None)
def test_fit_recovers_the_targets_of_known_stages(feed, law, n_e, n_s, bases_):
    log_a = _log_a(feed, law)
    _, x_p, x_t = streams(feed.atom_fractions, log_a, n_e, n_s)
    values = (_u235(x_p, feed, bases_[0]), _u235(x_t, feed, bases_[1]))
    assume(values[0] < 1 - 1e-9 and values[1] > 1e-12 and values[0] - values[1] > 1e-6)
    targets = _targets(feed, bases_, values)
    guess = (max(n_e * 0.5, 0.5), n_s * 0.7)
    got_e, got_s, message = fit_stages(log_a, targets, guess)
    assert message == ""
    r, _ = FitEquations(log_a, targets)(np.array([math.log(got_e), math.log1p(got_s)]))
    assert np.abs(r).max() <= marc.FIT_TOL


def test_root_fallback_uses_the_same_equations(monkeypatch):
    """Where Newton stalls, SciPy's root (hybr, then lm) takes over with the analytic
    Jacobian and reaches the same stage numbers."""
    feed = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    log_a = _log_a(feed, WoodCentrifuge(1.3))
    targets = _targets(feed, ("atom", "atom"), (0.9, 0.001))
    newton = fit_stages(log_a, targets, (40.0, 10.0))
    monkeypatch.setattr(marc, "_newton", lambda *args: None)
    fallback = fit_stages(log_a, targets, (40.0, 10.0))
    assert fallback[2] == ""
    assert fallback[:2] == pytest.approx(newton[:2], rel=1e-9)


def test_unreachable_targets_give_a_message_not_an_exception():
    feed = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    log_a = _log_a(feed, WoodCentrifuge(1.3))
    n_e, n_s, message = fit_stages(log_a, _targets(feed, ("atom", "atom"), (0.99995, 0.001)),
                                   (40.0, 10.0))   # beyond the U-234 plateau of the product
    assert math.isnan(n_e) and math.isnan(n_s) and message


def test_the_fit_is_deterministic():
    """Same input, same bits: no clock, no state carried between fits."""
    feed = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
    log_a = _log_a(feed, PerUnitMass(1.05, 236.2))
    targets = _targets(feed, ("mass", "mass"), (0.05, 0.0025))
    first = fit_stages(log_a, targets, (20.0, 5.0))
    fit_stages(log_a, _targets(feed, ("atom", "atom"), (0.2, 0.003)), (20.0, 5.0))
    assert fit_stages(log_a, targets, (20.0, 5.0)) == first
