"""Plant description files: reading, checking, writing, and the network they describe.

Tolerances: isotope balances close to 1e-9 relative (the network solver's own bound); unit
conversions agree to 1e-12 relative (they are a few floating-point operations).
"""

from __future__ import annotations

import os
import pickle
import re
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.composition import kg_u_to_kg_uf6
from enrichwatch.errors import InputError
from enrichwatch.facility import (
    MISSING,
    RATE_UNITS,
    CascadeSpec,
    DesignSpec,
    Facility,
    FacilityFileError,
    FeedSpec,
    Isotopics,
    MachineSpec,
    PlantInfo,
    Problem,
    StreamSpec,
    WithdrawalSpec,
    load_facility,
    save_facility,
)
from enrichwatch.physics.machines import Machine, MachineCatalog

DATA = Path(__file__).parents[1] / "data"
GOOD = sorted((DATA / "plants").glob("*.toml"))
BROKEN = sorted((DATA / "broken_plants").glob("*.toml"))
DOC = Path(__file__).parents[2] / "docs" / "plant-format.md"
BALANCE_TOL = 1e-9
UNIT_RTOL = 1e-12


def _ids(paths):
    return [p.stem for p in paths]


# -- good files -----------------------------------------------------------------------------------
def test_there_are_examples_of_each_kind():
    assert {"single_designed", "fordow_two_cascades", "uf6_month", "inline_machines"} <= \
        {p.stem for p in GOOD}
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", GOOD, ids=_ids(GOOD))
def test_good_file_solves_with_closed_balance(path):
    plant = load_facility(path)
    state = plant.solve()
    assert np.max(np.abs(state.balance_residual())) < BALANCE_TOL
    assert set(plant.withdrawal_labels()) == set(state.withdrawals)


@pytest.mark.parametrize("path", GOOD, ids=_ids(GOOD))
def test_load_save_load_gives_an_equal_model(path, tmp_path):
    plant = load_facility(path)
    copy = load_facility(save_facility(plant, tmp_path / path.name))
    assert copy == plant
    assert copy.to_toml() == plant.to_toml()
    assert copy.filename != plant.filename          # equality ignores where it came from


def test_fordow_file_keeps_what_the_user_wrote():
    plant = load_facility(DATA / "plants" / "fordow_two_cascades.toml")
    assert plant.rate_unit == "kg U/month"
    assert plant.info.illustrative and plant.info.country == "Iran"
    assert plant.cascades[1].machine == "ir6"
    assert plant.cascades[0].design.feed.as_dict() == {"U234": 0.04, "U235": 5.0, "U238": 94.96}


def test_recycle_network_with_imposed_withdrawal():
    plant = load_facility(DATA / "plants" / "fordow_two_cascades.toml")
    assert plant.withdrawal_rates() == {"B.product": 48.0}       # 4 kg U/month
    assert plant.withdrawal_labels() == {"A.tails": "tails", "B.product": "60 % product"}
    network = plant.to_network()
    assert [(link.source, link.output, link.target) for link in network.links] == \
        [("A", "product", "B"), ("B", "tails", "A")]
    state = plant.solve()
    assert state.withdrawals["B.product"].rate_kg_per_yr == pytest.approx(48.0, rel=1e-9)


def test_inline_machines_are_built_and_shadow_nothing_else():
    plant = load_facility(DATA / "plants" / "inline_machines.toml")
    network = plant.to_network()
    first, second = network.cascades["first"], network.cascades["second"]
    assert first.machine.name == "IR-6-local" and first.machine.kind == "rating"
    assert second.machine.name == "P2 like" and second.machine.kind == "geometry"
    assert first.cuts[5] == 0.48
    assert network.links[0].stage == 3 and network.links[0].fraction == 0.75
    assert network.feeds[1].composition.isotopes == ("U235", "U238")


def test_inline_machine_with_a_catalog_name_replaces_it():
    text = _minimal(machine="IR-6", extra="[machines.ir-6]\nswu_per_yr = 1.0\n"
                                          "stage_factor = 1.2\nsource = \"test\"\n")
    network = Facility.from_toml_text(text).to_network()
    assert network.cascades["A"].machine.nominal_swu_per_yr == 1.0


