"""Detection time against breakout time (issue 12): verification regimes as data, misuse
scenarios, and the distribution of the time to detection.

Sits beside ``evaluation``: it may use ``records``, ``breakout``, ``accountancy``, ``facility``
and ``physics``.
"""

__all__: list[str] = []
