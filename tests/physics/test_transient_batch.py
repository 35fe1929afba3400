"""The variants of a sweep integrated together (physics.transient.batch): the stacked
right-hand side and Newton solves are those of each variant, the answers agree with separate
runs to the integrator's tolerance, and batching is deterministic and order-independent."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.physics.transient import Variant, integrate, sweep_history, variants
from enrichwatch.physics.transient.batch import (
    Stack,
    StackedRadau,
    integrate_batch,
    integrate_requests,
)
from enrichwatch.physics.transient.plant import HoldUp
from enrichwatch.physics.transient.results import run_histories, run_history, run_history_sets
from enrichwatch.physics.transient.uncertainty import sweep_histories
from tests.physics.transient_helpers import built_runs, chain, filled, fordow_like, mixed_models

HISTORIES = fordow_like()
RTOL = 1e-6         # the evaluation's tolerance
#: Agreement of two runs at ``RTOL`` (each within it on every step; the global error of this
#: stable system stays within a few local tolerances): assays [1] and masses relative to the
#: total withdrawn.
AGREE = 10 * RTOL


def _plan(name: str) -> list[Variant]:
    return [v for _, _, v in variants(HISTORIES[name], stage_factor=False)]


def _built(name: str, plan):
    return built_runs(HISTORIES[name], plan)


def _mixed_models(name: str, segment: int, seed: int, inventory: list[bool],
                  ramp: list[bool]):
    return mixed_models(_built(name, _plan(name)), segment, seed, inventory, ramp)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), segment=st.integers(0, 2),
       inventory=st.lists(st.booleans(), min_size=4, max_size=4),
       ramp=st.lists(st.booleans(), min_size=4, max_size=4), dt=st.floats(0.0, 5.0))
def test_stacked_rhs_is_each_models_rhs(seed, segment, inventory, ramp, dt):
    """The same formulas for every variant at once (fixed or inventory-driven flows, ramped
    or not, fixed or flow-dependent stage factors): equal to rounding."""
    models, states = _mixed_models("cylinder change", segment, seed, inventory, ramp)
    t = models[0].t0 + dt
    stacked = Stack(models).rhs(t, np.concatenate(states)).reshape(len(models), -1)
    for got, model, y in zip(stacked, models, states, strict=True):
        want = model.rhs(t, y)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13 * np.max(np.abs(want)))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), segment=st.integers(0, 2), inventory=st.booleans(),
       ramp=st.booleans())
def test_jacobian_has_the_block_triangular_shape_the_solver_uses(seed, segment, inventory,
                                                                 ramp):
    """No entry in the columns of the withdrawn masses, none from U-235 to the hold-ups, and
    none in the hold-up rows at fixed flows: what lets each Newton matrix be inverted from
    its two stage-sized diagonal blocks."""
    models, states = _mixed_models("cylinder change", segment, seed, [inventory] * 4,
                                   [ramp] * 4)
    for model, y in zip(models, states, strict=True):
        n = model.n
        jac = model.dense_jac(model.t0 + 0.5, y)
        assert not jac[:, 2 * n:].any()
        assert not jac[:n, n:2 * n].any()
        assert jac[n:2 * n, n:2 * n].any()
        assert jac[:n, :n].any() == inventory


@pytest.mark.parametrize("c", [37.5, 2.0 - 1.5j, 1e-3])
@pytest.mark.parametrize("inventory", [[False] * 4, [True, False, True, False]])
def test_newton_inverse_solves_each_block(c, inventory):
    """``solve_lu(lu(c I - J), b)`` is the solution of every block's Newton system (checked
    against numpy's solver on the full block, to its condition number times rounding)."""
    models, states = _mixed_models("cylinder change", 1, 7, inventory, [False] * 4)
    stack = Stack(models)
    y0 = np.concatenate(states)
    solver = StackedRadau(stack.rhs, models[0].t0, y0, models[0].t0 + 1.0, n_stages=stack.n,
                          blocks=stack.k, inventory=stack.inventory, jac=stack.jac,
                          rtol=1e-6, atol=1e-10)
    inverse = solver.lu(c * solver.I - solver.J)
    rng = np.random.default_rng(3)
    b = rng.normal(size=y0.size) * (1.0 if isinstance(c, float) else 1 + 1j)
    x = solver.solve_lu(inverse, b).reshape(stack.k, -1)
    for k, block in enumerate(stack.jac(models[0].t0, y0)):
        newton = c * np.identity(stack.size) - block
        want = np.linalg.solve(newton, b.reshape(stack.k, -1)[k])
        bound = 100 * np.finfo(float).eps * np.linalg.cond(newton) * np.linalg.norm(want)
        assert np.linalg.norm(x[k] - want) <= bound


