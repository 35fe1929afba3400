"""Progress of the detection Monte Carlo and timeline: true totals, counts that end at them."""

import numpy as np

from enrichwatch.breakout.timeline import stock_reports
from enrichwatch.detection import detection_distribution, detection_timeline
from enrichwatch.detection.processes import Activity
from enrichwatch.parallel import RecordedProgress

VISITS = (Activity("visits", "random", 365.25 / 12, 0.5),
          Activity("camera", "continuous", 7.0, 0.9))


def test_monte_carlo_samples_are_counted():
    rec = RecordedProgress()
    a = detection_distribution(VISITS, samples=25_000, chunk_size=10_000, seed=4, progress=rec)
    assert rec.phases == (("Monte Carlo samples", 25_000, 25_000),)
    b = detection_distribution(VISITS, samples=25_000, chunk_size=10_000, seed=4)
    assert np.array_equal(a.draws, b.draws)


def test_analytic_runs_report_nothing():
    rec = RecordedProgress()
    detection_distribution(VISITS[1:], progress=rec)
    assert rec.events == []


def test_timeline_counts_report_dates():
    reports = [r for r in stock_reports() if "2022" <= r.date < "2024"]
    profiles = {r.date: None for r in reports}
    rec = RecordedProgress()
    tl = detection_timeline(profiles=profiles, since="2022", until="2024", progress=rec)
    assert len(reports) > 1 and len(tl.rows) == len(reports)
    assert rec.phases == (("report dates", len(reports), len(reports)),)
