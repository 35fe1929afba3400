"""Days to one SQ under a breakout scenario: the nominal plan, its Monte Carlo band and a tornado.

For a :class:`~.scenario.BreakoutScenario` (see there for what it holds):

* **nominal plan**: the scenario's cascades and stocks planned with the whole-cascade MILP of
  :mod:`.program` (deterministic: a work limit, no wall clock), the unit rates scaled by each
  cascade's availability and every product stream by (1 - losses), the stocks reduced by the
  hold-up of the machines used (:func:`~.scenario.scenario_stocks`); days = set-up + transport
  (when a cascade is at a site not holding the stock) + production;
* **Monte Carlo**: the scenario's assumptions are sampled together — set-up days, transport
  days, losses, hold-up, stage factor, machine rating per type, availability per cascade group,
  optional cascades in or out, stock sizes — each range triangular on (low, nominal, high), the
  stocks normal with their stated sigma. The production time of every sample is its fluid
  optimum (an LP solved exactly per sample, in bulk: :mod:`.lpbatch`) times the nominal plan's
  whole-cascade / fluid ratio; unit rates at a sampled rating or stage factor are interpolated
  between the physics at the low, nominal and high values (exact at those points);
* **tornado**: each assumption swung alone from its low to its high value, the others nominal;
  the row with the largest swing is the assumption that moves the answer most.

The all-capacity scenario (:func:`assess_all_capacity`) tries the best 1, 2, 3, 4, 6, 8, 12,
16, 24, 32, 48 and 64 cascades (ranked by separative power, those at a site holding the highest
stock first) within each site's station limit, under both plant models (as built with switching
set-up, re-piped with re-piping set-up), keeps the fastest, and keeps the analyst's own plan when
that is faster (it is a feasible plan under the same physical limits), so that analyst days >=
all-capacity days >= the ideal-SWU bound of every installed machine.

SQ definitions (:data:`SQ_DEFINITIONS`): 'iaea' = 25 kg U-235 in HEU (27.8 kg U at 90 %);
'90pct' = 25 kg of 90 % uranium (22.5 kg U-235), the unit of most published estimates.

Examples
--------
>>> from enrichwatch.breakout.scenario import analyst_scenario
>>> r = assess_scenario(analyst_scenario("2025-05-31"), sq_definition="90pct")
>>> 1.5 < r.days < 4.5, r.setup_days
(True, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import InputError
from .lpbatch import days_from_tau, solve_batch
from .planner import build_program, lower_bound, unit_rates
from .program import solve_program
from .scenario import BreakoutScenario, CascadeUse, Range, scenario_stocks
from .sq import SQ_DEFINITIONS, sq_statement, sq_u235_kg
from .state import BreakoutState, product_target_kg_u

if TYPE_CHECKING:
    from .results import ScheduleEntry

__all__ = ["SQ_DEFINITIONS", "ScenarioResult", "TornadoRow", "assess_all_capacity",
           "assess_scenario", "sq_statement", "sq_u235_kg"]

_PERCENTILES = (5, 50, 95)
_CANDIDATES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
_Z95 = 1.6448536269514722


@dataclass(frozen=True)
class TornadoRow:
    """Days with one assumption at its low and at its high value, the others nominal."""

    assumption: str
    low: str
    high: str
    days_low: float
    days_high: float

    @property
    def swing(self) -> float:
        a, b = self.days_low, self.days_high
        if not (math.isfinite(a) and math.isfinite(b)):
            return math.inf if a != b else 0.0
        return abs(b - a)

    def as_dict(self) -> dict:
        return {"assumption": self.assumption, "low_value": self.low, "high_value": self.high,
                "days_at_low": _num(self.days_low), "days_at_high": _num(self.days_high),
                "swing_days": _num(self.swing)}


def _num(x):
    return None if x is None or not math.isfinite(x) else float(x)


def _show(days: float | None) -> str:
    return "unreachable" if days is None else f"{days:.3g}"


@dataclass(frozen=True)
class ScenarioResult:
    """Days to ``n_sq`` under one scenario, with how they were obtained.

    ``days`` = ``setup_days`` + ``transport_days`` + ``production_days`` (whole cascades);
    ``fluid_days`` is the production optimum with time-shared cascades (a proven lower bound
    on the production time) and ``gap`` the relative distance of the whole-cascade production
    time from it; ``percentiles`` the Monte Carlo band of ``days`` (empty without samples);
    ``tornado`` sorted by swing, largest first; ``driver`` the assumption that moves the
    answer most.
    """

    scenario: BreakoutScenario
    sq_definition: str
    n_sq: float
    days: float
    setup_days: float
    transport_days: float
    production_days: float
    fluid_days: float
    gap: float | None
    mip_gap: float | None
    holdup_kg: float
    schedule: tuple = field(repr=False, default=())
    percentiles: dict = field(default_factory=dict)
    samples: int = 0
    tornado: tuple[TornadoRow, ...] = ()
    note: str = ""

    @property
    def driver(self) -> str | None:
        return self.tornado[0].assumption if self.tornado else None

    @property
    def leu_assay_range(self) -> dict | None:
        """The up-to-5 % stock's assay range [wt%] and the days at its two ends (from the
        tornado; None when the scenario feeds no such stock or no tornado was computed)."""
        from .timeline import LEU_ASSAY_LABEL

        r = self.scenario.leu_assay
        row = next((t for t in self.tornado if t.assumption == LEU_ASSAY_LABEL), None)
        if r is None or row is None:
            return None
        return {"low_wt_pct": r.low, "nominal_wt_pct": r.nominal, "high_wt_pct": r.high,
                "source": r.source, "days_at_low": _num(row.days_low),
                "days_at_high": _num(row.days_high)}

    def assumptions(self) -> tuple[str, ...]:
        sc = self.scenario
        out = [sq_statement(self.sq_definition),
               f"plant model {sc.model}; cascades used: " + ", ".join(
                   f"{c.group.name} ({c.group.count} x {c.group.machines} {c.group.machine.name}"
                   f" at {c.site}{', optional' if c.optional else ''}"
                   f"{'' if c.availability.nominal == 1 and not c.availability.spread else f', availability {c.availability}'})"  # noqa: E501
                   for c in sc.cascades),
               "feed: " + ", ".join(
                   f"{'unlimited' if s.unlimited else f'{s.kg_u:.6g} kg U'} at "
                   f"{100 * float(s.assay.mass_fraction):.4g} %" for s in sc.stocks)
               + ("; share allotted to the product: " + ", ".join(
                   f"{100 * x:.4g} %: {f:.3g}" for x, f in sc.stock_fraction)
                  if sc.stock_fraction else ""),
               f"set-up {sc.setup_days} days before production ({sc.setup_days.source})",
               f"transport {sc.transport_days} days "
               + ("(a cascade is at a site not holding the stock)" if sc.needs_transport()
                  else "(not needed: every cascade at a site holding the stock)"),
               f"losses {sc.losses_pct} % of every step's product ({sc.losses_pct.source})",
               f"hold-up {sc.holdup_g_u_per_machine} g U per machine, "
               f"{self.holdup_kg:.3g} kg U at nominal, filled from the highest stock "
               f"({sc.holdup_g_u_per_machine.source})",
               f"stage factor of the advanced machines {sc.stage_factor} "
               f"({sc.stage_factor.source})",
               "machine ratings: catalog nominal (ranges in the Monte Carlo)"]
        if sc.leu_assay is not None:
            out.append(self._leu_statement())
        if sc.method:
            out.insert(0, "estimate's assumptions: " + sc.method)
        if self.note:
            out.append(self.note)
        return tuple(out) + sc.assumptions

    def _leu_statement(self) -> str:
        r = self.scenario.leu_assay
        assert r is not None
        text = (f"up-to-5 % stock fed at {r.nominal:g} % U-235; its mean assay is not reported "
                f"and may lie in {r.low:g}-{r.high:g} %")
        ends = self.leu_assay_range
        if ends is None:
            return text + " (days at the two ends: with the tornado)"
        lo, hi = ends["days_at_low"], ends["days_at_high"]
        return (text + f": {_show(lo)} days at {r.low:g} %, {_show(hi)} days at {r.high:g} % "
                "(nominal values otherwise; the Monte Carlo band holds the assay at "
                f"{r.nominal:g} %)")

    def as_dict(self) -> dict:
        sc = self.scenario
        return {"kind": sc.kind, "days": _num(self.days), "setup_days": self.setup_days,
                "transport_days": self.transport_days,
                "production_days": _num(self.production_days),
                "fluid_production_days": _num(self.fluid_days),
                "gap_to_fluid_optimum": _num(self.gap), "mip_gap": _num(self.mip_gap),
                "holdup_kg_u": self.holdup_kg, "model": sc.model,
                "sq_definition": self.sq_definition,
                "sq_statement": sq_statement(self.sq_definition),
                "cascades": [f"{c.group.count} x {c.group.machines} {c.group.machine.name} "
                             f"({c.group.name}, {c.site})" for c in sc.cascades],
                "n_machines": sc.n_machines,
                "percentiles_days": {f"p{k}": _num(v) for k, v in self.percentiles.items()},
                "samples": self.samples,
                "tornado": [t.as_dict() for t in self.tornado],
                "driver": self.driver, "note": self.note or None,
                "leu_assay_range": self.leu_assay_range,
                "schedule": [e.as_dict() for e in self.schedule],
                "assumptions": list(self.assumptions()), "scenario": sc.as_dict()}


# -- the physics of a scenario at given values -----------------------------------------------------

def _with_gamma(group, gamma: float):
    m = group.machine
    if m.geometry is not None:           # geometry-defined (IR-1): its stage factor is modelled
        return group
    if abs(m.design_gamma - gamma) <= 1e-12 * gamma:
        return group
    return replace(group, machine=m.varied(gamma=gamma))


def _state(sc: BreakoutScenario, gamma: float, holdup_kg: float | None) -> BreakoutState:
    stocks = sc.stocks if holdup_kg is None else scenario_stocks(sc, holdup_kg)
    groups = tuple(_with_gamma(c.group, gamma) for c in sc.cascades)
    return BreakoutState(sc.name, stocks, groups, sc.date)


def _scaled_rates(sc, state, availability, loss):
    rates = unit_rates(state, sc.model)
    out = []
    for k, row in enumerate(rates):
        a = availability[k]
        out.append([replace(r.scaled(a), product_kg_per_day=r.product_kg_per_day * a
                            * (1.0 - loss)) for r in row])
    return out


def _production(sc, gamma, holdup_kg, availability, loss, target, integer=True):
    state = _state(sc, gamma, holdup_kg)
    ladder = state.ladder()
    model = sc.model
    units = [g.units(model)[0] for g in state.cascades]
    rates = _scaled_rates(sc, state, availability, loss)
    prog = build_program(ladder, units, rates, target)
    fluid = solve_program(prog, 1)
    if not integer:
        return fluid, fluid, state, rates, units
    return solve_program(prog, 6, integer=True), fluid, state, rates, units


def _holdup_kg(sc: BreakoutScenario, g_per_machine: float, include=None) -> float:
    n = sum(c.group.n_machines for k, c in enumerate(sc.cascades)
            if include is None or include[k])
    return n * g_per_machine / 1000.0


def assess_scenario(sc: BreakoutScenario, n_sq: float = 1, *, sq_definition: str = "iaea",
                    samples: int = 0, seed: int = 0, tornado: bool = True,
                    integer: bool = True) -> ScenarioResult:
    """Days to ``n_sq`` SQ under ``sc`` (see the module docstring).

    Parameters
    ----------
    sc : BreakoutScenario
    n_sq : float
    sq_definition : {'iaea', '90pct'}
    samples : int
        Monte Carlo samples (0: none).
    seed : int
    tornado : bool
        Compute the one-at-a-time sensitivity.
    integer : bool
        Whole cascades (MILP; default) or the fluid optimum only (exact LP).
    """
    target = product_target_kg_u(n_sq, sq_u235_kg(sq_definition))
    include = [not c.optional for c in sc.cascades]
    avail = [c.availability.nominal if include[k] else 0.0 for k, c in enumerate(sc.cascades)]
    hold = _holdup_kg(sc, sc.holdup_g_u_per_machine.nominal, include)
    whole, fluid, state, rates, units = _production(
        sc, sc.stage_factor.nominal, hold, avail, sc.losses_pct.nominal / 100.0, target,
        integer)
    setup = sc.setup_days.nominal
    transport = sc.transport_days.nominal if sc.needs_transport() else 0.0
    schedule: tuple[ScheduleEntry, ...] = ()
    if integer and whole.feasible:
        from .results import build_materials, build_schedule

        _, _, produced = build_materials(state.ladder(), rates, whole.allocation,
                                         whole.durations)
        per = [g.units(sc.model)[1] for g in state.cascades]
        schedule = build_schedule(state.cascades, per, state.ladder(), rates, whole.allocation,
                                  whole.durations, produced)
    result = ScenarioResult(sc, sq_definition, float(n_sq), setup + transport + whole.days,
                            setup, transport, whole.days, fluid.days, whole.gap,
                            whole.mip_gap, hold, schedule)
    if not (samples or tornado):
        return result
    ratio = whole.days / fluid.days if 0 < fluid.days < math.inf else 1.0
    batch = _Batch(sc, target, ratio)
    if samples:
        days = batch.days(batch.draw(samples, seed))
        result = replace(result, percentiles=_percentiles(days), samples=samples)
    if tornado:
        result = replace(result, tornado=batch.tornado())
    return result


def _percentiles(days: np.ndarray) -> dict[int, float]:
    method: Literal["linear", "inverted_cdf"] = (
        "linear" if np.all(np.isfinite(days)) else "inverted_cdf")
    return {p: float(np.percentile(days, p, method=method)) for p in _PERCENTILES}


# -- many assumption values at once ----------------------------------------------------------------

class _Batch:
    """The scenario's production LP for many sets of assumption values at once."""

    def __init__(self, sc: BreakoutScenario, target: float, ratio: float,
                 vary_gamma: bool = True):
        from .montecarlo import prepare

        self.sc, self.target, self.ratio = sc, target, ratio
        gam = sc.stage_factor
        full = _state(sc, gam.nominal, None)              # stocks before hold-up
        self.mc = prepare(full, model=sc.model)
        self.mc = replace(self.mc, target=target)
        flows = self.mc.flows3[1]
        self.product_level = np.array([int(np.flatnonzero(f > 0).max()) if (f > 0).any()
                                       else f.shape[0] - 1 for f in flows])
        self.gamma_pts = (gam.low, gam.nominal, gam.high)
        self.gamma_fac = np.ones((3, flows.shape[0]))
        for i, gv in enumerate(self.gamma_pts):
            if gv == gam.nominal or not vary_gamma:
                continue
            other = prepare(_state(sc, gv, None), model=sc.model).flows3[1]
            if other.shape == flows.shape:
                num = np.abs(other).sum(axis=1)
                den = np.abs(flows).sum(axis=1)
                self.gamma_fac[i] = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
        ladder = full.ladder()
        self.levels = np.asarray(ladder.levels)
        self.stock = np.asarray(ladder.stock_kg, float)          # inf for natural
        self.sigma = np.asarray(ladder.stock_sigma_kg, float)
        self.share = np.ones(len(self.levels))
        for x, f in sc.stock_fraction:
            self.share[np.argmin(np.abs(self.levels - x))] = f
        self.machines = np.array([c.group.n_machines for c in sc.cascades], float)
        self.optional = np.array([c.optional for c in sc.cascades])
        self.transport = sc.needs_transport()

    # values: dict of arrays (N,) or (N, K) / (N, T)
    def nominal(self, n: int) -> dict:
        sc = self.sc
        k = len(sc.cascades)
        return {"setup": np.full(n, sc.setup_days.nominal),
                "transport": np.full(n, sc.transport_days.nominal),
                "loss": np.full(n, sc.losses_pct.nominal),
                "holdup": np.full(n, sc.holdup_g_u_per_machine.nominal),
                "gamma": np.full(n, sc.stage_factor.nominal),
                "rating": np.tile(self.mc.ratings[:, 1], (n, 1)),
                "avail": np.tile([c.availability.nominal for c in sc.cascades], (n, 1)),
                "include": np.tile(~self.optional, (n, 1)).reshape(n, k),
                "z": np.zeros((n, len(self.levels)))}

    def draw(self, n: int, seed: int) -> dict:
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        sc = self.sc
        v = self.nominal(n)

        def tri(r: Range):
            return rng.triangular(r.low, r.nominal, r.high, n) if r.spread else \
                np.full(n, r.nominal)
        v["setup"], v["transport"] = tri(sc.setup_days), tri(sc.transport_days)
        v["loss"], v["holdup"] = tri(sc.losses_pct), tri(sc.holdup_g_u_per_machine)
        v["gamma"] = tri(sc.stage_factor)
        rt = self.mc.ratings
        for t in range(len(rt)):
            if rt[t, 2] > rt[t, 0]:
                v["rating"][:, t] = rng.triangular(rt[t, 0], rt[t, 1], rt[t, 2], n)
        for k, c in enumerate(sc.cascades):
            v["avail"][:, k] = tri(c.availability)
            if c.optional:
                v["include"][:, k] = rng.random(n) < 0.5
        v["z"] = rng.standard_normal((n, len(self.levels)))
        return v

    def days(self, v: dict) -> np.ndarray:
        from .montecarlo import _weights

        mc = self.mc
        n = len(v["setup"])
        w = _weights(v["rating"], mc.ratings)[:, mc.kind, :]
        flows = np.einsum("njr,rjl->njl", w, mc.flows3)
        g = v["gamma"]
        gl, gn, gh = self.gamma_pts
        fac = np.ones((n, flows.shape[1]))
        lo_side = g <= gn
        if gn > gl:
            t = np.clip((gn - g) / (gn - gl), 0, 1)[:, None]
            fac = np.where(lo_side[:, None], 1 + t * (self.gamma_fac[0] - 1), fac)
        if gh > gn:
            t = np.clip((g - gn) / (gh - gn), 0, 1)[:, None]
            fac = np.where(~lo_side[:, None], 1 + t * (self.gamma_fac[2] - 1), fac)
        scale = fac * (v["avail"] * v["include"])[:, mc.groups]
        flows = flows * scale[:, :, None]
        loss = (1.0 - v["loss"] / 100.0)[:, None]
        j = np.arange(flows.shape[1])
        flows[:, j, self.product_level] *= loss
        stock = self._stocks(v)
        keep = np.concatenate([mc.constrained, [flows.shape[2] - 1]])
        deficit = self.target - stock[:, -1]
        tau, _, _ = solve_batch(flows[:, :, keep], mc.groups, stock[:, mc.constrained],
                                deficit, mc.units, mc.candidates)
        prod = np.where(deficit <= 0, 0.0, days_from_tau(tau)) * self.ratio
        return v["setup"] + (v["transport"] if self.transport else 0.0) + prod

    def _stocks(self, v: dict) -> np.ndarray:
        n = len(v["setup"])
        base = np.where(np.isfinite(self.stock), self.stock, 0.0)
        s = np.maximum(base + self.sigma * v["z"], 0.0)
        left = (v["include"] * self.machines).sum(axis=1) * v["holdup"] / 1000.0
        out = s.copy()
        for lev in range(len(self.levels) - 2, -1, -1):      # below the product level, top down
            if not np.isfinite(self.stock[lev]):
                continue
            take = np.minimum(left, s[:, lev])
            left = left - take
            out[:, lev] = np.maximum(0.0, np.minimum(self.share[lev] * s[:, lev],
                                                     s[:, lev] - take))
        return out.reshape(n, -1)

    def tornado(self) -> tuple[TornadoRow, ...]:
        sc, mc = self.sc, self.mc
        rows = []

        def swing(label, key, lo, hi, shown_lo, shown_hi):
            v = self.nominal(2)
            if np.ndim(v[key]) == 1:
                v[key] = np.array([lo, hi], float)
            else:
                v[key] = np.vstack([lo, hi]).astype(v[key].dtype)
            d = self.days(v)
            rows.append(TornadoRow(label, shown_lo, shown_hi, float(d[0]), float(d[1])))

        for label, key, r, unit in (("set-up days", "setup", sc.setup_days, " d"),
                                    ("losses", "loss", sc.losses_pct, " %"),
                                    ("hold-up per machine", "holdup", sc.holdup_g_u_per_machine,
                                     " g U"),
                                    ("stage factor", "gamma", sc.stage_factor, "")):
            if r.spread:
                swing(label, key, r.low, r.high, f"{r.low:g}{unit}", f"{r.high:g}{unit}")
        if self.transport and sc.transport_days.spread:
            r = sc.transport_days
            swing("transport days", "transport", r.low, r.high, f"{r.low:g} d", f"{r.high:g} d")
        rt = mc.ratings
        if (rt[:, 2] > rt[:, 0]).any():
            names = ", ".join(f"{n} {a:g}-{b:g}" for n, a, b in
                              zip(mc.machine_names, rt[:, 0], rt[:, 2], strict=True))
            swing("machine rating", "rating", rt[:, 0], rt[:, 2], "low", "high")
            rows[-1] = replace(rows[-1], low=f"low ({names} kg-SWU/yr)", high="high")
        av = np.array([[c.availability.low for c in sc.cascades],
                       [c.availability.high for c in sc.cascades]])
        if (av[1] > av[0]).any():
            swing("availability", "avail", av[0], av[1], "low", "high")
        if self.optional.any():
            inc = np.vstack([~self.optional, np.ones_like(self.optional)])
            swing("cascades used", "include", inc[0], inc[1],
                  f"{int((~self.optional).sum())} groups", f"{len(self.optional)} groups")
        if (self.sigma > 0).any():
            z = np.where(self.sigma > 0, _Z95, 0.0)
            swing("stock sizes", "z", -z, z, "-1.645 sigma", "+1.645 sigma")
        if sc.leu_assay is not None and sc.leu_assay.spread:
            rows.append(self._leu_row())
        return tuple(sorted(rows, key=lambda r: -r.swing if math.isfinite(r.swing) else -1e300))

    def _leu_row(self) -> TornadoRow:
        """Days with the up-to-5 % stock at the low and the high end of its assay range (the
        ladder changes with the level, so each end is a scenario of its own, at nominal
        values otherwise, with the nominal plan's whole-cascade / fluid ratio)."""
        from .timeline import LEU_ASSAY_LABEL

        r = self.sc.leu_assay
        assert r is not None

        def at(pct: float) -> float:
            if pct == r.nominal:
                return float(self.days(self.nominal(1))[0])
            other = _Batch(self.sc.at_leu_assay(pct), self.target, self.ratio,
                           vary_gamma=False)
            return float(other.days(other.nominal(1))[0])
        return TornadoRow(LEU_ASSAY_LABEL, f"{r.low:g} %", f"{r.high:g} %", at(r.low),
                          at(r.high))


