"""What a breakout schedule means for detection: where it happens, when HEU appears, when 1 SQ
exists.

A :class:`BreakoutProfile` is read from a breakout result of :mod:`enrichwatch.breakout`
(a :class:`~enrichwatch.breakout.ScenarioResult`, or its ``as_dict()`` as printed by
``enrichwatch breakout --timeline --json``), so that the slow breakout planning is done once
and reused: the sites of the cascades used and of the feed stock, the set-up and transport
before production (the plant's mode is being changed: visible to inspectors from day 0), the
start of production above the declared assay, the time profile of uranium at 90 % or more
produced, and the days to one significant quantity.

:func:`breakout_profile` computes one report date through the breakout public API (the
analyst scenario where the bundled record has one, the all-capacity scenario otherwise), with
no Monte Carlo and no tornado, cached in memory.

Examples
--------
>>> entry = {"start_day": 0.0, "end_day": 10.0, "product_wt_pct": 90.0,
...          "product_kg_u": 30.0, "facility": "Fordow FFEP"}
>>> result = {"kind": "analyst", "days": 11.0, "setup_days": 1.0, "transport_days": 0.0,
...           "sq_definition": "90pct", "schedule": [entry],
...           "scenario": {"cascades": [{"site": "Fordow FFEP"}], "sites": [],
...                        "stocks": []}}
>>> p = profile_from_dict(result, "2023-02-28")
>>> p.sites, p.production_start_days, p.heu_at(6.0)
(('Fordow FFEP',), 1.0, 15.0)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

__all__ = ["BASES", "BreakoutProfile", "breakout_profile", "profile_from_dict",
           "profile_from_result"]

#: Which breakout scenario a profile follows: 'analyst' (the way a published estimate was made,
#: where the record has one), 'all-capacity', or 'auto' (analyst where available).
BASES: tuple[str, ...] = ("auto", "analyst", "all-capacity")

_WEAPON_GRADE_PCT = 90.0 - 1e-6


@dataclass(frozen=True)
class BreakoutProfile:
    """A breakout schedule seen from verification (see the module docstring).

    Attributes
    ----------
    date : str
        IAEA report date of the breakout state.
    basis : {'analyst', 'all-capacity'}
    sq_definition : str
    days : float
        From the start of the breakout to one SQ [days] (``inf``: not reachable).
    setup_days, transport_days : float
        Before production starts [days].
    sites, stock_sites : tuple of str
        Sites of the cascades used, and sites holding the feed stock.
    heu : tuple of (days, kg U) pairs
        Cumulative uranium at 90 % or more produced since the start [days, kg U].
    note : str
    """

    date: str
    basis: str
    sq_definition: str
    days: float
    setup_days: float
    transport_days: float
    sites: tuple[str, ...]
    stock_sites: tuple[str, ...] = ()
    heu: tuple[tuple[float, float], ...] = ()
    note: str = ""

    @property
    def production_start_days(self) -> float:
        return self.setup_days + self.transport_days

    @property
    def facilities(self) -> tuple[str, ...]:
        """Every site where the breakout happens (cascades and feed stock)."""
        return tuple(dict.fromkeys(self.sites + self.stock_sites))

    def heu_at(self, days) -> float | np.ndarray:
        """kg U at 90 % or more produced by ``days`` since the start."""
        if not self.heu:
            return 0.0 if np.ndim(days) == 0 else np.zeros(np.shape(days))
        t, kg = np.array(self.heu).T
        out = np.interp(days, t, kg, left=0.0, right=kg[-1])
        return float(out) if np.ndim(out) == 0 else out

    def as_dict(self) -> dict:
        return {"date": self.date, "basis": self.basis, "sq_definition": self.sq_definition,
                "days": self.days if math.isfinite(self.days) else None,
                "setup_days": self.setup_days, "transport_days": self.transport_days,
                "production_start_days": self.production_start_days,
                "sites": list(self.sites), "stock_sites": list(self.stock_sites),
                "heu_profile": [{"days": t, "kg_u": kg} for t, kg in self.heu],
                "note": self.note or None}


def _level(pct: float) -> str:
    """Stock level key of an assay (as :data:`enrichwatch.breakout.scenario.LEVELS`)."""
    for key, top in (("natural", 0.8), ("le2", 2.0), ("le5", 5.0), ("le20", 20.0)):
        if pct < top or (key != "natural" and pct <= top + 1e-9):
            return key
    return "le60"


def _stock_sites(sc: Mapping) -> tuple[str, ...]:
    below = [s["assay_wt_pct"] for s in sc.get("stocks", [])
             if not s.get("unlimited") and (s.get("kg_u") or 0) > 0
             and s["assay_wt_pct"] < _WEAPON_GRADE_PCT]
    if not below:
        return ()
    key = _level(max(below))
    return tuple(s["name"] for s in sc.get("sites", []) if key in s.get("holds", ()))


def _heu(schedule, offset: float) -> tuple[tuple[float, float], ...]:
    entries = [e for e in schedule if e["product_wt_pct"] >= _WEAPON_GRADE_PCT
               and e["end_day"] > e["start_day"]]
    if not entries:
        return ()
    s = np.array([e["start_day"] for e in entries])
    e = np.array([e["end_day"] for e in entries])
    kg = np.array([x["product_kg_u"] for x in entries])
    t = np.unique(np.concatenate([[0.0], s, e]))
    made = (np.clip((t[:, None] - s) / (e - s), 0.0, 1.0) * kg).sum(axis=1)
    return tuple((float(a + offset), float(b)) for a, b in zip(t, made, strict=True))


def profile_from_dict(result: Mapping, date: str) -> BreakoutProfile:
    """A profile from a breakout scenario result as a dict (``ScenarioResult.as_dict()``)."""
    try:
        sc = result["scenario"]
        days = result["days"]
        setup, transport = float(result["setup_days"]), float(result["transport_days"])
        sites = tuple(dict.fromkeys(c["site"] for c in sc["cascades"]))
        heu = _heu(result.get("schedule", ()), setup + transport)
    except (KeyError, TypeError) as err:
        raise InputError("breakout result", date, f"a breakout scenario result with its "
                                                  f"scenario and schedule (missing {err})"
                         ) from None
    return BreakoutProfile(date, result.get("kind", ""), result.get("sq_definition", ""),
                           math.inf if days is None else float(days), setup, transport, sites,
                           _stock_sites(sc), heu, result.get("note") or "")


def profile_from_result(result, date: str) -> BreakoutProfile:
    """A profile from a :class:`~enrichwatch.breakout.ScenarioResult`."""
    return profile_from_dict(result.as_dict(), date)


@functools.lru_cache(maxsize=128)
def breakout_profile(date: str, basis: str = "auto", sq_definition: str = "90pct"
                     ) -> BreakoutProfile | None:
    """The breakout profile at a report date of the bundled record (None for a gap in the
    public record), computed through the breakout public API without Monte Carlo or tornado.

    Parameters
    ----------
    date : str
        An IAEA report date of the bundled stockpile record (as written there).
    basis : {'auto', 'analyst', 'all-capacity'}
        'auto': the analyst scenario where the record has one and it reaches one SQ, the
        all-capacity scenario otherwise.
    sq_definition : {'iaea', '90pct'}
    """
    from ..breakout import analyst_scenario, assess_all_capacity, assess_scenario
    from ..breakout.scenario import analyst_dates
    from ..breakout.timeline import stock_reports

    if basis not in BASES:
        raise InputError("basis", basis, "one of " + ", ".join(BASES))
    report = next((r for r in stock_reports() if r.date == date), None)
    if report is None:
        raise InputError("date", date, "an IAEA report date of the bundled stockpile record")
    if report.gap:
        return None
    analyst = None
    if basis != "all-capacity" and date in analyst_dates():
        analyst = assess_scenario(analyst_scenario(date), sq_definition=sq_definition,
                                  tornado=False)
        if basis == "analyst" or math.isfinite(analyst.days):
            return profile_from_result(analyst, date)
    if basis == "analyst":
        raise InputError("date", date, "a report date with an analyst scenario: "
                         + ", ".join(analyst_dates()))
    result = assess_all_capacity(date, sq_definition=sq_definition, tornado=False,
                                 analyst=analyst)
    return profile_from_result(result, date)
