"""Security checks as tests (issue 13): CSRF required, cookie flags, login rate limit on an
injected clock (counted in the database: shared by server processes, and holding against
concurrent attempts), security headers on every response (errors and unhandled exceptions
too, with a generic body), sessions that end, a tampered store shown failing on every page,
and a declaration submitted through the form changing the evaluation. On SQLite and, when
``ENRICHWATCH_TEST_POSTGRES_URL`` is set, PostgreSQL."""

from __future__ import annotations

import logging
import re
import threading

import pytest
from fastapi.testclient import TestClient

from enrichwatch.records import RecordStore
from enrichwatch.web.accounts import AccountBook, LoginLimiter
from enrichwatch.web.security import INTERNAL_ERROR_TEXT, SESSION_COOKIE
from tests.records.records_support import drop_triggers, raw
from tests.web.conftest import filled_store, make_app
from tests.web.helpers import (
    PASSWORD,
    ROOT,
    Clock,
    csrf_of,
    login,
)

PAGES = ["/facilities", "/facilities/FFEP", "/records/2", "/verification", "/login"]
#: Text of the exception the injected failing endpoints raise: never in a response.
SECRET_TEXT = "SECRET-EXCEPTION-TEXT /etc/enrichwatch/key.pem"


@pytest.fixture
def fresh(store_url):
    """A store of its own on each backend (the test may change or tamper with it)."""
    store = filled_store(store_url)
    yield store
    store.close()


def _client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def test_every_form_needs_the_csrf_token(app):
    client = _client(app)
    assert login(client, "ann").status_code == 303
    for path, data in [("/facilities/FFEP/declare", {"source": "x"}), ("/logout", {}),
                       ("/facilities/FFEP/release", {"as_of": "2023-02-01"})]:
        for token in (None, "", "forged-token"):
            body = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=body, follow_redirects=False)
            assert response.status_code == 403, (path, token)
    assert client.get("/facilities").status_code == 200      # still logged in: no logout


