"""Runs of one history integrated together: the variants of a sweep as one stacked system.

The variants of a sweep (nominal, hold-up at the ends of its range, stage factors, alternative
closures) run the same segments over the same times; integrated one by one, each pays the
Python work of scipy's Radau step (a few dozen numpy calls per step, on a system of a few dozen
unknowns) on its own. :func:`integrate_batch` integrates them segment by segment as one system:
the states stacked (``[y_1, ..., y_K]``), one right-hand side evaluated for all variants at once
(:class:`Stack`, vectorised over the variants) and a block-diagonal Jacobian, whose Newton
matrices are factorised for all variants at once (:class:`.newton.StackedRadau`: the stage
blocks of all variants as one banded matrix, see :mod:`.newton`). At fixed flows the Jacobian
of all variants comes from one table of derivatives (:meth:`Stack._derivatives`), summed
straight into the banded layout, and the right-hand side's feeds, flows and stage-relation
coefficients are functions of the ramps' values alone, kept per set of values
(:meth:`Stack._fixed_flows`).

Accuracy: scipy's error norm is the root mean square over all components of the local error
estimate divided by ``atol + rtol |y|``. With ``K`` variants stacked and both tolerances scaled
by ``1/sqrt(K)``, the stacked norm is ``sqrt(sum_k e_k^2)``, ``e_k`` being variant ``k``'s own
norm at the unscaled tolerances; a step is accepted only when it is <= 1, so every variant's
own error estimate is <= 1 on every step: each variant is integrated at least as accurately as
alone (its steps are those of the stack, usually more and shorter). The Newton iterations stop
on the same kind of stacked norm, at the tolerance scipy derives from the scaled ``rtol``.

Where the steps go (measured on the Fordow case's stated histories at rtol 1e-6, the
evaluation's setting; scipy 1.17, 2026-12): 519 accepted steps in 8 stacked integrations, 495
of them with an error norm between 0.1 and 0.5 (median 0.26): scipy's controller holds the norm
there, so these steps are set by the tolerance. The norm is made by the U-235 of the stages
(96-100 % of it in every segment with a transient; the hold-ups do not move at fixed flows, and
the withdrawn masses share only the tiny norms of a steady segment). Their ``atol`` (1e-10 of
the stage hold-up) is not what binds: ``rtol |N|`` is at least 10 times larger for every stage,
even for the stages depleted to 0.1 % at total reflux. The variant with the lowest hold-up,
with the fastest time constants, leads in about 80 % of the error tests. Newton: of the 526
converged solves (accepted and rejected steps), 459 took 2 iterations (the fewest scipy's
convergence test allows), 66 took 3 and one 6; 7 steps were rejected by the error test and 2 by
Newton. Of the other 24 steps (norms below 0.1), 12 integrate a segment that starts at its
steady state (0-24 h of the feed-cylinder change, 6 steps per plant, norms below 1e-9) and 3
start the commissioning from zero flow (1e-4, 1e-3, 1e-2 h): taking the whole 24 h and 1e-2 h
as those first steps saved 12 steps and moved the figures by 2.5e-8 relative at most, but no
CPU time measurably (about 2 ms of 235 ms expected). At the other five segment starts scipy's
first step (``select_initial_step``) gave error norms of 0.7-0.9, or a rejection and a step
0.66 times as long: not too small. Stopping at the end of the feed ramp (6 h, where the
right-hand side has a kink) and restarting there with the step size reached saved 3-4 steps of
the 97 of that segment: the change of slope starts a fast transient of its own. The number of
steps follows the tolerance as about ``rtol^-0.22`` (443 steps at 2e-6, 381 at 4e-6); an
``atol`` of the U-235 of ``rtol H x_F`` (a stage's hold-up at the feed assay x_F) or ``0.01
rtol H`` saved 16 % or 7 % of the steps, but moved figures of the evaluation by up to 1.7e-6 or
2.6e-6 relative, and took the kg withdrawn above the declared maximum 10 times further from a
run at rtol 1e-8 (2.3e-6 against 2.1e-7): the depleted stages' U-235 does matter to the
answers. No change was made: what is left is accuracy. The dearest steps are those of the feed
ramp (0-12 h of the commissioning: 49 ms of the 167 ms of integration, 500 us a step against
about 280 us elsewhere): 46 of the 74 Jacobians, 132 of the 508 factorisations, about half of
its steps with 3 Newton iterations or more (the flows grow within a step, so the Jacobian of
its start is stale) and the stage factors from the machine model at every new collocation time.

A variant whose segment has the same operation (the same object) and starts from the same
state as another's is not integrated twice: it takes the other's segment (a closure variant
shares the nominal run up to its changed segment). A single variant left in a segment is
integrated alone (:func:`.integrate._segment`), exactly as :func:`.integrate.integrate` does.
Methods other than Radau and systems whose Jacobian is handed sparse (above
:data:`~.system.DENSE_JACOBIAN_MAX` unknowns) run one by one through
:func:`.integrate.integrate`.

:func:`integrate_requests` takes runs of several histories and plants, each watching its own
points and thresholds: the runs of the same segment times and system size are stacked
together (one stack per such group, whatever their history or plant: the blocks are each
run's own), a run alone in its group is integrated alone. Runs of other segment times are not
stacked over the union of their breakpoints: measured on the Fordow case's three histories
(a commissioning with segments at 0-12-72 h and a feed-cylinder change at 0-24-26-72 h), one
stack of all 11 runs took about 1.3 times the CPU of a stack per segment times (more blocks on
every step of both histories' fast transients, and the integrator restarted at the other
history's breakpoints).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
from scipy.integrate import solve_ivp

from ...errors import ConfigurationError, ConvergenceError
from ..sparse_systems import one_blas_thread
from .integrate import (
    METHODS,
    Crossing,
    Run,
    SegmentRun,
    Watch,
    _boundary_crossings,
    _check_segment,
    _crossings,
    _segment,
    _tolerances,
    integrate,
)
from .newton import StackedRadau, _Band, _BandedBlocks, _FloatRhs
from .stage import tails_assay
from .system import _CACHE, DENSE_JACOBIAN_MAX, Model, Operation, _coefficients

# StackedRadau is defined in .newton and importable from here as before
__all__ = ["Stack", "StackedRadau", "integrate_batch", "integrate_requests"]

Segments = Sequence[tuple[Operation, float, float]]


class Stack(_FloatRhs):
    """The right-hand side and block-diagonal Jacobian of ``K`` models of one segment (the same
    stages, withdrawals and start), for the stacked state ``[y_1, ..., y_K]``.

    The right-hand side is :meth:`.system.Model.rhs` for every variant in one set of array
    operations: the stage streams of all variants (U-235 in heads and tails, U-235 and uranium
    leaving each stage) are routed into the derivatives by one product with a matrix per
    variant (:meth:`_routing`), the constant feeds added (the same formulas as the model; the
    sums may round differently).
    """

    def __init__(self, models: Sequence[Model]) -> None:
        first = models[0]
        self.models = tuple(models)
        self.k, self.n, self.w, self.size = len(models), first.n, first.w, first.size
        self.t0 = first.t0
        ops = [m.op for m in models]
        self.flows = np.stack([np.asarray(op.flows, dtype=float) for op in ops])
        self.holdup = np.stack([np.asarray(op.holdup, dtype=float) for op in ops])
        self.floor = np.stack([m._floor for m in models])
        self.cuts = np.stack([m.cuts for m in models])
        self.tail_share = np.stack([m._tail_share for m in models])
        self.split = np.stack([m._split for m in models])
        self.inventory = np.array([op.inventory_driven for op in ops])
        self.any_inventory = bool(self.inventory.any())
        self.ramped = [k for k, op in enumerate(ops) if not op.inventory_driven and op.ramp_h > 0]
        ramps: dict = {}
        for k in self.ramped:
            ramps.setdefault((ops[k].ramp_from, ops[k].ramp_h), (ops[k], []))[1].append(k)
        self.ramp_groups = list(ramps.values())
        self.varying = [k for k, m in enumerate(models) if m._coef is None]
        coef = [m._coef if m._coef is not None else (np.zeros(self.n),) * 3 for m in models]
        self.coef = tuple(np.stack([c[i] for c in coef]) for i in range(3))
        self.route = np.stack([self._routing(m) for m in models])
        self.width = self.route.shape[1]
        # one matrix for all when the variants share it (one product instead of K)
        self.shared_route = self.route[0] if (self.route == self.route[0]).all() else None
        self._split_route = None if self.shared_route is None or self.any_inventory else \
            (np.ascontiguousarray(self.shared_route[:self.n]),
             np.ascontiguousarray(self.shared_route[self.n:2 * self.n]))
        self.tail2_share = 2.0 * self.tail_share
        self.tails2 = self.tail2_share * self.flows
        self.fixed, self.scaled = self._constants(models)
        self.constant = self.fixed + self.scaled
        self.groups = self._factor_groups()
        self._steady = (self.flows, self.tails2, *self.coef, self.constant)
        self._by_ramp: dict[tuple, tuple] = {}
        self._rows = self._ramp_rows()
        self.band = _Band.of(models)

    def _routing(self, model: Model) -> np.ndarray:
        """Matrix taking a variant's stage streams ``[U-235 out, U-235 in tails, (uranium in
        heads and tails, uranium out)]`` (the last two blocks for inventory-driven flows only)
        to ``dy/dt`` less the feeds. The U-235 in the heads is what leaves less the tails, so
        the heads' routing acts on both: ``G_h out + (G_t - G_h) tails``."""
        n, w = self.n, self.w
        g = model._g if isinstance(model._g, np.ndarray) else model.g.toarray()
        heads, tails = g[:, :n].T, g[:, n:].T          # (stage from, destination)
        rows = 5 * n if self.any_inventory else 2 * n
        out = np.zeros((rows, self.size))
        out[:n, n:2 * n] = heads[:, :n] - np.identity(n)
        out[:n, 2 * n + w:] = heads[:, n:]
        out[n:2 * n, n:2 * n] = tails[:, :n] - heads[:, :n]
        out[n:2 * n, 2 * n + w:] = tails[:, n:] - heads[:, n:]
        if model.op.inventory_driven:
            out[2 * n:4 * n, :n] = g[:n].T
            out[2 * n:4 * n, 2 * n:2 * n + w] = g[n:].T
            out[4 * n:, :n] = -np.identity(n)
        return out

    def _constants(self, models: Sequence[Model]) -> tuple[np.ndarray, np.ndarray]:
        """The feed terms of ``dy/dt``: those that do not ramp, and those that ramp (times the
        ramp of each variant): U-235 fed, uranium fed (inventory-driven), uranium withdrawn
        at fixed flows."""
        n, w = self.n, self.w
        fixed, scaled = np.zeros((self.k, self.size)), np.zeros((self.k, self.size))
        for k, m in enumerate(models):
            op = m.op
            if op.inventory_driven:
                fixed[k, :n] = op.feed
                fixed[k, n:2 * n] = op.feed_u235
            else:
                scaled[k, n:2 * n] = op.feed_u235
                scaled[k, 2 * n:2 * n + w] = m._out_total
        return fixed, scaled

    def _factor_groups(self) -> list[tuple]:
        """The variants whose stage factors follow their flows, grouped by their function of
        the flows and cuts (a hold-up variant shares its nominal's). The models of a group
        share what they remember of the factors at the flows asked (the same flows give the
        same factors; the Jacobian and the analysis ask for them too), and the factors the
        right-hand side needs anew are computed for the whole group in one call of the
        machine model."""
        groups: dict = {}
        for k in self.varying:
            m = self.models[k]
            key = (id(m.op.gamma_of), m.cuts.tobytes())
            group = groups.setdefault(key, (m.op, m.cuts, [], m._cache))
            m._cache = group[3]
            group[2].append(k)
        return list(groups.values())

    def _ramp_rows(self) -> list[tuple]:
        """Per group of :meth:`_factor_groups`: (operation, cuts, its variants, one variant
        of each distinct (flows, ramp) among them, which of those each variant is). Without
        inventory-driven flows a variant's flows are its flows at the end of the ramp times
        its ramp's value: the same for the variants of the same both."""
        ramp_of = {k: i for i, (_, ks) in enumerate(self.ramp_groups) for k in ks}
        out = []
        for op, cuts, ks, _ in self.groups:
            seen: dict = {}
            which = [seen.setdefault((self.flows[k].tobytes(), ramp_of.get(k)), len(seen))
                     for k in ks]
            first = {i: k for k, i in reversed(list(zip(ks, which, strict=True)))}
            out.append((op, cuts, np.array(ks), np.array([first[i] for i in range(len(seen))]),
                        np.array(which)))
        return out

    def _ramp_coefficients(self, flows: np.ndarray):
        """(g1, 4a, b0) of every variant at the flows of a set of ramp values (no flows
        following an inventory): the machine model once per group and distinct flows
        (:meth:`_ramp_rows`)."""
        g1, four_a, b0 = (c.copy() for c in self.coef)
        for op, cuts, ks, first, which in self._rows:
            coef = _coefficients(cuts, op.gamma_at(flows[first]))
            g1[ks], four_a[ks], b0[ks] = (c[which] for c in coef)
        return g1, four_a, b0

    def _coefficients(self, flows: np.ndarray):
        """(g1, 4a, b0) of the stage relation of every variant at the stage flows: each
        variant's remembered if its flows were asked before, the others' computed in one
        call per group (identical flows once)."""
        g1, four_a, b0 = (c.copy() for c in self.coef)
        for op, cuts, ks, cache in self.groups:
            missing: dict[bytes, list[int]] = {}
            for k in ks:
                key = flows[k].tobytes()
                found = cache.get(key)
                if found is None:
                    missing.setdefault(key, []).append(k)
                else:
                    g1[k], four_a[k], b0[k] = found[1]
            if not missing:
                continue
            rows = [same[0] for same in missing.values()]
            gamma = op.gamma_at(flows[rows])
            coef = _coefficients(cuts, gamma)
            for i, (key, same) in enumerate(missing.items()):
                if len(cache) >= _CACHE:
                    cache.pop(next(iter(cache)))
                found = cache[key] = (gamma[i], (coef[0][i], coef[1][i], coef[2][i]))
                for k in same:
                    g1[k], four_a[k], b0[k] = found[1]
        return g1, four_a, b0

    def _ramps(self, t: float) -> np.ndarray | None:
        """Feed scale of every variant at ``t`` (K, 1); one call per distinct ramp."""
        if not self.ramped:
            return None
        f = np.ones((self.k, 1))
        for op, ks in self.ramp_groups:
            f[ks, 0] = op.ramp(t - self.t0)
        return f

    def _fixed_flows(self, t: float) -> tuple:
        """(flows, twice the tails share times the flows, g1, 4a, b0, the feed terms) at
        ``t`` when no variant's flows follow its inventory: all are functions of the ramps'
        values at ``t`` alone, computed once per set of ramp values (a ramp's end value, and
        each collocation time, which the Newton iterations ask again and again) and kept for
        the last :data:`~.system._CACHE` sets."""
        if not self.ramped:
            return self._steady
        key = tuple(op.ramp(t - self.t0) for op, _ in self.ramp_groups)
        found = self._by_ramp.get(key)
        if found is None:
            f = np.ones((self.k, 1))
            for (_, ks), value in zip(self.ramp_groups, key, strict=True):
                f[ks, 0] = value
            flows = self.flows * f
            coef = self._ramp_coefficients(flows) if self.groups else self.coef
            if len(self._by_ramp) >= _CACHE:
                self._by_ramp.pop(next(iter(self._by_ramp)))
            found = self._by_ramp[key] = (flows, self.tail2_share * flows, *coef,
                                          self.fixed + f * self.scaled)
        return found

    def rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        """``dy/dt`` of the stacked state [kg/h]."""
        n = self.n
        y = y.reshape(self.k, self.size)
        holdup = np.maximum(y[:, :n], self.floor)
        z = y[:, n:2 * n] / holdup
        if self.any_inventory:
            f = self._ramps(t) if self.ramped else None
            flows = self.flows if f is None else self.flows * f
            flows = np.where(self.inventory[:, None], self.flows * holdup / self.holdup, flows)
            g1, four_a, b0 = self._coefficients(flows) if self.groups else self.coef
            tails2 = self.tail2_share * flows
            constant = self.constant if f is None else self.fixed + f * self.scaled
        else:
            flows, tails2, g1, four_a, b0, constant = self._fixed_flows(t)
        zc = np.minimum(np.maximum(z, 0.0), 1.0)
        b = b0 - zc * g1
        root = b * b
        root += four_a * zc
        np.sqrt(root, out=root)
        root += b
        if self._split_route is not None:
            # fixed flows, one routing: the products with its U-235-out and tails rows
            # (one array call fewer each than forming the streams side by side)
            np.divide(zc, root, out=root)
            root *= tails2
            z *= flows
            out = z @ self._split_route[0]
            out += root @ self._split_route[1]
            out += constant
            return out.reshape(-1)
        streams = np.empty((self.k, self.width))
        np.multiply(flows, z, out=streams[:, :n])
        # tails U-235: (1 - theta) L x, x = 2 zc / (b + sqrt(b^2 + 4 a zc))
        np.multiply(tails2, zc / root, out=streams[:, n:2 * n])
        if self.any_inventory:
            streams[:, 2 * n:4 * n] = self.split * np.concatenate([flows, flows], axis=1)
            streams[:, 4 * n:] = flows
        if self.shared_route is not None:
            out = streams @ self.shared_route
        else:
            out = np.matmul(streams[:, None, :], self.route)[:, 0, :]
        out += constant
        return out.reshape(-1)

    def jac(self, t: float, y: np.ndarray) -> np.ndarray:
        """The diagonal blocks of the Jacobian, shape (K, size, size) (each
        :meth:`.system.Model.dense_jac`)."""
        y = y.reshape(self.k, self.size)
        return np.stack([m.dense_jac(t, y[k]) for k, m in enumerate(self.models)])

    def solver_jac(self, t: float, y: np.ndarray) -> np.ndarray | _BandedBlocks:
        """The Jacobian in the form :class:`StackedRadau` factorises: its pieces laid out
        for banded LU (:class:`_BandedBlocks`) when the stages' pattern has a narrow band
        (:attr:`band`), else the dense blocks (:meth:`jac`)."""
        if self.band is None:
            return self.jac(t, y)
        y = y.reshape(self.k, self.size)
        if self.any_inventory:
            return self.band.blocks(np.concatenate([m._data(t, y[k])
                                                    for k, m in enumerate(self.models)]))
        return self.band.from_table(self._derivatives(t, y))

    def _derivatives(self, t: float, y: np.ndarray) -> np.ndarray:
        """The derivative table of every variant's Jacobian at fixed flows, shape (K, 9, S):
        :meth:`.system.Model._entries`' table ``V`` for all variants at once (the same
        formulas and order of operations)."""
        n = self.n
        holdup = np.maximum(y[:, :n], self.floor)
        z = y[:, n:2 * n] / holdup
        ramps = np.array([[m.op.ramp(t - m.t0)] for m in self.models])
        flows = self.flows * ramps
        gamma = np.stack([m.gamma(flows[k]) for k, m in enumerate(self.models)])
        th = self.cuts
        x, dx = tails_assay(z, th, gamma)
        v = np.zeros((self.k, 9, n))
        v[:, 0] = flows * (1.0 - (1.0 - th) * dx) / holdup
        v[:, 1] = flows * (1.0 - th) * dx / holdup
        v[:, 2], v[:, 3] = -z * v[:, 0], -z * v[:, 1]
        v[:, 6] = flows / holdup
        v[:, 7] = -flows * z / holdup
        return v



