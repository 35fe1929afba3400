"""Doctests (of src/enrichwatch, the README and docs/) run in the repository root, so that their
examples name files as a user in a checkout would: ``examples/fordow-2023/case.toml``."""

import pytest


@pytest.fixture(autouse=True)
def _doctests_in_the_repository_root(request, monkeypatch):
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.chdir(request.config.rootpath)
