"""Detection time of a misuse under a regime: the activities that can reveal it, the
distribution of the time to detection, and the figures a reader asks for.

:func:`misuse_activities` pairs the regime in force at the misuse's facilities on its start
date (or another date, ``on``) with the misuse's indicators: every measure in place whose kind
can reveal the misuse becomes an :class:`~.processes.Activity` whose chance per look is the
measure's times the indicator's, visible from the indicator's ``after`` on.
:func:`detect` computes the distribution (:mod:`.distribution`) and a
:class:`DetectionResult`: CDF against time since the misuse began, median and 90th percentile,
the probability that detection comes before the misuse completes (before one SQ exists), the
probability of detection within the IAEA timeliness goal, and, for an observed detection, where
it falls in the distribution.

Assumptions (stated in every result): the activities act independently; the regime in force on
the start date holds for the whole horizon; a misuse, once visible, stays visible.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.detection.misuse import misuse_of_kind
>>> from enrichwatch.detection.regime_io import load_regime
>>> m = misuse_of_kind("repiping", "demo", ("Fordow FFEP",), date(2025, 7, 1))
>>> r = detect(m, load_regime())
>>> r.distribution.probability_ever, r.median_days
(0.0, inf)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .distribution import DetectionDistribution, detection_distribution
from .misuse import Misuse
from .processes import Activity
from .regime import Regime

__all__ = ["ASSUMPTIONS", "DetectionResult", "MeasureRow", "detect", "misuse_activities"]

#: Modelling assumptions of every detection result.
ASSUMPTIONS: tuple[str, ...] = (
    "the verification activities act independently of each other (survival functions "
    "multiply); each look sees the misuse with the measure's probability times the misuse's",
    "the regime in force at the facilities on the start date holds for the whole horizon",
    "a misuse, once it can be seen, stays visible (it is not undone before a look)",
    "the schedule of periodic activities has a uniform phase relative to the start of the "
    "misuse, independent between facilities and measures; unannounced visits are a Poisson "
    "process unless stated; measures checked during another measure's visits (seals, "
    "recordings) share those visits",
)


@dataclass(frozen=True)
class MeasureRow:
    """One measure in force at one facility, and what it does for this misuse."""

    facility: str
    measure: str
    kind: str
    in_place: bool
    frequency: str
    applies: bool
    probability: float
    after_days: float
    delay: str
    sources: tuple[str, ...]
    verified: bool
    note: str
    probability_source: str = ""

    def as_dict(self) -> dict:
        return {"facility": self.facility, "measure": self.measure, "kind": self.kind,
                "in_place": self.in_place, "frequency": self.frequency,
                "reveals_this_misuse": self.applies, "probability_per_look": self.probability,
                "visible_after_days": self.after_days, "delay": self.delay,
                "sources": list(self.sources), "verified": self.verified,
                "note": self.note or None}


def _num(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


@dataclass(frozen=True)
class DetectionResult:
    """Time to detection of one misuse under one regime [days since the misuse began]."""

    misuse: Misuse
    regime: str
    on: date
    era: str
    measures: tuple[MeasureRow, ...]
    distribution: DetectionDistribution

    @property
    def median_days(self) -> float:
        return self.distribution.median

    @property
    def p90_days(self) -> float:
        return self.distribution.p90

    @property
    def probability_before_completion(self) -> float | None:
        """P(detected before one SQ exists), when the misuse has a completion time."""
        c = self.misuse.completion_days
        return None if c is None else float(self.distribution.cdf(c))

    @property
    def probability_within_timeliness(self) -> float:
        """P(detected within the IAEA timeliness goal of the material)."""
        return float(self.distribution.cdf(self.misuse.timeliness_days))

    @property
    def observed_probability(self) -> float | None:
        """P(detected within the observed time): where it falls in the distribution."""
        o = self.misuse.observed_days
        return None if o is None else float(self.distribution.cdf(o))

    @property
    def margin_days(self) -> float | None:
        """Median detection time minus completion time (> 0: one SQ before likely
        detection)."""
        c = self.misuse.completion_days
        return None if c is None else self.median_days - c

    def heu_at_median_kg(self) -> float | None:
        """kg U at 90 % or more produced by the median detection time (breakout misuses)."""
        b = self.misuse.breakout
        if b is None:
            return None
        return float(b.heu_at(self.median_days)) if math.isfinite(self.median_days) else None

    def assumptions(self) -> tuple[str, ...]:
        out = list(ASSUMPTIONS) + [self.misuse.timeliness_statement]
        out += [f"{r.facility}, {r.measure}: {r.note}" for r in self.measures
                if r.applies and not r.verified and r.note]
        out += [f"{r.facility}, {r.measure}: probability per balance from "
                f"{r.probability_source}" for r in self.measures
                if r.applies and r.probability_source]
        out += [f"{i.activity}: probability {i.probability:g} per look, visible after "
                f"{i.after_days:g} days ({i.source})" for i in self.misuse.indicators]
        if self.misuse.completion_source:
            out.append(f"completion: {self.misuse.completion_source}")
        return tuple(out)

    def as_dict(self, horizon: float | None = None) -> dict:
        m, d = self.misuse, self.distribution
        if horizon is None:
            finite = [x for x in (d.p90, m.completion_days, m.timeliness_days,
                                  m.observed_days) if x is not None and math.isfinite(x)]
            horizon = 1.25 * max(finite)
        return {"misuse": m.as_dict(), "regime": self.regime, "regime_date": self.on.isoformat(),
                "era": self.era or None,
                "median_days": _num(self.median_days), "p90_days": _num(self.p90_days),
                "probability_ever": d.probability_ever,
                "probability_before_completion": self.probability_before_completion,
                "probability_within_timeliness": self.probability_within_timeliness,
                "observed_probability": self.observed_probability,
                "margin_days": _num(self.margin_days),
                "heu_at_median_kg_u": self.heu_at_median_kg(),
                "distribution": d.as_dict(horizon),
                "activities": [a.describe() for a in d.activities],
                "measures": [r.as_dict() for r in self.measures],
                "assumptions": list(self.assumptions()),
                "units": {"time": "days since the misuse began", "mass": "kg U"}}

    def __repr__(self) -> str:
        return (f"DetectionResult({self.misuse.name!r} under {self.regime!r} on {self.on}: "
                f"median {self.median_days:.4g} days, P90 {self.p90_days:.4g} days)")


def _rows(misuse: Misuse, regime: Regime, on: date) -> tuple[MeasureRow, ...]:
    rows = []
    for f in misuse.facilities:
        for m, p in regime.in_force(f, on):
            ind = misuse.indicator(m.kind)
            applies = p.in_place and ind is not None and ind.probability > 0
            rows.append(MeasureRow(
                f, m.name, m.kind, p.in_place, p.frequency(), applies,
                p.probability * ind.probability if applies and ind else 0.0,
                ind.after_days if applies and ind else 0.0, str(p.delay) if p.in_place else "",
                p.sources, p.verified, p.note, p.probability_source))
    return tuple(rows)


def misuse_activities(misuse: Misuse, regime: Regime, on: date | None = None
                      ) -> tuple[Activity, ...]:
    """The activities of ``regime`` in force on ``on`` (default: the misuse's start) at the
    misuse's facilities that can reveal it."""
    on = misuse.start if on is None else on

    def reveal(kind: str):
        ind = misuse.indicator(kind)
        return None if ind is None else (ind.probability, ind.after_days, ind.source)

    return tuple(a for f in misuse.facilities for a in regime.activities(f, on, reveal))


def detect(misuse: Misuse, regime: Regime, *, on: date | None = None, method: str = "auto",
           samples: int = 100_000, seed: int = 0, address: str | None = None, client=None,
           progress=None) -> DetectionResult:
    """Time to detection of ``misuse`` under ``regime`` (see the module docstring).

    Parameters
    ----------
    misuse : Misuse
    regime : Regime
    on : datetime.date, optional
        The date whose regime applies (default: the misuse's start); it must be one the regime
        covers (:meth:`~.regime.Regime.covers`), else :class:`~enrichwatch.errors.InputError`.
    method, samples, seed, address, client, progress
        As :func:`~.distribution.detection_distribution`.

    Returns
    -------
    DetectionResult
    """
    when = misuse.start if on is None else on
    regime.check_date(when, "start" if on is None else "on")
    for f in misuse.facilities:
        regime.check_facility(f, "facilities")
    acts = misuse_activities(misuse, regime, when)
    dist = detection_distribution(acts, method=method, samples=samples, seed=seed,
                                  address=address, client=client, progress=progress)
    return DetectionResult(misuse, regime.name, when, regime.era(when),
                           _rows(misuse, regime, when), dist)
