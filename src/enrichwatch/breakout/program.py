"""The breakout optimisation problem as a (mixed-integer) linear programme.

Notation: levels l = 0..L-1 of the ladder (the last is 90 %), steps s (level s -> s + 1),
resource groups k with n_k identical units (cascades, or chains of cascades), and per unit of
group k doing step s the net flow into level l, ``g[k, s, l]`` [kg U/day] (minus the feed at
level s, plus the product at s + 1, plus the tails at s - 1 when they are recycled). Stocks
m_l [kg U] (``inf`` for unlimited natural feed); D = product still needed [kg U].

Formulation
-----------
The horizon [0, T] is cut into H phases of equal length T/H. In phase h, a[h, k, s] units of
group k run step s at constant rates (sum over s <= n_k). Inventory of every level is then
piecewise linear in time, so it stays >= 0 throughout if it is >= 0 at every phase end:

    m_l + (T/H) sum_{h' <= h} sum_{k,s} g[k,s,l] a[h',k,s] >= 0      for every l, h
    (T/H) sum_h sum_{k,s} g[k,s,L-1] a[h,k,s] >= D

This is the precedence constraint: material of a level can only be consumed once it exists,
either in stock at the start or produced earlier (or at the same time: flows are continuous).
Dividing by T and writing tau = 1/T makes every constraint linear in (a, tau):

    m_l tau + (1/H) sum_{h'<=h} g . a >= 0,     (1/H) sum_h g_top . a - D tau >= 0,

and minimising T is maximising tau. With integer a this is a MILP (whole cascades assigned to
steps, reassignable at phase boundaries); with continuous a it is an LP.

The fluid optimum. With continuous a, one phase is enough: given any feasible time-varying
schedule, its time average is feasible too (the end-of-horizon balances are the same, and with
constant rates each inventory moves linearly from m_l >= 0 to its final value >= 0). So the LP
with H = 1 is the exact optimum of the fluid model in which cascades may time-share between
steps — a lower bound on the whole-cascade MILP for any H, and the quantity the Monte Carlo
re-optimises per sample.

Tie-break: among (near-)optimal allocations the one using the least separative work is
preferred (a term in the objective worth at most 1e-6 of the optimal tau, with a 1e-3 premium
per phase so that work is done early rather than late), so that idle cascades are not given
pointless work.

Solver settings. The bundled HiGHS prints debugging lines from its MILP solver to the process's
stdout; they are silenced (file descriptor 1 redirected while the MILP runs) so as not to
corrupt JSON output, and presolve is off (the problems are small). The MILP stops at a relative
gap of 1e-3 or after 2,000 branch-and-bound nodes: a *work* limit, not a wall-clock one, so the
same input gives the same schedule on any machine and under any load (HiGHS is deterministic for
a given work limit; a time limit made the answer depend on the load). What the search leaves is
reported, not hidden: :attr:`Solution.gap` is the relative distance of the whole-cascade plan
from the fluid optimum (a proven lower bound), and :attr:`Solution.mip_gap` the MILP's own gap
at its stop (the phase-length LP that follows recovers most of what a longer search would
find). While the whole-cascade plan is more than
1 % longer than the fluid optimum, the number of phases is doubled (up to 48): long chains of
steps from natural uranium need more phases to start up the intermediate levels with whole
cascades.

Phase lengths. Equal phases quantise the whole-cascade schedule (a cascade that should spend
64 % of the time on one step gets 60 % or 70 %). Once the MILP has fixed *which* units do what
in each phase, the phase lengths d_h are re-optimised by a small LP — minimise sum d_h subject
to the same inventory and product constraints, now linear in d — which is exact for that
assignment and never longer than the equal-phase schedule.

Examples
--------
One group of 3 units doing one step from a stock of 60 % (level 0) to 90 % (level 1):

>>> import numpy as np
>>> g = np.array([[[-1.75, 1.0]]])          # per unit-day: 1.75 kg of 60 % -> 1 kg of 90 %
>>> sol = solve_program(Program(g, np.array([3]), np.array([87.5, 0.0]), 27.78,
...                             np.array([[1.0]])), phases=1)
>>> round(sol.days, 3)
9.26
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError
from .cache import EntryError, array, array_digest, flag, memoised, number, text

# scipy.optimize (HiGHS) is imported where a problem is solved: a run whose solutions come
# from the cache (.cache) never loads it (~0.4 s).

__all__ = ["Program", "Solution", "solve_program"]

_TIE_BREAK = 1e-6         # the work tie-break costs at most this share of the optimal tau
_MIP_GAP = 1e-3
_NODE_LIMIT = 2000       # work limit of the MILP (deterministic; no wall-clock limit)
_WHOLE_GAP = 0.01        # more phases while whole cascades lag the fluid optimum by more
_MAX_AUTO_PHASES = 48


@dataclass(frozen=True)
class Program:
    """Data of the optimisation problem (see the module docstring).

    Attributes
    ----------
    g : ndarray (K, S, L)
        Net flow into each level per unit-day of group k on step s [kg U/day].
    units : ndarray (K,)
        Units per group.
    stock : ndarray (L,)
        Stock per level [kg U]; ``inf``: unlimited (no constraint). The last entry is the
        weapon-grade stock.
    target : float
        Product wanted at the top level [kg U].
    work : ndarray (K, S)
        Separative work per unit-day [kg-SWU/day] (the tie-break of the objective).
    """

    g: np.ndarray
    units: np.ndarray
    stock: np.ndarray
    target: float
    work: np.ndarray

    @property
    def deficit(self) -> float:
        return self.target - float(self.stock[-1])

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.g.shape

    def constrained_levels(self) -> np.ndarray:
        """Levels below the top whose stock is finite (each gets inventory constraints)."""
        return np.flatnonzero(np.isfinite(self.stock[:-1]))


@dataclass(frozen=True)
class Solution:
    """Optimum of a :class:`Program`: allocation a[h, k, s] (units), phase lengths [days] and
    the total time [days]."""

    allocation: np.ndarray
    durations: np.ndarray
    days: float
    phases: int
    integer: bool
    status: str
    mip_gap: float | None = None
    gap: float | None = None

    @property
    def feasible(self) -> bool:
        return math.isfinite(self.days)


def _matrix(prog: Program, phases: int):
    """Constraint matrix, bounds and the index of tau for H = ``phases``."""
    k, s, _ = prog.shape
    per = k * s
    nv = phases * per + 1
    flows = prog.g.reshape(per, -1)                     # (K*S, L)
    rows, lo, hi = [], [], []
    for h in range(phases):                             # capacity of each group, each phase
        for j in range(k):
            row = np.zeros(nv)
            row[h * per + j * s: h * per + (j + 1) * s] = 1.0
            rows.append(row)
            lo.append(0.0)
            hi.append(float(prog.units[j]))
    for lev in prog.constrained_levels():               # inventories at every phase end
        for h in range(phases):
            row = np.zeros(nv)
            for h2 in range(h + 1):
                row[h2 * per:(h2 + 1) * per] = flows[:, lev] / phases
            row[-1] = prog.stock[lev]
            rows.append(row)
            lo.append(0.0)
            hi.append(np.inf)
    row = np.concatenate([np.tile(flows[:, -1], phases) / phases, [-prog.deficit]])
    rows.append(row)
    lo.append(0.0)
    hi.append(np.inf)
    return np.array(rows), np.array(lo), np.array(hi), nv


def _bounds(prog: Program, phases: int, nv: int):
    from scipy.optimize import Bounds

    k, s, _ = prog.shape
    usable = np.abs(prog.g).sum(axis=2) > 0.0           # (K, S)
    ub = np.where(usable, prog.units[:, None], 0.0).ravel()
    upper = np.concatenate([np.tile(ub, phases), [np.inf]])
    return Bounds(np.zeros(nv), upper)


def solve_program(prog: Program, phases: int = 1, integer: bool = False) -> Solution:
    """Fastest schedule: the fluid LP, or the best whole-cascade schedule found.

    For whole cascades: the MILP over H equal phases, then its phase lengths re-optimised; while
    the result is more than 1 % longer than the fluid optimum, H is doubled (up to 48). With a
    cache active (:mod:`.cache`) the solution is kept on disk, keyed by the problem's arrays;
    one read back must satisfy every constraint of the problem (:func:`solution_from_doc`).

    Parameters
    ----------
    prog : Program
    phases : int
        H, the number of phases of the MILP (>= 1).
    integer : bool
        Whole units per step and phase, or time-shared (LP).

    Returns
    -------
    Solution
        Its arrays are read-only.
    """
    return memoised("program", lambda: _material(prog, phases, integer),
                    lambda: _frozen(_solve_program(prog, phases, integer)), _solution_doc,
                    lambda doc: _frozen(solution_from_doc(doc, prog, phases, integer)))


def _solve_program(prog: Program, phases: int, integer: bool) -> Solution:
    if not integer:
        return _solve(prog, phases, False)
    fluid = _solve(prog, 1, False)
    with _quiet():
        best = _solve(prog, phases, True)
    while (fluid.feasible and best.days > fluid.days * (1 + _WHOLE_GAP)
           and phases < _MAX_AUTO_PHASES):
        phases *= 2
        with _quiet():
            more = _solve(prog, phases, True)
        if more.days < best.days:
            best = more
    gap = None
    if fluid.feasible and best.feasible and best.days > 0:
        gap = max(0.0, 1.0 - fluid.days / best.days)
    from dataclasses import replace
    return replace(best, gap=gap)


def _solve(prog: Program, phases: int = 1, integer: bool = False) -> Solution:
    """Maximise tau = 1/T (work used as a tie-break), then re-optimise the phase lengths.

    Parameters
    ----------
    prog : Program
    phases : int
        H, the number of phases (>= 1).
    integer : bool
        Whole units per step and phase (MILP) or time-shared (LP).

    Returns
    -------
    Solution
        ``days`` is 0 when the stock already holds the target and ``inf`` when the target
        cannot be reached.
    """
    k, s, _ = prog.shape
    if prog.deficit <= 0.0:
        return Solution(np.zeros((phases, k, s)), np.zeros(phases), 0.0, phases, integer,
                        "in stock")
    from scipy.optimize import LinearConstraint, milp

    a_mat, lo, hi, nv = _matrix(prog, phases)
    bounds = _bounds(prog, phases, nv)
    kind = np.concatenate([np.full(nv - 1, 1 if integer else 0), [0]])
    res = milp(_cost(prog, phases, bounds), constraints=LinearConstraint(a_mat, lo, hi),
               bounds=bounds, integrality=kind,
               options={"node_limit": _NODE_LIMIT, "mip_rel_gap": _MIP_GAP,
                        "presolve": False})
    if res.x is None:
        if res.status == 2:                 # infeasible: only when tau must be 0
            return _unreachable(prog, phases, integer)
        raise ConvergenceError("breakout programme", res.message)
    if res.x[-1] <= 1e-10:              # round-off of an optimum of 0 (T > 1e10 days)
        return _unreachable(prog, phases, integer)
    alloc = res.x[:-1].reshape(phases, k, s)
    if integer:
        alloc = np.round(alloc)
    days = 1.0 / float(res.x[-1])
    durations = _phase_lengths(prog, alloc) if phases > 1 else None
    if durations is None or durations.sum() > days:
        durations = np.full(phases, days / phases)
    mip_gap = getattr(res, "mip_gap", None) if integer else None
    return Solution(alloc, durations, float(durations.sum()), phases, integer,
                    "MILP: " + res.message, None if mip_gap is None else float(mip_gap),
                    None if integer else 0.0)


@contextlib.contextmanager
def _quiet():
    """Silence the process's stdout (file descriptor 1) while HiGHS's MILP runs: the bundled
    HiGHS prints debugging lines from its MILP solver, which would corrupt JSON output. Other
    threads writing to stdout meanwhile lose their output."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _unreachable(prog: Program, phases: int, integer: bool) -> Solution:
    k, s, _ = prog.shape
    return Solution(np.zeros((phases, k, s)), np.zeros(phases), math.inf, phases, integer,
                    "unreachable")


