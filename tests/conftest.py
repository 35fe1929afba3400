"""Fixtures shared by every test package."""

import pytest
from hypothesis import settings

pytest_plugins = ["tests.dask_cluster"]

# No timed assertions: Hypothesis's per-example deadline (200 ms by default) fails a correct
# test on a loaded machine. Tests that set their own settings inherit this profile.
settings.register_profile("enrichwatch", deadline=None)
settings.load_profile("enrichwatch")


@pytest.fixture(autouse=True)
def _private_cache_folder(tmp_path_factory, monkeypatch):
    """ENRICHWATCH_CACHE_DIR points at a fresh folder for every test (and its children): no
    test reads or writes the user's cache."""
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def solve_rounds(monkeypatch) -> list[int]:
    """Counts the rounds of :func:`~enrichwatch.physics.network_batch.solve_many` asked through
    the module (``rounds[0]``; set it to 0 to count afresh)."""
    from enrichwatch.physics import network_batch

    rounds = [0]
    solve_many = network_batch.solve_many

    def counted(requests):
        rounds[0] += 1
        return solve_many(requests)
    monkeypatch.setattr(network_batch, "solve_many", counted)
    return rounds
