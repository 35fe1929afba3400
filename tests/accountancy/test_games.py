"""Inspection games: SG-GAME-002, the 2x2 closed form against support enumeration, the zero-sum
LP against the 2x2 closed form, equilibrium conditions on random games, bad input."""

import zlib

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from enrichwatch.accountancy.games import (
    InspectionGame,
    bimatrix_equilibria,
    deterrence_condition,
    inspection_game,
    solve_2x2_zero_sum,
    solve_zero_sum,
)
from enrichwatch.errors import InputError
from tests.accountancy.verification_vectors import VECTORS

GAME = VECTORS["SG-GAME-002"]


def _game(**changes):
    i = GAME["inputs"]
    kw = dict(gain=i["d"], sanction=i["b"], inspection_cost=i["e"], undetected_loss=i["c"],
              detected_loss=i["a"])
    return kw | changes


def test_sg_game_002_equilibrium():
    """SG-GAME-002: p* = d/(b+d) = 0.1, q* = e/(c-a+e) = 0.1, critical detection probability
    0.1 (tolerance 1e-12)."""
    eq, e, tol = inspection_game(**_game()), GAME["expected"], GAME["tolerance"]
    assert eq.inspection_probability == pytest.approx(e["inspection_probability"], abs=tol)
    assert eq.violation_probability == pytest.approx(e["violation_probability"], abs=tol)
    assert eq.critical_detection_probability == pytest.approx(
        e["critical_detection_probability"], abs=tol)
    assert eq.deterrence_possible and eq.inspectee_payoff == 0.0


@pytest.mark.parametrize("detection", [1.0, 0.8, 0.25, 0.11])
def test_closed_form_is_the_support_enumeration_equilibrium(detection):
    """The closed form is the unique (mixed) equilibrium the bimatrix solver finds on the same
    payoff matrices, with imperfect detection too."""
    eq = inspection_game(**_game(), detection_probability=detection)
    inspector, inspectee = eq.game.payoffs()
    found = bimatrix_equilibria(inspector, inspectee)
    assert len(found) == 1
    (x, y) = found[0].row_strategy, found[0].column_strategy
    assert x[0] == pytest.approx(eq.inspection_probability, abs=1e-12)
    assert y[1] == pytest.approx(eq.violation_probability, abs=1e-12)
    assert found[0].row_payoff == pytest.approx(eq.inspector_payoff, abs=1e-12)
    assert found[0].column_payoff == pytest.approx(eq.inspectee_payoff, abs=1e-12)
    p_star = GAME["inputs"]["d"] / (detection * (GAME["inputs"]["b"] + GAME["inputs"]["d"]))
    assert eq.inspection_probability == pytest.approx(min(p_star, 1.0), abs=1e-12)


def test_at_the_critical_detection_probability_the_game_is_degenerate():
    """1 - beta = d/(b+d): at p = 1 the inspectee is indifferent, every q in [q*, 1] is an
    equilibrium; the closed form gives the one with least violation, the support enumeration
    finds it among the extreme ones."""
    eq = inspection_game(**_game(), detection_probability=0.1)
    assert eq.inspection_probability == 1.0 and eq.deterrence_possible
    found = bimatrix_equilibria(*eq.game.payoffs())
    assert any(f.row_strategy == pytest.approx((1.0, 0.0)) and f.column_strategy[1] ==
               pytest.approx(eq.violation_probability) for f in found)
    assert all(_is_equilibrium(*eq.game.payoffs(), f) for f in found)


def test_below_the_critical_detection_probability_nothing_deters():
    eq = inspection_game(**_game(), detection_probability=0.05)
    assert not eq.deterrence_possible
    assert (eq.inspection_probability, eq.violation_probability) == (1.0, 1.0)
    found = bimatrix_equilibria(*eq.game.payoffs())
    assert [(f.row_strategy, f.column_strategy) for f in found] == [((1.0, 0.0), (0.0, 1.0))]
    none = inspection_game(**_game(), detection_probability=0.0)
    assert none.inspection_probability == 0.0 and none.violation_probability == 1.0


def test_deterrence_condition_and_leadership():
    eq = inspection_game(**_game(), detection_probability=0.5)
    p = eq.leadership_inspection_probability
    assert p == pytest.approx(0.2) and eq.leadership_inspector_payoff == pytest.approx(-0.2)
    assert deterrence_condition(p, 0.5, GAME["inputs"]["d"], GAME["inputs"]["b"])
    assert not deterrence_condition(0.19, 0.5, GAME["inputs"]["d"], GAME["inputs"]["b"])
    assert deterrence_condition(1.0, 0.1, 1, 9)                      # exactly critical: tie


# -- zero-sum games ---------------------------------------------------------------------------

payoffs = st.integers(-20, 20).map(float) | st.floats(-100, 100, allow_nan=False, width=32)


