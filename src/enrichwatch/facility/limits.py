"""Size limits of a plant description, checked before anything is built.

Designing and solving cascades costs time with their machines, stages and links (the stage
solver's cost is about linear in them: issue 14); so a description far larger than any real
plant is refused first, from the parsed TOML alone, before any cascade is designed or solved.
The stage limits are set where the solver still takes about a second at most (measured on one
core: ``benchmarks/bench_network.py``, and 10,000 stages in 500 cascades joined by 1,000
random streams in 0.9 s); real plants are far inside them. Every limit is named here, once
(and stated in ``docs/plant-format.md``).

Examples
--------
>>> raw = {"cascades": [{"name": "A", "machines_per_stage": [1] * 2000, "feed_stage": 0}]}
>>> for p in limit_problems(raw, "big.toml"):
...     print(p)
big.toml: cascades[0].machines_per_stage = <2000 stages>: expected at most 1000 stages in a cascade
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .problems import Problem

__all__ = ["MAX_CASCADES", "MAX_ENTRIES", "MAX_MACHINES", "MAX_MACHINE_TYPES",
           "MAX_STAGES_PER_CASCADE", "MAX_TOTAL_STAGES", "limit_problems", "size_problems"]

#: Most cascades in one plant (the largest real plants have a few dozen to ~100 cascades).
MAX_CASCADES = 500
#: Most stages in one cascade (real cascades have 10-60; 0.711 % -> 90 % with IR-1 about 50).
MAX_STAGES_PER_CASCADE = 1000
#: Most stages in the whole plant (a solve of 10,000 stages takes ~0.1-0.9 s on one core).
MAX_TOTAL_STAGES = 10_000
#: Most machines in one stage, one cascade (``total_machines``) or the whole plant.
MAX_MACHINES = 1_000_000
#: Most inline machine types (``[machines.<name>]`` tables).
MAX_MACHINE_TYPES = 100
#: Most entries in each of ``[[streams]]``, ``[[feeds]]`` and ``[[withdrawals]]``.
MAX_ENTRIES = 1000


class _Many:
    """The value shown for a list too long to print: ``<500 stages>``."""

    def __init__(self, count: int, what: str) -> None:
        self.count, self.what = count, what

    def __repr__(self) -> str:
        return f"<{self.count} {self.what}>"


def _count(value: Any) -> int | None:
    """``value`` when it is a whole number (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cascade_problems(i: int, cascade: Any, file: str) -> tuple[list[Problem], int, int]:
    """Problems of one raw cascade entry; and its stages and machines (0 when unknown)."""
    if not isinstance(cascade, Mapping):
        return [], 0, 0
    key, problems = f"cascades[{i}]", []
    layout = cascade.get("machines_per_stage")
    stages = machines = 0
    if isinstance(layout, list):
        stages = len(layout)
        if stages > MAX_STAGES_PER_CASCADE:
            problems.append(Problem(file, f"{key}.machines_per_stage", _Many(stages, "stages"),
                                    f"at most {MAX_STAGES_PER_CASCADE} stages in a cascade"))
        for k, n in enumerate(layout[:MAX_STAGES_PER_CASCADE]):
            if (count := _count(n)) is not None and count > MAX_MACHINES:
                problems.append(Problem(file, f"{key}.machines_per_stage[{k}]", n,
                                        f"at most {MAX_MACHINES} machines in a stage"))
        machines = sum(c for n in layout[:MAX_STAGES_PER_CASCADE]
                       if (c := _count(n)) is not None and c > 0)
    cuts = cascade.get("cuts")
    if isinstance(cuts, list) and len(cuts) > MAX_STAGES_PER_CASCADE:
        problems.append(Problem(file, f"{key}.cuts", _Many(len(cuts), "cuts"),
                                f"at most {MAX_STAGES_PER_CASCADE} cuts (one per stage)"))
    design = cascade.get("design")
    total = _count(design.get("total_machines")) if isinstance(design, Mapping) else None
    if total is not None and total > MAX_MACHINES:
        problems.append(Problem(file, f"{key}.design.total_machines", total,
                                f"at most {MAX_MACHINES} machines in a cascade"))
    elif total is not None and total > 0:
        machines += total
    return problems, stages, machines


def limit_problems(raw: Mapping, file: str) -> list[Problem]:
    """The limits a parsed plant document exceeds (nothing built, nothing large allocated).

    Counts only what the document states: a designed cascade's stages are checked by
    :func:`size_problems` once it is designed.
    """
    problems: list[Problem] = []
    cascades = raw.get("cascades")
    total_stages = total_machines = 0
    if isinstance(cascades, list):
        if len(cascades) > MAX_CASCADES:
            problems.append(Problem(file, "cascades", _Many(len(cascades), "cascades"),
                                    f"at most {MAX_CASCADES} [[cascades]] tables"))
        for i, cascade in enumerate(cascades[:MAX_CASCADES]):
            found, stages, machines = _cascade_problems(i, cascade, file)
            problems += found
            total_stages += stages
            total_machines += machines
    for section in ("streams", "feeds", "withdrawals"):
        entries = raw.get(section)
        if isinstance(entries, list) and len(entries) > MAX_ENTRIES:
            problems.append(Problem(file, section, _Many(len(entries), "entries"),
                                    f"at most {MAX_ENTRIES} [[{section}]] tables"))
    inline = raw.get("machines")
    if isinstance(inline, Mapping) and len(inline) > MAX_MACHINE_TYPES:
        problems.append(Problem(file, "machines", _Many(len(inline), "machine types"),
                                f"at most {MAX_MACHINE_TYPES} [machines.<name>] tables"))
    if not problems:
        problems += size_problems(total_stages, total_machines, file)
    return problems


def size_problems(total_stages: int, total_machines: int, file: str,
                  key: str = "cascades") -> list[Problem]:
    """Problems of a plant's total stages and machines."""
    problems = []
    if total_stages > MAX_TOTAL_STAGES:
        problems.append(Problem(file, key, _Many(total_stages, "stages in all"),
                                f"at most {MAX_TOTAL_STAGES} stages in the whole plant"))
    if total_machines > MAX_MACHINES:
        problems.append(Problem(file, key, _Many(total_machines, "machines in all"),
                                f"at most {MAX_MACHINES} machines in the whole plant"))
    return problems
