"""Material accountancy and verification statistics for an enrichment plant (issue 10).

Layers: the material balance area (data), the measurement model, the statistics; each usable
alone. Sits beside ``records`` and ``breakout``: it may use ``facility`` and ``physics``, never
the store or the evaluation.

* :mod:`.balance`: key measurement points (items, flows, levels), balance periods
  ``(t_k-1, t_k]``, the linear map from records to MUF;
* :mod:`.measurement`: random and systematic relative errors, calibration periods, catalogued
  methods (``data/accountancy/measurement-methods.toml``), simulated observations;
* :mod:`.muf`: MUF, CUMUF, the MUF covariance in three named conventions;
* :mod:`.sequential` and :mod:`.markov`: SITMUF, Page's test, GEMUF, calibrated thresholds;
* :mod:`.detection`: loss patterns, closed-form detection probabilities;
* :mod:`.montecarlo`: the vectorised Monte Carlo, locally or on Dask;
* :mod:`.mapit`: MAPIT's CSV layout.
"""

# -- acctstats: material balance, measurement model, statistics (issue 10, parts 1-3) ----------
from .balance import (
    BalanceDesign,
    BalancePeriods,
    Flow,
    Items,
    Level,
    MaterialBalanceArea,
    MeasurementPoint,
    balance_design,
)
from .detection import (
    DetectionProbabilities,
    LossPattern,
    abrupt_loss,
    detection_probabilities,
    dp_one_sided,
    dp_two_sided,
    false_alarm_probability,
    max_sigma_muf,
    protracted_loss,
    required_ratio,
)
from .mapit import mapit_point, read_mapit_csv, read_mapit_directory
from .markov import cusum_alarm_probability, cusum_arl
from .measurement import (
    MeasurementMethod,
    MeasurementModel,
    PointMeasurement,
    Uncertainty,
    load_methods,
    simulate_observations,
)
from .montecarlo import AccountancyMonteCarlo, monte_carlo
from .muf import (
    CONVENTIONS,
    MaterialBalance,
    MufCovariance,
    cumuf,
    material_balance,
    muf_covariance,
    muf_from_terms,
    rss_sigma,
)
from .sequential import (
    PageTest,
    PageThreshold,
    gemuf_threshold,
    gemuf_v1,
    page,
    page_false_alarm_probability,
    page_threshold,
    sitmuf,
    v5b3_loss_estimate,
)

__all__ = [
    # acctstats: balance, measurement model, statistics, MAPIT import
    "CONVENTIONS",
    "AccountancyMonteCarlo",
    "BalanceDesign",
    "BalancePeriods",
    "DetectionProbabilities",
    "Flow",
    "Items",
    "Level",
    "LossPattern",
    "MaterialBalance",
    "MaterialBalanceArea",
    "MeasurementMethod",
    "MeasurementModel",
    "MeasurementPoint",
    "MufCovariance",
    "PageTest",
    "PageThreshold",
    "PointMeasurement",
    "Uncertainty",
    "abrupt_loss",
    "balance_design",
    "cumuf",
    "cusum_alarm_probability",
    "cusum_arl",
    "detection_probabilities",
    "dp_one_sided",
    "dp_two_sided",
    "false_alarm_probability",
    "gemuf_threshold",
    "gemuf_v1",
    "load_methods",
    "mapit_point",
    "material_balance",
    "max_sigma_muf",
    "monte_carlo",
    "muf_covariance",
    "muf_from_terms",
    "page",
    "page_false_alarm_probability",
    "page_threshold",
    "protracted_loss",
    "read_mapit_csv",
    "read_mapit_directory",
    "required_ratio",
    "rss_sigma",
    "simulate_observations",
    "sitmuf",
    "v5b3_loss_estimate",
]
# -- end acctstats ------------------------------------------------------------------------------
