"""What a configuration can produce: the withdrawal rate that yields a given assay, and the
time to one significant quantity of weapon-grade uranium.

A built network can trade amount for assay: withdrawing its product more slowly raises the
product assay (the cascades then run closer to total reflux). These functions solve the
network with the product withdrawal rate imposed
(:meth:`Network.solve(withdrawal_rates=...) <enrichwatch.physics.network.Network.solve>`,
whose model shifts the owning cascade's cuts together) and find the rate at which the product
reaches a target assay.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Network
>>> leu = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})
>>> c = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(60.0),
...                    Assay.from_weight_percent(5.0), total_machines=166, name="B")
>>> net = Network([c], feeds=[ExternalFeed("feed", "B", leu, c.design.feed_kg_per_yr)])
>>> r = rate_for_assay(net, "B.product", Assay.from_weight_percent(90.0))
>>> r is not None and r.rate_kg_per_yr < net.solve().withdrawals["B.product"].rate_kg_per_yr
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..composition import Assay, require_assay
from ..constants import MONTHS_PER_YEAR, SQ_HEU_U235_KG, WEAPON_GRADE_ASSAY
from ..errors import ConfigurationError, ConvergenceError

__all__ = ["RateAtAssay", "max_assay", "months_to_one_sq", "rate_for_assay"]

_SMALLEST_SHARE = 1e-4   # slowest withdrawal tried, as a share of the total feed


@dataclass(frozen=True)
class RateAtAssay:
    """A product withdrawal rate [kg U/yr] at which the product has the target assay."""

    withdrawal: str
    assay: Assay
    rate_kg_per_yr: float

    @property
    def rate_kg_per_month(self) -> float:
        return self.rate_kg_per_yr / MONTHS_PER_YEAR

    @property
    def months_to_significant_quantity(self) -> float:
        """Months to withdraw 25 kg U-235 (one IAEA significant quantity of HEU) at this rate."""
        u235_per_month = self.rate_kg_per_month * float(self.assay.mass_fraction)
        return SQ_HEU_U235_KG / u235_per_month


def _assay_at(network, withdrawal: str, rate: float) -> float:
    stream = network.solve({withdrawal: rate}).withdrawals[withdrawal]
    return float(stream.composition.fraction("U235"))


def _logit(x: float) -> float:
    return float(np.log(x / (1.0 - x)))


def _check_product(network, withdrawal: str) -> float:
    if withdrawal not in network.withdrawal_names or not withdrawal.endswith(".product"):
        products = [w for w in network.withdrawal_names if w.endswith(".product")]
        raise ConfigurationError("withdrawal", withdrawal, f"a product withdrawal: {products}")
    return sum(f.rate_kg_per_yr for f in network.feeds)


def max_assay(network, withdrawal: str) -> Assay:
    """Highest U-235 assay the product withdrawal reaches: at the slowest withdrawal tried
    (1e-4 of the total feed), close to total reflux."""
    feed = _check_product(network, withdrawal)
    lo = _slowest_feasible(network, withdrawal, feed)
    if lo is None:
        raise ConvergenceError(f"slow withdrawal of {withdrawal}",
                               "no slow withdrawal rate could be solved")
    return Assay(np.asarray(_assay_at(network, withdrawal, float(np.exp(lo)))))


def rate_for_assay(network, withdrawal: str, assay: Assay) -> RateAtAssay | None:
    """Withdrawal rate at which a product withdrawal has ``assay`` (None if it cannot reach it).

    Parameters
    ----------
    network : Network
    withdrawal : str
        A product withdrawal name (``"<cascade>.product"``).
    assay : Assay
        Target U-235 assay; anything else raises :class:`~enrichwatch.errors.InputTypeError`
        (a ``TypeError``) naming ``assay``.
    """
    assay = require_assay(assay, "assay")
    feed = _check_product(network, withdrawal)
    target = _logit(float(assay.mass_fraction))

    def gap(log_rate: float) -> float:
        return _logit(_assay_at(network, withdrawal, float(np.exp(log_rate)))) - target

    lo = _slowest_feasible(network, withdrawal, feed)
    if lo is None or gap(lo) < 0.0:
        return None
    hi = np.log(network.solve().withdrawals[withdrawal].rate_kg_per_yr)
    while gap(hi) >= 0.0:                 # the natural rate already reaches it: go faster
        lo, hi = hi, hi + np.log(1.5)
        if not _feasible(network, withdrawal, float(np.exp(hi))):
            return RateAtAssay(withdrawal, assay, float(np.exp(lo)))
    try:
        log_rate = brentq(gap, lo, hi, xtol=1e-10, rtol=1e-10)
    except (ValueError, RuntimeError) as err:      # pragma: no cover - brentq on a bracket
        raise ConvergenceError(f"rate for {withdrawal}", str(err)) from err
    return RateAtAssay(withdrawal, assay, float(np.exp(log_rate)))


def _slowest_feasible(network, withdrawal: str, feed: float) -> float | None:
    """Log of the slowest withdrawal rate, from 1e-4 of the feed up, that the solver can run
    (close to total reflux a closed recycle loop can defeat it); None if none can."""
    for share in (_SMALLEST_SHARE, 1e-3, 1e-2, 3e-2):
        if _feasible(network, withdrawal, share * feed):
            return float(np.log(share * feed))
    return None


def _feasible(network, withdrawal: str, rate: float) -> bool:
    """Can the withdrawal be run at ``rate`` (its cascade's cuts can deliver it)?"""
    try:
        network.solve({withdrawal: rate})
    except (ConvergenceError, ValueError):
        return False
    return True


_WEAPON_GRADE = Assay(np.asarray(WEAPON_GRADE_ASSAY))


def months_to_one_sq(network, withdrawal: str, assay: Assay = _WEAPON_GRADE) -> float:
    """Months for ``withdrawal`` to yield one significant quantity (25 kg U-235) of uranium at
    ``assay`` (default 90 %), withdrawing at the rate that gives that assay; ``inf`` if the
    configuration cannot reach it."""
    found = rate_for_assay(network, withdrawal, assay)
    return float("inf") if found is None else found.months_to_significant_quantity
