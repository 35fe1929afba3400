"""Running a history, and what comes out: :func:`run_history` and :class:`TransientResult`.

The result holds the assay of every stage and every cascade output (product and tails streams,
whether withdrawn or linked onward) on a time grid, the withdrawal rates and the cumulative
withdrawn uranium, and the answers: the peak assay of each stream and when, the first time each
threshold is reached, each segment's steady limit, settling times and slowest time constants,
the uranium held in stages at or above each threshold at each time, and the uranium withdrawn at
or above it. Times in hours from the start of the history, assays as U-235 weight fractions,
masses in kg U.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> from .plant import Configuration, History, Segment
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(20.0),
...                    Assay.from_weight_percent(2.5), total_machines=166, name="A")
>>> net = Network([a], feeds=[ExternalFeed("feed", "A", leu, a.design.feed_kg_per_yr)])
>>> h = History("start-up", {"plant": Configuration.from_network("plant", net)},
...             (Segment("production", 24.0, "plant"),), thresholds=(0.2,))
>>> result = run_history(h)
>>> steady = result.segments[0].steady["A.product"]
>>> bool(abs(result.streams["A.product"][-1] - steady) < 1e-6)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from ...errors import ConvergenceError
from .analysis import (
    Series,
    peak,
    settling_time,
    steady_limit,
    time_constants,
    withdrawn_above,
)
from .batch import integrate_requests
from .integrate import Crossing, Run, Watch, integrate
from .plant import History, Variant, build_operations

__all__ = ["SegmentSummary", "TransientResult", "run_histories", "run_history",
           "run_history_sets"]

_POINTS_PER_SEGMENT = 241
MODEL_STATEMENTS = (
    "binary U-235/U-238 model: each feed at its U-235 weight fraction, the other isotopes "
    "counted with U-238",
    "each stage one well-mixed hold-up; stage relation y/(1-y) = gamma x/(1-x), "
    "theta y + (1 - theta) x = z (a stage's mass balance)",
    "hydraulics instantaneous: flows re-solved at each change of segment; stage factors from "
    "the machine model at the stage flows",
    "uranium above an assay at a time: hold-up of the stages whose mixed gas is at or above it",
)


@dataclass(frozen=True)
class SegmentSummary:
    """One segment: its settings and what it tends to.

    ``steady`` maps each watched point to its assay in the segment's steady limit (absent for
    a draining segment); ``settling_h`` to the time from the segment's start after which it
    stays within 1 % of its change (``None``: not within the segment; the steady limit is
    absent when the segment drains or Newton's method does not find it); ``time_constants_h``
    are the slowest time constants of the balances linearised at the steady limit (or at the
    segment's end state when it has none).
    """

    index: int
    name: str
    configuration: str
    closure: str
    start_h: float
    end_h: float
    steady: dict[str, float]
    settling_h: dict[str, float | None]
    time_constants_h: tuple[float, ...]
    flows_kg_per_h: tuple[float, ...] = field(repr=False, default=())

    def as_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "configuration": self.configuration,
                "closure": self.closure, "start_h": self.start_h, "end_h": self.end_h,
                "steady_assay_wt_pct": {k: 100 * v for k, v in self.steady.items()},
                "settling_h": dict(self.settling_h),
                "time_constants_h": list(self.time_constants_h),
                "total_stage_flow_kg_per_h": float(np.sum(self.flows_kg_per_h))}


class _WhenRead(Mapping):
    """A mapping whose values are computed when first read, then kept: the same values as
    computing them all at once (a pure function of the run), for a caller that reads a few."""

    def __init__(self, keys, compute: Callable) -> None:
        self._keys, self._compute = tuple(keys), compute
        self._done: dict = {}

    def __getitem__(self, key):
        if key not in self._done:
            if key not in self._keys:
                raise KeyError(key)
            self._done[key] = self._compute(key)
        return self._done[key]

    def __iter__(self) -> Iterator:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True)
class TransientResult:
    """A history run; see the module text. Arrays run over the time grid ``times_h``.
    ``peaks`` maps each watched point to its peak (assay, time), each found when first read
    (a sweep's runs are often read at one point only)."""

    name: str
    variant: str
    method: str
    rtol: float
    holdup_g_per_machine: float
    stage_labels: tuple[tuple[str, int], ...]
    withdrawals: tuple[str, ...]
    withdrawal_labels: dict[str, str]
    thresholds: tuple[float, ...]
    times_h: np.ndarray = field(repr=False)
    segment_of: np.ndarray = field(repr=False)
    stage_assays: np.ndarray = field(repr=False)
    stage_holdup: np.ndarray = field(repr=False)
    streams: dict[str, np.ndarray] = field(repr=False)
    withdrawal_rates: np.ndarray = field(repr=False)
    withdrawn: np.ndarray = field(repr=False)
    withdrawn_u235: np.ndarray = field(repr=False)
    mass_above: np.ndarray = field(repr=False)
    peaks: Mapping[str, tuple[float, float]]
    first_reached: dict[tuple[str, float], float | None]
    withdrawn_above: dict[tuple[str, float], tuple[float, float]]
    summarise: Callable[[], tuple[SegmentSummary, ...]] = field(repr=False, compare=False)
    crossings: tuple[Crossing, ...]
    balance: dict[str, float]
    assumptions: tuple[str, ...] = ()

    @cached_property
    def segments(self) -> tuple[SegmentSummary, ...]:
        """Each segment's settings and what it tends to (:class:`SegmentSummary`): computed
        when first asked (a steady limit, settling times and time constants per segment),
        since a sweep's runs are often read only for their peaks and crossings."""
        return self.summarise()

    def max_mass_above(self, threshold: float) -> tuple[float, float]:
        """Largest hold-up at or above ``threshold`` [kg U] and when [h]."""
        k = self.thresholds.index(threshold)
        i = int(np.argmax(self.mass_above[:, k]))
        return float(self.mass_above[i, k]), float(self.times_h[i])

    def as_dict(self, series: bool = False) -> dict:
        """Plain data (assays in wt%, masses in kg U, times in h); ``series`` adds the arrays."""
        out = {
            "name": self.name, "variant": self.variant, "method": self.method,
            "rtol": self.rtol, "holdup_g_per_machine": self.holdup_g_per_machine,
            "thresholds_wt_pct": [100 * t for t in self.thresholds],
            "peaks": {k: {"assay_wt_pct": 100 * a, "time_h": t}
                      for k, (a, t) in self.peaks.items()},
            "first_reached": [{"point": w, "threshold_wt_pct": 100 * a, "time_h": t}
                              for (w, a), t in self.first_reached.items()],
            "withdrawn_above": [{"withdrawal": w, "label": self.withdrawal_labels.get(w, w),
                                 "threshold_wt_pct": 100 * a, "kg_u": m, "kg_u235": m5}
                                for (w, a), (m, m5) in self.withdrawn_above.items()],
            "holdup_above_max": [{"threshold_wt_pct": 100 * a,
                                  **dict(zip(("kg_u", "time_h"), self.max_mass_above(a),
                                             strict=True))}
                                 for a in self.thresholds],
            "segments": [s.as_dict() for s in self.segments],
            "crossings": [{"time_h": c.time_h, "point": c.watch,
                           "threshold_wt_pct": 100 * c.threshold,
                           "direction": "up" if c.direction > 0 else "down"}
                          for c in self.crossings],
            "balance": dict(self.balance),
            "assumptions": list(self.assumptions),
        }
        if series:
            out["series"] = self.series_dict()
        return out

    def series_dict(self) -> dict:
        return {"time_h": self.times_h.tolist(), "segment": self.segment_of.tolist(),
                "streams_wt_pct": {k: (100 * v).tolist() for k, v in self.streams.items()},
                "withdrawal_kg_u_per_h": {self.withdrawal_labels.get(w, w):
                                          self.withdrawal_rates[:, i].tolist()
                                          for i, w in enumerate(self.withdrawals)},
                "stage_assay_wt_pct": (100 * self.stage_assays).tolist(),
                "stages": [f"{c}[{s}]" for c, s in self.stage_labels]}

    def csv_rows(self) -> list[list]:
        """Header and rows: time, segment, streams [wt%], withdrawal rates [kg U/h], hold-up
        at or above each threshold [kg U], stage assays [wt%]. A change of segment appears
        twice, at the same time: the end of one segment and the start of the next (stream
        assays and rates jump there; stage assays do not)."""
        header = (["time_h", "segment"] + [f"{k} [wt%]" for k in self.streams]
                  + [f"{self.withdrawal_labels.get(w, w)} [kg U/h]" for w in self.withdrawals]
                  + [f"hold-up >= {100 * a:g} % [kg U]" for a in self.thresholds]
                  + [f"{c}[{s}] [wt%]" for c, s in self.stage_labels])
        cols = ([self.times_h, self.segment_of] + [100 * v for v in self.streams.values()]
                + list(self.withdrawal_rates.T) + list(self.mass_above.T)
                + list(100 * self.stage_assays.T))
        rows = np.column_stack(cols)
        return [header] + [[f"{v:.10g}" for v in row] for row in rows]


def run_history(history: History, variant: Variant | None = None, *, method: str = "Radau",
                rtol: float = 1e-8, atol: float = 1e-10,
                points_per_segment: int = _POINTS_PER_SEGMENT,
                cache: dict | None = None) -> TransientResult:
    """Integrate a history and analyse it (see the module text).

    Parameters
    ----------
    history : History
    variant : Variant, optional
        Uncertain inputs of this run (hold-up, stage factor, closures); default nominal.
    method : str
        Integrator (:data:`~.integrate.METHODS`).
    rtol, atol : float
        Relative tolerance; absolute tolerance relative to the stage hold-ups.
    points_per_segment : int
        Points of the output grid in each segment (both ends included).
    cache : dict, optional
        Kept by the caller across runs of the same history (:func:`.plant.build_operations`):
        the segments' operations are built once per set of stage factors and closures, and a
        variant changing closures starts from the nominal run's segments before its changed
        one (the same integration: exact).
    """
    variant = Variant() if variant is None else variant
    ops, y0 = build_operations(history, variant, cache=cache)
    spans = history.times()
    watches = history.watches()
    runs = _runs(history, variant, cache)
    key = (method, rtol, atol)
    run = integrate([(op, t0, t1) for op, (t0, t1) in zip(ops, spans, strict=True)],
                    y0, method=method, rtol=rtol, atol=atol, watch=watches,
                    thresholds=history.thresholds, reuse=runs.get(key))
    if not variant.closures and variant.holdup_g in (None, history.holdup.total_g):
        runs.setdefault(key, run)
    return _result(history, variant, run, watches, points_per_segment)


def run_histories(history: History, variants: Sequence[Variant], *, method: str = "Radau",
                  rtol: float = 1e-8, atol: float = 1e-10,
                  points_per_segment: int = _POINTS_PER_SEGMENT) -> list[TransientResult]:
    """:func:`run_history` for several variants of one history, integrated together
    (:func:`.batch.integrate_batch`: one stacked system, each variant within ``rtol`` and
    ``atol`` on every step; the answers agree with separate runs to the integrator's
    tolerance). The operations are built once per set of stage factors and closures."""
    return run_history_sets([(history, variants)], method=method, rtol=rtol, atol=atol,
                            points_per_segment=points_per_segment)[0]


def run_history_sets(requests: Sequence[tuple[History, Sequence[Variant]]], *,
                     method: str = "Radau", rtol: float = 1e-8, atol: float = 1e-10,
                     points_per_segment: int = _POINTS_PER_SEGMENT,
                     caches: Sequence[dict | None] | None = None
                     ) -> list[list[TransientResult]]:
    """:func:`run_histories` for several histories (each with its variants) at once: every
    run of every history integrated in one call of :func:`.batch.integrate_requests` (the runs
    sharing their segment times and system size, of any history and plant, stacked together,
    each within ``rtol`` and ``atol`` on every step). One list of results per history, in the
    order asked. ``caches``, one per history (or None), are :func:`.plant.build_operations`'
    caches kept by the caller for it (as :func:`.plant.check_operations` fills one)."""
    asked, plans = [], []
    kept = [None] * len(requests) if caches is None else list(caches)
    for (history, variants), given in zip(requests, kept, strict=True):
        cache: dict = {} if given is None else given
        built = [build_operations(history, v, cache=cache) for v in variants]
        spans, watches = history.times(), history.watches()
        plans.append((history, tuple(variants), watches))
        asked += [([(op, t0, t1) for op, (t0, t1) in zip(ops, spans, strict=True)], y0,
                   watches, history.thresholds) for ops, y0 in built]
    runs = iter(integrate_requests(asked, method=method, rtol=rtol, atol=atol))
    return [[_result(history, v, next(runs), watches, points_per_segment) for v in variants]
            for history, variants, watches in plans]


def _runs(history: History, variant: Variant, cache: dict | None) -> dict:
    """Where a sweep keeps the nominal run of each set of stage factors (in the cache of its
    builds): its closure variants start from its segments before their changed one."""
    if cache is None:
        return {}
    build = cache.get((tuple(sorted(variant.gamma.items())), ()))
    return {} if build is None else build[2].setdefault(("runs",), {})


def _grid(run: Run, points: int):
    times, segs, states, parts = [], [], [], []
    for seg in run.segments:
        t = np.linspace(seg.t0, seg.t1, points)
        y = seg.state(t)
        z, x, yh, flows = seg.model.assays_at(t, y)
        times.append(t)
        segs.append(np.full(points, seg.index))
        states.append(y)
        parts.append((z, x, yh, flows))
    return np.concatenate(times), np.concatenate(segs), np.concatenate(states, axis=1), parts


def _withdrawal_rates(run: Run, parts) -> np.ndarray:
    out = []
    for seg, (_, _, _, flows) in zip(run.segments, parts, strict=True):
        r, th = seg.model.op.routing, seg.model.cuts
        out.append((r.heads_out @ (th * flows).T + r.tails_out @ ((1 - th) * flows).T).T)
    return np.concatenate(out)


def _first_reached(run: Run, watches, thresholds, streams) -> dict:
    out: dict[tuple[str, float], float | None] = {}
    for w in watches:
        for a in thresholds:
            if streams[w.name][0] >= a:
                out[(w.name, a)] = float(run.segments[0].t0)
                continue
            ups = [c.time_h for c in run.crossings
                   if c.watch == w.name and c.threshold == a and c.direction > 0]
            out[(w.name, a)] = min(ups) if ups else None
    return out


def _summaries(history: History, variant: Variant, run: Run, watches, series) -> tuple:
    out = []
    for seg, spec, ser in zip(run.segments, history.segments, series, strict=True):
        end = seg.y_steps[:, -1]
        try:
            limit = steady_limit(seg.model, end)
        except ConvergenceError:        # reported as no steady limit, the run stands
            limit = None
        at = limit if limit is not None else end
        steady, settling = {}, {}
        if limit is not None:
            z, x, yh, _ = seg.model.assays(seg.t1 + seg.model.op.ramp_h, limit)
            for w in watches:
                steady[w.name] = float(w.pick(z[None], x[None], yh[None])[0])
                settling[w.name] = settling_time(ser, w, steady[w.name])
        out.append(SegmentSummary(seg.index, spec.name, spec.configuration,
                                  variant.closures.get(seg.index, spec.closure), seg.t0, seg.t1,
                                  steady, settling, time_constants(seg.model, at),
                                  tuple(seg.model.op.flows.tolist())))
    return tuple(out)


def _balance(run: Run, y0: np.ndarray) -> dict[str, float]:
    """Uranium and U-235 in (feeds), out (withdrawals) and held, over the whole run [kg]."""
    n = run.segments[0].model.n
    fed = np.zeros(2)
    for seg in run.segments:
        op, span = seg.model.op, seg.t1 - seg.t0
        hours = span
        if op.ramp_h > 0:
            ramp = min(op.ramp_h, span)
            hours = ramp * 0.5 * (op.ramp_from + op.ramp(ramp)) + (span - ramp)
        fed += np.array([op.feed.sum(), op.feed_u235.sum()]) * hours
    end = run.final_state
    w = run.segments[0].model.w
    out = np.array([end[2 * n:2 * n + w].sum(), end[2 * n + w:].sum()])
    held = np.array([end[:n].sum() - y0[:n].sum(), end[n:2 * n].sum() - y0[n:2 * n].sum()])
    return {"fed_kg_u": float(fed[0]), "fed_kg_u235": float(fed[1]),
            "withdrawn_kg_u": float(out[0]), "withdrawn_kg_u235": float(out[1]),
            "held_change_kg_u": float(held[0]), "held_change_kg_u235": float(held[1]),
            "residual_kg_u": float(fed[0] - out[0] - held[0]),
            "residual_kg_u235": float(fed[1] - out[1] - held[1])}


def _result(history: History, variant: Variant, run: Run, watches: tuple[Watch, ...],
            points: int) -> TransientResult:
    times, segs, states, parts = _grid(run, points)
    withdrawals = run.segments[0].model.op.routing.withdrawals
    n, w = history.n_stages, len(withdrawals)
    z = np.concatenate([p[0] for p in parts])
    streams = {wt.name: np.concatenate([wt.pick(*p[:3]) for p in parts]) for wt in watches}
    holdup = states[:n].T
    mass_above = np.stack([(holdup * (z >= a)).sum(axis=1) for a in history.thresholds],
                          axis=1) if history.thresholds else np.zeros((len(times), 0))
    by_name = {wt.name: wt for wt in watches}
    series = [Series.of(seg) for seg in run.segments]
    above = {(name, a): withdrawn_above(run, by_name[name], k, a)
             for k, name in enumerate(withdrawals) for a in history.thresholds}
    labels = tuple((name, s) for name, c in history.cascades.items() for s in range(c.n_stages))
    return TransientResult(
        history.name, variant.label, run.method, run.rtol,
        history.holdup.total_g if variant.holdup_g is None else variant.holdup_g,
        labels, withdrawals, {x: history.label(x) for x in withdrawals},
        tuple(history.thresholds), times, segs, z, holdup, streams,
        _withdrawal_rates(run, parts), states[2 * n:2 * n + w].T, states[2 * n + w:].T,
        mass_above, _WhenRead(by_name, lambda name: peak(series, by_name[name])),
        _first_reached(run, watches, history.thresholds, streams), above,
        partial(_summaries, history, variant, run, watches, series), run.crossings,
        _balance(run, run.segments[0].y_steps[:, 0]),
        tuple(history.assumptions) + MODEL_STATEMENTS + (history.holdup.statement(),))
