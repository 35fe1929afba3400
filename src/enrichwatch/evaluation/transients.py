"""Stated operating histories of a declared plant, run through the transient model for a finding.

When a sample's assay is above what a declared configuration makes in steady state at its
declared operating point, the ``assay-above-declared-maximum`` finding asks the transients the
declaration states (its ``histories``: operating history files, docs/history-format.md, each
carrying its assumptions and sources) whether they reach that assay, how fast, and how much
uranium they withdraw above the declared maximum and above the sample's assay.

:func:`stated_transient` runs one history on one plant with the uncertain inputs swept one at
a time (:func:`~enrichwatch.physics.transient.sweep_history`) and returns plain data
(``reaches``, ``time_to_assay_h``, ``peak_wt_pct``, ``kg_u_above_declared``, ... each figure a
range: ``nominal``, ``low``, ``high``, the runs giving them and ``moved_most_by``). Settings
chosen for the evaluation (stated in every answer): the hold-up per machine at the ends of the
history's range and each segment's alternative closures are swept (as the history's
``[uncertainty]`` table allows); the stage factor stays at its catalog design value (its effect
on the steady state is in the configurations' ranges; ``enrichwatch transient`` sweeps it too);
Radau at ``rtol`` 1e-6 (the command's 1e-8 moves the Fordow figures by about 1e-6 relative
or less, at 1.5-2 times the cost).

:func:`stated_transients` answers several at once (the evaluation asks for a finding's
histories together): every history is read and checked first, then each history's sweep is
integrated on its own (its runs stacked with each other, each within ``rtol`` on every step),
so an answer is the same whatever else is asked with it, and equals :func:`stated_transient`
of that history alone.

Answers are kept per evaluation by :class:`~enrichwatch.evaluation.plants.PlantCache` and,
when the evaluation is given one, in its disk cache (:mod:`enrichwatch.evaluation.cache`;
same texts and assays, same answer: the model is deterministic). There is no hidden memo: each
call of :func:`stated_transient` or :func:`stated_transients` runs the model.

Times are hours from the start of the history, assays wt% U-235, masses kg U.

Examples
--------
>>> from pathlib import Path
>>> from enrichwatch.facility import Facility
>>> root = Path("examples/fordow-2023")
>>> text = (root / "declared.toml").read_text()
>>> plant = Facility.from_toml_text(text, "declared.toml")
>>> history = {"file": "feed-cylinder-change.toml",
...            "text": (root / "feed-cylinder-change.toml").read_text()}
>>> t = stated_transient(plant, text, history, "history", 60.0, 83.7)
>>> t["reaches"], t["reaches_at_nominal"], t["time_to_assay_h"]["low_run"]
(True, False, 'hold-up = 0.3 g U per machine')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:       # loaded with the physics, when a history is run
    from ..facility import Facility
    from ..facility.history import HistoryFile
    from ..physics.transient import Range, Sweep

__all__ = ["METHOD", "NOT_SWEPT", "RTOL", "SWEEP", "check_history", "stated_transient",
           "stated_transients", "transients_line"]

#: Integrator and relative tolerance of the evaluation's transient runs.
METHOD = "Radau"
RTOL = 1e-6
#: Uncertain inputs the evaluation sweeps (each also as the history's [uncertainty] allows).
SWEEP: Mapping[str, bool] = {"holdup": True, "stage_factor": False, "closures": True}
#: What the evaluation does not sweep, as stated in every answer.
NOT_SWEPT = ("stage factor at its catalog design value (its effect on the steady state is in "
             "the configurations' ranges; 'enrichwatch transient' sweeps it too)")


def stated_transient(plant: Facility, plant_text: str, history: Any, where: str,
                     limit_pct: float, assay_pct: float, *, catalog=None) -> dict[str, Any]:
    """One stated history run on ``plant``: does it reach ``assay_pct``, and what above
    ``limit_pct`` (the declared maximum) and ``assay_pct`` it withdraws and holds.

    Parameters
    ----------
    plant : Facility
        The declared plant (from ``plant_text``).
    plant_text : str
        Its description text.
    history : mapping
        ``{"file": label, "text": history TOML}``, as a declaration's payload holds it.
    where : str
        Names the history in errors (``'record 2 payload.histories[0]'``).
    limit_pct, assay_pct : float
        Declared maximum and sample assay [wt% U-235].
    catalog : MachineCatalog, optional
        Machine catalog; default the bundled one.

    Raises
    ------
    InputError
        The history is not a ``{file, text}`` table or does not run on the plant (every
        problem listed).
    """
    return stated_transients([(plant, history, where, limit_pct, assay_pct)],
                             catalog=catalog)[0]


def stated_transients(requests: Sequence[tuple[Facility, Any, str, float, float]], *,
                      catalog=None) -> list[dict[str, Any]]:
    """:func:`stated_transient` for several ``(plant, history, where, limit_pct, assay_pct)``
    at once: every history read and built on its plant first (the first problem raised, in
    the order asked), then each history's sweep integrated (its runs stacked, each within
    :data:`RTOL` on every step). One answer per request, in the order asked.

    Each sweep is integrated on its own, never stacked with another request's runs: stacking
    them too saves about 40 ms on the Fordow case, but a stacked run's figures depend (to the
    integrator's tolerance) on what it is stacked with, so an answer would depend on the other
    histories asked with it and on what the disk cache happened to keep. Here an answer is a
    function of its plant, history, limit and assay alone.

    Raises
    ------
    InputError
        As :func:`stated_transient`.
    """
    from ..physics.transient import sweep_histories

    read = []
    for plant, history, where, limit, assay in requests:
        check_history(history, where)
        place = f"{where} ({history['file']})"
        read.append((_read(plant, history, place, catalog), history["file"], float(limit),
                     float(assay)))
    runs = [(replace(hf.history, thresholds=tuple(a / 100.0 for a in (limit, assay)
                                                  if 0.0 < a < 100.0)),
             {k: bool(hf.sweep.get(k, True)) and swept for k, swept in SWEEP.items()})
            for hf, _, limit, assay in read]
    sweeps = [sweep_histories([run], method=METHOD, rtol=RTOL, caches=[hf.builds])[0]
              for run, (hf, *_) in zip(runs, read, strict=True)]
    return [_answer(hf, file, sweep, limit, assay)
            for (hf, file, limit, assay), sweep in zip(read, sweeps, strict=True)]


def check_history(history: Any, where: str) -> None:
    """Raise :class:`InputError` unless ``history`` is a ``{file, text}`` table of texts."""
    if not (isinstance(history, Mapping) and isinstance(history.get("text"), str)
            and isinstance(history.get("file"), str)):
        raise InputError(where, history, "a table { file = label, text = history TOML }")


def _read(plant: Facility, history: Mapping, where: str, catalog) -> HistoryFile:
    from ..facility.history import embedded_history

    try:
        return embedded_history(history["text"], plant, where, catalog=catalog)
    except InputError as err:
        raise InputError(where, history["file"],
                         f"an operating history that runs on the declared plant:\n  {err}"
                         ) from None


def _range(r: Range, scale: float = 1.0) -> dict[str, Any]:
    """A :class:`~enrichwatch.physics.transient.Range` in the finding's words."""
    d = r.as_dict(scale)
    return {"nominal": d["nominal"], "low": d["low"], "high": d["high"],
            "low_run": d["low_run"], "high_run": d["high_run"], "moved_most_by": d["driver"],
            "settings": d["runs"], "settings_without_value": d["runs_without_value"]}


