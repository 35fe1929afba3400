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
