"""Two configurations compared at the same operating point, and each at its own design cuts.

Run at their design cuts, two pipings of the same cascades withdraw their product at different
rates, and a slower withdrawal alone raises the product assay. Comparing the two steady states
mixes what the piping does with what the withdrawal rate does. :func:`compare_at_equal_withdrawal`
separates them: both networks get the same external feeds (the first's) and the second is also
solved with the first's product withdrawal rate imposed (and the first with the second's).

With ``x1``, ``x2`` the product assays at the design cuts and ``x2(r1)`` the second's assay at
the first's design withdrawal rate::

    total           = x2 - x1
    piping          = x2(r1) - x1     (same feed, same withdrawal rate: only the piping differs)
    operating point = x2 - x2(r1)     (the rest: the second withdraws at another rate)

``piping_at_second_rate = x2 - x1(r2)`` gives the piping's share measured at the other rate.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.cascade import design_cascade
>>> from enrichwatch.physics.machines import load_catalog
>>> from enrichwatch.physics.network import ExternalFeed, Link, Network
>>> ir6, W = load_catalog().get("IR-6"), Assay.from_weight_percent
>>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
>>> a = design_cascade(ir6, leu, W(20.0), W(2.5), total_machines=166, name="A")
>>> b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
...                    W(50.0), W(5.0), total_machines=166, name="B")
>>> feeds = [ExternalFeed("feed", "A", leu, 1480.0)]
>>> one = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feeds)
>>> two = Network([a, b], [Link("A", "product", "B", stage=7), Link("B", "tails", "A")], feeds)
>>> c = compare_at_equal_withdrawal(one, two, "B.product")
>>> abs(c.piping_wt_pct) < abs(c.operating_point_wt_pct)
True
>>> round(c.piping_wt_pct + c.operating_point_wt_pct - c.total_wt_pct, 12)
0.0
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigurationError, ConvergenceError, UnknownNameError
from .network import Network, NetworkState

__all__ = ["EqualWithdrawal", "compare_at_equal_withdrawal", "with_feeds_of"]


@dataclass(frozen=True)
class EqualWithdrawal:
    """Product assays of two configurations at their design cuts and at each other's withdrawal
    rate (same external feeds). Rates in kg U/yr, assays in wt% U-235; an assay is None when
    that rate cannot be run (the cuts cannot deliver it)."""

    withdrawal: str
    first_rate_kg_per_yr: float
    first_assay_wt_pct: float
    second_rate_kg_per_yr: float
    second_assay_wt_pct: float
    second_at_first_rate_wt_pct: float | None
    first_at_second_rate_wt_pct: float | None
    same_feeds: bool

    @property
    def total_wt_pct(self) -> float:
        """Second less first, each at its design cuts [percentage points]."""
        return self.second_assay_wt_pct - self.first_assay_wt_pct

    @property
    def piping_wt_pct(self) -> float | None:
        """Second less first at the same feed and the first's withdrawal rate [pp]."""
        x = self.second_at_first_rate_wt_pct
        return None if x is None else x - self.first_assay_wt_pct

    @property
    def operating_point_wt_pct(self) -> float | None:
        """The rest of the total: the second's own withdrawal rate against the first's [pp]."""
        x = self.second_at_first_rate_wt_pct
        return None if x is None else self.second_assay_wt_pct - x

    @property
    def piping_at_second_rate_wt_pct(self) -> float | None:
        """Second less first at the second's design withdrawal rate [pp]."""
        x = self.first_at_second_rate_wt_pct
        return None if x is None else self.second_assay_wt_pct - x


def with_feeds_of(network: Network, source: Network) -> tuple[Network, bool]:
    """``network`` fed with the external feeds of ``source`` (if every feed's target cascade
    exists in it), and whether that was done. A network whose feeds already equal the source's
    (exactly: same names, targets, stages, rates and isotopics) is returned itself, not rebuilt,
    so the steady states a memoising network keeps serve its solves too."""
    if tuple(network.feeds) == tuple(source.feeds):
        return network, True
    if all(f.target in network.cascades for f in source.feeds):
        try:
            return Network(network.cascades.values(), network.links, source.feeds), True
        except ConfigurationError:
            pass
    return network, False


def _product(state: NetworkState, withdrawal: str) -> tuple[float, float]:
    stream = state.withdrawals[withdrawal]
    return stream.rate_kg_per_yr, float(stream.assay.weight_percent)


def _try(network: Network, withdrawal: str, rate: float, design: NetworkState) -> float | None:
    """The withdrawal's assay with ``rate`` imposed, solved from the network's ``design`` state
    (a warm start: same convergence tests as a cold start); None if the rate cannot be run."""
    try:
        return _product(network.solve({withdrawal: rate}, start=design), withdrawal)[1]
    except (ConvergenceError, ValueError):
        return None


def compare_at_equal_withdrawal(first: Network, second: Network, withdrawal: str
                                ) -> EqualWithdrawal:
    """Compare two configurations at the same operating point and at their design cuts.

    Parameters
    ----------
    first, second : Network
        The configurations; the second is given the first's external feeds when it can take
        them (``same_feeds`` says whether it could).
    withdrawal : str
        The product withdrawal compared (present in both).

    Raises
    ------
    UnknownNameError
        ``withdrawal`` is not a withdrawal of both networks.
    """
    for net in (first, second):
        if withdrawal not in net.withdrawal_names:
            raise UnknownNameError("withdrawal", withdrawal,
                                   f"a withdrawal of both configurations {net.withdrawal_names}")
    second, same = with_feeds_of(second, first)
    design1, design2 = first.solve(), second.solve()
    (r1, x1), (r2, x2) = _product(design1, withdrawal), _product(design2, withdrawal)
    return EqualWithdrawal(withdrawal, r1, x1, r2, x2, _try(second, withdrawal, r1, design2),
                           _try(first, withdrawal, r2, design1), same)
