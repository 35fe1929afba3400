"""What a run says: steady limits, time constants, peaks, settling, and uranium above an assay.

* :func:`steady_limit`: the state a segment tends to (Newton's method on the balances with the
  hold-ups fixed; each closed block keeps its U-235 inventory);
* :func:`time_constants`: ``-1/Re(lambda)`` of the linearised balances, slowest first (the
  conserved modes of closed blocks, ``lambda = 0``, left out);
* :func:`peak`, :func:`settling_time`: over a watched point's assay in time, refined on the
  integrator's dense output;
* :func:`withdrawn_above`: uranium (and U-235) that left through a withdrawal while its assay
  was at or above a threshold, from the withdrawn-mass states between the crossing times.

Examples
--------
>>> round(equilibrium_time_scale([1.0, 1.0], [0.02, 0.08], 0.05, 0.1, 0.09), 9)
15.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.optimize import brentq, minimize_scalar
from scipy.sparse.linalg import spsolve

from ...errors import ConvergenceError
from .integrate import Run, SegmentRun, Watch
from .system import Model

__all__ = ["Series", "equilibrium_time_scale", "peak", "settling_time", "steady_limit",
           "time_constants", "watch_series", "withdrawn_above"]

_NEWTON_TOL = 1e-14
_UNCHANGED = 1e-9      # an assay change [1] too small to settle (already at the target)
_GRID = 400


def steady_limit(model: Model, y: np.ndarray) -> np.ndarray | None:
    """The steady state the segment of ``model`` tends to from state ``y`` (hold-ups and
    withdrawn masses as in ``y``); ``None`` for inventory-driven flows without feed (the
    cascade drains)."""
    op, n = model.op, model.n
    if op.inventory_driven and op.feed.sum() <= 0.0:
        return None
    state = np.array(y, dtype=float)
    if op.inventory_driven:
        state[:n] = op.holdup
    blocks = [(b, float(state[n + b].sum())) for b in op.closed_blocks]
    t = model.t0 + op.ramp_h + 1.0
    scale = np.maximum(model.flows(t, state[:n]), 1e-300)
    dense = model.dense_jacobian
    for _ in range(60):
        resid = model.rhs(t, state)[n:2 * n] / scale
        if dense:       # small systems: the same matrix dense, solved by LAPACK
            jac = (1.0 / scale)[:, None] * model.dense_jac(t, state)[n:2 * n, n:2 * n]
        else:
            jac = (sparse.diags(1.0 / scale) @ model.jac(t, state)[n:2 * n, n:2 * n]).tolil()
        for b, inventory in blocks:
            norm = max(inventory, 1e-300)
            resid[b[-1]] = (state[n + b].sum() - inventory) / norm
            jac[b[-1], :] = 0.0
            jac[b[-1], b] = 1.0 / norm
        if np.max(np.abs(resid)) < _NEWTON_TOL:
            return state
        step = _newton_step(jac, resid)
        state[n:2 * n] = np.clip(state[n:2 * n] + step, 0.0, state[:n])
    raise ConvergenceError(f"steady limit of the segment starting at {model.t0:g} h",
                           f"balance residual {np.max(np.abs(resid)):.1e} after 60 Newton steps")


def _newton_step(jac, resid: np.ndarray) -> np.ndarray:
    """``-jac^-1 resid`` (dense by LAPACK, sparse by SuperLU; a singular dense matrix gives
    NaN, as spsolve does)."""
    if isinstance(jac, np.ndarray):
        try:
            return np.linalg.solve(jac, -resid)
        except np.linalg.LinAlgError:
            return np.full(resid.shape, np.nan)
    return np.atleast_1d(spsolve(jac.tocsc(), -resid))


def time_constants(model: Model, y: np.ndarray, count: int = 3) -> tuple[float, ...]:
    """The ``count`` slowest time constants [h] of the balances linearised at state ``y``."""
    n = model.n
    t = model.t0 + model.op.ramp_h + 1.0
    jac = model.jac(t, y)
    block = jac[:2 * n, :2 * n] if model.op.inventory_driven else jac[n:2 * n, n:2 * n]
    eig = np.linalg.eigvals(block.toarray())
    big = float(np.max(np.abs(eig))) if eig.size else 0.0
    rates = -eig.real[np.abs(eig) > 1e-9 * big]
    rates = np.sort(rates[rates > 0.0])
    return tuple(float(1.0 / r) for r in rates[:count])


@dataclass(frozen=True, eq=False)
class Series:
    """Assays on a fine grid of one segment (its output grid and the integrator's steps):
    times (T,) [h], and hold-up, tails and heads assays (T, S) [1] of every stage.

    The assays are computed when first read, and a watched point's alone when only its
    values are asked (:meth:`values`: the point's stage from the dense output, by the same
    formulas elementwise, where the stage factors are fixed), so that a result read at one
    point does not evaluate every stage on the grid."""

    seg: SegmentRun
    times: np.ndarray
    _kept: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, seg: SegmentRun, points: int = _GRID) -> Series:
        return cls(seg, np.union1d(np.linspace(seg.t0, seg.t1, points), seg.t_steps))

    @cached_property
    def _assays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z, x, y, _ = self.seg.model.assays_at(self.times, self.seg.state(self.times))
        return z, x, y

    @property
    def z(self) -> np.ndarray:
        return self._assays[0]

    @property
    def x(self) -> np.ndarray:
        return self._assays[1]

    @property
    def y(self) -> np.ndarray:
        return self._assays[2]

    def values(self, watch: Watch) -> np.ndarray:
        found = self._kept.get(watch)
        if found is None:
            model = self.seg.model
            if watch.stage < 0 or "_assays" in self.__dict__ or not model.fixed_gamma:
                found = watch.pick(self.z, self.x, self.y)
            else:
                s, n = watch.stage, model.n
                state = self.seg.state_rows(self.times, [s, n + s])
                z, x, y = model.stage_assays_at(state, s)
                found = {"heads": y, "tails": x, "hold-up": z}[watch.side]
            self._kept[watch] = found
        return found

    def at(self, watch: Watch, t: float) -> float:
        """The watched assay at one time, from the dense output."""
        return watch.assay(self.seg.model, t, self.seg.state(t))


def watch_series(seg: SegmentRun, watch: Watch, times: np.ndarray) -> np.ndarray:
    """Assay [1] of a watched point at ``times`` within one segment."""
    return watch.pick(*seg.model.assays_at(times, seg.state(times))[:3])


def peak(series: Sequence[Series], watch: Watch) -> tuple[float, float]:
    """Highest assay [1] of a watched point over the segments' series, and when [h]."""
    best: tuple[float, float, Series | None, int] = (-np.inf, 0.0, None, 0)
    for ser in series:
        values = ser.values(watch)
        k = int(np.argmax(values))
        if values[k] > best[0]:
            best = (float(values[k]), float(ser.times[k]), ser, k)
    value, when, found, k = best
    if found is None:
        return value, when
    ser = found
    lo, hi = ser.times[max(k - 1, 0)], ser.times[min(k + 1, len(ser.times) - 1)]
    if hi > lo:
        res = minimize_scalar(lambda t: -ser.at(watch, t), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-9 * max(1.0, hi)})
        if -res.fun > value:
            value, when = float(-res.fun), float(res.x)
    return value, when


