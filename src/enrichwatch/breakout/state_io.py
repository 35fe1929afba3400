"""Breakout state files (TOML): read and check, reporting every problem at once.

Format (``docs``: the README of ``examples/breakout``)::

    [state]
    name = "Iran, February 2023"          # required
    date = "2023-02-28"                   # optional, ISO
    description = "..."
    assumptions = ["...", "..."]          # what was assumed, and why
    sources = ["..."]

    [units]
    mass = "kg U"                         # or "kg UF6" (converted with each stock's isotopics)

    [plan]                                # optional
    intermediate_levels_pct = [20.0, 60.0]
    waste_tails_pct = 0.711

    [[stocks]]                            # one per enrichment level
    assay_pct = 60.0                      # U-235 weight percent
    mass = 87.5                           # in the [units] mass unit; or `unlimited = true`
    uncertainty_pct = 2.0                 # relative one-sigma, percent (default 0)
    source = "IAEA GOV/2023/8 via AP"
    note = "..."

    [[cascades]]                          # identical cascades
    name = "FFEP IR-6"
    facility = "Fordow"
    machine = "IR-6"                      # a machine of the catalog
    machines = 166                        # per cascade
    count = 2
    connection = "series"                 # or "parallel" (default)
    built_for = { feed_pct = 5.0, product_pct = 60.0, tails_pct = 2.0 }
    source = "IAEA GOV/INF/2023/1"
    note = "what was assumed and why"

:func:`load_state` raises :class:`StateFileError` (an
:class:`~enrichwatch.errors.InputError`, so a ``ValueError``) listing every problem, each with
the file, the key, the value and what is allowed.

Examples
--------
>>> try:
...     state_from_toml_text('''
... [state]
... name = "broken"
... [[stocks]]
... assay_pct = 160.0
... mass = 5.0
... [[cascades]]
... name = "A"
... machine = "IR-9"
... machines = 0
... ''', "broken.toml")
... except StateFileError as err:
...     caught = err
>>> for problem in caught.problems:
...     print(problem.key, "=", repr(problem.value))
stocks[0].assay_pct = 160.0
cascades[0].machines = 0
cascades[0].machine = 'IR-9'
>>> print(caught.problems[1])
broken.toml: cascades[0].machines = 0: expected a whole number of machines per cascade >= 1
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from ..composition import Assay, Composition, kg_uf6_to_kg_u
from ..dates import DATE_FORMAT, parse_date
from ..errors import InputError
from ..files import MISSING, Problem, ProblemsError, key_path, parse_toml, read_text_file
from ..physics.machines import MachineCatalog
from .catalog import bundled_catalog
from .rates import built_job_problem
from .state import CONNECTIONS, BreakoutState, BuiltJob, CascadeGroup, Stock

__all__ = ["MASS_UNITS", "StateFileError", "cascades_from_tables", "load_state",
           "state_from_toml_text"]

#: Mass units a state file may use for its stocks.
MASS_UNITS: tuple[str, ...] = ("kg U", "kg UF6")

_CONFIG = ConfigDict(strict=True, extra="forbid")
_Text = Annotated[str, Field(min_length=1)]
_Pct = Annotated[float, Field(gt=0, lt=100, allow_inf_nan=False)]
_NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_Count = Annotated[int, Field(ge=1)]
_PCT_TEXT = "a U-235 weight percent strictly between 0 and 100"


class StateFileError(ProblemsError):
    """A breakout state file (or state description) has problems; all are listed.

    A :class:`~enrichwatch.files.ProblemsError` (``problems``, one per line), hence an
    :class:`~enrichwatch.errors.InputError` and a ``ValueError``.
    """


def _f(description: str, default: Any = ..., **kw) -> Any:
    return Field(default, description=description, **kw)


class _Info(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("a non-empty name of the state")
    date: str | None = _f(f"{DATE_FORMAT} (or a month YYYY-MM, a year YYYY), as a string",
                          None)
    description: str = _f("a string", "")
    assumptions: list[str] = _f("a list of strings", [])
    sources: list[str] = _f("a list of strings", [])

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        """A real calendar date: 'YYYY-MM-DD', or 'YYYY-MM' / 'YYYY' for a period."""
        if value is None:
            return value
        padded = {4: "-01-01", 7: "-01"}.get(len(value), "")
        try:
            parse_date(value + padded)
        except InputError:
            raise ValueError("not a calendar date") from None
        return value


class _Units(BaseModel):
    model_config = _CONFIG
    mass: Literal[MASS_UNITS] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, MASS_UNITS)), "kg U")


class _Plan(BaseModel):
    model_config = _CONFIG
    intermediate_levels_pct: list[_Pct] | None = _f(
        "a list of U-235 weight percents strictly between 0 and 90", None)
    waste_tails_pct: _Pct | None = _f(_PCT_TEXT, None)


class _Stock(BaseModel):
    model_config = _CONFIG
    assay_pct: _Pct = _f(_PCT_TEXT)
    mass: _NonNeg | None = _f("a mass >= 0 in the [units] mass unit", None)
    unlimited: bool = _f("true or false", False)
    uncertainty_pct: float = _f("a relative one-sigma uncertainty from 0 to 100 [%]", 0.0,
                                ge=0.0, le=100.0, allow_inf_nan=False)
    source: str = _f("a string", "")
    note: str = _f("a string", "")


class _Job(BaseModel):
    model_config = _CONFIG
    feed_pct: _Pct = _f(_PCT_TEXT)
    product_pct: _Pct = _f(_PCT_TEXT)
    tails_pct: _Pct = _f(_PCT_TEXT)


class _Cascade(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("a non-empty name of the cascade group")
    facility: str = _f("a string", "")
    machine: _Text = _f("a machine of the catalog")
    machines: _Count = _f("a whole number of machines per cascade >= 1")
    count: _Count = _f("a whole number of cascades >= 1", 1)
    connection: Literal[CONNECTIONS] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, CONNECTIONS)), "parallel")
    built_for: _Job | None = _f("a table { feed_pct, product_pct, tails_pct }", None)
    source: str = _f("a string", "")
    note: str = _f("a string", "")


class _Document(BaseModel):
    model_config = _CONFIG
    state: _Info = _f("a [state] table with at least a name")
    units: _Units = _f("a [units] table", _Units())
    plan: _Plan = _f("a [plan] table", _Plan())
    stocks: list[_Stock] = _f("one or more [[stocks]] tables", min_length=1)
    cascades: list[_Cascade] = _f("one or more [[cascades]] tables", min_length=1)


_TABLES: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (_Document, "state"): _Info, (_Document, "units"): _Units, (_Document, "plan"): _Plan,
    (_Document, "stocks"): _Stock, (_Document, "cascades"): _Cascade,
    (_Cascade, "built_for"): _Job}


def _description(loc: tuple) -> str | None:
    """The description of the field at ``loc`` (what is allowed), if there is one."""
    model: type[BaseModel] | None = _Document
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _TABLES.get((model, part))
    return None if info is None else info.description


def _problems(raw: Mapping, file: str) -> list[Problem]:
    try:
        _Document.model_validate(raw)
    except ValidationError as err:
        out = []
        for e in err.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden":
                out.append(Problem(file, key_path(loc), e["input"], "no such key (misspelt?)"))
                continue
            value = MISSING if e["type"] == "missing" else e["input"]
            out.append(Problem(file, key_path(loc), value, _description(loc) or e["msg"]))
        return out
    return []


def _valid(model, data):
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _stock(m: _Stock, unit: str, loc: str, file: str, problems: list) -> Stock | None:
    if m.unlimited == (m.mass is not None):
        problems.append(Problem(file, f"{loc}.mass", MISSING if m.mass is None else m.mass,
                                "either a mass or `unlimited = true`, not both"))
        return None
    assay = Assay.from_weight_percent(m.assay_pct)
    if m.mass is None:  # unlimited (checked above: a mass exactly when not unlimited)
        kg = math.inf
    elif unit == "kg UF6":
        kg = float(kg_uf6_to_kg_u(m.mass, Composition.binary(assay)))
    else:
        kg = float(m.mass)
    return Stock(assay, kg, m.uncertainty_pct / 100.0, m.source, m.note)


def _job(m: _Job | None, loc: str, file: str, problems: list) -> BuiltJob | None:
    if m is None:
        return None
    if not m.tails_pct < m.feed_pct < m.product_pct:
        problems.append(Problem(file, f"{loc}.built_for",
                                {"feed_pct": m.feed_pct, "product_pct": m.product_pct,
                                 "tails_pct": m.tails_pct}, "tails_pct < feed_pct < product_pct"))
        return None
    w = Assay.from_weight_percent
    return BuiltJob(w(m.feed_pct), w(m.product_pct), w(m.tails_pct))


def _unknown_machines(items, where: str, catalog: MachineCatalog, file: str,
                      problems: list) -> None:
    """A problem for every machine name not in the catalog (whatever else is wrong)."""
    for i, item in enumerate(items if isinstance(items, list) else []):
        name = item.get("machine") if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip() and name not in catalog:
            problems.append(Problem(file, f"{where}[{i}].machine", name,
                                    f"a machine of the catalog: {', '.join(catalog.names)}"))


def _cascade(m: _Cascade, loc: str, catalog: MachineCatalog, file: str, problems: list):
    if m.machine not in catalog:
        return None
    job = _job(m.built_for, loc, file, problems)
    if m.built_for is not None and job is None:
        return None
    kwargs = {} if job is None else {"built_for": job}
    group = CascadeGroup(m.name, catalog.get(m.machine), m.machines, m.count, m.facility,
                         m.connection, source=m.source, note=m.note, **kwargs)
    _, per = group.units("as-built")
    problem = built_job_problem(group.machine, per, group.built_for)
    if problem:
        problems.append(Problem(file, f"{loc}.machines", m.machines,
                                f"enough machines for the built_for job ({problem})"))
        return None
    return group


def _entries(raw, key, model, convert, file, problems) -> list:
    items = raw.get(key, [])
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        m = _valid(model, item)
        out.append(None if m is None else convert(m, f"{key}[{i}]"))
    return out


def _duplicates(raw, file, problems) -> None:
    seen: dict[float, int] = {}
    for i, item in enumerate(raw.get("stocks", []) if isinstance(raw.get("stocks"), list)
                             else []):
        x = item.get("assay_pct") if isinstance(item, dict) else None
        if isinstance(x, int | float) and x in seen:
            problems.append(Problem(file, f"stocks[{i}].assay_pct", x,
                                    f"each assay once (also in stocks[{seen[x]}])"))
        elif isinstance(x, int | float):
            seen[x] = i
    names: dict[str, int] = {}
    for i, item in enumerate(raw.get("cascades", []) if isinstance(raw.get("cascades"), list)
                             else []):
        n = item.get("name") if isinstance(item, dict) else None
        if isinstance(n, str) and n in names:
            problems.append(Problem(file, f"cascades[{i}].name", n,
                                    f"a unique name (also cascades[{names[n]}])"))
        elif isinstance(n, str):
            names[n] = i


def _plan(raw, stocks, file, problems):
    plan = _valid(_Plan, raw.get("plan", {}))
    if plan is None:
        return None, None
    levels = None
    if plan.intermediate_levels_pct is not None:
        bad = [x for x in plan.intermediate_levels_pct if x >= 90.0]
        if bad:
            problems.append(Problem(file, "plan.intermediate_levels_pct",
                                    plan.intermediate_levels_pct,
                                    "U-235 weight percents below 90 (the product level)"))
        levels = tuple(Assay.from_weight_percent(x) for x in plan.intermediate_levels_pct
                       if x < 90.0)
    waste = None
    if plan.waste_tails_pct is not None:
        waste = Assay.from_weight_percent(plan.waste_tails_pct)
        lows = [100 * float(s.assay.mass_fraction) for s in stocks if s is not None]
        lows += [100 * float(a.mass_fraction) for a in levels or ()]
        if lows and plan.waste_tails_pct >= min(lows):
            problems.append(Problem(file, "plan.waste_tails_pct", plan.waste_tails_pct,
                                    f"a tails assay below the lowest level {min(lows):g} %"))
    return levels, waste


def cascades_from_tables(items, file: str, where: str = "cascades",
                         catalog: MachineCatalog | None = None) -> tuple[CascadeGroup, ...]:
    """Cascade groups from a list of ``[[cascades]]``-style tables (used by the timeline's
    installed-machine file); raises :class:`StateFileError` listing every problem."""
    catalog = bundled_catalog() if catalog is None else catalog
    problems: list[Problem] = []
    if not isinstance(items, list) or not items:
        raise StateFileError([Problem(file, where, items, "one or more cascade tables")])
    groups = []
    _unknown_machines(items, where, catalog, file, problems)
    for i, item in enumerate(items):
        loc = f"{where}[{i}]"
        try:
            m = _Cascade.model_validate(item)
        except ValidationError as err:
            problems.extend(Problem(file, f"{loc}.{key_path(tuple(e['loc']))}",
                                    MISSING if e["type"] == "missing" else e["input"],
                                    _description(("cascades", 0) + tuple(e["loc"]))
                                    or e["msg"]) for e in err.errors())
            continue
        groups.append(_cascade(m, loc, catalog, file, problems))
    if problems:
        raise StateFileError(problems)
    return tuple(groups)


def state_from_toml_text(text: str, filename: str = "<text>",
                         catalog: MachineCatalog | None = None) -> BreakoutState:
    """Read a state from TOML text (see the module docstring for the format).

    Raises
    ------
    StateFileError
        Listing every problem found.
    """
    raw = parse_toml(text, filename, StateFileError)
    catalog = bundled_catalog() if catalog is None else catalog
    problems = _problems(raw, filename)
    _duplicates(raw, filename, problems)
    _unknown_machines(raw.get("cascades"), "cascades", catalog, filename, problems)
    info = _valid(_Info, raw.get("state"))
    units = _valid(_Units, raw.get("units", {}))
    unit = "kg U" if units is None else units.mass
    stocks = _entries(raw, "stocks", _Stock,
                      lambda m, loc: _stock(m, unit, loc, filename, problems), filename,
                      problems)
    cascades = _entries(raw, "cascades", _Cascade,
                        lambda m, loc: _cascade(m, loc, catalog, filename, problems),
                        filename, problems)
    levels, waste = _plan(raw, stocks, filename, problems)
    if problems:
        raise StateFileError(problems)
    try:
        return BreakoutState(info.name, tuple(stocks), tuple(cascades), info.date,
                             info.description, levels, waste, tuple(info.assumptions),
                             tuple(info.sources), filename)
    except InputError as err:
        raise StateFileError([Problem(filename, err.param, err.value, err.allowed)]) from None


def load_state(path: str | Path, catalog: MachineCatalog | None = None) -> BreakoutState:
    """Read a breakout state file (TOML).

    Parameters
    ----------
    path : str or Path
    catalog : MachineCatalog, optional
        Machine catalog to resolve machine names (default: the bundled one).

    Raises
    ------
    StateFileError
        The file cannot be read, or has problems (all listed).

    Examples
    --------
    >>> from importlib import resources
    >>> p = resources.files("enrichwatch").joinpath("data", "stockpile", "feb-2023.toml")
    >>> load_state(p).ladder().stock_kg[-2]
    43.75
    """
    p = Path(path)
    try:
        text = read_text_file(p)
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise StateFileError([Problem(str(p), "<file>", str(p),
                                      f"a readable TOML file ({reason})")]) from None
    return state_from_toml_text(text, str(p.name) if p.is_absolute() else str(p), catalog)
