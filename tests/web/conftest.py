"""Fixtures of the web tests: a store URL on SQLite (a temporary file) and on PostgreSQL when
``ENRICHWATCH_TEST_POSTGRES_URL`` is set (the records tests' fixtures, reused)."""

from tests.cli.conftest import cli  # noqa: F401,E402  (fixture)
from tests.records.conftest import postgres_admin, store_url  # noqa: F401  (fixtures)
