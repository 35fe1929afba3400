"""The measurement model: random and systematic relative errors per measurement point,
calibration periods, default methods, and simulated observations.

Error model (the multiplicative model of safeguards practice and of MAPIT)::

    observed = true * (1 + r + s)

``r ~ N(0, random_rsd^2)`` independently for every measurement; ``s ~ N(0, systematic_rsd^2)``
shared by every measurement of a point (or of an *instrument* that several points share, e.g.
one accountancy scale for feed, product and tails cylinders) within one **calibration period**,
and drawn afresh in the next. Calibration period c of length P covers ``(o + (c-1) P, o + c P]``
from the origin ``o`` (the start of the first balance period), half-open like the balance
periods: the opening inventory at ``o`` was measured under the calibration that ended there,
not the one that starts. Without a calibration period one systematic error holds for the
horizon.

A U-235 amount is mass times assay: its relative error is the sum of the mass and assay errors
(first order), so the isotope balance carries both, the element balance the mass errors only.

Defaults for the methods of an enrichment plant (load-cell weighing, gamma NDA of enrichment,
mass spectrometry) come from ``enrichwatch/data/accountancy/measurement-methods.toml``, one row
per method with its source (:func:`load_methods`); the figures there are not yet verified against
the ITV tables, and using one warns (see that file's header).

Examples
--------
>>> scale = Uncertainty(0.0005, 0.0005, calibration_period_h=730.0, instrument="scale")
>>> PointMeasurement(mass=scale).mass.random_rsd
0.0005
>>> try:
...     Uncertainty(1.2, 0.0, key="measurement.feed.mass")
... except InputError as err:
...     print(err.param, err.value)
measurement.feed.mass.random_rsd 1.2
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ..errors import InputError, UnknownNameError, warn
from ..files import MISSING, read_package_toml
from .balance import BalanceDesign, BalancePeriods, MaterialBalanceArea

__all__ = [
    "ErrorStructure",
    "MeasurementMethod",
    "MeasurementModel",
    "ObservedPoint",
    "PointMeasurement",
    "Uncertainty",
    "calibration_index",
    "error_structure",
    "load_methods",
    "simulate_observations",
]

_METHODS_FILE = ("accountancy", "measurement-methods.toml")


# -- uncertainties -----------------------------------------------------------------------------


def _rsd(value: Any, key: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(key, value, "a relative standard deviation >= 0 and < 1") from None
    if not (math.isfinite(x) and 0.0 <= x < 1.0):
        raise InputError(key, value, "a relative standard deviation >= 0 and < 1")
    return x


@dataclass(frozen=True)
class Uncertainty:
    """Relative standard deviations [1] of one measured quantity at a point.

    Parameters
    ----------
    random_rsd, systematic_rsd : float
        Random and systematic relative standard deviations, each >= 0 and < 1 (0.01 = 1 %).
    calibration_period_h : float, optional
        Length of a calibration period [h]; the systematic error is redrawn for each. ``None``:
        one systematic error for the whole horizon.
    instrument : str, optional
        Points naming the same instrument share its systematic errors (same ``systematic_rsd``
        and ``calibration_period_h`` required).
    method, source : str
        Method name and the source of the figures (carried into reports).
    key : str
        Name used in error messages (``measurement.feed.mass``).
    """

    random_rsd: float
    systematic_rsd: float
    calibration_period_h: float | None = None
    instrument: str | None = None
    method: str = ""
    source: str = ""
    key: str = field(default="uncertainty", compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "random_rsd", _rsd(self.random_rsd, f"{self.key}.random_rsd"))
        object.__setattr__(self, "systematic_rsd",
                           _rsd(self.systematic_rsd, f"{self.key}.systematic_rsd"))
        p = self.calibration_period_h
        if p is not None and not (isinstance(p, int | float) and math.isfinite(p) and p > 0):
            raise InputError(f"{self.key}.calibration_period_h", p, "a period > 0 h, or none")

    @classmethod
    def from_method(cls, method: MeasurementMethod, *, calibration_period_h: float | None = None,
                    instrument: str | None = None, key: str = "uncertainty") -> Uncertainty:
        """The uncertainty of a catalogued method (warns if its figures are not verified)."""
        if not method.verified:
            warn(f"measurement method {method.name!r}: default uncertainties not yet verified "
                 f"({method.describe()})")
        return cls(method.random_rsd, method.systematic_rsd, calibration_period_h, instrument,
                   method.name, method.source, key)

    @property
    def total_rsd(self) -> float:
        """sqrt(random^2 + systematic^2) [1]."""
        return math.hypot(self.random_rsd, self.systematic_rsd)


@dataclass(frozen=True)
class PointMeasurement:
    """The uncertainties of one point: its mass (or rate) and, for the U-235 balance, its assay."""

    mass: Uncertainty
    assay: Uncertainty | None = None

    @classmethod
    def relative(cls, mass_random: float = 0.0, mass_systematic: float = 0.0,
                 assay_random: float = 0.0, assay_systematic: float = 0.0, *,
                 key: str = "measurement") -> PointMeasurement:
        """Mass and assay uncertainties from four relative standard deviations [1] (no
        calibration periods, no shared instrument).

        >>> PointMeasurement.relative(0.0005, 0.0005, 0.002).assay.systematic_rsd
        0.0
        """
        return cls(Uncertainty(mass_random, mass_systematic, key=f"{key}.mass"),
                   Uncertainty(assay_random, assay_systematic, key=f"{key}.assay"))

    def parts(self, quantity: str, key: str) -> list[tuple[str, Uncertainty]]:
        """The (part, uncertainty) pairs a balance of ``quantity`` uses."""
        if quantity == "U":
            return [("mass", self.mass)]
        if self.assay is None:
            raise InputError(f"{key}.assay", MISSING, "an assay uncertainty for the U-235 balance")
        return [("mass", self.mass), ("assay", self.assay)]


@dataclass(frozen=True)
class MeasurementModel:
    """The measurement uncertainties of every point of an area, by point name."""

    points: Mapping[str, PointMeasurement]
    key: str = field(default="measurement", compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", dict(self.points))
        for name, pm in self.points.items():
            if not isinstance(pm, PointMeasurement):
                raise InputError(f"{self.key}.{name}", type(pm).__name__, "a PointMeasurement")

    @classmethod
    def uniform(cls, names, mass: Uncertainty, assay: Uncertainty | None = None,
                ) -> MeasurementModel:
        """The same uncertainties (no shared instrument) at every named point."""
        return cls({n: PointMeasurement(mass, assay) for n in names})

    def check(self, names: tuple[str, ...]) -> None:
        """Every point measured, no unknown point."""
        for name in self.points:
            if name not in names:
                raise UnknownNameError(f"{self.key}.{name}", name,
                                       f"a point of the area ({', '.join(names)})")
        for name in names:
            if name not in self.points:
                raise InputError(f"{self.key}.{name}", MISSING,
                                 "the uncertainties of every point of the area")


# -- catalogued methods ------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementMethod:
    """A catalogued measurement method with default relative standard deviations [1].

    ``random_range`` and ``systematic_range``: the (low, high) span [1] the default may lie in,
    on the basis stated in ``range_basis``; required for a row whose figures are not verified
    against their source (``verified = false``), so that whoever uses the default knows how far
    it may be off. ``table`` and ``page``: where in ``source`` the figures stand; required for a
    verified row (``verified = true``), so that the check can be repeated.
    """

    name: str
    quantity: Literal["mass", "assay"]
    random_rsd: float
    systematic_rsd: float
    technique: str
    material: str
    source: str
    verified: bool
    notes: str = ""
    random_range: tuple[float, float] | None = None
    systematic_range: tuple[float, float] | None = None
    range_basis: str = ""
    table: str = ""
    page: str = ""

    def describe(self) -> str:
        """The figures in words, with their ranges and whether they are verified."""
        def one(label: str, value: float, span: tuple[float, float] | None) -> str:
            text = f"{label} {100 * value:.3g} %"
            if span is not None:
                text += f" (range {100 * span[0]:.3g}-{100 * span[1]:.3g} %)"
            return text
        state = "verified" if self.verified else "NOT verified"
        where = f", {self.table}, page {self.page}" if self.verified else ""
        return (f"{one('random', self.random_rsd, self.random_range)}, "
                f"{one('systematic', self.systematic_rsd, self.systematic_range)}, 1 sigma; "
                f"{state} against {self.source}{where}"
                + (f"; range: {self.range_basis}" if self.range_basis else ""))


_PCT_TEXT = "a relative standard deviation in percent, >= 0 and < 100"


def _pct(value: Any, key: str) -> float:
    """A percentage [%] read as a fraction [1], >= 0 and < 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(key, value, _PCT_TEXT)
    if not (math.isfinite(value) and 0.0 <= value < 100.0):
        raise InputError(key, value, _PCT_TEXT)
    return float(value) / 100.0