def test_login_form_needs_the_csrf_token(app):
    client = _client(app)
    client.get("/login")
    response = client.post("/login", data={"name": "ann", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403


def test_a_forms_token_is_bound_to_its_session(app):
    """A token from another browser's session is refused."""
    attacker, victim = _client(app), _client(app)
    login(victim, "ann")
    token = csrf_of(attacker.get("/login").text)
    response = victim.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403


def test_session_cookie_flags(app):
    response = login(_client(app), "ann")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags


def test_insecure_cookies_only_when_configured(web_store):
    app = make_app(web_store, secure_cookies=False)
    cookie = login(TestClient(app, base_url="http://127.0.0.1"), "ann").headers["set-cookie"]
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


def _assert_security_headers(headers, what) -> None:
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, what
    assert "default-src 'none'" in csp, what
    assert headers["x-frame-options"] == "DENY", what
    assert headers["x-content-type-options"] == "nosniff", what
    assert headers["referrer-policy"] == "same-origin", what
    assert headers["cache-control"] == "no-store", what
    assert headers["strict-transport-security"].startswith("max-age="), what


def test_security_headers_on_pages_and_api(app):
    client = _client(app)
    for method, path in [("GET", "/login"), ("GET", "/facilities"), ("GET", "/api/facilities"),
                         ("GET", "/api/openapi.json"), ("GET", "/nonexistent"),
                         ("GET", "/api/nonexistent"), ("GET", "/static/style.css"),
                         ("DELETE", "/api/facilities"), ("POST", "/api/records"),
                         ("GET", "/api/records/not-a-number"), ("HEAD", "/login")]:
        response = client.request(method, path, follow_redirects=False)
        _assert_security_headers(response.headers, (method, path, response.status_code))


def _failing_app(store):
    """The application with two endpoints that raise (added for this test only)."""
    app = make_app(store)

    def boom():
        raise RuntimeError(SECRET_TEXT)

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/boom", boom)
    return app


@pytest.mark.parametrize("path", ["/boom", "/api/boom"])
def test_an_unhandled_exception_is_a_generic_500_with_the_security_headers(
        web_store, path, caplog):
    client = TestClient(_failing_app(web_store), base_url="https://testserver")
    with caplog.at_level(logging.ERROR, logger="enrichwatch.web"):
        response = client.get(path)
    assert response.status_code == 500
    _assert_security_headers(response.headers, path)
    body = response.text
    for leak in ("Traceback", "RuntimeError", "SECRET-EXCEPTION", "key.pem", 'File "'):
        assert leak not in body, (path, body)
    assert INTERNAL_ERROR_TEXT in body
    if path.startswith("/api"):
        assert response.json() == {"detail": INTERNAL_ERROR_TEXT}
    else:
        assert response.headers["content-type"].startswith("text/plain")
    assert SECRET_TEXT in caplog.text                 # logged on the server, for its operator


def test_an_exception_in_the_session_middleware_is_a_generic_500(web_store, monkeypatch):
    """A failure before any route runs (the account lookup, e.g. the database gone) is
    answered the same way, for the API and for pages."""
    app = make_app(web_store)
    client = _client(app)
    login(client, "alice")
    token = AccountBook(web_store.engine).issue_token("alice")
    book = app.state.web.accounts

    def broken(*args, **kwargs):
        raise ConnectionError(SECRET_TEXT)

    monkeypatch.setattr(book, "authenticate_token", broken)
    monkeypatch.setattr(book, "get_by_id", broken)
    for response in (client.get("/facilities"),
                     client.get("/api/me", headers={"Authorization": f"Bearer {token}"})):
        assert response.status_code == 500
        _assert_security_headers(response.headers, response.url)
        assert "SECRET" not in response.text and "ConnectionError" not in response.text


def test_pages_have_no_inline_script_or_style(clients):
    for path in PAGES + ["/facilities/FFEP/declare"]:
        html = clients["ann"].get(path).text
        assert "<script" not in html and "style=" not in html and "<style" not in html, path
        assert re.search(r"\son[a-z]+=", html) is None, path


def test_logout_ends_the_session_everywhere(app):
    client = _client(app)
    login(client, "ivan")
    stolen = client.cookies.get(SESSION_COOKIE)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/facilities").text)})
    replay = _client(app)
    replay.cookies.set(SESSION_COOKIE, stolen)
    response = replay.get("/facilities", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_forged_cookie_is_anonymous(app):
    client = _client(app)
    client.cookies.set(SESSION_COOKIE, "eyJhIjoxfQ.forged.signature")
    assert client.get("/facilities", follow_redirects=False).status_code == 303


def test_login_redirect_stays_on_the_site(app):
    client = _client(app)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": "ann", "password": PASSWORD,
                                           "csrf_token": token,
                                           "next": "//evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/facilities"


def test_login_rate_limit_per_account_on_an_injected_clock(fresh):
    clock = Clock()
    app = make_app(fresh, clock=clock, login_limit=3, address_limit=100,
                   login_window_s=600.0)
    client = _client(app)
    for _ in range(3):
        assert login(client, "ann", "wrong password!").status_code == 401
    blocked = login(client, "ann")                           # right password, too soon
    assert blocked.status_code == 429 and "600 s" in blocked.text
    assert login(client, "ivan").status_code == 303           # another account is not blocked
    clock.now += 599.0
    assert login(_client(app), "ann").status_code == 429
    clock.now += 1.0
    assert login(_client(app), "ann").status_code == 303


def test_login_rate_limit_per_client_address(fresh):
    clock = Clock()
    app = make_app(fresh, clock=clock, login_limit=100, address_limit=4)
    client = _client(app)
    for name in ("a1", "a2", "a3", "a4"):                     # unknown names count too
        assert login(client, name, "wrong password!").status_code == 401
    assert login(client, "alice").status_code == 429


def test_login_rate_limit_is_shared_by_two_server_instances(fresh, store_url):
    """Two application instances, each with its own database connections (as two server
    processes would have), on one database: failures at either count against both."""
    clock = Clock()
    other_store = RecordStore.open(store_url)
    try:
        apps = [make_app(store, clock=clock, login_limit=4, address_limit=100,
                         login_window_s=600.0) for store in (fresh, other_store)]
        for i in range(4):
            assert login(_client(apps[i % 2]), "ann", "wrong password!").status_code == 401
        for app in apps:
            assert login(_client(app), "ann").status_code == 429
        assert LoginLimiter(other_store.engine, clock=clock).failures("account", "ann") == 4
        clock.now += 600.0
        assert login(_client(apps[1]), "ann").status_code == 303
        assert login(_client(apps[0]), "ann").status_code == 303
    finally:
        other_store.close()


def test_the_rate_limit_holds_against_concurrent_attempts(fresh, store_url):
    """An attacker racing many guesses at once, through two instances: the password is
    checked no more often than the limit allows (a check-then-count limiter lets every
    racer through)."""
    limit, racers = 3, 12
    clock = Clock()
    other_store = RecordStore.open(store_url)
    limiters = [LoginLimiter(store.engine, account_limit=limit, address_limit=1000,
                             window_s=600.0, clock=clock) for store in (fresh, other_store)]
    barrier = threading.Barrier(racers)
    checked, refused = [], []

    def guess(i: int) -> None:
        def wrong_password():
            checked.append(i)
            return None

        barrier.wait()
        outcome = limiters[i % 2].attempt("ann", f"10.0.0.{i}", wrong_password)
        if outcome.refused:
            refused.append(i)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(racers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other_store.close()
    assert len(checked) <= limit
    assert len(checked) + len(refused) == racers
    assert limiters[0].failures("account", "ann") == len(checked)


def test_an_endless_account_name_is_counted_without_storing_it(fresh):
    clock = Clock()
    app = make_app(fresh, clock=clock, login_limit=2, address_limit=100)
    huge = "a" * 100_000
    for _ in range(2):
        assert login(_client(app), huge, "wrong password!").status_code == 401
    assert login(_client(app), huge, "wrong password!").status_code == 429
    assert LoginLimiter(fresh.engine, clock=clock).failures("account", huge) == 2
    longest = raw(fresh, "SELECT max(length(subject)) FROM web_login_failures")[0][0]
    assert longest <= 128


def test_api_ignores_the_session_cookie(clients):
    """The API takes bearer tokens only: a logged-in browser's cookie opens nothing there."""
    response = clients["alice"].get("/api/me")
    assert response.status_code == 401


def test_tampered_store_shown_failing_on_every_page(fresh):
    app = make_app(fresh)
    client = _client(app)
    login(client, "alice")
    assert 'class="status ok"' in client.get("/facilities").text
    drop_triggers(fresh)
    raw(fresh, "UPDATE records SET source = 'forged' WHERE id = 2")
    for path in PAGES:
        html = client.get(path).text
        assert "LEDGER FAILS VERIFICATION" in html and "record 2" in html, path
    assert client.get("/api/verification").status_code == 401
    token = AccountBook(fresh.engine).issue_token("alice")
    status = client.get("/api/verification", headers={"Authorization": f"Bearer {token}"})
    assert status.json()["ok"] is False


def test_submitting_a_declaration_changes_the_evaluation(fresh):
    """The State declares, through the form, a design change after the fact: the analyst's
    evaluation gains a late-declaration finding that names the new record."""
    app = make_app(fresh)
    analyst, state = _client(app), _client(app)
    login(analyst, "alice")
    login(state, "ann")
    before = analyst.get("/api/facilities/FFEP/findings?as_of=2024-06-01",
                         headers=_bearer(fresh, "alice")).json()
    form = state.get("/facilities/FFEP/declare")
    plant = (ROOT / "examples" / "fordow-2023" / "observed.toml").read_text()
    done = state.post("/facilities/FFEP/declare", follow_redirects=False, data={
        "csrf_token": csrf_of(form.text), "valid_from": "2023-01-10",
        "declared_on": "2023-01-25", "declared_max_assay_pct": "90", "plant": plant,
        "summary": "the January change, declared late", "source": "web test"})
    assert done.status_code == 303
    new_id = int(done.headers["location"].rsplit("/", 1)[1])
    record = fresh.get(new_id)
    assert record.source.endswith("[web: account ann]") and record.known_on.isoformat() == \
        "2024-06-01"
    after = analyst.get("/api/facilities/FFEP/findings?as_of=2024-06-01",
                        headers=_bearer(fresh, "alice")).json()
    assert len(after["findings"]) == len(before["findings"]) + 1
    assert any(new_id in f["evidence"] for f in after["findings"])
    assert fresh.verify().ok


def test_declaration_problems_are_shown_at_their_fields(clients):
    client = clients["ann"]
    form = client.get("/facilities/FFEP/declare")
    response = client.post("/facilities/FFEP/declare", data={
        "csrf_token": csrf_of(form.text), "valid_from": "2023-13-01", "declared_on": "x",
        "declared_max_assay_pct": "150", "plant": "not = [toml", "summary": "",
        "source": "test"})
    assert response.status_code == 422
    shown = dict(re.findall(r'id="problem-([a-z_]+)">([^<]*)<', response.text))
    assert set(shown) >= {"valid_from", "declared_on", "declared_max_assay_pct"}
    assert "150" in shown["declared_max_assay_pct"]
    assert 'value="2023-13-01"' in response.text                 # what was typed is kept


def _bearer(store, name: str) -> dict:
    return {"Authorization": f"Bearer {AccountBook(store.engine).issue_token(name)}"}
