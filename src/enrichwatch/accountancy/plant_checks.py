"""Enrichment-plant checks: do the operator's declared feed, product and tails hold together,
and could the declared plant have made them?

From the declared items (cylinders: kg U and U-235 assay) of a period:

* the uranium and U-235 balances ``F - P - T`` (positive = material missing, or hold-up grown);
* the separative work the declaration implies, ``sum P V(x_P) + sum T V(x_T) - sum F V(x_F)``
  over the items (:func:`enrichwatch.physics.swu.value_tangent` gives ``V``);
* each with its standard deviation by linear propagation of the measurement errors (a random
  part, independent per item, and a systematic part shared by the items of one instrument, or
  of the stream when it names none, for the mass and for the assay);

and, against the declared plant solved by the physics engine
(:func:`enrichwatch.facility.solve_plant`: the net separative work of its external streams at
the declared operating point, with an uncertainty from the machines' rated ranges), two
findings: **excess production** (the declaration needs more separative work than
the plant delivers, beyond the uncertainties) and **unaccounted capacity** (the plant delivers
significantly more than the declaration uses, enough for at least ``min_sq`` significant
quantities of HEU).

Scale: :func:`swu_per_sq` (separative work for 1 SQ, 25 kg U-235, at 90 %) and
:func:`cylinder_content` (what a 30B or 48Y cylinder holds, in SQ of its own category and in SQ
of HEU it could be enriched into).

Examples
--------
>>> from enrichwatch.composition import Assay
>>> nat, tails = Assay.from_weight_percent(0.711), Assay.from_weight_percent(0.3)
>>> round(swu_per_sq(nat, tails))              # about 5,400 kg-SWU at 0.30 % tails
5359
>>> c = cylinder_content("48Y", Assay.from_weight_percent(0.711))
>>> round(c.kg_u), round(c.kg_u235, 1), round(c.sq, 3), round(c.heu_sq, 2)
(8453, 60.1, 0.845, 1.39)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..composition import Assay, Composition, kg_uf6_to_kg_u, require_assay
from ..constants import (
    DAYS_PER_MONTH,
    HEU_THRESHOLD,
    MONTHS_PER_YEAR,
    SQ_DEPLETED_U_KG,
    SQ_HEU_U235_KG,
    SQ_LEU_U235_KG,
    SQ_NATURAL_U_KG,
    UF6_CYLINDERS,
    WEAPON_GRADE_ASSAY,
)
from ..errors import InputError, UnknownNameError, warn
from ..facility import Facility, SolvedPlant, solve_plant
from ..physics.swu import enrich, value_tangent
from . import _verify as check
from .measurement import PointMeasurement

__all__ = [
    "NATURAL_BAND_WT_PCT",
    "CylinderContent",
    "DeclaredBalance",
    "DeclaredStream",
    "PlantCapacity",
    "PlantCheck",
    "check_plant",
    "cylinder_content",
    "declared_balance",
    "plant_capacity",
    "significant_quantities",
    "sq_category",
    "swu_per_sq",
]

#: Natural uranium, conventional U-235 content [wt%] (the peers' and reference vectors' 0.711).
_NATURAL_WT_PCT = 0.711
#: Half-width of the band around 0.711 wt% whose uranium counts as natural for the SQ [wt%]
#: (an enrichwatch convention: 0.701-0.721 wt% covers natural variation and the IUPAC 0.7204
#: atom % = 0.7112 wt%).
NATURAL_BAND_WT_PCT = 0.01


# -- significant quantities and cylinders ---------------------------------------------------------


def sq_category(assay: Assay) -> str:
    """IAEA material category of uranium for the significant quantity: 'HEU' (>= 20 % U-235),
    'LEU' (above natural), 'natural' (within :data:`NATURAL_BAND_WT_PCT` of 0.711 wt%) or
    'depleted' (below).

    >>> sq_category(Assay.from_weight_percent(60.0)), sq_category(Assay.from_weight_percent(0.25))
    ('HEU', 'depleted')
    """
    x = float(require_assay(assay, "assay").weight_percent)
    if x >= 100 * HEU_THRESHOLD:
        return "HEU"
    if abs(x - _NATURAL_WT_PCT) <= NATURAL_BAND_WT_PCT:
        return "natural"
    return "LEU" if x > _NATURAL_WT_PCT else "depleted"


def significant_quantities(kg_u, assay: Assay) -> float:
    """Significant quantities in ``kg_u`` of uranium of the given assay (IAEA Safeguards
    Glossary 2001, Table II): HEU 25 kg U-235, LEU 75 kg U-235, natural U 10 t U, depleted U
    20 t U (:func:`sq_category`).

    >>> round(significant_quantities(27.78, Assay.from_weight_percent(90.0)), 3)
    1.0
    """
    m = check.nonnegative("kg_u", kg_u, "a mass >= 0 [kg U]")
    category = sq_category(assay)
    x = float(assay.mass_fraction)
    return {"HEU": m * x / SQ_HEU_U235_KG, "LEU": m * x / SQ_LEU_U235_KG,
            "natural": m / SQ_NATURAL_U_KG, "depleted": m / SQ_DEPLETED_U_KG}[category]


def _weapon_grade() -> Assay:
    return Assay.from_mass_fraction(WEAPON_GRADE_ASSAY, param="product")


def swu_per_sq(feed: Assay, tails: Assay, product: Assay | None = None, *,
               sq_kg_u235: float = SQ_HEU_U235_KG) -> float:
    """Separative work to make one significant quantity of HEU [kg-SWU].

    Parameters
    ----------
    feed, tails : Assay
        Feed and tails U-235 assays.
    product : Assay, optional
        Product assay (default: weapon-grade, 90 %).
    sq_kg_u235 : float
        The quantity of U-235 in the product [kg U-235] (default 1 SQ of HEU, 25 kg).

    Returns
    -------
    float
        kg-SWU (binary value function, :func:`enrichwatch.physics.swu.enrich`).
    """
    product = _weapon_grade() if product is None else require_assay(product, "product")
    goal = check.positive("sq_kg_u235", sq_kg_u235)
    result = enrich(require_assay(feed, "feed"), product, require_assay(tails, "tails"),
                    product_kg=goal / float(product.mass_fraction))
    return float(result.swu_kg)


@dataclass(frozen=True)
class CylinderContent:
    """What one UF6 cylinder holds [kg], in significant quantities of its own category (``sq``)
    and of HEU at 90 % it could be enriched into (``heu_sq``, with ``heu_swu_kg`` kg-SWU, at
    the given tails assay; 0 and 0 when its assay is not above the tails)."""

    model: str
    kg_uf6: float
    kg_u: float
    assay_wt_pct: float
    category: str
    sq: float
    heu_sq: float
    heu_swu_kg: float

    @property
    def kg_u235(self) -> float:
        """U-235 [kg]."""
        return self.kg_u * self.assay_wt_pct / 100.0

    def as_dict(self) -> dict:
        return {"model": self.model, "kg_uf6": self.kg_uf6, "kg_u": self.kg_u,
                "kg_u235": self.kg_u235, "assay_wt_pct": self.assay_wt_pct,
                "category": self.category, "sq": self.sq, "heu_sq": self.heu_sq,
                "heu_swu_kg": self.heu_swu_kg}


def cylinder_content(model: str, assay: Assay, *, kg_uf6=None,
                     tails: Assay | None = None) -> CylinderContent:
    """Content of a UF6 cylinder, filled to its maximum unless ``kg_uf6`` is given.

    Parameters
    ----------
    model : str
        Cylinder model, a key of :data:`~enrichwatch.constants.UF6_CYLINDERS` ('30B', '48Y',
        '5A', '8A').
    assay : Assay
        U-235 assay of the uranium in it (binary isotopics for the UF6-to-U conversion).
    kg_uf6 : float, optional
        Fill [kg UF6], from 0 to the model's maximum.
    tails : Assay, optional
        Tails assay for the HEU equivalent (default 0.3 wt%).

    Warns
    -----
    EnrichwatchWarning
        The assay is above the model's criticality-safety enrichment limit.
    """
    if model not in UF6_CYLINDERS:
        raise UnknownNameError("model", model, f"one of {', '.join(UF6_CYLINDERS)}")
    limit_kg, limit_pct = UF6_CYLINDERS[model]
    x = require_assay(assay, "assay")
    fill = limit_kg if kg_uf6 is None else check.nonnegative("kg_uf6", kg_uf6)
    if fill > limit_kg:
        raise InputError("kg_uf6", kg_uf6, f"a fill from 0 to the {model}'s {limit_kg:g} kg UF6")
    if float(x.weight_percent) > limit_pct:
        warn(f"a {model} cylinder is limited to {limit_pct:g} wt% U-235; "
             f"{float(x.weight_percent):g} wt% is above it")
    kg_u = float(kg_uf6_to_kg_u(fill, Composition.binary(x)))
    w = Assay.from_weight_percent(0.3, param="tails") if tails is None else require_assay(
        tails, "tails")
    heu_sq, heu_swu = _heu_equivalent(kg_u, x, w)
    return CylinderContent(model, fill, kg_u, float(x.weight_percent), sq_category(x),
                           significant_quantities(kg_u, x), heu_sq, heu_swu)


def _heu_equivalent(kg_u: float, feed: Assay, tails: Assay) -> tuple[float, float]:
    """SQ of 90 % HEU obtainable from ``kg_u`` of feed, and the separative work it takes."""
    product = _weapon_grade()
    if kg_u == 0.0 or feed.mass_fraction <= tails.mass_fraction:
        return 0.0, 0.0
    if feed.mass_fraction >= product.mass_fraction:
        return kg_u * float(feed.mass_fraction) / SQ_HEU_U235_KG, 0.0
    result = enrich(feed, product, tails, feed_kg=kg_u)
    return (float(result.product_kg) * float(product.mass_fraction) / SQ_HEU_U235_KG,
            float(result.swu_kg))


# -- declared streams and their balances ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DeclaredStream:
    """The declared items of one stream (feed, product or tails) over the period: masses
    [kg U] and U-235 assays, with their measurement uncertainties.

    ``measurement`` is the measurement model's
    :class:`~enrichwatch.accountancy.measurement.PointMeasurement` (mass and assay
    :class:`~enrichwatch.accountancy.measurement.Uncertainty`): the random errors are
    independent per item, the systematic error is one per instrument (``instrument``, else the
    stream) for the period; calibration periods are not used (one period). No assay
    uncertainty: the assays are taken as exact. Build it with :meth:`from_weight_percent`
    (assays in wt%) or from an :class:`Assay` array.
    """

    name: str
    kg_u: np.ndarray
    assay: Assay
    measurement: PointMeasurement = field(default_factory=PointMeasurement.relative)

    def __post_init__(self) -> None:
        kg = check.vector(f"{self.name}.kg_u", np.atleast_1d(self.kg_u))
        if np.any(kg < 0):
            raise InputError(f"{self.name}.kg_u", float(kg[kg < 0][0]), "masses >= 0 [kg U]")
        x = np.atleast_1d(np.asarray(require_assay(self.assay, f"{self.name}.assay")
                                     .mass_fraction, dtype=float))
        if x.shape != kg.shape:
            raise InputError(f"{self.name}.assay", x.size, f"one assay per item ({kg.size})")
        kg.setflags(write=False)
        object.__setattr__(self, "kg_u", kg)
        if not isinstance(self.measurement, PointMeasurement):
            raise InputError(f"{self.name}.measurement", self.measurement,
                             "a PointMeasurement")

    @classmethod
    def from_weight_percent(cls, name: str, kg_u, assay_wt_pct,
                            measurement: PointMeasurement | None = None) -> DeclaredStream:
        """Items from masses [kg U] and assays [wt% U-235], one of each per item (or one
        assay for all)."""
        kg = np.atleast_1d(np.asarray(kg_u, dtype=float))
        pct = np.broadcast_to(np.asarray(assay_wt_pct, dtype=float), kg.shape)
        return cls(name, kg, Assay.from_weight_percent(pct, param=f"{name}.assay"),
                   measurement or PointMeasurement.relative(key=f"{name}.measurement"))

    @property
    def fractions(self) -> np.ndarray:
        """U-235 mass fraction of each item [1]."""
        return np.atleast_1d(np.asarray(self.assay.mass_fraction, dtype=float))

    @property
    def total_kg_u(self) -> float:
        return float(np.sum(self.kg_u))

    @property
    def total_kg_u235(self) -> float:
        return float(np.sum(self.kg_u * self.fractions))

    @property
    def mean_assay(self) -> Assay:
        """Mass-weighted mean assay of the stream."""
        return Assay.from_mass_fraction(self.total_kg_u235 / self.total_kg_u,
                                        param=f"{self.name}.assay")


def _values(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value function V(x) and its slope V'(x) of raw fractions, from the physics' tangent."""
    intercept, slope = value_tangent(x)
    return intercept + slope * x, slope


