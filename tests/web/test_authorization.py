"""The authorization matrix (issue 13): every endpoint x every role and no login against the
expected allow or deny, and no response leaks a record of a facility the account may not see.

Requests that would change data carry a body the store or the form refuses when they are
allowed (422 or 400): "allowed" is told from "denied" without writing anything.
"""

from __future__ import annotations

import pytest

from enrichwatch.web.policy import STATE_READ_KINDS
from tests.web.helpers import ACCOUNTS, PFEP_MARKER, csrf_of

EVERYONE = frozenset(ACCOUNTS)
BAD_DECLARATION = {"kind": "declaration", "facility": "FFEP", "valid_from": "2023-01-01",
                   "source": "test", "payload": {"declared_max_assay_pct": -1}}
AS_OF = "2023-02-01"

#: (method, path, body, accounts allowed)
PAGES = [
    ("GET", "/facilities", None, EVERYONE),
    ("GET", "/facilities/FFEP", None, {"ann", "ivan", "alice"}),
    ("GET", "/facilities/PFEP", None, {"olga", "ivan", "alice"}),
    ("GET", f"/facilities/FFEP/findings?as_of={AS_OF}", None, {"alice"}),
    ("GET", "/facilities/FFEP/declare", None, {"ann"}),
    ("GET", "/facilities/PFEP/declare", None, {"olga"}),
    ("GET", "/records/2", None, {"ann", "ivan", "alice"}),          # FFEP declaration
    ("GET", "/records/4", None, {"ivan", "alice"}),                 # FFEP inspection
    ("GET", "/records/6", None, {"ivan", "alice"}),                 # FFEP sample
    ("GET", "/records/9", None, {"olga", "ivan", "alice"}),         # PFEP declaration
    ("GET", "/verification", None, EVERYONE),
    ("GET", "/accounts", None, {"admin"}),
    ("POST", "/facilities/FFEP/declare", {"declared_max_assay_pct": "x", "source": ""},
     {"ann"}),
    ("POST", "/facilities/FFEP/release", {"as_of": "not a date"}, {"alice"}),
    ("POST", "/accounts", {"name": "new", "role": "root", "password": "x"}, {"admin"}),
    # (webpages: upload, inspector page, administration, plant diagrams, timelines)
    ("GET", "/upload", None, EVERYONE),
    ("POST", "/upload", {}, EVERYONE),                               # no file: 422
    ("GET", "/inspect", None, {"ivan"}),
    ("POST", "/inspect/inspection", {"facility": "FFEP", "kind": "DIV", "source": ""},
     {"ivan"}),
    ("POST", "/inspect/sample", {"facility": "FFEP", "inspection": "x", "source": ""},
     {"ivan"}),
    ("POST", "/accounts/ann/disabled", {"disabled": "maybe"}, {"admin"}),  # 422
    ("POST", "/accounts/nobody/role", {"role": "analyst"}, {"admin"}),     # 422: no account
    ("GET", "/parties", None, {"admin"}),
    ("POST", "/parties", {"party": "P", "public_key": "00", "source": ""}, {"admin"}),
    ("GET", "/facilities/FFEP/plant?as_of=2022-12-01", None, {"ivan", "alice"}),
    ("GET", "/facilities/PFEP/plant", None, {"ivan", "alice"}),
    ("GET", "/facilities/PFEP/outlook", None, {"olga", "ivan", "alice"}),
]
API = [
    ("GET", "/api/me", None, EVERYONE),
    ("GET", "/api/facilities", None, EVERYONE),
    ("GET", "/api/facilities/FFEP/records", None, {"ann", "ivan", "alice"}),
    ("GET", "/api/facilities/PFEP/records", None, {"olga", "ivan", "alice"}),
    ("GET", "/api/records/2", None, {"ann", "ivan", "alice"}),
    ("GET", "/api/records/4", None, {"ivan", "alice"}),
    ("GET", "/api/records/9", None, {"olga", "ivan", "alice"}),
    ("GET", f"/api/facilities/FFEP/findings?as_of={AS_OF}", None, {"alice"}),
    ("POST", "/api/facilities/FFEP/releases", {"as_of": "not a date"}, {"alice"}),
    ("POST", "/api/records", BAD_DECLARATION, {"ann"}),
    ("POST", "/api/records", {**BAD_DECLARATION, "kind": "inspection"}, {"ivan"}),
    ("POST", "/api/records", {**BAD_DECLARATION, "kind": "sample"}, {"ivan"}),
    ("POST", "/api/records", {**BAD_DECLARATION, "kind": "report"}, {"alice"}),
    ("POST", "/api/records", {**BAD_DECLARATION, "kind": "facility"}, {"admin"}),
    ("POST", "/api/records", {**BAD_DECLARATION, "facility": "PFEP"}, {"olga"}),
    ("GET", "/api/verification", None, EVERYONE),
    ("GET", "/api/accounts", None, {"admin"}),
    ("POST", "/api/accounts", {"name": "new", "role": "root", "password": "x" * 12},
     {"admin"}),
    # (the API's writing endpoints of the pages: upload, inspector, administration)
    ("POST", "/api/upload", "multipart", EVERYONE),                 # no case file: 422
    ("POST", "/api/inspections", {"facility": "FFEP", "kind": "DIV", "valid_from": "x",
                                  "source": "t"}, {"ivan"}),       # bad date: 422
    ("POST", "/api/samples", {"facility": "FFEP", "inspection": 4, "sample_id": "S",
                              "kind": "environmental", "valid_from": "x",
                              "max_u235_pct": 1.0, "source": "t"}, {"ivan"}),
    ("PUT", "/api/accounts/ann/disabled", {"disabled": "maybe"}, {"admin"}),  # 422
    ("PUT", "/api/accounts/nobody/role", {"role": "analyst"}, {"admin"}),     # 422
    ("GET", "/api/parties", None, {"admin"}),
    ("POST", "/api/parties", {"party": "P", "public_key": "00", "source": "t"}, {"admin"}),
]
# (analyses: a breakout plan of a posted state file; the timelines of a facility's country)
API += [
    ("POST", "/api/breakout", {"state_toml": "not toml ["}, {"alice"}),   # allowed: 422
    ("GET", "/api/facilities/PFEP/outlook", None, {"olga", "ivan", "alice"}),
]
WHO = [None, *ACCOUNTS]


