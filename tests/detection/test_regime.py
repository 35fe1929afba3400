"""Regimes as data: the bundled Iran regime, the file checks (every problem with file, key
and value), measures looked at during other measures' visits, and the accountancy hook."""

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.detection import (
    Delay,
    Measure,
    MeasurePeriod,
    Regime,
    RegimeFileError,
    detection_distribution,
    load_regime,
    regime_from_text,
)
from enrichwatch.detection.regime import ACTIVITY_KINDS
from enrichwatch.errors import InputError, UnknownNameError
from tests.detection.helpers import BALANCE, REGIME

FACILITIES = ("Natanz FEP", "Natanz PFEP", "Fordow FFEP")


@pytest.fixture(scope="module")
def iran():
    return load_regime()


def test_bundled_regime_covers_the_three_plants_2016_to_2025(iran):
    assert iran.facilities == FACILITIES
    assert {m.kind for m in iran.measures} == set(ACTIVITY_KINDS)
    for m in iran.measures:
        starts = [p.start for p in m.periods]
        assert starts == sorted(starts)
        for p in m.periods:
            assert p.sources and all(k in iran.sources for k in p.sources)
            if not p.verified:
                assert "ASSUMPTION" in p.note or "assum" in p.note, (m.name, p.start)
    assert min(p.start for m in iran.measures for p in m.periods) == date(2016, 1, 16)


def test_every_period_ends_where_the_record_says(iran):
    """Dates of iran-verification-regime.md: JCPOA measures stop 2021-02-23; JCPOA monitor and
    flow meter off 2022-06-08; 27 cameras removed from 2022-06-09; Fordow verification up from
    2022-11-22 and again from 2023-03-04; monitors by 2023-05-31; nothing from 2025-06-13."""
    def in_place(facility, day, name):
        return any(m.name == name and p.in_place for m, p in iran.in_force(facility, day))

    olem = "online enrichment monitor (JCPOA)"
    assert in_place("Natanz FEP", date(2021, 2, 22), olem)
    assert not in_place("Natanz FEP", date(2021, 2, 23), olem)
    cams = "surveillance cameras (JCPOA)"
    assert in_place("Fordow FFEP", date(2020, 1, 1), cams)
    assert not in_place("Fordow FFEP", date(2022, 6, 9), cams)
    ui = {m.name: p for m, p in iran.in_force("Fordow FFEP", date(2023, 1, 16))
          if m.kind == "unannounced_inspection" and p.in_place}
    assert len(ui) == 1
    before = next(p for m, p in iran.in_force("Fordow FFEP", date(2022, 11, 21))
                  if m.name in ui)
    after = next(p for m, p in iran.in_force("Fordow FFEP", date(2023, 3, 4)) if m.name in ui)
    only = next(iter(ui.values()))
    assert before.interval_days > only.interval_days > after.interval_days
    assert not any(in_place("Fordow FFEP", date(2023, 5, 30), m.name) for m in iran.measures
                   if m.name.startswith("enrichment monitoring devices"))
    for f in FACILITIES:
        assert iran.activities(f, date(2025, 6, 13)) == ()
        assert iran.activities(f, date(2025, 6, 12)) != ()


def test_eras_name_the_phases(iran):
    assert iran.era(date(2017, 1, 1)).startswith("JCPOA")
    assert "no verification" in iran.era(date(2025, 9, 1))
    assert all(e.short and e.sources for e in iran.eras)
    assert all(k in iran.sources for e in iran.eras for k in e.sources)


