"""Binary enrichment: reference vectors (tests/reference/binary_vectors.json), properties,
errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.composition import Assay
from enrichwatch.errors import AssayBound, AssayError, InputError, InputTypeError, MassError
from enrichwatch.physics.swu import (
    enrich,
    optimal_tails,
    reachable_product,
    separative_work,
    value,
    value_function,
    value_tangent,
)

VECTORS = {v["id"]: v for v in json.loads(
    (Path(__file__).parents[1] / "reference" / "binary_vectors.json").read_text())}
A = Assay.from_mass_fraction


def _close(actual, expected, tol):
    if "rel" in tol:
        assert actual == pytest.approx(expected, rel=tol["rel"])
    else:
        assert actual == pytest.approx(expected, abs=tol["abs"])


@pytest.mark.parametrize("vid", ["bin-pyne-nu-5pct", "bin-textbook-3.5pct"])
def test_binary_vectors_product_given(vid):
    v = VECTORS[vid]
    i, e, tol = v["inputs"], v["expected"], v["tolerance"]
    r = enrich(A(i["x_feed"]), A(i["x_prod"]), A(i["x_tail"]), product_kg=i["product_kg"])
    for key, got in (("feed_kg", r.feed_kg), ("tails_kg", r.tails_kg), ("swu_kgSWU", r.swu_kg)):
        _close(got, e[key], tol.get(key, tol))


def test_cyclus_toolkit_closed_forms():
    """bin-cyclus-toolkit-10kg: the source test compares with the closed forms at 1e-12 relative.

    The vector prints its expectations to 8 decimals (92.30769231 for 1200/13), coarser than that
    tolerance, so the closed forms are evaluated here as the source does, and the printed
    figures are checked to their printed precision (half a unit in the last digit).
    """
    v = VECTORS["bin-cyclus-toolkit-10kg"]
    i, e, tol = v["inputs"], v["expected"], v["tolerance"]
    xf, xp, xt, p = i["x_feed"], i["x_prod"], i["x_tail"], i["product_kg"]
    r = enrich(A(xf), A(xp), A(xt), product_kg=p)
    assert r.feed_kg == pytest.approx(p * (xp - xt) / (xf - xt), rel=tol["feed_kg"]["rel"])
    assert r.tails_kg == pytest.approx(p * (xp - xf) / (xf - xt), rel=tol["tails_kg"]["rel"])
    assert r.feed_kg == pytest.approx(e["feed_kg"], abs=5e-9)
    assert r.tails_kg == pytest.approx(e["tails_kg"], abs=5e-9)
    assert r.swu_kg == pytest.approx(e["swu_kgSWU"], abs=tol["swu_kgSWU"]["abs"])


def test_textbook_value_function_points():
    v = VECTORS["bin-textbook-3.5pct"]
    i, e = v["inputs"], v["expected"]
    for key, x in (("V_xp", i["x_prod"]), ("V_xt", i["x_tail"]), ("V_xf", i["x_feed"])):
        assert value_function(A(x)) == pytest.approx(e[key], abs=v["tolerance"]["V"]["abs"])


def test_cycamore_tails_quantity():
    v = VECTORS["bin-cycamore-tails-qty"]
    i, e = v["inputs"], v["expected"]
    r = enrich(A(i["x_feed"]), A(i["x_prod"]), A(i["x_tail"]),
               product_kg=np.full(i["trades"], i["product_kg_per_trade"]))
    assert r.tails_kg[0] == pytest.approx(e["tails_kg_per_trade"], abs=1e-9)
    assert r.tails_kg.sum() == pytest.approx(e["tails_kg_total"],
                                             abs=v["tolerance"]["tails_kg_total"]["abs"])


def test_wikipedia_loose_statement():
    v = VECTORS["bin-wikipedia-4.5pct-loose"]
    i, e = v["inputs"], v["expected"]
    r = enrich(A(i["x_feed"]), A(i["x_prod"]), A(i["x_tail_implied"]), feed_kg=i["feed_kg"])
    assert r.product_kg == pytest.approx(e["product_kg"], rel=0.01)
    assert r.swu_kg == pytest.approx(e["swu_kgSWU_computed"], rel=1e-3)
    assert r.swu_kg == pytest.approx(e["swu_kgSWU_statement"],
                                     rel=v["tolerance"]["swu_kgSWU_statement"]["rel"])


def test_value_function_points_vectorised():
    v = VECTORS["bin-value-function-points"]
    xs = np.array(v["inputs"]["x"])
    expected = np.array([v["expected"]["V"][str(x)] for x in v["inputs"]["x"]])
    got = value_function(A(xs))
    nonzero = expected != 0.0
    np.testing.assert_allclose(got[nonzero], expected[nonzero], rtol=v["tolerance"]["rel"])
    assert got[~nonzero] == pytest.approx(0.0, abs=1e-15)


def test_weapon_grade_grid_vectorised():
    v = VECTORS["bin-25kg-wgu-grid"]
    cases = v["inputs"]["cases"]
    xf = np.array([float(c.split(",")[0].split("=")[1]) for c in cases])
    xt = np.array([float(c.split(",")[1].split("=")[1]) for c in cases])
    r = enrich(A(xf), A(v["inputs"]["x_prod"]), A(xt), product_kg=v["inputs"]["product_kg"])
    for key, got in (("feed_kg", r.feed_kg), ("tails_kg", r.tails_kg), ("swu_kgSWU", r.swu_kg)):
        want = np.array([v["expected"][c][key] for c in cases])
        np.testing.assert_allclose(got, want, rtol=v["tolerance"]["rel"])


# --- solving for each unknown --------------------------------------------------------------
BASE = dict(feed=A(0.00711), product=A(0.9), tails=A(0.003))
REF = enrich(**BASE, product_kg=25.0)


@pytest.mark.parametrize("amount", ["feed_kg", "product_kg", "tails_kg", "swu_kg"])
def test_any_one_amount_determines_the_rest(amount):
    r = enrich(**BASE, **{amount: getattr(REF, amount)})
    for key in ("feed_kg", "product_kg", "tails_kg", "swu_kg"):
        assert getattr(r, key) == pytest.approx(getattr(REF, key), rel=1e-12)


@pytest.mark.parametrize("pair", [("feed_kg", "product_kg"), ("feed_kg", "tails_kg"),
                                  ("product_kg", "tails_kg"), ("product_kg", "swu_kg"),
                                  ("feed_kg", "swu_kg"), ("tails_kg", "swu_kg")])
def test_tails_assay_solved_from_two_amounts(pair):
    r = enrich(BASE["feed"], BASE["product"], **{k: getattr(REF, k) for k in pair})
    assert r.tails.mass_fraction == pytest.approx(0.003, rel=1e-9)
    assert r.swu_kg == pytest.approx(REF.swu_kg, rel=1e-9)


def test_reachable_product_with_swu_and_feed_budgets():
    p = reachable_product(**BASE, swu_kg=REF.swu_kg)
    assert p == pytest.approx(25.0, rel=1e-12)
    limited = reachable_product(**BASE, swu_kg=REF.swu_kg, feed_kg=REF.feed_kg / 2)
    assert limited == pytest.approx(12.5, rel=1e-12)


def test_optimal_tails_minimises_cost():
    xw = optimal_tails(A(0.00711), feed_price=100.0, swu_price=150.0).mass_fraction
    grid = np.linspace(0.001, 0.0065, 20001)
    r = enrich(A(0.00711), A(0.05), A(grid), product_kg=1.0)
    brute = grid[np.argmin(100.0 * r.feed_kg + 150.0 * r.swu_kg)]
    assert xw == pytest.approx(brute, abs=grid[1] - grid[0])


def test_optimal_tails_falls_as_feed_gets_dearer():
    xw = optimal_tails(A(0.00711), np.array([50.0, 100.0, 200.0, 400.0]), 150.0).mass_fraction
    assert np.all(np.diff(xw) < 0)


# --- properties ---------------------------------------------------------------------------
fractions = st.floats(1e-4, 0.9999)


@given(fractions, fractions, fractions, st.floats(1e-3, 1e4))
def test_balances_and_swu_nonnegative(a, b, c, p):
    xw, xf, xp = sorted((a, b, c))
    if not (xw < xf < xp) or xf - xw < 1e-6 or xp - xf < 1e-6:
        return
    r = enrich(A(xf), A(xp), A(xw), product_kg=p)
    assert r.feed_kg == pytest.approx(r.product_kg + r.tails_kg, rel=1e-9)
    assert r.feed_kg * xf == pytest.approx(r.product_kg * xp + r.tails_kg * xw, rel=1e-9)
    assert r.swu_kg >= -1e-9 * r.feed_kg


@given(st.floats(0.002, 0.05), st.floats(0.06, 0.95))
def test_swu_rises_as_tails_fall(xf, xp):
    xw = np.linspace(xf * 0.05, xf * 0.95, 50)
    r = enrich(A(xf), A(xp), A(xw), product_kg=1.0)
    assert np.all(np.diff(r.swu_kg) < 0)


@given(fractions, fractions, fractions, st.floats(1e-3, 1e4))
def test_separative_work_of_a_split_is_that_of_enrich(a, b, c, p):
    xw, xf, xp = sorted((a, b, c))
    if not (xw < xf < xp) or xf - xw < 1e-6 or xp - xf < 1e-6:
        return
    r = enrich(A(xf), A(xp), A(xw), product_kg=p)
    work = separative_work(xf, xp, xw, r.feed_kg, r.product_kg, r.tails_kg)
    assert work == pytest.approx(r.swu_kg, rel=1e-9, abs=1e-9 * r.feed_kg)


@given(st.floats(1e-6, 1 - 1e-6), st.floats(1e-6, 1 - 1e-6))
def test_value_tangent_touches_at_its_point_and_lies_below(x, y):
    a, b = value_tangent(x)
    assert a + b * x == pytest.approx(value(x), rel=1e-9, abs=1e-9)
    assert a + b * y <= value(y) + 1e-9 * (1 + abs(value(y)))


def test_value_symmetry():
    x = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(value(x), value(1 - x), rtol=1e-12)


# --- bad input ----------------------------------------------------------------------------
def test_tails_not_below_feed_is_rejected():
    with pytest.raises(AssayError, match="tails") as err:
        enrich(A(0.00711), A(0.05), A(0.01), product_kg=1.0)
    assert isinstance(err.value, ValueError)
    assert err.value.value == 0.01


def test_product_not_above_feed_is_rejected():
    with pytest.raises(AssayError, match="product"):
        enrich(A(0.05), A(0.03), A(0.003), product_kg=1.0)


def test_negative_mass_is_rejected():
    with pytest.raises(MassError, match="product_kg"):
        enrich(**BASE, product_kg=-1.0)


def test_wrong_number_of_amounts():
    with pytest.raises(InputError, match="exactly 1"):
        enrich(**BASE, product_kg=1.0, feed_kg=10.0)
    with pytest.raises(InputError, match="exactly 2"):
        enrich(BASE["feed"], BASE["product"], product_kg=1.0)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_assay_outside_range(bad):
    with pytest.raises(AssayError):
        Assay.from_mass_fraction(bad)


# --- units at the edge (issue 8) -------------------------------------------------------------
def test_budgets_and_prices_may_be_quantities():
    ureg = pytest.importorskip("pint").UnitRegistry()
    p = reachable_product(**BASE, swu_kg=REF.swu_kg / 1000 * ureg.t,
                          feed_kg=REF.feed_kg / 2 * 1000 * ureg.g)
    assert p == pytest.approx(12.5, rel=1e-12)
    ureg.define("EUR = [currency]")
    xw = optimal_tails(A(0.00711), 100.0 * ureg("EUR/kg"), 150.0 * ureg("EUR/kg"))
    assert xw == optimal_tails(A(0.00711), 100.0, 150.0)


def test_bare_float_assays_are_type_errors_not_attribute_errors():
    with pytest.raises(InputTypeError, match="tails: expected an Assay") as info:
        enrich(A(0.00711), A(0.9), 0.003, product_kg=1.0)
    assert isinstance(info.value, TypeError) and info.value.value == 0.003
    with pytest.raises(InputTypeError, match="feed"):
        reachable_product(0.00711, A(0.9), A(0.003), 10.0)
    with pytest.raises(InputTypeError, match="assay"):
        value_function(0.5)


# --- issue 14: enrich() at the cost of three value-function evaluations ----------------------
def _reference_per_product(xf, xp, xw):
    """The formula as written before issue 14: V evaluated twice per stream, temporaries."""
    def v(x):
        return (2.0 * x - 1.0) * np.log(x / (1.0 - x))
    feed = (xp - xw) / (xf - xw)
    tails = feed - 1.0
    return feed, tails, v(xp) + tails * v(xw) - feed * v(xf)


def test_issue14_enrich_evaluates_the_value_function_once_per_stream(monkeypatch):
    from enrichwatch.physics import swu

    calls = []
    original = swu._half_value

    def counting(x, out, scratch):
        calls.append(np.shape(x))
        return original(x, out, scratch)

    monkeypatch.setattr(swu, "_half_value", counting)
    n = 1000
    xw = np.linspace(0.001, 0.004, n)
    enrich(A(np.full(n, 0.00711)), A(np.full(n, 0.05)), A(xw), product_kg=2.0)
    assert calls == [(n,)] * 3
    calls.clear()
    enrich(A(0.00711), A(0.05), A(xw), feed_kg=np.full(n, 10.0))   # feed given: still three
    assert sorted(calls) == [(), (), (n,)]


shapes = st.sampled_from([((), (), (5,)), ((5,), (5,), (5,)), ((), (3, 1), (4,)),
                          ((2, 1, 1), (1, 3, 1), (1, 1, 4))])


@given(shapes, st.integers(0, 2**32 - 1))
def test_issue14_fast_split_is_bitwise_the_reference_formula(shape_set, seed):
    from enrichwatch.physics.swu import _split

    rng = np.random.default_rng(seed)
    xf = rng.uniform(0.002, 0.05, shape_set[0])
    xp = rng.uniform(0.06, 0.999, shape_set[1])
    xw = rng.uniform(1e-5, 0.0019, shape_set[2])
    shape = np.broadcast_shapes(*shape_set)
    got = _split(np.asarray(xf), np.asarray(xp), np.asarray(xw), shape)
    for a, b in zip(got, _reference_per_product(xf, xp, xw), strict=True):
        assert a.shape == shape
        np.testing.assert_array_equal(a, np.broadcast_to(b, shape))


@given(st.lists(st.floats(1e-12, 1 - 1e-12), min_size=0, max_size=20))
def test_value_is_bitwise_the_formula(xs):
    x = np.array(xs, dtype=float)
    np.testing.assert_array_equal(value(x), (2.0 * x - 1.0) * np.log(x / (1.0 - x)))
    if xs:
        assert isinstance(value(xs[0]), float) and value(xs[0]) == float(value(x[:1])[0])


def test_issue14_amounts_are_fresh_arrays_not_views_of_the_input():
    product = np.array([1.0, 2.0, 3.0])
    r = enrich(A(0.00711), A(0.05), A(np.array([0.002, 0.003, 0.004])), product_kg=product)
    product[:] = 99.0
    np.testing.assert_array_equal(r.product_kg, [1.0, 2.0, 3.0])
    assert not any(np.shares_memory(getattr(r, k), getattr(r, j))
                   for k in ("feed_kg", "product_kg", "tails_kg", "swu_kg")
                   for j in ("feed_kg", "product_kg", "tails_kg", "swu_kg") if k < j)


def test_issue14_broadcast_result_shapes():
    r = enrich(A(0.00711), A(np.array([[0.05], [0.2], [0.9]])), A(np.linspace(0.001, 0.005, 4)),
               product_kg=1.0)
    for key in ("feed_kg", "product_kg", "tails_kg", "swu_kg"):
        assert np.shape(getattr(r, key)) == (3, 4)
    scalar = enrich(A(0.00711), A(0.05), A(0.003), tails_kg=5.0)
    assert all(type(getattr(scalar, k)) is float for k in ("feed_kg", "product_kg", "swu_kg"))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, -0.0 - 1e-300])
@pytest.mark.parametrize("where", [0, 4999, 9999])
def test_issue14_a_bad_amount_anywhere_in_a_large_array_is_refused(bad, where):
    amounts = np.full(10_000, 3.0)
    amounts[where] = bad
    with pytest.raises(MassError, match="product_kg") as info:
        enrich(A(0.00711), A(0.05), A(0.003), product_kg=amounts)
    assert info.value.value == bad or (np.isnan(bad) and np.isnan(info.value.value))


def test_issue14_overflowing_amounts_are_refused():
    with pytest.raises(MassError, match="amounts"):
        enrich(A(0.00711), A(0.9), A(0.003), product_kg=np.array([1.0, 1e308]))
    with pytest.raises(MassError, match="amounts"):   # product = tails / (tiny tails per product)
        enrich(A(0.00711), A(0.00712), A(1e-6), tails_kg=np.array([1e308, 1.0]))


# --- the bound broken, as data (a caller reads it without parsing the message) -----------------
def test_product_not_above_feed_carries_the_feed_as_its_bound():
    with pytest.raises(AssayError) as err:
        enrich(A(0.05), A(0.03), A(0.003), product_kg=1.0)
    assert err.value.bound == AssayBound("above feed", 0.05, "mass")


def test_tails_not_below_feed_carries_the_feed_as_its_bound():
    with pytest.raises(AssayError) as err:
        reachable_product(A(0.00711), A(0.05), A(0.01), swu_kg=1.0)
    assert err.value.bound == AssayBound("below feed", 0.00711, "mass")


def test_the_bound_is_the_feed_of_the_element_at_fault():
    # element 1 is at fault: its feed (5 %), not element 0's (0.711 %), is the bound
    with pytest.raises(AssayError) as err:
        enrich(A(np.array([0.00711, 0.05])), A(np.array([0.9, 0.03])), A(0.003), product_kg=1.0)
    assert (err.value.param, err.value.value) == ("product", 0.03)
    assert err.value.bound == AssayBound("above feed", 0.05, "mass")
    assert "0.05 (5 wt%)" in str(err.value) and "0.00711" not in str(err.value)


_FRACTION = st.floats(1e-4, 0.999)


@given(feed=st.lists(_FRACTION, min_size=1, max_size=3), product=_FRACTION, tails=_FRACTION,
       call=st.sampled_from(["enrich", "reachable_product"]))
def test_every_assay_order_error_carries_a_bound_that_the_value_breaks(feed, product, tails,
                                                                         call):
    """Whichever raise site fires, an error about the product or tails assay says, as data,
    which side of which feed assay it must lie on, and the value given lies on the other."""
    xf = np.array(feed)
    run = {"enrich": lambda: enrich(A(xf), A(product), A(tails), product_kg=1.0),
           "reachable_product": lambda: reachable_product(A(xf), A(product), A(tails), 1.0)}
    ordered = bool(np.all((tails < xf) & (xf < product)))
    if ordered:
        run[call]()
        return
    with pytest.raises(AssayError) as err:
        run[call]()
    bound = err.value.bound
    assert bound is not None and bound.basis == "mass" and bound.fraction in feed
    if err.value.param == "product":
        assert bound.kind == "above feed" and err.value.value == product <= bound.fraction
    else:
        assert err.value.param == "tails" and np.all(product > xf)
        assert bound.kind == "below feed" and err.value.value == tails >= bound.fraction
