"""Shared timing helper for the benchmark scripts (run on demand, not in CI)."""

import timeit


def best_per_call(stmt, number: int, repeat: int = 5) -> float:
    """Best time per call [s] over ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number
