"""Binary enrichment: value function, feed/product/tails mass balances and separative work.

Everything here works on numpy arrays (broadcasting) of U-235 **mass fractions** held by
:class:`~enrichwatch.composition.Assay`; masses are kg U and separative work is kg-SWU. Amounts
may also be pint quantities, converted at the edge (:mod:`enrichwatch.units`); an assay must be
an :class:`~enrichwatch.composition.Assay` (anything else raises a ``TypeError`` naming it).

Conventions (Benedict, Pigford & Levi, Nuclear Chemical Engineering, 1981, ch. 12):
``V(x) = (2x - 1) ln(x / (1 - x))``, ``SWU = P V(x_P) + W V(x_W) - F V(x_F)``,
``F / P = (x_P - x_W) / (x_F - x_W)``.

Examples
--------
>>> from enrichwatch.composition import Assay
>>> from enrichwatch.physics.swu import enrich
>>> r = enrich(Assay.from_weight_percent(0.711), Assay.from_weight_percent(3.5),
...            Assay.from_weight_percent(0.3), product_kg=1.0)
>>> round(r.feed_kg, 3), round(r.swu_kg, 3)
(7.786, 4.339)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..composition import Assay, require_assay
from ..errors import AssayBound, AssayError, BoundKind, InputError, MassError
from ..units import as_magnitude, in_common_unit

__all__ = [
    "BinaryEnrichment",
    "enrich",
    "optimal_tails",
    "reachable_product",
    "value",
    "value_derivative",
    "value_function",
]

_AMOUNTS = ("feed_kg", "product_kg", "tails_kg", "swu_kg")


def value(x) -> np.ndarray:
    """Binary value function ``V(x) = (2x - 1) ln(x / (1 - x))`` of raw fractions [1].

    Low-level and unchecked: for arrays already validated (use :func:`value_function` for
    typed assays).

    >>> float(value(0.5))
    0.0
    """
    x = np.asarray(x, dtype=float)
    out = _half_value(x, np.empty(x.shape), np.empty(x.shape))
    out *= 2.0   # exact: (2x - 1) ln r == 2 ((x - 1/2) ln r) in binary floating point
    return out[()] if out.ndim == 0 else out


def _half_value(x: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """``V(x) / 2 = (x - 1/2) ln(x / (1 - x))`` into ``out`` (shape of ``x``), no temporaries.

    Twice this is bitwise :func:`value`'s ``(2x - 1) ln(x / (1 - x))``: scaling by 2 is exact.
    ``out`` and ``scratch`` are overwritten; a 0-d ``x`` gives a 0-d ``out``.
    """
    np.subtract(1.0, x, out=out)
    np.divide(x, out, out=out)
    np.log(out, out=out)
    np.subtract(x, 0.5, out=scratch)
    np.multiply(out, scratch, out=out)
    return out


def value_derivative(x) -> np.ndarray:
    """Derivative ``dV/dx = 2 ln(x/(1-x)) + (2x - 1)/(x (1 - x))`` of raw fractions."""
    x = np.asarray(x, dtype=float)
    return 2.0 * np.log(x / (1.0 - x)) + (2.0 * x - 1.0) / (x * (1.0 - x))


def value_tangent(x) -> tuple[np.ndarray, np.ndarray]:
    """Tangent of the value function at raw fractions ``x``: intercept ``a`` and slope ``b``.

    ``V`` is convex, so ``V(y) >= a + b y`` for every ``y`` in (0, 1), and a stream of mass ``W``
    carrying ``U`` of U-235 has ``W V(U / W) >= a W + b U`` (a linear lower bound on its value).
    Low-level and unchecked, like :func:`value`.

    >>> a, b = value_tangent(0.2)
    >>> bool(value(0.5) >= a + b * 0.5), bool(abs(value(0.2) - (a + b * 0.2)) < 1e-15)
    (True, True)
    """
    slope = value_derivative(x)
    return value(x) - np.asarray(x, dtype=float) * slope, slope


def separative_work(x_feed, x_product, x_tails, feed, product, tails) -> np.ndarray:
    """Separative work ``P V(x_P) + W V(x_W) - F V(x_F)`` of a split [kg-SWU for masses in kg].

    Raw fractions and masses (any consistent mass unit; per unit time gives a rate), unchecked,
    like :func:`value`; linear in the three masses.

    >>> round(float(separative_work(0.00711, 0.035, 0.003, 7.78589, 1.0, 6.78589)), 4)
    4.3394
    """
    return product * value(x_product) + tails * value(x_tails) - feed * value(x_feed)


def value_function(assay: Assay) -> np.ndarray | float:
    """Value function of a typed assay (U-235 mass fraction) [1].

    Raises :class:`~enrichwatch.errors.InputTypeError` (a ``TypeError``) if ``assay`` is not an
    :class:`~enrichwatch.composition.Assay`.

    >>> round(value_function(Assay.from_weight_percent(0.711)), 6)
    4.868883
    """
    out = value(require_assay(assay, "assay").mass_fraction)
    return float(out) if np.ndim(out) == 0 else out


def _amount(value_, name: str) -> np.ndarray | None:
    if value_ is None:
        return None
    arr = np.asarray(as_magnitude(value_, name, "kg"), dtype=float)
    if arr.size and not (arr.min() >= 0.0 and np.isfinite(arr.max())):   # nan fails both
        bad = arr[~np.isfinite(arr) | (arr < 0.0)].ravel()[0] if arr.ndim else float(arr)
        raise MassError(name, float(bad), "a finite amount >= 0 (kg U, or kg-SWU for swu_kg)")
    return arr


def _check_order(feed: np.ndarray, product: np.ndarray, tails: np.ndarray | None) -> None:
    """Raise an :class:`AssayError` carrying the feed's assay as its ``bound`` (an
    :class:`~enrichwatch.errors.AssayBound` in mass fractions) for the first element with the
    product not above the feed or the tails not below it."""
    _check_side("product", product, feed, product <= feed, "above feed", "above")
    if tails is not None:
        _check_side("tails", tails, feed, tails >= feed, "below feed", "below")


def _check_side(param: str, assay: np.ndarray, feed: np.ndarray, bad, kind: BoundKind,
                side: str) -> None:
    bad = np.asarray(bad)   # already of the broadcast shape
    if not bad.any():
        return
    value = float(np.broadcast_to(assay, bad.shape)[bad][0])
    x = float(np.broadcast_to(feed, bad.shape)[bad][0])   # the feed of that same element
    raise AssayError(param, value, f"a U-235 mass fraction {side} the feed's {x:.6g} "
                                   f"({100 * x:.6g} wt%)",
                     bound=AssayBound(kind, x, "mass"))


@dataclass(frozen=True, kw_only=True)
class BinaryEnrichment:
    """Result of a binary enrichment balance; every amount broadcast to a common shape.

    Attributes
    ----------
    feed, product, tails : Assay
        U-235 assays of the three streams.
    feed_kg, product_kg, tails_kg : ndarray or float
        Masses [kg U].
    swu_kg : ndarray or float
        Separative work [kg-SWU].
    """

    feed: Assay
    product: Assay
    tails: Assay
    feed_kg: np.ndarray | float
    product_kg: np.ndarray | float
    tails_kg: np.ndarray | float
    swu_kg: np.ndarray | float

    def as_dict(self) -> dict:
        """Plain-Python dictionary (lists for arrays): assays in weight percent U-235
        (``*_assay_wt_pct``, the command line's keys), masses in kg U, work in kg-SWU."""
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else float(v)
        return {
            "feed_assay_wt_pct": plain(np.asarray(self.feed.weight_percent)),
            "product_assay_wt_pct": plain(np.asarray(self.product.weight_percent)),
            "tails_assay_wt_pct": plain(np.asarray(self.tails.weight_percent)),
            **{k: plain(getattr(self, k)) for k in _AMOUNTS},
        }

    def __repr__(self) -> str:
        def fmt(v):
            return f"{v:.6g}" if np.ndim(v) == 0 else np.array2string(np.asarray(v), precision=6,
                                                                      threshold=4)
        return (f"BinaryEnrichment(feed {fmt(self.feed_kg)} kg U at {self.feed!r}, "
                f"product {fmt(self.product_kg)} kg U at {self.product!r}, "
                f"tails {fmt(self.tails_kg)} kg U at {self.tails!r}, "
                f"{fmt(self.swu_kg)} kg-SWU)")


def _per_product(xf, xp, xw):
    """Feed, tails and SWU per kg product for raw fractions (small arrays; allocates)."""
    feed = (xp - xw) / (xf - xw)
    tails = feed - 1.0
    swu = value(xp) + tails * value(xw) - feed * value(xf)
    return feed, tails, swu


def _split(xf: np.ndarray, xp: np.ndarray, xw: np.ndarray, shape: tuple) -> tuple:
    """Feed, tails and SWU per kg product as fresh arrays of ``shape``; V once per stream.

    Same operations, in the same order, as :func:`_per_product` (so the same bits), but the
    value function is evaluated once per stream in its own shape and every intermediate
    lives in one of two scratch buffers.
    """
    feed, scratch, spare = np.empty(shape), np.empty(shape), np.empty(shape)
    np.subtract(xp, xw, out=feed)
    np.subtract(xf, xw, out=scratch)
    np.divide(feed, scratch, out=feed)
    tails, swu = np.empty(shape), np.empty(shape)
    np.subtract(feed, 1.0, out=tails)
    np.multiply(tails, _half_value_in(xw, shape, spare, scratch), out=swu)
    np.add(_half_value_in(xp, shape, spare, scratch), swu, out=swu)
    np.multiply(feed, _half_value_in(xf, shape, spare, scratch), out=spare)
    np.subtract(swu, spare, out=swu)
    swu *= 2.0   # V = 2 (x - 1/2) ln(x / (1 - x)); the factor 2 is exact
    return feed, tails, swu


def _half_value_in(x: np.ndarray, shape: tuple, out: np.ndarray, scratch: np.ndarray):
    """V(x)/2 in ``out`` if ``x`` fills ``shape``, else in small arrays of ``x``'s shape."""
    if x.shape == shape:
        return _half_value(x, out, scratch)
    return _half_value(x, np.empty(x.shape), np.empty(x.shape))


def _finite(a: np.ndarray) -> bool:
    """True if every element is finite: min and max propagate nan and show +-inf (no temporary)."""
    return a.size == 0 or bool(np.isfinite(a.min()) and np.isfinite(a.max()))


def _result(feed, product, xw, given):
    """The enrichment at tails assay ``xw`` with one amount of ``given`` setting the scale."""
    xf, xp = feed._mass_fraction, product._mass_fraction
    shape = np.broadcast_shapes(xf.shape, xp.shape, np.shape(xw),
                                *(np.shape(v) for v in given.values()))
    f_kg, t_kg, s_kg = _split(xf, xp, np.asarray(xw), shape)
    with np.errstate(over="ignore", invalid="ignore"):
        p = _product_from(f_kg, t_kg, s_kg, given)
        for a in (f_kg, t_kg, s_kg):
            np.multiply(a, p, out=a)
    if "product_kg" in given or np.shape(p) != shape:   # the caller's array stays theirs
        p = np.array(np.broadcast_to(p, shape))
    if not all(_finite(a) for a in (f_kg, p, t_kg, s_kg)):
        raise MassError("amounts", "too large", "amounts small enough that feed, product, "
                                                "tails and separative work stay finite")
    return BinaryEnrichment(feed=feed, product=product, tails=Assay(np.asarray(xw)),
                            feed_kg=_out(f_kg), product_kg=_out(p), tails_kg=_out(t_kg),
                            swu_kg=_out(s_kg))


def _out(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


def _product_from(f_per, t_per, s_per, given):
    """Product mass implied by the one amount in ``given``, from the per-product amounts."""
    if "product_kg" in given:
        return given["product_kg"]
    if "feed_kg" in given:
        return given["feed_kg"] / f_per
    if "tails_kg" in given:
        return given["tails_kg"] / t_per
    return given["swu_kg"] / s_per


def enrich(feed: Assay, product: Assay, tails: Assay | None = None, *, feed_kg=None,
           product_kg=None, tails_kg=None, swu_kg=None) -> BinaryEnrichment:
    """Solve a binary enrichment for its unknowns.

    Give the feed and product assays and either
    (a) the tails assay and exactly one of ``feed_kg``, ``product_kg``, ``tails_kg``, ``swu_kg``, or
    (b) no tails assay and exactly two of them, from which the tails assay is solved.
    All inputs broadcast (numpy arrays welcome). With a tails assay the value function is
    evaluated once per stream (three times per element).

    Parameters
    ----------
    feed, product : Assay
        U-235 assays; ``product`` must exceed ``feed``.
    tails : Assay, optional
        U-235 tails assay, below ``feed``.
    feed_kg, product_kg, tails_kg : array_like or pint Quantity, optional
        Masses [kg U], >= 0; a quantity is converted to kg (25000 g is 25 kg).
    swu_kg : array_like or pint Quantity, optional
        Separative work [kg-SWU], >= 0; a quantity is converted to kg (kg-SWU is a mass).

    Returns
    -------
    BinaryEnrichment
        Amounts are fresh arrays (floats for scalar input), never views of the input.

    Raises
    ------
    AssayError
        Tails not below feed, or product not above feed; its ``bound`` (an
        :class:`~enrichwatch.errors.AssayBound`) holds the feed's mass fraction.
    InputError
        Not the right number of amounts given.
    InputTypeError
        An assay that is not an :class:`~enrichwatch.composition.Assay` (a ``TypeError``);
        :class:`~enrichwatch.errors.UnitError`, a subclass, for a quantity that is not a mass.

    Examples
    --------
    >>> a = Assay.from_weight_percent
    >>> r = enrich(a(0.711), a(90.0), a(0.3), product_kg=25.0)
    >>> round(r.swu_kg, 2)
    4823.44
    >>> r = enrich(a(0.711), a(90.0), feed_kg=5456.204, product_kg=25.0)
    >>> round(r.tails.weight_percent, 4)
    0.3
    """
    feed, product = require_assay(feed, "feed"), require_assay(product, "product")
    tails = None if tails is None else require_assay(tails, "tails")
    _check_order(feed._mass_fraction, product._mass_fraction,
                 None if tails is None else tails._mass_fraction)
    given = {k: _amount(v, k) for k, v in zip(_AMOUNTS, (feed_kg, product_kg, tails_kg, swu_kg),
                                              strict=True) if v is not None}
    needed = 1 if tails is not None else 2
    if len(given) != needed:
        raise InputError("amounts", sorted(given) or "none",
                         f"exactly {needed} of {', '.join(_AMOUNTS)} "
                         + ("with a tails assay" if tails is not None else "without a tails assay"))
    if tails is not None:
        return _result(feed, product, tails._mass_fraction, given)
    xw = _solve_tails(feed, product, given)
    return _result(feed, product, xw, _one_of(given))


def _one_of(given: dict) -> dict:
    """The amount that sets the scale once the tails assay is solved from two of them."""
    for key in ("product_kg", "feed_kg", "tails_kg", "swu_kg"):
        if key in given:
            return {key: given[key]}
    raise AssertionError("unreachable: two amounts were given")


def _solve_tails(feed, product, given) -> np.ndarray:
    xf, xp = feed._mass_fraction, product._mass_fraction
    masses = [k for k in ("feed_kg", "product_kg", "tails_kg") if k in given]
    if len(masses) == 2:
        f, p, w = _three_masses(given)
        if np.any(p <= 0.0):
            raise MassError("product_kg", _plain(p), "a product > 0 to solve for the tails assay")
        if np.any(w <= 0.0):
            raise MassError("feed_kg", _plain(f),
                            "a feed larger than the product (the tails must be positive)")
        xw = (f * xf - p * xp) / w
        if np.any(xw <= 0.0):
            raise MassError("feed_kg", _plain(f), "a feed large enough for a positive tails assay")
        return xw
    return _bisect_tails(xf, xp, masses[0], given[masses[0]], given["swu_kg"])


def _plain(value):
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _three_masses(given):
    f, p, w = (given.get(k) for k in ("feed_kg", "product_kg", "tails_kg"))
    if f is None:
        f = p + w
    elif p is None:
        p = f - w
    else:
        w = f - p
    return f, p, w


def _bisect_tails(xf, xp, mass_name, mass, swu, iterations: int = 80) -> np.ndarray:
    """Tails assay at which the given mass needs exactly ``swu`` (SWU falls as tails rise)."""
    lo = np.full(np.broadcast(xf, xp, mass, swu).shape, -30.0)   # log-odds of tails assay
    hi = np.broadcast_to(np.log(xf / (1.0 - xf)), lo.shape).copy()
    per_mass = {"feed_kg": 0, "product_kg": None, "tails_kg": 1}[mass_name]
    v_f, v_p = value(xf), value(xp)   # fixed: only the tails value changes between steps
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        xw = 1.0 / (1.0 + np.exp(-mid))
        f_per = (xp - xw) / (xf - xw)
        t_per = f_per - 1.0
        s_per = v_p + t_per * value(xw) - f_per * v_f   # as _per_product, term for term
        p = mass if per_mass is None else mass / (f_per, t_per)[per_mass]
        too_much = p * s_per > swu
        lo = np.where(too_much, mid, lo)
        hi = np.where(too_much, hi, mid)
    xw = 1.0 / (1.0 + np.exp(-0.5 * (lo + hi)))
    if np.any(lo <= -29.0):
        raise InputError("swu_kg", swu,
                         "a separative work reachable with a tails assay above 1e-13")
    return xw


def reachable_product(feed: Assay, product: Assay, tails: Assay, swu_kg, feed_kg=None):
    """Product [kg U] that a separative-work budget (and optionally a feed budget) yields.

    Parameters
    ----------
    feed, product, tails : Assay
        U-235 assays, tails < feed < product.
    swu_kg : array_like or pint Quantity
        Separative work available [kg-SWU], >= 0; a quantity is converted to kg.
    feed_kg : array_like or pint Quantity, optional
        Feed available [kg U], >= 0; a quantity is converted to kg.

    Returns
    -------
    float or ndarray
        Product [kg U].

    Examples
    --------
    >>> a = Assay.from_weight_percent
    >>> round(reachable_product(a(0.711), a(90.0), a(0.3), 4823.44), 3)
    25.0
    """
    feed, product = require_assay(feed, "feed"), require_assay(product, "product")
    tails = require_assay(tails, "tails")
    _check_order(feed._mass_fraction, product._mass_fraction, tails._mass_fraction)
    swu = _amount(swu_kg, "swu_kg")
    f_per, _, s_per = _per_product(feed._mass_fraction, product._mass_fraction,
                                   tails._mass_fraction)
    p = swu / s_per
    if feed_kg is not None:
        p = np.minimum(p, _amount(feed_kg, "feed_kg") / f_per)
    return float(p) if np.ndim(p) == 0 else p


def optimal_tails(feed: Assay, feed_price, swu_price) -> Assay:
    """Tails assay that minimises the cost per kg of product.

    The optimum solves ``c_F / c_S = V(x_F) - V(x_W) - (x_F - x_W) V'(x_W)`` and does not
    depend on the product assay.

    Parameters
    ----------
    feed : Assay
        Feed assay.
    feed_price : array_like or pint Quantity
        Price of feed [currency per kg U], > 0.
    swu_price : array_like or pint Quantity
        Price of separative work [currency per kg-SWU], > 0. Only the ratio of the prices
        counts: give both as plain numbers, or both as quantities (``swu_price`` is converted to
        the units of ``feed_price``; a currency must be defined in the registry).

    Examples
    --------
    >>> round(optimal_tails(Assay.from_weight_percent(0.711), 100.0, 150.0).weight_percent, 3)
    0.271
    """
    feed_price, swu_price = in_common_unit(feed_price, swu_price, ("feed_price", "swu_price"))
    ratio = _positive(feed_price, "feed_price") / _positive(swu_price, "swu_price")
    xf = require_assay(feed, "feed")._mass_fraction
    lo = np.full(np.broadcast(xf, ratio).shape, -30.0)
    hi = np.broadcast_to(np.log(xf / (1.0 - xf)), lo.shape).copy()
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        xw = 1.0 / (1.0 + np.exp(-mid))
        g = value(xf) - value(xw) - (xf - xw) * value_derivative(xw)   # falls as xw rises
        lo = np.where(g > ratio, mid, lo)
        hi = np.where(g > ratio, hi, mid)
    return Assay(1.0 / (1.0 + np.exp(-0.5 * (lo + hi))))


def _positive(value_, name: str) -> np.ndarray:
    arr = np.asarray(value_, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0.0):
        raise InputError(name, value_, "a finite price > 0")
    return arr