def _span(row: Mapping[str, Any], name: str, value: float, key: str,
          ) -> tuple[float, float] | None:
    """The (low, high) range of ``name`` [1] in percent, containing the default ``value``."""
    raw = row.get(f"{name}_range")
    if raw is None:
        return None
    where = f"{key}.{name}_range"
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise InputError(where, raw, "[low, high] in percent")
    low, high = (_pct(v, where) for v in raw)
    if not low <= value <= high:
        raise InputError(where, list(raw), f"a range low <= default ({100 * value:g} %) <= high")
    return low, high


_UNREAD = "NOT RE-READ"


def _where(row: Mapping[str, Any], key: str) -> tuple[str, str]:
    """The table and page of ``source`` a verified row's figures stand in."""
    if _UNREAD in row["source"]:
        raise InputError(f"{key}.source", row["source"], "a source read for a row whose figures "
                         f"are verified (verified = true), without {_UNREAD!r}")
    table, page = row.get("table"), row.get("page")
    if not isinstance(table, str) or not table.strip():
        raise InputError(f"{key}.table", row.get("table", MISSING), "the table of the source "
                         "the figures of a verified row stand in (verified = true)")
    if isinstance(page, bool) or not isinstance(page, int | str) or not str(page).strip():
        raise InputError(f"{key}.page", row.get("page", MISSING), "the page of the source the "
                         "figures of a verified row stand on (verified = true)")
    return table.strip(), str(page).strip()


