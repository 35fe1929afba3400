"""Evaluating the Fordow 2023 case as of 2023-02-01.

Each evaluation solves its plants afresh (the plant cache lives for one evaluation): the two
illustrative configurations with their months to one SQ at 90 %, both at the same operating
point, and the product rate at which each configuration of the period reaches 83.7 %, each at
the nominal inputs and at the 8 corners of the uncertain inputs (stage factor, rating, stage
layout), with a scan of the withdrawal rate for the true maximum assay at every setting: about
1,100 network solves (a few seconds; under 1 s before the ranges and the scans).
"""

import time
from datetime import date
from pathlib import Path

from _timing import best_per_call

from enrichwatch.evaluation import case_records, evaluate

CASE = Path(__file__).resolve().parents[1] / "examples" / "fordow-2023" / "case.toml"
AS_OF = date(2023, 2, 1)

start = time.perf_counter()
records = case_records(CASE)
result = evaluate(records, "FFEP", AS_OF)
first = time.perf_counter() - start
t = best_per_call(lambda: evaluate(records, "FFEP", AS_OF), number=1, repeat=5)
t_rules = best_per_call(lambda: evaluate(records, "FFEP", AS_OF, rule_sets=["jcpoa"]),
                        number=1, repeat=3)
print(f"Fordow 2023 case as of {AS_OF}: {len(result.findings)} findings from "
      f"{len(records)} records")
print(f"  evaluate: {t * 1e3:.0f} ms per evaluation (best of 5); first call incl. reading the "
      f"case file and warming up: {first * 1e3:.0f} ms")
print(f"  with the JCPOA rule set: {t_rules * 1e3:.0f} ms")
for f in result.findings:
    print(f"  {f.severity:6s} {f.rule}: {f.title}")
