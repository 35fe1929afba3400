"""Runs of one history integrated together: the variants of a sweep as one stacked system.

The variants of a sweep (nominal, hold-up at the ends of its range, stage factors, alternative
closures) run the same segments over the same times; integrated one by one, each pays the
Python work of scipy's Radau step (a few dozen numpy calls per step, on a system of a few dozen
unknowns) on its own. :func:`integrate_batch` integrates them segment by segment as one system:
the states stacked (``[y_1, ..., y_K]``), one right-hand side evaluated for all variants at once
(:class:`Stack`, vectorised over the variants) and a block-diagonal Jacobian, whose Newton
matrices are factorised for all variants at once (:class:`StackedRadau`). Within a block the
Jacobian has no entry in the columns of the withdrawn masses and none from the U-235 to the
hold-ups, so each block's Newton matrix is block lower triangular and only its hold-up
(inventory-driven flows only) and U-235 diagonal blocks, of the size of the stage count, are
factorised; the rest follows by substitution. Those stage blocks follow the routing (each
stage exchanges gas with its neighbours and a few linked stages): renumbered by reverse
Cuthill-McKee they are banded (half-widths 2 and 2 for the Fordow plant's two linked cascades
of 14 and 18 stages), and the ``K`` blocks along the diagonal are one banded matrix, factorised
by one LAPACK ``gbtrf`` and solved by one ``gbtrs`` for all variants (:class:`_Band`). Where
the band is wide, each block is inverted (LAPACK's LU and the inverse from it) and a Newton
solve is a few matrix products for all variants at once. At fixed flows the Jacobian of all
variants comes from one table of derivatives (:meth:`Stack._derivatives`), summed straight
into the banded layout, and the right-hand side's feeds, flows and stage-relation
coefficients are functions of the ramps' values alone, kept per set of values
(:meth:`Stack._fixed_flows`).

Measured on the Fordow case's stated histories (3 sweeps, 11 runs, 519 Radau steps, 3,913
right-hand sides, 508 factorisations, 2,778 Newton solves; scipy 1.17, one BLAS thread,
2026-12): the factorisations took ~97 us each with four LU-and-inverses of 32 x 32 blocks
against ~12 us as one banded LU, and the solves ~20 us against ~13 us; the same steps and
counts, the figures moving by rounding (1e-12 relative or less).

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
import warnings
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

import numpy as np
from scipy.integrate import Radau, solve_ivp
from scipy.integrate._ivp.radau import RadauDenseOutput
from scipy.linalg import LinAlgWarning
from scipy.linalg.lapack import get_lapack_funcs
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import reverse_cuthill_mckee

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
from .stage import tails_assay
from .system import _CACHE, DENSE_JACOBIAN_MAX, Model, Operation, _coefficients

__all__ = ["Stack", "StackedRadau", "integrate_batch", "integrate_requests"]

Segments = Sequence[tuple[Operation, float, float]]
_LAPACK = {kind: get_lapack_funcs(("getrf", "getri"), (np.zeros((1, 1), kind),))
           for kind in (np.dtype(float), np.dtype(complex))}
_BANDED = {kind: get_lapack_funcs(("gbtrf", "gbtrs"), (np.zeros((1, 1), kind),))
           for kind in (np.dtype(float), np.dtype(complex))}


class Stack:
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


@dataclass(frozen=True)
class _Blocks:
    """A block-diagonal Jacobian (K, size, size) with its pieces: hold-up and U-235 diagonal
    blocks, U-235 from hold-up, and the withdrawn masses from the stages."""

    full: np.ndarray
    n: int

    @property
    def hh(self) -> np.ndarray:
        return self.full[:, :self.n, :self.n]

    @property
    def nh(self) -> np.ndarray:
        return self.full[:, self.n:2 * self.n, :self.n]

    @property
    def nn(self) -> np.ndarray:
        return self.full[:, self.n:2 * self.n, self.n:2 * self.n]

    @property
    def ws(self) -> np.ndarray:
        return self.full[:, 2 * self.n:, :2 * self.n]

    @cached_property
    def nh_c(self) -> np.ndarray:
        """:attr:`nh`, contiguous (kept for the Newton solves of this Jacobian)."""
        return np.ascontiguousarray(self.nh)

    @cached_property
    def ws_c(self) -> np.ndarray:
        """:attr:`ws`, contiguous."""
        return np.ascontiguousarray(self.ws)


#: Largest ``lower + upper`` half-bandwidth (as a share of the stage count) at which the
#: Newton matrices' stage blocks are factorised as one banded matrix rather than inverted block
#: by block. Measured (2026-12, scipy 1.17, OpenBLAS, one thread; 4 blocks of 32 stages,
#: complex): one ``gbtrf`` over the stacked blocks took 7, 10, 16, 33 and 81 us at half-widths
#: 2, 4, 8, 16 and 31 against 95 us for the four LU-and-inverses, and a ``gbtrs`` 4-8 us
#: against 2.5 us for the products with the inverses; with the 5-6 solves a factorisation
#: makes in these runs the banded form is ahead up to half-widths of about 24 of 32.
_BAND_MAX_SHARE = 1.0


@dataclass(frozen=True, eq=False)
class _Band:
    """Layout of a stack's Newton matrices for banded LU.

    The stage blocks of every variant's Jacobian (hold-ups ``J_HH`` and U-235 ``J_NN``) share
    the routing's pattern: each stage exchanges gas with its neighbours and a few linked
    stages. Renumbered by reverse Cuthill-McKee over the union of the variants' patterns
    (the pattern symmetrised), the blocks are banded with half-widths ``lower`` and
    ``upper`` (2 and 2 for the Fordow plant's two linked cascades of 14 and 18 stages, 8 and
    10 as numbered), and the ``K`` blocks stacked along the diagonal are one banded matrix of
    ``K n`` rows, factorised by one LAPACK ``gbtrf`` and solved by one ``gbtrs`` for all
    variants. The Jacobian's stored entries (each model's CSC values, concatenated) go
    straight to their places: the negated stage blocks in LAPACK's band storage (kept
    transposed: row ``j`` of the array is column ``j`` of the band), ``J_NH`` (rows in the
    banded order) and ``J_W`` as dense blocks for the substitutions (:class:`_Inverse`).
    """

    k: int
    n: int
    size: int
    lower: int
    upper: int
    order: np.ndarray          # the stage at each banded position
    dest: np.ndarray           # where each stored Jacobian entry goes in the buffer
    sign: np.ndarray           # -1 for the stage blocks (c I - J), +1 elsewhere
    shapes: tuple              # (start, shape) of the hold-up, U-235, J_NH and J_W parts
    inventory: bool            # whether any hold-up moves (hold-up blocks factorised)
    h_index: np.ndarray        # the stacked state's hold-ups, in banded order
    n_index: np.ndarray        # its U-235, in banded order
    entry_dest: np.ndarray     # per template entry of every model: its place in the buffer,
    entry_weight: np.ndarray   # its weight times the sign of its place,
    entry_table: np.ndarray    # and its value's place in the derivative table (K, 9, S)

    @property
    def ldab(self) -> int:
        return 2 * self.lower + self.upper + 1

    @classmethod
    def of(cls, models: Sequence[Model]) -> _Band | None:
        """The layout for these models (one segment's variants), or None when their
        Jacobian is not block lower triangular over (hold-ups, U-235, withdrawn) or the
        band is wide (:data:`_BAND_MAX_SHARE`)."""
        first = models[0]
        k, n, size, w2 = len(models), first.n, first.size, first.size - 2 * first.n
        entries = []
        pattern = np.identity(n, dtype=bool)
        for m in models:
            rows, cols = np.divmod(m._flat, size)
            if ((rows < n) & (cols >= n)).any() or (cols >= 2 * n).any():
                return None
            stage = (rows < 2 * n) & ((rows < n) == (cols < n))
            pattern[rows[stage] % n, cols[stage] % n] = True
            entries.append((rows, cols, stage))
        order = reverse_cuthill_mckee(csr_matrix(pattern | pattern.T), symmetric_mode=True)
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        r, c = np.nonzero(pattern)
        lower, upper = int(max((pos[r] - pos[c]).max(), 0)), int(max((pos[c] - pos[r]).max(), 0))
        if lower + upper > _BAND_MAX_SHARE * n:
            return None
        ldab = 2 * lower + upper + 1
        band = k * n * ldab
        starts = (0, band, 2 * band, 2 * band + k * n * n, 2 * band + k * n * n + k * w2 * 2 * n)
        dests, signs = [], []
        for b, (rows, cols, stage) in enumerate(entries):
            d = np.empty(rows.size, dtype=np.int64)
            i, j = pos[rows % n], pos[cols % n]
            place = (b * n + j) * ldab + lower + upper + i - j
            d[stage] = np.where(rows < n, starts[0], starts[1])[stage] + place[stage]
            nh = (rows >= n) & (rows < 2 * n) & (cols < n)
            d[nh] = starts[2] + (b * n + i[nh]) * n + cols[nh]
            ws = rows >= 2 * n
            d[ws] = starts[3] + (b * w2 + rows[ws] - 2 * n) * 2 * n + cols[ws]
            dests.append(d)
            signs.append(np.where(stage, -1.0, 1.0))
        blocks = np.arange(k)[:, None] * size
        entries = []
        for b, (m, d, sign) in enumerate(zip(models, dests, signs, strict=True)):
            _, _, kinds, stages, weights = m._template
            slot = m._csc[2]
            entries.append((d[slot], weights * sign[slot], (b * 9 + kinds) * n + stages))
        dest_t, weight_t, table_t = (np.concatenate(a) for a in zip(*entries, strict=True))
        return cls(k, n, size, lower, upper, order, np.concatenate(dests), np.concatenate(signs),
                   starts, any(m.op.inventory_driven for m in models),
                   (blocks + order).reshape(-1), (blocks + n + order).reshape(-1),
                   dest_t, weight_t, table_t)

    def blocks(self, values: np.ndarray) -> _BandedBlocks:
        """The pieces of the Jacobian whose stored entries are ``values``."""
        buf = np.zeros(self.shapes[4])
        buf[self.dest] = values * self.sign
        return self._pieces(buf)

    def from_table(self, table: np.ndarray) -> _BandedBlocks:
        """The pieces of the Jacobian whose derivative table (:meth:`Stack._derivatives`) is
        ``table``: each template entry's weight (times the sign of its place) times its
        table value, summed into its place (as :meth:`.system.Model._data` sums the entries
        of one stored value, in the same order)."""
        return self._pieces(np.bincount(self.entry_dest,
                                        self.entry_weight * table.reshape(-1)[self.entry_table],
                                        minlength=self.shapes[4]))

    def _pieces(self, buf: np.ndarray) -> _BandedBlocks:
        k, n, start = self.k, self.n, self.shapes
        hold_up = buf[:start[1]].reshape(k * n, self.ldab) if self.inventory else None
        return _BandedBlocks(hold_up, buf[start[1]:start[2]].reshape(k * n, self.ldab),
                             buf[start[2]:start[3]].reshape(k, n, n),
                             buf[start[3]:].reshape(k, -1, 2 * n))


@dataclass(frozen=True)
class _BandedBlocks:
    """A stacked Jacobian laid out by a :class:`_Band`: the negated hold-up (None: no hold-up
    moves) and U-235 blocks in transposed band storage, ``J_NH`` with its rows in the banded
    order, and ``J_W`` (K, 2 W, 2 S)."""

    neg_hold_up: np.ndarray | None
    neg_u235: np.ndarray
    from_hold_up: np.ndarray
    out: np.ndarray


class _Eye:
    """The identity as Radau uses it (its Newton matrices are ``c * I - J``, scipy 1.x): times
    a number it is a shifted identity whose difference with the Jacobian is the Newton matrix,
    kept as ``(c, J)`` for :meth:`StackedRadau._lu`."""

    __array_ufunc__ = None

    def __rmul__(self, c):
        return _Shift(c)

    __mul__ = __rmul__


@dataclass(frozen=True)
class _Shift:
    c: complex | float
    __array_ufunc__ = None

    def __sub__(self, jac: _Blocks) -> tuple:
        return self.c, jac


class StackedRadau(Radau):
    """scipy's Radau on a :class:`Stack`: the Jacobian handed over as its diagonal blocks,
    shape (K, size, size), from ``jac(t, y)``, and each Newton matrix ``c I - J`` inverted
    block by block (:class:`_Inverse`; see the module text); or, given the stack's ``band``
    (:class:`_Band`), as :class:`_BandedBlocks` from ``jac=stack.solver_jac``, its stage
    blocks factorised as one banded matrix. ``n_stages`` is the stage count of a block and
    ``inventory`` says whether each block's flows are inventory-driven (else its hold-ups do
    not move and their rows of the Jacobian are zero). Radau's own steps, Newton iterations
    and step-size control are scipy's, unchanged."""

    def __init__(self, fun, t0, y0, t_bound, *, n_stages: int, blocks: int,
                 inventory: np.ndarray, band: _Band | None = None, **kwargs) -> None:
        self._n, self._k, self._inventory = n_stages, blocks, np.asarray(inventory, dtype=bool)
        self._eye = np.identity(n_stages)
        self._band = band
        super().__init__(fun, t0, y0, t_bound, **kwargs)
        self.lu, self.I = self._lu, _Eye()
        self.solve_lu = self._solve_lu if band is None else self._solve_banded
        if isinstance(getattr(fun, "__self__", None), Stack):
            # the stack's right-hand side gives a float array of the state's size: called
            # without solve_ivp's conversion wrappers (nfev counted as they count it)
            def counted(t, y, rhs=fun):
                self.nfev += 1
                return rhs(t, y)
            self.fun = counted

    def _compute_dense_output(self) -> RadauDenseOutput:
        """Radau's dense output of the last step, evaluated with fewer array calls
        (:class:`_StepOutput`: the same numbers)."""
        out = super()._compute_dense_output()
        out.__class__ = _StepOutput
        return out

    def _validate_jac(self, jac, sparsity):
        if not callable(jac):
            raise ConfigurationError("jac", jac, "a function of (t, y) giving the blocks")

        def wrapped(t, y, _=None):
            self.njev += 1
            found = jac(t, y)
            if (self._band is None) == isinstance(found, _BandedBlocks):
                raise ConfigurationError("jac", type(found).__name__,
                                         "banded blocks with their band (band=...), else the "
                                         "dense blocks (K, size, size)")
            if self._band is not None:
                return found
            return _Blocks(np.asarray(found, dtype=float), self._n)

        j0 = wrapped(self.t, self.y)
        self.njev = 1
        return wrapped, j0

    def _lu(self, newton: tuple) -> _Inverse:
        """The inverse of every block's Newton matrix ``c I - J`` (see :class:`_Inverse`):
        the U-235 diagonal block of each (and the hold-up one under inventory-driven flows)
        factorised by LAPACK's LU and inverted from it."""
        self.nlu += 1
        c, jac = newton
        kind = np.dtype(complex) if isinstance(c, complex) else np.dtype(float)
        if isinstance(jac, _BandedBlocks):
            return self._lu_banded(c, kind, jac)
        getrf, getri = _LAPACK[kind]
        n = self._n
        shift = c * self._eye
        inv_n = np.empty((self._k, n, n), dtype=kind)
        for k in range(self._k):
            inv_n[k] = _invert(getrf, getri, shift - jac.nn[k])
        if not self._inventory.any():       # no hold-up moves: c I on the hold-ups
            return _Inverse(c, None, inv_n, jac.nh_c, jac.ws_c)
        inv_h = np.empty((self._k, n, n), dtype=kind)
        for k in range(self._k):
            inv_h[k] = _invert(getrf, getri, shift - jac.hh[k]) if self._inventory[k] \
                else self._eye / c
        return _Inverse(c, inv_h, inv_n, jac.nh_c, jac.ws_c)

    def _lu_banded(self, c, kind: np.dtype, jac: _BandedBlocks) -> _Inverse:
        """The banded LU of the stacked U-235 blocks of ``c I - J`` (and of the hold-up
        blocks when some hold-up moves), each by one ``gbtrf`` (:class:`_Band`); ``J_W`` is
        kept in the factor's type (a complex product then needs no conversion)."""
        hold_up = None if jac.neg_hold_up is None else \
            self._factor_band(jac.neg_hold_up, c, kind)
        out = jac.out if kind == jac.out.dtype else jac.out.astype(kind)
        return _Inverse(c, hold_up, self._factor_band(jac.neg_u235, c, kind),
                        jac.from_hold_up, out)

    def _factor_band(self, negated: np.ndarray, c, kind: np.dtype) -> tuple:
        """(gbtrs, LU, pivots, kind) of ``c I - J`` from ``-J`` in transposed band storage."""
        band = self._band
        assert band is not None
        gbtrf, gbtrs = _BANDED[kind]
        ab = negated.astype(kind)
        ab[:, band.lower + band.upper] += c
        lu, piv, info = gbtrf(ab.T, band.lower, band.upper, overwrite_ab=True)
        if info < 0:
            raise ValueError(f"illegal value in {-info}th argument of internal gbtrf")
        if info > 0:
            warnings.warn(f"Diagonal number {info} is exactly zero. Singular matrix.",
                          LinAlgWarning, stacklevel=4)
        return gbtrs, lu, piv, kind

    def _solve_banded(self, inverse: _Inverse, b: np.ndarray) -> np.ndarray:
        """:meth:`_solve_lu` with banded factors: the hold-ups (divided by ``c`` when none
        moves; zero, without a division, where ``b`` is zero on them, as it is whenever no
        hold-up moves), then the U-235 from ``b_N + J_NH x_H`` (the product left out when
        ``x_H`` is zero), then the withdrawn (one ``gbtrs`` per banded factor)."""
        _check_finite(b)
        band = self._band
        assert band is not None
        n, c, lower, upper = self._n, inverse.c, band.lower, band.upper
        gbtrs, lu, piv, kind = inverse.u235
        x = np.empty_like(b) if b.dtype == kind else np.empty(b.shape, dtype=kind)
        xs, rhs = x.reshape(self._k, -1), b.reshape(self._k, -1)
        if inverse.hold_up is not None:
            h_trs, h_lu, h_piv, _ = inverse.hold_up
            x[band.h_index], info = h_trs(h_lu, lower, upper, b[band.h_index].astype(kind),
                                          h_piv, overwrite_b=True)
            _check_info(info)
            moved = True
        elif np.count_nonzero(rhs[:, :n]):
            np.divide(rhs[:, :n], c, out=xs[:, :n])
            moved = True
        else:
            xs[:, :n] = 0.0
            moved = False
        v = b[band.n_index].astype(kind, copy=False)
        if moved:
            v += _times(inverse.from_hold_up, xs[:, :n]).reshape(-1)
        x[band.n_index], info = gbtrs(lu, lower, upper, v, piv, overwrite_b=True)
        _check_info(info)
        w = np.matmul(inverse.out, xs[:, :2 * n, None])[:, :, 0]
        w += rhs[:, 2 * n:]
        np.divide(w, c, out=xs[:, 2 * n:])
        return x

    def _solve_lu(self, inverse: _Inverse, b: np.ndarray) -> np.ndarray:
        """``x`` of ``(c I - J) x = b``, by substitution over the blocks (see :class:`_Inverse`)
        for all variants at once."""
        if isinstance(inverse.u235, tuple):
            return self._solve_banded(inverse, b)
        _check_finite(b)
        n, c = self._n, inverse.c
        rhs = b.reshape(self._k, -1)
        x = np.empty(rhs.shape, dtype=np.result_type(b, inverse.u235))
        if inverse.hold_up is None:
            np.divide(rhs[:, :n], c, out=x[:, :n])
        else:
            x[:, :n] = np.matmul(inverse.hold_up, rhs[:, :n, None])[:, :, 0]
        v = rhs[:, n:2 * n] + _times(inverse.from_hold_up, x[:, :n])
        x[:, n:2 * n] = np.matmul(inverse.u235, v[:, :, None])[:, :, 0]
        x[:, 2 * n:] = (rhs[:, 2 * n:] + _times(inverse.out, x[:, :2 * n])) / c
        return x.reshape(-1)


