"""Uncertain inputs swept: every answer as a range, with the input that drives it.

Three inputs of the transient model are not known for any Iranian plant and move its answers:
the hold-up per machine (time scales and the uranium held), the stage factor (how far each
stage separates), and the flow closure of segments where the hydraulics are a choice (total
reflux at conserved throughput or at design flow, or a drain). :func:`sweep_history` runs the
nominal history and then each input at the ends of its range, one at a time (the others
nominal): hold-up at the ends of :attr:`HoldUp.range_g`, each machine's stage factor at the ends
of its catalog range (:attr:`Machine.stage_factor_range`), and each segment's alternative
closures. A :class:`Range` gives, for one answer, the nominal value, the lowest and highest
over the runs and the run that gave each, and the driver: the input whose swing moves it most.

Examples
--------
>>> r = Range.of([("nominal", "nominal", 2.0), ("hold-up", "0.3 g U", 1.0),
...               ("hold-up", "10 g U", 5.0), ("stage factor", "1.3", 2.5)])
>>> r.low, r.high, r.driver
(1.0, 5.0, 'hold-up')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .plant import History, Variant
from .results import TransientResult, run_histories, run_history_sets

__all__ = ["Range", "Sweep", "sweep_histories", "sweep_history", "variants"]

NOMINAL = "nominal"
#: Relative difference [1] below which a run's answer counts as the nominal's (rounding in
#: the integration: well below the integrator tolerances, 1e-6 and 1e-8, of the results).
SAME = 1e-9


def variants(history: History, *, holdup: bool = True, stage_factor: bool = True,
             closures: bool = True) -> list[tuple[str, str, Variant]]:
    """The runs of a one-at-a-time sweep: (input, setting, variant), nominal first."""
    out = [(NOMINAL, NOMINAL, Variant())]
    if holdup:
        for g in history.holdup.range_g:
            if g != history.holdup.total_g:
                out.append(("hold-up", f"{g:g} g U per machine", Variant(holdup_g=g,
                                                                         label=f"hold-up {g:g} g")))
    if stage_factor:
        machines = {c.machine.name: c.machine for c in history.cascades.values()}
        for name, machine in machines.items():
            for g in machine.stage_factor_range:
                if abs(g - machine.design_gamma) > 1e-12 * machine.design_gamma:
                    out.append((f"stage factor {name}", f"{g:g}",
                                Variant(gamma={name: g}, label=f"{name} stage factor {g:g}")))
    if closures:
        for i, seg in enumerate(history.segments):
            for alt in seg.alternatives:
                if alt != seg.closure:
                    out.append((f"closure of {seg.name!r}", alt,
                                Variant(closures={i: alt}, label=f"{seg.name}: {alt}")))
    return out


@dataclass(frozen=True)
class Range:
    """One answer over the sweep: nominal value, lowest and highest (``None`` where no run
    has a value, e.g. a threshold never reached), the runs that gave them, the driver (the
    input whose runs differ most from the nominal) and how many runs had no value."""

    nominal: float | None
    low: float | None
    high: float | None
    low_run: str
    high_run: str
    driver: str | None
    missing: int
    runs: int

    @classmethod
    def of(cls, values: Sequence[tuple[str, str, float | None]]) -> Range:
        """From (input, setting, value) of every run, the nominal run first.

        Values within :data:`SAME` (relative) of the nominal count as the nominal: such a
        difference is rounding in the integration, not the input's effect, so it names no
        driver and no lowest or highest run (an answer every run gives alike, e.g. all the
        product withdrawn when the steady product is above the threshold).
        """
        nominal = values[0][2]
        known = [(i, s, v) for i, s, v in values if v is not None]
        if not known:
            return cls(nominal, None, None, "", "", None, len(values), len(values))
        values = [_snap(row, nominal) for row in values]
        known = [(i, s, v) for i, s, v in values if v is not None]
        lo = min(known, key=lambda r: r[2])
        hi = max(known, key=lambda r: r[2])
        swings: dict[str, float] = {}
        for inp, _, v in values[1:]:
            if nominal is None or v is None:
                swing = float("inf") if (nominal is None) != (v is None) else 0.0
            else:
                swing = abs(v - nominal)
            swings[inp] = max(swings.get(inp, 0.0), swing)
        driver = max(swings, key=lambda k: swings[k]) if swings and max(swings.values()) > 0 \
            else None
        return cls(nominal, lo[2], hi[2], _run(lo), _run(hi), driver,
                   len(values) - len(known), len(values))

    def as_dict(self, scale: float = 1.0) -> dict:
        def s(v):
            return None if v is None else v * scale
        return {"nominal": s(self.nominal), "low": s(self.low), "high": s(self.high),
                "low_run": self.low_run, "high_run": self.high_run, "driver": self.driver,
                "runs_without_value": self.missing, "runs": self.runs}


def _snap(row: tuple[str, str, float | None], nominal: float | None
          ) -> tuple[str, str, float | None]:
    """``row`` with its value replaced by the nominal when they differ by rounding only."""
    inp, setting, v = row
    if v is None or nominal is None or v == nominal:
        return row
    if abs(v - nominal) <= SAME * max(abs(v), abs(nominal)):
        return inp, setting, nominal
    return row


def _run(row: tuple[str, str, float | None]) -> str:
    return NOMINAL if row[0] == NOMINAL else f"{row[0]} = {row[1]}"


@dataclass(frozen=True)
class Sweep:
    """The runs of a sweep: (input, setting, result), the nominal run first."""

    runs: tuple[tuple[str, str, TransientResult], ...]

    @property
    def nominal(self) -> TransientResult:
        return self.runs[0][2]

    def range(self, answer: Callable[[TransientResult], float | None]) -> Range:
        """The range of one answer, e.g. ``lambda r: r.peaks["B.product"][0]``."""
        return Range.of([(i, s, answer(r)) for i, s, r in self.runs])

    def point_summary(self, point: str, withdrawal: str | None = None) -> dict:
        """Ranges at one watched point: peak assay [wt%] and its time [h]; per threshold, the
        time it is first reached [h], for a withdrawal the uranium withdrawn at or above it
        [kg U], and the largest hold-up at or above it [kg U]."""
        rows: list[dict] = []
        for a in self.nominal.thresholds:
            rows.append({"threshold_wt_pct": 100 * a,
                   "first_reached_h": self.range(_first(point, a)).as_dict(),
                   "withdrawn_kg_u": (None if withdrawal is None else
                                      self.range(_withdrawn(withdrawal, a)).as_dict()),
                   "holdup_above_max_kg_u": self.range(_held(a)).as_dict()})
        return {"point": point,
                "peak_assay_wt_pct": self.range(lambda r: r.peaks[point][0]).as_dict(100.0),
                "peak_time_h": self.range(lambda r: r.peaks[point][1]).as_dict(),
                "thresholds": rows}

    def settings(self) -> list[dict]:
        return [{"input": i, "setting": s, "label": r.variant} for i, s, r in self.runs]


def _first(point: str, a: float) -> Callable[[TransientResult], float | None]:
    return lambda r: r.first_reached[(point, a)]


def _withdrawn(withdrawal: str, a: float) -> Callable[[TransientResult], float | None]:
    return lambda r: r.withdrawn_above[(withdrawal, a)][0]


def _held(a: float) -> Callable[[TransientResult], float | None]:
    return lambda r: r.max_mass_above(a)[0]


def sweep_history(history: History, *, holdup: bool = True, stage_factor: bool = True,
                  closures: bool = True, method: str = "Radau", rtol: float = 1e-8,
                  progress: Callable[[int, int], None] | None = None) -> Sweep:
    """Run the nominal history and each uncertain input at the ends of its range, one at a
    time (:func:`variants`); ``progress(done, total)`` is called after each run's answers.

    The runs are integrated together (:func:`.results.run_histories`: one stacked system, each
    run within ``rtol`` on every step), so their figures agree with runs made one by one to the
    integrator's tolerance, not to the last digit."""
    plan = variants(history, holdup=holdup, stage_factor=stage_factor, closures=closures)
    results = run_histories(history, [v for _, _, v in plan], method=method, rtol=rtol)
    runs: list = []
    for k, ((inp, setting, _), result) in enumerate(zip(plan, results, strict=True)):
        runs.append((inp, setting, result))
        if progress is not None:
            progress(k + 1, len(plan))
    return Sweep(tuple(runs))


