"""Monte Carlo distribution of breakout time, vectorised, locally or on a Dask cluster.

What is sampled
---------------
* Machine performance: one separative power per machine *type* per sample (the uncertainty is
  about what a type achieves, so all machines of a type share it), drawn from a **triangular
  distribution** on the catalog range (low, nominal, high) with its mode at the nominal value.
* Stocks: each level's stock is **normal** with the state's relative one-sigma uncertainty,
  truncated at 0; levels independent. Unlimited stocks (natural uranium) are not sampled.

What is computed per sample, and how exact it is
------------------------------------------------
* Unit rates at a sampled rating are interpolated linearly between the physics computed at the
  catalog's low, nominal and high ratings (:mod:`.rates`; exact at those three points). Whether
  a step's tails are recycled is taken from those three points (recycled only if at all three).
* The **fluid optimum** (cascades time-shared between steps; :mod:`.program`, H = 1) is
  re-optimised exactly for every sample: a linear programme per sample, solved in bulk by
  re-using optimal bases (:mod:`.lpbatch`); samples no known basis fits are solved by HiGHS.
* The **whole-cascade** time of a sample is approximated by its fluid time times the ratio
  whole-cascade / fluid of the nominal plan (typically 1.00-1.02).

Reproducibility and Dask
------------------------
Samples are drawn in chunks of ``chunk_size``; chunk ``i`` uses the random stream
``SeedSequence(seed, spawn_key=(i,))``, so results depend on ``seed`` and ``chunk_size`` only,
not on where the chunks run. With ``address`` (or a ``client``) the chunks are mapped over a
``distributed.Client`` (:func:`enrichwatch.parallel.run_chunks`); the results are
bit-identical to the local run.

Examples
--------
>>> from enrichwatch.composition import Assay
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.breakout.state import BreakoutState, CascadeGroup, Stock
>>> w = Assay.from_weight_percent
>>> state = BreakoutState("demo", stocks=(Stock(w(60.0), 87.5, 0.02),),
...                       cascades=(CascadeGroup("A", load_catalog().get("IR-6"), 166, 3),))
>>> d = monte_carlo(state, samples=2000, seed=1)
>>> p = d.percentiles
>>> bool(p[5] < d.nominal_days < p[95])
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..constants import SQ_HEU_U235_KG
from ..errors import InputError
from ..parallel import Progress, ProgressLike, as_progress, run_chunks, within
from .lpbatch import days_from_tau, solve_batch
from .planner import build_program, plan_breakout, unit_rates
from .results import BreakoutPlan
from .state import BreakoutState, product_target_kg_u

__all__ = ["BreakoutDistribution", "McModel", "monte_carlo", "prepare", "run_chunk"]

_PERCENTILES = (5, 50, 95)
_PILOT = 1024           # pilot samples whose optimal bases seed every chunk (issue 14: 64 left
#                        hundreds of samples per 100,000 to HiGHS, each rediscovering a basis)


@dataclass(frozen=True, kw_only=True)
class McModel:
    """Everything a chunk needs (picklable, shipped once to each Dask worker).

    ``flows3[r, j, l]``: net flow of one unit on column j into level l at rating r
    (0 low, 1 nominal, 2 high) [kg U/day]; ``kind[j]`` the machine type of column j;
    ``ratings[t]`` = (low, nominal, high) of type t [kg-SWU/yr].
    """

    machine_names: tuple[str, ...]
    ratings: np.ndarray
    groups: np.ndarray
    kind: np.ndarray
    units: np.ndarray
    flows3: np.ndarray
    constrained: np.ndarray
    stock: np.ndarray
    sigma: np.ndarray
    target: float
    candidates: tuple[tuple[int, ...], ...] = ()


def _flows(state, model, ratings, recycle=None, progress=None):
    rates = unit_rates(state, model, ratings, progress=progress)
    ladder = state.ladder()
    if recycle is not None:
        rates = [[r if recycle[k][s] else _discard(r) for s, r in enumerate(row)]
                 for k, row in enumerate(rates)]
    units = [g.units(model)[0] for g in state.cascades]
    return build_program(ladder, units, rates, 0.0).g, rates


def _discard(rate):
    from dataclasses import replace
    return replace(rate, exact_tails=False)


def prepare(state: BreakoutState, n_sq: float = 1, *, model: str = "repiped",
            sq_u235_kg: float = SQ_HEU_U235_KG, progress: Progress | None = None) -> McModel:
    """Physics at the catalog's low, nominal and high ratings, arranged for sampling
    (``progress``: one phase, the unit rates of every group and step at the three ratings)."""
    names = tuple(sorted({g.machine.name for g in state.cascades}))
    machines = {g.machine.name: g.machine for g in state.cascades}
    ratings = np.array([(machines[n].swu_range_per_yr[0], machines[n].nominal_swu_per_yr,
                         machines[n].swu_range_per_yr[1]) for n in names])
    bar = as_progress(progress)
    bar.start(3 * len(state.cascades) * len(state.ladder().steps),
              "Monte Carlo set-up: unit rates at the low, nominal and high ratings")
    try:
        per = [_flows(state, model, {n: ratings[i, r] for i, n in enumerate(names)},
                      progress=within(bar)) for r in range(3)]
    finally:
        bar.close()
    recycle = [[all(p[1][k][s].exact_tails for p in per) for s in range(len(row))]
               for k, row in enumerate(per[1][1])]
    g3 = np.array([_flows(state, model, {n: ratings[i, r] for i, n in enumerate(names)},
                          recycle)[0] for r in range(3)])          # (3, K, S, L)
    usable = np.abs(g3).sum(axis=(0, 3)) > 0                        # (K, S)
    cols = np.argwhere(usable)
    ladder = state.ladder()
    kind = np.array([names.index(state.cascades[k].machine.name) for k, _ in cols], int)
    constrained = np.flatnonzero(np.isfinite(np.asarray(ladder.stock_kg[:-1])))
    return McModel(machine_names=names, ratings=ratings, groups=cols[:, 0].astype(int),
                   kind=kind, units=np.array([g.units(model)[0] for g in state.cascades], float),
                   flows3=g3[:, cols[:, 0], cols[:, 1], :], constrained=constrained,
                   stock=np.nan_to_num(np.asarray(ladder.stock_kg, float), posinf=0.0),
                   sigma=np.asarray(ladder.stock_sigma_kg, float),
                   target=product_target_kg_u(n_sq, sq_u235_kg))


def _weights(r: np.ndarray, rt: np.ndarray) -> np.ndarray:
    """Interpolation weights (N, T, 3) of ratings r (N, T) on the points rt (T, 3)."""
    low, nom, high = rt[:, 0], rt[:, 1], rt[:, 2]
    below = np.where(nom > low, (nom - r) / np.where(nom > low, nom - low, 1.0), 0.0)
    above = np.where(high > nom, (r - nom) / np.where(high > nom, high - nom, 1.0), 0.0)
    w = np.zeros(r.shape + (3,))
    lo_side = r <= nom
    w[..., 0] = np.where(lo_side, below, 0.0)
    w[..., 2] = np.where(lo_side, 0.0, above)
    w[..., 1] = 1.0 - w[..., 0] - w[..., 2]
    return w


def _draw(mc: McModel, rng: np.random.Generator, n: int):
    rt = mc.ratings
    spread = rt[:, 2] > rt[:, 0]
    r = np.empty((n, len(rt)))
    for t in range(len(rt)):
        r[:, t] = rng.triangular(rt[t, 0], rt[t, 1], rt[t, 2], n) if spread[t] else rt[t, 1]
    stock = np.maximum(mc.stock + mc.sigma * rng.standard_normal((n, len(mc.stock))), 0.0)
    return r, stock


def _sample_flows(mc: McModel, r: np.ndarray) -> np.ndarray:
    w = _weights(r, mc.ratings)[:, mc.kind, :]                   # (N, J, 3)
    return np.einsum("njr,rjl->njl", w, mc.flows3)


def run_chunk(mc: McModel, seed: int, index: int, size: int) -> dict:
    """Draw and solve chunk ``index`` of ``size`` samples (the unit of work sent to Dask)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    r, stock = _draw(mc, rng, size)
    flows = _sample_flows(mc, r)
    keep = np.concatenate([mc.constrained, [flows.shape[2] - 1]])
    deficit = mc.target - stock[:, -1]
    tau, calls, _ = solve_batch(flows[:, :, keep], mc.groups, stock[:, mc.constrained],
                                deficit, mc.units, mc.candidates)
    days = np.where(deficit <= 0, 0.0, days_from_tau(tau))
    return {"days": days, "ratings": r, "calls": calls}


