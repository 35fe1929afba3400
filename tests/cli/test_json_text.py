"""Every ``--json`` output is written by :func:`enrichwatch.cli.app.json_text`: exactly the text
of ``json.dumps(value, indent=2, allow_nan=False)`` with non-finite floats as null, whatever the
value (the fast path and the fallback to the standard library agree)."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.cli.app import json_text


def _reference(value):
    def finite(v):
        if isinstance(v, float):
            return v if math.isfinite(v) else None
        if isinstance(v, dict):
            return {k: finite(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [finite(x) for x in v]
        return v
    return json.dumps(finite(value), indent=2, allow_nan=False)


class Level(enum.IntEnum):
    LOW = 1


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
            | st.sampled_from([Level.LOW, 2**70, -0.0]))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_same_text_as_the_standard_library(value):
    assert json_text(value) == _reference(value)


@pytest.mark.parametrize("value", [{1: "a"}, {"a": {None: 1}}, {"a": {1.5: [1]}}])
def test_keys_that_are_not_text_are_written_as_json_dumps_writes_them(value):
    assert json_text(value) == _reference(value)


def test_what_json_cannot_write_is_refused_as_before():
    with pytest.raises(TypeError):
        json_text({"a": [object()]})


# The C encoder's paths: flat containers of plain scalars, and lists of flat dicts (an
# evaluation's late entries), with text that looks like the separators they are indented by.
_TRICKY_TEXT = st.text(alphabet=st.sampled_from(['"', ",", "\n", "{", "}", "[", "]", ":", " ",
                                                 "\\", "a", "\u00e9", "\x00"]), max_size=6)
_PLAIN = (st.none() | st.booleans() | st.integers() | st.floats() | _TRICKY_TEXT
          | st.sampled_from([Level.LOW, 2**70, -0.0]))
_FLAT_DICT = st.dictionaries(_TRICKY_TEXT | st.sampled_from([1, None]), _PLAIN, max_size=5)
_FLAT = (st.lists(_PLAIN, max_size=6) | _FLAT_DICT | st.lists(_FLAT_DICT, max_size=5)
         | st.lists(_FLAT_DICT, max_size=3).map(tuple))


@settings(max_examples=600, deadline=None)
@given(st.lists(_FLAT, max_size=3) | st.dictionaries(_TRICKY_TEXT, _FLAT, max_size=3))
def test_flat_containers_same_text_as_the_standard_library(value):
    assert json_text(value) == _reference(value)


def test_a_list_of_flat_dicts_is_indented_as_the_standard_library_does():
    entries = [{"id": i, "kind": "report", "note": 'a},\n{"b",\n"c', "late": True, "x": 1.5}
               for i in range(3)] + [{"id": 3, "x": float("nan")}]
    value = {"late_entries": entries, "ids": list(range(5)), "empty": [{}], "none": {}}
    assert json_text(value) == _reference(value)
    assert json_text(entries[:3]) == _reference(entries[:3])


@st.composite
def _records_alike(draw):
    """Dicts with the same keys in the same order (a column of one type, or of mixed types)."""
    keys = draw(st.lists(_TRICKY_TEXT, min_size=1, max_size=4, unique=True))
    count = draw(st.integers(1, 5))
    columns = [draw(st.sampled_from([st.integers(), st.booleans(), st.none(), st.floats(),
                                     _TRICKY_TEXT, _PLAIN])) for _ in keys]
    return [{k: draw(c) for k, c in zip(keys, columns, strict=True)} for _ in range(count)]


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(_TRICKY_TEXT, _records_alike(), min_size=1, max_size=2)
       | _records_alike().map(tuple))
def test_dicts_alike_same_text_as_the_standard_library(value):
    assert json_text(value) == _reference(value)