class StepInterpolant:
    """Radau's dense output over the steps of one segment for one block of the stacked state:
    the cubic collocation polynomial of each step (:class:`scipy.integrate._ivp.radau.
    RadauDenseOutput`'s formula), evaluated at many times in one set of array operations."""

    def __init__(self, ts: np.ndarray, y_old: np.ndarray, q: np.ndarray) -> None:
        self.ts, self.y_old, self.q = ts, y_old, q     # (m + 1,), (m, size), (m, size, 3)
        self._times = ts.tolist()
        self._last = len(ts) - 2

    def _step(self, t: float) -> tuple[int, float]:
        """The step holding ``t`` (the earlier one at a step boundary, as scipy's
        ``OdeSolution``) and ``t``'s place in it, from 0 to 1."""
        i = min(max(bisect_left(self._times, t) - 1, 0), self._last)
        t0, t1 = self._times[i], self._times[i + 1]
        return i, (t - t0) / (t1 - t0)

    def __call__(self, t):
        """State at ``t`` [h]: shape (size,) for one time, (size, T) for T times."""
        if np.ndim(t) == 0:
            i, x = self._step(float(t))
            return self.y_old[i] + self.q[i] @ np.array([x, x * x, x * x * x])
        times = np.asarray(t, dtype=float)
        step = np.minimum(np.maximum(np.searchsorted(self.ts, times, side="left") - 1, 0),
                          self._last)
        x = (times - self.ts[step]) / (self.ts[step + 1] - self.ts[step])
        p = np.stack([x, x * x, x * x * x], axis=1)
        y = self.y_old[step] + np.matmul(self.q[step], p[:, :, None])[:, :, 0]
        return y.T

    def rows(self, t: np.ndarray, rows: list[int]) -> np.ndarray:
        """Components ``rows`` of the state at times ``t``, shape (len(rows), T) (the same
        formula as for all components)."""
        times = np.asarray(t, dtype=float)
        step = np.minimum(np.maximum(np.searchsorted(self.ts, times, side="left") - 1, 0),
                          self._last)
        x = (times - self.ts[step]) / (self.ts[step + 1] - self.ts[step])
        p = np.stack([x, x * x, x * x * x], axis=1)
        # the rows of every step first (small), then the steps of the times
        y_old, q = self.y_old[:, rows], self.q[:, rows]
        y = y_old[step] + np.matmul(q[step], p[:, :, None])[:, :, 0]
        return y.T


