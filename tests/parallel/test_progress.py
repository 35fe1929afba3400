"""The Progress interface: adapters, the recorder, the earlier callable interface."""

import pytest

from enrichwatch.errors import InputTypeError
from enrichwatch.parallel import NO_PROGRESS, Progress, RecordedProgress, as_progress, within


def test_none_is_silent_and_a_progress_is_itself():
    assert as_progress(None) is NO_PROGRESS
    rec = RecordedProgress()
    assert as_progress(rec) is rec
    assert isinstance(rec, Progress) and isinstance(NO_PROGRESS, Progress)


def test_the_recorder_counts_each_phase():
    rec = RecordedProgress()
    rec.start(3, "set-up")
    rec.advance()
    rec.advance(2)
    rec.close()
    rec.start(10, "samples")
    rec.advance(4)
    assert rec.phases == (("set-up", 3, 3), ("samples", 10, 4))
    assert rec.events[-1] == ("advance", 4)


def test_within_forwards_advances_and_keeps_the_whole_phase():
    rec = RecordedProgress()
    rec.start(5, "whole")
    part = within(rec)
    part.start(2, "part")
    part.advance(2)
    part.close()
    rec.advance(3)
    rec.close()
    assert rec.phases == (("whole", 5, 5),)
    assert within(None) is NO_PROGRESS


def test_a_callable_hears_units_or_steps():
    units, steps = [], []
    a = as_progress(lambda d, t: units.append((d, t)))
    a.start(10, "samples")
    a.advance(4)
    a.advance(6)
    b = as_progress(lambda d, t: steps.append((d, t)), steps=2)
    b.start(10, "samples")
    b.advance(4)
    b.advance(6)
    assert units == [(4, 10), (10, 10)] and steps == [(1, 2), (2, 2)]


@pytest.mark.parametrize("bad", [3, "bar", object()])
def test_anything_else_is_refused_by_name(bad):
    with pytest.raises(InputTypeError, match="progress"):
        as_progress(bad)
