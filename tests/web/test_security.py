"""Security checks as tests (issue 13): CSRF required, cookie flags, login rate limit on an
injected clock, security headers, sessions that end, a tampered store shown failing on every
page, and a declaration submitted through the form changing the evaluation."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from enrichwatch.records import RecordStore
from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS, AccountBook
from enrichwatch.web.security import SESSION_COOKIE
from tests.records.records_support import drop_triggers, raw
from tests.web.conftest import make_app
from tests.web.helpers import (
    PASSWORD,
    ROOT,
    Clock,
    add_accounts,
    csrf_of,
    fill_store,
    login,
)

PAGES = ["/facilities", "/facilities/FFEP", "/records/2", "/verification", "/login"]


@pytest.fixture
def fresh(tmp_path):
    """A store of its own (the test may change or tamper with it)."""
    store = RecordStore.open(tmp_path / "records.sqlite").init()
    fill_store(store)
    add_accounts(AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS))
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


def test_security_headers_on_pages_and_api(app):
    client = _client(app)
    for path in ["/login", "/facilities", "/api/facilities", "/api/openapi.json",
                 "/nonexistent", "/static/style.css"]:
        headers = client.get(path, follow_redirects=False).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


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


def test_login_rate_limit_per_account_on_an_injected_clock(web_store):
    clock = Clock()
    app = make_app(web_store, clock=clock, login_limit=3, address_limit=100,
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


def test_login_rate_limit_per_client_address(web_store):
    clock = Clock()
    app = make_app(web_store, clock=clock, login_limit=100, address_limit=4)
    client = _client(app)
    for name in ("a1", "a2", "a3", "a4"):                     # unknown names count too
        assert login(client, name, "wrong password!").status_code == 401
    assert login(client, "alice").status_code == 429


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
