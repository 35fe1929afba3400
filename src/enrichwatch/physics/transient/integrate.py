"""Integrating a sequence of segments: an implicit solver restarted at every change of segment,
with events at threshold crossings.

Each segment's :class:`~.system.Model` is integrated by :func:`scipy.integrate.solve_ivp` with an
implicit method (``"Radau"`` or ``"BDF"``; an explicit one such as ``"DOP853"`` only for
cross-checks) and the analytic Jacobian (handed over dense for small systems, so that the
solver factorises with a dense LU, and sparse above :data:`~.system.DENSE_JACOBIAN_MAX`
unknowns); the state at the end of a segment starts the
next (hold-ups and U-235 carried over stage by stage, so a change of routing, flows or stage
factors changes the assays of the streams at once but not those of the hold-ups). Watched points
(:class:`Watch`) are checked against each threshold as solve_ivp checks its events (a sign
change between the ends of a step, the root found on the step's dense output), once the
segment is integrated and for all points at once.

Examples
--------
>>> import numpy as np
>>> from .system import Operation, Routing, stage_flows
>>> r = Routing.from_destinations([1, "product"], ["tails", 0])
>>> cuts, feed = np.full(2, 0.5), np.array([1.0, 0.0])
>>> op = Operation(r, cuts, stage_flows(r, cuts, feed).flows, feed, 0.05 * feed,
...                np.full(2, 0.1), gamma=np.full(2, 1.4))
>>> run = integrate([(op, 0.0, 10.0)], initial_state(op.holdup, np.full(2, 0.05), 2),
...                 watch=[Watch("top", 1, "heads")], thresholds=[0.06])
>>> [round(c.time_h, 3) for c in run.crossings]
[0.042]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from ...errors import ConfigurationError, ConvergenceError
from ..sparse_systems import one_blas_thread
from .radau import LapackRadau
from .stage import point_assays
from .system import Model, Operation

__all__ = ["METHODS", "Crossing", "Run", "SegmentRun", "Watch", "initial_state", "integrate"]

#: Integrators accepted (the implicit ones use the analytic Jacobian).
METHODS = ("Radau", "BDF", "LSODA", "DOP853", "RK45")
_IMPLICIT = ("Radau", "BDF", "LSODA")
#: The solver classes behind some names: scipy's Radau with its dense LU called straight from
#: LAPACK (:mod:`.radau`: the same steps and numbers, less Python work per step).
_SOLVERS = {"Radau": LapackRadau}
SIDES = ("heads", "tails", "hold-up")
_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Watch:
    """A point whose U-235 assay is watched: the heads, tails or hold-up of one stage, or with
    ``stage = -1`` the highest heads assay of any stage."""

    name: str
    stage: int
    side: str = "heads"

    def pick(self, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The point's assay [1] from stage arrays of shape (T, S) (:meth:`Model.assays_at`)."""
        if self.stage < 0:
            return np.max(y, axis=1)
        return {"heads": y, "tails": x, "hold-up": z}[self.side][:, self.stage]

    def assay(self, model: Model, t: float, y: np.ndarray) -> float:
        """U-235 weight fraction [1] at the point."""
        if self.stage < 0:
            return float(np.max(model.assays(t, y)[2]))
        s = self.stage
        holdup = max(float(y[s]), 1e-12 * float(model.op.holdup[s]))
        z = float(y[model.n + s]) / holdup
        if self.side == "hold-up":
            return z
        x, heads = point_assays(z, float(model.cuts[s]), model.stage_gamma(t, y, s))
        return x if self.side == "tails" else heads


@dataclass(frozen=True)
class Crossing:
    """A watched point crossing a threshold: time [h], point, threshold [1], +1 up / -1 down."""

    time_h: float
    watch: str
    threshold: float
    direction: int
    segment: int


@dataclass(frozen=True)
class SegmentRun:
    """One segment integrated: its model, the solver's steps and dense output."""

    index: int
    t0: float
    t1: float
    model: Model
    t_steps: np.ndarray
    y_steps: np.ndarray
    dense: object
    n_rhs: int
    n_jac: int

    def state(self, t) -> np.ndarray:
        """State at time(s) ``t`` in the segment (shape (size,) or (size, T))."""
        return self.dense(t)  # type: ignore[operator]

    def state_rows(self, t: np.ndarray, rows: list[int]) -> np.ndarray:
        """Components ``rows`` of the state at times ``t``, shape (len(rows), T) (the dense
        output evaluated for those rows alone where it can be)."""
        only = getattr(self.dense, "rows", None)
        return only(t, rows) if only is not None else self.dense(t)[rows]  # type: ignore


