"""Fixtures of the web tests: a store URL on SQLite (a temporary file) and on PostgreSQL when
``ENRICHWATCH_TEST_POSTGRES_URL`` is set (the records tests' fixtures, reused)."""

import pytest  # noqa: E402

from tests.cli.conftest import cli  # noqa: F401,E402  (fixture)
from tests.records.conftest import postgres_admin, store_url  # noqa: F401  (fixtures)
from tests.web.helpers import (  # noqa: E402
    ACCOUNTS,
    SECRET,
    TODAY,
    Clock,
    add_accounts,
    fill_store,
    login,
)


@pytest.fixture(scope="module")
def web_store(tmp_path_factory):
    """The Fordow store with PFEP and the accounts (SQLite file; shared by a module's tests,
    which only read it or append records they do not depend on)."""
    from enrichwatch.records import RecordStore
    from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS, AccountBook

    path = tmp_path_factory.mktemp("web") / "records.sqlite"
    store = RecordStore.open(path).init()
    fill_store(store)
    add_accounts(AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS))
    yield store
    store.close()


def make_app(store, clock=None, **changes):
    from enrichwatch.web import WebConfig, create_app
    from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS

    config = WebConfig(secret=SECRET, hasher=FAST_HASHER_FOR_TESTS, clock=clock or Clock(),
                       verify_ttl_s=0.0, today=lambda: TODAY, **changes)
    return create_app(store, config)


@pytest.fixture(scope="module")
def app(web_store):
    return make_app(web_store)


@pytest.fixture(scope="module")
def clients(app):
    """A logged-in page client per account name, and ``None``: anonymous."""
    from fastapi.testclient import TestClient

    out = {None: TestClient(app, base_url="https://testserver")}
    for name in ACCOUNTS:
        client = TestClient(app, base_url="https://testserver")
        assert login(client, name).status_code == 303
        out[name] = client
    return out


@pytest.fixture(scope="module")
def tokens(web_store):
    """An API token per account name (None: no token)."""
    from enrichwatch.web.accounts import AccountBook

    book = AccountBook(web_store.engine)
    return {None: None, **{name: book.issue_token(name, "tests") for name in ACCOUNTS}}