class _Variance:
    """Variance of a linearised quantity: per-item random parts add, the systematic parts of
    one instrument (or stream) and measured part add as loadings of one shared error."""

    def __init__(self) -> None:
        self.random = 0.0
        self.loadings: dict[tuple[str, str], float] = {}

    def add(self, stream: DeclaredStream, grad_m: np.ndarray, grad_x: np.ndarray) -> None:
        """Add a stream's items with these gradients per item (mass and assay)."""
        pm = stream.measurement
        parts = [("mass", pm.mass, grad_m * stream.kg_u)]
        if pm.assay is not None:
            parts.append(("assay", pm.assay, grad_x * stream.fractions))
        for part, unc, d in parts:
            self.random += unc.random_rsd ** 2 * float(np.sum(d ** 2))
            owner = (unc.instrument or f"stream:{stream.name}", part)
            self.loadings[owner] = self.loadings.get(owner, 0.0) + unc.systematic_rsd * float(
                np.sum(d))

    @property
    def sd(self) -> float:
        return math.sqrt(self.random + sum(v ** 2 for v in self.loadings.values()))


@dataclass(frozen=True, eq=False)
class DeclaredBalance:
    """Balances and separative work implied by a declaration [kg U, kg U-235, kg-SWU], each
    with its standard deviation."""

    feed: DeclaredStream
    product: DeclaredStream
    tails: DeclaredStream
    u_balance_kg: float
    u_balance_sd: float
    u235_balance_kg: float
    u235_balance_sd: float
    swu_kg: float
    swu_sd: float

    def as_dict(self) -> dict:
        streams = {s.name: {"items": int(s.kg_u.size), "kg_u": s.total_kg_u,
                            "kg_u235": s.total_kg_u235,
                            "mean_assay_wt_pct": float(s.mean_assay.weight_percent)}
                   for s in (self.feed, self.product, self.tails)}
        return {"streams": streams, "u_balance_kg": self.u_balance_kg,
                "u_balance_sd": self.u_balance_sd, "u235_balance_kg": self.u235_balance_kg,
                "u235_balance_sd": self.u235_balance_sd, "swu_kg": self.swu_kg,
                "swu_sd": self.swu_sd}