@dataclass(frozen=True)
class Run:
    """All segments integrated, and every threshold crossing found."""

    segments: tuple[SegmentRun, ...]
    crossings: tuple[Crossing, ...]
    method: str
    rtol: float
    atol: float | None = None
    watch: tuple[Watch, ...] = ()
    thresholds: tuple[float, ...] = ()
    dense_jacobian: bool | None = None

    def segment_at(self, t: float) -> SegmentRun:
        """The segment holding time ``t`` (the later one at a boundary)."""
        for seg in reversed(self.segments):
            if t >= seg.t0:
                return seg
        return self.segments[0]

    @property
    def final_state(self) -> np.ndarray:
        return self.segments[-1].y_steps[:, -1]


def initial_state(holdup: np.ndarray, assays: np.ndarray, n_withdrawals: int) -> np.ndarray:
    """State vector ``[H, N, W, W235]`` for hold-ups [kg U] at assays [1], nothing withdrawn."""
    holdup = np.asarray(holdup, dtype=float)
    return np.concatenate([holdup, holdup * np.asarray(assays, dtype=float),
                           np.zeros(2 * n_withdrawals)])


def _active(g: np.ndarray) -> np.ndarray:
    """Steps ``i`` over which ``g`` changes sign or touches zero (``g[i]``, ``g[i + 1]``): the
    test solve_ivp applies to its events at the end of every step."""
    return np.flatnonzero(_active_steps(g))


def _active_steps(g: np.ndarray) -> np.ndarray:
    """:func:`_active` as a mask over the steps, along the last axis of ``g``."""
    up = (g[..., :-1] <= 0.0) & (g[..., 1:] >= 0.0)
    down = (g[..., :-1] >= 0.0) & (g[..., 1:] <= 0.0)
    return up | down


def _crossings(index: int, model: Model, sol, watch: Sequence[Watch],
               thresholds: Sequence[float]) -> list[Crossing]:
    """Threshold crossings of the watched points within one integrated segment.

    Events located after the integration, as solve_ivp locates them during it: a sign change
    of ``assay - threshold`` between the ends of a step, its root found by Brent's method on
    the step's dense output (non-terminal events do not change the steps taken). Doing it
    afterwards evaluates every watched point at every step in one vectorised call instead of
    one call per point, threshold and step.
    """
    if not watch or not thresholds:
        return []
    t0, t1 = float(sol.t[0]), float(sol.t[-1])
    z, x, heads, _ = model.assays_at(sol.t, sol.y)
    out = []
    levels = np.asarray(thresholds, dtype=float)[:, None]
    for w in watch:
        # every threshold at once: (threshold, step) pairs by threshold, then step
        found = np.nonzero(_active_steps(w.pick(z, x, heads)[None, :] - levels))
        for j, i in zip(*(f.tolist() for f in found), strict=True):
            a = thresholds[j]
            lo, hi = float(sol.t[i]), float(sol.t[i + 1])

            def g(t, w=w, a=a):
                return w.assay(model, t, sol.sol(t)) - a
            te = lo if g(lo) == 0.0 else hi if g(hi) == 0.0 else \
                brentq(g, lo, hi, xtol=4 * _EPS, rtol=4 * _EPS)
            after = w.assay(model, te, sol.sol(min(te + 1e-6, t1))) - a
            before = w.assay(model, te, sol.sol(max(te - 1e-6, t0))) - a
            out.append(Crossing(float(te), w.name, a, 1 if after > before else -1, index))
    return out


def _tolerances(op: Operation, size: int, atol: float) -> np.ndarray:
    n = op.routing.n_stages
    scale = np.empty(size)
    scale[:n] = op.holdup
    scale[n:2 * n] = op.holdup
    scale[2 * n:] = float(np.sum(op.holdup))
    return atol * scale


def _segment(index, model, t0, t1, y0, method, rtol, atol, watch, thresholds):
    op = model.op
    kwargs = {}
    if method in _IMPLICIT:
        kwargs["jac"] = model.solver_jac
    # one BLAS thread: the dense LU of a Newton matrix this small gains nothing from more, and
    # on a shared machine OpenBLAS's threaded factorisation (from about 100 unknowns) cost
    # 10-25x the CPU time of the single-threaded one (measured)
    with one_blas_thread():
        sol = solve_ivp(model.rhs, (t0, t1), y0, method=_SOLVERS.get(method, method),
                        rtol=rtol,
                        atol=_tolerances(op, model.size, atol), dense_output=True, **kwargs)
    if sol.status != 0:
        raise ConvergenceError(f"segment {index} ({t0:g}-{t1:g} h)", sol.message)
    crossings = _crossings(index, model, sol, watch, thresholds)
    run = SegmentRun(index, t0, t1, model, sol.t, sol.y, sol.sol, int(sol.nfev), int(sol.njev))
    return run, crossings


def _boundary_crossings(prev: SegmentRun | None, model: Model, t: float, y: np.ndarray,
                        index: int, watch, thresholds) -> list[Crossing]:
    """Crossings at a change of segment, where stream assays jump with the flows."""
    if prev is None:
        return []
    out = []
    for w in watch:
        before, after = w.assay(prev.model, t, y), w.assay(model, t, y)
        for a in thresholds:
            if (before - a) * (after - a) < 0.0:
                out.append(Crossing(t, w.name, a, 1 if after > a else -1, index))
    return out


