"""Accountancy input files (TOML): read them, check every key at the edge, build a
:class:`~.study.Study`.

Format (``examples/accountancy/`` has complete files)::

    [study]
    name = "Example plant, MBA 1, 2024"          # required
    mba = "MBA-1"                                # material balance area code (default: name)
    description = "..."
    assumptions = ["...", "..."]                 # carried into every output
    start_date = 2024-01-01                      # optional: the day whose start is 0 h

    [periods]                                    # exactly one of:
    boundary_dates = [2023-12-31, 2024-01-31, ...]    # physical inventories (end of day)
    # boundaries_h = [0, 744, 1440, ...]              # hours
    # intervals_h = [[0, 744], [744, 1440], ...]      # (start, end) pairs, contiguous
    # regular = { start_h = 0, length_h = 730, count = 12 }

    [tests]                                      # optional, defaults shown
    false_alarm_per_year = 0.05                  # Page (per year), CUMUF and GEMUF
    # muf_false_alarm = 0.0043                   # per balance (default: by its length)
    page_k = 0.5
    # page_h = 4.0                               # Page's threshold (default: calibrated)
    page_side = "upper"                          # upper | lower | both
    quantities = ["U", "U235"]                   # default: U-235 too if every point has assays
    iterations = 10000                           # Monte Carlo per scenario
    seed = 0
    curve_points = 21
    # curve_max_sq = 0.2                         # largest loss of the detection curves [SQ]

    [points.feed]                                # one table per key measurement point
    role = "input"                               # input | output | inventory
    kind = "items"                               # items (default) | flow | level
    dates = [2024-01-10, 2024-01-24]             # or times_h = [...] (hours from 0)
    masses_kg_u = [8450.0, 8447.2]               # items, level; a flow: rates_kg_u_per_h
    assay_wt_pct = 0.711                         # one, or one per record
    # mapit_csv = "holdup.csv"                   # instead: MAPIT's time,value CSV file

    [mapit]                                      # optional: every point of a MAPIT data folder
    folder = "data"                              # input/, inventory/, output/ CSV files
    kinds = { in0 = "items" }
    assays_wt_pct = { in0 = 0.711 }

    [measurement.feed]                           # one per point (names must be points)
    mass = { method = "load-cell-weighing", calibration_period_days = 91.0, instrument = "scale" }
    assay = { random_rsd = 0.0005, systematic_rsd = 0.0005 }

    [[losses]]                                   # loss scenarios for the detection probability
    name = "abrupt, June"
    pattern = "abrupt"                           # abrupt (balance = k) | protracted (first, last)
    balance = 6
    sq = 1.0                                     # or kg_u = ...
    assay_wt_pct = 4.0                           # of the material taken

    [plant_check]                                # optional: declared streams against the plant
    plant = "plant.toml"
    period_days = 366.0                          # default: the horizon
    feed = { kg_u = [...], assay_wt_pct = 0.711, measurement = "feed-receipts" }
    product = { kg_u = [...], assay_wt_pct = 4.0, measurement = "product-shipments" }
    tails = { kg_u = [...], assay_wt_pct = 0.25, measurement = "tails-transfers" }

Dates are days: a date means the end of that day, so ``boundary_dates`` are the days the
physical inventories close (2024-01-31 closes January) and an item dated 2024-02-01 belongs to
February. Files named inside (``mapit_csv``, ``mapit.folder``, ``plant_check.plant``) are read
relative to the input file and must stay inside its folder. Relative standard deviations are
fractions (0.0005 = 0.05 %), each >= 0 and < 1.

:func:`load_study` raises :class:`StudyFileError` listing every problem (file, key, value, what
is allowed): a negative mass, an assay outside 0-100 %, periods that overlap or go backwards,
an unknown measurement point, a relative standard deviation >= 1, a MUF covariance that is
singular because every error of a balance is zero, ...

Examples
--------
The shape and ranges of every key are checked first, then what refers to what:

>>> def problems(text):
...     try:
...         study_from_toml_text(text, "broken.toml")
...     except StudyFileError as err:
...         for problem in err.problems:
...             print(problem.key, "=", repr(problem.value))
...         return err.problems
>>> found = problems('''
... [study]
... name = "broken"
... [periods]
... boundaries_h = [0, 10]
... [points.feed]
... role = "input"
... times_h = [5]
... masses_kg_u = [-1.0]
... assay_wt_pct = 120.0
... [measurement.feed]
... mass = { random_rsd = 1.5, systematic_rsd = 0.0 }
... ''')
points.feed.masses_kg_u[0] = -1.0
points.feed.assay_wt_pct = 120.0
measurement.feed.mass.random_rsd = 1.5
>>> print(found[2])
broken.toml: measurement.feed.mass.random_rsd = 1.5: expected a relative standard deviation >= 0 \
and < 1 (0.01 = 1 %)
>>> _ = problems('''
... [study]
... name = "broken"
... [periods]
... intervals_h = [[0, 10], [5, 20]]
... [points.feed]
... role = "input"
... times_h = [5]
... masses_kg_u = [1.0]
... [measurement.fed]
... mass = { random_rsd = 0.01, systematic_rsd = 0.0 }
... ''')
periods.intervals_h[1] = [5.0, 20.0]
measurement.fed = 'fed'
measurement.feed = <missing>
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..composition import Assay
from ..errors import InputError
from ..files import (
    MISSING,
    FileRefused,
    Problem,
    ProblemsError,
    confined_path,
    parse_toml,
    pydantic_problem,
    read_text_file,
)
from .balance import BalancePeriods, Flow, Items, Level, MaterialBalanceArea, MeasurementPoint
from .mapit import mapit_point, read_mapit_directory
from .measurement import MeasurementModel, PointMeasurement, Uncertainty, load_methods
from .plant_checks import DeclaredStream
from .study import LossScenario, PlantCheckInput, Study, TestSettings
from .study_format import (
    RSD_TEXT,
    Document,
    Loss,
    Measurement,
    Point,
    Stream,
    UncertaintyTable,
)

__all__ = ["StudyFileError", "load_study", "study_from_toml_text"]


class StudyFileError(ProblemsError):
    """An accountancy input file has problems; all are listed (an
    :class:`~enrichwatch.errors.InputError`, so a ``ValueError``)."""


# -- building the study, every problem collected -----------------------------------------------

_PERIOD_KEYS = ("boundary_dates", "boundaries_h", "intervals_h", "regular")
#: Keys whose value is one of two types (their errors carry pydantic's branch tags).
_UNIONS = ("assay_wt_pct", "measurement")


class _Builder:
    """Builds the study from a validated document, collecting problems (file, key, value)."""

    def __init__(self, doc: Document, file: str, base: Path | None) -> None:
        self.doc, self.file, self.base = doc, file, base
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        dates = doc.periods.boundary_dates
        self.start = doc.study.start_date or (dates[0] + timedelta(days=1) if dates else None)

    def add(self, key: str, value: Any, allowed: str) -> None:
        self.problems.append(Problem(self.file, key, value, allowed))

    def guard(self, build, *args, rename: tuple[str, str] | None = None, **kwargs):
        """``build(*args, **kwargs)``, or None with its InputError recorded as a problem."""
        try:
            return build(*args, **kwargs)
        except InputError as err:
            param = str(err.param)
            if rename is not None:
                param = param.replace(*rename)
            self.add(param, err.value, str(err.allowed))
            return None

    def hours(self, days: list[date]) -> np.ndarray:
        """End of each day [h] after the start date."""
        assert self.start is not None
        return np.array([((d - self.start).days + 1) * 24.0 for d in days])

    def path(self, name: str, key: str) -> Path | None:
        """A file named in the input, beside it."""
        base = self.base if self.base is not None else Path.cwd()
        try:
            return confined_path(name, base)
        except FileRefused:
            self.add(key, name, f"a file inside the input file's folder ({base})")
            return None

    # -- periods --------------------------------------------------------------------------------

    def periods(self) -> BalancePeriods | None:
        p = self.doc.periods
        given = [k for k in _PERIOD_KEYS if getattr(p, k) is not None]
        if len(given) != 1:
            self.add("periods", given or MISSING, "exactly one of " + ", ".join(_PERIOD_KEYS))
            return None
        if p.boundary_dates is not None:
            for i in range(1, len(p.boundary_dates)):
                if p.boundary_dates[i] <= p.boundary_dates[i - 1]:
                    self.add(f"periods.boundary_dates[{i}]", p.boundary_dates[i].isoformat(),
                             f"a date after the previous one ({p.boundary_dates[i - 1]}): "
                             "periods may not overlap or go backwards")
                    return None
            return self.guard(BalancePeriods, self.hours(p.boundary_dates),
                              rename=("boundaries_h", "boundary_dates"))
        if p.boundaries_h is not None:
            return self.guard(BalancePeriods, np.array(p.boundaries_h, float))
        if p.intervals_h is not None:
            return self.guard(BalancePeriods.from_intervals, p.intervals_h,
                              key="periods.intervals_h")
        r = p.regular
        assert r is not None
        return self.guard(BalancePeriods.regular, r.start_h, r.length_h, r.count,
                          rename=("periods.", "periods.regular."))

    # -- points ---------------------------------------------------------------------------------

    def times(self, name: str, p: Point) -> np.ndarray | None:
        key = f"points.{name}"
        if (p.times_h is None) == (p.dates is None):
            self.add(f"{key}.times_h", MISSING if p.times_h is None else p.times_h,
                     "either times_h or dates (not both), or a mapit_csv file")
            return None
        if p.dates is None:
            return np.array(p.times_h, float)
        if self.start is None:
            self.add(f"{key}.dates", [d.isoformat() for d in p.dates[:3]],
                     "a calendar origin for dates: [study] start_date or [periods] "
                     "boundary_dates (or use times_h)")
            return None
        return self.hours(p.dates)

    def point(self, name: str, p: Point) -> MeasurementPoint | None:
        key = f"points.{name}"
        if p.mapit_csv is not None:
            return self.mapit_point(name, p)
        kind = p.kind or "items"
        t = self.times(name, p)
        need, other = (("rates_kg_u_per_h", "masses_kg_u") if kind == "flow"
                       else ("masses_kg_u", "rates_kg_u_per_h"))
        if getattr(p, other) is not None:
            self.add(f"{key}.{other}", getattr(p, other), f"no {other} for a {kind} point "
                                                          f"(give {need})")
        values = getattr(p, need)
        if values is None:
            self.add(f"{key}.{need}", MISSING, f"the {need} of a {kind} point")
        if t is None or values is None or getattr(p, other) is not None:
            return None
        rename = (f"{key}.times_h", f"{key}.dates") if p.dates is not None else None
        if kind == "flow":
            extra = {"start_h": p.start_h, "integration": p.integration or "step"}
            data = self.guard(Flow.from_weight_percent, t, values, p.assay_wt_pct, key=key,
                              rename=rename, **extra)
        else:
            build = Items if kind == "items" else Level
            data = self.guard(build.from_weight_percent, t, values, p.assay_wt_pct, key=key,
                              rename=rename)
        if data is None:
            return None
        return self.guard(MeasurementPoint, name, p.role, data, p.description, key=key,
                          rename=(f"{key}.data", f"{key}.kind"))

    def mapit_point(self, name: str, p: Point) -> MeasurementPoint | None:
        key = f"points.{name}"
        given = [k for k in ("times_h", "dates", "masses_kg_u", "rates_kg_u_per_h")
                 if getattr(p, k) is not None]
        if given:
            self.add(f"{key}.{given[0]}", getattr(p, given[0]),
                     "no times or values with mapit_csv (the CSV file holds them)")
            return None
        assert p.mapit_csv is not None
        path = self.path(p.mapit_csv, f"{key}.mapit_csv")
        if path is None:
            return None
        try:
            return mapit_point(path, name, p.role, kind=p.kind, assay_wt_pct=p.assay_wt_pct,
                               integration=p.integration or "trapezoid")
        except (InputError, OSError, UnicodeDecodeError) as err:
            self.add(f"{key}.mapit_csv", p.mapit_csv, _file_problem(err))
            return None

    def mapit_folder(self) -> list[MeasurementPoint]:
        m = self.doc.mapit
        if m is None:
            return []
        folder = self.path(m.folder, "mapit.folder")
        if folder is None:
            return []
        try:
            area = read_mapit_directory(folder, kinds=m.kinds, assays=m.assays_wt_pct,
                                        integration=m.integration)
        except (InputError, OSError, UnicodeDecodeError) as err:
            param = str(getattr(err, "param", ""))
            key = f"mapit.{param.split('.')[0]}" if param.startswith("kinds") else "mapit.folder"
            self.add(key, getattr(err, "value", m.folder), _file_problem(err))
            return []
        return list(area.points)

    def area(self) -> MaterialBalanceArea | None:
        points = []
        for name, p in self.doc.points.items():
            point = self.point(name, p)
            if point is not None:
                points.append(point)
        for point in self.mapit_folder():
            if point.name in self.doc.points:
                self.add("mapit.folder", point.name, "CSV files whose names no [points] "
                                                     "table uses")
            else:
                points.append(point)
        if not self.doc.points and self.doc.mapit is None:
            self.add("points", MISSING, "[points.NAME] tables or a [mapit] folder")
        if not points or len(points) < len(self.doc.points):
            return None
        return self.guard(MaterialBalanceArea, self.doc.study.mba or self.doc.study.name,
                          tuple(points))


def _file_problem(err: BaseException) -> str:
    if isinstance(err, InputError):
        return f"{err.allowed} ({err.param} = {err.value!r})"
    if isinstance(err, UnicodeDecodeError):
        return "a readable UTF-8 file (not UTF-8 text)"
    return f"a readable file ({getattr(err, 'strerror', None) or type(err).__name__})"


class _Measurements:
    """The [measurement] tables built into a model (catalogued methods by name)."""

    def __init__(self, b: _Builder) -> None:
        self.b = b
        self.methods = load_methods()
        self.unverified: set[str] = set()

    def uncertainty(self, u: UncertaintyTable, key: str, part: str) -> Uncertainty | None:
        b, method = self.b, None
        if u.method is not None:
            method = self.methods.get(u.method)
            if method is None:
                b.add(f"{key}.method", u.method, "a method of the catalog: "
                      + ", ".join(self.methods))
                return None
            if method.quantity != part:
                b.add(f"{key}.method", u.method, f"a method measuring the {part} (this one "
                                                 f"measures the {method.quantity})")
                return None
            if not method.verified and (u.random_rsd is None or u.systematic_rsd is None):
                self.unverified.add(method.name)
        random = u.random_rsd if u.random_rsd is not None else getattr(method, "random_rsd",
                                                                        None)
        systematic = (u.systematic_rsd if u.systematic_rsd is not None
                      else getattr(method, "systematic_rsd", None))
        for name, value in (("random_rsd", random), ("systematic_rsd", systematic)):
            if value is None:
                b.add(f"{key}.{name}", MISSING, f"{RSD_TEXT}, or a method")
        if random is None or systematic is None:
            return None
        days = u.calibration_period_days
        return b.guard(Uncertainty, random, systematic, None if days is None else days * 24.0,
                       u.instrument, getattr(method, "name", ""), getattr(method, "source", ""),
                       key)

    def point(self, m: Measurement, key: str) -> PointMeasurement | None:
        mass = self.uncertainty(m.mass, f"{key}.mass", "mass")
        assay = None if m.assay is None else self.uncertainty(m.assay, f"{key}.assay", "assay")
        if mass is None or (m.assay is not None and assay is None):
            return None
        return PointMeasurement(mass, assay)

    def model(self, names: tuple[str, ...] | None) -> MeasurementModel | None:
        b = self.b
        points = {}
        for name, m in b.doc.measurement.items():
            if names is not None and name not in names:
                b.add(f"measurement.{name}", name, f"a point of the area ({', '.join(names)})")
                continue
            pm = self.point(m, f"measurement.{name}")
            if pm is not None:
                points[name] = pm
        for name in names or ():
            if name not in b.doc.measurement:
                b.add(f"measurement.{name}", MISSING,
                      "the uncertainties of every point of the area")
        if names is None or len(points) != len(names):
            return None
        return MeasurementModel(points)

    def notes(self) -> list[str]:
        return [f"measurement method {m!r}: default uncertainties not verified against their "
                f"source: {self.methods[m].describe()}" for m in sorted(self.unverified)]


def _tests(b: _Builder, area: MaterialBalanceArea | None,
           model: MeasurementModel | None) -> TestSettings | None:
    t = b.doc.tests
    quantities = t.quantities
    if quantities is None:
        full = area is not None and model is not None and all(
            p.data.u235_fraction is not None and model.points[p.name].assay is not None
            for p in area.points)
        quantities = ["U", "U235"] if full else ["U"]
    return b.guard(TestSettings, t.false_alarm_per_year, t.muf_false_alarm, t.page_k,
                   t.page_side, tuple(dict.fromkeys(quantities)), t.iterations, t.seed,
                   t.chunk_size, t.balances_per_year, t.curve_points, t.page_h)


def _loss(b: _Builder, m: Loss, i: int, count: int) -> LossScenario | None:
    key = f"losses[{i}]"
    if (m.sq is None) == (m.kg_u is None):
        b.add(f"{key}.sq", MISSING if m.sq is None else m.sq, "either sq or kg_u (not both)")
        return None
    if m.pattern == "abrupt":
        if m.balance is None:
            b.add(f"{key}.balance", MISSING, "the balance (1, 2, ...) of an abrupt loss")
            return None
        first, last = m.balance, m.balance
    else:
        first, last = m.first, count if m.last is None else m.last
    for name, value in (("balance" if m.pattern == "abrupt" else "first", first),
                        ("last", last)):
        if not first <= value <= count or last < first:
            b.add(f"{key}.{name}", value, f"a balance from {first if name == 'last' else 1} "
                                          f"to {count} (the study has {count})")
            return None
    assay = Assay.from_weight_percent(m.assay_wt_pct, param=f"{key}.assay_wt_pct")
    from .plant_checks import significant_quantities

    if m.kg_u is not None:
        kg_u = m.kg_u
    else:
        assert m.sq is not None                      # exactly one of sq and kg_u (checked)
        kg_u = m.sq / significant_quantities(1.0, assay)
    return LossScenario(m.name, m.pattern, kg_u, assay, first - 1, last - 1)


def _losses(b: _Builder, count: int | None) -> tuple[LossScenario, ...]:
    out, seen = [], set()
    for i, m in enumerate(b.doc.losses):
        if m.name in seen:
            b.add(f"losses[{i}].name", m.name, "a name no other loss scenario has")
        seen.add(m.name)
        loss = None if count is None else _loss(b, m, i, count)
        if loss is not None:
            out.append(loss)
    return tuple(out)


def _stream(b: _Builder, name: str, s: Stream, meas: _Measurements,
            model: MeasurementModel | None) -> DeclaredStream | None:
    key = f"plant_check.{name}"
    if s.measurement is None:
        b.add(f"{key}.measurement", MISSING, "a point name (its [measurement] table) or a "
                                             "table { mass, assay }")
        return None
    if isinstance(s.measurement, str):
        if model is None:
            return None
        pm = model.points.get(s.measurement)
        if pm is None:
            b.add(f"{key}.measurement", s.measurement,
                  f"a point with a [measurement] table ({', '.join(model.points)})")
            return None
    else:
        pm = meas.point(s.measurement, f"{key}.measurement")
        if pm is None:
            return None
    return b.guard(DeclaredStream.from_weight_percent, name, s.kg_u, s.assay_wt_pct, pm,
                   rename=(f"{name}.", f"{key}."))


def _plant_check(b: _Builder, meas: _Measurements, model: MeasurementModel | None,
                 periods: BalancePeriods | None) -> PlantCheckInput | None:
    c = b.doc.plant_check
    if c is None:
        return None
    from ..facility import Facility, FacilityFileError

    plant = None
    path = b.path(c.plant, "plant_check.plant")
    if path is not None:
        try:
            plant = Facility.from_toml_text(read_text_file(path), filename=c.plant)
        except (OSError, UnicodeDecodeError) as err:
            b.add("plant_check.plant", c.plant, _file_problem(err))
        except FacilityFileError as err:
            first = err.problems[0]
            b.add("plant_check.plant", c.plant, f"a valid plant file ({first})")
    streams = [_stream(b, n, getattr(c, n), meas, model) for n in ("feed", "product", "tails")]
    days = c.period_days
    if days is None and periods is not None:
        days = float(periods.boundaries_h[-1] - periods.boundaries_h[0]) / 24.0
    if plant is None or days is None or any(s is None for s in streams):
        return None
    feed, product, tails = streams
    assert feed is not None and product is not None and tails is not None
    return PlantCheckInput(plant, feed, product, tails, days, c.operating_fraction,
                           c.false_alarm, c.min_sq)


def _covariance_problems(b: _Builder, study: Study) -> None:
    """Each balance must be computable and its MUF covariance positive definite."""
    from .balance import balance_design
    from .muf import muf_covariance
    from .sequential import cholesky_factor

    for quantity in study.tests.quantities:
        try:
            design = balance_design(study.area, study.periods, quantity)  # type: ignore[arg-type]
            cov = muf_covariance(design, study.model)
        except InputError as err:
            b.add(str(err.param), err.value, str(err.allowed))
            continue
        zero = np.flatnonzero(np.diag(cov.matrix) <= 0)
        if zero.size:
            k = int(zero[0])
            used = np.unique(design.point_index[design.coef[k] * design.values != 0])
            names = ", ".join(design.names[i] for i in used) or "no point"
            b.add("measurement", f"sigma-MUF = 0 in balance {k + 1} ({quantity})",
                  f"uncertainties that are not all zero (every measurement error of {names} "
                  "is zero in this balance: the MUF covariance is singular)")
            continue
        try:
            cholesky_factor(cov.matrix)
        except InputError as err:
            b.add("measurement", f"a singular {quantity} MUF covariance ({err.value})",
                  str(err.allowed))


def _build(doc: Document, file: str, base: Path | None) -> Study:
    b = _Builder(doc, file, base)
    periods = b.periods()
    area = b.area()
    meas = _Measurements(b)
    model = meas.model(area.names if area is not None else None)
    tests = _tests(b, area, model)
    losses = _losses(b, periods.count if periods is not None else None)
    check = _plant_check(b, meas, model, periods)
    if b.problems or area is None or periods is None or model is None or tests is None:
        raise StudyFileError(b.problems or [Problem(file, "study", doc.study.name,
                                                    "a complete study")])
    info = doc.study
    study = Study(info.name, area, periods, model, tests, losses, check, b.start,
                  info.description, tuple(info.assumptions) + tuple(meas.notes()),
                  doc.tests.curve_max_sq, file)
    _covariance_problems(b, study)
    if b.problems:
        raise StudyFileError(b.problems)
    return study


def _value_at(raw: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _untagged(errors: list, raw: Mapping) -> list:
    """pydantic's errors with the union branch tags taken out of their locations, keeping for
    each key the errors of the branch its value's type chose (one number or a list; a point
    name or a table)."""
    out = []
    for e in errors:
        loc = tuple(e["loc"])
        cut = next((i for i in range(1, len(loc)) if loc[i - 1] in _UNIONS and i >= 2
                    and isinstance(loc[i], str)), None)
        if cut is None:
            out.append(e)
            continue
        value = _value_at(raw, loc[:cut])
        listed = isinstance(value, list) and loc[cut].startswith("list[")
        named = isinstance(value, str) and "str" in loc[cut]
        table = isinstance(value, Mapping) and loc[cut] == "Measurement"
        scalar = not isinstance(value, list | str | Mapping) and loc[cut] == "constrained-float"
        if listed or named or table or scalar:
            out.append({**e, "loc": loc[:cut] + loc[cut + 1:]})
    return out or errors


def _shape_problems(raw: Mapping, file: str) -> list[Problem]:
    try:
        Document.model_validate(raw)
    except ValidationError as err:
        return [Problem(file, *pydantic_problem(e, Document))
                for e in _untagged(err.errors(), raw)]
    return []


def study_from_toml_text(text: str, filename: str = "<string>", *,
                         base: str | os.PathLike | None = None) -> Study:
    """A study from the TOML text of an accountancy input file.

    Parameters
    ----------
    text : str
    filename : str
        Named in every problem.
    base : path, optional
        Folder that files named inside are read from (default: the working folder).

    Raises
    ------
    StudyFileError
        Listing every problem (syntax, shape, ranges, cross-references, a singular
        covariance).
    """
    raw = parse_toml(text, filename, StudyFileError)
    problems = _shape_problems(raw, filename)
    if problems:
        raise StudyFileError(problems)
    return _build(Document.model_validate(raw), filename, None if base is None else Path(base))


def load_study(path: str | os.PathLike) -> Study:
    """Read an accountancy input file (see the module docstring).

    Raises
    ------
    StudyFileError
        Listing every problem, each naming the file, the key and the value.
    """
    label = os.fspath(path)
    try:
        text = read_text_file(path)
    except (OSError, UnicodeDecodeError) as err:
        raise StudyFileError.of(label, "file", label, _file_problem(err)) from None
    return study_from_toml_text(text, label, base=Path(path).resolve().parent)


