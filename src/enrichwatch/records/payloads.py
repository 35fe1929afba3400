"""The edge: strict pydantic models of each kind's payload, and their errors turned into problems.

:func:`validate_payload` checks a payload's shape, types and ranges (unknown keys are rejected),
then the checks within it (a sample's ``max_u235_pct`` is its largest result; particle fractions
add up to at most 1; no more machines enriching than installed; plant descriptions read as
valid plant TOML), and returns the payload normalised to JSON values (defaults filled in, dates as
ISO strings). Checks against other records live in :mod:`.rules`.

Examples
--------
>>> validate_payload("sample", {"inspection": 4, "sample_id": "ES-1", "kind": "environmental",
...                             "max_u235_pct": 83.7, "results": [{"u235_pct": 83.7}]}, "draft 1")
... # doctest: +NORMALIZE_WHITESPACE
{'inspection': 4, 'sample_id': 'ES-1', 'kind': 'environmental', 'max_u235_pct': 83.7,
 'results': [{'u235_pct': 83.7, 'fraction_of_particles': None}], 'summary': ''}
>>> try:
...     validate_payload("sample", {"inspection": 4, "sample_id": "ES-1",
...                                 "kind": "environmental", "max_u235_pct": 60.0,
...                                 "results": [{"u235_pct": 120.0}]}, "draft 1")
... except RecordError as err:
...     print(err)
draft 1: payload.results[0].u235_pct = 120.0: expected a U-235 percent from 0 to 100
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..dates import DATE_FORMAT, parse_date
from ..errors import InputError
from ..files import key_path, pydantic_problem
from .errors import RecordError, RecordProblem
from .model import PARTY_ID_TEXT, is_party_id
from .signing import is_public_key_hex

__all__ = ["CHANGES", "INSPECTION_KINDS", "MATERIALS", "PAYLOAD_MODELS", "SAMPLE_KINDS",
           "validate_payload"]

#: Allowed ``inspection`` payload kinds (DIV: design information verification; LFUA: limited
#: frequency unannounced access).
INSPECTION_KINDS = ("announced", "unannounced", "short-notice", "LFUA", "DIV")
#: Allowed ``sample`` payload kinds.
SAMPLE_KINDS = ("environmental", "destructive-assay")

_CONFIG = ConfigDict(strict=True, extra="forbid")
_REL_TOL = 1e-9
_PCT = "a U-235 percent from 0 to 100"


def _parsed_date(value: Any) -> Any:
    try:
        return parse_date(value)
    except InputError:
        return value  # the strict date check then reports it, worded by the field


def _public_key(value: Any) -> Any:
    if not is_public_key_hex(value):
        raise ValueError("not an Ed25519 public key")
    return value


def _party_id(value: Any) -> Any:
    if not is_party_id(value):
        raise ValueError("not a party id")
    return value


_Text = Annotated[str, Field(pattern=r"\S")]
_Date = Annotated[date, BeforeValidator(_parsed_date)]
_Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
_PositivePct = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
_NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_Count = Annotated[int, Field(ge=0)]
_Level = Annotated[str, Field(pattern=r"^le(100|[1-9]?[0-9](\.[0-9]+)?)$")]
_PublicKey = Annotated[str, BeforeValidator(_public_key)]
_PartyId = Annotated[str, BeforeValidator(_party_id)]


def _f(description: str, default: Any = ..., **kwargs) -> Any:
    return Field(default, description=description, **kwargs)


class FacilityPayload(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("a non-empty facility name")
    country: str | None = _f("a country name (or none)", None)
    description: str | None = _f("a description (or none)", None)


class StatedHistory(BaseModel):
    model_config = _CONFIG
    file: _Text = _f("a non-empty label: the history file it was read from")
    text: _Text = _f("an operating history as TOML text (docs/history-format.md)")


class DeclarationPayload(BaseModel):
    model_config = _CONFIG
    declared_on: _Date = _f(f"{DATE_FORMAT}, the date the State declared it")
    plant: _Text = _f("the declared plant description as TOML text (docs/plant-format.md)")
    declared_max_assay_pct: _PositivePct = _f(
        "the declared maximum product assay, a U-235 percent in (0, 100]")
    summary: str = _f("a string", "")
    # operating histories of the declared plant, stated assumptions with their sources (the
    # evaluation runs them when a sample is above what the plant makes in steady state);
    # left out of the stored payload when empty, so declarations without them are unchanged
    histories: list[StatedHistory] = _f(
        "a list of { file = label, text = history TOML } tables", [], exclude_if=lambda v: not v)


class Measurement(BaseModel):
    model_config = _CONFIG
    item: _Text = _f("a non-empty name of the item measured")
    quantity: Literal["enrichment"] = _f("'enrichment'")
    value_pct: _Pct = _f(_PCT)
    uncertainty_pct: _NonNegative | None = _f("an uncertainty >= 0 in U-235 percent", None)


class InspectionPayload(BaseModel):
    model_config = _CONFIG
    kind: Literal[INSPECTION_KINDS] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, INSPECTION_KINDS)))
    observed_plant: _Text | None = _f(
        "the observed plant description as TOML text (docs/plant-format.md), or none", None)
    measurements: list[Measurement] = _f("a list of measurement tables", [])
    summary: str = _f("a string", "")


class SampleResult(BaseModel):
    model_config = _CONFIG
    u235_pct: _Pct = _f(_PCT)
    fraction_of_particles: _Fraction | None = _f("a fraction from 0 to 1 (or none)", None)


class SamplePayload(BaseModel):
    model_config = _CONFIG
    inspection: Annotated[int, Field(ge=1)] = _f("the record id of the inspection (>= 1)")
    sample_id: _Text = _f("a non-empty sample identifier")
    kind: Literal[SAMPLE_KINDS] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, SAMPLE_KINDS)))
    max_u235_pct: _Pct = _f(_PCT)
    results: list[SampleResult] = _f("a list of isotopic result tables", [])
    summary: str = _f("a string", "")


class ReportPayload(BaseModel):
    model_config = _CONFIG
    document: _Text = _f("a non-empty document symbol, e.g. 'GOV/INF/2023/1'")
    title: str = _f("a title", "")
    summary: str = _f("a string", "")


class StockpilePayload(BaseModel):
    model_config = _CONFIG
    kg_u_by_level: dict[_Level, _NonNegative] = _f(
        "masses >= 0 [kg U] by U-235 level, keys 'le<percent>' (le2, le5, le20, le60, ...)")
    total_kg_u: _NonNegative = _f("a total mass >= 0 [kg U]")


class InstalledMachinesPayload(BaseModel):
    model_config = _CONFIG
    machines: dict[_Text, _Count] = _f("machine counts >= 0 by machine type")
    enriching: dict[_Text, _Count] = _f("counts >= 0 of machines enriching, by type", {})
    cascades: _Count | None = _f("a number of cascades >= 0 (or none)", None)


class PartyPayload(BaseModel):
    model_config = _CONFIG
    party: _PartyId = _f(PARTY_ID_TEXT)
    public_key: _PublicKey = _f("an Ed25519 public key as 64 lower-case hex digits")
    requires_signature: bool = _f("true or false")


# -- accountancy reports (issue 10): inventory changes, physical inventories, balances ---------
#: Inventory changes an ICR entry may record (receipts increase the inventory of the area, the
#: others decrease it, except ``production``).
CHANGES = ("receipt", "shipment", "loss", "discard", "production", "other")
#: Material categories for significant quantities.
MATERIALS = ("depleted", "natural", "LEU", "HEU")
_KG_U = "a mass >= 0 [kg U]"
_RSD = "a relative standard deviation >= 0 and < 1"
_Rsd = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]


class InventoryChange(BaseModel):
    model_config = _CONFIG
    date: _Date = _f(f"{DATE_FORMAT}, the day of the change (in the report's period)")
    kmp: _Text = _f("the key measurement point (a non-empty name)")
    change: Literal[CHANGES] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, CHANGES)))
    batch: str = _f("a batch or item identifier", "")
    items: Annotated[int, Field(ge=1)] = _f("a number of items >= 1", 1)
    kg_u: _NonNegative = _f(_KG_U)
    u235_pct: _Pct | None = _f(_PCT + " (or none)", None)
    shipper_kg_u: _NonNegative | None = _f(_KG_U + ", the shipper's value (receipts)", None)
    sigma_kg_u: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "the standard deviation > 0 [kg U] of shipper minus receiver (or none)", None)


class InventoryChangePayload(BaseModel):
    model_config = _CONFIG
    mba: _Text = _f("the material balance area (a non-empty name)")
    period_start: _Date = _f(f"{DATE_FORMAT}, the inventory date opening the period")
    period_end: _Date = _f(f"{DATE_FORMAT}, the last day of the period")
    entries: list[InventoryChange] = _f("a list of inventory change tables", [])
    summary: str = _f("a string", "")


class InventoryItem(BaseModel):
    model_config = _CONFIG
    kmp: _Text = _f("the key measurement point (a non-empty name)")
    batch: str = _f("a batch or item identifier", "")
    items: Annotated[int, Field(ge=1)] = _f("a number of items >= 1", 1)
    kg_u: _NonNegative = _f(_KG_U)
    u235_pct: _Pct | None = _f(_PCT + " (or none)", None)


class PhysicalInventoryPayload(BaseModel):
    model_config = _CONFIG
    mba: _Text = _f("the material balance area (a non-empty name)")
    items: list[InventoryItem] = _f("a list of inventory item tables", [])
    summary: str = _f("a string", "")


class BalanceFigures(BaseModel):
    model_config = _CONFIG
    beginning_kg: _NonNegative = _f("the beginning physical inventory >= 0 [kg]")
    inputs_kg: _NonNegative = _f("the increases >= 0 [kg]")
    outputs_kg: _NonNegative = _f("the decreases >= 0 [kg]")
    ending_kg: _NonNegative = _f("the ending physical inventory >= 0 [kg]")
    muf_kg: Annotated[float, Field(allow_inf_nan=False)] = _f(
        "MUF = beginning + inputs - outputs - ending [kg]")
    sigma_muf_kg: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "sigma-MUF > 0 [kg] (or none)", None)
    covariance_previous_kg2: Annotated[float, Field(allow_inf_nan=False)] | None = _f(
        "the covariance of this MUF with the previous balance's [kg^2] (or none: 0)", None)


class DeclaredBatch(BaseModel):
    model_config = _CONFIG
    items: Annotated[int, Field(ge=1)] = _f("a number of items >= 1", 1)
    kg_u: _NonNegative = _f(_KG_U)
    u235_pct: _PositivePct = _f("a U-235 percent in (0, 100]")


class DeclaredProduction(BaseModel):
    model_config = _CONFIG
    feed: Annotated[list[DeclaredBatch], Field(min_length=1)] = _f("a non-empty list of batches")
    product: Annotated[list[DeclaredBatch], Field(min_length=1)] = _f(
        "a non-empty list of batches")
    tails: Annotated[list[DeclaredBatch], Field(min_length=1)] = _f(
        "a non-empty list of batches")
    operating_fraction: _Fraction = _f("a fraction from 0 to 1 of the period the cascades ran",
                                       1.0)
    mass_random_rsd: _Rsd | None = _f(_RSD + " of the weighing, random (or none: the "
                                      "catalog's load-cell weighing)", None)
    mass_systematic_rsd: _Rsd | None = _f(_RSD + " of the weighing, systematic (or none: "
                                          "the catalog's)", None)
    assay_random_rsd: _Rsd | None = _f(_RSD + " of the assays, random (or none: the "
                                       "catalog's gas-source mass spectrometry)", None)
    assay_systematic_rsd: _Rsd | None = _f(_RSD + " of the assays, systematic (or none: "
                                           "the catalog's)", None)


class MaterialBalancePayload(BaseModel):
    model_config = _CONFIG
    mba: _Text = _f("the material balance area (a non-empty name)")
    period_start: _Date = _f(f"{DATE_FORMAT}, the inventory date opening the period")
    period_end: _Date = _f(f"{DATE_FORMAT}, the inventory date closing the period")
    material: Literal[MATERIALS] = _f(  # type: ignore[valid-type]
        "one of " + ", ".join(map(repr, MATERIALS)) + " (for significant quantities)", "LEU")
    balances: dict[Literal["U", "U235"], BalanceFigures] = _f(
        "balance tables by quantity, 'U' [kg U] and/or 'U235' [kg U-235]")
    production: DeclaredProduction | None = _f(
        "the declared feed, product and tails of the period (or none)", None)
    sequence: bool = _f("true or false: whether the balance is one of the area's consecutive "
                        "balances (false for one spanning others, e.g. a year's)", True)
    summary: str = _f("a string", "")


#: What a policy's ``signers`` may list: a record kind (other than party and policy, which the
#: key rules govern) or ``"*"`` (every kind not listed).
_POLICY_KINDS = ("*", "facility", "declaration", "inspection", "sample", "report", "stockpile",
                 "installed_machines", "inventory_change_report", "physical_inventory_listing",
                 "material_balance_report")
_PolicyKind = Literal[_POLICY_KINDS]  # type: ignore[valid-type]


class PolicyPayload(BaseModel):
    model_config = _CONFIG
    authority: _Text = _f("the party id of the store's authority (a registered party)")
    signers: dict[_PolicyKind, Annotated[list[_Text], Field(min_length=1)]] = _f(
        "record kind ('*': every other kind) -> non-empty list of the parties that may sign it",
        {})
    summary: str = _f("a text", "")


#: The payload model of each record kind.
PAYLOAD_MODELS: Mapping[str, type[BaseModel]] = types.MappingProxyType({
    "facility": FacilityPayload, "declaration": DeclarationPayload,
    "inspection": InspectionPayload, "sample": SamplePayload, "report": ReportPayload,
    "stockpile": StockpilePayload, "installed_machines": InstalledMachinesPayload,
    "party": PartyPayload, "policy": PolicyPayload,
    "inventory_change_report": InventoryChangePayload,
    "physical_inventory_listing": PhysicalInventoryPayload,
    "material_balance_report": MaterialBalancePayload,
})

_MODELS: dict[str, type[BaseModel]] = dict(PAYLOAD_MODELS)

# -- pydantic errors -> problems (enrichwatch.files) -----------------------------------------


def _key_path(loc: tuple) -> str:
    return key_path(("payload", *loc), quote=False)


def _problem(error: Mapping, model: type[BaseModel], where: str) -> RecordProblem:
    return RecordProblem(where, *pydantic_problem(error, model, path=_key_path))


# -- checks within a payload ----------------------------------------------------------------------
_Check = Callable[[Any, str], list[RecordProblem]]


def _plant_problems(text: str | None, key: str, where: str) -> list[RecordProblem]:
    if text is None:
        return []
    from ..facility import Facility, FacilityFileError  # heavy: imported only when needed

    try:
        Facility.from_toml_text(text, filename=f"{where} {key}")
    except FacilityFileError as err:
        return [RecordProblem(where, f"{key}: {p.key}", p.value, p.allowed)
                for p in err.problems]
    return []


def _declaration(p: DeclarationPayload, where: str) -> list[RecordProblem]:
    problems = _plant_problems(p.plant, "payload.plant", where)
    if p.histories and not problems:
        problems = _history_problems(p, where)
    return problems


def _history_problems(p: DeclarationPayload, where: str) -> list[RecordProblem]:
    """Each stated history read against the declared plant (docs/history-format.md)."""
    from ..facility import Facility  # heavy: imported only when needed
    from ..facility.history import HistoryFileError, embedded_history

    plant = Facility.from_toml_text(p.plant, filename=f"{where} payload.plant")
    problems = []
    for i, h in enumerate(p.histories):
        key = f"payload.histories[{i}] ({h.file})"
        try:
            embedded_history(h.text, plant, f"{where} {key}")
        except HistoryFileError as err:
            problems += [RecordProblem(where, f"{key}: {q.key}", q.value, q.allowed)
                         for q in err.problems]
        except InputError as err:
            problems.append(RecordProblem(where, f"{key}: {err.param}", err.value, err.allowed))
    return problems


def _inspection(p: InspectionPayload, where: str) -> list[RecordProblem]:
    return _plant_problems(p.observed_plant, "payload.observed_plant", where)


def _sample(p: SamplePayload, where: str) -> list[RecordProblem]:
    problems = []
    if p.results:
        largest = max(r.u235_pct for r in p.results)
        if not math.isclose(p.max_u235_pct, largest, rel_tol=_REL_TOL, abs_tol=_REL_TOL):
            problems.append(RecordProblem(where, "payload.max_u235_pct", p.max_u235_pct,
                                          f"the largest u235_pct of the results, {largest!r}"))
    total = sum(r.fraction_of_particles or 0.0 for r in p.results)
    if total > 1 + _REL_TOL:
        problems.append(RecordProblem(where, "payload.results", f"fractions adding to {total!r}",
                                      "fraction_of_particles adding up to at most 1"))
    return problems


def _stockpile(p: StockpilePayload, where: str) -> list[RecordProblem]:
    levels = sum(p.kg_u_by_level.values())
    if levels > p.total_kg_u * (1 + _REL_TOL) + _REL_TOL:
        return [RecordProblem(where, "payload.total_kg_u", p.total_kg_u,
                              f"at least the sum of kg_u_by_level, {levels!r} kg U")]
    return []


def _installed(p: InstalledMachinesPayload, where: str) -> list[RecordProblem]:
    problems = []
    for machine, count in p.enriching.items():
        installed = p.machines.get(machine)
        if installed is None or count > installed:
            problems.append(RecordProblem(
                where, f"payload.enriching.{machine}", count,
                f"at most the {installed or 0} {machine} machines installed (payload.machines)"))
    return problems


def _period(p: InventoryChangePayload | MaterialBalancePayload, where: str
            ) -> list[RecordProblem]:
    if p.period_end <= p.period_start:
        return [RecordProblem(where, "payload.period_end", p.period_end.isoformat(),
                              f"a date after period_start {p.period_start.isoformat()}")]
    return []


def _icr(p: InventoryChangePayload, where: str) -> list[RecordProblem]:
    problems = _period(p, where)
    for i, e in enumerate(p.entries):
        if not p.period_start < e.date <= p.period_end:
            problems.append(RecordProblem(
                where, f"payload.entries[{i}].date", e.date.isoformat(),
                f"a date after {p.period_start.isoformat()} and up to {p.period_end.isoformat()}"))
    return problems


def _mbr(p: MaterialBalancePayload, where: str) -> list[RecordProblem]:
    problems = _period(p, where)
    if not p.balances:
        problems.append(RecordProblem(where, "payload.balances", {}, "a 'U' or 'U235' table"))
    for q, b in p.balances.items():
        book = b.beginning_kg + b.inputs_kg - b.outputs_kg - b.ending_kg
        scale = max(b.beginning_kg, b.inputs_kg, b.outputs_kg, b.ending_kg, 1.0)
        if not math.isclose(b.muf_kg, book, rel_tol=0.0, abs_tol=1e-6 * scale):
            problems.append(RecordProblem(where, f"payload.balances.{q}.muf_kg", b.muf_kg,
                                          f"beginning + inputs - outputs - ending = {book!r}"))
    return problems


_CHECKS: Mapping[str, _Check] = {"declaration": _declaration, "inspection": _inspection,
                                 "sample": _sample, "stockpile": _stockpile,
                                 "installed_machines": _installed,
                                 "inventory_change_report": _icr,
                                 "material_balance_report": _mbr}


def validate_payload(kind: str, payload: Any, where: str) -> dict:
    """Check a payload of a record kind; return it normalised to JSON values.

    Parameters
    ----------
    kind : str
        A record kind (see :data:`~enrichwatch.records.model.KINDS`).
    payload : mapping
        The payload as given.
    where : str
        Which record, for the messages (``draft 2 (sample)``).

    Raises
    ------
    RecordError
        Listing every problem of the payload.
    """
    model = _MODELS[kind]
    try:  # model.model_validate and parsed.model_dump(mode="json"), without their wrappers
        parsed = model.__pydantic_validator__.validate_python(payload)
    except ValidationError as err:
        raise RecordError([_problem(e, model, where) for e in err.errors()]) from None
    check = _CHECKS.get(kind)
    if check is not None and (problems := check(parsed, where)):
        raise RecordError(problems)
    return model.__pydantic_serializer__.to_python(parsed, mode="json")
