"""Fuzzing of the HTML forms (issue 13), as the JSON API is fuzzed in ``test_fuzz.py``: every
form that changes something (login, declaration, case-file upload, the inspector's inspection
and sample, accounts: add, disable, role; parties, release) is posted hostile values as each
role and anonymous, on SQLite and PostgreSQL.

Hostile values: huge strings (past the 1 MiB a multipart field may hold), NUL bytes, bytes
that are not UTF-8, right-to-left marks and astral characters, markup and SQL, negative,
NaN, infinite and overflowing numbers, impossible dates, missing fields, hostile file names
and file contents, and a CSRF token that is missing, empty, forged or another session's.

Every response: no 5xx, no traceback or exception or driver text, every security header.
Nothing half-written: a response that is not a success leaves the records and the accounts as
they were; only a role that may write through the form ever does, and only with the right
CSRF token; the ledger verifies after each form's run.

Deterministic: Hypothesis is derandomized (the same cases on every run) and keeps no example
database; each backend's store is fresh for this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.web.accounts import FAST_HASHER_FOR_TESTS, AccountBook
from enrichwatch.web.security import SECURITY_HEADERS
from tests.case_files import declaration_entry
from tests.web.helpers import ACCOUNTS, PASSWORD, csrf_of, server_failures

#: Cases per form and identity (10 forms x 6 identities x 2 backends), as in test_fuzz.py.
MAX_EXAMPLES = 6
#: Sent values never contain what helpers.LEAK looks for (a page may echo a value back).
_ECHO_SAFE = re.compile(r"(?i)traceback|file|error|exception|sql|psycopg|background")
WHO = [None, *ACCOUNTS]
#: An account the administrator's forms may disable or change (the fixture's own accounts
#: stay as they are, so every identity keeps its session).
TARGET = "fuzzee"

NUMBERS = ["-1", "-0", "0", "-5.5", "NaN", "nan", "-inf", "Infinity", "1e309", "-1e309",
           "1e-400", "1_000", "0x1F", "9" * 400, str(2**31), str(2**63), str(-(2**63) - 1),
           "100.0000001", " 5 ", "5,5", "4.9, 0.3"]
DATES = ["0000-00-00", "2023-02-30", "9999-12-31", "10000-01-01", "-2023-01-01", "2023-1-1",
         "2023-01-01T00:00:00", "1970-01-01", "2023-03-01", "today"]
WORDS = ["", " ", "\x00", "a\x00b", "\u202egnp.exe", "\ufeff", "𝔘\U0001f4a3235",
         "'; DROP TABLE records; --", "<script>alert(1)</script>", '"><img src=x>', "{{7*7}}",
         "../../etc/passwd", "%00", "\r\n\r\n", "yes", "no", "on", "administrator",
         "inspector", "state-operator", "analyst", "FFEP", "PFEP", "*", "IAEA", "Iran",
         "DIV", "unannounced", "environmental", "1", "4", "-----BEGIN PRIVATE KEY-----",
         "96b573d9822c7c75010634dcf3f91c762c764d308f06d60547b66a3609cbca8d"]
HUGE = ["x" * 100_000, "\x00" * 10_000, "é" * 600_000]   # the last: 1.2 MB in UTF-8

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(st.sampled_from(NUMBERS + DATES + WORDS), _text,
                  st.sampled_from(HUGE)).filter(lambda v: not _ECHO_SAFE.search(v))
#: A part of a path: hostile, and long, but within what a client sends in a URL (64 KiB).
PART = st.one_of(st.sampled_from(NUMBERS + DATES + WORDS + ["x" * 8000]), _text).filter(
    lambda v: not _ECHO_SAFE.search(v))
#: A name in a path: never one of the fixture's accounts.
PATH_NAME = st.one_of(st.just(TARGET), PART).filter(lambda v: v not in ACCOUNTS)
FACILITY = st.one_of(st.sampled_from(["FFEP", "PFEP"]), PART)
CSRF = st.sampled_from(["right"] * 4 + ["missing", "empty", "forged", "other"])
FILE = st.one_of(
    VALUE.map(str.encode),
    st.sampled_from([b"\xff\xfe\x00\x80", b"[[records]\nkind = ", b""]),
    st.builds(lambda f, a, k: declaration_entry(f, a, kind=k).encode(),
              st.sampled_from(["FFEP", "PFEP", "X"]),
              st.sampled_from([60.0, -5.0, float("nan"), 1e309, 100.5]),
              st.sampled_from(["declaration", "inspection", "sample", "facility", "party"])))
FILE_NAME = st.one_of(st.sampled_from(["case.toml", "observed.toml", "..", "../x.toml",
                                       "/etc/passwd", "a" * 300, "x\x00.toml", ""]), VALUE)


@dataclass(frozen=True)
class Form:
    """A form: where it posts (``{}``: a path part drawn from ``part``), its text fields,
    its file fields and the accounts that may write through it."""

    name: str
    path: str
    fields: tuple[str, ...]
    files: tuple[str, ...] = ()
    writers: frozenset[str] = frozenset()
    part: st.SearchStrategy | None = None


FORMS = [
    Form("login", "/login", ("name", "password", "next")),
    Form("declare", "/facilities/{}/declare", ("valid_from", "declared_on",
                                               "declared_max_assay_pct", "plant", "summary",
                                               "source"), ("plant_file",),
         frozenset({"ann"}), FACILITY),
    Form("upload", "/upload", (), ("case_file", "attachments"),
         frozenset({"admin", "ann", "olga", "ivan", "alice"})),
    Form("inspection", "/inspect/inspection", ("facility", "kind", "valid_from", "known_on",
                                               "observed_plant", "measurements", "summary",
                                               "source"), ("observed_plant_file",),
         frozenset({"ivan"})),
    Form("sample", "/inspect/sample", ("facility", "inspection", "sample_id", "kind",
                                       "valid_from", "known_on", "max_u235_pct", "results",
                                       "summary", "source"), (), frozenset({"ivan"})),
    Form("account-add", "/accounts", ("name", "role", "password", "party", "facilities"),
         (), frozenset({"admin"})),
    Form("account-disabled", "/accounts/{}/disabled", ("disabled",), (),
         frozenset({"admin"}), PATH_NAME),
    Form("account-role", "/accounts/{}/role", ("role", "party", "facilities"), (),
         frozenset({"admin"}), PATH_NAME),
    Form("parties", "/parties", ("party", "public_key", "requires_signature", "source"), (),
         frozenset({"admin"})),
    Form("release", "/facilities/{}/release", ("as_of",), (), frozenset({"alice"}),
         FACILITY),
]


@st.composite
def submissions(draw, form: Form) -> dict:
    """One hostile submission of ``form``: a path, some of its fields (each may be missing),
    files, a CSRF choice, and maybe a field of bytes that are not UTF-8."""
    fields = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(form.fields, VALUE)))
    files = []
    for name in form.files:
        for _ in range(draw(st.integers(0, 2))):
            files.append((name, (draw(FILE_NAME), draw(FILE), "text/plain")))
    part = quote(draw(form.part), safe="") if form.part is not None else None
    return {"path": form.path.format(part) if part is not None else form.path,
            "fields": fields, "files": files, "csrf": draw(CSRF),
            "raw": draw(st.sampled_from([None, *form.fields])) if form.fields else None}


def _post(client, submission: dict, tokens: dict, who):
    """Post ``submission`` as ``client`` (multipart when it has files, else a form body that
    may carry bytes that are not UTF-8)."""
    fields = dict(submission["fields"])
    csrf = submission["csrf"]
    if csrf != "missing":
        fields["csrf_token"] = {"right": tokens[who], "empty": "", "forged": "A" * 43,
                                "other": tokens["alice" if who != "alice" else "ann"]}[csrf]
    if submission["files"]:
        return client.post(submission["path"], data=fields, files=submission["files"],
                           follow_redirects=False)
    body = urlencode(fields)
    if submission["raw"] is not None:
        body += f"&{submission['raw']}=%FF%FE%00%C0%AF"
    return client.post(submission["path"], content=body.encode(), follow_redirects=False,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def _snapshot(store) -> tuple:
    """What a form may change: the records and the accounts."""
    accounts = tuple((a.name, a.role, a.party, tuple(a.facilities), bool(a.disabled))
                     for a in AccountBook(store.engine).all())
    return len(store), accounts


def _problems(response) -> list[str]:
    return server_failures(response) + [f"header {name}" for name, value
                                        in SECURITY_HEADERS.items()
                                        if response.headers.get(name) != value]


def _writes(form: Form, who, submission: dict, response, before, after) -> list[str]:
    """Problems with what the submission wrote (nothing, unless a writer succeeded)."""
    if before == after:
        return []
    out = []
    if who not in form.writers:
        out.append(f"{who} wrote through {form.name}")
    if submission["csrf"] != "right":
        out.append(f"written with CSRF {submission['csrf']}")
    if response.status_code not in (201, 303):
        out.append(f"written, yet answered {response.status_code}")
    return out


@pytest.fixture(scope="module")
def tokens(clients, web_store):
    """Each identity's CSRF token (from the login page, which every identity may read), and
    the account the administrator's forms target."""
    AccountBook(web_store.engine, hasher=FAST_HASHER_FOR_TESTS).add(
        TARGET, "inspector", PASSWORD, party="IAEA")
    return {who: csrf_of(client.get("/login").text) for who, client in clients.items()}