def _crossing_slope(result, point: str, t: float) -> float:
    """|d assay/dt| [1/h] of a watched point at time ``t`` from the run's output grid."""
    i = int(np.clip(np.searchsorted(result.times_h, t), 1, len(result.times_h) - 1))
    a, times = result.streams[point], result.times_h
    return abs(a[i] - a[i - 1]) / max(times[i] - times[i - 1], 1e-12)


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_batched_runs_agree_with_separate_runs(name):
    """Every variant integrated with the others agrees with its own run: stage assays and
    peaks within ``AGREE`` (weight fractions), withdrawn masses within ``AGREE`` of the total
    withdrawn, first-reached times within the time the assay takes to move ``AGREE`` at its
    slope there."""
    history = HISTORIES[name]
    plan = _plan(name)
    batched = run_histories(history, plan, rtol=RTOL)
    for variant, got in zip(plan, batched, strict=True):
        _assert_agrees(got, run_history(history, variant, rtol=RTOL), history)


def _assert_agrees(got, alone, history) -> None:
    """``got`` agrees with ``alone`` (the same run integrated on its own) to ``AGREE``: see
    :func:`test_batched_runs_agree_with_separate_runs`."""
    np.testing.assert_array_equal(got.times_h, alone.times_h)
    np.testing.assert_allclose(got.stage_assays, alone.stage_assays, rtol=0, atol=AGREE)
    total = max(float(alone.withdrawn[-1].sum()), 1e-12)
    np.testing.assert_allclose(got.withdrawn, alone.withdrawn, rtol=0, atol=AGREE * total)
    for point, (value, _) in alone.peaks.items():
        assert got.peaks[point][0] == pytest.approx(value, rel=0, abs=AGREE)
    for key, (mass, _) in alone.withdrawn_above.items():
        assert got.withdrawn_above[key][0] == pytest.approx(mass, rel=0, abs=AGREE * total)
    for key, when in alone.first_reached.items():
        other = got.first_reached[key]
        assert (other is None) == (when is None), key
        if when is not None and when > history.start_h:
            slope = _crossing_slope(alone, key[0], when)
            assert abs(other - when) <= AGREE / slope, key


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_batching_is_deterministic(name):
    """The same variants twice: the same numbers, bit for bit."""
    history, plan = HISTORIES[name], _plan(name)
    first = run_histories(history, plan, rtol=RTOL)
    again = run_histories(history, plan, rtol=RTOL)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.stage_assays, b.stage_assays)
        np.testing.assert_array_equal(a.withdrawn, b.withdrawn)
        assert a.peaks == b.peaks and a.first_reached == b.first_reached
        assert a.withdrawn_above == b.withdrawn_above and a.crossings == b.crossings


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[1::7])
def test_batching_does_not_depend_on_the_order(order):
    """The variants in another order: each variant's answers agree with the first order's to
    the integrator's tolerance (the stacked steps are the same set of equations)."""
    history, plan = HISTORIES["cylinder change"], _plan("cylinder change")
    base = run_histories(history, plan, rtol=RTOL)
    shuffled = run_histories(history, [plan[i] for i in order], rtol=RTOL)
    for i, got in zip(order, shuffled, strict=True):
        want = base[i]
        assert got.variant == want.variant
        np.testing.assert_allclose(got.stage_assays, want.stage_assays, rtol=0, atol=AGREE)
        for point, (value, _) in want.peaks.items():
            assert got.peaks[point][0] == pytest.approx(value, rel=0, abs=AGREE)
        assert {k: v is None for k, v in got.first_reached.items()} == \
            {k: v is None for k, v in want.first_reached.items()}


