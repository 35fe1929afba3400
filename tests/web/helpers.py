"""A Fordow store with one account of each role, and a second State's facility (PFEP) that
the Fordow operator must never see; clients logged in as each of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from enrichwatch.records import RecordDraft, RecordStore, load_case_file
from enrichwatch.web.accounts import AccountBook
from tests.case_files import FORDOW

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
SECRET = "test-secret-" + "x" * 32
#: Every account of the fixture: name -> (role, party, facilities).
ACCOUNTS = {
    "admin": ("administrator", None, ()),
    "ann": ("state-operator", "Iran", ("FFEP",)),
    "olga": ("state-operator", "Other", ("PFEP",)),
    "ivan": ("inspector", "IAEA", ()),
    "alice": ("analyst", "IAEA", ()),
}
#: A marker only PFEP's records carry: no response to a FFEP-only account may contain it.
PFEP_MARKER = "PFEP-SECRET-MARKER"
TODAY = date(2024, 6, 1)


def fill_store(store: RecordStore) -> None:
    """The Fordow 2023 case (records 1-7) then PFEP's facility and declaration (8, 9)."""
    load_case_file(store, FORDOW / "case.toml")
    plant = (FORDOW / "declared.toml").read_text()
    store.append_many([
        RecordDraft("facility", "PFEP", "2003-01-01", "2003-01-01", PFEP_MARKER,
                    {"name": "Pilot plant " + PFEP_MARKER}),
        RecordDraft("declaration", "PFEP", "2023-01-01", "2023-01-01", PFEP_MARKER,
                    {"declared_on": "2023-01-01", "plant": plant,
                     "declared_max_assay_pct": 60.0, "summary": PFEP_MARKER}),
    ])


def add_accounts(book: AccountBook) -> None:
    for name, (role, party, facilities) in ACCOUNTS.items():
        book.add(name, role, PASSWORD, party=party, facilities=facilities)


@dataclass
class Clock:
    """A monotonic clock the tests move by hand."""

    now: float = 1000.0
    calls: list = field(default_factory=list)

    def __call__(self) -> float:
        return self.now


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log in through the form (CSRF token from the login page); returns the response."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, "next": "/facilities"},
                       follow_redirects=False)


#: What must never appear in a response: a traceback, an exception's class name or a database
#: driver's text (messages name fields and values, never Python types; the error page's own
#: heading, "Error 400", is no leak).
LEAK = re.compile(r"Traceback|File \"|\b[A-Za-z]+(?:Error|Exception)\b|\bException\b|"
                  r"sqlalchemy|psycopg|sqlite3|\(Background on this error")


def server_failures(response) -> list[str]:
    """What a fuzzed response must never show: a 5xx status, or a leak (:data:`LEAK`)."""
    out = []
    if response.status_code >= 500:
        out.append(f"status {response.status_code}")
    leak = LEAK.search(response.text)
    if leak:
        out.append(f"leaks {leak.group(0)!r}")
    return out
