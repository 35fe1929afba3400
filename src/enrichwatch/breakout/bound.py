"""The ideal-SWU lower bound on breakout time.

Statement
---------
Let ``S*`` be the least binary separative work [kg-SWU] with which the stocks can be turned
into the product still needed along the state's enrichment ladder, *with ideal steps*: each
step s enriches level x_s to x_{s+1}; its tails either go back to the level below (x_{s-1},
recycled) or are discarded at *any* assay below x_s (chosen freely, step by step); material is
taken from the stocks or from the product of the step below; nothing is limited but the
stocks. With ``D`` the rated separative power of every installed machine [kg-SWU/day], no plan
of :mod:`.planner` can finish before ``T_LB = S* / D``.

Why no plan beats it
--------------------
1. Each step a cascade performs in a plan (:mod:`.rates`) is a physical operation whose
   streams close the mass and U-235 balances exactly, with the product at x_{s+1} and the tails
   either at exactly x_{s-1} (recycled) or discarded at their own assay below x_s. So the plan's
   cumulative flows, step by step, are a feasible point of the minimisation that defines S*
   (its inventory constraints at the end of the horizon are among the plan's constraints).
2. The work of a step is ``P V(x_P) + W V(x_W) - F V(x_F)`` per unit time, and the rates are
   capped so that it never exceeds the rated power of the cascade's machines; so the plan's
   total work over T days is at most ``D T``.
3. Material at a level is always at the level's assay, so no mixing term is hidden in the sum:
   the plan's work is exactly the objective of the minimisation at its flows, hence >= S*.

So ``D T >= S*``. The bound is tight when every machine works at its rated power on an ideal
route (it ignores the stage and whole-cascade losses, and the time-sharing between steps).

Computation
-----------
A linear programme over the step flows. The work of a discarded tails stream of mass W and
U-235 content U, ``W V(U/W)``, is the perspective of the convex V and is replaced by the
largest of its tangent planes at 2,000 assays (uniform in logit) and at every level:
``W V(y) >= W (V(y_j) - y_j V'(y_j)) + U V'(y_j)``. The tangents lie below the function, so the
LP optimum is <= S* — still a valid lower bound — and the gap is negligible (< 1e-4 relative).

Examples
--------
One SQ (27.78 kg U at 90 %) from 87.5 kg U of 60 %: the cheapest route feeds all 87.5 kg and
discards tails at 46 % rather than recycling them at 20 %:

>>> b = ideal_swu_bound([0.60, 0.90], [87.5, 0.0], 0.20, 27.78)
>>> round(b.swu_kg, 1), [round(100 * y, 1) for y in b.discard_assays if y is not None]
(42.5, [46.0])
>>> round(b.with_power(6.8).days, 2)
6.25

The ``bin-25kg-wgu-grid`` vector: 25 kg of 90 % from 43.75 kg of 60 % (tails 20 %) needs
55.99 kg-SWU; with the 20 % level below, the bound finds exactly that route:

>>> round(ideal_swu_bound([0.20, 0.60, 0.90], [0.0, 43.75, 0.0], 0.035, 25.0).swu_kg, 2)
55.99
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InputError
from ..physics.swu import separative_work, value_tangent
from .cache import EntryError, array_digest, memoised, number

__all__ = ["LowerBound", "ideal_swu_bound"]

_GRID = 2000
_LOGIT_RANGE = (-14.0, 9.0)      # y from 8e-7 to 0.9999


@dataclass(frozen=True)
class LowerBound:
    """The ideal-SWU lower bound.

    Attributes
    ----------
    swu_kg : float
        Least separative work S* [kg-SWU] (0 when the product is already in stock; ``inf``
        when the stocks cannot make it).
    product_kg : float
        Product still needed [kg U at 90 %].
    feed_kg : tuple of float
        Feed of each step on the cheapest route [kg U].
    discard_assays : tuple of float or None
        U-235 mass fraction of the tails each step discards (None: none discarded).
    power_kg_swu_per_day : float or None
        Rated separative power of all machines; None until :meth:`with_power` is called.
    """

    swu_kg: float
    product_kg: float
    feed_kg: tuple[float, ...] = ()
    discard_assays: tuple[float | None, ...] = ()
    power_kg_swu_per_day: float | None = None

    def with_power(self, power_kg_swu_per_day: float) -> LowerBound:
        return LowerBound(self.swu_kg, self.product_kg, self.feed_kg, self.discard_assays,
                          float(power_kg_swu_per_day))

    @property
    def days(self) -> float:
        """S* / D [days] (``inf`` without machines or when the product cannot be made)."""
        if self.swu_kg == 0.0:
            return 0.0
        if not self.power_kg_swu_per_day:
            return math.inf
        return self.swu_kg / self.power_kg_swu_per_day

    def as_dict(self) -> dict:
        return {"swu_kg": _finite(self.swu_kg), "product_kg_u": self.product_kg,
                "days": _finite(self.days),
                "power_kg_swu_per_day": self.power_kg_swu_per_day,
                "route": [{"step": i, "feed_kg_u": f,
                           "discarded_tails_wt_pct": None if y is None else 100 * y}
                          for i, (f, y) in enumerate(zip(self.feed_kg, self.discard_assays,
                                                         strict=True))]}

    def __repr__(self) -> str:
        return (f"LowerBound({self.swu_kg:.6g} kg-SWU for {self.product_kg:.6g} kg U at 90 %, "
                f"{self.days:.4g} days)")


def _finite(x: float):
    return None if not math.isfinite(x) else x


def _grid(assays) -> np.ndarray:
    t = np.linspace(*_LOGIT_RANGE, _GRID)
    y = 1.0 / (1.0 + np.exp(-t))
    return np.unique(np.concatenate([y, np.asarray(assays, float)]))


def ideal_swu_bound(levels, stock_kg, waste_tails: float, target_kg: float) -> LowerBound:
    """Least ideal separative work to reach ``target_kg`` at the top level (see module doc).

    Parameters
    ----------
    levels : sequence of float
        Ladder levels, U-235 **mass fractions**, ascending; the last is the product level.
    stock_kg : sequence of float
        Stock per level [kg U] (``inf``: unlimited); the last is product already in stock.
    waste_tails : float
        Not a constraint of the bound (the lowest step may discard at any assay); accepted for
        symmetry with the planner and used only to check the ladder.
    target_kg : float
        Product wanted at the top level [kg U].

    Returns
    -------
    LowerBound
        Without machine power; see :meth:`LowerBound.with_power`.
    """
    x = np.asarray(levels, float)
    m = np.asarray(stock_kg, float)
    if not (len(x) >= 2 and len(m) == len(x) and np.all(np.diff(x) > 0) and x[0] > 0
            and x[-1] < 1 and 0 < waste_tails < x[0]):
        raise InputError("levels", list(levels), "ascending U-235 mass fractions in (0, 1), "
                         "a stock per level and a waste tails assay below the lowest level")
    if not (math.isfinite(target_kg) and target_kg >= 0.0):
        raise InputError("target_kg", target_kg, "a mass >= 0 [kg U]")
    need = target_kg - m[-1]
    if need <= 0.0:
        return LowerBound(0.0, 0.0)
    return memoised("bound", lambda: {"levels": array_digest(x), "stock": array_digest(m),
                                      "need": float(need)},
                    lambda: _solve(x, m, need), _doc, lambda doc: _from_doc(doc, x, need))


def _doc(b: LowerBound) -> dict:
    return {"swu_kg": b.swu_kg, "feed_kg": list(b.feed_kg),
            "discard_assays": list(b.discard_assays)}


def _from_doc(doc, x: np.ndarray, need: float) -> LowerBound:
    """A bound from its cache document, checked: a work >= 0 and, when reachable, a feed >= 0
    per step and discarded tails below each step's feed (raises :class:`~.cache.EntryError`)."""
    if not isinstance(doc, dict) or set(doc) != {"swu_kg", "feed_kg", "discard_assays"}:
        raise EntryError("not a lower bound")
    swu = number(doc["swu_kg"], 0.0, allow_inf=True)
    n = 0 if math.isinf(swu) else len(x) - 1
    feed, discards = doc["feed_kg"], doc["discard_assays"]
    if not (isinstance(feed, list) and isinstance(discards, list)
            and len(feed) == len(discards) == n):
        raise EntryError(f"{n} steps are needed")
    return LowerBound(swu, need, tuple(number(f, 0.0) for f in feed),
                      tuple(None if y is None else number(y, 0.0, float(x[s]))
                            for s, y in enumerate(discards)))


