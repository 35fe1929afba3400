"""Fixtures of the web tests: the Fordow store with its accounts on SQLite (a temporary file)
and on PostgreSQL when ``ENRICHWATCH_TEST_POSTGRES_URL`` is set (a fresh schema per module,
dropped afterwards; skipped with the reason otherwise), as ``.ci/run`` sets it."""

import pytest  # noqa: E402

from tests.cli.conftest import cli  # noqa: F401,E402  (fixture)
from tests.records.conftest import (  # noqa: F401  (fixtures)
    POSTGRES_ENV,
    empty_database,
    postgres_admin,
    store_url,
)
from tests.web.helpers import (  # noqa: E402
    ACCOUNTS,
    SECRET,
    TODAY,
    Clock,
    add_accounts,
    fill_store,
    login,
)

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def web_store_url(request, tmp_path_factory, postgres_admin):  # noqa: F811
    """An empty database for a module's tests: a SQLite file, or a PostgreSQL schema."""
    with empty_database(request.param, tmp_path_factory.mktemp("web"), postgres_admin, "w_",
                        f"PostgreSQL web tests need {POSTGRES_ENV} (see .ci/run)") as url:
        yield url


def filled_store(url: str):
    """The Fordow store with PFEP and the accounts, at ``url`` (an empty database)."""
    from enrichwatch.records import RecordStore
    from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS, AccountBook

    store = RecordStore.open(url).init()
    fill_store(store)
    add_accounts(AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS))
    return store


@pytest.fixture(scope="module")
def web_store(web_store_url):
    """The Fordow store with PFEP and the accounts, on each backend (shared by a module's
    tests, which only read it or append records they do not depend on)."""
    store = filled_store(web_store_url)
    yield store
    store.close()


def make_app(store, clock=None, **changes):
    """The application over ``store`` with the tests' secret, a cheap hasher, today fixed
    at :data:`TODAY`, and ``clock`` (a :class:`Clock`) as both its monotonic clock and the
    login limiter's wall clock."""
    from enrichwatch.web import WebConfig, create_app
    from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS

    clock = clock or Clock()
    config = WebConfig(secret=SECRET, hasher=FAST_HASHER_FOR_TESTS, clock=clock,
                       login_clock=clock, verify_ttl_s=0.0, today=lambda: TODAY, **changes)
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