def _swept(sweep: Sweep) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for inp, setting, _ in sweep.runs[1:]:
        out.setdefault(inp, []).append(setting)
    return out


def _answer(hf: HistoryFile, file: str, sweep: Sweep, limit: float,
            assay: float) -> dict[str, Any]:
    h, point = hf.history, hf.product
    lim, tgt = limit / 100.0, assay / 100.0
    at = tgt if 0.0 < tgt < 1.0 else None

    def ranged(answer, scale: float = 1.0) -> dict[str, Any]:
        return _range(sweep.range(answer), scale)

    def above(a: float | None, what):
        return ranged(lambda r: None if a is None else what(r, a))

    reach = sweep.range(lambda r: None if at is None else r.first_reached[(point, at)])
    peak = sweep.range(lambda r: r.peaks[point][0])
    spans = h.times()
    return {
        "history": h.name, "file": file, "illustrative": h.illustrative,
        "description": hf.description, "withdrawal": point, "product": h.label(point),
        "duration_h": spans[-1][1] - spans[0][0],
        "segments": [{"name": s.name, "start_h": a, "end_h": b, "closure": s.closure}
                     for s, (a, b) in zip(h.segments, spans, strict=True)],
        "reaches": reach.missing < reach.runs, "reaches_at_nominal": reach.nominal is not None,
        "settings_reaching": reach.runs - reach.missing, "settings": reach.runs,
        "time_to_assay_h": _range(reach),
        "first_reached_during": _segment_at(h, spans, reach.low),
        "peak_wt_pct": _range(peak, 100.0),
        "peak_time_h": ranged(lambda r: r.peaks[point][1]),
        "moved_most_by": peak.driver,
        "kg_u_above_declared": above(lim, lambda r, a: r.withdrawn_above[(point, a)][0]),
        "kg_u_above_assay": above(at, lambda r, a: r.withdrawn_above[(point, a)][0]),
        "held_kg_u_above_declared": above(lim, lambda r, a: r.max_mass_above(a)[0]),
        "held_kg_u_above_assay": above(at, lambda r, a: r.max_mass_above(a)[0]),
        "swept": _swept(sweep), "not_swept": NOT_SWEPT, "method": METHOD, "rtol": RTOL,
        "assumptions": list(sweep.nominal.assumptions), "sources": list(h.sources),
    }


