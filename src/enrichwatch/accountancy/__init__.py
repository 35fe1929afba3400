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
* :mod:`.sampling`: attribute and variables sampling plans, the D statistic, MUF-D;
* :mod:`.games`: inspection games (2x2 closed form, zero-sum by LP, bimatrix equilibria);
* :mod:`.plant_checks`: an enrichment plant's declared balances against its separative capacity;
* :mod:`.study` and :mod:`.study_io`: a study (area, measurement model, periods, tests, loss
  scenarios, plant check) read from an accountancy input file and analysed in one call;
* :mod:`.reports`: the study's ICR, PIL and MBR as record payloads; :mod:`.plots`: its figures.
"""

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
    BALANCE_FALSE_ALARM_CONVENTION,
    DetectionProbabilities,
    LossPattern,
    abrupt_loss,
    balance_false_alarm,
    detection_probabilities,
    dp_one_sided,
    dp_two_sided,
    false_alarm_probability,
    max_sigma_muf,
    protracted_loss,
    required_ratio,
)
from .games import (
    Equilibrium,
    InspectionEquilibrium,
    InspectionGame,
    ZeroSumSolution,
    bimatrix_equilibria,
    deterrence_condition,
    inspection_game,
    solve_2x2_zero_sum,
    solve_zero_sum,
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
from .plant_checks import (
    CylinderContent,
    DeclaredBalance,
    DeclaredStream,
    PlantCapacity,
    PlantCheck,
    check_plant,
    cylinder_content,
    declared_balance,
    plant_capacity,
    significant_quantities,
    sq_category,
    swu_per_sq,
)
from .reports import accountancy_reports
from .sampling import (
    AttributePlan,
    Defect,
    DStatistic,
    MufD,
    VariablesPlan,
    attribute_detection_probability,
    attribute_nondetection_probability,
    attribute_plan,
    d_detection_probability,
    d_standard_deviation,
    d_statistic,
    defective_items,
    exact_sample_size,
    goal_attribute_plan,
    iaea_sample_size,
    iaea_sample_size_raw,
    muf_d,
    variables_plan,
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
from .study import (
    AccountancyAnalysis,
    LossScenario,
    PlantCheckInput,
    QuantityAnalysis,
    Study,
    TestSettings,
    analyse,
)
from .study_io import StudyFileError, load_study, study_from_toml_text

__all__ = [
    "AccountancyAnalysis",
    "AccountancyMonteCarlo",
    "AttributePlan",
    "BalanceDesign",
    "BalancePeriods",
    "CONVENTIONS",
    "CylinderContent",
    "DStatistic",
    "DeclaredBalance",
    "DeclaredStream",
    "Defect",
    "DetectionProbabilities",
    "Equilibrium",
    "Flow",
    "InspectionEquilibrium",
    "InspectionGame",
    "Items",
    "Level",
    "LossPattern",
    "LossScenario",
    "MaterialBalance",
    "MaterialBalanceArea",
    "MeasurementMethod",
    "MeasurementModel",
    "MeasurementPoint",
    "MufCovariance",
    "MufD",
    "PageTest",
    "PageThreshold",
    "PlantCapacity",
    "PlantCheck",
    "PlantCheckInput",
    "PointMeasurement",
    "QuantityAnalysis",
    "Study",
    "StudyFileError",
    "TestSettings",
    "Uncertainty",
    "VariablesPlan",
    "ZeroSumSolution",
    "abrupt_loss",
    "accountancy_reports",
    "analyse",
    "attribute_detection_probability",
    "attribute_nondetection_probability",
    "attribute_plan",
    "balance_design",
    "bimatrix_equilibria",
    "check_plant",
    "cumuf",
    "cusum_alarm_probability",
    "cusum_arl",
    "cylinder_content",
    "d_detection_probability",
    "d_standard_deviation",
    "d_statistic",
    "declared_balance",
    "defective_items",
    "detection_probabilities",
    "deterrence_condition",
    "dp_one_sided",
    "dp_two_sided",
    "exact_sample_size",
    "BALANCE_FALSE_ALARM_CONVENTION",
    "balance_false_alarm",
    "false_alarm_probability",
    "gemuf_threshold",
    "gemuf_v1",
    "goal_attribute_plan",
    "iaea_sample_size",
    "iaea_sample_size_raw",
    "load_study",
    "inspection_game",
    "load_methods",
    "mapit_point",
    "material_balance",
    "max_sigma_muf",
    "monte_carlo",
    "muf_covariance",
    "muf_d",
    "muf_from_terms",
    "page",
    "page_false_alarm_probability",
    "page_threshold",
    "plant_capacity",
    "protracted_loss",
    "read_mapit_csv",
    "read_mapit_directory",
    "required_ratio",
    "rss_sigma",
    "significant_quantities",
    "simulate_observations",
    "sitmuf",
    "solve_2x2_zero_sum",
    "solve_zero_sum",
    "sq_category",
    "study_from_toml_text",
    "swu_per_sq",
    "v5b3_loss_estimate",
    "variables_plan",
]