def _solve_stack(index: int, models: Sequence[Model], t0: float, t1: float, y0: np.ndarray,
                 rtol: float, atol: float):
    """Integrate the stacked models over segment ``index``; per block (t, y, interpolant) and
    the solver's counts (of the stacked system: right-hand sides and Jacobians)."""
    stack = Stack(models)
    k = stack.k
    shrink = 1.0 / math.sqrt(k)
    tol = np.concatenate([_tolerances(m.op, m.size, atol) for m in models]) * shrink
    with one_blas_thread():
        sol = solve_ivp(stack.rhs, (t0, t1), y0, method=StackedRadau, rtol=rtol * shrink,
                        atol=tol, jac=stack.solver_jac, dense_output=True, n_stages=stack.n,
                        blocks=k, inventory=stack.inventory, band=stack.band)
    if sol.status != 0:
        raise ConvergenceError(f"segment {index} ({t0:g}-{t1:g} h) of {k} runs integrated "
                               "together", sol.message)
    parts = sol.sol.interpolants
    y_old = np.stack([p.y_old for p in parts])
    q = np.stack([p.Q for p in parts])
    out = []
    for i in range(k):
        sl = slice(i * stack.size, (i + 1) * stack.size)
        out.append((sol.t, sol.y[sl], StepInterpolant(sol.t, y_old[:, sl], q[:, sl])))
    return out, int(sol.nfev), int(sol.njev)


