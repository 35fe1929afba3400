"""Multi-isotope ideal (MARC) cascades, 3 isotopes (natural U with U-234).

Targets (issue 14): real-valued stage numbers < 0.5 ms per cascade; per-unit-mass factors with
M* optimised for least total flow < 3 ms. Integer stages (miso's rule) are shown for reference.
"""

from harness import Bench, main_exit, measure

from enrichwatch.composition import Composition
from enrichwatch.physics.ideal import U235Fraction, ideal_cascade
from enrichwatch.physics.separation import PerUnitMass, WoodCentrifuge

FEED = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
HEU = (FEED, U235Fraction.atom_fraction(0.9), U235Fraction.atom_fraction(0.001),
       WoodCentrifuge(1.3))
LEU = (FEED, U235Fraction.mass_fraction(0.05), U235Fraction.mass_fraction(0.0025))


def main() -> Bench:
    bench = Bench("ideal cascades, 3 isotopes")
    c = ideal_cascade(*HEU, feed_kg=100.0)
    bench.check(f"integer stages ({c.n_enriching}/{c.n_stripping}), 90 at%",
                measure(lambda: ideal_cascade(*HEU, feed_kg=100.0)), target=1e-3)
    c = ideal_cascade(*HEU, feed_kg=100.0, integer_stages=False)
    bench.check(f"real-valued stages ({c.n_enriching:.3f}/{c.n_stripping:.3f}), 90 at%",
                measure(lambda: ideal_cascade(*HEU, feed_kg=100.0, integer_stages=False)),
                target=0.5e-3)
    bench.check("real-valued stages, 5 wt%, WoodCentrifuge(1.3)",
                measure(lambda: ideal_cascade(*LEU, WoodCentrifuge(1.3), feed_kg=1.0,
                                              integer_stages=False)), target=0.5e-3)
    free = (*LEU, PerUnitMass(1.05))
    c = ideal_cascade(*free, feed_kg=1.0, integer_stages=False)
    bench.check(f"per-unit-mass, M* optimised (M* = {c.m_star:.4f} g/mol), exact flow",
                measure(lambda: ideal_cascade(*free, feed_kg=1.0, integer_stages=False)),
                target=3e-3)
    bench.check("per-unit-mass, M* optimised, wbs1999 flow",
                measure(lambda: ideal_cascade(*free, feed_kg=1.0, integer_stages=False,
                                              m_star_objective="wbs1999")), target=3e-3)
    return bench


if __name__ == "__main__":
    main_exit(main())