def test_seals_and_cameras_are_checked_at_the_inspection_visits():
    r = regime_from_text(REGIME, "test.toml")
    acts = r.activities("Plant A", date(2024, 1, 1))
    joint = [a for a in acts if a.kind == "inspection"]
    assert len(joint) == 1 and joint[0].name == "monthly inspection + seals"
    assert joint[0].interval_days == 30.0 and joint[0].probability == 1.0

    def reveal(kind):                      # the inspection itself sees nothing, seals do
        return {"seals": (0.6, 0.0, "x")}.get(kind)

    only = r.activities("Plant A", date(2024, 1, 1), reveal)
    assert len(only) == 1 and only[0].process == "periodic" and only[0].probability == 0.6
    assert "at the monthly inspection visits" in only[0].name

    def both(kind):
        return {"seals": (0.6, 0.0, "x"), "inspection": (0.5, 0.0, "y")}.get(kind)

    merged = r.activities("Plant A", date(2024, 1, 1), both)
    assert len(merged) == 1 and math.isclose(merged[0].probability, 1 - 0.5 * 0.4)

    def later(kind):                       # seen by seals only from day 3: kept apart
        return {"seals": (0.6, 3.0, "x"), "inspection": (0.5, 0.0, "y")}.get(kind)

    apart = r.activities("Plant A", date(2024, 1, 1), later)
    assert len(apart) == 2 and "approximation" in apart[1].sources[-1]


@dataclass(frozen=True)
class _Accountancy:
    detection_probability: float
    source: str = "accountancy statistics (test)"


def test_accountancy_hook_replaces_the_detection_probability_per_balance(iran):
    r = iran.with_accountancy(_Accountancy(0.42), facilities=["Fordow FFEP"],
                              on=date(2023, 1, 16))
    fordow = [p for m in r.measures if m.kind == "material_accountancy"
              and "Fordow FFEP" in m.facilities for p in m.periods if p.covers(date(2023, 1, 16))
              and p.in_place]
    assert fordow and {p.probability for p in fordow} == {0.42}
    assert {p.probability_source for p in fordow} == {"accountancy statistics (test)"}
    natanz = [p for m in r.measures if m.kind == "material_accountancy"
              and "Natanz FEP" in m.facilities for p in m.periods if p.in_place]
    assert {p.probability for p in natanz} == {0.9}            # untouched
    early = iran.with_accountancy(0.3, source="test", facilities=["Fordow FFEP"],
                                  on=date(2017, 1, 1))
    by_name = {m.name: m for m in early.measures if m.kind == "material_accountancy"
               and "Fordow FFEP" in m.facilities}
    piv = by_name["material balance (physical inventory verification)"].periods[0]
    iiv = by_name["interim inventory balance (HEU, Fordow)"].periods[0]
    assert (piv.probability, iiv.probability) == (0.3, 0.9)  # only the period of the date
    with pytest.raises(InputError):
        iran.with_accountancy(1.2)
    with pytest.raises(UnknownNameError):
        iran.with_accountancy(0.5, facilities=["Dimona"])


def _bad(old, new, text=REGIME):
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("edit", "key", "value"), [
    (("per_year = 12", "per_year = -3"), "measure[0].period[0].per_year", "-3"),
    (("period_days = 30", "period_days = -30"), "measure[1].period[0].period_days", "-30"),
    (('source = ["S1"]\nverified = false\nnote = "12', 'probability = 1.5\nsource = ["S1"]\n'
      'verified = false\nnote = "12'), "measure[0].period[0].probability", "1.5"),
    (('from = "2023-01-01"', 'from = "2022-06-01"'), "measure[0].period[1].from",
     "'2022-06-01'"),
    (('facilities = ["Plant A"]\n\n[[measure.period]]\nfrom = "2020-01-01"\nto',
      'facilities = ["Plant Z"]\n\n[[measure.period]]\nfrom = "2020-01-01"\nto'),
     "measure[0].facilities[0]", "'Plant Z'"),
    (('source = ["S2"]\nverified = true', 'source = ["S9"]\nverified = true'),
     "measure[0].period[1].source[0]", "'S9'"),
    (('from = "2023-01-01"', 'from = "2023-1-1"'), "measure[0].period[1].from", "'2023-1-1'"),
    (('to = "2023-01-01"', 'to = "2019-01-01"'), "measure[0].period[0].to", "'2019-01-01'"),
    (("per_year = 24", "period_days = 24"), "measure[0].period[1].per_year", "is missing"),
    (('kind = "seals"', 'kind = "drones"'), "measure[2].kind", "'drones'"),
    (('delay_days = [20, 40]', 'delay_days = [40, 20]'), "measure[3].period[0].delay_days",
     "[40.0, 20.0]"),
    (('at = "inspection"', 'at = "inspection"\nprocess = "poisson"'),
     "measure[2].period[0].process", "'poisson'"),
    (("in_place = true\nprocess = \"periodic\"\nperiod_days = 30",
      "in_place = true\nprocess = \"periodic\"\nperiod_days = 30\nfrequency = 3"),
     "measure[1].period[0].frequency", "3"),
])
def test_bad_regime_files_name_file_key_and_value(edit, key, value):
    with pytest.raises(RegimeFileError) as info:
        regime_from_text(_bad(*edit), "bad.toml")
    text = str(info.value)
    assert f"bad.toml: {key}" in text and value in text, text


