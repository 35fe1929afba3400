"""Fixed cascade off design: a 166-machine IR-6 cascade of about 20 stages with 4 isotopes
(target < 5 ms per solve on one core)."""

from _timing import best_per_call

from enrichwatch.composition import Assay, Composition
from enrichwatch.physics.cascade import design_cascade
from enrichwatch.physics.machines import load_catalog

ir6 = load_catalog().get("IR-6")
design_feed = Composition.from_mass_percent({"U235": 3.5, "U238": 96.5})
cascade = design_cascade(ir6, design_feed, Assay.from_weight_percent(20.0),
                         Assay.from_weight_percent(0.7), total_machines=166)
off_design = Composition.from_mass_percent({"U234": 0.04, "U235": 5.0, "U236": 0.02,
                                            "U238": 94.94})
rate = 1.3 * cascade.design.feed_kg_per_yr
state = cascade.solve(off_design, rate)
t = best_per_call(lambda: cascade.solve(off_design, rate), number=50)
print(f"{cascade.n_machines} machines in {cascade.n_stages} stages, 4 isotopes, off design "
      f"(5 % feed at 1.3x design rate): {t * 1e3:.2f} ms per solve")
p = state.product
t = best_per_call(lambda: cascade.solve(off_design, rate, product_kg_per_yr=0.8 * p.rate_kg_per_yr),
                  number=20)
print(f"  same with an imposed product rate: {t * 1e3:.2f} ms per solve")
print(f"  product {p.rate_kg_per_yr:.1f} kg U/yr at {p.assay.weight_percent:.2f} wt%")