def _cost(prog: Program, phases: int, bounds) -> np.ndarray:
    """-tau plus a tie-break on the work used, too small to cost 1e-6 of the optimal tau."""
    k, s, _ = prog.shape
    top = np.maximum(prog.g[:, :, -1], 0.0)
    tau_max = float((prog.units[:, None] * top).sum() / prog.deficit)
    work_max = float((bounds.ub[:-1] * np.tile(prog.work.ravel(), phases)).sum())
    eps = _TIE_BREAK * tau_max / work_max if work_max > 0 else 0.0
    premium = np.repeat(1.0 + 1e-3 * np.arange(phases), k * s)
    return np.concatenate([eps * np.tile(prog.work.ravel(), phases) * premium / phases, [-1.0]])


def _phase_lengths(prog: Program, alloc: np.ndarray) -> np.ndarray | None:
    """Shortest phase lengths [days] for a fixed allocation (None if the LP fails)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    rates = np.einsum("hks,ksl->hl", alloc, prog.g)          # net flow in each phase (H, L)
    phases = len(alloc)
    rows, lo = [], []
    for lev in prog.constrained_levels():
        for h in range(phases):
            row = np.where(np.arange(phases) <= h, rates[:, lev], 0.0)
            rows.append(row)
            lo.append(-prog.stock[lev])
    rows.append(rates[:, -1])
    lo.append(prog.deficit)
    res = milp(np.ones(phases), constraints=LinearConstraint(np.array(rows), lo, np.inf),
               bounds=Bounds(0.0, np.inf))
    return None if res.x is None else np.maximum(res.x, 0.0)


# ---------------------------------------------------------------------------------------------
# the cache document of a solution


def _material(prog: Program, phases: int, integer: bool) -> dict:
    return {"g": array_digest(prog.g), "units": array_digest(prog.units),
            "stock": array_digest(prog.stock), "target": float(prog.target),
            "work": array_digest(prog.work), "phases": int(phases), "integer": bool(integer)}


def _frozen(sol: Solution) -> Solution:
    for a in (sol.allocation, sol.durations):
        a.setflags(write=False)
    return sol


def _solution_doc(sol: Solution) -> dict:
    return {"allocation": sol.allocation.tolist(), "durations": sol.durations.tolist(),
            "days": sol.days, "phases": sol.phases, "integer": sol.integer,
            "status": sol.status, "mip_gap": sol.mip_gap, "gap": sol.gap}


_FEASIBLE_TOL = 1e-6      # relative; HiGHS's feasibility tolerance is 1e-7


def solution_from_doc(doc, prog: Program, phases: int, integer: bool) -> Solution:
    """A :class:`Solution` of ``prog`` from its cache document, checked as untrusted input:
    shapes, whole units where ``integer``, no group over its units, and every inventory and
    the product constraint of the problem met (relative ``1e-6``); raises
    :class:`~.cache.EntryError` otherwise. (A feasible but slower schedule cannot be told from
    the optimum without solving again.)
    """
    keys = {"allocation", "durations", "days", "phases", "integer", "status", "mip_gap", "gap"}
    if not isinstance(doc, dict) or set(doc) != keys or flag(doc["integer"]) != integer:
        raise EntryError("not a solution of this problem")
    h = doc["phases"]
    top = max(phases, _MAX_AUTO_PHASES)
    allowed = {phases * 2 ** j for j in range(7) if phases * 2 ** j <= top} if integer \
        else {phases}
    if isinstance(h, bool) or not isinstance(h, int) or h not in allowed:
        raise EntryError(f"a number of phases in {sorted(allowed)} is needed")
    k, s, _ = prog.shape
    alloc = array(doc["allocation"], (h, k, s), 0.0, float(np.max(prog.units, initial=0.0)))
    durations = array(doc["durations"], (h,), 0.0)
    days = number(doc["days"], 0.0, allow_inf=True)
    status = text(doc["status"], 10_000)
    opt = [None if doc[g] is None else number(doc[g], 0.0, 1.0 if g == "gap" else math.inf)
           for g in ("mip_gap", "gap")]
    sol = Solution(alloc, durations, days, h, integer, status, opt[0], opt[1])
    _check_feasible(prog, sol)
    return sol


def _check_feasible(prog: Program, sol: Solution) -> None:
    a, d = sol.allocation, sol.durations
    if sol.integer and not np.array_equal(a, np.round(a)):
        raise EntryError("whole units are needed")
    if np.any(a.sum(axis=2) > prog.units[None, :] * (1 + _FEASIBLE_TOL)):
        raise EntryError("more units than a group has")
    if prog.deficit <= 0.0 or math.isinf(sol.days):
        if sol.days != (0.0 if prog.deficit <= 0.0 else math.inf) or np.any(a) or np.any(d):
            raise EntryError("an empty schedule is needed (in stock, or unreachable)")
        return
    if sol.days != float(d.sum()):
        raise EntryError("days are not the sum of the phase lengths")
    made = np.cumsum(d[:, None] * np.einsum("hks,ksl->hl", a, prog.g), axis=0)   # (H, L)
    scale = np.cumsum(d[:, None] * np.einsum("hks,ksl->hl", a, np.abs(prog.g)), axis=0)
    for lev in prog.constrained_levels():
        slack = prog.stock[lev] + made[:, lev]
        if np.any(slack < -_FEASIBLE_TOL * (prog.stock[lev] + scale[:, lev]) - 1e-12):
            raise EntryError(f"level {lev} runs short: not a feasible schedule")
    if made[-1, -1] < prog.deficit - _FEASIBLE_TOL * (prog.deficit + scale[-1, -1]):
        raise EntryError("the product falls short: not a feasible schedule")