def integrate_batch(runs: Sequence[tuple[Segments, np.ndarray]], *, method: str = "Radau",
                    rtol: float = 1e-8, atol: float = 1e-10, watch: Sequence[Watch] = (),
                    thresholds: Sequence[float] = (), dense_jacobian: bool | None = None
                    ) -> list[Run]:
    """Integrate several runs ``(segments, y0)`` (each as :func:`.integrate.integrate` takes
    them) together where they share their segment times (see the module text).

    Each run's segments and states are its own; what differs from integrating them one by one
    is the steps: those of the stacked system, at ``rtol`` and ``atol`` divided by the square
    root of the number of runs stacked, so that every run's own error estimate stays within
    ``rtol`` and ``atol`` on every step. The runs agree with separate runs to the integrator's
    tolerance, and the result does not depend on the order of the runs beyond it.

    Raises
    ------
    ConfigurationError
        As :func:`.integrate.integrate`.
    ConvergenceError
        The integrator fails.
    """
    return integrate_requests([(segs, y0, watch, thresholds) for segs, y0 in runs],
                              method=method, rtol=rtol, atol=atol,
                              dense_jacobian=dense_jacobian)


def integrate_requests(requests: Sequence[tuple[Segments, np.ndarray, Sequence[Watch],
                                                Sequence[float]]], *, method: str = "Radau",
                       rtol: float = 1e-8, atol: float = 1e-10,
                       dense_jacobian: bool | None = None) -> list[Run]:
    """:func:`integrate_batch` for runs that each watch their own points and thresholds:
    ``(segments, y0, watch, thresholds)``, for instance the sweeps of several histories, or of
    one history on several plants. The runs sharing their segment times and system size are
    stacked together (one stack per such group; the tolerances divided by the square root of
    the number of runs in it); a run alone in its group is integrated alone. The runs come
    back in the order asked.

    Raises
    ------
    ConfigurationError
        As :func:`.integrate.integrate`.
    ConvergenceError
        The integrator fails.
    """
    if method not in METHODS:
        raise ConfigurationError("method", method, "one of " + ", ".join(METHODS))
    asked = [(segs, np.asarray(y0, dtype=float), tuple(watch),
              tuple(float(a) for a in thresholds)) for segs, y0, watch, thresholds in requests]
    groups: dict = {}
    for i, (segs, y0, _, _) in enumerate(asked):
        groups.setdefault(_group_key(segs, y0), []).append(i)
    out: list[Run | None] = [None] * len(asked)
    for key, members in groups.items():
        runs = [asked[i] for i in members]
        if key is None or len(members) < 2 or not _stackable(runs, method, dense_jacobian):
            done = [integrate(segs, y0, method=method, rtol=rtol, atol=atol, watch=watch,
                              thresholds=thresholds, dense_jacobian=dense_jacobian)
                    for segs, y0, watch, thresholds in runs]
        else:
            done = _integrate_stacked(runs, method, rtol, atol, dense_jacobian)
        for i, run in zip(members, done, strict=True):
            out[i] = run
    return [run for run in out if run is not None]


