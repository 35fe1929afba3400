"""The batch checker of drafts (:class:`~enrichwatch.records.rules.DraftChecker`) remembers the
field checks that passed; it must give every draft the same answer, and the same messages, as
:func:`~enrichwatch.records.rules.check_draft` alone, whatever came before it in the batch."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.records import RecordDraft, RecordError
from enrichwatch.records.rules import DraftChecker, check_draft

TODAY = date(2024, 1, 1)

_KINDS = st.sampled_from(["report", "facility", "party", "bogus"])
_FACILITIES = st.sampled_from(["FFEP", "ffep", "*", "FF EP", " FFEP"])
_SOURCES = st.sampled_from(["GOV/2023/9", "", " x", "GOV\x00"])
_SUPERSEDES = st.sampled_from([None, 1, True, 0, -3])
_SUBMITTED = st.sampled_from([None, "IAEA", "bad party"])
_DAYS = st.sampled_from([date(2023, 2, 1), "2023-02-01", "2025-01-01", "not a date",
                         date(2023, 1, 1)])
_PAYLOADS = st.sampled_from([{"document": "GOV/2023/9"}, {}, {"document": 3}])


def _draft(kind, facility, source, supersedes, submitted, valid, known, payload):
    return RecordDraft(kind, facility, valid, known, source, payload, supersedes=supersedes,
                       submitted_by=submitted)


_DRAFTS = st.builds(_draft, _KINDS, _FACILITIES, _SOURCES, _SUPERSEDES, _SUBMITTED, _DAYS,
                    _DAYS, _PAYLOADS)


def _outcome(check, draft, where):
    try:
        return ("ok", check(draft, where))
    except RecordError as err:
        return ("error", str(err),
                tuple((p.where, p.key, repr(p.value), p.allowed) for p in err.problems))


@settings(max_examples=300, deadline=None)
@given(st.lists(_DRAFTS, min_size=1, max_size=12))
def test_batch_checker_answers_as_check_draft(drafts):
    checker = DraftChecker(TODAY)
    for n, draft in enumerate(drafts):
        where = f"draft {n}"
        assert _outcome(checker.check, draft, where) == \
            _outcome(lambda d, w: check_draft(d, w, TODAY), draft, where)


def test_a_remembered_pass_does_not_hide_a_bad_supersedes():
    checker = DraftChecker(TODAY)
    good = RecordDraft("report", "FFEP", "2023-02-01", "2023-02-01", "GOV/1",
                       {"document": "GOV/1"})
    assert checker.check(good, "a").facility == "FFEP"
    bad = RecordDraft("report", "FFEP", "2023-02-01", "2023-02-01", "GOV/1", {"document": "GOV/1"},
                      supersedes=True)
    try:
        checker.check(bad, "b")
    except RecordError as err:
        assert err.param == "supersedes"
    else:
        raise AssertionError("a boolean supersedes passed after a remembered good draft")