@pytest.mark.parametrize("who", WHO, ids=[str(w) for w in WHO])
@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_fuzz_each_form_as_each_role(clients, tokens, web_store, form, who):
    found: list = []
    sent: list = []

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(submission=submissions(form))
    def run(submission):
        before = _snapshot(web_store)
        response = _post(clients[who], submission, tokens, who)
        after = _snapshot(web_store)
        sent.append(response.status_code)
        problems = _problems(response) + _writes(form, who, submission, response, before,
                                                 after)
        # a wrong token: refused (403), or the body (400) or path (404: no such form, e.g.
        # "/accounts//role") refused before it was read
        if submission["csrf"] != "right" and response.status_code not in (400, 403, 404):
            problems.append(f"CSRF {submission['csrf']} answered {response.status_code}")
        if problems:
            shown = {k: (v if len(repr(v)) < 200 else f"{repr(v)[:200]}...")
                     for k, v in submission.items()}
            found.append((shown, response.status_code, problems, response.text[:300]))

    run()
    assert len(sent) >= MAX_EXAMPLES // 2
    assert not found, "\n".join(map(repr, found[:5]))
    report = web_store.verify()
    assert report.ok, report.problems[:5]


def test_the_oracle_catches_a_leak_a_missing_header_and_a_stray_write():
    """The checks can fail: a traceback, a missing header, a write by a role that may not,
    a write with a forged token, and a write answered as a refusal."""

    class Response:
        status_code = 422
        text = 'Traceback (most recent call last):\n  File "x.py"'
        headers = {**SECURITY_HEADERS, "X-Frame-Options": "SAMEORIGIN"}

    assert _problems(Response()) == ["leaks 'Traceback'", "header X-Frame-Options"]
    form = next(f for f in FORMS if f.name == "parties")
    written = _writes(form, "ann", {"csrf": "forged"}, Response(), (9, ()), (10, ()))
    assert written == ["ann wrote through parties", "written with CSRF forged",
                       "written, yet answered 422"]
    assert _writes(form, "ann", {"csrf": "forged"}, Response(), (9, ()), (9, ())) == []