def test_a_shared_segment_is_integrated_once():
    """The closure variant runs the nominal's first segment from the same state: it takes
    the nominal's segment (the same object) and its crossings."""
    built = _built("cylinder change", _plan("cylinder change"))
    history = HISTORIES["cylinder change"]
    runs = integrate_batch(built, rtol=RTOL, watch=history.watches(),
                           thresholds=history.thresholds)
    nominal, closure = runs[0], runs[-1]
    assert closure.segments[0] is nominal.segments[0]
    assert closure.segments[1] is not nominal.segments[1]
    assert runs[1].segments[0] is not nominal.segments[0]       # another hold-up


def test_runs_that_cannot_be_stacked_run_alone():
    """Other segment times, another method, or a sparse Jacobian: each run exactly as
    integrate gives it."""
    op = chain(6, 2)
    y0 = filled(op, 0.00711)
    other = replace(op, holdup=op.holdup * 2.0)
    cases = [([([(op, 0.0, 1.0)], y0), ([(other, 0.0, 2.0)], filled(other, 0.00711))], {}),
             ([([(op, 0.0, 1.0)], y0), ([(other, 0.0, 1.0)], filled(other, 0.00711))],
              {"method": "BDF"}),
             ([([(op, 0.0, 1.0)], y0), ([(other, 0.0, 1.0)], filled(other, 0.00711))],
              {"dense_jacobian": False})]
    for runs, kwargs in cases:
        got = integrate_batch(runs, rtol=1e-6, **kwargs)
        for (segs, start), run in zip(runs, got, strict=True):
            alone = integrate(segs, start, rtol=1e-6, **kwargs)
            for a, b in zip(run.segments, alone.segments, strict=True):
                np.testing.assert_array_equal(a.y_steps, b.y_steps)


def test_sweep_reports_progress_for_every_run():
    calls = []
    sweep = sweep_history(HISTORIES["start-up"], stage_factor=False, rtol=RTOL,
                          progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k + 1, len(sweep.runs)) for k in range(len(sweep.runs))]


def test_peaks_are_found_when_read(monkeypatch):
    """A run's peaks are found for the points read, and are those found all at once."""
    import importlib

    results = importlib.import_module("enrichwatch.physics.transient.results")
    history = HISTORIES["cylinder change"]
    calls = []
    real = results.peak
    monkeypatch.setattr(results, "peak", lambda series, w: calls.append(w.name) or
                        real(series, w))
    result = run_history(history, rtol=RTOL)
    assert calls == []
    value = result.peaks["B.product"]
    assert calls == ["B.product"] and result.peaks["B.product"] == value
    assert calls == ["B.product"]
    every = dict(result.peaks)
    assert list(every) == [w.name for w in history.watches()]
    series = [results.Series.of(seg) for seg in
              integrate(*_built("cylinder change", [Variant()])[0], rtol=RTOL,
                        watch=history.watches(), thresholds=history.thresholds).segments]
    for w in history.watches():
        assert every[w.name] == real(series, w)
    with pytest.raises(KeyError):
        result.peaks["nowhere"]


# -- several histories and plants at once ---------------------------------------------------------
#: The cylinder change on a plant holding more gas per machine (another system of the same
#: size and segment times), and watching other thresholds.
THICK = replace(HISTORIES["cylinder change"], name="cylinder change, thick",
                holdup=HoldUp(rotor_g=1.0, pipework_g=2.5))
OTHER_LEVELS = replace(HISTORIES["cylinder change"], name="cylinder change, other levels",
                       thresholds=(0.5, 0.7))
SETS = (HISTORIES["start-up"], HISTORIES["cylinder change"], THICK, OTHER_LEVELS)


def _sets_plan(history) -> list[Variant]:
    return [v for _, _, v in variants(history, stage_factor=False)]


@pytest.fixture(scope="module")
def together():
    return run_history_sets([(h, _sets_plan(h)) for h in SETS], rtol=RTOL)


@pytest.mark.parametrize("which", range(len(SETS)))
def test_histories_run_together_agree_with_each_run_alone(together, which):
    """Histories of other segment times, plants (hold-ups) and thresholds asked at once:
    every run agrees with the same run made alone to AGREE, and watches its own thresholds."""
    history = SETS[which]
    got = together[which]
    assert [r.variant for r in got] == [v.label for v in _sets_plan(history)]
    for variant, result in zip(_sets_plan(history), got, strict=True):
        assert {a for _, a in result.first_reached} == set(history.thresholds)
        _assert_agrees(result, run_history(history, variant, rtol=RTOL), history)