def _method(row: Mapping[str, Any], i: int) -> MeasurementMethod:
    key = f"method[{i}]"
    for name in ("name", "quantity", "technique", "material", "source"):
        if not isinstance(row.get(name), str) or not row[name]:
            raise InputError(f"{key}.{name}", row.get(name, MISSING), "a non-empty string")
    if row["quantity"] not in ("mass", "assay"):
        raise InputError(f"{key}.quantity", row["quantity"], "'mass' or 'assay'")
    if not isinstance(row.get("verified"), bool):
        raise InputError(f"{key}.verified", row.get("verified", MISSING), "true or false")
    pct = {n: _pct(row.get(n, MISSING), f"{key}.{n}")
           for n in ("random_rsd_pct", "systematic_rsd_pct")}
    spans = {n: _span(row, n, pct[n], key) for n in pct}
    basis = row.get("range_basis", "")
    if not isinstance(basis, str):
        raise InputError(f"{key}.range_basis", basis, "a string")
    if not row["verified"]:
        for n, span in spans.items():
            if span is None:
                raise InputError(f"{key}.{n}_range", MISSING, "[low, high] in percent for a "
                                 "row whose figures are not verified (verified = false)")
        if not basis:
            raise InputError(f"{key}.range_basis", MISSING, "the basis of the ranges of a row "
                             "whose figures are not verified")
    table, page = _where(row, key) if row["verified"] else ("", "")
    return MeasurementMethod(row["name"], row["quantity"], pct["random_rsd_pct"],
                             pct["systematic_rsd_pct"], row["technique"], row["material"],
                             row["source"], row["verified"], row.get("notes", ""),
                             spans["random_rsd_pct"], spans["systematic_rsd_pct"], basis,
                             table, page)


def load_methods(document: Mapping[str, Any] | None = None) -> dict[str, MeasurementMethod]:
    """The catalogued measurement methods by name.

    Parameters
    ----------
    document : mapping, optional
        A parsed catalog (``[[method]]`` rows as in the shipped file); default: the shipped
        ``data/accountancy/measurement-methods.toml``.

    Examples
    --------
    >>> m = load_methods()["load-cell-weighing"]
    >>> m.quantity, m.random_rsd, "STR-368" in m.source
    ('mass', 0.0005, True)
    """
    doc = read_package_toml(*_METHODS_FILE) if document is None else document
    rows = doc.get("method", [])
    methods = [_method(row, i) for i, row in enumerate(rows)]
    return {m.name: m for m in methods}


# -- the error structure of a balance design ---------------------------------------------------


def calibration_index(times_h: np.ndarray, origin_h: float, period_h: float | None,
                      tolerance_h: float = 0.0) -> np.ndarray:
    """Calibration period of each time: c covers ``(o + (c-1) P, o + c P]``, so the first
    balance period's records are in calibration 1 and a record at the origin (the opening
    inventory) in calibration 0, the one that ended there. Without a period: all in 0."""
    t = np.asarray(times_h, float)
    if period_h is None:
        return np.zeros(t.shape, int)
    x = (t - origin_h) / period_h
    x = np.where(np.abs(x - np.round(x)) * period_h <= tolerance_h, np.round(x), x)
    return np.ceil(x).astype(int)


@dataclass(frozen=True, eq=False)
class ErrorStructure:
    """Relative errors of the records of a :class:`~.balance.BalanceDesign`.

    Record j's relative error is ``r_j + sum_g loadings[j, g] * z_g`` with
    ``r_j ~ N(0, random_var[j])`` and independent standard normal ``z_g``, one per systematic
    group ``groups[g] = (owner, part, calibration)``; ``owner`` is the instrument, or the point.
    """

    random_var: np.ndarray
    loadings: sp.csr_matrix
    groups: tuple[tuple[str, str, int], ...]
    random_owner: np.ndarray


