"""Accountancy input files: the format read, and bad input refused naming file, key and value
(issue 10, "Must show": negative mass, assay outside 0-100 %, periods that overlap or go
backwards, an unknown measurement point, an RSD >= 1, a covariance singular because every error
is zero)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.accountancy import material_balance
from enrichwatch.accountancy.balance import BalancePeriods, Flow, Items, Level
from enrichwatch.accountancy.study_io import StudyFileError, load_study, study_from_toml_text
from enrichwatch.files import MISSING
from tests.accountancy.study_helpers import EXAMPLES, SMALL, small, write


def _problems(tmp_path, doc) -> list:
    path = write(tmp_path, doc)
    with pytest.raises(StudyFileError) as caught:
        load_study(path)
    for p in caught.value.problems:
        assert p.where == str(path)                  # every problem names the file
    return list(caught.value.problems)


def _one(tmp_path, doc, key):
    found = {p.key: p for p in _problems(tmp_path, doc)}
    assert key in found, list(found)
    return found[key]


def test_the_small_study_loads(tmp_path):
    study = load_study(write(tmp_path, small()))
    assert study.area.name == "MBA-T" and study.area.names == ("feed", "product", "tails",
                                                                "store")
    assert study.periods.count == 2 and study.tests.quantities == ("U", "U235")
    assert study.losses[0].kg_u == 50.0 and study.losses[0].first == 1
    assert study.model.points["feed"].assay.random_rsd == 0.002
    assert study.start_date is None and study.date_of(5.0) is None


def test_without_assays_only_the_element_balance_is_analysed(tmp_path):
    doc = small()
    del doc["points"]["store"]["assay_wt_pct"]
    assert load_study(write(tmp_path, doc)).tests.quantities == ("U",)


@pytest.mark.parametrize("change, key, value", [
    (lambda d: d["points"]["feed"].update(masses_kg_u=[1000.0, -1.0]),
     "points.feed.masses_kg_u[1]", -1.0),
    (lambda d: d["points"]["product"].update(assay_wt_pct=120.0),
     "points.product.assay_wt_pct", 120.0),
    (lambda d: d["points"]["product"].update(assay_wt_pct=[4.0, -0.5]),
     "points.product.assay_wt_pct[1]", -0.5),
    (lambda d: d["measurement"]["feed"]["mass"].update(random_rsd=1.0),
     "measurement.feed.mass.random_rsd", 1.0),
    (lambda d: d["measurement"]["feed"]["assay"].update(systematic_rsd=1.5),
     "measurement.feed.assay.systematic_rsd", 1.5),
    (lambda d: d["tests"].update(false_alarm_per_year=1.0), "tests.false_alarm_per_year", 1.0),
    (lambda d: d["points"]["feed"].update(role="feed"), "points.feed.role", "feed"),
    (lambda d: d["points"]["feed"].update(mass=[1.0]), "points.feed.mass", [1.0]),
])
def test_bad_values_are_refused_naming_file_key_and_value(tmp_path, change, key, value):
    doc = small()
    change(doc)
    assert _one(tmp_path, doc, key).value == value


@pytest.mark.parametrize("periods, key, value", [
    ({"intervals_h": [[0.0, 100.0], [90.0, 200.0]]}, "periods.intervals_h[1]", [90.0, 200.0]),
    ({"intervals_h": [[0.0, 100.0], [110.0, 200.0]]}, "periods.intervals_h[1]", [110.0, 200.0]),
    ({"intervals_h": [[0.0, 100.0], [100.0, 50.0]]}, "periods.intervals_h[1]", [100.0, 50.0]),
    ({"boundaries_h": [0.0, 100.0, 90.0]}, "periods.boundaries_h[2]", 90.0),
    ({"boundary_dates": [dt.date(2024, 1, 31), dt.date(2024, 1, 1)]},
     "periods.boundary_dates[1]", "2024-01-01"),
    ({"boundaries_h": [0.0, 100.0], "regular": {"length_h": 10.0, "count": 2}}, "periods",
     ["boundaries_h", "regular"]),
])
def test_periods_that_overlap_or_go_backwards_are_refused(tmp_path, periods, key, value):
    assert _one(tmp_path, small(periods=periods), key).value == value


def test_an_unknown_and_a_missing_measurement_point(tmp_path):
    doc = small()
    doc["measurement"]["fed"] = doc["measurement"].pop("feed")
    found = {p.key: p for p in _problems(tmp_path, doc)}
    assert found["measurement.fed"].value == "fed"
    assert "a point of the area" in found["measurement.fed"].allowed
    assert found["measurement.feed"].value is MISSING


def test_a_covariance_singular_because_every_error_is_zero(tmp_path):
    zero = {"mass": {"random_rsd": 0.0, "systematic_rsd": 0.0},
            "assay": {"random_rsd": 0.0, "systematic_rsd": 0.0}}
    doc = small(measurement={n: zero for n in SMALL["points"]})
    found = [p for p in _problems(tmp_path, doc) if p.key == "measurement"]
    assert [p.value for p in found] == ["sigma-MUF = 0 in balance 1 (U)",
                                        "sigma-MUF = 0 in balance 1 (U235)"]
    assert all("singular" in p.allowed and "of feed, product, tails, store is zero" in p.allowed
               for p in found)
    assert f"{tmp_path / 'study.toml'}: measurement = 'sigma-MUF = 0 in balance 1 (U)'" in \
        str(StudyFileError(found))


def test_an_inventory_item_off_the_boundaries(tmp_path):
    doc = small()
    doc["points"]["store"]["times_h"] = [0.0, 99.0, 200.0]
    p = _one(tmp_path, doc, "points.store.times_h[1]")
    assert p.value == 99.0 and "boundary" in p.allowed


def test_cross_references(tmp_path):
    doc = small(losses=[{"name": "x", "pattern": "abrupt", "balance": 3, "sq": 1.0,
                         "assay_wt_pct": 4.0},
                        {"name": "y", "pattern": "protracted", "kg_u": 5.0, "sq": 1.0,
                         "assay_wt_pct": 4.0}])
    doc["measurement"]["feed"]["mass"] = {"method": "no-such-method"}
    doc["measurement"]["tails"]["assay"] = {"method": "load-cell-weighing"}
    doc["points"]["feed"]["dates"] = [dt.date(2024, 1, 2)]
    found = {p.key: p for p in _problems(tmp_path, doc)}
    assert found["losses[0].balance"].value == 3
    assert found["losses[1].sq"].value == 1.0
    assert "load-cell-weighing" in found["measurement.feed.mass.method"].allowed
    assert "measures the mass" in found["measurement.tails.assay.method"].allowed
    assert "not both" in found["points.feed.times_h"].allowed


def test_the_u235_balance_needs_every_assay(tmp_path):
    doc = small(tests={"quantities": ["U", "U235"]})
    del doc["points"]["store"]["assay_wt_pct"]
    p = _one(tmp_path, doc, "points.store.assay_wt_pct")
    assert "U-235 assays" in p.allowed


def test_files_named_inside_stay_in_the_folder(tmp_path):
    doc = small()
    doc["points"]["store"] = {"role": "inventory", "kind": "level",
                              "mapit_csv": "../outside.csv"}
    assert "inside the input file's folder" in _one(tmp_path, doc, "points.store.mapit_csv"
                                                    ).allowed


def test_a_mapit_csv_point_and_its_errors(tmp_path):
    (tmp_path / "store.csv").write_text("time,value\n0,500\n50,499\n100,500\n150,501\n200,500\n")
    doc = small()
    doc["points"]["store"] = {"role": "inventory", "kind": "level", "mapit_csv": "store.csv",
                              "assay_wt_pct": 0.711}
    study = load_study(write(tmp_path, doc))
    assert isinstance(study.area.point("store").data, Level)
    (tmp_path / "store.csv").write_text("0,500\n100,-5\n200,500\n")
    p = _one(tmp_path, doc, "points.store.mapit_csv")
    assert p.value == "store.csv" and "store.csv:2" in p.allowed and "-5" in p.allowed


def test_a_mapit_folder(tmp_path):
    for folder, name, rows in (("input", "in0", "0,10\n100,10\n200,10\n"),
                               ("output", "out0", "0,10\n100,10\n200,10\n"),
                               ("inventory", "invn0", "0,50\n100,50\n200,50\n")):
        (tmp_path / "data" / folder).mkdir(parents=True)
        (tmp_path / "data" / folder / f"{name}.csv").write_text(rows)
    unc = {"mass": {"random_rsd": 0.01, "systematic_rsd": 0.0}}
    doc = {"study": {"name": "mapit"}, "periods": {"boundaries_h": [0.0, 100.0, 200.0]},
           "mapit": {"folder": "data"}, "measurement": {n: unc for n in ("in0", "out0",
                                                                          "invn0")}}
    study = load_study(write(tmp_path, doc))
    assert study.area.names == ("in0", "invn0", "out0")
    assert isinstance(study.area.point("in0").data, Flow)
    np.testing.assert_allclose(material_balance(study.area, study.periods).muf, [0.0, 0.0])


def test_dates_are_the_ends_of_days(tmp_path):
    """A boundary date closes that day; an item dated the next day belongs to the next
    period; the origin is the day after the first boundary."""
    doc = small(periods={"boundary_dates": [dt.date(2023, 12, 31), dt.date(2024, 1, 31),
                                            dt.date(2024, 2, 29)]})
    doc["points"]["feed"] = {"role": "input", "dates": [dt.date(2024, 1, 31),
                                                        dt.date(2024, 2, 1)],
                             "masses_kg_u": [1000.0, 1000.0], "assay_wt_pct": 0.711}
    for name in ("product", "tails"):
        doc["points"][name]["times_h"] = [100.0, 800.0]
    doc["points"]["store"]["times_h"] = [0.0, 744.0, 1440.0]
    study = load_study(write(tmp_path, doc))
    assert study.start_date == dt.date(2024, 1, 1)
    assert study.periods.boundaries_h.tolist() == [0.0, 744.0, 1440.0]
    assert study.area.point("feed").data.times_h.tolist() == [744.0, 768.0]
    assert study.periods.period_of(study.area.point("feed").data.times_h).tolist() == [0, 1]
    assert [study.date_of(h).isoformat() for h in (0.0, 744.0, 768.0)] == [
        "2023-12-31", "2024-01-31", "2024-02-01"]


def test_dates_need_an_origin(tmp_path):
    doc = small()
    del doc["points"]["feed"]["times_h"]
    doc["points"]["feed"]["dates"] = [dt.date(2024, 1, 2), dt.date(2024, 1, 5)]
    assert "calendar origin" in _one(tmp_path, doc, "points.feed.dates").allowed


def test_syntax_and_unreadable_files(tmp_path):
    with pytest.raises(StudyFileError, match="valid TOML"):
        study_from_toml_text("[study\n", "x.toml")
    with pytest.raises(StudyFileError) as caught:
        load_study(tmp_path / "none.toml")
    assert caught.value.problems[0].key == "file"


def test_the_plant_check_section(tmp_path):
    (tmp_path / "plant.toml").write_text((EXAMPLES / "plant.toml").read_text())
    doc = small(plant_check={"plant": "plant.toml",
                             "feed": {"kg_u": [1000.0, 1000.0], "assay_wt_pct": 0.711,
                                      "measurement": "feed"},
                             "product": {"kg_u": [200.0], "assay_wt_pct": 4.0,
                                         "measurement": {"mass": {"method":
                                                                  "load-cell-weighing"}}},
                             "tails": {"kg_u": [1800.0], "assay_wt_pct": 0.3}})
    found = {p.key: p for p in _problems(tmp_path, doc)}
    assert found["plant_check.tails.measurement"].value is MISSING
    doc["plant_check"]["tails"]["measurement"] = "tails"
    study = load_study(write(tmp_path, doc))
    check = study.plant_check
    assert check.period_days == pytest.approx(200 / 24) and check.product.measurement.assay is None
    doc["plant_check"]["plant"] = "missing.toml"
    assert "readable" in _one(tmp_path, doc, "plant_check.plant").allowed


@settings(max_examples=25, deadline=None)
@given(masses=st.lists(st.floats(0.0, 1e4), min_size=7, max_size=7),
       ends=st.lists(st.floats(1.0, 500.0), min_size=2, max_size=2))
def test_a_file_reads_as_the_api_builds(masses, ends):
    """Invariant: the balance of a study read from TOML equals the one built in Python."""
    b = [0.0, ends[0], ends[0] + ends[1]]
    doc = small(periods={"boundaries_h": b})
    times = {"feed": [b[1] / 2, b[1] + 1.0], "product": [b[1], b[2]], "tails": [1.0, b[2]]}
    for i, name in enumerate(("feed", "product", "tails")):
        doc["points"][name].update(times_h=times[name], masses_kg_u=masses[2 * i:2 * i + 2])
    doc["points"]["store"].update(times_h=b, masses_kg_u=[masses[6], 1.0, 2.0])
    import tomli_w

    study = study_from_toml_text(tomli_w.dumps(doc), "p.toml")
    items = {n: Items.from_weight_percent(times[n], masses[2 * i:2 * i + 2])
             for i, n in enumerate(("feed", "product", "tails"))}
    expected = (masses[6] + sum(items["feed"].masses_kg_u) - sum(items["product"].masses_kg_u)
                - sum(items["tails"].masses_kg_u) - 2.0)
    got = material_balance(study.area, BalancePeriods(np.array(b)))
    assert got.cumuf[-1] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_the_examples_load():
    for name in ("no-loss", "abrupt-loss", "protracted-loss"):
        study = load_study(EXAMPLES / f"{name}.toml")
        assert study.periods.count == 12 and study.area.name == "EX-MBA-1"
        assert study.start_date == dt.date(2024, 1, 1) and study.plant_check is not None
        assert [s.name for s in study.losses] == ["abrupt 1 SQ in June",
                                                  "protracted 1 SQ over the year"]
