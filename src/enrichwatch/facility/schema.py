"""The edge: strict pydantic models of a plant file, and their errors turned into problems.

pydantic is used here only, to check the shape and types of the parsed TOML (``extra="forbid"``
catches misspelt keys); its errors become :class:`~.problems.Problem` entries worded from each
field's description. Entries that pass become the frozen values of :mod:`.specs`; entries that fail
are kept as ``None`` so that the cross-reference checks (:mod:`.checks`) still run on the rest.

Examples
--------
>>> raw = {"facility": {"name": "X"}, "units": {"rat": "kg U/yr"},
...        "cascades": [{"name": "A", "machine": "IR-1", "machines_per_stage": [1, 0]}],
...        "feeds": []}
>>> parts, problems = parse_document(raw, "x.toml")
>>> for p in problems:
...     print(p.key, "=", repr(p.value))
units.rat = 'kg U/yr'
cascades[0].machines_per_stage[1] = 0
feeds = []
>>> print(problems[0])
x.toml: units.rat = 'kg U/yr': expected one of the keys rate (did you mean 'rate'?)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..composition import isotope_name
from ..constants import RATE_UNITS, URANIUM_ISOTOPES
from ..errors import UnknownNameError
from ..files import key_path, pydantic_problem
from .checks import Parts
from .limits import limit_problems
from .problems import Problem
from .specs import (
    DEFAULT_RATE_UNIT,
    CascadeSpec,
    DesignSpec,
    FeedSpec,
    Isotopics,
    MachineSpec,
    PlantInfo,
    StreamSpec,
    WithdrawalSpec,
)

_M = TypeVar("_M", bound=BaseModel)

__all__ = ["parse_document"]

_CONFIG = ConfigDict(strict=True, extra="forbid", populate_by_name=False)

_Name = Annotated[str, Field(pattern=r"^\S(?:[\s\S]*\S)?$")]
_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Cut = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
_Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
_OpenPercent = Annotated[float, Field(gt=0, lt=100, allow_inf_nan=False)]
_Stage = Annotated[int, Field(ge=0)]
_Count = Annotated[int, Field(ge=1)]
_Basis = Literal["mass", "atom"]

_RATE = "in the [units] rate unit"
_COMPOSITION = ("isotope percents from 0 to 100 summing to 100, e.g. { U235 = 5.0, U238 = 95.0 }"
                f" (isotopes {', '.join(URANIUM_ISOTOPES)})")
_OUTPUT = "'<cascade>.product' or '<cascade>.tails'"
_KEY_TEXT = "a non-empty name without leading or trailing spaces"


def _f(description: str, default: Any = ..., **kwargs) -> Any:
    return Field(default, description=description, **kwargs)


class _PlantModel(BaseModel):
    model_config = _CONFIG
    name: _Name = _f("a non-empty plant name")
    country: str | None = _f("a string", None)
    description: str | None = _f("a string", None)
    illustrative: bool = _f("true or false", False)
    assumptions: list[str] = _f("a list of strings", [])
    sources: list[str] = _f("a list of strings", [])


class _UnitsModel(BaseModel):
    model_config = _CONFIG
    rate: Literal[tuple(RATE_UNITS)] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, RATE_UNITS)), DEFAULT_RATE_UNIT)


class _MachineModel(BaseModel):
    model_config = _CONFIG
    source: _Name = _f("a non-empty public source for the machine's figures")
    swu_per_yr: _Positive | None = _f("a separative power > 0 [kg SWU/yr]", None)
    swu_range_per_yr: list[_Positive] | None = _f(
        "[low, high] in kg SWU/yr with 0 < low <= swu_per_yr <= high", None,
        min_length=2, max_length=2)
    design_cut: _Cut | None = _f("a cut strictly between 0 and 1", None)
    stage_factor: Annotated[float, Field(gt=1, allow_inf_nan=False)] | None = _f(
        "an overall U-235/U-238 stage separation factor > 1", None)
    length_m: _Positive | None = _f("a rotor length > 0 [m]", None)
    diameter_m: _Positive | None = _f("a rotor diameter > 0 [m]", None)
    speed_m_s: _Positive | None = _f("a peripheral speed > 0 [m/s]", None)
    temperature_k: _Positive | None = _f("a gas temperature > 0 [K]", None)
    flow_ratio: _Positive | None = _f("an internal flow ratio L/F > 0", None)


class _DesignModel(BaseModel):
    model_config = _CONFIG
    feed: dict[str, _Percent] = _f(_COMPOSITION)
    basis: _Basis = _f("'mass' or 'atom'", "mass")
    product_assay_pct: _OpenPercent = _f("a U-235 percent strictly between 0 and 100")
    tails_assay_pct: _OpenPercent = _f("a U-235 percent strictly between 0 and 100")
    total_machines: _Count | None = _f("a whole number of machines >= 1", None)
    feed_rate: _Positive | None = _f(f"a design feed rate > 0 {_RATE}", None)


class _CascadeModel(BaseModel):
    model_config = _CONFIG
    name: _Name = _f("a non-empty cascade name without leading or trailing spaces")
    machine: _Name = _f("a machine name from the catalog or from [machines]")
    machines_per_stage: list[_Count] | None = _f(
        "a list of whole numbers >= 1, the machines in each stage from the tails end", None,
        min_length=1)
    feed_stage: _Stage | None = _f("a stage number >= 0 (0 = the tails end)", None)
    cuts: list[_Cut] | None = _f("a list of cuts strictly between 0 and 1, one per stage", None,
                                 min_length=1)
    design: _DesignModel | None = _f("a [cascades.design] table", None)


class _StreamModel(BaseModel):
    model_config = _CONFIG
    origin: str = _f(_OUTPUT, alias="from")
    target: str = _f("the name of a cascade", alias="to")
    stage: _Stage | None = _f("a stage number >= 0 (0 = the tails end)", None)
    fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = _f(
        "a share of the output in (0, 1]", 1.0)


class _FeedModel(BaseModel):
    model_config = _CONFIG
    name: _Name = _f("a non-empty feed name")
    target: str = _f("the name of a cascade", alias="to")
    stage: _Stage | None = _f("a stage number >= 0 (0 = the tails end)", None)
    rate: _Positive = _f(f"a feed rate > 0 {_RATE}")
    composition: dict[str, _Percent] = _f(_COMPOSITION)
    basis: _Basis = _f("'mass' or 'atom'", "mass")


class _WithdrawalModel(BaseModel):
    model_config = _CONFIG
    origin: str = _f(_OUTPUT, alias="from")
    name: _Name | None = _f("a non-empty withdrawal name", None)
    rate: _Positive | None = _f(f"an imposed withdrawal rate > 0 {_RATE}", None)


class _Document(BaseModel):
    model_config = _CONFIG
    facility: _PlantModel = _f("a [facility] table with at least a name")
    units: _UnitsModel = _f("a [units] table", _UnitsModel())
    machines: dict[_Name, _MachineModel] = _f("[machines.<name>] tables", {})
    cascades: list[_CascadeModel] = _f("one or more [[cascades]] tables", min_length=1)
    streams: list[_StreamModel] = _f("[[streams]] tables", [])
    feeds: list[_FeedModel] = _f("one or more [[feeds]] tables", min_length=1)
    withdrawals: list[_WithdrawalModel] = _f("[[withdrawals]] tables", [])


# -- pydantic errors -> problems (enrichwatch.files) -----------------------------------------
def _misplaced(key: str, holder: type[BaseModel] | None) -> str | None:
    """The hint for a top-level key written inside a table."""
    if holder is not _Document and key in _Document.model_fields:
        return (f"{key!r} is a top-level key: write it as its own table, or before the first"
                " [table] header, since keys after a header belong to that table")
    return None


def _problem(error: Mapping, file: str) -> Problem:
    return Problem(file, *pydantic_problem(error, _Document, bad_key=_KEY_TEXT, hint=_misplaced))


def _pydantic_problems(raw: Mapping, file: str) -> list[Problem]:
    try:
        _Document.model_validate(raw)
    except ValidationError as err:
        return [_problem(e, file) for e in err.errors()]
    return []


# -- entries -> specs -----------------------------------------------------------------------------
def _valid(model: type[_M], data) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _isotopics(values: Mapping[str, float], basis: str, loc: tuple, file: str,
               problems: list[Problem]) -> Isotopics | None:
    named: dict[str, tuple[str, float]] = {}
    ok = True
    for key, value in values.items():
        try:
            iso = isotope_name(key)
        except UnknownNameError:
            problems.append(Problem(file, key_path(loc + (key,)), key,
                                    f"an isotope: one of {', '.join(URANIUM_ISOTOPES)} "
                                    "(also written U-235 or 235U)"))
            ok = False
            continue
        if iso in named:
            problems.append(Problem(file, key_path(loc + (key,)), key,
                                    f"each isotope once ({iso} is also given as "
                                    f"{named[iso][0]!r})"))
            ok = False
        named.setdefault(iso, (key, value))
    if not ok:
        return None
    return Isotopics(tuple((i, named[i][1]) for i in URANIUM_ISOTOPES if i in named), basis)


def _info(m: _PlantModel, *_) -> PlantInfo:
    return PlantInfo(m.name, m.country, m.description, m.illustrative, tuple(m.assumptions),
                     tuple(m.sources))


def _machine(m: _MachineModel, name: str) -> MachineSpec:
    rng = None if m.swu_range_per_yr is None else (m.swu_range_per_yr[0], m.swu_range_per_yr[1])
    return MachineSpec(name, m.source, m.swu_per_yr, rng, m.design_cut, m.stage_factor,
                       m.length_m, m.diameter_m, m.speed_m_s, m.temperature_k, m.flow_ratio)


def _cascade(m: _CascadeModel, loc: tuple, file: str, problems: list) -> CascadeSpec | None:
    design = None
    if m.design is not None:
        d = m.design
        feed = _isotopics(d.feed, d.basis, loc + ("design", "feed"), file, problems)
        if feed is None:
            return None
        design = DesignSpec(feed, d.product_assay_pct, d.tails_assay_pct, d.total_machines,
                            d.feed_rate)
    layout = None if m.machines_per_stage is None else tuple(m.machines_per_stage)
    cuts = None if m.cuts is None else tuple(m.cuts)
    return CascadeSpec(m.name, m.machine, layout, m.feed_stage, cuts, design)


def _stream(m: _StreamModel, *_) -> StreamSpec:
    return StreamSpec(m.origin, m.target, m.stage, m.fraction)


def _feed(m: _FeedModel, loc: tuple, file: str, problems: list) -> FeedSpec | None:
    isotopics = _isotopics(m.composition, m.basis, loc + ("composition",), file, problems)
    return None if isotopics is None else FeedSpec(m.name, m.target, m.rate, isotopics, m.stage)


def _withdrawal(m: _WithdrawalModel, *_) -> WithdrawalSpec:
    return WithdrawalSpec(m.origin, m.name, m.rate)


def _entries(raw: Mapping, section: str, model: type[BaseModel], convert: Callable,
             file: str, problems: list) -> tuple:
    items = raw.get(section, [])
    if not isinstance(items, list):
        return ()
    out = []
    for i, item in enumerate(items):
        m = _valid(model, item)
        out.append(None if m is None else convert(m, (section, i), file, problems))
    return tuple(out)


def _machines(raw: Mapping) -> tuple[tuple[MachineSpec, ...], tuple[str, ...]]:
    table = raw.get("machines", {})
    if not isinstance(table, dict):
        return (), ()
    valid = {name: _valid(_MachineModel, entry) for name, entry in table.items()
             if name and name == name.strip()}
    specs = tuple(_machine(m, name) for name, m in valid.items() if m is not None)
    return specs, tuple(name for name, m in valid.items() if m is None)


def _cascade_names(raw: Mapping) -> tuple[str | None, ...]:
    items = raw.get("cascades", [])
    if not isinstance(items, list):
        return ()
    return tuple(c.get("name") if isinstance(c, dict) and isinstance(c.get("name"), str)
                 else None for c in items)


def parse_document(raw: Mapping, file: str) -> tuple[Parts, list[Problem]]:
    """Check a parsed TOML document against the format; return its parts and the problems.

    Parameters
    ----------
    raw : mapping
        The document as parsed by :mod:`tomllib`.
    file : str
        File name used in the problems.

    Returns
    -------
    parts : Parts
        Every entry that passed the format checks (``None`` for those that did not).
    problems : list of Problem
        Format problems (shape, types, ranges, unknown keys, unknown isotopes), in order; or,
        for a description larger than the limits of :mod:`.limits`, only those (and no parts).
    """
    too_large = limit_problems(raw, file)
    if too_large:
        return Parts(file=file, format_ok=False), too_large
    problems = _pydantic_problems(raw, file)
    info = _valid(_PlantModel, raw.get("facility"))
    units = _valid(_UnitsModel, raw.get("units", {}))
    machines, failed = _machines(raw)
    args = (file, problems)
    parts = Parts(
        file=file,
        info=None if info is None else _info(info),
        rate_unit=None if units is None else units.rate,
        machines=machines,
        failed_machines=failed,
        cascade_names=_cascade_names(raw),
        cascades=_entries(raw, "cascades", _CascadeModel, _cascade, *args),
        streams=_entries(raw, "streams", _StreamModel, _stream, *args),
        feeds=_entries(raw, "feeds", _FeedModel, _feed, *args),
        withdrawals=_entries(raw, "withdrawals", _WithdrawalModel, _withdrawal, *args),
    )
    return dataclasses.replace(parts, format_ok=not problems), problems