def _page(clients, who, method, path, body):
    client = clients[who]
    if method == "GET":
        return client.get(path, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    return client.post(path, data={**body, "csrf_token": token}, follow_redirects=False)


def _api(clients, tokens, who, method, path, body):
    client = clients[None]
    headers = {} if tokens[who] is None else {"Authorization": f"Bearer {tokens[who]}"}
    if body == "multipart":                     # a form without the case file
        return client.request(method, path, files={"other": ("x.txt", b"x")},
                              headers=headers, follow_redirects=False)
    return client.request(method, path, json=body, headers=headers, follow_redirects=False)


def _check(response, who, allowed, path):
    status = response.status_code
    if who in allowed:
        assert status < 500 and status not in (401, 403) and not (
            status == 303 and "/login" in response.headers.get("location", "")), \
            (who, path, status, response.text[:300])
    elif who is None:
        assert status in (401, 303), (who, path, status)
        if status == 303:
            assert response.headers["location"].startswith("/login")
    else:
        assert status in (403, 404), (who, path, status, response.text[:300])
    assert "Traceback" not in response.text


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "body", "allowed"), PAGES,
                         ids=[f"{m} {p}" for m, p, *_ in PAGES])
def test_page_matrix(clients, who, method, path, body, allowed):
    _check(_page(clients, who, method, path, body), who, allowed, path)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "body", "allowed"), API,
                         ids=[f"{m} {p} {b.get('kind', '') if isinstance(b, dict) else ''}"
                              for m, p, b, _ in API])
def test_api_matrix(clients, tokens, who, method, path, body, allowed):
    _check(_api(clients, tokens, who, method, path, body), who, allowed, path)


@pytest.mark.parametrize("who", [None, "ann", "admin"])
def test_no_response_leaks_another_facilitys_records(clients, tokens, who):
    """Every page and endpoint, as the Fordow operator (and anonymous, and the administrator
    except for the facility list): PFEP's marker never appears."""
    for method, path, body, _ in PAGES:
        if who == "admin" and path == "/facilities":
            continue                      # administrators see every facility's name
        response = _page(clients, who, method, path, body)
        assert PFEP_MARKER not in response.text, (who, path)
    for method, path, body, _ in API:
        if who == "admin" and path == "/api/facilities":
            continue
        response = _api(clients, tokens, who, method, path, body)
        assert PFEP_MARKER not in response.text, (who, path)


def test_state_operator_sees_only_state_kinds_of_its_facilities(clients, tokens):
    headers = {"Authorization": f"Bearer {tokens['ann']}"}
    records = clients[None].get("/api/facilities/FFEP/records", headers=headers).json()
    assert records and {r["kind"] for r in records} <= set(STATE_READ_KINDS)
    assert {r["facility"] for r in records} == {"FFEP"}
    everything = clients[None].get("/api/facilities/FFEP/records",
                                   headers={"Authorization": f"Bearer {tokens['alice']}"})
    kinds = {r["kind"] for r in everything.json()}
    assert {"inspection", "sample"} <= kinds            # they exist; ann just may not see them
    facilities = clients[None].get("/api/facilities", headers=headers).json()
    assert [f["code"] for f in facilities] == ["FFEP"]


def test_a_forbidden_record_and_a_missing_one_look_the_same(clients, tokens):
    headers = {"Authorization": f"Bearer {tokens['ann']}"}
    forbidden = clients[None].get("/api/records/4", headers=headers)
    missing = clients[None].get("/api/records/999", headers=headers)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