# -- the all-capacity scenario ---------------------------------------------------------------------

def _rank(sc: BreakoutScenario):
    holding = set(sc.sites_holding(sc.top_level))
    units = []
    for c in sc.cascades:
        g = c.group
        atomic = g.connection == "series"
        n_units = 1 if atomic else g.count
        per = g.n_machines if atomic else g.machines
        power = per * g.machine.nominal_swu_per_yr * c.availability.nominal
        for _ in range(n_units):
            units.append((0 if c.site in holding else 1, -power, c, per))
    units.sort(key=lambda u: (u[0], u[1]))
    return units


def _select(sc: BreakoutScenario, n: int, caps: dict,
            partial: bool = False) -> tuple[CascadeUse, ...] | None:
    """The best ``n`` cascades within each site's station limit (None if fewer fit, unless
    ``partial``: then as many as fit)."""
    taken: dict[str, int] = {}
    chosen: dict[str, int] = {}
    uses = {}
    count = 0
    for _, _, c, _ in _rank(sc):
        if count >= n:
            break
        atomic = c.group.connection == "series"
        k = c.group.count if atomic else 1
        if taken.get(c.site, 0) + k > caps[c.site]:
            continue
        taken[c.site] = taken.get(c.site, 0) + k
        chosen[c.group.name] = chosen.get(c.group.name, 0) + k
        uses[c.group.name] = c
        count += 1
    if count < n and not partial:
        return None
    return tuple(replace(c, group=replace(c.group, count=chosen[name]))
                 for name, c in uses.items())