def _group_key(segs: Segments, y0: np.ndarray):
    """Runs with the same key may be stacked: the same segment times and system size (None:
    a run with no segment, integrated alone to raise its error)."""
    if not segs:
        return None
    return (tuple((t0, t1) for _, t0, t1 in segs), len(y0), segs[0][0].routing.n_stages)


def _integrate_stacked(runs, method: str, rtol: float, atol: float,
                       dense_jacobian: bool | None) -> list[Run]:
    """Runs ``(segments, y0, watch, thresholds)`` of the same segment times and size,
    integrated segment by segment as one stacked system."""
    k = len(runs)
    states = [y0 for _, y0, _, _ in runs]
    done: list[list[SegmentRun]] = [[] for _ in range(k)]
    found: list[list[Crossing]] = [[] for _ in range(k)]
    for index in range(len(runs[0][0])):
        _, t0, t1 = runs[0][0][index]
        models: list[Model] = []
        built: dict[int, Model] = {}        # one model per operation (runs may share one)
        for i, (segs, _, watch, thresholds) in enumerate(runs):
            op = segs[index][0]
            _check_segment(index, op, t0, t1, done[i], segs[0][0], states[i])
            model = built.get(id(op))
            if model is None:
                model = built[id(op)] = Model(op, t0, dense_jacobian=dense_jacobian)
            prev = done[i][-1] if done[i] else None
            found[i] += _boundary_crossings(prev, model, t0, states[i], index, watch,
                                            thresholds)
            models.append(model)
        looks = [(watch, thresholds) for _, _, watch, thresholds in runs]
        for i, (seg, crossings) in enumerate(_segment_batch(index, models, t0, t1, states,
                                                            method, rtol, atol, looks)):
            done[i].append(seg)
            found[i] += crossings
            states[i] = seg.y_steps[:, -1]
    return [Run(tuple(done[i]), tuple(sorted(found[i], key=lambda c: c.time_h)), method, rtol,
                atol, runs[i][2], runs[i][3], dense_jacobian) for i in range(k)]


