"""The shared edge-validation pieces (enrichwatch.files) and the package errors built on
them: plant files (facility), records, rule sets."""

from __future__ import annotations

import pickle

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from enrichwatch.errors import InputError
from enrichwatch.evaluation.rulesets import RuleSetError
from enrichwatch.facility import FacilityFileError, Problem
from enrichwatch.files import (
    MISSING,
    ProblemsError,
    key_path,
    parse_toml,
    pydantic_problem,
    unknown_key,
)
from enrichwatch.files import Problem as FileProblem
from enrichwatch.records import RecordError, RecordProblem
from enrichwatch.records.errors import MISSING as RECORDS_MISSING


def test_one_missing_marker_everywhere():
    from enrichwatch.facility import MISSING as FACILITY_MISSING

    assert FACILITY_MISSING is MISSING and RECORDS_MISSING is MISSING
    assert repr(MISSING) == "<missing>"


@pytest.mark.parametrize(("error", "problem", "heading"), [
    (FacilityFileError, Problem, "2 problems in a.toml:"),
    (RecordError, RecordProblem, "2 problems, nothing was written:"),
    (RuleSetError, FileProblem, "2 problems in a.toml:"),
])
def test_package_errors_list_every_problem_and_pickle(error, problem, heading):
    err = error([problem("a.toml", "x", 1, "a"), problem("a.toml", "y", MISSING, "b")])
    assert isinstance(err, ProblemsError) and isinstance(err, InputError)
    assert str(err).splitlines() == [heading, "  a.toml: x = 1: expected a",
                                     "  a.toml: y is missing: expected b"]
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is error and again.problems == err.problems
    assert type(error.of("a.toml", "x", 1, "a").problems[0]) is problem


def test_an_error_needs_a_problem_and_long_values_are_shortened():
    with pytest.raises(ValueError, match="FacilityFileError needs at least one problem"):
        FacilityFileError([])
    text = str(Problem("f.toml", "name", "x" * 200, "a short name"))
    assert "'" + "x" * 76 + "...: expected a short name" in text


def test_a_plant_problem_still_names_its_file():
    p = Problem("f.toml", "feeds[0].rate", -1.0, "a rate > 0")
    assert p.file == p.where == "f.toml" and FacilityFileError([p]).filename == "f.toml"


def test_key_paths_quote_only_when_asked():
    assert key_path(("machines", "IR 6", "cuts", 2)) == 'machines."IR 6".cuts[2]'
    assert key_path(("payload", "enriching", "IR 6"), quote=False) == "payload.enriching.IR 6"


def test_unknown_key_suggests_or_takes_a_hint():
    assert unknown_key("nmae", ["name", "rate"]).endswith("(did you mean 'name'?)")
    assert unknown_key("zzz", ["name"]) == "one of the keys name"
    assert unknown_key("nmae", ["name"], hint="see docs") == "one of the keys name (see docs)"


def test_toml_syntax_errors_become_the_callers_error():
    with pytest.raises(RecordError) as caught:
        parse_toml("a = 1\nb = \n", "case.toml", RecordError)
    assert caught.value.param.startswith("line 2, column")
    assert type(caught.value.problems[0]) is RecordProblem


class _Inner(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    rate: float = Field(description="a rate > 0", gt=0)


class _Outer(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    items: list[_Inner] = Field(description="a list of tables")
    counts: dict[str, int] = Field({}, description="counts by name")


def _problems(data, **kw):
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(data)
    return [pydantic_problem(e, _Outer, **kw) for e in caught.value.errors()]


def test_pydantic_errors_are_worded_from_the_field_descriptions():
    assert _problems({"items": [{"rate": -1.0}, {"rat": 2.0}]}) == [
        ("items[0].rate", -1.0, "a rate > 0"),
        ("items[1].rate", MISSING, "a rate > 0"),
        ("items[1].rat", 2.0, "one of the keys rate (did you mean 'rate'?)"),
    ]
    hint = _problems({"items": [{"rate": 1.0, "items": 1}]}, hint=lambda key, holder: "nested")
    assert hint == [("items[0].items", 1, "one of the keys rate (nested)")]