def declared_balance(feed: DeclaredStream, product: DeclaredStream,
                     tails: DeclaredStream) -> DeclaredBalance:
    """U and U-235 balances ``F - P - T`` and the implied separative work of a declaration.

    Examples
    --------
    >>> f = DeclaredStream.from_weight_percent("feed", [7785.89], 0.711)
    >>> p = DeclaredStream.from_weight_percent("product", [1000.0], 3.5)
    >>> t = DeclaredStream.from_weight_percent("tails", [6785.89], 0.3)
    >>> b = declared_balance(f, p, t)
    >>> round(b.u_balance_kg, 6), round(b.u235_balance_kg, 2), round(b.swu_kg)
    (0.0, 0.0, 4339)
    """
    for role, stream in (("feed", feed), ("product", product), ("tails", tails)):
        if not isinstance(stream, DeclaredStream):
            raise InputError(role, stream, "a DeclaredStream")
    parts = ((feed, -1.0), (product, 1.0), (tails, 1.0))        # signs in the separative work
    u = u235 = swu = 0.0
    var_u, var_u235, var_swu = _Variance(), _Variance(), _Variance()
    for stream, sign in parts:
        m, x = stream.kg_u, stream.fractions
        v, dv = _values(x)
        u -= sign * float(np.sum(m))
        u235 -= sign * float(np.sum(m * x))
        swu += sign * float(np.sum(m * v))
        var_u.add(stream, -sign * np.ones_like(m), np.zeros_like(m))
        var_u235.add(stream, -sign * x, -sign * m)
        var_swu.add(stream, sign * v, sign * m * dv)
    return DeclaredBalance(feed, product, tails, u, var_u.sd, u235, var_u235.sd, swu,
                           var_swu.sd)