# -- units ----------------------------------------------------------------------------------------
def test_uf6_per_month_file_gives_the_kg_u_per_year_network():
    uf6 = load_facility(DATA / "plants" / "uf6_month.toml").to_network()
    u = load_facility(DATA / "plants" / "u_year_equivalent.toml").to_network()
    for a, b in zip(uf6.feeds, u.feeds, strict=True):
        assert a.rate_kg_per_yr == pytest.approx(b.rate_kg_per_yr, rel=UNIT_RTOL, abs=0)
        assert a.composition == b.composition
    ca, cb = uf6.cascades["A"], u.cascades["A"]
    assert ca.design.feed_kg_per_yr == pytest.approx(cb.design.feed_kg_per_yr, rel=UNIT_RTOL)
    assert ca.machines_per_stage == cb.machines_per_stage


def test_uf6_withdrawal_rate_converts_with_the_withdrawn_stream():
    plant = load_facility(DATA / "plants" / "uf6_month.toml")
    state = plant.solve()
    product = state.withdrawals["A.product"]
    uf6_per_month = kg_u_to_kg_uf6(product.rate_kg_per_yr, product.composition) / 12.0
    assert uf6_per_month == pytest.approx(20.0, rel=UNIT_RTOL)
    assert plant.withdrawal_rates()["A.product"] == pytest.approx(product.rate_kg_per_yr,
                                                                  rel=UNIT_RTOL)


@pytest.mark.parametrize("unit", list(RATE_UNITS))
def test_every_rate_unit_is_accepted(unit):
    plant = Facility.from_toml_text(_minimal(unit=unit))
    assert plant.rate_unit == unit
    assert plant.to_network().feeds[0].rate_kg_per_yr > 0.0


# -- broken files ---------------------------------------------------------------------------------
def _expectations(path: Path) -> list[tuple[str, str]]:
    head = path.read_bytes().split(b"\n\n", 1)[0].decode("ascii")
    return re.findall(r"^# expect: (.*?) \| (.*)$", head, flags=re.MULTILINE)


def _needle(key: str, value: str) -> str:
    return f"{key} is missing" if value == "is missing" else f"{key} = {value}"


@pytest.mark.parametrize("path", BROKEN, ids=_ids(BROKEN))
def test_broken_file_names_file_key_and_value(path):
    expected = _expectations(path)
    assert expected, f"{path.name} states no '# expect:' line"
    with pytest.raises(FacilityFileError) as info:
        load_facility(path)
    lines = str(info.value).splitlines()
    for key, value in expected:
        assert any(_needle(key, value) in line and str(path) in line for line in lines), \
            f"{_needle(key, value)!r} not reported:\n{info.value}"
    assert len(info.value.problems) == len(expected), str(info.value)


def test_several_errors_are_reported_at_once():
    with pytest.raises(FacilityFileError) as info:
        load_facility(DATA / "broken_plants" / "several_errors.toml")
    keys = [p.key for p in info.value.problems]
    assert keys == ["facility.descripton", "units.rate", "cascades[0].machine",
                    "cascades[1].design.feed", "streams[0].to", "feeds[0].rate"]
    assert str(info.value).count("\n") == len(keys)      # a header, then one line each


def test_facility_file_error_is_a_value_error_and_pickles():
    with pytest.raises(ValueError) as info:
        load_facility(DATA / "broken_plants" / "unknown_machine.toml")
    err = info.value
    assert isinstance(err, FacilityFileError) and isinstance(err, InputError)
    assert (err.param, err.value) == ("cascades[0].machine", "IR-7")
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)


