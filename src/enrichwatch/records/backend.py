"""Database connections: the engine for a URL, serialised write transactions, snapshot reads,
and running the migrations.

SQLite (the default, a file with nothing to set up) runs in WAL mode with
``synchronous=NORMAL`` (a killed process never loses or corrupts a committed transaction; a
power cut may lose the last ones but never corrupts the file), foreign keys on, and a busy
timeout of :data:`BUSY_TIMEOUT_S`; a write transaction starts with ``BEGIN IMMEDIATE``, which
takes the file's write lock before the chain head is read. PostgreSQL write transactions start
by reading the single ``ledger_head`` row ``FOR UPDATE``: a row lock held until commit, which
serialises every append as a table lock would (readers are not blocked), and saves a round trip.
Snapshot reads use REPEATABLE READ.

Examples
--------
>>> normalise_url(None).endswith("enrichwatch-records.sqlite")
True
>>> normalise_url("postgresql://user@db.example/ledger")
'postgresql+psycopg://user@db.example/ledger'
>>> normalise_url("sqlite://")
'sqlite://'
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from .errors import StoreError
from .snapshot import BUSY_TIMEOUT_S, set_wal

__all__ = [
    "BUSY_TIMEOUT_S",
    "DEFAULT_SQLITE_FILE",
    "POSTGRES_INSTALL",
    "Backend",
    "display_url",
    "normalise_url",
    "postgres_driver_missing",
    "stored_revision",
]

#: The SQLite file used when no URL is given (in the working directory).
DEFAULT_SQLITE_FILE = "enrichwatch-records.sqlite"
#: How to install the PostgreSQL driver (psycopg 3): an optional dependency, the ``postgres``
#: extra (SQLite needs nothing).
POSTGRES_INSTALL = "pip install 'enrichwatch[postgres]'"

_SCRIPT_LOCATION = "enrichwatch.records:migrations"
_INIT_LOCK_KEY = 0x656E7269  # pg_advisory_xact_lock key while migrating ("enri")
_BEGIN_OPTION = "enrichwatch_begin"


def normalise_url(url: str | os.PathLike | None) -> str:
    """A SQLAlchemy URL from a URL, a SQLite file path, or None (the default file).

    ``postgresql://`` and ``postgres://`` URLs get the psycopg 3 driver.
    """
    if url is None:
        url = DEFAULT_SQLITE_FILE
    text_url = os.fspath(url)
    if "://" not in text_url:
        return f"sqlite:///{Path(text_url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if text_url.startswith(prefix):
            return "postgresql+psycopg://" + text_url[len(prefix):]
    return text_url


def _psycopg_installed() -> bool:
    return importlib.util.find_spec("psycopg") is not None


def postgres_driver_missing(url: str | os.PathLike | None) -> bool:
    """True when ``url`` is a PostgreSQL URL for psycopg 3 and psycopg is not installed
    (:data:`POSTGRES_INSTALL` installs it).

    >>> postgres_driver_missing("plant.sqlite")
    False
    """
    parsed = make_url(normalise_url(url))
    return (parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg"
            and not _psycopg_installed())


def display_url(url: str | os.PathLike | None) -> str:
    """The URL as shown to users: normalised, password hidden (``***``).

    >>> display_url("postgresql://ann:s3cret@db.example/ledger")
    'postgresql+psycopg://ann:***@db.example/ledger'
    """
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 -- not a URL SQLAlchemy can parse: hide what may be secret
        from ..files import redact_secrets

        return redact_secrets(os.fspath(url) if url is not None else DEFAULT_SQLITE_FILE)


def stored_revision(url: str | os.PathLike | None) -> str | None:
    """The enrichwatch schema revision of an existing database, without changing it.

    ``None`` when the database has no enrichwatch schema (an empty file, another program's
    database). A SQLite file is opened read-only (no WAL switch, no table created).
    """
    import sqlite3
    from urllib.parse import quote

    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        backend = Backend(url)
        try:
            return backend.revision()
        finally:
            backend.dispose()
    uri = f"file:{quote(str(Path(parsed.database).resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        names = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "records", "ledger_head"} <= names:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    finally:
        conn.close()


def _pool(pool_size: int | None) -> dict:
    """Engine options of a pool of exactly ``pool_size`` connections (None: SQLAlchemy's)."""
    return {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 0}


def _sqlite_engine(url: str, pool_size: int | None = None) -> Engine:
    memory = make_url(url).database in (None, "", ":memory:")
    kwargs = {"poolclass": StaticPool} if memory else _pool(pool_size)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S,
                                              "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not memory:
            set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN_OPTION, '')}")

    return engine


class Backend:
    """An engine and the way to lock, read and migrate its database.

    Parameters
    ----------
    url : str, path or None
        Database URL (``sqlite:///file``, ``postgresql://user@host/db``), a SQLite file path,
        or None for :data:`DEFAULT_SQLITE_FILE`.
    pool_size : int, optional
        At most this many connections (no overflow); None: SQLAlchemy's default pool.
    """

    def __init__(self, url: str | os.PathLike | None, pool_size: int | None = None) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self.display_url = parsed.render_as_string(hide_password=True)
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(self.url, pool_size)
        elif self.dialect == "postgresql":
            if postgres_driver_missing(self.url):
                raise StoreError(self.display_url, "the PostgreSQL driver (psycopg 3) is not "
                                                   f"installed: {POSTGRES_INSTALL}")
            self.engine = create_engine(self.url, **_pool(pool_size))
        else:
            raise StoreError(self.display_url, "unsupported database: use SQLite or PostgreSQL")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (SQLite: holding the write lock); commits on success.

        On PostgreSQL the caller serialises writers by reading the ledger head ``FOR UPDATE``
        first thing (a row lock held to the end of the transaction)."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction seeing one consistent snapshot."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def rows(self, conn: Connection, sql: str, batch: int = 5000) -> Iterator[tuple]:
        """The rows of ``sql`` (a query without parameters) as the driver gives them, read in
        batches inside ``conn``'s transaction (PostgreSQL: a server-side cursor, so that a
        large ledger is never held whole): no per-row work by SQLAlchemy."""
        for found in self.batches(conn, sql, batch):
            yield from found

    def batches(self, conn: Connection, sql: str, batch: int = 5000) -> Iterator[Sequence[Any]]:
        """:meth:`rows`, a list of up to ``batch`` rows at a time."""
        raw = conn.connection.dbapi_connection
        if raw is None:                         # pragma: no cover - a closed connection
            raise StoreError(self.display_url, "the connection is closed")
        cursor = (raw.cursor(name="enrichwatch_rows") if self.dialect == "postgresql"
                  else raw.cursor())
        try:
            cursor.execute(sql)
            while found := cursor.fetchmany(batch):
                yield found
        finally:
            cursor.close()

    def revision(self) -> str | None:
        """The schema's Alembic revision (None when there is no schema yet)."""
        with self.engine.connect() as conn:
            has_table = self.engine.dialect.has_table(conn, "alembic_version")
            if not has_table:
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest revision, in one locked transaction."""
        from alembic import command
        from alembic.config import Config

        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _INIT_LOCK_KEY})
                config = Config()
                config.set_main_option("script_location", _SCRIPT_LOCATION)
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