# -- the declared plant's separative capacity -------------------------------------------------


@dataclass(frozen=True)
class PlantCapacity:
    """Separative work rates of a declared plant at its declared operating point
    [kg-SWU/month].

    ``net``: the plant's own balance, ``P V(x_P) + T V(x_T) - F V(x_F)`` over its withdrawals
    and feeds, the quantity a declaration implies (compare like with like); ``delivered``: the
    stage-by-stage sum over the cascades, larger by the mixing losses of the interconnection;
    ``machines``: the machines' separative power there; ``nominal``: the machines' rating.
    ``net_sd``: uncertainty of ``net`` from the machines' rated ranges.
    """

    net: float
    delivered: float
    machines: float
    nominal: float
    net_sd: float

    def as_dict(self) -> dict:
        return {"net_swu_per_month": self.net, "delivered_swu_per_month": self.delivered,
                "machines_swu_per_month": self.machines, "nominal_swu_per_month": self.nominal,
                "net_sd_swu_per_month": self.net_sd}


def _stream_value(rate_kg_per_yr: float, composition) -> float:
    """``m V(x)`` of a stream [kg-SWU/yr] (0 for an empty one)."""
    if composition is None or rate_kg_per_yr == 0.0:
        return 0.0
    v, _ = _values(np.array([composition.fraction("U235")]))
    return rate_kg_per_yr * float(v[0])