def _add_groups(unc: Uncertainty, owner: str, part: str, cal: np.ndarray, records: np.ndarray,
                found: dict, entries: list) -> None:
    for c in np.unique(cal):
        label = (owner, part, int(c))
        if label in found and found[label][1:] != (unc.systematic_rsd, unc.calibration_period_h):
            raise InputError(f"{unc.key}.instrument", owner,
                             "points sharing an instrument with one systematic_rsd and one "
                             "calibration_period_h")
        found.setdefault(label, (len(found), unc.systematic_rsd, unc.calibration_period_h))
        rows = records[cal == c]
        entries.append((rows, np.full(rows.size, found[label][0]), unc.systematic_rsd))


def error_structure(design: BalanceDesign, model: MeasurementModel) -> ErrorStructure:
    """The random variances and systematic loadings of every record of ``design``."""
    model.check(design.names)
    periods = design.periods
    random = np.zeros(design.values.size)
    found: dict = {}
    entries: list = []
    for p, name in enumerate(design.names):
        records = np.flatnonzero(design.point_index == p)
        for part, unc in model.points[name].parts(design.quantity, f"{model.key}.{name}"):
            random[records] += unc.random_rsd**2
            if unc.systematic_rsd > 0 and records.size:
                cal = calibration_index(design.times_h[records], periods.start_h,
                                        unc.calibration_period_h, periods.tolerance())
                _add_groups(unc, unc.instrument or name, part, cal, records, found, entries)
    rows = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, int)
    cols = np.concatenate([e[1] for e in entries]) if entries else np.zeros(0, int)
    vals = np.concatenate([np.full(e[0].size, e[2]) for e in entries]) if entries else rows * 0.0
    load = sp.csr_matrix((vals, (rows, cols)), shape=(design.values.size, len(found)))
    groups = tuple(sorted(found, key=lambda g: found[g][0]))
    random.setflags(write=False)
    return ErrorStructure(random, load, groups, design.point_index)


# -- simulated observations --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ObservedPoint:
    """Simulated observations of one point: ``values`` (N, n) masses [kg U] (rates [kg U/h] for a
    flow) and ``u235_fraction`` (N, n) or ``None``, for N iterations of its n records."""

    name: str
    times_h: np.ndarray
    values: np.ndarray
    u235_fraction: np.ndarray | None


def _systematic(unc: Uncertainty, owner: str, part: str, cal: np.ndarray, draws: dict,
                rng: np.random.Generator, n: int) -> np.ndarray:
    out = np.zeros((n, cal.size))
    for c in np.unique(cal):
        label = (owner, part, int(c))
        if label not in draws:
            draws[label] = unc.systematic_rsd * rng.standard_normal(n)
        out[:, cal == c] = draws[label][:, None]
    return out


def _observe(true: np.ndarray, unc: Uncertainty, owner: str, part: str, times: np.ndarray,
             origin: float, draws: dict, rng: np.random.Generator, n: int) -> np.ndarray:
    cal = calibration_index(times, origin, unc.calibration_period_h)
    r = unc.random_rsd * rng.standard_normal((n, true.size))
    return true * (1.0 + r + _systematic(unc, owner, part, cal, draws, rng, n))


def simulate_observations(area: MaterialBalanceArea, model: MeasurementModel, *,
                          iterations: int = 1, seed: int = 0,
                          origin_h: float | BalancePeriods = 0.0) -> dict[str, ObservedPoint]:
    """Measured values of every record of ``area`` under ``model``, ``iterations`` times.

    Each record is observed as ``true * (1 + r + s)`` (mass and, where the point has assays and
    an assay uncertainty, assay). With zero standard deviations the observations are the true
    values exactly, with or without recalibration (MAPIT doubles them: SG-MAPIT-PIT-002).

    Parameters
    ----------
    area : MaterialBalanceArea
    model : MeasurementModel
    iterations, seed : int
    origin_h : float or BalancePeriods
        Origin of the calibration periods [h] (or the periods, whose start is used).
    """
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise InputError("iterations", iterations, "a whole number >= 1")
    model.check(area.names)
    origin = origin_h.start_h if isinstance(origin_h, BalancePeriods) else float(origin_h)
    rng = np.random.default_rng(seed)
    draws: dict = {}
    out = {}
    for p in area.points:
        pm, t = model.points[p.name], p.data.times_h
        true = p.data.amounts("U")
        values = _observe(true, pm.mass, pm.mass.instrument or p.name, "mass", t, origin,
                          draws, rng, iterations)
        x = p.data.u235_fraction
        if x is not None and pm.assay is not None:
            x = _observe(x, pm.assay, pm.assay.instrument or p.name, "assay", t, origin,
                         draws, rng, iterations)
        elif x is not None:
            x = np.broadcast_to(x, values.shape)
        out[p.name] = ObservedPoint(p.name, t, values, x)
    return out
