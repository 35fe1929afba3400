"""A one-cascade plant designed from random machine and product figures, for the property tests
of the capability searches (tests/physics/test_capability*.py)."""

from __future__ import annotations

from enrichwatch.composition import Assay, Composition
from enrichwatch.errors import ConfigurationError
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import Machine
from enrichwatch.physics.network import ExternalFeed, Network

LEU20 = Composition.from_mass_percent({"U235": 20.0, "U238": 80.0})


def designed_network(gamma: float, swu: float, product_wt_pct: float, machines: int,
                     feed_share: float) -> Network | None:
    """Cascade ``C`` of ``machines`` machines (``swu`` kg-SWU/yr, stage factor ``gamma``)
    designed for 20 % feed, ``product_wt_pct`` product and 5 % tails, fed ``feed_share`` of its
    design feed; None when the machines are too few for the stages (not a plant)."""
    m = Machine.from_rating("test", swu, gamma)
    try:
        c = design_cascade(m, LEU20, Assay.from_weight_percent(product_wt_pct),
                           Assay.from_weight_percent(5.0), total_machines=machines, name="C")
    except ConfigurationError:
        return None
    return Network([c], feeds=[ExternalFeed("feed", "C", LEU20,
                                            feed_share * c.design.feed_kg_per_yr)])