def plant_capacity(plant: SolvedPlant | Facility | str | os.PathLike) -> PlantCapacity:
    """Separative capacity of a declared plant, from the physics engine.

    The plant is solved (:func:`enrichwatch.facility.solve_plant`, without the capability
    search) unless it already is. ``net`` is the separative work balance of its external
    streams at the steady state, ``delivered``, ``machines`` and ``nominal`` the sums over its
    cascades of ``swu_value_per_month``, ``swu_machines_per_month`` and the machines' rating.
    The standard deviation treats each machine's rated range ``[low, high]`` as a rectangular
    distribution, ``(high - low) / sqrt(12)`` relative to its rating, weighted by the cascades'
    shares of the delivered work and fully correlated over the plant (conservative).
    """
    solved = plant if isinstance(plant, SolvedPlant) else solve_plant(plant, capability=False)
    state = solved.state
    net = (sum(_stream_value(w.rate_kg_per_yr, w.composition)
               for w in state.withdrawals.values())
           - sum(_stream_value(f.rate_kg_per_yr, f.composition) for f in solved.network.feeds))
    delivered = machines = nominal = rel = 0.0
    for result in solved.result.cascades:
        cascade = solved.network.cascades[result.name]
        low, high = cascade.machine.swu_range_per_yr
        delivered += result.swu_value_per_month
        machines += result.swu_machines_per_month
        nominal += cascade.nominal_swu_kg_per_yr / MONTHS_PER_YEAR
        rel += result.swu_value_per_month * (high - low) / (
            math.sqrt(12.0) * cascade.machine.nominal_swu_per_yr)
    rel = rel / delivered if delivered > 0 else 0.0
    monthly = net / MONTHS_PER_YEAR
    return PlantCapacity(monthly, delivered, machines, nominal, abs(monthly) * rel)


