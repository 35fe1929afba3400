"""What one cascade can do in one enrichment step, from the physics of the plant.

For a step (feed assay x_F to product assay x_P, tails to the level x_W below) a cascade's
*step rate* is its feed, product and tails flows [kg U/day] when it does that step. Two plant
models:

``'repiped'`` (model b)
    The cascade's machines are re-piped for the step:
    :func:`~enrichwatch.physics.cascade.design_cascade` builds a fixed cascade of the same
    number of machines for x_F -> x_P with tails x_W.
``'as-built'`` (model a)
    The cascade keeps the stages it was built with (:class:`~.state.BuiltJob`) and is fed the
    step's feed off design.

Either way the fixed cascade is then *operated* for the step: the feed rate and the product
withdrawal rate (the two valves an operator has) are solved together so that the product
leaves at exactly x_P and the tails at exactly x_W (:func:`scipy.optimize.root` on the
network solver, a few solves). The tails can then be recycled into level x_W. If no setting
reaches both assays (an as-built cascade whose stripping section is too short or too long), the
feed is set at the rate an ideal cascade of the same separative power would take and only the
product withdrawal is throttled to x_P (:func:`enrichwatch.physics.capability.rate_for_assay`); the
tails then leave at whatever assay results and are *discarded*. A step the cascade cannot
reach at all has zero rates.

Conservation of separative work. The value-function work of a step,
``P V(x_P) + W V(x_W) - F V(x_F)``, may not exceed the rated separative power of the
cascade's machines; the stage relation dU = 1/2 q theta (1 - theta) (ln gamma)^2 of the machine
model is the small-separation limit, and at gamma = 1.4 a stage's exact value-function work can
exceed it by a few tenths of a percent. Where that happens the rates are scaled down to the
rated power (``cap`` < 1 records it). This keeps every step physically possible *and* keeps the
ideal-SWU lower bound of :mod:`.bound` a true bound.

Every rate is computed once per (machine, machines per cascade, built job, step, model,
rating) and cached in memory: identical cascades share it. With a cache active
(:mod:`.cache`), :func:`~.planner.unit_rates` also keeps the rates of a whole state on disk,
so that a repeated run reads them (checked by :func:`rate_from_doc`) instead of solving again.

Examples
--------
>>> from enrichwatch.physics.machines import load_catalog
>>> r = step_rate(load_catalog().get("IR-6"), 166, None, 0.60, 0.90, 0.20, "repiped")
>>> r.exact_tails, round(r.product_kg_per_day, 3)
(True, 1.01)
>>> round(r.value_work_kg_swu_per_day / (166 * 5.0 / 365.25), 4) <= 1.0
True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ..composition import Assay, Composition
from ..constants import DAYS_PER_YEAR
from ..errors import ConfigurationError, ConvergenceError, InputError
from ..physics.swu import separative_work
from .cache import EntryError, flag, machine_material, memoised, number, text
from .state import BuiltJob

if TYPE_CHECKING:
    from ..physics.cascade import FixedCascade

# SciPy's optimisers and the cascade solver (which loads them) are imported where a rate is
# computed: a run that reads its rates from the cache (.cache) never loads them (~0.4 s).

__all__ = ["MODELS", "StepRate", "built_job_problem", "job_material", "rate_from_doc",
           "step_rate"]

#: The two plant models: cascades re-piped for each step, or kept as built.
MODELS: tuple[str, ...] = ("repiped", "as-built")

_ROOT_TOL = 1e-10      # residual in logit of the assays
_IDEAL_SHARE = 0.9     # first guess of the feed: this share of an ideal cascade's


@dataclass(frozen=True, kw_only=True)
class StepRate:
    """Flows of one cascade doing one step [kg U/day], and how they were obtained.

    Attributes
    ----------
    feed_kg_per_day, product_kg_per_day, tails_kg_per_day : float
    tails_assay : float
        U-235 mass fraction of the tails.
    exact_tails : bool
        True when the tails leave at the step's tails assay (and can be recycled).
    value_work_kg_swu_per_day : float
        Value-function separative work of the step [kg-SWU/day].
    cap : float
        Factor (<= 1) applied to keep the value work within the rated power.
    method : str
        How the rate was obtained, in words.
    """

    feed_kg_per_day: float
    product_kg_per_day: float
    tails_kg_per_day: float
    tails_assay: float
    exact_tails: bool
    value_work_kg_swu_per_day: float
    cap: float
    method: str

    @property
    def available(self) -> bool:
        return self.product_kg_per_day > 0.0

    def scaled(self, factor: float) -> StepRate:
        """The same step with every flow multiplied by ``factor``."""
        return replace(self, feed_kg_per_day=self.feed_kg_per_day * factor,
                       product_kg_per_day=self.product_kg_per_day * factor,
                       tails_kg_per_day=self.tails_kg_per_day * factor,
                       value_work_kg_swu_per_day=self.value_work_kg_swu_per_day * factor)

    def cache_doc(self) -> dict:
        """Every field, for the cache (:func:`rate_from_doc` reads it back exactly)."""
        return {"feed": self.feed_kg_per_day, "product": self.product_kg_per_day,
                "tails": self.tails_kg_per_day, "tails_assay": self.tails_assay,
                "exact_tails": self.exact_tails, "work": self.value_work_kg_swu_per_day,
                "cap": self.cap, "method": self.method}

    def as_dict(self) -> dict:
        return {"feed_kg_per_day": self.feed_kg_per_day,
                "product_kg_per_day": self.product_kg_per_day,
                "tails_kg_per_day": self.tails_kg_per_day,
                "tails_wt_pct": 100 * self.tails_assay, "tails_recycled": self.exact_tails,
                "value_work_kg_swu_per_day": self.value_work_kg_swu_per_day,
                "cap": self.cap, "method": self.method}


def _none(reason: str, xw: float) -> StepRate:
    return StepRate(feed_kg_per_day=0.0, product_kg_per_day=0.0, tails_kg_per_day=0.0,
                    tails_assay=xw, exact_tails=False, value_work_kg_swu_per_day=0.0, cap=1.0,
                    method=reason)


def _swu_per_feed(xf: float, xp: float, xw: float) -> float:
    p = (xf - xw) / (xp - xw)
    return float(separative_work(xf, xp, xw, 1.0, p, 1 - p))


def _logit(x: float) -> float:
    return math.log(x / (1.0 - x))


def _build(machine, n: int, job: BuiltJob | None, xf: float, xp: float, xw: float
           ) -> FixedCascade:
    from ..physics.cascade import design_cascade

    if job is None:
        return design_cascade(machine, Composition.binary(Assay(np.asarray(xf))),
                              Assay(np.asarray(xp)), Assay(np.asarray(xw)), total_machines=n,
                              name="C")
    return design_cascade(machine, Composition.binary(job.feed), job.product, job.tails,
                          total_machines=n, name="C")


def _hit_both(cascade: FixedCascade, xf: float, xp: float, xw: float, feed0: float
              ) -> tuple[float, float] | None:
    """(F, P) [kg/yr] giving product x_P and tails x_W exactly, or None.

    Each trial setting is solved as a one-cascade network from the last state solved (a warm
    start, :meth:`~enrichwatch.physics.network.Network.solve`), and only the assays of its
    two withdrawals are read (no cascade state is built)."""
    from scipy.optimize import root

    from ..physics.network import ExternalFeed, Network

    feed = Composition.binary(Assay(np.asarray(xf)))
    targets = np.array([_logit(xp), _logit(xw)])
    share0 = (xf - xw) / (xp - xw)
    product, tails = f"{cascade.name}.product", f"{cascade.name}.tails"
    last: list = [None]         # the state of the last setting solved: the next one's start

    def residual(v):
        rate, share = math.exp(v[0]), 1.0 / (1.0 + math.exp(-v[1]))
        try:
            net = Network([cascade], feeds=[ExternalFeed("feed", cascade.name, feed, rate)])
            state = net.solve({product: share * rate}, start=last[0])
        except (ConvergenceError, InputError):
            return np.full(2, 1e3)
        last[0] = state
        got = [state.withdrawals[w].composition.fraction("U235") for w in (product, tails)]
        return np.array([_logit(float(g)) for g in got]) - targets

    for scale in (1.0, 0.5, 2.0):
        sol = root(residual, [math.log(feed0 * scale), _logit(share0)], method="hybr",
                   options={"xtol": 1e-12})
        if np.max(np.abs(residual(sol.x))) < 1e-8:
            rate, share = math.exp(sol.x[0]), 1.0 / (1.0 + math.exp(-sol.x[1]))
            return rate, share * rate
    return None


def _throttle(cascade: FixedCascade, xf: float, xp: float, feed0: float
              ) -> tuple[float, float, float] | None:
    """(F, P, tails assay) with the product throttled to x_P at feed ``feed0``, or None."""
    from ..physics.capability import rate_for_assay
    from ..physics.network import ExternalFeed, Network

    feed = Composition.binary(Assay(np.asarray(xf)))
    net = Network([cascade], feeds=[ExternalFeed("feed", cascade.name, feed, feed0)])
    try:
        found = rate_for_assay(net, f"{cascade.name}.product", Assay(np.asarray(xp)))
    except (ConvergenceError, InputError):
        return None
    if found is None:
        return None
    p = found.rate_kg_per_yr
    return feed0, p, (feed0 * xf - p * xp) / (feed0 - p)


def _finish(f: float, p: float, xf: float, xp: float, xw: float, exact: bool, power: float,
            method: str) -> StepRate:
    w = f - p
    work = float(separative_work(xf, xp, xw, f, p, w))
    cap = min(1.0, power / work) if work > 0 else 1.0
    return StepRate(feed_kg_per_day=cap * f / DAYS_PER_YEAR,
                    product_kg_per_day=cap * p / DAYS_PER_YEAR,
                    tails_kg_per_day=cap * w / DAYS_PER_YEAR, tails_assay=xw, exact_tails=exact,
                    value_work_kg_swu_per_day=cap * work / DAYS_PER_YEAR, cap=cap,
                    method=method)


@functools.lru_cache(maxsize=4096)
def step_rate(machine, machines: int, job: BuiltJob | None, x_feed: float, x_product: float,
              x_tails: float, model: str) -> StepRate:
    """Rate of one cascade of ``machines`` machines doing one step (see the module docstring).

    Parameters
    ----------
    machine : Machine
        Machine type, at the rating to use.
    machines : int
        Machines in the cascade.
    job : BuiltJob or None
        Built job for ``model='as-built'`` (None for 'repiped').
    x_feed, x_product, x_tails : float
        Step assays as U-235 **mass fractions** (tails < feed < product).
    model : {'repiped', 'as-built'}

    Returns
    -------
    StepRate
        Per cascade, in kg U/day.
    """
    if model not in MODELS:
        raise InputError("model", model, f"one of {', '.join(MODELS)}")
    if not 0.0 < x_tails < x_feed < x_product < 1.0:
        raise InputError("step", (x_feed, x_product, x_tails),
                         "mass fractions with 0 < tails < feed < product < 1")
    power = machines * machine.nominal_swu_per_yr
    try:
        cascade = _build(machine, machines, job if model == "as-built" else None,
                         x_feed, x_product, x_tails)
    except ConfigurationError as err:
        return _none(f"no cascade: {err}", x_tails)
    feed0 = _IDEAL_SHARE * power / _swu_per_feed(x_feed, x_product, x_tails)
    if model == "repiped":
        where = "re-piped"
    elif job is None:
        raise InputError("job", job, "a built job for model='as-built'")
    else:
        where = f"as built ({job.label})"
    both = _hit_both(cascade, x_feed, x_product, x_tails, feed0)
    if both is not None:
        return _finish(*both, x_feed, x_product, x_tails, True, power,
                       f"{where}: {cascade.n_stages} stages, feed and withdrawal set for the "
                       "step's product and tails assays")
    one = _throttle(cascade, x_feed, x_product, feed0)
    if one is None:
        return _none(f"{where}: {cascade.n_stages} stages cannot reach "
                     f"{100 * x_product:.4g} %", x_tails)
    f, p, xw = one
    if not 0.0 < xw < x_feed:
        return _none(f"{where}: no usable operating point", x_tails)
    return _finish(f, p, x_feed, x_product, xw, False, power,
                   f"{where}: {cascade.n_stages} stages, product throttled to "
                   f"{100 * x_product:.4g} %, tails at {100 * xw:.4g} % discarded")


_BALANCE_TOL = 1e-6       # relative: root solves leave the assays within ~1e-8 of the target


def rate_from_doc(doc, x_feed: float, x_product: float, x_tails: float,
                  power_kg_swu_per_yr: float) -> StepRate:
    """A :class:`StepRate` from its cache document, checked as untrusted input.

    Beyond types and ranges, the rate must be physically possible: feed = product + tails, the
    U-235 balance closed (relative ``1e-6``), tails below the feed (exactly at ``x_tails`` when
    recycled), and the value-function work of the flows at most the rated power
    ``power_kg_swu_per_yr`` of the cascade. Raises :class:`~.cache.EntryError` otherwise.
    """
    if not isinstance(doc, dict) or set(doc) != {"feed", "product", "tails", "tails_assay",
                                                 "exact_tails", "work", "cap", "method"}:
        raise EntryError("not a step rate")
    f, p, w = (number(doc[k], 0.0) for k in ("feed", "product", "tails"))
    xw, exact = number(doc["tails_assay"], 0.0, x_feed), flag(doc["exact_tails"])
    work, cap = number(doc["work"], 0.0), number(doc["cap"], 0.0, 1.0)
    scale = max(f, 1e-300)
    if abs(f - p - w) > _BALANCE_TOL * scale or (exact and xw != x_tails) or xw <= 0.0:
        raise EntryError("a step rate whose mass balance or tails do not close")
    if abs(f * x_feed - p * x_product - w * xw) > _BALANCE_TOL * scale * x_feed:
        raise EntryError("a step rate whose U-235 balance does not close")
    limit = power_kg_swu_per_yr / DAYS_PER_YEAR * (1 + _BALANCE_TOL)
    if f > 0 and (work > limit or abs(work - float(separative_work(x_feed, x_product, xw, f, p,
                                                                     w))) > _BALANCE_TOL * limit):
        raise EntryError("a step rate whose separative work is not that of its flows or "
                         "exceeds the rated power")
    return StepRate(feed_kg_per_day=f, product_kg_per_day=p, tails_kg_per_day=w,
                    tails_assay=xw, exact_tails=exact, value_work_kg_swu_per_day=work, cap=cap,
                    method=text(doc["method"], 10_000))


def job_material(job: BuiltJob | None) -> list[float] | None:
    """A built job as cache key material: its feed, product and tails mass fractions."""
    return None if job is None else [float(a.mass_fraction)
                                     for a in (job.feed, job.product, job.tails)]


def built_job_problem(machine, machines: int, job: BuiltJob) -> str:
    """Why ``machines`` machines cannot form a cascade for ``job`` ('' when they can).

    The check behind a state file's ``built_for`` (it designs the cascade); with a cache
    active (:mod:`.cache`) its answer is kept on disk, so that reading a state file again
    does not load the cascade solver.

    >>> from enrichwatch.physics.machines import load_catalog
    >>> from enrichwatch.breakout.state import BuiltJob
    >>> w = Assay.from_weight_percent
    >>> built_job_problem(load_catalog().get("IR-6"), 166, BuiltJob(w(5.0), w(60.0), w(2.0)))
    ''
    >>> built_job_problem(load_catalog().get("IR-6"), 3, BuiltJob(w(5.0), w(60.0), w(2.0)))
    'a whole number >= the 25 stages needed'
    """
    def compute() -> str:
        from ..physics.cascade import design_cascade

        try:
            design_cascade(machine, Composition.binary(job.feed), job.product, job.tails,
                           total_machines=machines)
        except InputError as err:
            return str(err.allowed)
        return ""

    def decode(doc) -> str:
        if not isinstance(doc, dict) or set(doc) != {"problem"}:
            raise EntryError("not a design check")
        return text(doc["problem"])

    return memoised("design", lambda: {"machine": machine_material(machine),
                                       "machines": machines, "job": job_material(job)},
                    compute, lambda problem: {"problem": problem}, decode)
