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
