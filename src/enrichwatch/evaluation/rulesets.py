"""Quantitative limits as data: rule-set files, their schema, and loading them.

A rule set is a TOML file (the bundled ones in ``enrichwatch/data/rulesets/``; ``jcpoa``
ships)::

    [rule_set]
    id = "jcpoa"                       # short id, carried by every finding
    title = "..."
    source = "..."                     # the document the limits come from
    note = "..."                       # optional

    [[limits]]
    id = "jcpoa-stockpile-total"       # unique in the file
    description = "Enriched uranium stockpile at most 300 kg UF6 (202.8 kg U)"
    applies_to = { kind = "stockpile", path = "total_kg_u" }   # or an array of such tables
    comparison = "<="                  # the value must satisfy: value <comparison> limit
    value = 202.8
    unit = "kg U"
    citation = "JCPOA Annex I para 56"
    severity = "high"                  # optional: high (default), medium, low, info
    in_force = { from = 2016-01-16, until = 2031-01-16 }      # optional, on valid_from

``applies_to`` names a record kind and a path into its payload: keys separated by dots,
``key[]`` for every element of a list, ``*`` for every value of a table
(``measurements[].value_pct``, ``enriching.IR-1``, ``kg_u_by_level.*``). Optional keys:
``facility`` (only records of that facility code) and ``aggregate = "sum"`` (compare the sum of
the values found instead of each value). A path that finds no number in a record does not apply
to it. Every problem of a file is reported at once (:class:`RuleSetError`).

Examples
--------
>>> jcpoa = load_rule_set("jcpoa")
>>> jcpoa.id, len(jcpoa.limits) > 5
('jcpoa', True)
>>> limit = jcpoa.limit("jcpoa-stockpile-total")
>>> limit.comparison, limit.value, limit.unit
('<=', 202.8, 'kg U')
>>> try:
...     parse_rule_set('''
... [rule_set]
... id = "demo"
... title = "Demo"
... source = "none"
... [[limits]]
... id = "cap"
... description = "A cap"
... applies_to = { kind = "stockpile", path = "total_kgu" }
... comparison = "=<"
... value = 10.0
... unit = "kg U"
... ''', "demo.toml")
... except RuleSetError as err:
...     caught = err
>>> for problem in caught.problems:
...     print(problem.key, "=", repr(problem.value))
limits[0].applies_to.path = 'total_kgu'
limits[0].comparison = '=<'
limits[0].citation = <missing>
>>> print(caught.problems[1])
demo.toml: limits[0].comparison = '=<': expected one of <=, <, >=, >, ==
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from ..files import MISSING, Problem, ProblemsError, parse_toml, read_text_file
from .findings import SEVERITIES

__all__ = ["COMPARISONS", "Limit", "RuleSet", "RuleSetError", "Target", "bundled_rule_sets",
           "load_rule_set", "parse_rule_set"]

#: Comparisons a limit may use: the value must satisfy ``value <op> limit``.
COMPARISONS: tuple[str, ...] = ("<=", "<", ">=", ">", "==")

#: Payload keys with numbers, per record kind (the first segment of a path).
PAYLOAD_NUMBERS: dict[str, tuple[str, ...]] = {
    "declaration": ("declared_max_assay_pct",),
    "inspection": ("measurements",),
    "sample": ("max_u235_pct", "results"),
    "stockpile": ("kg_u_by_level", "total_kg_u"),
    "installed_machines": ("cascades", "enriching", "machines"),
}

_SEGMENT = re.compile(r"^(\*|[A-Za-z0-9_+-]+(\[\])?)$")
_LIMIT_KEYS = ("id", "description", "applies_to", "comparison", "value", "unit", "citation",
               "severity", "in_force", "note")
_TARGET_KEYS = ("kind", "path", "facility", "aggregate")


class RuleSetError(ProblemsError):
    """A rule-set file has one or more problems; all are listed (a ``ValueError``).

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found (at least one); each :class:`~enrichwatch.facility.Problem` names
        the file, the key (``limits[2].comparison``), the value found and what is allowed.

    Attributes
    ----------
    problems : tuple of Problem
    param, value, allowed
        Those of the first problem (as for every :class:`~enrichwatch.errors.InputError`).
    """

    problem_type = Problem


@dataclass(frozen=True)
class Target:
    """Where a limit looks: records of ``kind`` (of ``facility`` if given), at ``path``."""

    kind: str
    path: str
    facility: str | None = None
    aggregate: str | None = None


@dataclass(frozen=True)
class Limit:
    """One quantitative limit with its citation (see the module docstring for the fields)."""

    id: str
    description: str
    targets: tuple[Target, ...]
    comparison: str
    value: float
    unit: str
    citation: str
    severity: str = "high"
    in_force_from: date | None = None
    in_force_until: date | None = None
    note: str | None = None

    def in_force_on(self, day: date) -> bool:
        """Whether the limit applies on ``day`` (``from <= day < until``)."""
        return ((self.in_force_from is None or self.in_force_from <= day)
                and (self.in_force_until is None or day < self.in_force_until))

    def satisfied_by(self, value: float) -> bool:
        """Whether ``value`` satisfies ``value <comparison> limit``."""
        op, v = self.comparison, self.value
        return {"<=": value <= v, "<": value < v, ">=": value >= v, ">": value > v,
                "==": value == v}[op]


@dataclass(frozen=True)
class RuleSet:
    """A named set of limits read from a rule-set file."""

    id: str
    title: str
    source: str
    limits: tuple[Limit, ...]
    note: str | None = None
    origin: str = "<string>"

    def limit(self, limit_id: str) -> Limit:
        """The limit of that id (KeyError if none)."""
        for limit in self.limits:
            if limit.id == limit_id:
                return limit
        raise KeyError(limit_id)

    def __repr__(self) -> str:
        return f"RuleSet({self.id!r}: {len(self.limits)} limits from {self.origin})"


def bundled_rule_sets() -> tuple[str, ...]:
    """Names of the rule sets shipped in ``enrichwatch/data/rulesets/``.

    >>> "jcpoa" in bundled_rule_sets()
    True
    """
    folder = resources.files("enrichwatch").joinpath("data", "rulesets")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def load_rule_set(name_or_path: str | os.PathLike) -> RuleSet:
    """Read a rule set: a bundled one by name (``"jcpoa"``) or a TOML file by path.

    Raises
    ------
    RuleSetError
        Listing every problem of the file (or that it cannot be found or read).
    """
    text_name = os.fspath(name_or_path)
    if re.fullmatch(r"[A-Za-z0-9_-]+", text_name) and not Path(text_name).exists():
        if text_name not in bundled_rule_sets():
            raise RuleSetError([Problem(text_name, "rule set", text_name,
                                        "a bundled rule set "
                                        f"({', '.join(bundled_rule_sets())}) or a file path")])
        res = resources.files("enrichwatch").joinpath("data", "rulesets", f"{text_name}.toml")
        return parse_rule_set(res.read_text(encoding="utf-8"), f"{text_name}.toml")
    try:
        text = read_text_file(text_name)
    except (OSError, UnicodeDecodeError) as err:
        why = (err.strerror or type(err).__name__) if isinstance(err, OSError) else "not UTF-8"
        raise RuleSetError([Problem(text_name, "file", text_name,
                                    f"a readable UTF-8 file ({why})")]) from None
    return parse_rule_set(text, text_name)


def parse_rule_set(text: str, filename: str = "<string>") -> RuleSet:
    """Read and check a rule set from TOML text (see the module docstring for the schema).

    Raises
    ------
    RuleSetError
        Listing every problem at once.
    """
    doc = parse_toml(text, filename, RuleSetError)
    problems: list[Problem] = []
    header = _header(doc, filename, problems)
    raw = doc.get("limits")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(filename, "limits", raw if raw is not None else MISSING,
                                "an array of [[limits]] tables (at least one)"))
        raw = []
    limits = [_limit(entry, f"limits[{i}]", filename, problems) for i, entry in enumerate(raw)]
    _check_unique(raw, filename, problems)
    if problems:
        raise RuleSetError(problems)
    # no problems: every limit was built
    built = tuple(limit for limit in limits if limit is not None)
    return RuleSet(header["id"], header["title"], header["source"], built,
                   header.get("note"), filename)


def _text(table: dict, key: str, where: str, file: str, problems: list, allowed: str,
          required: bool = True) -> str | None:
    value = table.get(key, MISSING)
    if value is MISSING and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, f"{where}.{key}" if where else key, value, allowed))
        return None
    return value


def _unknown(table: dict, allowed: tuple[str, ...], where: str, file: str, problems: list):
    for key in table:
        if key not in allowed:
            problems.append(Problem(file, f"{where}.{key}", table[key],
                                    f"one of the keys {', '.join(allowed)}"))


def _header(doc: dict, file: str, problems: list) -> dict[str, Any]:
    table = doc.get("rule_set")
    if not isinstance(table, dict):
        problems.append(Problem(file, "rule_set", table if table is not None else MISSING,
                                "a [rule_set] table with id, title and source"))
        return {}
    _unknown(table, ("id", "title", "source", "note"), "rule_set", file, problems)
    out = {k: _text(table, k, "rule_set", file, problems, f"a non-empty {k} string")
           for k in ("id", "title", "source")}
    out["note"] = _text(table, "note", "rule_set", file, problems, "a string", required=False)
    return out


def _limit(entry: Any, where: str, file: str, problems: list) -> Limit | None:
    if not isinstance(entry, dict):
        problems.append(Problem(file, where, entry, "a [[limits]] table"))
        return None
    before = len(problems)
    _unknown(entry, _LIMIT_KEYS, where, file, problems)
    fields: dict[str, Any] = {
        "id": _text(entry, "id", where, file, problems, "a short unique limit id"),
        "description": _text(entry, "description", where, file, problems,
                             "what the limit says, in words"),
        "targets": _targets(entry.get("applies_to", MISSING), f"{where}.applies_to", file,
                            problems),
        "comparison": _choice(entry, "comparison", COMPARISONS, where, file, problems),
        "value": _number(entry, where, file, problems),
        "unit": _text(entry, "unit", where, file, problems, "the unit of the value"),
        "citation": _text(entry, "citation", where, file, problems,
                          "the document and paragraph the limit comes from"),
        "severity": _choice(entry, "severity", SEVERITIES, where, file, problems, "high"),
        "note": _text(entry, "note", where, file, problems, "a string", required=False),
    }
    fields["in_force_from"], fields["in_force_until"] = _window(entry, where, file, problems)
    return None if len(problems) > before else Limit(**fields)


def _choice(entry: dict, key: str, allowed: tuple[str, ...], where: str, file: str,
            problems: list, default: str | None = None) -> str | None:
    value = entry.get(key, MISSING if default is None else default)
    if value not in allowed:
        problems.append(Problem(file, f"{where}.{key}", value, f"one of {', '.join(allowed)}"))
        return None
    return value


def _number(entry: dict, where: str, file: str, problems: list) -> float | None:
    value = entry.get("value", MISSING)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        problems.append(Problem(file, f"{where}.value", value, "a number (the limit)"))
        return None
    return float(value)


def _window(entry: dict, where: str, file: str, problems: list):
    window = entry.get("in_force", {})
    if not isinstance(window, dict):
        problems.append(Problem(file, f"{where}.in_force", window,
                                "a table { from = YYYY-MM-DD, until = YYYY-MM-DD }"))
        return None, None
    _unknown(window, ("from", "until"), f"{where}.in_force", file, problems)
    out = []
    for key in ("from", "until"):
        value = window.get(key)
        if value is not None and not (isinstance(value, date) and type(value) is date):
            problems.append(Problem(file, f"{where}.in_force.{key}", value,
                                    "a TOML date (YYYY-MM-DD, unquoted)"))
            value = None
        out.append(value)
    if out[0] and out[1] and out[0] >= out[1]:
        problems.append(Problem(file, f"{where}.in_force.until", out[1],
                                f"a date after in_force.from ({out[0]})"))
    return out[0], out[1]


def _targets(raw: Any, where: str, file: str, problems: list) -> tuple[Target, ...] | None:
    entries = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(file, where, raw,
                                "a table { kind = ..., path = ... } or an array of them"))
        return None
    targets = [_target(e, f"{where}[{i}]" if isinstance(raw, list) else where, file, problems)
               for i, e in enumerate(entries)]
    built = [t for t in targets if t is not None]
    return None if len(built) < len(targets) else tuple(built)


def _target(entry: Any, where: str, file: str, problems: list) -> Target | None:
    if not isinstance(entry, dict):
        problems.append(Problem(file, where, entry, "a table { kind = ..., path = ... }"))
        return None
    before = len(problems)
    _unknown(entry, _TARGET_KEYS, where, file, problems)
    kind = _choice(entry, "kind", tuple(PAYLOAD_NUMBERS), where, file, problems)
    path = entry.get("path", MISSING)
    if not isinstance(path, str) or not all(_SEGMENT.match(s) for s in path.split(".")):
        problems.append(Problem(file, f"{where}.path", path,
                                "a payload path: keys joined by dots, key[] for every element "
                                "of a list, * for every value of a table"))
    elif kind and path.split(".")[0].removesuffix("[]") not in PAYLOAD_NUMBERS[kind]:
        problems.append(Problem(file, f"{where}.path", path,
                                f"a path into a {kind} payload starting with one of "
                                f"{', '.join(PAYLOAD_NUMBERS[kind])}"))
    facility = _text(entry, "facility", where, file, problems, "a facility code",
                     required=False)
    aggregate = entry.get("aggregate")
    if aggregate not in (None, "sum"):
        problems.append(Problem(file, f"{where}.aggregate", aggregate,
                                "'sum' (or no aggregate: each value is compared)"))
    if kind is None or len(problems) > before:   # kind None: a problem was recorded
        return None
    return Target(kind, path, facility, aggregate)


def _check_unique(entries: list, file: str, problems: list) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        limit_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(limit_id, str):
            continue
        if limit_id in seen:
            problems.append(Problem(file, f"limits[{i}].id", limit_id,
                                    "a limit id not used earlier in the file"))
        seen.add(limit_id)
