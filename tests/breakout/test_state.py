"""Breakout states: the model, the ladder, and the state file reader with its problems."""

import math
import pickle
from importlib import resources
from pathlib import Path

import pytest

from enrichwatch.breakout import BreakoutState, StateFileError, Stock, load_state
from enrichwatch.breakout.state import product_target_kg_u
from enrichwatch.breakout.state_io import state_from_toml_text
from enrichwatch.composition import Assay, Composition, kg_uf6_to_kg_u
from enrichwatch.errors import AssayError, InputError
from enrichwatch.physics.machines import Machine, MachineCatalog
from tests.breakout.breakout_helpers import W, group

EXAMPLES = Path(__file__).parents[2] / "examples" / "breakout"
DATA = resources.files("enrichwatch") / "data" / "stockpile"

GOOD = '''
[state]
name = "good"
date = "2023-02-28"
assumptions = ["one"]
[units]
mass = "kg UF6"
[plan]
intermediate_levels_pct = [20.0, 60.0]
[[stocks]]
assay_pct = 60.0
mass = 100.0
uncertainty_pct = 2.0
source = "s"
[[stocks]]
assay_pct = 0.711
unlimited = true
[[cascades]]
name = "A"
machine = "IR-6"
machines = 166
count = 2
connection = "series"
built_for = { feed_pct = 5.0, product_pct = 60.0, tails_pct = 2.0 }
'''


def test_sq_is_25_kg_u235_at_90_percent():
    assert product_target_kg_u(1) == pytest.approx(27.7778, rel=1e-5)
    assert product_target_kg_u(2, 22.5) == pytest.approx(50.0)


def test_ladder_levels_steps_and_variants(ladder_state):
    lad = ladder_state.ladder()
    assert [round(100 * x, 3) for x in lad.levels] == [0.711, 4.5, 20.0, 60.0, 90.0]
    assert math.isinf(lad.stock_kg[0]) and lad.stock_kg[-1] == 0.0
    assert lad.waste_tails == pytest.approx(0.003)           # below natural uranium
    recycle = [s for s in lad.steps if s.variant == "recycle"]
    assert [(s.level, s.tails_to) for s in recycle] == [(0, None), (1, 0), (2, 1), (3, 2)]
    for s in lad.steps:
        assert s.tails < s.feed < s.product
        if s.variant == "high-tails":                      # ratio midway: above the recycle tails
            assert s.tails_to is None and s.tails > recycle[s.level].tails


def test_stock_at_or_above_90_counts_by_u235():
    state = BreakoutState("x", (Stock(W(93.0), 9.0),), (group("A"),))
    assert state.ladder().stock_kg[-1] == pytest.approx(9.0 * 0.93 / 0.90)


def test_state_checks_its_values():
    with pytest.raises(AssayError):
        BreakoutState("x", (Stock(W(60.0), 1.0),), (group("A"),), waste_tails=W(70.0))
    with pytest.raises(InputError):
        Stock(W(60.0), -1.0)
    with pytest.raises(InputError):
        group("A", machines=0)
    with pytest.raises(InputError):
        BreakoutState("x", (), (group("A"),))


def test_reads_a_good_file_and_converts_uf6():
    s = state_from_toml_text(GOOD, "good.toml")
    sixty = next(x for x in s.stocks if not x.unlimited)
    expect = kg_uf6_to_kg_u(100.0, Composition.binary(W(60.0)))
    assert sixty.kg_u == pytest.approx(expect) and sixty.uncertainty == pytest.approx(0.02)
    assert s.cascades[0].units("as-built") == (1, 332)
    assert s.cascades[0].units("repiped") == (2, 166)
    assert s.assumptions == ("one",) and s.file == "good.toml"