def integrate(segments: Sequence[tuple[Operation, float, float]], y0: np.ndarray, *,
              method: str = "Radau", rtol: float = 1e-8, atol: float = 1e-10,
              watch: Sequence[Watch] = (), thresholds: Sequence[float] = (),
              reuse: Run | None = None, dense_jacobian: bool | None = None) -> Run:
    """Integrate segments ``(operation, start [h], end [h])`` in turn from state ``y0``.

    Parameters
    ----------
    segments : sequence of (Operation, float, float)
        Contiguous and increasing in time; every operation has the same stages and the same
        withdrawals (in the same order).
    y0 : ndarray
        Initial state (:func:`initial_state`).
    method : {'Radau', 'BDF', 'LSODA', 'DOP853', 'RK45'}
        solve_ivp method; the implicit ones get the analytic Jacobian.
    rtol, atol : float
        Relative tolerance, and absolute tolerance relative to each stage's hold-up.
    watch, thresholds : sequence
        Points to watch and the U-235 weight fractions [1] that raise an event when crossed.
    reuse : Run, optional
        An earlier run: when it has the same method, tolerances, watched points and thresholds
        and starts from the same state, its first segments are taken as they are (with their
        crossings) while they have the same operations (the same objects) and times, since
        integrating them again would give the same result (a sweep's closure variant shares
        the nominal run up to its changed segment); the rest are integrated. Otherwise it is
        not used.
    dense_jacobian : bool, optional
        Hand the Jacobian to the solver dense (True) or sparse (False); by default dense up to
        :data:`~.system.DENSE_JACOBIAN_MAX` unknowns (the same entries either way; the runs
        agree to the integrator's tolerance).

    Raises
    ------
    ConfigurationError
        Segments not contiguous, or not sharing stages and withdrawals; an unknown method.
    ConvergenceError
        The integrator fails.
    """
    if method not in METHODS:
        raise ConfigurationError("method", method, "one of " + ", ".join(METHODS))
    runs: list[SegmentRun] = []
    crossings: list[Crossing] = []
    y = np.asarray(y0, dtype=float)
    watch, thresholds = tuple(watch), tuple(float(a) for a in thresholds)
    settings = (method, rtol, atol, watch, thresholds, dense_jacobian)
    for seg in _shared(reuse, segments, y, settings):
        runs.append(seg)
        crossings += [c for c in reuse.crossings if c.segment == seg.index]  # type: ignore
        y = seg.y_steps[:, -1]
    for index, (op, t0, t1) in enumerate(segments[len(runs):], start=len(runs)):
        _check_segment(index, op, t0, t1, runs, segments[0][0], y)
        prev = runs[-1] if runs else None
        model = Model(op, t0, dense_jacobian=dense_jacobian)
        crossings += _boundary_crossings(prev, model, t0, y, index, watch, thresholds)
        run, found = _segment(index, model, t0, t1, y, method, rtol, atol, watch, thresholds)
        runs.append(run)
        crossings += found
        y = run.y_steps[:, -1]
    return Run(tuple(runs), tuple(sorted(crossings, key=lambda c: c.time_h)), method, rtol,
               atol, watch, thresholds, dense_jacobian)


def _shared(reuse: Run | None, segments, y0: np.ndarray, settings: tuple
            ) -> list[SegmentRun]:
    """The leading segments of ``reuse`` that are those of ``segments`` from ``y0`` with the
    same ``settings`` (method, rtol, atol, watched points, thresholds, Jacobian form)."""
    if reuse is None or not reuse.segments or \
            (reuse.method, reuse.rtol, reuse.atol, reuse.watch, reuse.thresholds,
             reuse.dense_jacobian) != settings \
            or not np.array_equal(reuse.segments[0].y_steps[:, 0], y0):
        return []
    out = []
    for seg, (op, t0, t1) in zip(reuse.segments, segments, strict=False):
        if seg.model.op is not op or seg.t0 != t0 or seg.t1 != t1:
            break
        out.append(seg)
    return out


def _check_segment(index, op, t0, t1, runs, first: Operation, y) -> None:
    if not t1 > t0:
        raise ConfigurationError(f"segments[{index}]", (t0, t1), "an end after the start")
    if runs and abs(t0 - runs[-1].t1) > 1e-12 * max(1.0, abs(t0)):
        raise ConfigurationError(f"segments[{index}]", t0,
                                 f"a start at the previous end, {runs[-1].t1:g} h")
    same = (op.routing.n_stages == first.routing.n_stages
            and op.routing.withdrawals == first.routing.withdrawals)
    if not same or len(y) != 2 * op.routing.n_stages + 2 * len(op.routing.withdrawals):
        raise ConfigurationError(f"segments[{index}]", "stages or withdrawals",
                                 "the same stages and withdrawals in every segment")
