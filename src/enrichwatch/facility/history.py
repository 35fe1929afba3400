"""Operating history files (TOML): what a plant does in time, for the transient model.

A history file names plant configurations (plant files; the one given with it is ``"plant"``),
the hold-up per machine, how the run starts, the thresholds to watch and a list of time
segments, each a configuration and its operating state (format: ``docs/history-format.md``):

.. code-block:: toml

    [history]
    name = "Start-up"
    [initial]
    state = "feed"                       # every stage full of feed gas
    [outputs]
    thresholds_pct = [60.0, 83.7]
    [[segments]]
    name = "start-up"
    end_h = 24.0
    configuration = "plant"
    [segments.withdrawals]
    "HEU product" = "closed"             # "open", "closed", a share 0-1, or { rate = R }

:func:`load_history` checks the file and the plant files it names, reporting every problem at
once in a :class:`HistoryFileError` (file, key, value and what is allowed), and returns a
:class:`HistoryFile` holding the :class:`~enrichwatch.physics.transient.History` to run.

Examples
--------
>>> from pathlib import Path
>>> try:
...     history_from_text('''
... [history]
... name = "bad"
... [[segments]]
... end_h = 5.0
... [[segments]]
... start_h = 2.0
... end_h = 8.0
... ''', Path("examples/fordow-2023/declared.toml"), "bad.toml")
... except HistoryFileError as err:
...     problem = err.problems[0]
>>> problem.where, problem.key, problem.value
('bad.toml', 'segments[1].start_h', 2.0)
>>> problem.allowed
"the previous segment's end, 5 h (segments may not overlap, go back in time or leave gaps)"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..composition import rate_to_kg_u_per_yr
from ..errors import InputError
from ..files import Problem, ProblemsError, key_path, parse_toml, pydantic_problem, read_text_file
from ..physics.machines import MachineCatalog
from ..physics.transient import (
    CLOSURES,
    Configuration,
    FeedSetting,
    History,
    HoldUp,
    Segment,
    ValveSetting,
)
from ..physics.transient.plant import check_operations
from .model import Facility, load_facility
from .problems import FacilityFileError

__all__ = ["PLANT", "HistoryFile", "HistoryFileError", "embedded_history", "history_from_text",
           "load_history"]

#: The name under which the plant file given with the history is a configuration.
PLANT = "plant"
_CONFIG = ConfigDict(strict=True, extra="forbid")
_Percent = Annotated[float, Field(gt=0, lt=100, allow_inf_nan=False)]
_Hours = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_Grams = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: The closures of :data:`~enrichwatch.physics.transient.CLOSURES`, as a type.
_Closure = Literal["fixed_cuts", "closed_throughput", "closed_design", "inventory"]
_VALVE = ("'open', 'closed', the share of the stream the valve passes (0 to 1), or "
          "{ rate = R } in the plant file's rate unit")


class HistoryFileError(ProblemsError):
    """A history file (or a plant file it names) with problems; every one is listed."""


def _f(description: str, default: Any = ..., **kwargs) -> Any:
    return Field(default, description=description, **kwargs)


class _Info(BaseModel):
    model_config = _CONFIG
    name: str = _f("a non-empty name", min_length=1)
    description: str = _f("a string", "")
    illustrative: bool = _f("true or false", False)
    assumptions: list[str] = _f("a list of strings", [])
    sources: list[str] = _f("a list of strings", [])


class _HoldUp(BaseModel):
    model_config = _CONFIG
    rotor_g: _Grams = _f("a hold-up >= 0 [g U per machine] in the rotor", 0.5)
    pipework_g: _Grams = _f("a hold-up >= 0 [g U per machine] in headers and pipework", 1.0)
    range_g: list[Annotated[float, Field(gt=0, allow_inf_nan=False)]] = _f(
        "[low, high] hold-up per machine [g U], 0 < low <= rotor + pipework <= high",
        [0.3, 10.0], min_length=2, max_length=2)
    source: str | None = _f("a string", None)


class _Initial(BaseModel):
    model_config = _CONFIG
    state: Literal["feed", "steady"] = _f("'feed' (stages full of feed gas) or 'steady'",
                                          "feed")
    configuration: str | None = _f("the name of a configuration", None)
    assay_pct: _Percent | None = _f("a U-235 percent strictly between 0 and 100", None)


class _Outputs(BaseModel):
    model_config = _CONFIG
    thresholds_pct: list[_Percent] = _f("U-235 percents strictly between 0 and 100", [])
    product: str | None = _f("the name of a withdrawal (the product point)", None)


class _Uncertainty(BaseModel):
    model_config = _CONFIG
    holdup: bool = _f("true or false", True)
    stage_factor: bool = _f("true or false", True)
    closures: bool = _f("true or false", True)


class _Feed(BaseModel):
    model_config = _CONFIG
    on: bool = _f("true or false", True)
    rate: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a feed rate > 0 in the plant file's rate unit", None)
    assay_pct: _Percent | None = _f("a U-235 percent strictly between 0 and 100", None)


class _Segment(BaseModel):
    model_config = _CONFIG
    name: str | None = _f("a string", None)
    start_h: _Hours | None = _f("a time >= 0 [h]", None)
    end_h: _Hours | None = _f("a time >= 0 [h]", None)
    duration_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = _f(
        "a duration > 0 [h]", None)
    configuration: str = _f("the name of a configuration", PLANT)
    closure: _Closure = _f("one of " + ", ".join(map(repr, CLOSURES)), "fixed_cuts")
    closure_alternatives: list[_Closure] = _f(
        "a list of closures: " + ", ".join(map(repr, CLOSURES)), [])
    ramp_h: _Hours = _f("a ramp duration >= 0 [h]", 0.0)
    ramp_from: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = _f(
        "the share of the feed at the start of the ramp, 0 to 1", 0.0)
    feeds: dict[str, _Feed] = _f("[segments.feeds.<name>] tables", {})
    withdrawals: dict[str, Any] = _f(f"withdrawal name = {_VALVE}", {})


class _Document(BaseModel):
    model_config = _CONFIG
    history: _Info = _f("a [history] table with at least a name")
    configurations: dict[str, str] = _f("name = plant file (relative to this file)", {})
    holdup: _HoldUp = _f("a [holdup] table", _HoldUp())
    initial: _Initial = _f("an [initial] table", _Initial())
    outputs: _Outputs = _f("an [outputs] table", _Outputs())
    uncertainty: _Uncertainty = _f("an [uncertainty] table", _Uncertainty())
    segments: list[_Segment] = _f("one or more [[segments]] tables", min_length=1)


@dataclass(frozen=True)
class HistoryFile:
    """A checked history file: the history to run and how to present and sweep it.

    ``facilities`` maps configuration names to their plant descriptions; ``product`` is the
    withdrawal (network name) taken as the product point; ``sweep`` says which uncertain
    inputs to vary (``holdup``, ``stage_factor``, ``closures``); ``builds`` keeps the nominal
    operations the check built (:func:`~enrichwatch.physics.transient.plant.build_operations`'
    ``cache``), for runs of ``history`` (or of it with other thresholds) to start from.
    """

    history: History
    path: str
    description: str
    facilities: Mapping[str, Facility]
    product: str
    sweep: Mapping[str, bool] = field(default_factory=dict)
    builds: dict = field(default_factory=dict, compare=False, repr=False)


def _problem(file: str, key: str, value, allowed: str) -> Problem:
    return Problem(file, key, value, allowed)


def _spans(doc: _Document, file: str, problems: list) -> list[tuple[float, float]]:
    """(start, end) of each segment [h]; problems for overlaps, gaps and time going back."""
    spans, previous = [], None
    for i, seg in enumerate(doc.segments):
        start = seg.start_h if seg.start_h is not None else (previous or 0.0)
        if previous is not None and seg.start_h is not None and seg.start_h != previous:
            problems.append(_problem(file, f"segments[{i}].start_h", seg.start_h,
                                     f"the previous segment's end, {previous:g} h (segments "
                                     "may not overlap, go back in time or leave gaps)"))
            start = previous
        if (seg.end_h is None) == (seg.duration_h is None):
            problems.append(_problem(file, f"segments[{i}].end_h", seg.end_h,
                                     "exactly one of end_h and duration_h"))
            end = start + (seg.duration_h or 1.0)
        else:
            end = seg.end_h if seg.end_h is not None else start + (seg.duration_h or 0.0)
        if not end > start:
            problems.append(_problem(file, f"segments[{i}].end_h", seg.end_h,
                                     f"an end after the segment's start, {start:g} h (time "
                                     "may not go back)"))
            end = start + 1.0
        spans.append((start, end))
        previous = end
    return spans


def _facilities(doc: _Document, plant: Facility, here: Path, file: str, catalog,
                problems: list) -> dict[str, Facility]:
    out = {PLANT: plant}
    for name, rel in doc.configurations.items():
        if name == PLANT:
            problems.append(_problem(file, key_path(("configurations", name)), rel,
                                     f"another name ({PLANT!r} is the plant file given "
                                     "with the history)"))
            continue
        try:
            out[name] = load_facility(here / rel, catalog=catalog)
        except FacilityFileError as err:
            problems.extend(err.problems)
    return out


def _names(doc: _Document, configs: Mapping[str, Configuration], file: str,
           problems: list) -> None:
    """Configurations, feeds and withdrawals named by the segments must exist."""
    known = sorted(configs)
    if doc.initial.configuration is not None and doc.initial.configuration not in configs:
        problems.append(_problem(file, "initial.configuration", doc.initial.configuration,
                                 "one of the configurations " + ", ".join(known)))
    for i, seg in enumerate(doc.segments):
        config = configs.get(seg.configuration)
        if config is None:
            problems.append(_problem(file, f"segments[{i}].configuration", seg.configuration,
                                     "one of the configurations " + ", ".join(known)))
            continue
        feeds = [f.name for f in config.network.feeds]
        for name in seg.feeds:
            if name not in feeds:
                problems.append(_problem(file, key_path(("segments", i, "feeds", name)), name,
                                         f"a feed of configuration {config.name!r}: "
                                         + ", ".join(feeds)))
        outs = {config.label(w) for w in config.network.withdrawal_names} | \
            set(config.network.withdrawal_names)
        for name in seg.withdrawals:
            if name not in outs:
                problems.append(_problem(file, key_path(("segments", i, "withdrawals", name)),
                                         name, f"a withdrawal of configuration "
                                               f"{config.name!r}: " + ", ".join(sorted(outs))))
        if seg.ramp_h > 0 and seg.closure != "fixed_cuts":
            problems.append(_problem(file, f"segments[{i}].ramp_h", seg.ramp_h,
                                     "a ramp only with closure = 'fixed_cuts'"))


def _valve(value, key: str, file: str, unit: str, problems: list) -> ValveSetting | None:
    if value == "open":
        return ValveSetting(1.0)
    if value == "closed":
        return ValveSetting(0.0)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
        return ValveSetting(float(value))
    if isinstance(value, dict) and set(value) == {"rate"} and \
            isinstance(value["rate"], int | float) and not isinstance(value["rate"], bool) \
            and value["rate"] > 0:
        if unit.startswith("kg UF6"):
            problems.append(_problem(file, key, value, "a rate in a plant file whose rates are "
                                                       "in kg U (this one uses " + unit + ")"))
            return None
        return ValveSetting(None, rate_to_kg_u_per_yr(float(value["rate"]), unit))
    problems.append(_problem(file, key, value, _VALVE))
    return None


def _segments(doc, spans, facilities, configs, file, problems) -> tuple[Segment, ...]:
    out = []
    for i, (seg, (_, end)) in enumerate(zip(doc.segments, spans, strict=True)):
        facility = facilities.get(seg.configuration)
        config = configs.get(seg.configuration)
        if facility is None or config is None:
            continue
        feeds = {}
        for name, f in seg.feeds.items():
            spec = next((x for x in config.network.feeds if x.name == name), None)
            rate = None
            if f.rate is not None and spec is not None:
                rate = rate_to_kg_u_per_yr(f.rate, facility.rate_unit, spec.composition)
            feeds[name] = FeedSetting(f.on, rate, None if f.assay_pct is None
                                      else f.assay_pct / 100.0)
        valves = {}
        for name, value in seg.withdrawals.items():
            key = key_path(("segments", i, "withdrawals", name))
            valve = _valve(value, key, file, facility.rate_unit, problems)
            if valve is not None:
                valves[name] = valve
        out.append(Segment(seg.name or f"segment {i}", end, seg.configuration, feeds, valves,
                           seg.closure, seg.ramp_h, seg.ramp_from,
                           tuple(seg.closure_alternatives)))
    return tuple(out)


def _holdup(doc: _Document, file: str, problems: list) -> HoldUp:
    h = doc.holdup
    total = h.rotor_g + h.pipework_g
    low, high = h.range_g
    if total <= 0.0 or not low <= total <= high:
        problems.append(_problem(file, "holdup.range_g", h.range_g,
                                 f"[low, high] with 0 < low <= rotor_g + pipework_g = "
                                 f"{total:g} <= high [g U per machine], and a total > 0"))
        return HoldUp()
    kwargs = {} if h.source is None else {"source": h.source}
    return HoldUp(h.rotor_g, h.pipework_g, (low, high), **kwargs)


def _dry_run(history: History, file: str, problems: list, raw: Mapping[str, Any],
             builds: dict) -> None:
    """Build every segment's operation (flows, valves) to find what cannot run (``raw``: the
    values as the file wrote them, by key, for rates converted to kg U/yr; ``builds``: kept
    for the runs, as :func:`check_operations` fills it)."""
    try:
        check_operations(history, cache=builds)
    except InputError as err:
        problems.append(_problem(file, err.param, raw.get(err.param, err.value), err.allowed))


def _product(doc: _Document, configs: Mapping[str, Configuration], first: str, file: str,
             problems: list) -> str:
    config = configs[first]
    names = {config.label(w): w for w in config.network.withdrawal_names}
    names.update({w: w for w in config.network.withdrawal_names})
    if doc.outputs.product is not None:
        if doc.outputs.product not in names:
            problems.append(_problem(file, "outputs.product", doc.outputs.product,
                                     "a withdrawal of the first segment's configuration: "
                                     + ", ".join(sorted(names))))
            return next(iter(config.network.withdrawal_names))
        return names[doc.outputs.product]
    products = [w for w in config.network.withdrawal_names if w.endswith(".product")] or \
        list(config.network.withdrawal_names)
    return max(products, key=lambda w: _steady_assay(config, w))


def _steady_assay(config: Configuration, withdrawal: str) -> float:
    cascade, output = withdrawal.rsplit(".", 1)
    assays = config.steady_assays[cascade]
    return float(assays[-1] if output == "product" else assays[0])


def history_from_text(text: str, plant: Facility | str | os.PathLike, filename: str = "<string>",
                      *, catalog: MachineCatalog | None = None) -> HistoryFile:
    """Read and check a history from TOML text (plant files named relative to ``filename``).

    Raises
    ------
    HistoryFileError
        Listing every problem of the history and of the plant files it names.
    """
    raw = parse_toml(text, filename, HistoryFileError)
    try:
        doc = _Document.model_validate(raw)
    except ValidationError as err:
        raise HistoryFileError([Problem(filename, *pydantic_problem(e, _Document))
                                for e in err.errors()]) from None
    facility = plant if isinstance(plant, Facility) else load_facility(plant, catalog=catalog)
    problems: list[Problem] = []
    spans = _spans(doc, filename, problems)
    facilities = _facilities(doc, facility, Path(filename).parent, filename, catalog, problems)
    configs = _configurations(facilities, catalog, problems)
    _names(doc, configs, filename, problems)
    holdup = _holdup(doc, filename, problems)
    segments = _segments(doc, spans, facilities, configs, filename, problems)
    if problems:
        raise HistoryFileError(problems)
    history = _history(doc, configs, segments, holdup, spans, filename, problems)
    product = _product(doc, configs, doc.segments[0].configuration, filename, problems)
    builds: dict = {}
    if history is not None:
        _dry_run(history, filename, problems, _raw_rates(doc), builds)
    if problems or history is None:
        raise HistoryFileError(problems)
    return HistoryFile(history, filename, doc.history.description, facilities, product,
                       doc.uncertainty.model_dump(), builds)


def _raw_rates(doc: _Document) -> dict[str, Any]:
    return {key_path(("segments", i, "withdrawals", name, "rate")): value["rate"]
            for i, seg in enumerate(doc.segments) for name, value in seg.withdrawals.items()
            if isinstance(value, dict) and "rate" in value}


def _configurations(facilities, catalog, problems) -> dict[str, Configuration]:
    out = {}
    for name, facility in facilities.items():
        try:
            network = facility.to_network(catalog)
            state = facility.solve_network(network)
        except FacilityFileError as err:
            problems.extend(err.problems)
            continue
        out[name] = Configuration.from_network(name, network, labels=facility.withdrawal_labels(),
                                               state=state)
    return out


def _history(doc, configs, segments, holdup, spans, file, problems) -> History | None:
    info = doc.history
    try:
        return History(info.name, configs, segments, holdup, doc.initial.state,
                       doc.initial.configuration,
                       None if doc.initial.assay_pct is None else doc.initial.assay_pct / 100,
                       tuple(t / 100.0 for t in doc.outputs.thresholds_pct), spans[0][0],
                       tuple(info.assumptions), tuple(info.sources), info.illustrative)
    except InputError as err:
        problems.append(_problem(file, _config_key(err.param), err.value, err.allowed))
        return None


def _config_key(param: str) -> str:
    return param if not param.startswith("configurations.") else \
        key_path(("configurations", param.split(".", 1)[1]))


def load_history(path: str | os.PathLike, plant: Facility | str | os.PathLike, *,
                 catalog: MachineCatalog | None = None) -> HistoryFile:
    """Read and check a history file (TOML, UTF-8) for a plant (a :class:`Facility` or the
    path of its plant file).

    Raises
    ------
    HistoryFileError
        Listing every problem of the file and of the plant files it names (or that it cannot
        be read).
    FacilityFileError
        The plant file given with it cannot be read or does not hold together.
    """
    label = str(path)
    try:
        text = read_text_file(path)
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise HistoryFileError.of(label, "file", label, f"a readable UTF-8 file ({why})") \
            from None
    return history_from_text(text, plant, label, catalog=catalog)


def embedded_history(text: str, plant: Facility, label: str, *,
                     catalog: MachineCatalog | None = None) -> HistoryFile:
    """Read and check a history held as text in a record (a declaration's ``histories``), for
    that record's plant only.

    Such a history names no other plant files: a ``[configurations]`` table is refused (its
    files would be read from wherever the reader runs, not from what the record holds), so
    every segment runs the record's plant (``"plant"``). ``label`` names the history in
    messages (``'record 2 payload.histories[0] (commissioning.toml)'``).

    Raises
    ------
    HistoryFileError
        Listing every problem of the history against the plant.
    """
    doc = parse_toml(text, label, HistoryFileError)
    named = doc.get("configurations")
    if named:
        raise HistoryFileError.of(label, "configurations",
                                  list(named) if isinstance(named, dict) else named,
                                  "no other configurations: a history held in a record runs "
                                  f"on that record's plant only ({PLANT!r})")
    return history_from_text(text, plant, label, catalog=catalog)
