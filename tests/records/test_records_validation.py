"""Bad records are rejected with a message naming the record, key, value and what is allowed,
and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from enrichwatch.records import RecordDraft, RecordError
from enrichwatch.records.errors import MISSING
from tests.records.records_support import PLANT, declaration, facility, inspection, report, sample


def rejected(store, *drafts) -> RecordError:
    """Append the drafts (one transaction), expect a RecordError, check nothing was written."""
    head = store.head()
    with pytest.raises(RecordError) as caught:
        store.append_many(list(drafts))
    assert store.head() == head and store.count() == head[0]
    return caught.value


@pytest.fixture
def ffep(store):
    store.append(facility())
    return store


# -- unknown facility, references -----------------------------------------------------------------
def test_unknown_facility(store):
    err = rejected(store, report("XYZ"))
    assert (err.param, err.value) == ("facility", "XYZ")
    assert "facility record first" in str(err)


def test_facility_record_earlier_in_the_batch_is_known(store):
    assert [r.kind for r in store.append_many([facility("B"), report("B")])] == [
        "facility", "report"]


def test_facility_registered_twice(ffep):
    err = rejected(ffep, facility())
    assert "record 1 already registers it" in str(err)


def test_party_record_must_use_star_and_others_must_not(ffep):
    err = rejected(ffep, RecordDraft("report", "*", "2023-02-01", "2023-02-01", "x",
                                     {"document": "d"}))
    assert err.param == "facility" and "policy records only" in err.allowed


def test_supersedes_must_exist(ffep):
    err = rejected(ffep, report(supersedes=9))
    assert err.param == "supersedes" and "1 to 1" in err.allowed


def test_supersedes_must_be_same_kind_and_facility(ffep):
    ffep.append_many([facility("B"), report("B")])
    err = rejected(ffep, report("FFEP", supersedes=3))
    assert "record 3 is a report record of 'B'" in str(err)
    err = rejected(ffep, declaration(supersedes=1))
    assert "record 1 is a facility record" in str(err)


def test_only_the_latest_version_can_be_superseded(ffep):
    ffep.append_many([report(), report(supersedes=2)])
    err = rejected(ffep, report(supersedes=2))
    assert "record 3 already supersedes record 2" in str(err)
    assert ffep.append(report(supersedes=3)).supersedes == 3


def test_sample_must_refer_to_an_inspection_of_its_facility(ffep):
    ffep.append(report())
    err = rejected(ffep, sample(2))
    assert err.param == "payload.inspection" and err.value == 2
    err = rejected(ffep, sample(99))
    assert err.param == "payload.inspection"


# -- dates ----------------------------------------------------------------------------------------
def test_sample_not_before_its_inspection(ffep):
    ffep.append(inspection(on="2023-01-21"))
    err = rejected(ffep, sample(2, taken_on="2023-01-20"))
    assert err.param == "valid_from" and "2023-01-21" in err.allowed


def test_known_on_not_in_the_future(ffep):
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    err = rejected(ffep, report(on="2023-02-01", known_on=tomorrow))
    assert err.param == "known_on" and "not after today" in err.allowed


@pytest.mark.parametrize("make", [
    lambda: inspection(on="2023-01-21", known_on="2023-01-20"),
    lambda: report(on="2023-02-01", known_on="2023-01-31"),
])
def test_observed_events_cannot_be_known_before_they_happen(ffep, make):
    err = rejected(ffep, make())
    assert err.param == "known_on" and "on or after valid_from" in err.allowed


def test_declaration_may_take_effect_before_it_is_known(ffep):
    # a late declaration of a change (the case rule 2 of the evaluation flags) is accepted
    rec = ffep.append(declaration(valid_from="2022-11-01", known_on="2022-11-18"))
    assert rec.valid_from < rec.known_on


def test_declaration_not_known_before_it_is_declared(ffep):
    err = rejected(ffep, declaration(known_on="2022-11-18", declared_on="2022-11-20"))
    assert err.param == "payload.declared_on"


@pytest.mark.parametrize("value", ["2023-1-21", "21/01/2023", 20230121, "20230121", "2023-W03-6",
                                   "2023-021", datetime(2023, 1, 21, tzinfo=UTC), None])
def test_malformed_dates(ffep, value):
    err = rejected(ffep, report(on=value, known_on="2023-02-01"))
    assert err.param == "valid_from" and err.allowed == "a calendar date YYYY-MM-DD"


def test_date_objects_and_iso_strings_are_equivalent(ffep):
    a = ffep.append(report(on=date(2023, 2, 1), known_on=date(2023, 2, 2)))
    b = ffep.append(report(on="2023-02-01", known_on="2023-02-02"))
    assert (a.valid_from, a.known_on) == (b.valid_from, b.known_on)


# -- malformed isotopics and payloads -------------------------------------------------------------
@pytest.mark.parametrize("results, key", [
    ([{"u235_pct": 120.0}], "payload.results[0].u235_pct"),
    ([{"u235_pct": -1.0}], "payload.results[0].u235_pct"),
    ([{"u235_pct": float("nan")}], "payload.results[0].u235_pct"),
    ([{"u235_pct": "83.7"}], "payload.results[0].u235_pct"),
    ([{"u235_pct": 83.7, "fraction_of_particles": 1.5}],
     "payload.results[0].fraction_of_particles"),
    ([{"u235_pct": 83.7, "enrichment": 1.0}], "payload.results[0].enrichment"),
])
def test_malformed_isotopic_results(ffep, results, key):
    ffep.append(inspection())
    err = rejected(ffep, sample(2, results=results))
    assert err.param == key


def test_max_assay_must_be_the_largest_result(ffep):
    ffep.append(inspection())
    err = rejected(ffep, sample(2, max_pct=60.0))
    assert err.param == "payload.max_u235_pct" and "83.7" in err.allowed


def test_particle_fractions_add_up_to_at_most_one(ffep):
    ffep.append(inspection())
    err = rejected(ffep, sample(2, max_pct=80.0, results=[
        {"u235_pct": 80.0, "fraction_of_particles": 0.7},
        {"u235_pct": 20.0, "fraction_of_particles": 0.6}]))
    assert err.param == "payload.results"


def test_a_sample_may_report_its_maximum_only(ffep):
    ffep.append(inspection())
    assert ffep.append(sample(2, max_pct=83.7, results=[])).payload["results"] == []


def test_all_payload_problems_are_listed_at_once(ffep):
    ffep.append(inspection())
    bad = RecordDraft("sample", "FFEP", "2023-01-22", "2023-01-30", "x",
                      {"inspection": 2, "kind": "swipe", "max_u235_pct": 101.0,
                       "resluts": []})
    err = rejected(ffep, bad)
    keys = {p.key for p in err.problems}
    assert keys == {"payload.sample_id", "payload.kind", "payload.max_u235_pct",
                    "payload.resluts"}
    missing = next(p for p in err.problems if p.key == "payload.sample_id")
    assert missing.value is MISSING and "is missing" in str(missing)
    typo = next(p for p in err.problems if p.key == "payload.resluts")
    assert "did you mean 'results'" in typo.allowed
    assert str(err).startswith("4 problems, nothing was written:")


def test_measurement_assay_out_of_range(ffep):
    err = rejected(ffep, inspection(measurements=[
        {"item": "cylinder 1", "quantity": "enrichment", "value_pct": 160.0}]))
    assert err.param == "payload.measurements[0].value_pct"


def test_unknown_record_kind(ffep):
    err = rejected(ffep, RecordDraft("rumour", "FFEP", "2023-01-01", "2023-01-01", "x", {}))
    assert err.param == "kind" and "declaration" in err.allowed


@pytest.mark.parametrize("payload, key", [
    ({"kg_u_by_level": {"le5": 10.0, "le20": 5.0}, "total_kg_u": 12.0}, "payload.total_kg_u"),
    ({"kg_u_by_level": {"le5": -1.0}, "total_kg_u": 12.0}, "payload.kg_u_by_level.le5"),
    ({"kg_u_by_level": {"five": 1.0}, "total_kg_u": 12.0}, "payload.kg_u_by_level.five"),
])
def test_malformed_stockpile(ffep, payload, key):
    err = rejected(ffep, RecordDraft("stockpile", "FFEP", "2023-02-01", "2023-02-20", "x",
                                     payload))
    assert err.param == key


def test_more_machines_enriching_than_installed(ffep):
    err = rejected(ffep, RecordDraft("installed_machines", "FFEP", "2023-02-01", "2023-02-20",
                                     "x", {"machines": {"IR-6": 332}, "enriching":
                                           {"IR-6": 400, "IR-1": 1}}))
    assert [p.key for p in err.problems] == ["payload.enriching.IR-6", "payload.enriching.IR-1"]


# -- plant descriptions ---------------------------------------------------------------------------
def test_declared_plant_is_checked_as_a_plant_file(ffep):
    bad = PLANT.replace('machine = "IR-6"', 'machine = "IR-7"')
    err = rejected(ffep, declaration(plant=bad))
    assert err.param == "payload.plant: cascades[0].machine" and err.value == "IR-7"
    assert "draft 1 (declaration)" in str(err)


def test_observed_plant_syntax_error_names_the_line(ffep):
    err = rejected(ffep, inspection(observed_plant='[facility]\nname = "A'))
    assert err.param.startswith("payload.observed_plant: line 2")


# -- text fields ----------------------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [("facility", " FFEP"), ("facility", ""),
                                          ("source", ""), ("source", "a\x00b"),
                                          ("submitted_by", 5)])
def test_bad_text_fields(ffep, field, value):
    draft = report()
    draft = RecordDraft(**{**draft.__dict__, field: value})
    err = rejected(ffep, draft)
    assert err.param == field
