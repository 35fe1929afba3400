"""The breakout programme: fluid LP, whole-cascade MILP, phase lengths, precedence."""

import math

import numpy as np
import pytest

from enrichwatch.breakout.program import Program, _solve, solve_program

SQ = 27.78


def two_steps(units=1):
    """Stock of 20 % only; per unit-day: step 0 turns 3.5 kg of 20 % into 1 kg of 60 %,
    step 1 turns 1.75 kg of 60 % into 1 kg of 90 % (tails discarded)."""
    g = np.zeros((1, 2, 3))
    g[0, 0] = [-3.5, 1.0, 0.0]
    g[0, 1] = [0.0, -1.75, 1.0]
    return Program(g, np.array([units]), np.array([1000.0, 0.0, 0.0]), SQ, np.ones((1, 2)))


def test_one_step_time_is_product_over_rate():
    g = np.array([[[-1.75, 1.0]]])
    sol = solve_program(Program(g, np.array([3]), np.array([87.5, 0.0]), SQ,
                                np.ones((1, 1))))
    assert sol.days == pytest.approx(SQ / 3.0, rel=1e-9)


def test_fluid_optimum_of_two_steps_is_analytic():
    """Time shares f0, f1 with f0 = 1.75 f1 (60 % made as fast as used) and f0 + f1 = 1."""
    sol = solve_program(two_steps(), 1)
    assert sol.days == pytest.approx(SQ * 2.75, rel=1e-6)


def test_precedence_one_unit_cannot_do_two_steps_at_once():
    """Whole cascades, one phase: the single unit can do only one step: unreachable. The
    planner's entry point then adds phases until it is reachable (and as fast as the fluid)."""
    assert math.isinf(_solve(two_steps(), 1, integer=True).days)
    assert math.isinf(_solve(two_steps(), 2, integer=True).days)     # equal halves: 60 % short
    auto = solve_program(two_steps(), 1, integer=True)
    assert auto.phases > 2 and auto.days == pytest.approx(SQ * 2.75, rel=1e-6)


def test_phase_lengths_recover_the_fluid_optimum():
    """With phases, the unit first makes 60 %, then enriches it: the phase-length LP finds the
    exact split (48.6 days then 27.8 days), equal to the fluid optimum."""
    sol = solve_program(two_steps(), 4, integer=True)
    assert sol.days == pytest.approx(SQ * 2.75, rel=1e-6)
    used = sol.durations > 1e-9
    steps = [int(np.argmax(sol.allocation[h, 0])) for h in np.flatnonzero(used)]
    assert steps == sorted(steps)                      # 20 -> 60 % before 60 -> 90 %
    inventory = np.cumsum(sol.durations * np.einsum("hks,ksl->hl", sol.allocation,
                                                    two_steps().g)[:, 1])
    assert np.all(inventory >= -1e-9)


def test_whole_cascades_never_beat_the_fluid_optimum():
    for units in (1, 2, 3, 7):
        prog = two_steps(units)
        fluid = solve_program(prog, 1)
        whole = solve_program(prog, 6, integer=True)
        assert whole.days >= fluid.days * (1 - 1e-9)


def test_in_stock_and_unreachable():
    g = np.array([[[-1.75, 1.0]]])
    assert solve_program(Program(g, np.array([1]), np.array([5.0, 30.0]), SQ,
                                 np.ones((1, 1)))).days == 0.0
    assert math.isinf(solve_program(Program(g, np.array([1]), np.array([5.0, 0.0]), SQ,
                                            np.ones((1, 1)))).days)