# -- what the fuzzing found ---------------------------------------------------------------------
def test_a_login_name_with_a_nul_byte_is_a_wrong_name_not_a_500(clients, tokens, web_store):
    """Found by the fuzzing on PostgreSQL (its text holds no NUL): the login looked the name
    up, and counted the failure under it, in the database."""
    client = clients[None]
    for name in ("a\x00b", "\x00" * 100, "ann\x00"):
        response = client.post("/login", data={"name": name, "password": PASSWORD,
                                               "csrf_token": tokens[None]},
                               follow_redirects=False)
        assert response.status_code == 401, response.text[:300]
    book = AccountBook(web_store.engine)
    assert book.get("ann\x00") is None and book.authenticate("ann\x00", PASSWORD) is None
    with pytest.raises(ValueError, match="an existing account"):
        book.set_disabled("ivan\x00", True)
    assert not book.get("ivan").disabled


@pytest.mark.parametrize("part", ["\x1f", "é", "\r\nSet-Cookie: x=1", "\U0001f4a3", "%00"])
def test_an_anonymous_post_to_any_path_goes_to_the_login_with_the_path_encoded(clients, tokens,
                                                                               part):
    """Found by the fuzzing: the login redirect put the decoded path into its Location header
    (a control or non-ASCII character broke the response: 500)."""
    path = f"/accounts/{quote(part, safe='')}/role"
    response = clients[None].post(path, data={"role": "analyst", "csrf_token": tokens[None]},
                                  follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert location.isascii() and location.isprintable() and " " not in location
    assert location.startswith("/login?next=/accounts/") and location.endswith("/role")
