"""Browser tests (issue 13): Debian's Chromium (/usr/bin/chromium) driven by Playwright, against
the application served by uvicorn on a loopback port. For each role: log in, do what it may, be
refused what it may not; the State submits a declaration and the analyst sees the evaluation
change; a case file uploaded with every problem shown at its entry and key; the inspector's
page; the administrator's accounts and parties; the plant diagrams and the breakout and
detection timelines, with no content-security-policy violation in the console and no
horizontal overflow at 1280 px and at a phone's 390 px. Skipped, with the reason, when
Playwright or Chromium cannot start (no browser is ever downloaded)."""

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
from enrichwatch.web.service import Outlook
from tests.case_files import FORDOW, declaration_entry
from tests.web.conftest import make_app
from tests.web.helpers import PASSWORD, add_accounts, fill_store

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


#: The one report date the browser tests compute the breakout and detection timelines for (the
#: whole record takes minutes; the page is the same).
OUTLOOK_WINDOW = ("2019-02", "2019-03")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The application and its store (see ``server``)."""
    import uvicorn

    store = RecordStore.open(tmp_path_factory.mktemp("browser") / "records.sqlite").init()
    fill_store(store)
    add_accounts(AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS))
    port = _free_port()
    app = make_app(store, secure_cookies=False)
    app.state.web.ledger.outlook = Outlook(*OUTLOOK_WINDOW)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):                              # bounded wait for the port to open
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", app, store
    running.should_exit = True
    thread.join(timeout=30)
    store.close()


@pytest.fixture(scope="module")
def server(served):
    """The application on http://127.0.0.1:<port> (cookies without Secure: plain http on a
    loopback address, as ``serve --insecure-cookies`` allows), over a store of its own."""
    return served[0]


#: Guard against a hung page, not a timing check: an evaluation runs inside the request and can
#: take tens of seconds on a loaded machine.
HANG_GUARD_MS = 180_000


def _context(browser, server, **options):
    context = browser.new_context(base_url=server, **options)
    context.set_default_timeout(HANG_GUARD_MS)
    return context


def _csp_errors(page) -> list[str]:
    """The console's content-security-policy errors of ``page``, collected as they come."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    return errors


@pytest.fixture
def page(browser, server):
    context = _context(browser, server)
    page = context.new_page()
    errors = _csp_errors(page)
    yield page
    context.close()
    assert not errors, errors


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
    state.set_input_files("#plant_file", str(FORDOW / "observed.toml"))
    state.click("#submit-declaration")
    state.wait_for_url(re.compile(r"/records/\d+$"))
    assert "[web: account ann]" in state.inner_text("#record-source")
    analyst.goto("/facilities/FFEP/findings?as_of=2024-06-01")
    after = int(analyst.inner_text("#finding-count").split()[0])
    assert after == before + 1
    analyst.click("#release")
    state.goto("/facilities/FFEP/findings")
    assert int(state.inner_text("#finding-count").split()[0]) == after


# -- the pages of the second pass ---------------------------------------------------------------


def _records(page) -> int:
    """How many records the ledger holds, as every page's status line says."""
    found = re.search(r"(\d+) records", page.inner_text("#ledger-status"))
    assert found, page.inner_text("#ledger-status")
    return int(found.group(1))


def _problem_keys(page) -> set[tuple[str, str]]:
    return {(section.get_attribute("data-entry"), item.get_attribute("data-key"))
            for section in page.locator(".entry-problems").all()
            for item in section.locator("li.problem").all()}


def _file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode()}


def test_a_case_file_upload_is_all_or_nothing_with_each_problem_at_its_key(page):
    _login(page, "ann")
    page.click("#nav-upload")
    before = _records(page)
    bad = (declaration_entry(assay=-1) + declaration_entry("PFEP")
           + declaration_entry(kind="inspection"))
    page.set_input_files("#case_file", _file("case.toml", bad))
    page.set_input_files("#attachments", str(FORDOW / "observed.toml"))
    page.click("#submit-case")
    assert "Nothing was written" in page.inner_text("#form-error")
    assert _problem_keys(page) >= {("case.toml records[0]", "payload.declared_max_assay_pct"),
                                   ("case.toml records[1]", "facility"),
                                   ("case.toml records[2]", "kind")}
    assert _records(page) == before
    page.set_input_files("#case_file", _file("case.toml", declaration_entry()))
    page.set_input_files("#attachments", str(FORDOW / "observed.toml"))
    page.click("#submit-case")
    assert "1 record(s) appended" in page.inner_text("#upload-written")
    assert _records(page) == before + 1
    page.click("#upload-written a")
    assert page.inner_text("#record-source").endswith("[web: account ann]")


