"""The rule context answers from indexes (issue 14: a ledger may hold 1e5 records); the
answers are those of a scan over every record, on ledgers drawn at random (cross-kind and
chained corrections, duplicate dates, late entries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.dates import format_timestamp, parse_date
from enrichwatch.evaluation.casefile import CaseRecord
from enrichwatch.evaluation.engine import _LateEntries
from enrichwatch.evaluation.plants import PlantCache
from enrichwatch.evaluation.records import in_force, known_as_of
from enrichwatch.evaluation.rules import Context
from enrichwatch.records.bitemporal import is_late_entry

START = date(2022, 1, 1)
KINDS = ("declaration", "inspection", "sample", "report")


@dataclass(frozen=True)
class Stored(CaseRecord):
    """A case record as the store returns it: with the time it entered the store."""

    recorded_at: datetime = datetime(2023, 1, 1, tzinfo=UTC)


@st.composite
def ledgers(draw):
    out = []
    for i in range(1, draw(st.integers(0, 25)) + 1):
        valid = START + timedelta(days=draw(st.integers(0, 60)))
        known = valid + timedelta(days=draw(st.integers(-5, 30)))
        supersedes = draw(st.none() | st.integers(1, i - 1)) if i > 1 else None
        entered = datetime.combine(known, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=draw(st.integers(0, 24 * 5)))
        out.append(Stored(i, draw(st.sampled_from(KINDS)), draw(st.sampled_from("FG")), valid,
                          known, supersedes, "src", {}, recorded_at=entered))
    return out


def _of_kind(ctx, kind):
    return sorted((r for r in ctx.current if r.kind == kind and r.valid_from <= ctx.as_of),
                  key=lambda r: (r.valid_from, r.id))


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.integers(0, 90), st.integers(0, 90), st.integers(0, 90))
def test_context_answers_as_a_scan_does(records, as_of, on, known):
    as_of = START + timedelta(days=as_of)
    ctx = Context.build(records, "F", as_of, PlantCache())
    mine = [r for r in records if r.facility == "F" and r.known_on <= as_of]
    assert list(ctx.records) == mine
    assert list(ctx.current) == known_as_of(mine, as_of)
    for kind in KINDS:
        assert ctx.of_kind(kind) == _of_kind(ctx, kind)
        ctx.of_kind(kind).clear()                            # a copy: the index unchanged
        assert ctx.of_kind(kind) == _of_kind(ctx, kind)
    for record_id in [*range(0, 27), None, 3.0, [1]]:
        expected = next((r for r in ctx.records if r.id == record_id), None)
        assert ctx.get(record_id) == expected
    on, known = START + timedelta(days=on), START + timedelta(days=known)
    for exclude in ((), tuple(r.id for r in mine[:2])):
        expected = in_force(ctx.records, "declaration", on=on, known_on=min(known, as_of),
                            exclude=exclude)
        assert ctx.declaration(on, known, exclude) == expected


def _plain_late_entries(records, as_of):
    late = {r.id for r in records if is_late_entry(r)}
    out = []
    for r in records:
        if r.id in late:
            entered = r.recorded_at.astimezone(UTC)
            known = parse_date(r.known_on)
            out.append({"id": r.id, "kind": r.kind, "known_on": known.isoformat(),
                        "recorded_at": format_timestamp(entered),
                        "days_late": (entered.date() - known).days,
                        "entered_after_as_of": entered.date() > as_of})
    return tuple(out)


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.integers(0, 90))
def test_late_entries_as_before(records, as_of):
    as_of = START + timedelta(days=as_of)
    assert _LateEntries(as_of).of(records) == _plain_late_entries(records, as_of)


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.lists(st.integers(1, 6), min_size=25, max_size=25), st.integers(0, 90))
def test_late_entries_as_before_with_shared_ids(records, ids, as_of):
    """Record-like objects of a case may share ids: every record with the id of a late entry
    is listed (a late one with its facts, another with its own)."""
    from dataclasses import replace

    records = [replace(r, id=i) for r, i in zip(records, ids, strict=False)]
    as_of = START + timedelta(days=as_of)
    assert _LateEntries(as_of).of(records) == _plain_late_entries(records, as_of)
    assert _LateEntries(as_of).of(iter(records)) == _plain_late_entries(records, as_of)
