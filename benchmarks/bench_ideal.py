"""Multi-isotope ideal cascade: 3 isotopes, integer stages (target < 1 ms per cascade)."""

from _timing import best_per_call

from enrichwatch.composition import Composition
from enrichwatch.physics.ideal import U235Fraction, ideal_cascade
from enrichwatch.physics.separation import PerUnitMass, WoodCentrifuge

feed = Composition.from_atom_percent({"U234": 0.0055, "U235": 0.711, "U238": 99.2835})
law = WoodCentrifuge(1.3)
args = (feed, U235Fraction.atom_fraction(0.9), U235Fraction.atom_fraction(0.001), law)
c = ideal_cascade(*args, feed_kg=100.0)
t = best_per_call(lambda: ideal_cascade(*args, feed_kg=100.0), number=200)
print(f"3-isotope ideal cascade, integer stages ({c.n_enriching}/{c.n_stripping}): "
      f"{t * 1e6:.0f} us per cascade")
t = best_per_call(lambda: ideal_cascade(*args, feed_kg=100.0, integer_stages=False), number=50)
print(f"  real-valued stages: {t * 1e6:.0f} us per cascade")
free = (feed, U235Fraction.mass_fraction(0.05), U235Fraction.mass_fraction(0.0025),
        PerUnitMass(1.05))
t = best_per_call(lambda: ideal_cascade(*free, feed_kg=1.0, integer_stages=False), number=5)
print(f"  per-unit-mass factors with M* optimised for least total flow: {t * 1e3:.1f} ms")
