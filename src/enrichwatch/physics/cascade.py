"""Fixed ("actual") cascades: a given number of machines in each stage, run on or off design.

Stages are numbered from 0 at the tails end to ``S - 1`` at the product end; each stage's heads
feed the stage above and its tails the stage below. The feed rate and the stage cuts fix the
stage flows; the flow per machine sets each stage's separation through the machine model
(:meth:`Machine.gamma_235 <enrichwatch.physics.machines.Machine.gamma_235>`), and the stage
compositions follow for every isotope (:mod:`enrichwatch.physics.steady_state`).

Off design, a cascade can be fed another assay or rate, and a product or tails withdrawal rate
can be imposed: the stage cuts then shift together (their odds scale by one common factor), the
assumption stated in :meth:`FixedCascade.solve`.

Examples
--------
>>> from enrichwatch.composition import Assay, Composition
>>> from enrichwatch.physics.machines import load_catalog
>>> ir1 = load_catalog().get("IR-1")
>>> nat = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
>>> cascade = design_cascade(ir1, nat, Assay.from_weight_percent(3.67),
...                          Assay.from_weight_percent(0.4), feed_kg_per_yr=1500.0)
>>> state = cascade.solve(nat, 1500.0)
>>> 3.0 < state.product.assay.weight_percent < 4.5
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..composition import Assay, Composition, require_assay, require_composition
from ..errors import ConfigurationError, MassError
from ..units import as_float
from .machines import Machine
from .network import ExternalFeed, Network
from .separation import PerUnitMass, SeparationLaw
from .states import CascadeState

__all__ = ["CascadeDesign", "FixedCascade", "default_law", "design_cascade", "ideal_binary_profile"]


def default_law() -> SeparationLaw:
    """Stage separation law used when none is given: ln γ_k proportional to the mass
    difference from U-238 (the centrifuge's elementary effect grows with ΔM)."""
    return PerUnitMass(alpha=1.05)


@dataclass(frozen=True)
class CascadeDesign:
    """The point a cascade was designed for (kept for reference and for re-running it)."""

    feed: Composition
    feed_kg_per_yr: float
    product: Assay
    tails: Assay
    ideal_flows_kg_per_yr: tuple[float, ...]


@dataclass(frozen=True)
class FixedCascade:
    """A built cascade: machine type, machines per stage, feed stage and stage cuts.

    Parameters
    ----------
    machine : Machine
        Machine type of every stage.
    machines_per_stage : tuple of int
        Whole machines in each stage, tails end first; each >= 1.
    feed_stage : int
        Stage receiving the feed (0-based from the tails end).
    cuts : tuple of float, optional
        Design mass cut of each stage, in (0, 1); default the machine's design cut.
    law : separation law, optional
        Gives every isotope's stage factor from the U-235 one; default :func:`default_law`.
    name : str
        Name used in results and error messages.
    design : CascadeDesign, optional
        The design point, when the cascade came from :func:`design_cascade`.
    """

    machine: Machine
    machines_per_stage: tuple[int, ...]
    feed_stage: int
    cuts: tuple[float, ...] | None = None
    law: SeparationLaw = field(default_factory=default_law)
    name: str = "cascade"
    design: CascadeDesign | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        counts = tuple(self.machines_per_stage)
        if not counts or any(not isinstance(n, int | np.integer) or n < 1 for n in counts):
            raise ConfigurationError(f"{self.name}.machines_per_stage", self.machines_per_stage,
                                     "a non-empty sequence of whole numbers >= 1")
        object.__setattr__(self, "machines_per_stage", tuple(int(n) for n in counts))
        if not isinstance(self.feed_stage, int | np.integer) or not \
                0 <= self.feed_stage < len(counts):
            raise ConfigurationError(f"{self.name}.feed_stage", self.feed_stage,
                                     f"a stage from 0 to {len(counts) - 1}")
        if self.cuts is not None:
            cuts = tuple(float(c) for c in self.cuts)
            if len(cuts) != len(counts) or not all(0.0 < c < 1.0 for c in cuts):
                raise ConfigurationError(f"{self.name}.cuts", self.cuts,
                                         f"{len(counts)} cuts, each strictly between 0 and 1")
            object.__setattr__(self, "cuts", cuts)

    @property
    def n_stages(self) -> int:
        return len(self.machines_per_stage)

    @property
    def n_machines(self) -> int:
        return sum(self.machines_per_stage)

    @property
    def nominal_swu_kg_per_yr(self) -> float:
        """Rated separative power of all the machines [kg-SWU/yr]: machines x the machine's
        nominal rating (what they would deliver at their design point)."""
        return self.n_machines * self.machine.nominal_swu_per_yr

    @property
    def stage_cuts(self) -> np.ndarray:
        """Design cut of each stage [1]."""
        if self.cuts is None:
            return np.full(self.n_stages, float(self.machine.design_cut))
        return np.array(self.cuts)

    def stage_factors(self, isotopes, flows: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """Stage separation factors (S, K) relative to U-238 at the given stage flows."""
        per_machine = np.maximum(flows / np.array(self.machines_per_stage), 1e-12)
        gamma_235 = np.asarray(self.machine.gamma_235(per_machine, cuts))
        if not np.all(np.isfinite(gamma_235) & (gamma_235 > 1.0)):
            worst = float(per_machine[np.argmin(np.where(np.isfinite(gamma_235), gamma_235, 0))])
            raise MassError(f"{self.name} flow per machine", worst,
                            f"a flow at which a {self.machine.name} still separates (design "
                            f"{float(self.machine.design_feed_kg_per_yr):.4g} kg U/yr)")
        return np.asarray(self.law.stage_factors(tuple(isotopes), gamma_235))

    def solve(self, feed: Composition, feed_kg_per_yr: float, *,
              product_kg_per_yr: float | None = None,
              tails_kg_per_yr: float | None = None) -> CascadeState:
        """Steady state for a feed, optionally imposing the product or the tails rate.

        Parameters
        ----------
        feed : Composition
            Feed isotopics (any of U-232 to U-238).
        feed_kg_per_yr : float or pint Quantity
            Feed rate [kg U/yr], > 0; a quantity is converted to kg/yr (a month is 1/12 year).
        product_kg_per_yr, tails_kg_per_yr : float or pint Quantity, optional
            At most one withdrawal rate to impose [kg U/yr]. The stage cuts then shift
            together: every stage's cut odds θ/(1-θ) scale by one common factor until the rate
            is met (a modelling assumption for how the header pressures redistribute); without
            one, every stage runs at its design cut.

        Returns
        -------
        CascadeState

        Raises
        ------
        InputTypeError
            ``feed`` not a Composition, a rate not a number; :class:`~enrichwatch.errors.UnitError`
            for a quantity that is not a mass rate.
        """
        feed = require_composition(feed, "feed")
        feed_kg_per_yr = as_float(feed_kg_per_yr, "feed_kg_per_yr", "kg/yr")
        product_kg_per_yr = as_float(product_kg_per_yr, "product_kg_per_yr", "kg/yr",
                                     optional=True)
        tails_kg_per_yr = as_float(tails_kg_per_yr, "tails_kg_per_yr", "kg/yr", optional=True)
        if product_kg_per_yr is not None and tails_kg_per_yr is not None:
            raise ConfigurationError("tails_kg_per_yr", tails_kg_per_yr,
                                     "at most one of product_kg_per_yr and tails_kg_per_yr")
        if not np.isfinite(feed_kg_per_yr) or feed_kg_per_yr <= 0.0:
            raise MassError("feed_kg_per_yr", feed_kg_per_yr, "a finite feed rate > 0")
        rates = {}
        if product_kg_per_yr is not None:
            rates[f"{self.name}.product"] = product_kg_per_yr
        if tails_kg_per_yr is not None:
            rates[f"{self.name}.tails"] = tails_kg_per_yr
        network = Network([self], feeds=[ExternalFeed("feed", self.name, feed, feed_kg_per_yr)])
        return network.solve(rates).cascades[self.name]


# -- design --------------------------------------------------------------------------------
def _ratio(x):
    return x / (1.0 - x)


def ideal_binary_profile(x_feed: float, x_prod: float, x_tail: float, gamma: float):
    """Symmetric ideal (no-mixing) binary cascade for whole stage numbers.

    Stage feed abundance ratios are ``R_F a^(i - f)`` with heads factor ``a = sqrt(gamma)``;
    the enriching stages (feed stage included) number ``ceil(ln(R_P/R_F)/ln a)`` and the
    stripping ones ``ceil(ln(R_F/R_W)/ln a - 1)``, so the product overshoots and the tails
    undershoot their targets.

    Returns
    -------
    feed_stage : int
    assays : ndarray
        U-235 fraction of each stage's feed.
    heads_per_feed, tails_per_feed : ndarray
        Heads and tails flow of each stage per unit cascade feed [1].
    product_per_feed : float
    """
    a = np.sqrt(gamma)
    n_up = max(1, int(np.ceil(np.log(_ratio(x_prod) / _ratio(x_feed)) / np.log(a) - 1e-9)))
    f = max(0, int(np.ceil(np.log(_ratio(x_feed) / _ratio(x_tail)) / np.log(a) - 1.0 - 1e-9)))
    i = np.arange(n_up + f)
    r = _ratio(x_feed) * a ** (i - f)
    z, y, x = r / (1 + r), a * r / (1 + a * r), (r / a) / (1 + r / a)
    xp, xw = y[-1], x[0]
    p = (x_feed - xw) / (xp - xw)
    w = 1.0 - p
    heads, tails = np.empty(len(i)), np.empty(len(i))
    up, down = i >= f, i <= f
    heads[up] = p * (xp - z[up]) / (y[up] - z[up])
    tails[down] = w * (z[down] - xw) / (z[down] - x[down])
    for k in range(f - 1, -1, -1):
        heads[k] = tails[k + 1] - w
    for k in range(f + 1, len(i)):
        tails[k] = heads[k - 1] - p
    return f, z, heads, tails, p


def design_cascade(machine, feed: Composition, product: Assay, tails: Assay, *,
                   feed_kg_per_yr: float | None = None, total_machines: int | None = None,
                   law: SeparationLaw | None = None, name: str = "cascade") -> FixedCascade:
    """Design a fixed cascade: ideal stages for the targets, rounded to whole machines.

    The stage factor is the machine's at its design feed and cut; stage numbers and flows
    come from the symmetric ideal binary cascade on U-235/U-238 (:func:`ideal_binary_profile`),
    and each stage gets its ideal cut and its flow divided by the design feed per machine,
    rounded to whole machines (at least one) by largest remainders. The design treats the feed
    as U-235/U-238 only: with minor isotopes (U-234 is enriched even faster than U-235) the
    product's U-235 fraction can fall short of the target by a few parts in 10^4 (relative)
    instead of overshooting it, and rounding to whole machines moves the assays by a few percent.

    Parameters
    ----------
    machine : Machine
    feed : Composition
    product, tails : Assay
        Target assays (the integer-stage cascade overshoots the product).
    feed_kg_per_yr : float or pint Quantity, optional
        Design feed rate [kg U/yr]; a quantity is converted to kg/yr (a month is 1/12 year).
    total_machines : int, optional
        Size the cascade to this many machines instead (the design feed rate follows).
        Give exactly one of ``feed_kg_per_yr`` and ``total_machines``.
    law, name
        As in :class:`FixedCascade`.

    Raises
    ------
    InputTypeError
        ``feed`` not a Composition, ``product`` or ``tails`` not an Assay (a bare float);
        :class:`~enrichwatch.errors.UnitError` for a feed rate that is not a mass rate.

    Examples
    --------
    >>> from enrichwatch.physics.machines import load_catalog
    >>> leu = Composition.from_mass_percent({"U235": 5.0, "U238": 95.0})
    >>> c = design_cascade(load_catalog().get("IR-6"), leu, Assay.from_weight_percent(60.0),
    ...                    Assay.from_weight_percent(2.0), total_machines=166)
    >>> c.n_machines, c.n_stages
    (166, 25)
    """
    from .swu import _check_order

    feed = require_composition(feed, "feed")
    product, tails = require_assay(product, "product"), require_assay(tails, "tails")
    feed_kg_per_yr = as_float(feed_kg_per_yr, "feed_kg_per_yr", "kg/yr", optional=True)
    xf = float(feed.assay.mass_fraction)   # a scalar assay: already a float
    xp, xw = float(product.mass_fraction), float(tails.mass_fraction)
    _check_order(np.asarray(xf), np.asarray(xp), np.asarray(xw))
    q, theta = float(machine.design_feed_kg_per_yr), float(machine.design_cut)
    gamma = float(machine.gamma_235(np.array([q]), np.array([theta]))[0])
    f, _, heads, tails_, _ = ideal_binary_profile(xf, xp, xw, gamma)
    per_feed = heads + tails_
    feed_kg_per_yr = _design_feed_rate(feed_kg_per_yr, total_machines, per_feed, q)
    counts = _whole_machines(per_feed * feed_kg_per_yr / q, total_machines)
    design = CascadeDesign(feed, feed_kg_per_yr, product, tails,
                           tuple((per_feed * feed_kg_per_yr).tolist()))
    return FixedCascade(machine, counts, f, tuple((heads / per_feed).tolist()),
                        law if law is not None else default_law(), name, design)


def _design_feed_rate(feed_kg_per_yr, total_machines, per_feed, q) -> float:
    if (feed_kg_per_yr is None) == (total_machines is None):
        raise ConfigurationError("total_machines", total_machines,
                                 "exactly one of feed_kg_per_yr and total_machines")
    if total_machines is not None:
        if not isinstance(total_machines, int | np.integer) or total_machines < len(per_feed):
            raise ConfigurationError("total_machines", total_machines,
                                     f"a whole number >= the {len(per_feed)} stages needed")
        return float(total_machines * q / per_feed.sum())
    if not np.isfinite(feed_kg_per_yr) or feed_kg_per_yr <= 0.0:
        raise MassError("feed_kg_per_yr", feed_kg_per_yr, "a finite feed rate > 0")
    return float(feed_kg_per_yr)


def _whole_machines(ideal: np.ndarray, total: int | None) -> tuple[int, ...]:
    """Round ideal machine numbers to whole ones (>= 1); keep ``total`` exactly when given."""
    if total is None:
        return tuple(int(max(1, round(v))) for v in ideal)
    counts = np.maximum(np.floor(ideal), 1).astype(int)
    while counts.sum() != total:
        gap = ideal - counts
        if counts.sum() < total:
            counts[int(np.argmax(gap))] += 1
        else:
            gap[counts <= 1] = np.inf
            counts[int(np.argmin(gap))] -= 1
    return tuple(int(c) for c in counts)