def test_only_runs_of_the_same_segment_times_are_stacked(together):
    """The start-up (other segment times) is stacked with none of the cylinder changes: its
    runs are those of its own sweep, bit for bit; the cylinder changes are stacked together
    (one stack over 3 histories), so they differ from their own sweep's only in rounding and
    tolerance."""
    own = run_histories(SETS[0], _sets_plan(SETS[0]), rtol=RTOL)
    for a, b in zip(together[0], own, strict=True):
        np.testing.assert_array_equal(a.stage_assays, b.stage_assays)
        assert a.peaks == b.peaks and a.crossings == b.crossings
    alone = run_histories(SETS[1], _sets_plan(SETS[1]), rtol=RTOL)
    assert any(not np.array_equal(a.stage_assays, b.stage_assays)
               for a, b in zip(together[1], alone, strict=True))


def test_runs_sharing_a_segment_keep_their_own_thresholds():
    """Two runs of the same operations from the same state, watching other thresholds: each
    gets the crossings of its own thresholds (the shared segment is not shared across them)."""
    history = HISTORIES["cylinder change"]
    (segs, y0), = _built("cylinder change", [Variant()])
    watch = history.watches()
    runs = integrate_requests([(segs, y0, watch, (0.6,)), (segs, y0, watch, (0.7, 0.837))],
                              rtol=RTOL)
    for run, levels in zip(runs, [(0.6,), (0.7, 0.837)], strict=True):
        assert run.thresholds == levels
        assert {c.threshold for c in run.crossings} <= set(levels)
        alone = integrate(segs, y0, rtol=RTOL, watch=watch, thresholds=levels)
        assert [(c.watch, c.threshold, c.direction) for c in run.crossings] == \
            [(c.watch, c.threshold, c.direction) for c in alone.crossings]
    assert {c.threshold for c in runs[0].crossings} == {0.6}
    assert {c.threshold for c in runs[1].crossings} == {0.7}


@settings(max_examples=6, deadline=None)
@given(order=st.permutations(range(len(SETS))))
def test_histories_together_do_not_depend_on_their_order(together, order):
    """The histories asked in another order: each run agrees with the first order's to the
    integrator's tolerance, and the same order twice gives the same numbers."""
    asked = [(SETS[i], _sets_plan(SETS[i])) for i in order]
    got = run_history_sets(asked, rtol=RTOL)
    for i, results in zip(order, got, strict=True):
        for a, b in zip(results, together[i], strict=True):
            assert a.variant == b.variant
            np.testing.assert_allclose(a.stage_assays, b.stage_assays, rtol=0, atol=AGREE)
            assert {k: v is None for k, v in a.first_reached.items()} == \
                {k: v is None for k, v in b.first_reached.items()}
    if list(order) == sorted(order):
        for results, want in zip(got, together, strict=True):
            for a, b in zip(results, want, strict=True):
                np.testing.assert_array_equal(a.stage_assays, b.stage_assays)


def test_sweeps_together_are_each_sweep_within_tolerance():
    """:func:`sweep_histories` gives each history's sweep (same runs, same labels), its
    figures within AGREE of :func:`sweep_history` of that history alone."""
    both = sweep_histories([(HISTORIES["cylinder change"], {"stage_factor": False}),
                            (THICK, {"stage_factor": False, "closures": False})], rtol=RTOL)
    alone = [sweep_history(HISTORIES["cylinder change"], stage_factor=False, rtol=RTOL),
             sweep_history(THICK, stage_factor=False, closures=False, rtol=RTOL)]
    for got, want in zip(both, alone, strict=True):
        assert [(i, s) for i, s, _ in got.runs] == [(i, s) for i, s, _ in want.runs]
        for (_, _, a), (_, _, b) in zip(got.runs, want.runs, strict=True):
            for point, (value, _) in b.peaks.items():
                assert a.peaks[point][0] == pytest.approx(value, rel=0, abs=AGREE)
    assert not any(i == "closures" for i, _, _ in both[1].runs)
