"""The material balance area: key measurement points, balance periods, and the linear map from
measured records to MUF.

A material balance area (MBA) has key measurement points (KMPs) of three roles:

* ``input`` (feed cylinders received, feed withdrawn into the cascades) and ``output`` (product,
  tails, waste): **discrete items** (:class:`Items`: time, mass, U-235 assay) or **continuous
  flows** (:class:`Flow`: a rate series);
* ``inventory`` (cylinders in storage, in-process hold-up): an item listing taken at the
  inventory takings (:class:`Items`) or a monitored level series (:class:`Level`).

Conventions
-----------
* Times are in hours [h] from any origin (MAPIT's time column, hours since a start date ...);
  masses in kg U, rates in kg U/h, assays as U-235 mass fractions inside (constructors say which
  basis they take).
* Balance period k covers the half-open interval ``(t_{k-1}, t_k]``: an item stamped exactly on
  a boundary belongs to the period that ends there, never to two periods (MAPIT counts it in
  both: vector SG-MAPIT-PIT-001).
* Inventories are taken exactly at the boundaries: an inventory record stamped on ``t_k`` is the
  ending inventory of period k and the beginning inventory of period k+1. Times within
  :data:`TIME_TOLERANCE` (relative to the horizon) of a boundary count as on it.
* A flow record at ``t_j`` holds the mean rate over ``(t_{j-1}, t_j]`` (``integration="step"``,
  the first record over ``(start_h, t_0]``) or the rate is linear between records
  (``"trapezoid"``, as MAPIT integrates); a record interval that straddles a boundary is split
  at the boundary in proportion to time.

MUF (book minus physical; positive = apparent loss) of period k is linear in the measured
values: ``MUF = sum_j coef[:, j] * value_j`` (:class:`BalanceDesign`, built by
:func:`balance_design`), which is what the covariance propagation and the Monte Carlo use.

Every constructor takes a ``key``: the name errors use for the object (a file front end passes
the TOML path, e.g. ``"points.feed"``), so an :class:`~enrichwatch.errors.InputError` names
``points.feed.masses_kg_u[3]`` and the value found.

Examples
--------
>>> w = Items.from_weight_percent
>>> feed = MeasurementPoint("feed", "input", w([5, 15], [100, 100], 0.711))
>>> store = MeasurementPoint("store", "inventory", w([0, 10, 20], [50, 51, 53], 0.711))
>>> tails = MeasurementPoint("tails", "output", w([8, 18], [98, 98], 0.3))
>>> area = MaterialBalanceArea("demo", (feed, store, tails))
>>> d = balance_design(area, BalancePeriods.regular(0, 10, 2))
>>> d.muf().tolist()
[1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import AssayError, InputError, MassError, UnknownNameError

__all__ = [
    "QUANTITIES",
    "ROLES",
    "TIME_TOLERANCE",
    "BalanceDesign",
    "BalancePeriods",
    "Flow",
    "Items",
    "Level",
    "MaterialBalanceArea",
    "MeasurementPoint",
    "balance_design",
]

Role = Literal["input", "output", "inventory"]
Quantity = Literal["U", "U235"]

#: Roles of a key measurement point.
ROLES: tuple[str, ...] = ("input", "output", "inventory")
#: Balances: element (U) and isotope (U-235).
QUANTITIES: tuple[str, ...] = ("U", "U235")
#: Times within this fraction of the horizon's largest |time| (at least 1 h) of a boundary are
#: taken as on the boundary (round-off in time stamps) [1].
TIME_TOLERANCE: float = 1e-9


# -- validation helpers ------------------------------------------------------------------------


def _vector(values, key: str, error=InputError) -> np.ndarray:
    """A 1-D float array of finite numbers (a scalar becomes one element)."""
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise error(key, values, "numbers") from None
    if arr.ndim != 1:
        raise error(key, values, "a list of numbers")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise error(f"{key}[{bad[0]}]", float(arr[bad[0]]), "a finite number")
    return arr


def _nonnegative(values, key: str) -> np.ndarray:
    arr = _vector(values, key, MassError)
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise MassError(f"{key}[{bad[0]}]", float(arr[bad[0]]), "a mass or rate >= 0")
    return arr


def _fraction(values, key: str, n: int, scale: float) -> np.ndarray | None:
    """U-235 mass fractions from values on ``scale`` (1 or 100), broadcast to ``n`` records."""
    if values is None:
        return None
    arr = _vector(values, key, AssayError)
    bad = np.flatnonzero((arr < 0) | (arr > scale))
    if bad.size:
        unit = "percent" if scale == 100.0 else "mass fraction"
        raise AssayError(f"{key}[{bad[0]}]", float(arr[bad[0]]),
                         f"a U-235 {unit} from 0 to {scale:g}")
    if arr.size == 1:
        arr = np.full(n, arr[0])
    if arr.size != n:
        raise AssayError(key, values, f"one assay, or one per record ({n})")
    return arr / scale


def _same_length(a: np.ndarray, b: np.ndarray, key: str) -> None:
    if a.size != b.size:
        raise InputError(key, int(b.size), f"one value per time ({a.size})")


def _increasing(times: np.ndarray, key: str) -> None:
    back = np.flatnonzero(np.diff(times) <= 0)
    if back.size:
        i = back[0] + 1
        raise InputError(f"{key}[{i}]", float(times[i]),
                         f"a time after the previous one ({float(times[i - 1])!r} h): "
                         "times must increase")


def _frozen(*arrays: np.ndarray | None) -> None:
    for arr in arrays:
        if arr is not None:
            arr.setflags(write=False)


# -- the data of a measurement point -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Items:
    """Discrete items: time [h], mass [kg U] and U-235 mass fraction of each (assay optional:
    without it only the element balance is possible).

    Build with :meth:`from_weight_percent` or :meth:`from_mass_fraction`.
    """

    times_h: np.ndarray
    masses_kg_u: np.ndarray
    u235_fraction: np.ndarray | None = None
    key: str = field(default="items", compare=False)

    @classmethod
    def from_weight_percent(cls, times_h, masses_kg_u, assay_wt_pct=None, *,
                            key: str = "items") -> Items:
        """Items with U-235 assays in weight percent (0-100 %), one or one per item."""
        return cls._build(times_h, masses_kg_u, assay_wt_pct, 100.0, "assay_wt_pct", key)

    @classmethod
    def from_mass_fraction(cls, times_h, masses_kg_u, u235_fraction=None, *,
                           key: str = "items") -> Items:
        """Items with U-235 assays as mass fractions (0-1), one or one per item."""
        return cls._build(times_h, masses_kg_u, u235_fraction, 1.0, "u235_fraction", key)

    @classmethod
    def _build(cls, times, masses, assay, scale, assay_key, key) -> Items:
        t = _vector(times, f"{key}.times_h")
        m = _nonnegative(masses, f"{key}.masses_kg_u")
        _same_length(t, m, f"{key}.masses_kg_u")
        x = _fraction(assay, f"{key}.{assay_key}", t.size, scale)
        _frozen(t, m, x)
        return cls(t, m, x, key)

    def amounts(self, quantity: Quantity) -> np.ndarray:
        """Mass of each item [kg U] or of its U-235 [kg U-235]."""
        return self.masses_kg_u if quantity == "U" else self.masses_kg_u * _need(self, quantity)

    def __repr__(self) -> str:
        return (f"Items({self.times_h.size} items, {float(self.masses_kg_u.sum()):.6g} kg U, "
                f"{'with' if self.u235_fraction is not None else 'no'} assays)")


@dataclass(frozen=True, eq=False)
class Flow:
    """A continuous flow: rate [kg U/h] recorded at increasing times [h].

    ``integration="step"``: the record at ``t_j`` is the mean rate over ``(t_{j-1}, t_j]``, the
    first over ``(start_h, t_0]`` (``start_h`` defaults to ``t_0`` minus the first spacing);
    ``"trapezoid"``: the rate is linear between records (MAPIT's integration). Build with
    :meth:`from_weight_percent` or :meth:`from_mass_fraction`.
    """

    times_h: np.ndarray
    rates_kg_u_per_h: np.ndarray
    u235_fraction: np.ndarray | None = None
    start_h: float = 0.0
    integration: Literal["step", "trapezoid"] = "step"
    key: str = field(default="flow", compare=False)

    @classmethod
    def from_weight_percent(cls, times_h, rates_kg_u_per_h, assay_wt_pct=None, *,
                            start_h: float | None = None, integration: str = "step",
                            key: str = "flow") -> Flow:
        """A flow with U-235 assays in weight percent (0-100 %), one or one per record."""
        return cls._build(times_h, rates_kg_u_per_h, assay_wt_pct, 100.0, "assay_wt_pct",
                          start_h, integration, key)

    @classmethod
    def from_mass_fraction(cls, times_h, rates_kg_u_per_h, u235_fraction=None, *,
                           start_h: float | None = None, integration: str = "step",
                           key: str = "flow") -> Flow:
        """A flow with U-235 assays as mass fractions (0-1), one or one per record."""
        return cls._build(times_h, rates_kg_u_per_h, u235_fraction, 1.0, "u235_fraction",
                          start_h, integration, key)

    @classmethod
    def _build(cls, times, rates, assay, scale, assay_key, start, integration, key) -> Flow:
        t = _vector(times, f"{key}.times_h")
        r = _nonnegative(rates, f"{key}.rates_kg_u_per_h")
        _same_length(t, r, f"{key}.rates_kg_u_per_h")
        if t.size < 2 and start is None:
            raise InputError(f"{key}.times_h", t.tolist(), "at least two records, or a start_h")
        _increasing(t, f"{key}.times_h")
        if integration not in ("step", "trapezoid"):
            raise InputError(f"{key}.integration", integration, "one of 'step', 'trapezoid'")
        start_h = float(t[0] - (t[1] - t[0])) if start is None else float(start)
        if not np.isfinite(start_h) or start_h >= t[0]:
            raise InputError(f"{key}.start_h", start, f"a time before the first record ({t[0]})")
        x = _fraction(assay, f"{key}.{assay_key}", t.size, scale)
        _frozen(t, r, x)
        return cls(t, r, x, start_h, integration, key)  # type: ignore[arg-type]

    def amounts(self, quantity: Quantity) -> np.ndarray:
        """Rate of each record [kg U/h] or of its U-235 [kg U-235/h]."""
        if quantity == "U":
            return self.rates_kg_u_per_h
        return self.rates_kg_u_per_h * _need(self, quantity)

    def weights(self, boundaries: np.ndarray) -> np.ndarray:
        """(K, n) hours of record j's interval inside period k (its amount = weight x rate)."""
        if self.integration == "step":
            ends = self.times_h
            starts = np.concatenate([[self.start_h], ends[:-1]])
            return _overlap(starts, ends, boundaries)
        return _trapezoid_weights(self.times_h, boundaries)

    def __repr__(self) -> str:
        return (f"Flow({self.times_h.size} records, {self.integration}, "
                f"{'with' if self.u235_fraction is not None else 'no'} assays)")


@dataclass(frozen=True, eq=False)
class Level:
    """A monitored inventory level: mass [kg U] at increasing times [h] (e.g. hourly hold-up);
    the records at the balance boundaries are the inventories, the others are not used. Build
    with :meth:`from_weight_percent` or :meth:`from_mass_fraction`."""

    times_h: np.ndarray
    masses_kg_u: np.ndarray
    u235_fraction: np.ndarray | None = None
    key: str = field(default="level", compare=False)

    @classmethod
    def from_weight_percent(cls, times_h, masses_kg_u, assay_wt_pct=None, *,
                            key: str = "level") -> Level:
        """A level series with U-235 assays in weight percent (0-100 %)."""
        return cls._build(times_h, masses_kg_u, assay_wt_pct, 100.0, "assay_wt_pct", key)

    @classmethod
    def from_mass_fraction(cls, times_h, masses_kg_u, u235_fraction=None, *,
                           key: str = "level") -> Level:
        """A level series with U-235 assays as mass fractions (0-1)."""
        return cls._build(times_h, masses_kg_u, u235_fraction, 1.0, "u235_fraction", key)

    @classmethod
    def _build(cls, times, masses, assay, scale, assay_key, key) -> Level:
        t = _vector(times, f"{key}.times_h")
        m = _nonnegative(masses, f"{key}.masses_kg_u")
        _same_length(t, m, f"{key}.masses_kg_u")
        _increasing(t, f"{key}.times_h")
        x = _fraction(assay, f"{key}.{assay_key}", t.size, scale)
        _frozen(t, m, x)
        return cls(t, m, x, key)

    def amounts(self, quantity: Quantity) -> np.ndarray:
        """Mass at each record [kg U] or its U-235 [kg U-235]."""
        return self.masses_kg_u if quantity == "U" else self.masses_kg_u * _need(self, quantity)

    def __repr__(self) -> str:
        return f"Level({self.times_h.size} records)"


def _need(data: Items | Flow | Level, quantity: str) -> np.ndarray:
    if data.u235_fraction is None:
        raise InputError(f"{data.key}.assay_wt_pct", None,
                         f"U-235 assays for the {quantity} balance")
    return data.u235_fraction


def _overlap(starts: np.ndarray, ends: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(K, n) length of (starts_j, ends_j] inside (b_k, b_k+1]."""
    hi = np.minimum(ends[None, :], b[1:, None])
    lo = np.maximum(starts[None, :], b[:-1, None])
    return np.clip(hi - lo, 0.0, None)


def _trapezoid_weights(t: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(K, n) weights of the rates at t for the integral of their linear interpolant over each
    period (segment j spans t_j..t_j+1)."""
    a, e = t[:-1], t[1:]
    width = e - a
    lo = (np.maximum(a[None, :], b[:-1, None]) - a) / width          # (K, n-1) in [0, 1]
    hi = (np.minimum(e[None, :], b[1:, None]) - a) / width
    hi = np.maximum(hi, lo)
    left = width * ((hi - lo) - (hi**2 - lo**2) / 2)                 # weight of rate at t_j
    right = width * (hi**2 - lo**2) / 2                              # weight of rate at t_j+1
    w = np.zeros((b.size - 1, t.size))
    w[:, :-1] += left
    w[:, 1:] += right
    return w


# -- points, periods, areas --------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementPoint:
    """A key measurement point: name, role (``input``, ``output``, ``inventory``) and its data
    (:class:`Items` or :class:`Flow` for inputs and outputs; :class:`Items` or :class:`Level`
    for inventories)."""

    name: str
    role: Role
    data: Items | Flow | Level
    description: str = ""
    key: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        key = self.key or f"points.{self.name}"
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"{key}.name", self.name, "a non-empty name")
        if self.role not in ROLES:
            raise InputError(f"{key}.role", self.role, f"one of {', '.join(ROLES)}")
        allowed = (Items, Level) if self.role == "inventory" else (Items, Flow)
        if not isinstance(self.data, allowed):
            names = " or ".join(c.__name__ for c in allowed)
            raise InputError(f"{key}.data", type(self.data).__name__,
                             f"{names} for an {self.role} point")


@dataclass(frozen=True, eq=False)
class BalancePeriods:
    """Consecutive material balance periods ``(t_{k-1}, t_k]`` given by their boundaries [h]
    ``t_0 < t_1 < ... < t_K``."""

    boundaries_h: np.ndarray

    def __post_init__(self) -> None:
        b = _vector(self.boundaries_h, "periods.boundaries_h")
        if b.size < 2:
            raise InputError("periods.boundaries_h", b.tolist(), "at least two boundaries")
        _increasing(b, "periods.boundaries_h")
        b.setflags(write=False)
        object.__setattr__(self, "boundaries_h", b)

    @classmethod
    def regular(cls, start_h: float, length_h: float, count: int) -> BalancePeriods:
        """``count`` periods of ``length_h`` hours from ``start_h``."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InputError("periods.count", count, "a whole number >= 1")
        if not np.isfinite(length_h) or length_h <= 0:
            raise InputError("periods.length_h", length_h, "a length > 0 h")
        return cls(start_h + length_h * np.arange(count + 1))

    @classmethod
    def from_intervals(cls, intervals: Iterable[Sequence[float]],
                       key: str = "periods") -> BalancePeriods:
        """Periods from (start, end) pairs [h]: each must end after it starts and begin where
        the previous one ended (no overlap, no gap)."""
        pairs = [tuple(float(v) for v in p) for p in intervals]
        for i, (start, end) in enumerate(pairs):
            if not end > start:
                raise InputError(f"{key}[{i}]", [start, end], "an end after the start")
            if i and start != pairs[i - 1][1]:
                what = "overlaps the previous period" if start < pairs[i - 1][1] else "leaves a gap"
                raise InputError(f"{key}[{i}]", [start, end],
                                 f"a start equal to the previous end {pairs[i - 1][1]!r} "
                                 f"(this one {what})")
        if not pairs:
            raise InputError(key, [], "at least one period")
        return cls(np.array([pairs[0][0]] + [e for _, e in pairs]))

    @property
    def count(self) -> int:
        """Number of balances K."""
        return self.boundaries_h.size - 1

    @property
    def start_h(self) -> float:
        return float(self.boundaries_h[0])

    @property
    def lengths_h(self) -> np.ndarray:
        return np.diff(self.boundaries_h)

    def tolerance(self) -> float:
        """Time tolerance [h] for 'on a boundary'."""
        return TIME_TOLERANCE * max(1.0, float(np.max(np.abs(self.boundaries_h))))

    def snap(self, times: np.ndarray) -> np.ndarray:
        """Times within the tolerance of a boundary replaced by the boundary."""
        b = self.boundaries_h
        i = np.clip(np.searchsorted(b, times), 1, b.size - 1)
        near = np.where(np.abs(times - b[i - 1]) <= np.abs(times - b[i]), b[i - 1], b[i])
        return np.where(np.abs(times - near) <= self.tolerance(), near, times)

    def period_of(self, times: np.ndarray) -> np.ndarray:
        """Index k of the period ``(t_k, t_k+1]`` holding each time; -1 outside the horizon."""
        k = np.searchsorted(self.boundaries_h, self.snap(np.asarray(times, float))) - 1
        return np.where((k >= 0) & (k < self.count), k, -1)

    def boundary_of(self, times: np.ndarray) -> np.ndarray:
        """Index of the boundary each time is on; -1 if none."""
        t = self.snap(np.asarray(times, float))
        i = np.clip(np.searchsorted(self.boundaries_h, t), 0, self.count)
        return np.where(self.boundaries_h[i] == t, i, -1)

    def __repr__(self) -> str:
        return (f"BalancePeriods({self.count} periods, {self.start_h:g} to "
                f"{float(self.boundaries_h[-1]):g} h)")


@dataclass(frozen=True)
class MaterialBalanceArea:
    """A material balance area: a name and its key measurement points (unique names)."""

    name: str
    points: tuple[MeasurementPoint, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))
        seen: set[str] = set()
        for i, p in enumerate(self.points):
            if not isinstance(p, MeasurementPoint):
                raise InputError(f"points[{i}]", type(p).__name__, "a MeasurementPoint")
            if p.name in seen:
                raise InputError(f"points[{i}].name", p.name, "a name no other point has")
            seen.add(p.name)
        if not self.points:
            raise InputError("points", [], "at least one measurement point")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.points)

    def point(self, name: str) -> MeasurementPoint:
        """The point called ``name``."""
        for p in self.points:
            if p.name == name:
                return p
        raise UnknownNameError("point", name, f"one of {', '.join(self.names)}")


# -- the linear map from records to MUF --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BalanceDesign:
    """MUF as a linear function of the measured records of an area over given periods.

    ``coef[k, j] * values[j]`` is record j's contribution to MUF_k (sign: + input, - output,
    + beginning inventory, - ending inventory; flows carry their hours in ``coef``);
    ``values`` are the declared measured values (kg, or kg/h for flows; U or U-235 as
    ``quantity``), ``point_index[j]`` the point of record j (index into ``names``) and
    ``times_h[j]`` its time stamp. Records outside the horizon are left out.
    """

    periods: BalancePeriods
    quantity: Quantity
    names: tuple[str, ...]
    roles: tuple[str, ...]
    coef: np.ndarray
    values: np.ndarray
    point_index: np.ndarray
    times_h: np.ndarray

    def muf(self) -> np.ndarray:
        """MUF of each period [kg] from the declared values."""
        return self.coef @ self.values

    def point_terms(self) -> np.ndarray:
        """(P, K) signed contribution of each point to each MUF [kg]."""
        out = np.zeros((len(self.names), self.periods.count))
        np.add.at(out, self.point_index, (self.coef * self.values).T)
        return out

    def inventory_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """(P, K) beginning and ending inventory of each point [kg] (zero for non-inventories)."""
        contrib = self.coef * self.values
        begin = np.zeros((len(self.names), self.periods.count))
        end = np.zeros_like(begin)
        inv = np.array([r == "inventory" for r in self.roles])[self.point_index]
        np.add.at(begin, self.point_index[inv], np.clip(contrib[:, inv], 0, None).T)
        np.add.at(end, self.point_index[inv], np.clip(-contrib[:, inv], 0, None).T)
        return begin, end


def _item_columns(point: MeasurementPoint, periods: BalancePeriods, values: np.ndarray):
    t = point.data.times_h
    k = periods.period_of(t)
    keep = np.flatnonzero(k >= 0)
    coef = np.zeros((periods.count, keep.size))
    coef[k[keep], np.arange(keep.size)] = 1.0 if point.role == "input" else -1.0
    return coef, values[keep], t[keep]


def _flow_columns(point: MeasurementPoint, periods: BalancePeriods, values: np.ndarray):
    data = point.data
    assert isinstance(data, Flow)
    w = data.weights(periods.boundaries_h)
    keep = np.flatnonzero(np.any(w > 0, axis=0))
    sign = 1.0 if point.role == "input" else -1.0
    return sign * w[:, keep], values[keep], data.times_h[keep]


def _inventory_columns(point: MeasurementPoint, periods: BalancePeriods, values: np.ndarray):
    data = point.data
    t = data.times_h
    b = periods.boundary_of(t)
    if isinstance(data, Items):
        snapped = periods.snap(t)
        off = np.flatnonzero((b < 0) & (snapped >= periods.start_h)
                             & (snapped <= periods.boundaries_h[-1]))
        if off.size:
            raise InputError(f"{data.key}.times_h[{off[0]}]", float(t[off[0]]),
                             "a balance boundary (inventory items are listed at the inventory "
                             f"takings {periods.boundaries_h.tolist()})")
    else:
        missing = np.setdiff1d(np.arange(periods.count + 1), b[b >= 0])
        if missing.size:
            raise InputError(f"{data.key}.times_h", float(periods.boundaries_h[missing[0]]),
                             "a record at every balance boundary (this boundary has none)")
    keep = np.flatnonzero(b >= 0)
    coef = np.zeros((periods.count + 2, keep.size))
    coef[b[keep] + 1, np.arange(keep.size)] = 1.0        # beginning of the period after t_b
    coef[b[keep], np.arange(keep.size)] -= 1.0           # ending of the period before t_b
    return coef[1:-1], values[keep], t[keep]


def balance_design(area: MaterialBalanceArea, periods: BalancePeriods,
                   quantity: Quantity = "U") -> BalanceDesign:
    """The linear map from the area's records to the MUF of each period.

    Parameters
    ----------
    area : MaterialBalanceArea
    periods : BalancePeriods
    quantity : {'U', 'U235'}
        Element or isotope balance (U-235 needs assays at every point).

    Returns
    -------
    BalanceDesign
    """
    if quantity not in QUANTITIES:
        raise InputError("quantity", quantity, f"one of {', '.join(QUANTITIES)}")
    parts = []
    for i, p in enumerate(area.points):
        values = p.data.amounts(quantity)
        build = (_inventory_columns if p.role == "inventory"
                 else _flow_columns if isinstance(p.data, Flow) else _item_columns)
        coef, v, t = build(p, periods, values)
        parts.append((coef, v, t, np.full(v.size, i)))
    coef = np.concatenate([c for c, *_ in parts], axis=1)
    values, times = (np.concatenate([q[n] for q in parts]) for n in (1, 2))
    index = np.concatenate([q[3] for q in parts]).astype(int)
    _frozen(coef, values, times, index)
    return BalanceDesign(periods, quantity, area.names, tuple(p.role for p in area.points),
                         coef, values, index, times)