def test_overlap_of_the_same_measure_across_tables():
    """Two [[measure]] tables of the same name at the same facility overlap as one measure."""
    extra = '''
[[measure]]
name = "monthly inspection"
kind = "inspection"
facilities = ["Plant B"]

[[measure.period]]
from = "2021-01-01"
in_place = false
source = ["S1"]
verified = true
'''
    with pytest.raises(RegimeFileError, match=r"measure\[4\]\.period\[0\]\.from = '2021-01-01'"):
        regime_from_text(REGIME + extra, "bad.toml")


def test_every_problem_is_reported_at_once():
    text = _bad("per_year = 12", "per_year = -3")
    text = _bad('kind = "seals"', 'kind = "drones"', text)
    with pytest.raises(RegimeFileError) as info:
        regime_from_text(text, "bad.toml")
    assert len(info.value.problems) >= 1
    text = _bad('from = "2023-01-01"', 'from = "2022-06-01"')
    text = _bad('source = ["S2"]\nverified = true', 'source = ["S9"]\nverified = true', text)
    with pytest.raises(RegimeFileError) as info:
        regime_from_text(text, "bad.toml")
    assert len(info.value.problems) == 2


def test_a_regime_file_on_disk(tmp_path):
    path = tmp_path / "regime.toml"
    path.write_text(REGIME, encoding="utf-8")
    r = load_regime(path)
    assert r.origin == str(path) and r.facilities == ("Plant A", "Plant B")
    with pytest.raises(RegimeFileError, match="file"):
        load_regime(tmp_path / "missing.toml")


#: Copied from shared/reference/safeguards-vectors.json (id, source, expected).
SG_CONST_003 = {"id": "SG-CONST-003",
                "source": "NSSPI 'Detection probability' page https://nsspi-nssep.org/nssep/"
                          "reference/technical-safeguards-terminology/safeguards-approaches%2c"
                          "-concepts%2c-and-measures/detection-probability.html",
                "expected": {"high": 0.9}}


def test_accountancy_input_is_the_high_detection_probability_level(iran):
    """Until the accountancy statistics feed it, the bundled balance detects with the IAEA's
    'high' level (SG-CONST-003, tolerance 0), stated as an input with its source."""
    for m in iran.measures:
        if m.kind != "material_accountancy":
            continue
        for p in m.periods:
            if p.in_place:
                assert p.probability == SG_CONST_003["expected"]["high"]
                assert "GLOSSARY" in p.sources and not p.verified


# -- invariants at the level of the regime (issue 12) -------------------------------------------

_DAY = date(2024, 1, 1)
_TIMES = np.array([0.0, 0.5, 1.0, 3.0, 7.0, 15.0, 30.0, 60.0, 120.0, 400.0, 2000.0])
_KINDS = sorted(ACTIVITY_KINDS)


