"""Material accountancy and verification statistics for an enrichment plant (issue 10).

Layers: the material balance area (data), the measurement model, the statistics; each usable
alone. Sits beside ``records`` and ``breakout``: it may use ``facility`` and ``physics``, never
the store or the evaluation.
"""

__all__: list[str] = []

# -- verification sampling, inspection games, enrichment-plant checks (parts 4-6) ---------------
from .games import (  # noqa: E402
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
from .plant_checks import (  # noqa: E402
    CylinderContent,
    DeclaredBalance,
    DeclaredStream,
    PlantCapacity,
    PlantCheck,
    StreamRsd,
    check_plant,
    cylinder_content,
    declared_balance,
    plant_capacity,
    significant_quantities,
    sq_category,
    swu_per_sq,
)
from .sampling import (  # noqa: E402
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

__all__ += [
    # games
    "Equilibrium", "InspectionEquilibrium", "InspectionGame", "ZeroSumSolution",
    "bimatrix_equilibria", "deterrence_condition", "inspection_game", "solve_2x2_zero_sum",
    "solve_zero_sum",
    # plant checks
    "CylinderContent", "DeclaredBalance", "DeclaredStream", "PlantCapacity", "PlantCheck",
    "StreamRsd", "check_plant", "cylinder_content", "declared_balance", "plant_capacity",
    "significant_quantities", "sq_category", "swu_per_sq",
    # sampling
    "AttributePlan", "DStatistic", "Defect", "MufD", "VariablesPlan",
    "attribute_detection_probability", "attribute_nondetection_probability", "attribute_plan",
    "d_detection_probability", "d_standard_deviation", "d_statistic", "defective_items",
    "exact_sample_size", "goal_attribute_plan", "iaea_sample_size",
    "iaea_sample_size_raw", "muf_d", "variables_plan",
]