def assess_all_capacity(date: str, n_sq: float = 1, *, sq_definition: str = "iaea",
                        samples: int = 0, seed: int = 0, analyst: ScenarioResult | None = None,
                        file=None, tornado: bool = True, integer: bool = True,
                        ) -> ScenarioResult:
    """The all-capacity scenario at ``date`` (see the module docstring)."""
    from .scenario import all_capacity_scenario

    target = product_target_kg_u(n_sq, sq_u235_kg(sq_definition))
    best: tuple[float, BreakoutScenario] | None = None
    for model in ("as-built", "repiped"):
        sc = all_capacity_scenario(date, file, model=model)
        caps = {s.name: int(s.cascades_fed_at_once.nominal) for s in sc.sites}
        seen = set()
        every = len(_rank(sc))
        for n in [c for c in _CANDIDATES if c < every] + [every]:
            uses = _select(sc, n, caps) or _select(sc, n, caps, partial=True)
            if not uses:
                break
            key = tuple((c.group.name, c.group.count) for c in uses)
            if key in seen:
                continue
            seen.add(key)
            cand = sc.with_cascades(uses)
            hold = _holdup_kg(cand, cand.holdup_g_u_per_machine.nominal)
            avail = [c.availability.nominal for c in cand.cascades]
            _, fluid, *_ = _production(cand, cand.stage_factor.nominal, hold, avail,
                                       cand.losses_pct.nominal / 100.0, target, integer=False)
            total = (cand.setup_days.nominal + fluid.days
                     + (cand.transport_days.nominal if cand.needs_transport() else 0.0))
            if best is None or total < best[0]:
                best = (total, cand)
    if best is None:
        raise InputError("date", date, "a date on which some cascade can be fed")
    result = assess_scenario(best[1], n_sq, sq_definition=sq_definition, samples=samples,
                             seed=seed, tornado=tornado, integer=integer)
    n_casc = sum(c.group.count for c in best[1].cascades)
    result = replace(result, note=f"the fastest configuration found: {n_casc} cascades, plant "
                                  f"model {best[1].model}")
    if analyst is not None and analyst.days < result.days:
        sc = replace(analyst.scenario, kind="all-capacity")
        over = _over_caps(analyst.scenario)
        note = ("the analyst's plan is the fastest found (more cascades cost more set-up, "
                "transport or hold-up than they save)")
        if over:
            note += "; it exceeds the assumed station limits at " + ", ".join(over)
        result = replace(analyst, scenario=sc, note=note)
    return result


def _over_caps(sc: BreakoutScenario) -> list[str]:
    used: dict[str, int] = {}
    for c in sc.cascades:
        used[c.site] = used.get(c.site, 0) + c.group.count
    caps = {s.name: s.cascades_fed_at_once.nominal for s in sc.sites}
    return [f"{site} ({n} cascades, limit {caps[site]:g})" for site, n in used.items()
            if n > caps.get(site, math.inf)]


def ideal_bound_days(date: str, n_sq: float = 1, *, sq_definition: str = "iaea",
                     file=None) -> float:
    """Ideal-SWU lower bound with every installed machine at its rating and every UF6 stock."""
    from .scenario import all_capacity_scenario

    sc = all_capacity_scenario(date, file)
    target = product_target_kg_u(n_sq, sq_u235_kg(sq_definition))
    return lower_bound(sc.state(), target).days