# -- the checks -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PlantCheck:
    """A declaration set against the declared plant over one period.

    ``capacity_swu_kg`` is the net separative work the declared plant does in the period
    (:attr:`PlantCapacity.net` x months x ``operating_fraction``), ``capacity_sd`` its
    uncertainty;
    tests are one-sided at ``false_alarm`` for the separative work and two-sided for the
    balances.
    """

    balance: DeclaredBalance
    capacity: PlantCapacity
    period_days: float
    operating_fraction: float
    false_alarm: float
    swu_per_sq: float
    min_sq: float

    @property
    def months(self) -> float:
        return self.period_days / DAYS_PER_MONTH

    @property
    def capacity_swu_kg(self) -> float:
        """Net separative work the declared plant does in the period [kg-SWU]."""
        return self.capacity.net * self.months * self.operating_fraction

    @property
    def capacity_sd(self) -> float:
        return self.capacity.net_sd * self.months * self.operating_fraction

    @property
    def excess_swu_kg(self) -> float:
        """Implied minus delivered separative work [kg-SWU] (negative: capacity to spare)."""
        return self.balance.swu_kg - self.capacity_swu_kg

    @property
    def excess_sd(self) -> float:
        return math.hypot(self.balance.swu_sd, self.capacity_sd)

    @property
    def threshold_swu_kg(self) -> float:
        """One-sided threshold ``z_(1-alpha) sd`` on the excess (or the spare) [kg-SWU]."""
        return float(stats.norm.isf(self.false_alarm)) * self.excess_sd

    @property
    def excess_production(self) -> bool:
        """Declared production needs significantly more separative work than the plant has."""
        return self.excess_swu_kg > self.threshold_swu_kg

    @property
    def spare_sq(self) -> float:
        """Unused separative work in significant quantities of HEU (0 if none) [SQ]."""
        return max(-self.excess_swu_kg, 0.0) / self.swu_per_sq

    @property
    def unaccounted_capacity(self) -> bool:
        """The plant delivers significantly more than the declaration uses, enough for
        ``min_sq`` SQ of HEU or more."""
        return -self.excess_swu_kg > self.threshold_swu_kg and self.spare_sq >= self.min_sq

    def _two_sided(self, value: float, sd: float) -> bool:
        return abs(value) > float(stats.norm.isf(self.false_alarm / 2)) * sd

    @property
    def u_balance_alarm(self) -> bool:
        """The uranium balance F - P - T differs from 0 beyond its uncertainty."""
        return self._two_sided(self.balance.u_balance_kg, self.balance.u_balance_sd)

    @property
    def u235_balance_alarm(self) -> bool:
        """The U-235 balance differs from 0 beyond its uncertainty."""
        return self._two_sided(self.balance.u235_balance_kg, self.balance.u235_balance_sd)

    @property
    def findings(self) -> tuple[str, ...]:
        """What the checks found, one sentence each (empty: consistent)."""
        b, out = self.balance, []
        period = f"in {self.period_days:g} days"
        if self.excess_production:
            out.append(f"declared production needs {b.swu_kg:.0f} +/- {b.swu_sd:.0f} kg-SWU, "
                       f"more than the {self.capacity_swu_kg:.0f} +/- {self.capacity_sd:.0f} "
                       f"kg-SWU the declared cascades deliver {period}")
        if self.unaccounted_capacity:
            out.append(f"the declared cascades deliver {-self.excess_swu_kg:.0f} kg-SWU more "
                       f"{period} than the declaration uses: enough for {self.spare_sq:.2f} SQ "
                       f"of HEU at {self.swu_per_sq:.0f} kg-SWU per SQ")
        for name, unit, alarm, value, sd in (
                ("uranium", "kg U", self.u_balance_alarm, b.u_balance_kg, b.u_balance_sd),
                ("U-235", "kg U-235", self.u235_balance_alarm, b.u235_balance_kg,
                 b.u235_balance_sd)):
            if alarm:
                out.append(f"the {name} balance F - P - T is {value:.3g} +/- {sd:.2g} {unit}")
        return tuple(out)

    def as_dict(self) -> dict:
        return {"balance": self.balance.as_dict(), "capacity": self.capacity.as_dict(),
                "period_days": self.period_days, "operating_fraction": self.operating_fraction,
                "false_alarm": self.false_alarm, "capacity_swu_kg": self.capacity_swu_kg,
                "capacity_sd": self.capacity_sd, "excess_swu_kg": self.excess_swu_kg,
                "excess_sd": self.excess_sd, "threshold_swu_kg": self.threshold_swu_kg,
                "excess_production": self.excess_production, "swu_per_sq": self.swu_per_sq,
                "spare_sq": self.spare_sq, "min_sq": self.min_sq,
                "unaccounted_capacity": self.unaccounted_capacity,
                "u_balance_alarm": self.u_balance_alarm,
                "u235_balance_alarm": self.u235_balance_alarm, "findings": list(self.findings),
                "units": {"mass": "kg U", "swu": "kg-SWU", "period": "days"}}