@settings(max_examples=300, deadline=None)
@given(st.lists(payoffs, min_size=4, max_size=4))
def test_zero_sum_lp_value_agrees_with_the_2x2_closed_form(values):
    matrix = np.array(values).reshape(2, 2)
    lp, closed = solve_zero_sum(matrix), solve_2x2_zero_sum(matrix)
    scale = max(1.0, float(np.abs(matrix).max()))
    assert lp.value == pytest.approx(closed.value, abs=1e-7 * scale)
    # each strategy guarantees the value against every reply (optimality, not uniqueness)
    assert np.all(np.array(closed.row_strategy) @ matrix >= closed.value - 1e-9 * scale)
    assert np.all(matrix @ np.array(closed.column_strategy) <= closed.value + 1e-9 * scale)
    assert np.all(np.array(lp.row_strategy) @ matrix >= lp.value - 1e-7 * scale)
    assert np.all(matrix @ np.array(lp.column_strategy) <= lp.value + 1e-7 * scale)


def test_known_zero_sum_games():
    rps = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    s = solve_zero_sum(rps)
    assert s.value == pytest.approx(0.0, abs=1e-12)
    assert s.row_strategy == pytest.approx((1 / 3,) * 3) and s.column_strategy == \
        pytest.approx((1 / 3,) * 3)
    saddle = solve_zero_sum([[4, 2, 3], [1, 0, -1]])
    assert saddle.value == pytest.approx(2.0) and saddle.row_strategy == pytest.approx((1, 0))
    assert saddle.column_strategy == pytest.approx((0, 1, 0))
    assert solve_2x2_zero_sum([[4, 2], [1, 0]]).value == 2.0


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.data())
def test_zero_sum_lp_equals_the_bimatrix_equilibrium_value(m, n, data):
    matrix = np.array(data.draw(st.lists(st.floats(-10, 10, allow_nan=False), min_size=m * n,
                                         max_size=m * n))).reshape(m, n)
    found = bimatrix_equilibria(matrix, -matrix)
    assume(found)                                # degenerate draws may yield none
    value = solve_zero_sum(matrix).value
    for eq in found:
        assert eq.row_payoff == pytest.approx(value, abs=1e-7)


# -- bimatrix games -----------------------------------------------------------------------------


def _is_equilibrium(a, b, eq, tol=1e-7):
    x, y = np.array(eq.row_strategy), np.array(eq.column_strategy)
    scale = tol * max(1.0, np.abs(a).max(), np.abs(b).max())
    return (abs(x.sum() - 1) < 1e-9 and abs(y.sum() - 1) < 1e-9 and x.min() >= 0
            and y.min() >= 0 and np.all(a @ y <= x @ a @ y + scale)
            and np.all(x @ b <= x @ b @ y + scale))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_every_equilibrium_found_is_one_and_generic_games_have_an_odd_number(m, n, data):
    floats = st.floats(-10, 10, allow_nan=False, allow_subnormal=False)
    a = np.array(data.draw(st.lists(floats, min_size=m * n, max_size=m * n))).reshape(m, n)
    b = np.array(data.draw(st.lists(floats, min_size=m * n, max_size=m * n))).reshape(m, n)
    found = bimatrix_equilibria(a, b)
    for eq in found:
        assert _is_equilibrium(a, b, eq)
    generic = np.random.default_rng(zlib.crc32(a.tobytes() + b.tobytes()))  # same draw, same run
    a2, b2 = a + generic.uniform(-1e-3, 1e-3, a.shape), b + generic.uniform(-1e-3, 1e-3, b.shape)
    assert len(bimatrix_equilibria(a2, b2)) % 2 == 1      # Wilson's oddness theorem


def test_known_bimatrix_games():
    dilemma = bimatrix_equilibria([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert [(e.row_strategy, e.column_strategy) for e in dilemma] == [((0, 1), (0, 1))]
    pennies = bimatrix_equilibria([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert len(pennies) == 1 and pennies[0].row_strategy == pytest.approx((0.5, 0.5))
    sexes = bimatrix_equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    assert len(sexes) == 3 and sexes[2].column_strategy == pytest.approx((0.4, 0.6))


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, param", [
    (lambda: inspection_game(**_game(gain=0)), "gain"),
    (lambda: inspection_game(**_game(sanction=-1)), "sanction"),
    (lambda: inspection_game(**_game(inspection_cost=float("inf"))), "inspection_cost"),
    (lambda: inspection_game(**_game(detected_loss=10)), "detected_loss"),
    (lambda: inspection_game(**_game(detected_loss=-1)), "detected_loss"),
    (lambda: inspection_game(**_game(), detection_probability=1.5), "detection_probability"),
    (lambda: InspectionGame(1, 9, 1, 10, 1, -0.1), "detection_probability"),
    (lambda: deterrence_condition(1.1, 0.5, 1, 9), "inspection_probability"),
    (lambda: solve_zero_sum([[1, 2], [3]]), "matrix"),
    (lambda: solve_zero_sum([1, 2]), "matrix"),
    (lambda: solve_zero_sum([[1, float("nan")]]), "matrix"),
    (lambda: solve_2x2_zero_sum([[1, 2, 3], [3, 4, 5]]), "matrix"),
    (lambda: bimatrix_equilibria([[1, 2]], [[1], [2]]), "column_payoffs"),
    (lambda: bimatrix_equilibria(np.zeros((9, 9)), np.zeros((9, 9))), "row_payoffs"),
])
def test_bad_input_names_the_parameter(call, param):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.param == param
