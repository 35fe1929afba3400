"""Fixtures of the records tests: every store test runs on SQLite (a temporary file) and on
PostgreSQL when ``ENRICHWATCH_TEST_POSTGRES_URL`` is set (e.g.
``postgresql+psycopg://postgres@localhost:5432/enrichwatch_test``), each test in a fresh schema
that is dropped afterwards."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

POSTGRES_ENV = "ENRICHWATCH_TEST_POSTGRES_URL"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (runs in the normal suite)")


def _postgres_schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    from enrichwatch.records.backend import normalise_url

    url = make_url(normalise_url(base))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin():
    """An engine on the test database (None when no PostgreSQL URL is set)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        yield None
        return
    from sqlalchemy import create_engine

    from enrichwatch.records.backend import normalise_url

    engine = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@contextmanager
def empty_database(backend: str, folder, postgres_admin, prefix: str, skip_reason: str):
    """The URL of an empty database: a SQLite file in ``folder`` (``backend`` "sqlite"), or a
    fresh PostgreSQL schema named ``prefix`` + 16 random hex digits, dropped afterwards (the
    test is skipped with ``skip_reason`` when no PostgreSQL URL is set)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'records.sqlite'}"
        return
    if postgres_admin is None:
        pytest.skip(skip_reason)
    schema = f"{prefix}{uuid.uuid4().hex[:16]}"
    with postgres_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _postgres_schema_url(os.environ[POSTGRES_ENV], schema)
    finally:
        with postgres_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, postgres_admin):
    """The URL of an empty database (a fresh SQLite file, or a fresh PostgreSQL schema)."""
    with empty_database(request.param, tmp_path, postgres_admin, "t_",
                        f"PostgreSQL tests need {POSTGRES_ENV} (see docs/records-design.md)"
                        ) as url:
        yield url


@pytest.fixture
def store(store_url):
    """An initialised, empty store on each backend."""
    from enrichwatch.records import RecordStore

    opened = RecordStore.open(store_url).init()
    yield opened
    opened.close()
