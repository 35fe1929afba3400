"""The outlook page's timelines computed on a fresh (cold) cache, and the work that takes: the
physics of each distinct cascade and step once, of catalog machines at their nominal ratings
only (the page shows no tornado), and none at all on a later start that finds the disk cache
(as the command line fills it)."""

from collections import Counter

import pytest

from enrichwatch.breakout import rates
from enrichwatch.breakout.cache import cache_directory
from enrichwatch.physics.machines import load_catalog
from enrichwatch.web.service import Outlook

#: An analyst date (2025-05-31), a date with the all-capacity scenario only (2025-09) and a
#: gap in the public record (2025-11-12).
WINDOW = ("2025-05", "2026")


@pytest.fixture
def physics(monkeypatch):
    """Every cascade the rates solve (one per step rate computed, not read from a cache), with
    the in-memory rate cache emptied first: as in a new process."""
    rates.step_rate.cache_clear()
    built = []
    real = rates._build

    def counted(machine, n, job, xf, xp, xw):
        built.append((machine, n, job, xf, xp, xw))
        return real(machine, n, job, xf, xp, xw)

    monkeypatch.setattr(rates, "_build", counted)
    yield built
    rates.step_rate.cache_clear()


def test_the_outlook_is_computed_on_a_cold_cache(physics, app, clients):
    folder = cache_directory()
    assert folder is not None and not (folder / "breakout").exists()      # cold
    ledger = app.state.web.ledger
    saved = ledger.outlook
    try:
        ledger.outlook = Outlook(*WINDOW)
        view = ledger.outlook.compute()
        page = clients["ann"].get("/facilities/FFEP/outlook").text
    finally:
        ledger.outlook = saved
    assert view.state == "ready", view.error
    assert [r["date"] for r in view.rows] == ["2025-05-31", "2025-09", "2025-11-12"]
    assert [r["breakout_days"] is None for r in view.rows] == [False, False, True]
    assert "<svg" in view.breakout and "timeline-all-capacity" in view.breakout
    assert 'id="outlook-rows"' in page and page.count("<tr><td>2025-") == 3

    # the work: each distinct cascade and step solved once, every machine a catalog machine
    # at its nominal rating and stage factor (no tornado variants)
    assert physics, "a cold cache computes the rates"
    assert max(Counter(physics).values()) == 1
    catalog = load_catalog()
    assert {m.name for m, *_ in physics} <= set(catalog.names)
    assert all(m == catalog.get(m.name) for m, *_ in physics)
    assert len(list((folder / "breakout").glob("rates-*.json"))) >= 1


def test_a_later_start_reads_the_disk_cache_and_solves_nothing(physics):
    first = Outlook(*WINDOW).compute()
    solved = len(physics)
    rates.step_rate.cache_clear()                    # a new process, the same cache folder
    again = Outlook(*WINDOW).compute()
    assert solved > 0 and len(physics) == solved
    assert again == first


def test_without_the_cache_the_same_timeline_is_computed(physics):
    cached = Outlook(*WINDOW).compute()
    rates.step_rate.cache_clear()
    plain = Outlook(*WINDOW, use_cache=False).compute()
    assert plain == cached
    assert max(Counter(physics).values()) == 2       # once per run, none twice in a run