def settling_time(ser: Series, watch: Watch, target: float, fraction: float = 0.01
                  ) -> float | None:
    """Time [h] from the start of the segment after which the watched assay stays within
    ``fraction`` of its change (``|a - target| <= fraction |target - a(start)|``); ``None`` if it
    is still outside at the end of the segment; 0 if it starts within 1e-9 of the target."""
    values = ser.values(watch)
    band = fraction * abs(target - values[0])
    if abs(target - values[0]) <= _UNCHANGED:
        return 0.0
    excess = np.abs(values - target) - band
    if excess[-1] > 0.0:
        return None
    outside = np.flatnonzero(excess > 0.0)
    if outside.size == 0:
        return 0.0
    k = int(outside[-1])
    when = brentq(lambda t: abs(ser.at(watch, t) - target) - band, ser.times[k],
                  ser.times[k + 1], xtol=1e-10)
    return float(when) - ser.seg.t0


def withdrawn_above(run: Run, watch: Watch, withdrawal: int, threshold: float
                    ) -> tuple[float, float]:
    """Uranium and U-235 [kg] that left through withdrawal number ``withdrawal`` while the
    watched point (its source) was at or above ``threshold`` [1]."""
    total = np.zeros(2)
    crossings = [c.time_h for c in run.crossings
                 if c.watch == watch.name and c.threshold == threshold]
    for seg in run.segments:
        w = seg.model.w
        cuts = sorted({seg.t0, seg.t1, *[t for t in crossings if seg.t0 < t < seg.t1]})
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            mid = 0.5 * (a + b)
            if watch.assay(seg.model, mid, seg.state(mid)) >= threshold:
                ya, yb = seg.state(a), seg.state(b)
                base = 2 * seg.model.n
                total += [yb[base + withdrawal] - ya[base + withdrawal],
                          yb[base + w + withdrawal] - ya[base + w + withdrawal]]
    return float(total[0]), float(total[1])


def equilibrium_time_scale(holdup: Sequence[float], stage_assays: Sequence[float],
                           feed_assay: float, product_rate: float, product_assay: float
                           ) -> float:
    """Benedict's equilibrium-time scale [h]: the excess inventory over the production rate,
    ``sum_i H_i |z_i - x_F| / (P (x_P - x_F))`` (Benedict, Pigford & Levi 1981, ch. 12)."""
    excess = float(np.sum(np.asarray(holdup) * np.abs(np.asarray(stage_assays) - feed_assay)))
    return excess / (product_rate * (product_assay - feed_assay))