def sweep_histories(requests: Sequence[tuple[History, Mapping[str, bool]]], *,
                    method: str = "Radau", rtol: float = 1e-8,
                    caches: Sequence[dict | None] | None = None) -> list[Sweep]:
    """:func:`sweep_history` of several histories at once, each ``(history, inputs)`` with
    ``inputs`` saying which of ``holdup``, ``stage_factor`` and ``closures`` it sweeps (a key
    left out: swept). Every run of every sweep is integrated in one call
    (:func:`.results.run_history_sets`: the runs of the same segment times and size stacked,
    whatever their history or plant, each within ``rtol`` on every step), so the figures agree
    with :func:`sweep_history` of each alone to the integrator's tolerance. One sweep per
    history, in the order asked; ``caches`` as :func:`.results.run_history_sets` takes them."""
    plans = [variants(h, holdup=bool(on.get("holdup", True)),
                      stage_factor=bool(on.get("stage_factor", True)),
                      closures=bool(on.get("closures", True))) for h, on in requests]
    results = run_history_sets([(h, [v for _, _, v in plan])
                                for (h, _), plan in zip(requests, plans, strict=True)],
                               method=method, rtol=rtol, caches=caches)
    return [Sweep(tuple((inp, setting, r) for (inp, setting, _), r
                        in zip(plan, found, strict=True)))
            for plan, found in zip(plans, results, strict=True)]