@st.composite
def a_measure(draw, index):
    """One measure in place at 'P' on _DAY: its own process, or looked at during the visits
    of another kind (``at``)."""
    kind = draw(st.sampled_from(_KINDS))
    p = draw(st.floats(0.0, 1.0))
    low = draw(st.floats(0.0, 40.0))
    delay = Delay(low, low + draw(st.sampled_from([0.0, 10.0, 60.0])))
    mode = draw(st.sampled_from(["periodic", "poisson", "continuous", "at"]))
    if mode == "at":
        period = MeasurePeriod(date(2020, 1, 1), None, True, None, math.inf, p, delay,
                               ("S",), True, at=draw(st.sampled_from(_KINDS)))
    else:
        interval = {"periodic": draw(st.floats(1.0, 365.0)),
                    "poisson": draw(st.sampled_from([math.inf, 3.0, 30.0, 180.0])),
                    "continuous": draw(st.sampled_from([0.0, 1.0, 7.0, 30.0]))}[mode]
        period = MeasurePeriod(date(2020, 1, 1), None, True, mode, interval, p, delay,
                               ("S",), True)
    return Measure(f"measure {index}", kind, ("P",), (period,))


@st.composite
def a_regime_and_misuse(draw):
    """Measures at one plant, and what each kind of activity sees of a misuse (or None)."""
    measures = [draw(a_measure(i)) for i in range(draw(st.integers(0, 5)))]
    sees = {k: draw(st.one_of(st.none(), st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 20.0),
                                                   st.just("test"))))
            for k in _KINDS}
    return measures, sees


def _distribution(measures, sees):
    regime = Regime("test", ("P",), tuple(measures), {"S": "https://example.org"})
    return detection_distribution(regime.activities("P", _DAY, sees.get))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=a_regime_and_misuse(), extra=a_measure(99), where=st.integers(0, 5))
def test_adding_a_measure_to_a_regime_never_lengthens_detection(base, extra, where):
    """Wherever the new measure stands in the file, and whether it has visits of its own or is
    looked at during another kind's visits (or hosts such measures), detection comes no later:
    P(detected by t) never falls, at any t."""
    measures, sees = base
    before = _distribution(measures, sees)
    after = _distribution(measures[:where] + [extra] + measures[where:], sees)
    assert np.all(after.cdf(_TIMES) >= before.cdf(_TIMES) - 1e-12)
    assert after.probability_ever >= before.probability_ever - 1e-12


@settings(max_examples=60, deadline=None)
@given(base=a_regime_and_misuse())
def test_a_regime_with_no_measure_in_place_never_detects(base):
    measures, sees = base
    off = [replace(m, periods=tuple(replace(p, in_place=False, process=None, at=None)
                                    for p in m.periods)) for m in measures]
    regime = Regime("test", ("P",), tuple(off), {"S": "https://example.org"})
    assert regime.activities("P", _DAY, sees.get) == ()
    d = _distribution(off, sees)
    assert d.probability_ever == 0.0 and np.all(d.cdf(_TIMES) == 0.0)
    assert math.isinf(d.median) and math.isinf(d.p90)


def test_seals_are_checked_at_every_inspection_measure():
    """Seals checked during inspections are looked at by each inspection measure in place:
    a second, rarer inspection measure listed first does not take the seals away from the
    monthly one (a case of the property above)."""
    seals = Measure("seals", "seals", ("P",), (MeasurePeriod(
        date(2020, 1, 1), None, True, None, math.inf, 1.0, Delay(0.0, 0.0), ("S",), True,
        at="inspection"),))

    def inspection(name, days):
        return Measure(name, "inspection", ("P",), (MeasurePeriod(
            date(2020, 1, 1), None, True, "periodic", days, 1.0, Delay(0.0, 0.0), ("S",),
            True),))

    def seen(kind):
        return (1.0, 0.0, "seals see it") if kind == "seals" else None

    monthly = [inspection("monthly", 30.0), seals]
    both = [inspection("yearly", 365.0)] + monthly
    one = _distribution(monthly, {"seals": seen("seals")})
    two = _distribution(both, {"seals": seen("seals")})
    assert math.isclose(one.median, 15.0) and two.median <= one.median
    regime = Regime("test", ("P",), tuple(both), {"S": "https://example.org"})
    names = sorted(a.name for a in regime.activities("P", _DAY, seen))
    assert names == ["seals (at the monthly visits)", "seals (at the yearly visits)"]


