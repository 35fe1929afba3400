"""The shape of an accountancy input file: strict pydantic models of its tables, checked at
the edge by :mod:`.study_io` (which builds the study and reports every problem). Each field's
``description`` is what a problem about it says is allowed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..dates import DATE_FORMAT, parse_date
from ..errors import InputError

__all__ = ["RSD_TEXT", "Document", "Loss", "Measurement", "PlantCheck", "Point", "Stream",
           "UncertaintyTable"]

_CONFIG = ConfigDict(strict=True, extra="forbid")
RSD_TEXT = "a relative standard deviation >= 0 and < 1 (0.01 = 1 %)"
_PCT_TEXT = "a U-235 weight percent from 0 to 100"


def _parsed_date(value: Any) -> Any:
    try:
        return parse_date(value)
    except InputError:
        return value


def _f(description: str, default: Any = ..., **kw) -> Any:
    return Field(default, description=description, **kw)


_Text = Annotated[str, Field(pattern=r"\S")]
_Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
_Date = Annotated[date, BeforeValidator(_parsed_date)]
_Finite = Annotated[float, Field(allow_inf_nan=False)]
_Mass = Annotated[float, Field(ge=0, allow_inf_nan=False, description="a mass >= 0 [kg U]")]
_Rate = Annotated[float, Field(ge=0, allow_inf_nan=False,
                               description="a rate >= 0 [kg U/h]")]
_Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, description=_PCT_TEXT)]
_Rsd = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False, description=RSD_TEXT)]
_Probability = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


class Info(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("a non-empty name of the study")
    mba: _Name | None = _f("a material balance area code (letters, digits, '_', '.', '-'; "
                           "default: the study's name)", None)
    description: str = _f("a string", "")
    assumptions: list[str] = _f("a list of strings", [])
    start_date: _Date | None = _f(f"{DATE_FORMAT}, the day whose start is 0 h", None)


class Regular(BaseModel):
    model_config = _CONFIG
    start_h: _Finite = _f("a time [h]", 0.0)
    length_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] = _f("a length > 0 [h]")
    count: Annotated[int, Field(ge=1)] = _f("a whole number of periods >= 1")


class Periods(BaseModel):
    model_config = _CONFIG
    boundary_dates: list[_Date] | None = _f(f"a list of dates {DATE_FORMAT}", None)
    boundaries_h: list[_Finite] | None = _f("a list of times [h]", None)
    intervals_h: list[Annotated[list[_Finite], Field(min_length=2, max_length=2)]] | None = _f(
        "a list of [start, end] pairs [h]", None)
    regular: Regular | None = _f("a table { start_h, length_h, count }", None)


class Tests(BaseModel):
    model_config = _CONFIG
    false_alarm_per_year: _Probability = _f("a probability strictly between 0 and 1", 0.05)
    muf_false_alarm: _Probability | None = _f("a probability strictly between 0 and 1", None)
    page_k: Annotated[float, Field(ge=0, allow_inf_nan=False)] = _f(
        "a reference value >= 0 [SITMUF units]", 0.5)
    page_side: Literal["upper", "lower", "both"] = _f("one of 'upper', 'lower', 'both'",
                                                      "upper")
    page_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a threshold > 0 [SITMUF units] (default: calibrated for false_alarm_per_year)", None)
    quantities: list[Literal["U", "U235"]] | None = _f("a list of 'U' and/or 'U235'", None)
    iterations: Annotated[int, Field(ge=1)] = _f("a whole number of iterations >= 1", 10_000)
    seed: Annotated[int, Field(ge=0)] = _f("a whole number >= 0", 0)
    chunk_size: Annotated[int, Field(ge=1)] = _f("a whole number >= 1", 10_000)
    balances_per_year: Annotated[int, Field(ge=1)] | None = _f("a whole number >= 1", None)
    curve_points: Annotated[int, Field(ge=2, le=201)] = _f("a whole number from 2 to 201", 21)
    curve_max_sq: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a loss > 0 [SQ]", None)


class Point(BaseModel):
    model_config = _CONFIG
    role: Literal["input", "output", "inventory"] = _f("one of 'input', 'output', 'inventory'")
    kind: Literal["items", "flow", "level"] | None = _f("one of 'items', 'flow', 'level'", None)
    description: str = _f("a string", "")
    times_h: list[_Finite] | None = _f("a list of times [h]", None)
    dates: list[_Date] | None = _f(f"a list of dates {DATE_FORMAT}", None)
    masses_kg_u: list[_Mass] | None = _f("a list of masses >= 0 [kg U]", None)
    rates_kg_u_per_h: list[_Rate] | None = _f("a list of rates >= 0 [kg U/h]", None)
    assay_wt_pct: _Pct | list[_Pct] | None = _f(_PCT_TEXT + ", or a list of them", None)
    start_h: _Finite | None = _f("a time [h]", None)
    integration: Literal["step", "trapezoid"] | None = _f("'step' or 'trapezoid'", None)
    mapit_csv: _Text | None = _f("a MAPIT CSV file (time,value) beside this file", None)


class Mapit(BaseModel):
    model_config = _CONFIG
    folder: _Text = _f("a MAPIT data folder beside this file")
    kinds: dict[str, Literal["items", "flow", "level"]] = _f(
        "point name -> 'items', 'flow' or 'level'", {})
    assays_wt_pct: dict[str, _Pct] = _f("point name -> " + _PCT_TEXT, {})
    integration: Literal["step", "trapezoid"] = _f("'step' or 'trapezoid'", "trapezoid")


class UncertaintyTable(BaseModel):
    model_config = _CONFIG
    method: _Text | None = _f("a measurement method of the catalog", None)
    random_rsd: _Rsd | None = _f(RSD_TEXT, None)
    systematic_rsd: _Rsd | None = _f(RSD_TEXT, None)
    calibration_period_days: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a calibration period > 0 [days]", None)
    instrument: _Text | None = _f("an instrument name (points naming it share its "
                                  "systematic errors)", None)


class Measurement(BaseModel):
    model_config = _CONFIG
    mass: UncertaintyTable = _f("a table { method, random_rsd, systematic_rsd, ... }")
    assay: UncertaintyTable | None = _f("a table { method, random_rsd, systematic_rsd, ... }", None)


class Loss(BaseModel):
    model_config = _CONFIG
    name: _Text = _f("a non-empty name")
    pattern: Literal["abrupt", "protracted"] = _f("'abrupt' or 'protracted'")
    balance: Annotated[int, Field(ge=1)] | None = _f("a balance number >= 1 (abrupt)", None)
    first: Annotated[int, Field(ge=1)] = _f("a balance number >= 1", 1)
    last: Annotated[int, Field(ge=1)] | None = _f("a balance number >= 1", None)
    sq: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f("a loss > 0 [SQ]", None)
    kg_u: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f("a loss > 0 [kg U]",
                                                                        None)
    assay_wt_pct: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = _f(
        "the U-235 weight percent of the material taken, in (0, 100]")


class Stream(BaseModel):
    model_config = _CONFIG
    kg_u: list[_Mass] = _f("a list of item masses >= 0 [kg U]")
    assay_wt_pct: _Pct | list[_Pct] = _f(_PCT_TEXT + ", or one per item")
    measurement: _Text | Measurement | None = _f(
        "a point name (its [measurement] table) or a table { mass, assay }", None)


class PlantCheck(BaseModel):
    model_config = _CONFIG
    plant: _Text = _f("a plant file (docs/plant-format.md) beside this file")
    period_days: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a period > 0 [days]", None)
    operating_fraction: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = _f(
        "a fraction from 0 to 1", 1.0)
    false_alarm: _Probability = _f("a probability strictly between 0 and 1", 0.05)
    min_sq: Annotated[float, Field(ge=0, allow_inf_nan=False)] = _f("a number of SQ >= 0", 1.0)
    feed: Stream = _f("a table { kg_u, assay_wt_pct, measurement }")
    product: Stream = _f("a table { kg_u, assay_wt_pct, measurement }")
    tails: Stream = _f("a table { kg_u, assay_wt_pct, measurement }")


class Document(BaseModel):
    model_config = _CONFIG
    study: Info = _f("a [study] table with a name")
    periods: Periods = _f("a [periods] table")
    tests: Tests = _f("a [tests] table", Tests())
    points: dict[_Name, Point] = _f(
        "[points.NAME] tables (NAME: letters, digits, '_', '.', '-')", {})
    mapit: Mapit | None = _f("a [mapit] table { folder, kinds, assays_wt_pct }", None)
    measurement: dict[str, Measurement] = _f("[measurement.POINT] tables", {})
    losses: list[Loss] = _f("[[losses]] tables", [])
    plant_check: PlantCheck | None = _f("a [plant_check] table", None)