def _seed_candidates(mc: McModel, seed: int) -> McModel:
    """Bases of the nominal programme and of a pilot sample, to start every chunk with."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31,)))
    r, stock = _draw(mc, rng, _PILOT)
    r = np.vstack([mc.ratings[:, 1][None, :], r])
    stock = np.vstack([mc.stock[None, :], stock])
    flows = _sample_flows(mc, r)
    keep = np.concatenate([mc.constrained, [flows.shape[2] - 1]])
    _, _, cands = solve_batch(flows[:, :, keep], mc.groups, stock[:, mc.constrained],
                              mc.target - stock[:, -1], mc.units)
    from dataclasses import replace
    return replace(mc, candidates=tuple(cands))


def _percentiles(days: np.ndarray) -> dict[int, float]:
    method: Literal["linear", "inverted_cdf"] = (
        "linear" if np.all(np.isfinite(days)) else "inverted_cdf")
    return {p: float(np.percentile(days, p, method=method)) for p in _PERCENTILES}


@dataclass(frozen=True, kw_only=True)
class BreakoutDistribution:
    """Monte Carlo distribution of breakout time [days].

    ``days`` are whole-cascade times (fluid times scaled by the nominal ratio ``whole_ratio``),
    ``fluid_days`` the exact per-sample fluid optima; ``percentiles`` are the 5th, 50th and
    95th percentiles of ``days``.
    """

    state: str
    model: str
    n_sq: float
    samples: int
    seed: int
    chunk_size: int
    nominal_days: float
    whole_ratio: float
    days: np.ndarray = field(repr=False)
    fluid_days: np.ndarray = field(repr=False)
    ratings: Mapping[str, np.ndarray] = field(repr=False)
    lp_solves: int
    backend: str
    assumptions: tuple[str, ...]

    @property
    def percentiles(self) -> dict[int, float]:
        return _percentiles(self.days)

    @property
    def fluid_percentiles(self) -> dict[int, float]:
        return _percentiles(self.fluid_days)

    def as_dict(self, include_samples: bool = False) -> dict:
        def clean(d):
            return {f"p{k}": (v if math.isfinite(v) else None) for k, v in d.items()}
        out = {"state": self.state, "model": self.model, "n_sq": self.n_sq,
               "samples": self.samples, "seed": self.seed, "chunk_size": self.chunk_size,
               "nominal_days": self.nominal_days, "whole_to_fluid_ratio": self.whole_ratio,
               "percentiles_days": clean(self.percentiles),
               "fluid_percentiles_days": clean(self.fluid_percentiles),
               "unreachable_share": float(np.mean(~np.isfinite(self.days))),
               "lp_solves": self.lp_solves, "backend": self.backend,
               "assumptions": list(self.assumptions)}
        if include_samples:
            out["days"] = [x if math.isfinite(x) else None for x in self.days.tolist()]
        return out

    def __repr__(self) -> str:
        p = self.percentiles
        return (f"BreakoutDistribution({self.state!r}, {self.model}, {self.samples} samples: "
                f"P5 {p[5]:.4g}, P50 {p[50]:.4g}, P95 {p[95]:.4g} days; nominal "
                f"{self.nominal_days:.4g})")


def _assumptions(mc: McModel, state: BreakoutState) -> tuple[str, ...]:
    machines = ", ".join(f"{n} {lo:g}/{nom:g}/{hi:g}" for n, (lo, nom, hi)
                         in zip(mc.machine_names, mc.ratings, strict=True))
    stocks = ", ".join(f"{100 * float(s.assay.mass_fraction):.4g} % +-{100 * s.uncertainty:g} %"
                       for s in state.stocks if not s.unlimited)
    return (f"machine separative power: one value per type and sample, triangular on the "
            f"catalog (low/nominal/high kg-SWU/yr: {machines})",
            f"stocks: normal, relative one-sigma as stated ({stocks}), truncated at 0",
            "unit rates interpolated linearly between the physics at the low, nominal and high "
            "ratings",
            "per sample: fluid optimum re-optimised exactly (LP); whole-cascade time = fluid "
            "time x nominal whole/fluid ratio")


def _check(samples, chunk_size):
    for name, v in (("samples", samples), ("chunk_size", chunk_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(name, v, "a whole number >= 1")


def monte_carlo(state: BreakoutState, n_sq: float = 1, *, samples: int = 10_000,
                seed: int = 0, model: str = "repiped", chunk_size: int = 1000,
                address: str | None = None, client=None, plan: BreakoutPlan | None = None,
                progress: ProgressLike = None,
                sq_u235_kg: float = SQ_HEU_U235_KG) -> BreakoutDistribution:
    """Distribution of breakout time (see the module docstring).

    Parameters
    ----------
    state : BreakoutState
    n_sq : float
        Significant quantities.
    samples, seed, chunk_size : int
        Number of samples, random seed, samples per chunk.
    model : {'repiped', 'as-built'}
    address : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): run the chunks there.
    client : distributed.Client, optional
        An existing client (instead of ``address``).
    plan : BreakoutPlan, optional
        The nominal plan (computed if not given), for the whole/fluid ratio.
    progress : Progress, optional
        Told of two phases (:mod:`enrichwatch.parallel`): the unit rates at the low, nominal
        and high ratings, then the samples (as each chunk finishes, locally or on Dask). A
        plain callable ``progress(done, total)`` (the earlier interface) hears of chunks only.
    sq_u235_kg : float
        U-235 per SQ [kg].

    Returns
    -------
    BreakoutDistribution
    """
    _check(samples, chunk_size)
    plan = plan if plan is not None else plan_breakout(state, n_sq, model=model,
                                                       sq_u235_kg=sq_u235_kg)
    setup = progress if isinstance(progress, Progress) else None  # a callable: chunks only
    mc = _seed_candidates(prepare(state, n_sq, model=model, sq_u235_kg=sq_u235_kg,
                                  progress=setup), seed)
    parts, backend = run_chunks(run_chunk, mc, seed=seed, total=samples,
                                chunk_size=chunk_size, address=address, client=client,
                                progress=progress, what="Monte Carlo samples")
    fluid = np.concatenate([p["days"] for p in parts])
    ratio = plan.days_to_n_sq / plan.fluid_days if 0 < plan.fluid_days < math.inf else 1.0
    days = fluid * ratio
    for arr in (days, fluid):
        arr.setflags(write=False)
    ratings = {n: np.concatenate([p["ratings"][:, i] for p in parts])
               for i, n in enumerate(mc.machine_names)}
    return BreakoutDistribution(state=state.name, model=model, n_sq=float(n_sq), samples=samples,
                                seed=seed, chunk_size=chunk_size,
                                nominal_days=plan.days_to_n_sq, whole_ratio=ratio, days=days,
                                fluid_days=fluid, ratings=ratings,
                                lp_solves=sum(p["calls"] for p in parts), backend=backend,
                                assumptions=_assumptions(mc, state))
