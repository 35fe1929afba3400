"""Material accountancy and verification statistics for an enrichment plant (issue 10).

Layers: the material balance area (data), the measurement model, the statistics; each usable
alone. Sits beside ``records`` and ``breakout``: it may use ``facility`` and ``physics``, never
the store or the evaluation.
"""

__all__: list[str] = []
