"""enrichwatch.errors: the bound an assay error carries as data (AssayBound), on every error of
the InputError family (None unless the error is about a U-235 assay bound), kept by pickling."""

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.errors import (
    AssayBound,
    AssayError,
    ConfigurationError,
    InputError,
    InputTypeError,
    MassError,
    UnknownNameError,
)
from enrichwatch.files import ProblemsError
from enrichwatch.physics.machines import CatalogError

BOUNDS = st.builds(AssayBound, kind=st.sampled_from(["above feed", "below feed", "at most"]),
                   fraction=st.floats(0.0, 1.0), basis=st.sampled_from(["mass", "atom"]),
                   why=st.text(max_size=40))


def test_a_bound_is_immutable_and_gives_its_percent():
    bound = AssayBound("below feed", 0.0025, "atom")
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.fraction = 0.5  # type: ignore[misc]
    assert bound.percent == pytest.approx(0.25, rel=1e-15)
    assert bound.why == ""


@pytest.mark.parametrize(("kwargs", "param"), [
    ({"kind": "above", "fraction": 0.1, "basis": "mass"}, "kind"),
    ({"kind": "at most", "fraction": 0.1, "basis": "molar"}, "basis"),
    ({"kind": "at most", "fraction": 1.5, "basis": "mass"}, "fraction"),
    ({"kind": "at most", "fraction": -0.1, "basis": "mass"}, "fraction"),
    ({"kind": "at most", "fraction": float("nan"), "basis": "atom"}, "fraction"),
])
def test_a_bound_out_of_its_range_names_the_field(kwargs, param):
    with pytest.raises(InputError) as err:
        AssayBound(**kwargs)
    assert err.value.param == param


@pytest.mark.parametrize("error", [
    InputError("x", 1, "y"), AssayError("x", 1, "y"), MassError("x", 1, "y"),
    UnknownNameError("x", 1, "y"), ConfigurationError("x", 1, "y"), CatalogError("x", 1, "y"),
    ProblemsError.of("file.toml", "x", 1, "y"),
])
def test_every_input_error_has_a_bound_none_by_default(error):
    assert error.bound is None
    assert pickle.loads(pickle.dumps(error)).bound is None


def test_a_bound_that_is_not_an_assay_bound_is_refused():
    with pytest.raises(InputTypeError) as err:
        AssayError("tails", 0.009, "below the feed's", bound="below feed 0.00711")  # type: ignore[arg-type]
    assert err.value.param == "bound"


@given(bound=BOUNDS, value=st.floats(allow_nan=False))
def test_the_bound_survives_pickling_and_leaves_the_message_as_it_was(bound, value):
    err = AssayError("product", value, "a U-235 mass fraction above the feed's", bound=bound)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is AssayError and back.bound == bound
    assert (back.param, back.value, back.allowed) == ("product", value, err.allowed)
    assert str(back) == str(err) == str(AssayError("product", value, err.allowed))