def _segment_at(history, spans, t: float | None) -> str | None:
    if t is None:
        return None
    for seg, (a, b) in zip(history.segments, spans, strict=True):
        if a <= t <= b:
            return seg.name
    return None


# -- words ------------------------------------------------------------------------------------
def _fig(r: Mapping[str, Any], unit: str, fmt: str = ".3g") -> str:
    """``'80.6 wt% (49.6-98.1)'``; ``'not reached'`` for a nominal without value."""
    def n(x):
        return "n/a" if x is None else format(x, fmt)
    head = "not reached" if r["nominal"] is None else f"{n(r['nominal'])} {unit}"
    if r["low"] is None or r["settings"] <= 1 or r["low"] == r["high"] == r["nominal"]:
        return head
    return f"{head} ({n(r['low'])}-{n(r['high'])})"


def _one(t: Mapping[str, Any], limit: float, assay: float) -> str:
    r = t["time_to_assay_h"]
    if not t["reaches"]:
        reach = f"does not reach {assay:g} wt% in any of its {t['settings']} settings"
    elif t["reaches_at_nominal"]:
        reach = (f"reaches {assay:g} wt% at nominal settings, at {_fig(r, 'h')} of the history "
                 f"(in {t['settings_reaching']} of {t['settings']} settings)")
    else:
        reach = (f"reaches {assay:g} wt% only in {t['settings_reaching']} of {t['settings']} "
                 f"settings (first at {r['low']:.3g} h, {r['low_run']})")
    during = f", during {t['first_reached_during']!r}" if t["first_reached_during"] else ""
    driver = f", moved most by {t['moved_most_by']}" if t["moved_most_by"] else ""
    return (f"declaration {t['record']}'s {t['history']!r} ({t['file']}) {reach}{during}; peak "
            f"{_fig(t['peak_wt_pct'], 'wt%')}{driver}; {t['product']} withdrawn in its "
            f"{t['duration_h']:g} h at or above {limit:g} wt% "
            f"{_fig(t['kg_u_above_declared'], 'kg U')}, at or above {assay:g} wt% "
            f"{_fig(t['kg_u_above_assay'], 'kg U')}")


def transients_line(transients: list[dict[str, Any]], limit: float, assay: float) -> str:
    """The sentence a finding's detail gives about its stated transients ('' if none)."""
    if not transients:
        return ""
    swept = sorted({k for t in transients for k in t["swept"]}, key=lambda k: k != "hold-up")
    return (" Stated operating histories (transient model at the product point; each figure "
            "nominal (low-high) over " + (" and ".join(swept) or "no input") + "; "
            + NOT_SWEPT + "): " + "; ".join(_one(t, limit, assay) for t in transients) + ".")
