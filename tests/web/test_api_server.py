"""``enrichwatch serve --threads N``: the worker threads capped at N and the database pool
sized from the same setting (N + 1: one for the event loop's thread), so that the thread pool
cannot outgrow the connection pool (the load test found anyio's 40 threads against
SQLAlchemy's default 15 connections, with its 30 s wait)."""

from __future__ import annotations

import pytest

from enrichwatch.records import RecordStore
from enrichwatch.web import server


def test_the_pool_has_one_connection_per_thread_and_one_for_the_event_loop():
    assert server.pool_size_for(1) == 2
    assert server.pool_size_for(server.DEFAULT_THREADS) == server.DEFAULT_THREADS + 1
    with pytest.raises(ValueError, match="--threads 0"):
        server.pool_size_for(0)


def test_a_store_opened_with_a_pool_size_has_exactly_that_pool(tmp_path):
    store = RecordStore.open(tmp_path / "r.sqlite", pool_size=4).init()
    try:
        pool = store.engine.pool
        assert pool.size() == 4
        assert pool._max_overflow == 0          # no overflow beyond the size (no public getter)
        held = [store.engine.connect() for _ in range(4)]
        assert pool.checkedout() == 4
        for conn in held:
            conn.close()
    finally:
        store.close()


def test_a_postgresql_store_opened_with_a_pool_size_has_exactly_that_pool():
    import os

    from tests.records.conftest import POSTGRES_ENV

    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"needs {POSTGRES_ENV} (see .ci/run)")
    store = RecordStore.open(url, pool_size=3)
    try:
        assert store.engine.pool.size() == 3 and store.engine.pool._max_overflow == 0
        held = [store.engine.connect() for _ in range(3)]
        assert store.engine.pool.checkedout() == 3
        for conn in held:
            conn.close()
    finally:
        store.close()


def test_run_caps_the_worker_threads_of_the_app_it_serves(tmp_path, monkeypatch):
    import uvicorn
    from anyio import to_thread
    from fastapi.testclient import TestClient

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    store = RecordStore.open(tmp_path / "r.sqlite", pool_size=server.pool_size_for(3)).init()
    try:
        server.run(store, threads=3)
        app = served["app"]

        async def tokens() -> dict:
            return {"tokens": to_thread.current_default_thread_limiter().total_tokens}

        app.add_api_route("/api/_tokens", tokens)
        with TestClient(app, base_url="https://testserver") as client:   # runs startup
            assert client.get("/api/_tokens").json() == {"tokens": 3}
    finally:
        store.close()
    with pytest.raises(ValueError):
        server.run(store, threads=0)


def test_serve_sizes_the_pool_from_threads_and_documents_it(cli, tmp_path, monkeypatch):
    from enrichwatch.web import server as web_server

    code, out, _ = cli("serve", "--help")
    assert code == 0 and "--threads" in out and "database" in out
    db = tmp_path / "r.sqlite"
    RecordStore.open(db).init().close()
    seen = {}

    def fake_run(store, **kw):
        seen.update(pool=store.engine.pool.size(), **kw)
        store.close()

    monkeypatch.setattr(web_server, "run", fake_run)
    code, _, err = cli("serve", "--db", db, "--threads", 7)
    assert code == 0, err
    assert seen["threads"] == 7 and seen["pool"] == 8
    code, _, err = cli("serve", "--db", db, "--threads", 0)
    assert code == 1 and "--threads" in err and "0" in err