def test_missing_file_is_reported(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(FacilityFileError) as info:
        load_facility(path)
    assert str(path) in str(info.value) and "readable file" in str(info.value)


def test_directory_is_not_a_plant_file(tmp_path):
    with pytest.raises(FacilityFileError, match="readable file"):
        load_facility(tmp_path)


def test_unknown_key_suggests_the_right_one():
    with pytest.raises(FacilityFileError, match=r"did you mean 'feed_stage'\?"):
        Facility.from_toml_text(_minimal().replace("feed_stage", "feedstage"))


def test_loop_with_no_exit_names_the_cascades():
    with pytest.raises(FacilityFileError) as info:
        load_facility(DATA / "broken_plants" / "loop_no_exit.toml")
    assert info.value.problems[0].key == "streams"
    assert "every loop has an exit" in str(info.value)


# -- the Python side ------------------------------------------------------------------------------
def test_injected_catalog_is_used_and_checked():
    text = _minimal(machine="test machine")
    tiny = MachineCatalog((Machine.from_rating("Test-Machine", 3.0, 1.3),), "tiny")
    plant = Facility.from_toml_text(text, catalog=tiny)
    assert plant.to_network(tiny).cascades["A"].machine.name == "Test-Machine"
    with pytest.raises(FacilityFileError, match=r"cascades\[0\]\.machine = 'test machine'"):
        plant.to_network()                               # the bundled catalog lacks it


def test_directly_built_facility_is_checked_by_to_network():
    leu = Isotopics.from_percent({"U235": 5.0, "U238": 95.0})
    plant = Facility(PlantInfo("by hand"), (CascadeSpec("A", "IR-6", (2, 4, 2), 1),),
                     (FeedSpec("feed", "A", 10.0, leu),), streams=(StreamSpec("A.tails", "Q"),))
    with pytest.raises(FacilityFileError, match=r"<memory>: streams\[0\]\.to = 'Q'"):
        plant.to_network()


def test_save_is_atomic_when_the_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "plant.toml"
    path.write_text("old contents", encoding="utf-8")
    plant = load_facility(DATA / "plants" / "single_designed.toml")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        save_facility(plant, path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["plant.toml"]


def test_problem_without_a_value_reads_missing():
    p = Problem("f.toml", "feeds[0].rate", MISSING, "a rate")
    assert str(p) == "f.toml: feeds[0].rate is missing: expected a rate"


def test_documented_example_loads_and_solves():
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- complete example -->\s*```toml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/plant-format.md lost its complete example"
    plant = Facility.from_toml_text(block.group(1), filename=str(DOC))
    state = plant.solve()
    assert np.max(np.abs(state.balance_residual())) < BALANCE_TOL


# -- round trip of generated descriptions ---------------------------------------------------------
_NAMES = st.text(string.ascii_letters + string.digits + " -_", min_size=1, max_size=10) \
    .filter(lambda s: s == s.strip())
_TEXT = st.text(max_size=30)


def _binary(draw, low, high, basis):
    u235 = draw(st.floats(low, high))
    return Isotopics((("U235", u235), ("U238", 100.0 - u235)), basis)


@st.composite
def _cascade(draw, name, machines):
    machine = draw(st.sampled_from(machines))
    if draw(st.booleans()):
        layout = tuple(draw(st.lists(st.integers(1, 40), min_size=2, max_size=12)))
        cuts = draw(st.none() | st.lists(st.floats(0.3, 0.7), min_size=len(layout),
                                         max_size=len(layout)).map(tuple))
        return CascadeSpec(name, machine, layout, draw(st.integers(0, len(layout) - 1)), cuts)
    feed = _binary(draw, 2.0, 10.0, draw(st.sampled_from(["mass", "atom"])))
    product = draw(st.floats(feed.u235_percent + 2.0, 60.0))
    tails = draw(st.floats(0.3, feed.u235_percent - 1.0))
    size = draw(st.one_of(st.tuples(st.integers(250, 400), st.none()),
                          st.tuples(st.none(), st.floats(10.0, 1e4))))
    return CascadeSpec(name, machine, design=DesignSpec(feed, product, tails, *size))


@st.composite
def _facilities(draw):
    info = PlantInfo(draw(_NAMES), draw(st.none() | _TEXT), draw(st.none() | _TEXT),
                     draw(st.booleans()), tuple(draw(st.lists(_TEXT, max_size=3))),
                     tuple(draw(st.lists(_TEXT, max_size=2))))
    inline = MachineSpec("local-1", draw(_TEXT.filter(lambda s: s.strip() == s and s)),
                         5.0, draw(st.none() | st.just((4.0, 6.0))), draw(st.none() | st.just(0.5)),
                         draw(st.floats(1.2, 1.6)))
    machines = (inline,) if draw(st.booleans()) else ()
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    choice = ["IR-1", "IR-6", "P-2"] + [m.name for m in machines]
    cascades = tuple(draw(_cascade(n, choice)) for n in names)
    streams = tuple(StreamSpec(f"{a}.product", b, fraction=draw(st.floats(0.1, 1.0)))
                    for a, b in zip(names, names[1:], strict=False))
    feeds = tuple(FeedSpec(f"feed {i}", names[0], draw(st.floats(1.0, 1e3)),
                           _binary(draw, 0.5, 10.0, "mass"), draw(st.none() | st.just(0)))
                  for i in range(draw(st.integers(1, 2))))
    rate = 0.01 * sum(f.rate for f in feeds) if draw(st.booleans()) else None
    withdrawals = (WithdrawalSpec(f"{names[-1]}.tails", draw(st.none() | _NAMES), rate),)
    return Facility(info, cascades, feeds, streams, withdrawals, machines,
                    draw(st.sampled_from(list(RATE_UNITS))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_facilities())
def test_generated_descriptions_round_trip(plant):
    text = plant.to_toml()
    again = Facility.from_toml_text(text, filename="generated.toml")
    assert again == plant
    assert again.to_toml() == text


# -- helpers --------------------------------------------------------------------------------------
def _minimal(unit: str = "kg U/month", machine: str = "IR-6", extra: str = "") -> str:
    return f"""
[facility]
name = "minimal"

[units]
rate = "{unit}"

{extra}
[[cascades]]
name = "A"
machine = "{machine}"
machines_per_stage = [4, 8, 12, 8, 4]
feed_stage = 2

[[feeds]]
name = "feed"
to = "A"
rate = 10.0
composition = {{ U235 = 5.0, U238 = 95.0 }}
"""


# -- the figures results give every presentation ---------------------------------------------------
def test_withdrawal_figures_come_from_the_unrounded_rate():
    from enrichwatch.facility.solve import solve_plant

    root = Path(__file__).parents[2] / "examples" / "fordow-2023"
    plant = solve_plant(root / "observed.toml", capability=False)
    for w in plant.result.withdrawals:
        s = plant.state.withdrawals[w.name]
        assert w.rate() == w.rate_kg_per_month == s.rate_kg_per_yr / 12
        assert w.rate("kg U/yr") == pytest.approx(s.rate_kg_per_yr, rel=1e-15)
        assert w.u235_rate("kg U/yr") == pytest.approx(
            s.rate_kg_per_yr * s.assay.weight_percent / 100, rel=1e-15)
        assert w.is_heu == bool(s.assay.is_heu)
        with pytest.raises(InputError, match="rate_unit"):
            w.rate("kg UF6/month")
    assert [w.name for w in plant.result.heu_withdrawals] == ["B.product"]


def test_heu_totals_sum_unrounded_rates():
    from enrichwatch.facility.results import PlantResult, WithdrawalResult

    # three HEU withdrawals of 0.0004 kg U/month: each shows as 0.000, together 0.0012
    heu = {"U235": 60.0, "U238": 40.0}
    withdrawals = tuple(WithdrawalResult(f"C{i}.product", f"C{i}", 0.0004, heu)
                        for i in range(3))
    leu = WithdrawalResult("T.tails", "T", 100.0, {"U235": 2.0, "U238": 98.0})
    empty = WithdrawalResult("E.product", "E", 0.0, {})
    result = PlantResult(cascades=(), withdrawals=(*withdrawals, leu, empty), streams=(),
                         feeds={}, balance_residual=0.0)
    assert result.heu_withdrawals == withdrawals
    assert f"{result.heu_rate():.3f}" == "0.001"
    assert sum(float(f"{w.rate():.3f}") for w in withdrawals) == 0.0
    assert result.heu_rate("kg U/yr") == pytest.approx(3 * 0.0048, rel=1e-15)
    assert result.heu_u235_rate() == pytest.approx(3 * 0.0004 * 0.6, rel=1e-12)
    assert result.heu_kg_per_month == result.heu_rate()
    assert not empty.is_heu and not empty.has_assay and empty.u235_rate() == 0.0