def check_plant(feed: DeclaredStream, product: DeclaredStream, tails: DeclaredStream,
                plant: SolvedPlant | Facility | str | os.PathLike, period_days, *,
                operating_fraction=1.0, false_alarm=0.05, min_sq=1.0,
                sq_feed: Assay | None = None, sq_tails: Assay | None = None) -> PlantCheck:
    """Check a period's declared feed, product and tails against the declared plant.

    Parameters
    ----------
    feed, product, tails : DeclaredStream
        The declared items of the period.
    plant : SolvedPlant, Facility or path
        The declared plant (a plant file, a :class:`~enrichwatch.facility.Facility`, or one
        already solved).
    period_days : float
        Length of the period [d], > 0.
    operating_fraction : float
        Fraction of the period the cascades ran, in [0, 1] (declared downtime).
    false_alarm : float
        False-alarm probability of each test, in (0, 1).
    min_sq : float
        Spare separative work, in SQ of HEU, from which unused capacity is a finding [SQ].
    sq_feed, sq_tails : Assay, optional
        Feed and tails assays for the SWU per SQ (default: the declared mean feed and tails
        assays, the material the operator has).

    Returns
    -------
    PlantCheck
    """
    balance = declared_balance(feed, product, tails)
    days = check.positive("period_days", period_days, "a period > 0 [days]")
    fraction = check.probability("operating_fraction", operating_fraction)
    alpha = check.probability("false_alarm", false_alarm, low_open=True, high_open=True)
    need = check.nonnegative("min_sq", min_sq, "a number of SQ >= 0")
    swu = swu_per_sq(feed.mean_assay if sq_feed is None else sq_feed,
                     tails.mean_assay if sq_tails is None else sq_tails)
    return PlantCheck(balance, plant_capacity(plant), days, fraction, alpha, swu, need)
