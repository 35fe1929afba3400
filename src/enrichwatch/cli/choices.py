"""The choices offered by options of several commands (enumerations), re-exported by
:mod:`.options`; a module of their own so that a command that offers none of them (``evaluate``)
does not build them."""

from enum import StrEnum

__all__ = ["BreakoutBasis", "DetectionMethod", "PlantModel", "SqDefinition"]


class PlantModel(StrEnum):
    """``breakout --model``: how the installed cascades make each step."""

    repiped = "repiped"
    as_built = "as-built"


class SqDefinition(StrEnum):
    """``--sq-definition``: what one significant quantity of HEU is."""

    iaea = "iaea"
    pct90 = "90pct"


class DetectionMethod(StrEnum):
    """``detection --method``."""

    auto = "auto"
    analytic = "analytic"
    monte_carlo = "monte-carlo"


class BreakoutBasis(StrEnum):
    """``detection --breakout-basis``: the breakout scenario family set against detection."""

    auto = "auto"
    analyst = "analyst"
    all_capacity = "all-capacity"