# -- material accountancy: the detection probability per balance from the accountancy module ---



def test_balance_probability_computed_by_the_accountancy_statistics():
    """The single-balance MUF test: PD = Phi(M / sigma - z(1 - alpha)) (written out here with
    scipy, independently of enrichwatch.accountancy)."""
    from scipy import stats

    from enrichwatch.detection import detect, misuse_of_kind

    r = regime_from_text(REGIME + BALANCE, "test.toml")
    period = next(m for m in r.measures if m.kind == "material_accountancy").periods[0]
    expected = stats.norm.cdf(30.0 / 12.0 - stats.norm.ppf(0.95))
    assert math.isclose(period.probability, expected, rel_tol=1e-12)
    assert "sigma-MUF 12 kg U" in period.probability_source
    default = regime_from_text(REGIME + BALANCE.replace("loss_kg = 30.0\n", ""), "t.toml")
    one_sq = next(m for m in default.measures if m.kind == "material_accountancy").periods[0]
    assert math.isclose(one_sq.probability,
                        stats.norm.cdf(25.0 / 0.9 / 12.0 - stats.norm.ppf(0.95)), rel_tol=1e-12)
    result = detect(misuse_of_kind("diversion", "d", ("Plant A",), date(2023, 1, 16)), r)
    balance = [a for a in result.distribution.activities if a.kind == "material_accountancy"]
    assert len(balance) == 1 and math.isclose(balance[0].probability, expected)
    assert any("sigma-MUF 12 kg U" in line for line in result.assumptions())


@pytest.mark.parametrize(("old", "new", "key", "value"), [
    ("sigma_muf_kg = 12.0", "sigma_muf_kg = -12.0", "measure[4].period[0].accountancy."
                                                    "sigma_muf_kg", "-12"),
    ("false_alarm = 0.05", "false_alarm = 1.5", "measure[4].period[0].accountancy.false_alarm",
     "1.5"),
    ("loss_kg = 30.0", "loss_kg = 0", "measure[4].period[0].accountancy.loss_kg", "0"),
    ("delay_days = 30", "delay_days = 30\nprobability = 0.9", "measure[4].period[0].probability",
     "0.9"),
    ('kind = "material_accountancy"', 'kind = "inspection"', "measure[4].period[0].accountancy",
     "sigma_muf_kg"),
])
def test_bad_accountancy_tables_name_file_key_and_value(old, new, key, value):
    with pytest.raises(RegimeFileError) as info:
        regime_from_text(REGIME + _bad(old, new, BALANCE), "bad.toml")
    text = str(info.value)
    assert f"bad.toml: {key}" in text and value in text, text


def test_a_regime_covers_its_record_and_no_more(iran):
    """Before its first period a regime records nothing (not 'no verification'); the bundled
    one ends with 2025."""
    assert iran.covers(date(2016, 1, 16)) and iran.covers(date(2025, 12, 31))
    assert not iran.covers(date(2016, 1, 15)) and not iran.covers(date(2026, 1, 1))
    with pytest.raises(InputError, match="2016-01-16 to 2025-12-31") as info:
        iran.check_date(date(2012, 2, 15), "start")
    assert info.value.param == "start" and info.value.value == "2012-02-15"
    open_ended = regime_from_text(REGIME, "test.toml")
    assert open_ended.until is None and open_ended.covers(date(2100, 1, 1))
    with pytest.raises(RegimeFileError, match=r"regime.until = '2019-01-01'"):
        regime_from_text(REGIME.replace('facilities = ["Plant A", "Plant B"]',
                                        'facilities = ["Plant A", "Plant B"]\n'
                                        'until = "2019-01-01"', 1), "bad.toml")
