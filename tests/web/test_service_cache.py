"""The web service's evaluations keep their physical consequences in the disk cache the command
line uses: a restarted server (or a new record that leaves the plants unchanged) solves nothing
again, and gives the same findings; ``use_cache=False`` keeps nothing."""

from __future__ import annotations

from datetime import date

import pytest

from enrichwatch.web.service import Ledger
from tests.evaluation.test_evaluation_cache import no_solves
from tests.web.conftest import filled_store

AS_OF = date(2023, 2, 1)


@pytest.fixture
def store(tmp_path):
    store = filled_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield store
    store.close()


def _entries(folder):
    return sorted((folder / "evaluation").glob("*")) if (folder / "evaluation").exists() else []


def test_a_restarted_server_reads_the_consequences_and_solves_nothing(store, tmp_path,
                                                                       monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(cache))
    first = Ledger(store, verify_ttl_s=0.0).evaluate("FFEP", AS_OF).as_dict()
    assert len(first["findings"]) == 3
    assert _entries(cache)
    no_solves(monkeypatch)
    again = Ledger(store, verify_ttl_s=0.0).evaluate("FFEP", AS_OF).as_dict()  # a new process
    assert again == first


def test_without_the_cache_nothing_is_kept(store, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(cache))
    Ledger(store, verify_ttl_s=0.0, use_cache=False).evaluate("FFEP", AS_OF)
    assert _entries(cache) == []
