"""Backdating: a declaration appended in 2026 that claims to have been known in January 2023
changes what an evaluation "as known on 2023-02-01" finds. It cannot be prevented (known_on is
the submitter's claim) but it is flagged as a late entry, and the evaluation "as the store held
it on 2023-02-01" (transaction time) is untouched by it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from enrichwatch.evaluation import evaluate
from enrichwatch.records import RecordDraft, RecordStore, is_late_entry, load_case_file
from tests.evaluation.evaluation_helpers import FORDOW

AS_OF = "2023-02-01"
LOADED = datetime(2023, 2, 1, 12, 0, tzinfo=UTC)        # the case entered as it happened
ATTACK = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    now = [LOADED]
    with RecordStore.open(tmp_path / "ffep.sqlite", clock=lambda: now[0]).init() as opened:
        load_case_file(opened, FORDOW / "case.toml")
        opened.clock_for_test = now
        yield opened


def backdated_declaration() -> RecordDraft:
    """Declares, "on 2023-01-10", the very configuration the inspectors found on 2023-01-21."""
    return RecordDraft("declaration", "FFEP", "2023-01-16", "2023-01-10", "forged DIQ", {
        "declared_on": "2023-01-10", "plant": (FORDOW / "observed.toml").read_text(),
        "declared_max_assay_pct": 60.0, "summary": "backdated"})


def rules(evaluation) -> list[str]:
    return [f.rule for f in evaluation.findings]


def test_backdated_declaration_is_flagged_and_transaction_time_is_unchanged(store):
    before = evaluate(store.known_as_of("FFEP", AS_OF), "FFEP", AS_OF)
    assert rules(before) == ["observed-differs-from-declared", "late-design-change-declaration",
                             "assay-above-declared-maximum"]
    # entered on 2023-02-01: records 6 and 7 (known that day) are on time, 1 to 5 are late
    assert [e["id"] for e in before.late_entries] == [1, 2, 3, 4, 5]
    assert not any(e["entered_after_as_of"] for e in before.late_entries)

    store.clock_for_test[0] = ATTACK
    forged = store.append(backdated_declaration())
    assert is_late_entry(forged)

    after = evaluate(store.known_as_of("FFEP", AS_OF), "FFEP", AS_OF)
    assert "observed-differs-from-declared" not in rules(after)        # the attack's effect...
    late = {e["id"]: e for e in after.late_entries}
    assert forged.id in late                                            # ...is flagged
    assert late[forged.id]["entered_after_as_of"] is True
    assert late[forged.id]["recorded_at"].startswith("2026-12-01")
    assert "backdated" in after.late_entry_note
    assert after.as_dict()["late_entries"][-1]["id"] == forged.id

    for held in ("2023-02-01", LOADED, "2026-11-30"):                   # transaction time
        held_view = store.known_as_of("FFEP", AS_OF, held_on=held)
        assert forged.id not in [r.id for r in held_view]
        assert rules(evaluate(held_view, "FFEP", AS_OF)) == rules(before)
    everything = store.history("FFEP")
    assert rules(evaluate(everything, "FFEP", AS_OF, held_on="2023-02-01")) == rules(before)
    assert evaluate(everything, "FFEP", AS_OF, held_on="2023-02-01").held_on is not None


def test_finding_resting_on_a_late_entry_names_it(store):
    store.clock_for_test[0] = ATTACK
    store.append(RecordDraft("sample", "FFEP", "2023-01-22", "2023-01-25", "forged lab", {
        "inspection": 4, "sample_id": "X-1", "kind": "environmental", "max_u235_pct": 90.0,
        "results": [{"u235_pct": 90.0}]}))
    result = evaluate(store.known_as_of("FFEP", AS_OF), "FFEP", AS_OF)
    flagged = [f for f in result.findings if 8 in f.evidence]
    assert flagged and all(8 in f.late_evidence for f in flagged)
    assert flagged[0].as_dict()["late_evidence"][0] == 8


def test_records_entered_on_time_are_not_late(tmp_path):
    now = [datetime(2023, 2, 2, 23, 0, tzinfo=UTC)]        # one day after known_on: grace
    with RecordStore.open(tmp_path / "s.sqlite", clock=lambda: now[0]).init() as store:
        rec = store.append(RecordDraft("facility", "F", "2023-02-01", "2023-02-01", "s",
                                       {"name": "F"}))
        assert not is_late_entry(rec)
        now[0] = datetime(2023, 2, 3, 0, 0, tzinfo=UTC)    # two days after: late
        rec = store.append(RecordDraft("report", "F", "2023-02-01", "2023-02-01", "s",
                                       {"document": "D"}))
        assert is_late_entry(rec)
