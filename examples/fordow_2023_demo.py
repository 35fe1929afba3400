"""Fordow 2023, illustrative: two 166-machine IR-6 cascades interconnected two ways.

ILLUSTRATIVE RECONSTRUCTION from public information (IAEA GOV/INF/2023/1, 1 Feb 2023, and the
sources in shared/reference/domain.md), not the plant's real design. Assumptions:
- machine: the catalog's IR-6 entry (nominal separative power, assumed stage factor; see
  `enrichwatch.physics.machines.load_catalog().get("IR-6")`);
- each cascade's stage layout is designed here with enrichwatch's ideal-profile design rule to
  166 machines: cascade A for 5 % -> 20 % (tails 2.5 %), cascade B for 20 % -> 60 % (tails 5 %);
- feed: 5 wt% U-235 with 0.04 % U-234 and 0.02 % U-236, at A's design rate;
- "declared": A's product feeds B's feed stage and B's tails return to A's feed stage;
- "alternative": A's product enters B two stages below B's feed stage (B's tails still return to
  A's feed stage), one kind of re-piping that changes what the pair produces; the real January
  2023 interconnection is not public.
Flows in kg U per month.
"""

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog
from enrichwatch.physics.network import ExternalFeed, Link, Network

MONTHS_PER_YEAR = 12.0


def build():
    ir6 = load_catalog().get("IR-6")
    leu = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02,
                                         "U238": 94.94})
    w = Assay.from_weight_percent
    a = design_cascade(ir6, leu, w(20.0), w(2.5), total_machines=166, name="A")
    b = design_cascade(ir6, Composition.from_mass_percent({"U235": 20.0, "U238": 80.0}),
                       w(60.0), w(5.0), total_machines=166, name="B")
    feed = [ExternalFeed("5% feed", "A", leu, a.design.feed_kg_per_yr)]
    declared = Network([a, b], [Link("A", "product", "B"), Link("B", "tails", "A")], feed)
    alternative = Network([a, b], [Link("A", "product", "B", stage=b.feed_stage - 2),
                                   Link("B", "tails", "A")], feed)
    return declared, alternative


def report(label, state):
    print(f"\n{label}")
    for name, c in state.cascades.items():
        print(f"  cascade {name}: {c.n_stages} stages, {int(c.machines_per_stage.sum())} IR-6, "
              f"separative power in use {c.swu_machines_kg_per_yr:.0f} kg-SWU/yr")
    for name, s in state.withdrawals.items():
        print(f"  withdrawal {name:10s} {s.rate_kg_per_yr / MONTHS_PER_YEAR:8.3f} kg U/month at "
              f"{s.assay.weight_percent:6.2f} wt% U-235")
    print(f"  isotope balance closes to {abs(state.balance_residual()).max():.1e} (relative)")


if __name__ == "__main__":
    print(__doc__)
    declared, alternative = build()
    report("Declared interconnection (illustrative)", declared.solve())
    report("Alternative interconnection (illustrative)", alternative.solve())