def _solve(x: np.ndarray, m: np.ndarray, need: float) -> LowerBound:
    n_steps = len(x) - 1
    y = _grid(x)
    alpha, beta = value_tangent(y)
    nv = 6 * n_steps                      # per step: F, P, R, Dm, Du, sigma
    idx = {name: lambda s, j=j: 6 * s + j for j, name in enumerate("FPRDUs")}
    cost, eq_rows, ub_rows, ub_rhs = np.zeros(nv), [], [], []
    for s in range(n_steps):
        f, p, r, d, u, sg = (idx[c](s) for c in "FPRDUs")
        below = x[s - 1] if s > 0 else 0.0
        # the step's work P V(x_{s+1}) + R V(x_{s-1}) - F V(x_s) is linear in (F, P, R): its
        # coefficients are the work of a unit of each (nothing is recycled below the lowest level)
        unit = separative_work(x[s], x[s + 1], below if s else x[s], *np.eye(3))
        cost[[f, p, r, sg]] = [unit[0], unit[1], unit[2] if s else 0.0, 1.0]
        row = np.zeros(nv)
        row[[f, p, r, d]] = [1.0, -1.0, -1.0, -1.0]
        eq_rows.append(row)
        row = np.zeros(nv)
        row[[f, p, r, u]] = [x[s], -x[s + 1], -below, -1.0]
        eq_rows.append(row)
        row = np.zeros(nv)
        row[[u, d]] = [1.0, -x[s]]            # discarded tails below the feed
        ub_rows.append(row)
        ub_rhs.append(0.0)
        tangent = np.zeros((len(y), nv))
        tangent[:, d], tangent[:, u], tangent[:, sg] = alpha, beta, -1.0
        ub_rows.extend(tangent)
        ub_rhs.extend([0.0] * len(y))
    for lev in range(len(x)):                 # stock + made - used >= 0 (>= need at the top)
        row = np.zeros(nv)
        if lev > 0:
            row[idx["P"](lev - 1)] = 1.0
        if lev < n_steps:
            row[idx["F"](lev)] = -1.0
        if lev + 1 < n_steps:
            row[idx["R"](lev + 1)] = 1.0
        if lev == len(x) - 1:
            ub_rows.append(-row)
            ub_rhs.append(-need)
        elif math.isfinite(m[lev]):
            ub_rows.append(-row)
            ub_rhs.append(m[lev])
    from scipy.optimize import linprog

    bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * nv
    for s in range(n_steps):
        bounds[idx["s"](s)] = (None, None)
        bounds[idx["R"](s)] = (0.0, 0.0 if s == 0 else None)
    res = linprog(cost, A_ub=np.array(ub_rows), b_ub=np.array(ub_rhs), A_eq=np.array(eq_rows),
                  b_eq=np.zeros(len(eq_rows)), bounds=bounds, method="highs")
    if res.status == 2:
        return LowerBound(math.inf, need)
    if res.status != 0:
        raise ConvergenceError("ideal-SWU lower bound", res.message)
    v = res.x.reshape(n_steps, 6)
    discards = tuple(float(row[4] / row[3]) if row[3] > 1e-9 else None for row in v)
    return LowerBound(max(0.0, float(res.fun)), need, tuple(float(f) for f in v[:, 0]),
                      discards)
