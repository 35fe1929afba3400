"""Fixtures shared by every test package."""

import pytest

pytest_plugins = ["tests.dask_cluster"]


@pytest.fixture(autouse=True)
def _private_cache_folder(tmp_path_factory, monkeypatch):
    """ENRICHWATCH_CACHE_DIR points at a fresh folder for every test (and its children): no
    test reads or writes the user's cache."""
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
