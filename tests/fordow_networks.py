"""Networks shared by the plotting and report tests."""

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network


def fordow_networks():
    """Two illustrative interconnections of two 166-machine IR-6 cascades (A: 5 -> 20 %,
    B: 20 -> 60 %): A's product into B's feed stage ("declared") or two stages lower
    ("alternative"); B's tails back to A in both."""
    w = Assay.from_weight_percent
    leu = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02, "U238": 94.94})
    ir6 = load_catalog().get("IR-6")
    a = design_cascade(ir6, leu, w(20.0), w(2.5), total_machines=166, name="A")
    b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       w(60.0), w(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("5% feed", "A", leu, a.design.feed_kg_per_yr)]
    declared = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    alternative = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage - 2),
                                   Link("B", "tails", "A")], feed)
    return {"declared": (declared, declared.solve()),
            "alternative": (alternative, alternative.solve())}
