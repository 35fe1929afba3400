"""Vectorised binary SWU: evaluations per second (target >= 10 million/s on one core)."""

import numpy as np
from _timing import best_per_call

from enrichwatch.composition import Assay
from enrichwatch.physics.swu import enrich

N = 1_000_000
rng = np.random.default_rng(1)
feed = Assay.from_mass_fraction(rng.uniform(0.005, 0.05, N))
product = Assay.from_mass_fraction(rng.uniform(0.06, 0.95, N))
tails = Assay.from_mass_fraction(rng.uniform(0.001, 0.0049, N))

t = best_per_call(lambda: enrich(feed, product, tails, product_kg=1.0), number=3)
print(f"binary enrich (feed, tails, SWU) over {N:,} cases: {t * 1e3:.1f} ms "
      f"-> {N / t / 1e6:.1f} million evaluations/s")
t = best_per_call(lambda: Assay.from_mass_fraction(rng.uniform(0.001, 0.9, N)), number=3)
print(f"  of which building one checked Assay array: {t * 1e3:.1f} ms")