def _stackable(runs, method: str, dense_jacobian: bool | None) -> bool:
    """Whether the runs can be integrated together: Radau, more than one run, the same segment
    times, the same system size, and a Jacobian handed dense."""
    if method != "Radau" or len(runs) < 2 or dense_jacobian is False:
        return False
    keys = {_group_key(r[0], r[1]) for r in runs}
    if len(keys) != 1 or None in keys:
        return False
    return bool(dense_jacobian) or len(runs[0][1]) <= DENSE_JACOBIAN_MAX


def _segment_batch(index, models, t0, t1, states, method, rtol, atol, looks):
    """Segment ``index`` of every run: the distinct (operation, start state, watched points
    and thresholds) integrated together (or alone when one is left), each run taking its
    distinct one's result; ``looks`` holds each run's (watch, thresholds)."""
    keys = [(id(m.op), s.tobytes(), look)
            for m, s, look in zip(models, states, looks, strict=True)]
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    distinct = sorted(set(first.values()))
    if len(distinct) == 1:
        i = distinct[0]
        alone = _segment(index, models[i], t0, t1, states[i], method, rtol, atol, *looks[i])
        return [alone for _ in models]
    y0 = np.concatenate([states[i] for i in distinct])
    blocks, n_rhs, n_jac = _solve_stack(index, [models[i] for i in distinct], t0, t1, y0,
                                        rtol, atol)
    result = {}
    for i, (t, y, dense) in zip(distinct, blocks, strict=True):
        seg = SegmentRun(index, t0, t1, models[i], t, y, dense, n_rhs, n_jac)
        sol = SimpleNamespace(t=t, y=y, sol=dense)
        result[i] = (seg, _crossings(index, models[i], sol, *looks[i]))
    return [result[first[key]] for key in keys]
