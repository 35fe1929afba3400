"""Detection time against breakout time (issue 12): would verification see a misuse in time?

* :class:`Regime` (read with :func:`load_regime`; the bundled one is IAEA verification at
  Iran's enrichment plants, 2016-2025): measures per facility and period — inspections,
  unannounced inspections, complementary access, design information verification, enrichment
  monitors, cameras, seals, environmental sampling, material accountancy — each with its
  frequency or random process, its chance per look, its delay, its sources, and
  ``verified = False`` where a figure is an assumption; :meth:`Regime.with_accountancy` is the
  hook for the detection probability per balance period of the accountancy statistics;
* :class:`Misuse` (read with :func:`load_misuse`, or :func:`misuse_of_kind`,
  :func:`breakout_misuse`): re-piping, production above the declared assay, diversion of
  cylinders, or a breakout schedule of the breakout planner (:class:`BreakoutProfile`), each
  with what reveals it and from when;
* :func:`detect` gives the distribution of the time to detection (analytic where the
  activities allow, vectorised Monte Carlo otherwise, Dask for large runs;
  :func:`detection_distribution`) and a :class:`DetectionResult`: CDF, median, 90th
  percentile, the probability of detection before one SQ exists and within the IAEA
  timeliness goal, and where an observed detection falls;
* :func:`detection_timeline` sets detection beside breakout at every IAEA report date
  (:class:`DetectionTimeline`; the margin, detection minus breakout, is the headline);
  :func:`plot_detection` and :func:`plot_detection_timeline` draw them.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.detection import detect, load_regime, misuse_of_kind
>>> regime = load_regime()
>>> m = misuse_of_kind("repiping", "re-piping", ("Fordow FFEP",), date(2023, 1, 16))
>>> r = detect(m, regime)
>>> 0.5 < r.distribution.cdf(5.0) < 0.9
True
"""

from .detect import ASSUMPTIONS, DetectionResult, MeasureRow, detect, misuse_activities
from .distribution import METHODS, DetectionDistribution, detection_distribution
from .misuse import (
    MISUSE_KINDS,
    TIMELINESS,
    Indicator,
    Misuse,
    MisuseFileError,
    breakout_misuse,
    default_indicators,
    load_misuse,
    misuse_from_text,
    misuse_of_kind,
    with_indicators,
)
from .plots import plot_detection, plot_detection_timeline
from .processes import PROCESSES, Activity, Delay
from .profile import (
    BASES,
    BreakoutProfile,
    breakout_profile,
    profile_from_dict,
    profile_from_result,
)
from .regime import ACTIVITY_KINDS, AccountancyResult, Era, Measure, MeasurePeriod, Regime
from .regime_io import RegimeFileError, load_regime, regime_from_text
from .timeline import (
    DetectionTimeline,
    DetectionTimelineRow,
    detection_timeline,
    markdown_table,
    profiles_from_breakout,
)

__all__ = [
    "ACTIVITY_KINDS",
    "ASSUMPTIONS",
    "BASES",
    "METHODS",
    "MISUSE_KINDS",
    "PROCESSES",
    "TIMELINESS",
    "AccountancyResult",
    "Activity",
    "BreakoutProfile",
    "Delay",
    "DetectionDistribution",
    "DetectionResult",
    "DetectionTimeline",
    "DetectionTimelineRow",
    "Era",
    "Indicator",
    "Measure",
    "MeasurePeriod",
    "MeasureRow",
    "Misuse",
    "MisuseFileError",
    "Regime",
    "RegimeFileError",
    "breakout_misuse",
    "breakout_profile",
    "default_indicators",
    "detect",
    "detection_distribution",
    "detection_timeline",
    "load_misuse",
    "load_regime",
    "markdown_table",
    "misuse_activities",
    "misuse_from_text",
    "misuse_of_kind",
    "plot_detection",
    "plot_detection_timeline",
    "profile_from_dict",
    "profile_from_result",
    "profiles_from_breakout",
    "regime_from_text",
    "with_indicators",
]
