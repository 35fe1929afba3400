"""The JSON API's writing endpoints (issue 13): case-file upload, inspections (with
measurements) and samples, accounts (disable, role) and parties (keys), each with every problem
at its field, and the attacks: a State's operator uploading another State's facility or an
inspection, a non-administrator changing a role (its own too), a private key sent as a public
one, and a cookie (not a token) changing data through the API.
"""

from __future__ import annotations

import re

import pytest

from enrichwatch.records import Signer
from enrichwatch.records.signing import private_key_to_pem
from enrichwatch.web.service import MAX_UPLOAD_BYTES
from tests.case_files import FORDOW as CASE_DIR
from tests.case_files import declaration_entry
from tests.web.helpers import csrf_of

INSPECTION = {"facility": "FFEP", "kind": "DIV", "valid_from": "2023-03-02",
              "source": "api test", "summary": "api inspection"}


def _auth(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def _upload(client, token, case: str, *attachments: str):
    files = [("case_file", ("case.toml", case.encode(), "text/plain"))]
    files += [("attachments", (a, (CASE_DIR / a).read_bytes(), "text/plain"))
              for a in attachments]
    return client.post("/api/upload", files=files,
                       headers={"Authorization": f"Bearer {token}"})


def _at(response) -> set[tuple[str | None, str]]:
    return {(p.get("where"), p["field"]) for p in response.json()["problems"]}


@pytest.fixture(scope="module")
def api(clients):
    return clients[None]


# -- case-file upload ---------------------------------------------------------------------------
def test_a_state_operator_uploads_a_case_file(api, tokens, web_store):
    before = len(web_store)
    response = _upload(api, tokens["ann"], declaration_entry(assay=60.0),
                       "observed.toml")
    assert response.status_code == 201, response.text[:1000]
    [written] = response.json()["records"]
    assert written["id"] == before + 1 and len(web_store) == before + 1
    assert written["source"].endswith("[web: account ann]")
    assert web_store.get(written["id"]).payload["plant"] == \
        (CASE_DIR / "observed.toml").read_text()


def test_an_operator_uploading_another_states_facility_or_an_inspection_writes_nothing(
        api, tokens, web_store):
    case = (declaration_entry(assay=-5, ref="d") + declaration_entry("PFEP", ref="e")
            + declaration_entry(ref="f", kind="inspection"))
    before = len(web_store)
    response = _upload(api, tokens["ann"], case, "observed.toml")
    assert response.status_code == 422, response.text[:1000]
    found = _at(response)
    assert ("case.toml records[1]", "facility") in found          # another State's facility
    assert ("case.toml records[2]", "kind") in found              # an inspection
    assert ("case.toml records[0]", "declared_max_assay_pct") in found
    facility = next(p for p in response.json()["problems"] if p["field"] == "facility")
    assert facility["value"] == "PFEP" and "FFEP" in facility["allowed"]
    assert len(web_store) == before


def test_an_upload_without_a_case_file_or_too_long_is_refused(api, tokens, web_store):
    before = len(web_store)
    response = api.post("/api/upload", headers=_auth(tokens, "ann"),
                        files=[("other", ("x.txt", b"x", "text/plain"))])
    assert response.status_code == 422 and _at(response) == {("upload", "case_file")}
    big = b"#" * (MAX_UPLOAD_BYTES + 1)
    response = api.post("/api/upload", headers=_auth(tokens, "ann"),
                        files=[("case_file", ("case.toml", big, "text/plain"))])
    assert response.status_code == 413
    response = api.post("/api/upload", content=b"garbage", headers={
        **_auth(tokens, "ann"), "content-type": "multipart/form-data; boundary=x"})
    assert 400 <= response.status_code < 500
    assert len(web_store) == before


def test_a_case_file_upload_needs_a_token(api, web_store):
    response = api.post("/api/upload", files=[("case_file", ("case.toml", b"", "text/plain"))])
    assert response.status_code == 401


# -- inspections and samples ------------------------------------------------------------------
def test_an_inspector_records_an_inspection_with_measurements(api, tokens, web_store):
    body = {**INSPECTION, "measurements": [
        {"item": "cylinder 7", "quantity": "enrichment", "value_pct": 19.9,
         "uncertainty_pct": 0.3}, {"item": "cylinder 8", "value_pct": 4.95}]}
    response = api.post("/api/inspections", json=body, headers=_auth(tokens, "ivan"))
    assert response.status_code == 201, response.text
    stored = web_store.get(response.json()["id"])
    assert stored.kind == "inspection" and stored.facility == "FFEP"
    assert [(m["item"], m["value_pct"], m.get("uncertainty_pct"))
            for m in stored.payload["measurements"]] == [("cylinder 7", 19.9, 0.3),
                                                          ("cylinder 8", 4.95, None)]
    assert stored.known_on.isoformat() == "2024-06-01"          # today, the tests' fixed date


def test_a_bad_measurement_is_refused_at_its_path_and_nothing_is_written(api, tokens,
                                                                         web_store):
    before = len(web_store)
    body = {**INSPECTION, "measurements": [{"item": "c", "value_pct": 50.0},
                                           {"item": "d", "value_pct": 120.0,
                                            "uncertainty_pct": -1}]}
    response = api.post("/api/inspections", json=body, headers=_auth(tokens, "ivan"))
    assert response.status_code == 422, response.text
    paths = {p["path"]: p for p in response.json()["problems"]}
    assert {"payload.measurements[1].value_pct",
            "payload.measurements[1].uncertainty_pct"} <= set(paths)
    one = paths["payload.measurements[1].value_pct"]
    assert one["field"] == "measurements" and one["value"] == "120.0"
    assert "0" in one["allowed"] and "100" in one["allowed"]
    assert len(web_store) == before


def test_a_measurement_without_its_item_is_refused_at_its_location(api, tokens):
    body = {**INSPECTION, "measurements": [{"value_pct": 5.0}]}
    response = api.post("/api/inspections", json=body, headers=_auth(tokens, "ivan"))
    assert response.status_code == 422
    assert ["body", "measurements", 0, "item"] in [e["loc"] for e in response.json()["detail"]]


def test_a_sample_is_recorded_and_a_bad_one_refused_at_its_field(api, tokens, web_store):
    body = {"facility": "FFEP", "inspection": 4, "sample_id": "API-1", "kind": "environmental",
            "valid_from": "2023-01-22", "max_u235_pct": 60.0,
            "results": [{"u235_pct": 60.0}], "source": "api test"}
    response = api.post("/api/samples", json=body, headers=_auth(tokens, "ivan"))
    assert response.status_code == 201, response.text
    assert web_store.get(response.json()["id"]).payload["sample_id"] == "API-1"
    before = len(web_store)
    response = api.post("/api/samples", json={**body, "max_u235_pct": 101.0},
                        headers=_auth(tokens, "ivan"))
    assert response.status_code == 422
    assert "max_u235_pct" in {p["field"] for p in response.json()["problems"]}
    assert len(web_store) == before


@pytest.mark.parametrize("who", ["ann", "olga", "alice", "admin"])
def test_only_inspectors_record_inspections_and_samples(api, tokens, web_store, who):
    before = len(web_store)
    response = api.post("/api/inspections", json=INSPECTION, headers=_auth(tokens, who))
    assert response.status_code == 403
    assert len(web_store) == before


# -- accounts -----------------------------------------------------------------------------------
def _new_account(api, tokens, name: str, role: str = "analyst") -> None:
    response = api.post("/api/accounts", headers=_auth(tokens, "admin"), json={
        "name": name, "role": role, "password": "long enough password", "party": "IAEA"})
    assert response.status_code == 201, response.text


def test_an_administrator_disables_and_enables_an_account(api, tokens, web_store):
    from enrichwatch.web.accounts import AccountBook

    _new_account(api, tokens, "temp1")
    token = AccountBook(web_store.engine).issue_token("temp1")
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    off = api.put("/api/accounts/temp1/disabled", json={"disabled": True},
                  headers=_auth(tokens, "admin"))
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    on = api.put("/api/accounts/temp1/disabled", json={"disabled": False},
                 headers=_auth(tokens, "admin"))
    assert on.status_code == 200 and on.json()["disabled"] is False
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = {a["name"] for a in api.get("/api/accounts", headers=_auth(tokens, "admin")).json()}
    assert {"temp1", "admin", "ann"} <= listed


def test_the_last_administrator_is_neither_disabled_nor_demoted(api, tokens):
    for path, body in (("disabled", {"disabled": True}), ("role", {"role": "analyst"})):
        response = api.put(f"/api/accounts/admin/{path}", json=body,
                           headers=_auth(tokens, "admin"))
        assert response.status_code == 422, response.text
        [problem] = response.json()["problems"]
        assert problem["field"] in ("name", "role") and "administrator" in problem["allowed"]


def test_an_administrator_sets_a_role_and_bad_values_are_refused_at_their_field(api, tokens):
    _new_account(api, tokens, "temp2")
    response = api.put("/api/accounts/temp2/role", headers=_auth(tokens, "admin"),
                       json={"role": "state-operator", "party": "Iran",
                             "facilities": ["FFEP"]})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "temp2", "role": "state-operator", "party": "Iran",
                               "facilities": ["FFEP"], "disabled": False}
    response = api.put("/api/accounts/temp2/role", headers=_auth(tokens, "admin"),
                       json={"role": "root"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "role"
    assert response.json()["problems"][0]["value"] == "root"
    response = api.put("/api/accounts/nobody/role", headers=_auth(tokens, "admin"),
                       json={"role": "analyst"})
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "name"


@pytest.mark.parametrize("who", ["ann", "olga", "ivan", "alice"])
def test_no_one_but_an_administrator_changes_a_role_not_even_its_own(api, tokens, web_store,
                                                                     who):
    from enrichwatch.web.accounts import AccountBook

    book = AccountBook(web_store.engine)
    for target in (who, "ann"):
        before = book.get(target)
        response = api.put(f"/api/accounts/{target}/role", headers=_auth(tokens, who),
                           json={"role": "administrator"})
        assert response.status_code == 403, response.text
        response = api.put(f"/api/accounts/{target}/disabled", headers=_auth(tokens, who),
                           json={"disabled": True})
        assert response.status_code == 403
        assert book.get(target) == before


# -- parties and keys ---------------------------------------------------------------------------
def test_an_administrator_registers_a_key_and_lists_it(api, tokens):
    key = Signer.generate("APITEST").public_key_hex
    response = api.post("/api/parties", headers=_auth(tokens, "admin"), json={
        "party": "APITEST", "public_key": key, "source": "key ceremony of 1 Jun 2024"})
    assert response.status_code == 201, response.text
    listed = api.get("/api/parties", headers=_auth(tokens, "admin")).json()
    assert {"record_id": response.json()["id"], "party": "APITEST", "public_key": key,
            "requires_signature": False} in listed["parties"]


def test_a_private_key_is_refused_never_stored_nor_echoed(api, tokens, web_store):
    signer = Signer.generate("LEAKY")
    pem = private_key_to_pem(signer.private_key).decode()
    before = len(web_store)
    response = api.post("/api/parties", headers=_auth(tokens, "admin"), json={
        "party": "LEAKY", "public_key": pem, "source": "oops"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "public_key"
    body = pem.strip().splitlines()[1]
    assert body not in response.text and "PRIVATE KEY-----" not in response.text
    assert len(web_store) == before


@pytest.mark.parametrize("body", [
    {"party": "LEAKY", "public_key": "{pem}"},                         # and no source
    {"party": "LEAKY", "private_key": "{pem}", "source": "oops"},
    {"party": "LEAKY", "public_key": "{pem}" + "x" * 5000, "source": "oops"},
    {"party": "LEAKY", "public_key": "{pem}".replace("PRIVATE", "private"), "source": "o"},
])
def test_no_refusal_of_a_party_echoes_a_private_key(api, tokens, web_store, body):
    pem = private_key_to_pem(Signer.generate("LEAKY").private_key).decode()
    secret = pem.strip().splitlines()[1]
    sent = {k: v.replace("{pem}", pem) if isinstance(v, str) else v for k, v in body.items()}
    before = len(web_store)
    response = api.post("/api/parties", headers=_auth(tokens, "admin"), json=sent)
    assert response.status_code == 422, response.text[:300]
    assert secret not in response.text
    assert len(web_store) == before


def test_a_bad_public_key_is_refused_at_its_field(api, tokens, web_store):
    before = len(web_store)
    response = api.post("/api/parties", headers=_auth(tokens, "admin"), json={
        "party": "BAD", "public_key": "00", "source": "test"})
    assert response.status_code == 422
    assert "public_key" in {p["field"] for p in response.json()["problems"]}
    assert len(web_store) == before


# -- a cookie never authenticates the API -------------------------------------------------------
@pytest.mark.parametrize(("path", "method", "body"), [
    ("/api/inspections", "POST", INSPECTION),
    ("/api/accounts/ann/role", "PUT", {"role": "administrator"}),
    ("/api/accounts", "POST", {"name": "csrf1", "role": "analyst",
                               "password": "long enough password"}),
    ("/api/parties", "POST", {"party": "CSRF", "public_key": "0" * 64, "source": "x"}),
])
def test_a_logged_in_browsers_cookie_changes_nothing_through_the_api(clients, web_store,
                                                                     path, method, body):
    """A cross-site request rides on the session cookie: the API takes bearer tokens only,
    so with the cookie (and even with the page's CSRF token) it is refused, and nothing
    changes."""
    from enrichwatch.web.accounts import AccountBook

    who = "admin" if "/accounts" in path or "parties" in path else "ivan"
    client = clients[who]
    csrf = csrf_of(client.get("/facilities").text) if who else ""
    book = AccountBook(web_store.engine)
    before = (len(web_store), [(a.name, a.role) for a in book.all()])
    for headers in ({}, {"X-CSRF-Token": csrf}):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, response.text
    assert (len(web_store), [(a.name, a.role) for a in book.all()]) == before


# -- the inspector's page: the same measurements ------------------------------------------------
def _inspection_page(client, measurements: str):
    token = csrf_of(client.get("/inspect").text)
    return client.post("/inspect/inspection", follow_redirects=False, data={
        "csrf_token": token, "facility": "FFEP", "kind": "DIV", "valid_from": "2023-03-03",
        "known_on": "2023-03-03", "observed_plant": "", "summary": "page", "source": "visit",
        "measurements": measurements})


def test_the_inspect_page_records_measurements(clients, web_store):
    assert 'name="measurements"' in clients["ivan"].get("/inspect").text
    response = _inspection_page(clients["ivan"], "product cylinder 7, 59.8, 0.4\n"
                                                 "feed, cylinder 2, 4.9\n\n")
    assert response.status_code == 303, response.text[:500]
    record = web_store.get(len(web_store))
    assert record.payload["measurements"] == [
        {"item": "product cylinder 7", "quantity": "enrichment", "value_pct": 59.8,
         "uncertainty_pct": 0.4},
        {"item": "feed, cylinder 2", "quantity": "enrichment", "value_pct": 4.9,
         "uncertainty_pct": None}]


@pytest.mark.parametrize(("text", "where"), [
    ("cylinder 7", "measurements line 1"),          # no value
    ("ok, 5\n, 5", "measurements line 2"),          # no item
    ("cylinder 7, 120", "value_pct"),               # the store's range, at its path
    ("cylinder 7, 50, -1", "uncertainty_pct"),
])
def test_a_bad_measurement_on_the_page_is_shown_at_its_field(clients, web_store, text,
                                                             where):
    before = len(web_store)
    response = _inspection_page(clients["ivan"], text)
    assert response.status_code == 422
    shown = re.search(r'id="problem-inspection-measurements"[^>]*>(.*?)</', response.text,
                      re.DOTALL)
    assert shown and where in shown.group(1), response.text[-3000:]
    assert len(web_store) == before
