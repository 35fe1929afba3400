"""Browser tests (issue 13): Debian's Chromium (/usr/bin/chromium) driven by Playwright, against
the application served by uvicorn on a loopback port. For each role: log in, do what it may, be
refused what it may not; the State submits a declaration and the analyst sees the evaluation
change. Skipped, with the reason, when Playwright or Chromium cannot start (no browser is ever
downloaded)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from enrichwatch.records import RecordStore
from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS, AccountBook
from tests.web.conftest import make_app
from tests.web.helpers import PASSWORD, ROOT, add_accounts, fill_store

CHROMIUM = Path(os.environ.get("ENRICHWATCH_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    manager = sync_api.sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=str(CHROMIUM),
                                           args=["--no-sandbox"])
    except Exception as err:  # noqa: BLE001 -- any failure to start is a reason to skip
        manager.stop()
        pytest.skip(f"Chromium could not start under Playwright: {str(err)[:200]}")
    yield launched
    launched.close()
    manager.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The application on http://127.0.0.1:<port> (cookies without Secure: plain http on a
    loopback address, as ``serve --insecure-cookies`` allows), over a store of its own."""
    import uvicorn

    store = RecordStore.open(tmp_path_factory.mktemp("browser") / "records.sqlite").init()
    fill_store(store)
    add_accounts(AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS))
    port = _free_port()
    config = uvicorn.Config(make_app(store, secure_cookies=False), host="127.0.0.1",
                            port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):                              # bounded wait for the port to open
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)
    store.close()


#: Guard against a hung page, not a timing check: an evaluation runs inside the request and can
#: take tens of seconds on a loaded machine.
HANG_GUARD_MS = 180_000


def _context(browser, server):
    context = browser.new_context(base_url=server)
    context.set_default_timeout(HANG_GUARD_MS)
    return context


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server)
    context.set_default_timeout(HANG_GUARD_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def _login(page, name: str) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(re.compile(r"/facilities$"))
    assert name in page.inner_text("#who")


def _status(page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


def test_wrong_password_is_refused(page):
    page.goto("/login")
    page.fill("#name", "ann")
    page.fill("#password", "not the password")
    page.click("#login")
    assert "wrong name or password" in page.inner_text("#login-error")


def test_state_operator(page):
    _login(page, "ann")
    assert page.locator("table a").all_inner_texts() == ["FFEP"]
    page.click("text=FFEP")
    kinds = set(page.locator("#records tbody td:nth-child(2)").all_inner_texts())
    assert kinds and kinds <= {"facility", "declaration", "stockpile", "installed_machines"}
    assert page.locator("#ledger-status").inner_text().startswith("Ledger verified")
    assert _status(page, "/records/4") == 404                   # an inspector's inspection
    assert _status(page, "/facilities/PFEP") == 403             # another State's facility
    assert _status(page, "/facilities/FFEP/findings?as_of=2023-02-01") == 403
    status = page.request.post("/api/records", data={
        "kind": "inspection", "facility": "FFEP", "valid_from": "2023-01-21",
        "source": "x", "payload": {"kind": "unannounced"}}).status
    assert status == 401                                          # the API wants a token


def test_inspector(page):
    _login(page, "ivan")
    page.click("text=FFEP")
    kinds = set(page.locator("#records tbody td:nth-child(2)").all_inner_texts())
    assert {"inspection", "sample"} <= kinds
    assert _status(page, "/records/4") == 200
    assert _status(page, "/facilities/FFEP/declare") == 403
    assert _status(page, "/accounts") == 403


def test_administrator(page):
    _login(page, "admin")
    page.goto("/accounts")
    page.fill("#new-name", "newanalyst")
    page.select_option("#new-role", "analyst")
    page.fill("#new-password", PASSWORD)
    page.click("#add-account")
    assert "newanalyst" in page.inner_text("#accounts")
    assert _status(page, "/facilities/FFEP") == 403


def test_state_declares_and_the_analyst_sees_the_evaluation_change(browser, server):
    analyst = _context(browser, server).new_page()
    _login(analyst, "alice")
    analyst.goto("/facilities/FFEP/findings?as_of=2024-06-01")
    before = int(analyst.inner_text("#finding-count").split()[0])
    state = _context(browser, server).new_page()
    _login(state, "ann")
    state.goto("/facilities/FFEP")
    state.click("#declare-link")
    state.fill("#valid_from", "2023-01-10")
    state.fill("#declared_on", "2023-01-25")
    state.fill("#declared_max_assay_pct", "abc")
    state.fill("#source", "browser test")
    state.click("#submit-declaration")
    assert "declared_max_assay_pct" in state.inner_text("#problem-declared_max_assay_pct")
    state.fill("#declared_max_assay_pct", "90")
    state.set_input_files("#plant_file", str(ROOT / "examples" / "fordow-2023" /
                                             "observed.toml"))
    state.click("#submit-declaration")
    state.wait_for_url(re.compile(r"/records/\d+$"))
    assert "[web: account ann]" in state.inner_text("#record-source")
    analyst.goto("/facilities/FFEP/findings?as_of=2024-06-01")
    after = int(analyst.inner_text("#finding-count").split()[0])
    assert after == before + 1
    analyst.click("#release")
    state.goto("/facilities/FFEP/findings")
    assert int(state.inner_text("#finding-count").split()[0]) == after
