"""Case files: TOML with [[records]] entries, plant files embedded, refs resolved, all or
nothing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from enrichwatch.records import RecordError, Signer, load_case_file, read_case_file
from tests.case_files import FORDOW, case_text, entry
from tests.records.records_support import PLANT, facility, party

CASE = case_text(
    entry("facility", "FFEP", date(2009, 9, 21), date(2009, 9, 21), "IAEA GOV/2009/74",
          {"name": "Fordow Fuel Enrichment Plant", "country": "Iran"}, ref="ffep"),
    entry("declaration", "FFEP", date(2022, 11, 22), date(2022, 11, 18),
          "DIQ of November 2022 (IAEA GOV/INF/2023/1)",
          {"declared_on": date(2022, 11, 18), "plant_file": "declared.toml",
           "declared_max_assay_pct": 60.0, "summary": "two IR-6 cascades interconnected"},
          ref="diq"),
    entry("inspection", "FFEP", date(2023, 1, 21), date(2023, 1, 21), "IAEA GOV/INF/2023/1",
          {"kind": "unannounced", "observed_plant_file": "observed.toml",
           "summary": "interconnection differs from the declared one"}, ref="ui"),
    # dates as strings too: the loader takes "YYYY-MM-DD" as well as TOML dates
    entry("sample", "FFEP", "2023-01-22", "2023-01-30", "IAEA GOV/2023/8",
          {"inspection": "ui", "sample_id": "ES-2023-01-22", "kind": "environmental",
           "max_u235_pct": 83.7, "results": [{"u235_pct": 83.7}]}),
    entry("declaration", "FFEP", date(2022, 11, 22), date(2023, 1, 25), "corrected DIQ",
          {"declared_on": date(2023, 1, 25), "plant": PLANT, "declared_max_assay_pct": 60.0},
          supersedes="diq"),
    title="Fordow 2023 (test)")


@pytest.fixture
def case_dir(tmp_path):
    for name in ("declared.toml", "observed.toml"):
        shutil.copy(FORDOW / name, tmp_path / name)
    (tmp_path / "case.toml").write_text(CASE)
    return tmp_path


def write(case_dir, text: str) -> Path:
    path = case_dir / "case.toml"
    path.write_text(text)
    return path


def test_case_file_is_appended_with_refs_and_plant_files(store, case_dir):
    recs = load_case_file(store, case_dir / "case.toml")
    assert [r.kind for r in recs] == ["facility", "declaration", "inspection", "sample",
                                      "declaration"]
    assert recs[1].payload["plant"] == (case_dir / "declared.toml").read_text()
    assert recs[2].payload["observed_plant"] == (case_dir / "observed.toml").read_text()
    assert recs[3].payload["inspection"] == recs[2].id
    assert recs[4].supersedes == recs[1].id
    assert recs == store.history("FFEP") and store.verify().ok


def test_refs_are_resolved_after_existing_records(store, case_dir):
    store.append(facility("OTHER"))
    recs = load_case_file(store, case_dir / "case.toml")
    assert recs[0].id == 2 and recs[3].payload["inspection"] == 4 and recs[4].supersedes == 3


def test_a_bad_entry_writes_nothing(store, case_dir):
    text = CASE.replace("max_u235_pct = 83.7", "max_u235_pct = 90.0")
    with pytest.raises(RecordError) as caught:
        load_case_file(store, write(case_dir, text))
    assert str(caught.value).startswith("case.toml records[3]: payload.max_u235_pct = 90.0")
    assert store.count() == 0


def test_unknown_keys_and_missing_keys_are_named(store, case_dir):
    text = CASE.replace('ref = "ui"\n', 'ref = "ui"\nvalid_form = 2023-01-21\n').replace(
        'source = "IAEA GOV/2009/74"\n', "", 1)
    with pytest.raises(RecordError) as caught:
        load_case_file(store, write(case_dir, text))
    found = {(p.where, p.key) for p in caught.value.problems}
    assert found == {("case.toml records[0]", "source"),
                     ("case.toml records[2]", "valid_form")}
    assert "did you mean 'valid_from'" in str(caught.value)


def test_missing_plant_file_is_named(store, case_dir):
    (case_dir / "observed.toml").unlink()
    with pytest.raises(RecordError) as caught:
        load_case_file(store, case_dir / "case.toml")
    assert caught.value.param == "payload.observed_plant_file"
    assert caught.value.problems[0].where == "case.toml records[2]"


def test_plant_and_plant_file_together_are_refused(case_dir):
    text = CASE.replace('plant_file = "declared.toml"',
                        'plant_file = "declared.toml"\nplant = "x"')
    with pytest.raises(RecordError, match="either plant or plant_file"):
        read_case_file(write(case_dir, text))


def test_ref_must_name_an_earlier_entry(store, case_dir):
    text = CASE.replace('inspection = "ui"', 'inspection = "later"')
    with pytest.raises(RecordError) as caught:
        load_case_file(store, write(case_dir, text))
    assert caught.value.param == "payload.inspection" and caught.value.value == "later"


def test_duplicate_refs_are_refused(case_dir):
    with pytest.raises(RecordError, match="a ref not used before"):
        read_case_file(write(case_dir, CASE.replace('ref = "ui"', 'ref = "diq"')))


def test_toml_syntax_error_names_the_line(case_dir):
    with pytest.raises(RecordError) as caught:
        read_case_file(write(case_dir, "[[records]]\nkind = 'facility\n"))
    assert caught.value.param.startswith("line 2")


def test_case_file_without_records(case_dir):
    with pytest.raises(RecordError, match="one or more"):
        read_case_file(write(case_dir, "[case]\ntitle = 'x'\n"))


def test_entries_are_signed_by_their_submitters(store, case_dir):
    iaea = Signer.generate("IAEA")
    store.append(party(iaea), iaea)
    text = CASE.replace('source = "IAEA GOV/INF/2023/1"\n',
                        'source = "IAEA GOV/INF/2023/1"\nsubmitted_by = "IAEA"\n')
    with pytest.raises(RecordError, match="requires signatures"):
        load_case_file(store, write(case_dir, text))
    recs = load_case_file(store, case_dir / "case.toml", signers=[iaea])
    assert recs[2].submitted_by == "IAEA" and recs[2].signature is not None
    assert recs[3].signature is None
    assert store.verify().ok


def test_the_fordow_example_case_file_loads_and_verifies(store):
    path = FORDOW / "case.toml"
    if not path.exists():
        pytest.skip("examples/fordow-2023/case.toml not written yet")
    recs = load_case_file(store, path)
    assert recs[0].kind == "facility" and store.verify().ok
    assert {r.kind for r in recs} >= {"declaration", "inspection", "sample"}


def test_every_draft_problem_of_a_case_file_is_reported_at_once(tmp_path):
    """Regression (fresh-user trial 2026-11-27): only the first problem was reported."""
    from enrichwatch.records import RecordError, RecordStore, load_case_file

    case = tmp_path / "two.toml"
    day = date(2020, 1, 1)
    case.write_text(case_text(
        entry("facility", "X", day, day, "s", {"name": "x"}),
        entry("rumour", "X", day, day, "s", {"name": "x"}),
        entry("report", "X", date(2020, 1, 5), day, "s",
              {"document": "d", "title": "t", "summary": "s"})))
    store = RecordStore.open("sqlite://").init()
    with pytest.raises(RecordError) as err:
        load_case_file(store, case)
    keys = {(p.where.split()[-1], p.key) for p in err.value.problems}
    assert keys == {("records[1]", "kind"), ("records[2]", "known_on")}
    assert len(store) == 0


# -- operating histories stated by a declaration (issue 11) -------------------------------------
HISTORY = "feed-cylinder-change.toml"


def with_histories(case_dir, value: str) -> Path:
    """The test case with ``history_files = <value>`` in its first declaration."""
    shutil.copy(FORDOW / HISTORY, case_dir / HISTORY)
    text = CASE.replace('plant_file = "declared.toml"\n',
                        f'plant_file = "declared.toml"\nhistory_files = {value}\n', 1)
    return write(case_dir, text)


def test_history_files_are_embedded_in_the_declaration(store, case_dir):
    recs = load_case_file(store, with_histories(case_dir, f'["{HISTORY}"]'))
    assert recs[1].payload["histories"] == [{"file": HISTORY,
                                             "text": (FORDOW / HISTORY).read_text()}]
    assert "histories" not in recs[4].payload      # a declaration without them is unchanged
    assert store.verify().ok


@pytest.mark.parametrize(("value", "key", "shown", "allowed"), [
    ('["missing.toml"]', "payload.history_files[0]", "missing.toml", "a readable history file"),
    (f'["{HISTORY}", "../outside.toml"]', "payload.history_files[1]", "../outside.toml",
     "inside the case file's folder"),
    ('["/etc/passwd"]', "payload.history_files[0]", "/etc/passwd",
     "inside the case file's folder"),
    ('"one.toml"', "payload.history_files", "one.toml", "a list of operating history files"),
    ("[3]", "payload.history_files[0]", 3, "a file name"),
])
def test_bad_history_references_name_file_key_and_value(store, case_dir, value, key, shown,
                                                        allowed):
    (case_dir.parent / "outside.toml").write_text((FORDOW / HISTORY).read_text())
    with pytest.raises(RecordError) as caught:
        load_case_file(store, with_histories(case_dir, value))
    (problem,) = caught.value.problems
    assert (problem.where, problem.key, problem.value) == ("case.toml records[1]", key, shown)
    assert allowed in problem.allowed
    assert store.count() == 0


def test_history_outside_the_folder_is_allowed_only_on_request(store, case_dir):
    (case_dir.parent / "outside.toml").write_text((FORDOW / HISTORY).read_text())
    path = with_histories(case_dir, '["../outside.toml"]')
    recs = load_case_file(store, path, allow_outside=True)
    assert recs[1].payload["histories"][0]["file"] == "../outside.toml"


def test_histories_and_history_files_together_are_refused(case_dir):
    path = with_histories(case_dir, f'["{HISTORY}"]\nhistories = []')
    with pytest.raises(RecordError, match="either histories or history_files"):
        read_case_file(path)


def test_a_history_that_does_not_fit_the_declared_plant_is_rejected(store, case_dir):
    text = (FORDOW / HISTORY).read_text().replace('"HEU product" = "closed"',
                                                  '"LEU product" = "closed"')
    (case_dir / "bad.toml").write_text(text)
    with pytest.raises(RecordError) as caught:
        load_case_file(store, with_histories(case_dir, '["bad.toml"]'))
    problem = caught.value.problems[0]
    assert problem.where == "case.toml records[1]"
    assert problem.key == 'payload.histories[0] (bad.toml): segments[1].withdrawals."LEU product"'
    assert problem.value == "LEU product" and store.count() == 0


def test_a_history_naming_other_plant_files_is_rejected(store, case_dir):
    text = (FORDOW / HISTORY).read_text().replace(
        "[holdup]", '[configurations]\nother = "observed.toml"\n\n[holdup]')
    (case_dir / "other.toml").write_text(text)
    with pytest.raises(RecordError) as caught:
        load_case_file(store, with_histories(case_dir, '["other.toml"]'))
    problem = caught.value.problems[0]
    assert problem.key == "payload.histories[0] (other.toml): configurations"
    assert "that record's plant only" in problem.allowed