def _check_finite(b: np.ndarray) -> None:
    """Raise scipy's ValueError unless every entry of ``b`` is finite (counted: one C call
    fewer than ``all``)."""
    if np.count_nonzero(np.isfinite(b)) != b.size:
        raise ValueError("array must not contain infs or NaNs")


def _check_info(info: int) -> None:
    if info != 0:
        raise ValueError(f"illegal value in {-info}th argument of internal gbtrs")


def _times(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``a[k] @ v[k]`` for every block ``k``: real matrices ``a`` (K, r, m), vectors ``v``
    (K, m) real or complex (then as their real and imaginary parts, without making ``a``
    complex)."""
    if v.dtype.kind != "c":
        return np.matmul(a, v[:, :, None])[:, :, 0]
    parts = np.ascontiguousarray(v).view(np.float64).reshape(v.shape[0], v.shape[1], 2)
    return np.ascontiguousarray(np.matmul(a, parts)).view(np.complex128)[:, :, 0]


@dataclass(frozen=True)
class _Inverse:
    """The inverse of every block's Newton matrix ``c I - J``, which is block lower
    triangular over (hold-ups, U-235, withdrawn): ``[[c - J_HH, 0, 0], [-J_NH, c - J_NN, 0],
    [-J_WH, -J_WN, c]]``. Held as the hold-up block's inverse (``None``: ``I / c``, flows
    fixed), the U-235 block's inverse, ``J_NH`` and ``J_W = [J_WH, J_WN]``: the solution is
    ``x_H`` from the hold-ups, ``x_N = inv_N (b_N + J_NH x_H)``, and ``(b_W + J_W x_S) / c``
    for the withdrawn from the stages' solution ``x_S``."""

    c: complex | float
    hold_up: np.ndarray | tuple | None
    u235: np.ndarray | tuple
    from_hold_up: np.ndarray
    out: np.ndarray


