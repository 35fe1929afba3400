"""MUF, CUMUF and the MUF covariance.

MUF (material unaccounted for) of a balance period is book minus physical inventory::

    MUF_k = PB_k + X_k - Y_k - PE_k        (IAEA sign: positive = apparent loss)

with PB the beginning inventory, X the inputs, Y the outputs and PE the ending (physical)
inventory; CUMUF is the running sum. (The UK HSE convention, physical minus book, has the
opposite sign: do not mix.)

The covariance of the MUF sequence comes from the measurement model by linear propagation,
``Sigma = A Cov(x) A^T`` over every measured record x (:func:`muf_covariance`). Three named
conventions are offered, because users meet all three:

``"exact"``
    The full matrix: random errors of every record, systematic errors shared within a
    calibration period (off-diagonal terms between balances), and the inventory shared by two
    consecutive balances (negative lag-1 terms and the ``-2 C_k C_k-1 rsd_s^2`` term on the
    diagonal). This is the one the statistics use.
``"mapit"``
    What MAPIT's SEMUF reports: per balance, the sum over terms (each point's period total,
    beginning and ending inventories) of ``value^2 (rsd_r^2 + rsd_s^2)``, no covariance
    between terms or balances (so no inventory covariance), and the beginning inventory of the
    first balance left out. Diagonal.
``"rss"``
    Root-sum-square per balance: as ``"mapit"`` but with the first beginning inventory counted.
    Diagonal.

Examples
--------
>>> float(muf_from_terms(1000, 500, 300, 1195))
5.0
>>> cumuf([1.0, -1.0, 1.0, 0.0]).tolist()
[1.0, 0.0, 1.0, 1.0]
>>> round(rss_sigma(10, 5, 3, 12), 9)
16.673332001
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import InputError
from .balance import BalanceDesign, BalancePeriods, MaterialBalanceArea, Quantity, balance_design
from .measurement import ErrorStructure, MeasurementModel, error_structure

__all__ = [
    "CONVENTIONS",
    "MaterialBalance",
    "MufCovariance",
    "cumuf",
    "material_balance",
    "muf_covariance",
    "muf_from_terms",
    "rss_sigma",
]

Convention = Literal["exact", "mapit", "rss"]
#: Names of the sigma-MUF conventions (see the module docstring).
CONVENTIONS: tuple[str, ...] = ("exact", "mapit", "rss")


def muf_from_terms(beginning, inputs, outputs, ending) -> np.ndarray:
    """MUF = beginning + inputs - outputs - ending [kg] (element-wise; positive = loss)."""
    return (np.asarray(beginning, float) + np.asarray(inputs, float)
            - np.asarray(outputs, float) - np.asarray(ending, float))


def cumuf(muf) -> np.ndarray:
    """Running sum of MUF over the last axis [kg]."""
    return np.cumsum(np.asarray(muf, float), axis=-1)


def rss_sigma(*sigmas: float) -> float:
    """Root-sum-square of independent absolute standard deviations (SG-MUF-002)."""
    return float(np.sqrt(np.sum(np.square(np.asarray(sigmas, float)))))


@dataclass(frozen=True, eq=False)
class MaterialBalance:
    """The balance sequence of an area over its periods [kg of ``quantity``].

    ``beginning``, ``inputs``, ``outputs``, ``ending`` have one value per period; ``book`` =
    beginning + inputs - outputs, ``physical`` = ending, ``muf`` = book - physical,
    ``point_terms[name]`` the signed contribution of each point to each MUF.
    """

    area: str
    periods: BalancePeriods
    quantity: Quantity
    beginning: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    ending: np.ndarray
    point_terms: Mapping[str, np.ndarray] = field(repr=False)

    @property
    def book(self) -> np.ndarray:
        return self.beginning + self.inputs - self.outputs

    @property
    def physical(self) -> np.ndarray:
        return self.ending

    @property
    def muf(self) -> np.ndarray:
        return muf_from_terms(self.beginning, self.inputs, self.outputs, self.ending)

    @property
    def cumuf(self) -> np.ndarray:
        return cumuf(self.muf)

    def __repr__(self) -> str:
        m = np.array2string(self.muf, precision=4, threshold=8)
        return (f"MaterialBalance({self.area!r}, {self.quantity}, {self.periods.count} periods: "
                f"MUF {m} kg)")


def material_balance(area: MaterialBalanceArea, periods: BalancePeriods,
                     quantity: Quantity = "U") -> MaterialBalance:
    """MUF, CUMUF and the terms of every balance of ``area`` over ``periods``.

    Examples
    --------
    >>> from enrichwatch.accountancy.balance import Items, MeasurementPoint
    >>> feed = MeasurementPoint("feed", "input", Items.from_weight_percent([10], [100], 0.711))
    >>> store = MeasurementPoint("store", "inventory",
    ...                          Items.from_weight_percent([0, 10, 20], [0, 0, 0], 0.711))
    >>> area = MaterialBalanceArea("boundary", (feed, store))
    >>> material_balance(area, BalancePeriods.regular(0, 10, 2)).muf.tolist()
    [100.0, 0.0]
    """
    d = balance_design(area, periods, quantity)
    terms = d.point_terms()
    begin, end = d.inventory_terms()
    roles = np.array(d.roles)
    return MaterialBalance(
        area.name, periods, quantity, beginning=begin.sum(axis=0),
        inputs=terms[roles == "input"].sum(axis=0),
        outputs=-terms[roles == "output"].sum(axis=0), ending=end.sum(axis=0),
        point_terms={n: terms[i] for i, n in enumerate(d.names)})


# -- covariance --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MufCovariance:
    """Covariance of the MUF sequence [kg^2] in a named convention.

    ``matrix = random + systematic``. ``contributions[name] = (random, systematic)``: each
    point's (random) and each owner's (systematic: an instrument, or the point) variance
    contribution to every balance [kg^2], summing to the diagonal of ``matrix``.
    ``systematic_loadings`` (K, G): MUF error = random part + loadings @ z, z ~ N(0, I_G) (exact
    convention only; empty otherwise).
    """

    convention: Convention
    quantity: Quantity
    matrix: np.ndarray
    random: np.ndarray
    systematic: np.ndarray
    contributions: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)
    systematic_loadings: np.ndarray = field(repr=False)
    groups: tuple[tuple[str, str, int], ...] = field(repr=False, default=())

    @property
    def sigma_muf(self) -> np.ndarray:
        """sigma-MUF of each balance [kg]."""
        return np.sqrt(np.diag(self.matrix))

    def sigma_cumuf(self) -> np.ndarray:
        """sigma of CUMUF after each balance [kg] (uses the off-diagonal terms)."""
        c = np.cumsum(np.cumsum(self.matrix, axis=0), axis=1)
        return np.sqrt(np.diag(c))

    def __repr__(self) -> str:
        s = np.array2string(self.sigma_muf, precision=4, threshold=8)
        return f"MufCovariance({self.convention}, {self.quantity}: sigma-MUF {s} kg)"


def _exact(d: BalanceDesign, e: ErrorStructure) -> tuple:
    a = d.coef * d.values                                          # (K, J) kg per unit error
    random = (a * e.random_var) @ a.T
    loadings = np.asarray((e.loadings.T @ a.T).T)                  # (K, G)
    systematic = loadings @ loadings.T
    contrib: dict[str, list[np.ndarray]] = {}
    rand_by_point = np.zeros((len(d.names), d.periods.count))
    np.add.at(rand_by_point, d.point_index, (a**2 * e.random_var).T)
    for i, name in enumerate(d.names):
        contrib[name] = [rand_by_point[i], np.zeros(d.periods.count)]
    for g, (owner, _, _) in enumerate(e.groups):
        contrib.setdefault(owner, [np.zeros(d.periods.count), np.zeros(d.periods.count)])
        contrib[owner][1] = contrib[owner][1] + loadings[:, g] ** 2
    return random, systematic, {k: (v[0], v[1]) for k, v in contrib.items()}, loadings


def _term_variances(d: BalanceDesign, model: MeasurementModel, first_beginning: bool) -> tuple:
    """Diagonal conventions: per point, sum of term^2 x (rsd_r^2 + rsd_s^2) per balance."""
    terms = np.abs(d.point_terms())
    begin, end = d.inventory_terms()
    if not first_beginning:
        begin[:, 0] = 0.0
    contrib = {}
    random, systematic = np.zeros(d.periods.count), np.zeros(d.periods.count)
    for i, name in enumerate(d.names):
        parts = model.points[name].parts(d.quantity, f"{model.key}.{name}")
        vr = sum(u.random_rsd**2 for _, u in parts)
        vs = sum(u.systematic_rsd**2 for _, u in parts)
        sq = begin[i] ** 2 + end[i] ** 2 if d.roles[i] == "inventory" else terms[i] ** 2
        contrib[name] = (sq * vr, sq * vs)
        random, systematic = random + sq * vr, systematic + sq * vs
    return np.diag(random), np.diag(systematic), contrib


def muf_covariance(area: MaterialBalanceArea | BalanceDesign, model: MeasurementModel,
                   periods: BalancePeriods | None = None, quantity: Quantity = "U", *,
                   convention: Convention = "exact") -> MufCovariance:
    """Covariance of the MUF sequence by linear propagation of the measurement errors.

    Parameters
    ----------
    area : MaterialBalanceArea or BalanceDesign
        The area (then ``periods`` and ``quantity`` are needed) or a prepared design.
    model : MeasurementModel
    periods : BalancePeriods, optional
    quantity : {'U', 'U235'}
    convention : {'exact', 'mapit', 'rss'}
        See the module docstring.

    Returns
    -------
    MufCovariance
    """
    if convention not in CONVENTIONS:
        raise InputError("convention", convention, f"one of {', '.join(CONVENTIONS)}")
    if isinstance(area, BalanceDesign):
        d = area
    else:
        if periods is None:
            raise InputError("periods", None, "the balance periods")
        d = balance_design(area, periods, quantity)
    if convention == "exact":
        e = error_structure(d, model)
        random, systematic, contrib, loadings = _exact(d, e)
        groups = e.groups
    else:
        model.check(d.names)
        random, systematic, contrib = _term_variances(d, model, convention == "rss")
        loadings, groups = np.zeros((d.periods.count, 0)), ()
    for arr in (random, systematic, loadings):
        arr.setflags(write=False)
    matrix = random + systematic
    matrix.setflags(write=False)
    return MufCovariance(convention, d.quantity, matrix, random, systematic, contrib, loadings,
                         groups)