def test_every_problem_is_listed_with_file_key_value_allowed():
    text = '''
[state]
name = "bad"
[units]
mass = "pounds"
[plan]
waste_tails_pct = 50.0
[[stocks]]
assay_pct = 60.0
mass = 10.0
unlimited = true
[[stocks]]
assay_pct = 60.0
mass = -3.0
[[cascades]]
name = "A"
machine = "IR-9"
machines = 166
colour = "red"
[[cascades]]
name = "B"
machine = "IR-1"
machines = 3
built_for = { feed_pct = 5.0, product_pct = 60.0, tails_pct = 2.0 }
'''
    with pytest.raises(StateFileError) as info:
        state_from_toml_text(text, "bad.toml")
    err = info.value
    keys = {p.key for p in err.problems}
    assert {"units.mass", "stocks[1].mass", "cascades[0].colour", "stocks[1].assay_pct",
            "cascades[0].machine"} <= keys
    for p in err.problems:
        assert p.where == "bad.toml" and p.allowed
    assert str(err).startswith(f"{len(err.problems)} problems in bad.toml:")
    assert isinstance(err, ValueError) and isinstance(err, InputError)
    assert pickle.loads(pickle.dumps(err)).problems == err.problems


def test_cross_checks_after_the_format_is_right():
    text = GOOD.replace("unlimited = true", "mass = 5.0").replace(
        'machines = 166', 'machines = 6').replace(
        "[plan]\n", "[plan]\nwaste_tails_pct = 1.0\n")
    text = text.replace('assay_pct = 0.711', 'assay_pct = 0.5')
    with pytest.raises(StateFileError) as info:
        state_from_toml_text(text, "x.toml")
    keys = {p.key: p for p in info.value.problems}
    assert "cascades[0].machines" in keys                  # too few machines for the built job
    assert "plan.waste_tails_pct" in keys                  # not below the lowest level


def test_syntax_error_names_the_line():
    with pytest.raises(StateFileError) as info:
        state_from_toml_text("[state]\nname = 'x\n", "s.toml")
    assert "line" in info.value.problems[0].key


def test_missing_file():
    with pytest.raises(StateFileError) as info:
        load_state("/nonexistent/state.toml")
    assert "readable" in info.value.problems[0].allowed


def test_catalog_is_injected():
    mine = Machine.from_rating("X-1", 2.0, 1.3, swu_range_per_yr=(1.0, 3.0))
    text = GOOD.replace('machine = "IR-6"', 'machine = "X-1"')
    s = state_from_toml_text(text, "x.toml", catalog=MachineCatalog((mine,)))
    assert s.cascades[0].machine is mine


@pytest.mark.parametrize("name", ["feb-2023.toml", "may-2025.toml"])
def test_bundled_states_read_and_examples_match(name):
    state = load_state(DATA / name)
    assert state.assumptions and state.sources
    assert (EXAMPLES / name).read_text() == (DATA / name).read_text()


def test_examples_load():
    for path in sorted(EXAMPLES.glob("*.toml")):
        assert load_state(path).cascades


def test_repr_and_dict(ladder_state):
    assert "ladder" in repr(ladder_state) and "kg-SWU/day" in repr(ladder_state)
    d = ladder_state.as_dict()
    assert d["levels_wt_pct"][-1] == pytest.approx(90.0) and d["stocks"][0]["unlimited"]


def test_assay_is_typed():
    with pytest.raises(AssayError):
        Stock(0.6, 10.0)
    assert Stock(Assay.from_mass_fraction(0.6), 10.0).assay.weight_percent == pytest.approx(60)


@pytest.mark.parametrize("bad", ["2023-02-30", "yesterday", "2023-13"])
def test_state_date_must_be_a_calendar_date(bad):
    """Regression (fresh-user trial 2026-11-27): impossible dates were accepted."""
    from enrichwatch.breakout import StateFileError, state_from_toml_text

    text = f'[state]\nname = "x"\ndate = "{bad}"\n\n[[stocks]]\nassay_pct = 60.0\nmass = 10.0\n'
    with pytest.raises(StateFileError, match="state.date"):
        state_from_toml_text(text, "s.toml")