def _invert(getrf, getri, a: np.ndarray) -> np.ndarray:
    """Inverse of a square matrix by LAPACK (LU, then the inverse from it)."""
    lu, piv, info = getrf(a, overwrite_a=True)
    if info < 0:
        raise ValueError(f"illegal value in {-info}th argument of internal getrf (lu_factor)")
    if info > 0:
        warnings.warn(f"Diagonal number {info} is exactly zero. Singular matrix.",
                      LinAlgWarning, stacklevel=3)
    inverse, info = getri(lu, piv, overwrite_lu=True)
    if info != 0:
        raise ValueError(f"matrix singular or illegal argument in getri ({info})")
    return inverse


class _StepOutput(RadauDenseOutput):
    """:class:`~scipy.integrate._ivp.radau.RadauDenseOutput` whose evaluation forms the powers
    ``x, x^2, x^3`` by two products instead of tiling and a cumulative product (the same
    numbers: the cumulative product multiplies in the same order). Radau evaluates it at
    three times on every step, for its Newton iterations' starting guess."""

    def _call_impl(self, t):
        x = (t - self.t_old) / self.h
        p = np.empty((3, *np.shape(x)))
        p[0] = x
        np.multiply(x, x, out=p[1])
        np.multiply(p[1], x, out=p[2])
        y = np.dot(self.Q, p)
        if y.ndim == 2:
            y += self.y_old[:, None]
        else:
            y += self.y_old
        return y


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