def test_the_inspector_records_and_the_state_cannot_see_it(browser, server):
    ivan = _context(browser, server).new_page()
    errors = _csp_errors(ivan)
    _login(ivan, "ivan")
    ivan.click("#nav-inspect")
    ivan.select_option("#inspection-kind", "DIV")
    ivan.fill("#inspection-valid_from", "2024-05-03")
    ivan.fill("#inspection-known_on", "2024-05-02")
    ivan.fill("#inspection-summary", "browser inspection")
    ivan.fill("#inspection-source", "browser test")
    ivan.click("#submit-inspection")
    assert "known_on" in ivan.inner_text("#problem-inspection-known_on")
    ivan.fill("#inspection-known_on", "2024-05-04")
    ivan.set_input_files("#inspection-observed_plant_file", str(FORDOW / "observed.toml"))
    ivan.click("#submit-inspection")
    written = ivan.inner_text("#inspect-written")
    inspection = int(re.search(r"record (\d+)", written).group(1))
    ivan.fill("#sample-inspection", str(inspection))
    ivan.fill("#sample-sample_id", "BROWSER-1")
    ivan.fill("#sample-valid_from", "2024-05-03")
    ivan.fill("#sample-known_on", "2024-05-20")
    ivan.fill("#sample-max_u235_pct", "many")
    ivan.fill("#sample-summary", "browser sample")
    ivan.fill("#sample-source", "lab")
    ivan.click("#submit-sample")
    assert "max_u235_pct" in ivan.inner_text("#problem-sample-max_u235_pct")
    ivan.fill("#sample-max_u235_pct", "4.9")
    ivan.click("#submit-sample")
    drafts = ivan.inner_text("#draft-list")
    assert "browser inspection" in drafts and "browser sample" in drafts
    assert not errors, errors

    ann = _context(browser, server).new_page()
    _login(ann, "ann")
    assert _status(ann, f"/records/{inspection}") == 404
    assert _status(ann, "/inspect") == 403
    ann.goto("/facilities/FFEP")
    assert "browser inspection" not in ann.content()
    token = ann.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = ann.request.post("/inspect/inspection", form={
        "csrf_token": token, "facility": "FFEP", "kind": "DIV", "valid_from": "2024-05-03",
        "known_on": "2024-05-04", "summary": "", "source": "state"})
    assert refused.status == 403
    case = declaration_entry(kind="inspection")
    ann.goto("/upload")
    ann.set_input_files("#case_file", _file("case.toml", case))
    ann.click("#submit-case")
    assert ("case.toml records[0]", "kind") in _problem_keys(ann)


def test_the_administrator_manages_accounts_and_parties(page, browser, server):
    from enrichwatch.records import Signer

    _login(page, "admin")
    page.goto("/accounts")
    page.fill("#new-name", "temp-analyst")
    page.select_option("#new-role", "analyst")
    page.fill("#new-password", PASSWORD)
    page.click("#add-account")
    other = _context(browser, server).new_page()
    _login(other, "temp-analyst")
    assert _status(other, "/facilities/FFEP/findings?as_of=2023-02-01") == 200
    page.click("#account-temp-analyst summary")
    page.select_option("#role-temp-analyst", "inspector")
    page.click("#set-role-temp-analyst")
    assert page.inner_text("#account-temp-analyst .role") == "inspector"
    page.click("#toggle-temp-analyst")
    assert page.inner_text("#account-temp-analyst .status") == "disabled"
    other.goto("/facilities")
    assert "/login" in other.url                                  # its session ended
    page.click("#nav-parties")
    key = Signer.generate("Vienna-Lab")
    page.fill("#party-party", "Vienna-Lab")
    page.fill("#party-public_key", "not a key")
    page.fill("#party-source", "browser key ceremony")
    page.click("#register-party")
    assert "public_key" in page.inner_text("#problem-party-public_key")
    page.fill("#party-public_key", key.public_key_hex)
    page.click("#register-party")
    assert "Vienna-Lab" in page.inner_text("#party-written")
    assert key.public_key_hex in page.inner_text("#parties")
    page.fill("#party-party", "Vienna-Lab")
    page.fill("#party-public_key", Signer.generate("Vienna-Lab").public_key_hex)
    page.fill("#party-source", "a key change nobody signs")
    page.click("#register-party")
    assert "current key" in page.inner_text("#problem-party-signature")


def test_the_analyst_reads_and_is_refused_what_it_may_not(page):
    _login(page, "alice")
    assert _status(page, "/facilities/PFEP") == 200               # every facility
    assert _status(page, "/records/4") == 200                     # inspections too
    for path in ("/facilities/FFEP/declare", "/inspect", "/accounts", "/parties"):
        assert _status(page, path) == 403, path
    page.goto("/facilities/FFEP/findings?as_of=2023-02-01")
    page.click(".plant-link")                                    # from the finding
    assert page.locator(".changed-count").all_inner_texts() == ["1", "1"]


def test_the_plant_diagrams_show_the_changed_streams(page):
    _login(page, "alice")
    page.goto("/facilities/FFEP?as_of=2023-02-01")
    page.click("#plant-link")
    assert page.locator(".changed-count").all_inner_texts() == ["1", "1"]
    for role in ("declared", "observed"):
        box = page.locator(f"#diagram-{role} svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50


def test_the_breakout_and_detection_timelines(page, served):
    _, app, _ = served
    view = app.state.web.ledger.outlook.compute()     # one report date (OUTLOOK_WINDOW)
    assert view.state == "ready", view.error
    _login(page, "ann")
    page.goto("/facilities/FFEP")
    page.click("#outlook-link")
    for section in ("#breakout-timeline", "#detection-timeline"):
        box = page.locator(f"{section} svg").bounding_box()
        assert box is not None and box["width"] > 100
    assert page.locator("#outlook-rows tbody tr").count() == len(view.rows) >= 1


#: Pages by account, each measured at a laptop's and a phone's width.
WIDE_PAGES = {
    "alice": ["/facilities", "/facilities/FFEP?as_of=2023-02-01",
              "/facilities/FFEP/findings?as_of=2023-02-01",
              "/facilities/FFEP/plant?as_of=2023-02-01", "/facilities/FFEP/outlook",
              "/records/2", "/records/6", "/upload", "/verification"],
    "ivan": ["/inspect"],
    "admin": ["/accounts", "/parties"],
}


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_overflows_horizontally(browser, server, served, width):
    served[1].state.web.ledger.outlook.view(start=False)
    for name, paths in WIDE_PAGES.items():
        context = _context(browser, server, viewport={"width": width, "height": 900})
        page = context.new_page()
        errors = _csp_errors(page)
        _login(page, name)
        for path in paths:
            assert _status(page, path) == 200, path
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, (name, path, width, scroll, client)
        context.close()
        assert not errors, (name, errors)
