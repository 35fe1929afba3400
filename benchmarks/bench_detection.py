"""Detection time (issue 12): the analytic distribution of the January 2023 case, the
vectorised Monte Carlo (rate and scaling in samples), and the detection timeline once the
breakout schedules are known (targets are this script's own: analytic < 50 ms; 10^6 Monte
Carlo samples < 2 s on one core, linear in samples; timeline of 29 dates < 3 s)."""

from datetime import date
from pathlib import Path

from harness import Bench, main_exit, measure, scaling

from enrichwatch.breakout.timeline import stock_reports
from enrichwatch.detection import (
    BreakoutProfile,
    detect,
    detection_distribution,
    detection_timeline,
    load_misuse,
    load_regime,
    misuse_activities,
)

ROOT = Path(__file__).parents[1]
regime = load_regime()
feb = BreakoutProfile("2023-02-28", "analyst", "90pct", 11.37, 1.0, 0.0,
                      ("Fordow FFEP", "Natanz PFEP"), ("Fordow FFEP",))
misuse = load_misuse(ROOT / "examples" / "detection" / "fordow-repiping-2023.toml", regime,
                     profile=feb)
acts = misuse_activities(misuse, regime)
profiles = {r.date: None if r.gap else BreakoutProfile(r.date, "analyst", "90pct", 10.0, 1.0,
                                                        0.0, ("Fordow FFEP", "Natanz PFEP"))
            for r in stock_reports()}

bench = Bench("detection")
bench.check("analytic: January 2023 case (CDF, median, P90, P(5 days))",
            measure(lambda: detect(misuse, regime).as_dict()), target=0.05)
bench.check("Monte Carlo: 10^6 samples, January 2023 activities",
            measure(lambda: detection_distribution(acts, method="monte-carlo",
                                                   samples=1_000_000, seed=1), repeats=3),
            target=2.0, min_rate=5e5, per_call=1_000_000)
bench.scaling("Monte Carlo cost in samples",
              scaling(lambda n: (lambda: detection_distribution(
                  acts, method="monte-carlo", samples=n, seed=1, chunk_size=50_000)),
                      [1_000, 10_000, 100_000, 1_000_000], repeats=3), max_exponent=1.2,
              unit="N")
bench.check("timeline: 29 report dates, breakout schedules given",
            measure(lambda: detection_timeline(regime, profiles=profiles), repeats=3),
            target=3.0)
bench.info("January 2023", f"P(detected within 5 days) = "
           f"{detect(misuse, regime).observed_probability:.3f} on {date(2023, 1, 16)}")
if __name__ == "__main__":
    main_exit(bench)
