"""Running the application with uvicorn (``enrichwatch serve``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from ..records import RecordStore, Signer
from .app import WebConfig, create_app

__all__ = ["DEFAULT_THREADS", "SECRET_ENV", "pool_size_for", "run", "signers_from"]

#: Environment variable holding the session secret (default: random per start).
SECRET_ENV = "ENRICHWATCH_WEB_SECRET"
#: Worker threads of ``enrichwatch serve`` (``--threads``); the database pool is sized from it.
DEFAULT_THREADS = 15


def pool_size_for(threads: int) -> int:
    """The database connections a server with ``threads`` worker threads needs, at most: one
    per worker thread (the pages and endpoints that run in the pool) and one for the event
    loop's own thread (the session middleware and the async endpoints, one at a time).

    With this pool no request ever waits for a connection held by a queued one: the thread
    pool, not the connection pool, is where requests queue (the load test found 40 threads,
    anyio's default, against SQLAlchemy's default 15 connections and its 30 s wait).

    >>> pool_size_for(15)
    16
    """
    if threads < 1:
        raise ValueError(f"--threads {threads}: expected a number of threads >= 1")
    return threads + 1


def _thread_limit(threads: int):
    """A startup hook capping anyio's worker threads (where FastAPI runs sync endpoints)."""

    async def cap() -> None:
        from anyio import to_thread

        to_thread.current_default_thread_limiter().total_tokens = threads

    return cap


def signers_from(items: Sequence[str]) -> dict[str, Signer]:
    """``PARTY=PRIVATE_KEY_FILE`` items as signers by party.

    Raises
    ------
    ValueError
        For an item that is not ``PARTY=FILE`` or a file that is not an Ed25519 key.
    """
    out = {}
    for item in items:
        party, sep, path = item.partition("=")
        if not sep or not party.strip():
            raise ValueError(f"--key {item!r}: expected PARTY=PATH-TO-PRIVATE-KEY.pem")
        out[party] = Signer.from_pem_file(party, path)
    return out


def run(store: RecordStore, host: str = "127.0.0.1", port: int = 8000,
        keys: Sequence[str] = (), secure_cookies: bool = True,
        threads: int = DEFAULT_THREADS) -> None:
    """Serve the application until interrupted, with at most ``threads`` worker threads (open
    ``store`` with ``pool_size=pool_size_for(threads)``)."""
    import uvicorn

    config = WebConfig(secure_cookies=secure_cookies, signers=signers_from(keys))
    if os.environ.get(SECRET_ENV):
        config = replace(config, secret=os.environ[SECRET_ENV])
    pool_size_for(threads)                                     # a bad value: before binding
    app = create_app(store, config)
    app.router.on_startup.append(_thread_limit(threads))
    uvicorn.run(app, host=host, port=port, log_level="info",
                server_header=False, proxy_headers=False)
