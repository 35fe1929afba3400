"""Definitions of the significant quantity (SQ) a breakout is counted in.

'iaea' = 25 kg U-235 in HEU (27.8 kg U at 90 %); '90pct' = 25 kg of 90 % uranium (22.5 kg
U-235), the unit of most published estimates. (Here, not in :mod:`.assess`, so that the command
line checks ``--sq-definition`` without loading the scenario machinery.)

>>> sq_u235_kg("90pct")
22.5
"""

from __future__ import annotations

from ..errors import InputError

__all__ = ["SQ_DEFINITIONS", "sq_statement", "sq_u235_kg"]

#: SQ definitions: name -> (kg U-235 per SQ, statement).
SQ_DEFINITIONS: dict[str, tuple[float, str]] = {
    "iaea": (25.0, "1 SQ = 25 kg U-235 in HEU (IAEA Safeguards Glossary), 27.8 kg U at 90 %"),
    "90pct": (22.5, "1 SQ = 25 kg of 90 % uranium (22.5 kg U-235), as in most published "
                    "breakout estimates (ISIS, 2019-2025)"),
}


def sq_u235_kg(definition: str) -> float:
    """kg U-235 per SQ under ``definition`` ('iaea' or '90pct')."""
    if definition not in SQ_DEFINITIONS:
        raise InputError("sq_definition", definition, "one of " + ", ".join(SQ_DEFINITIONS))
    return SQ_DEFINITIONS[definition][0]


def sq_statement(definition: str) -> str:
    """The definition in words, for reports and ``--json``."""
    sq_u235_kg(definition)
    return SQ_DEFINITIONS[definition][1]
