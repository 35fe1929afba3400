"""Evaluation: rules run over a facility's safeguards records as of a date.

:func:`evaluate` reads plain record objects (the store's ``Record`` or anything with the same
attributes, :class:`RecordLike`) and returns an :class:`Evaluation` of :class:`Finding` values,
each with a severity, the rule, the evidence (record ids) and, where one applies, its physical
consequence computed with the physics engine. The rules and their contract are in
docs/records-design.md; quantitative limits come as opt-in rule sets (:func:`load_rule_set`;
the JCPOA set ships). The evaluation never touches the database.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.evaluation import case_records, evaluate
>>> case = "examples/fordow-2023/case.toml"
>>> result = evaluate(case_records(case), "FFEP", date(2023, 2, 1))
>>> for f in result.findings:
...     print(f.severity, f.rule, f.evidence)
high observed-differs-from-declared (4, 2)
high late-design-change-declaration (5, 2, 4)
high assay-above-declared-maximum (6, 4, 5)
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_exports
from .engine import evaluate
from .findings import SEVERITIES, Evaluation, Finding
from .records import RecordLike, in_force, known_as_of

if TYPE_CHECKING:  # for type checkers; at run time __getattr__ loads these on first use
    from .casefile import CaseRecord, case_records
    from .limits import apply_rule_set
    from .rulesets import (
        Limit,
        RuleSet,
        RuleSetError,
        Target,
        bundled_rule_sets,
        load_rule_set,
        parse_rule_set,
    )

#: Public name -> the module of this package that defines it (loaded on first use: an
#: evaluation without rule sets needs neither the rule-set reader nor the case-file reader).
_LAZY = {
    "CaseRecord": "casefile",
    "case_records": "casefile",
    "apply_rule_set": "limits",
    "Limit": "rulesets",
    "RuleSet": "rulesets",
    "RuleSetError": "rulesets",
    "Target": "rulesets",
    "bundled_rule_sets": "rulesets",
    "load_rule_set": "rulesets",
    "parse_rule_set": "rulesets",
}

__all__ = [
    "SEVERITIES",
    "CaseRecord",
    "Evaluation",
    "Finding",
    "Limit",
    "RecordLike",
    "RuleSet",
    "RuleSetError",
    "Target",
    "apply_rule_set",
    "bundled_rule_sets",
    "case_records",
    "evaluate",
    "in_force",
    "known_as_of",
    "load_rule_set",
    "parse_rule_set",
]


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
