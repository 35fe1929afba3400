"""The pages of issue 13 beyond the first pass, through their handlers (the test client): the
case-file upload (all or nothing, every problem at its entry and key, records under the
uploading account), the inspector's page, the administrator's accounts and parties (the key
policy; no private key in or out), the plant diagrams and the timelines page."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrichwatch.records import Signer
from enrichwatch.records.signing import private_key_to_pem
from enrichwatch.web.charts import csp_safe_svg
from enrichwatch.web.service import MAX_UPLOAD_BYTES, Outlook, OutlookView
from tests.case_files import FORDOW as CASE_DIR
from tests.case_files import declaration_entry
from tests.web.conftest import make_app
from tests.web.helpers import csrf_of, login


def _problems(html: str) -> list[tuple[str, str]]:
    """(entry, key) of every problem an upload page shows."""
    out = []
    for entry, body in re.findall(r'<section class="entry-problems" data-entry="([^"]*)">'
                                  r'(.*?)</section>', html, re.DOTALL):
        out += [(entry, key) for key in re.findall(r'data-key="([^"]*)"', body)]
    return out


def _count(store) -> int:
    return len(store)


def _upload(client, case: bytes, *attachments: str, name: str = "case.toml"):
    files = [("case_file", (name, case, "text/plain"))]
    files += [("attachments", (a, (CASE_DIR / a).read_bytes(), "text/plain"))
              for a in attachments]
    token = csrf_of(client.get("/upload").text)
    return client.post("/upload", data={"csrf_token": token}, files=files)


# -- case-file upload ---------------------------------------------------------------------------
def test_a_state_operator_uploads_a_declaration(clients, web_store):
    before = _count(web_store)
    response = _upload(clients["ann"], declaration_entry(assay=60.0).encode(), "observed.toml")
    assert response.status_code == 201, response.text[:2000]
    assert _count(web_store) == before + 1
    record = web_store.get(before + 1)
    assert record.kind == "declaration" and record.source.endswith("[web: account ann]")
    assert record.payload["plant"] == (CASE_DIR / "observed.toml").read_text()


def test_every_problem_is_shown_at_its_entry_and_key_and_nothing_is_written(clients,
                                                                             web_store):
    bad = (declaration_entry(assay=-5, ref="d") + declaration_entry("PFEP", ref="e")
           + declaration_entry(ref="f", kind="inspection"))
    before = _count(web_store)
    response = _upload(clients["ann"], bad.encode(), "observed.toml")
    assert response.status_code == 422
    found = _problems(response.text)
    assert ("case.toml records[1]", "facility") in found          # another State's facility
    assert ("case.toml records[2]", "kind") in found              # an inspection
    assert ("case.toml records[0]", "payload.declared_max_assay_pct") in found  # and its own
    assert _count(web_store) == before                            # all or nothing
    only_bad_assay = _upload(clients["ann"], declaration_entry(assay=-5).encode(),
                             "observed.toml")
    assert ("case.toml records[0]", "payload.declared_max_assay_pct") in _problems(
        only_bad_assay.text)
    assert _count(web_store) == before


def test_a_missing_plant_file_and_a_syntax_error_are_shown_without_the_temporary_folder(
        clients):
    missing = _upload(clients["ann"], declaration_entry().encode())
    assert ("case.toml records[0]", "payload.plant_file") in _problems(missing.text)
    assert "enrichwatch-upload-" not in missing.text
    syntax = _upload(clients["ann"], b"[[records]\nkind = ", name="mine.toml")
    assert syntax.status_code == 422 and "mine.toml" in syntax.text
    assert "enrichwatch-upload-" not in syntax.text and "/tmp" not in syntax.text


def test_an_upload_cannot_name_a_file_outside_or_another_party(clients, web_store):
    escape = declaration_entry(plant_file="../../etc/passwd")
    response = _upload(clients["ann"], escape.encode(), "observed.toml")
    assert ("case.toml records[0]", "payload.plant_file") in _problems(response.text)
    other = declaration_entry().replace('source = "upload test"',
                                                 'source = "x"\nsubmitted_by = "IAEA"')
    response = _upload(clients["ann"], other.encode(), "observed.toml")
    assert ("case.toml records[0]", "submitted_by") in _problems(response.text)
    bad_name = _upload(clients["ann"], declaration_entry().encode(), name="..")
    assert ("upload", "case_file") in _problems(bad_name.text)


def test_an_inspector_uploads_only_inspections_and_samples(clients):
    case = (CASE_DIR / "case.toml").read_bytes()
    response = _upload(clients["ivan"], case, "declared.toml", "observed.toml",
                       "commissioning-2022-11.toml", "feed-cylinder-change.toml")
    found = dict(_problems(response.text))
    assert found["case.toml records[1]"] == "kind"               # a declaration
    assert "case.toml records[2]" not in found                   # an inspection: allowed


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(clients):
    client = clients["ann"]
    token = csrf_of(client.get("/upload").text)
    big = b"#" * (MAX_UPLOAD_BYTES + 1)
    response = client.post("/upload", data={"csrf_token": token},
                           files=[("case_file", ("case.toml", big, "text/plain"))])
    assert response.status_code == 413


def test_anonymous_upload_goes_to_login(clients):
    response = clients[None].get("/upload", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# -- the inspector's page -------------------------------------------------------------------------
def _inspection_form(client, **values):
    token = csrf_of(client.get("/inspect").text)
    data = {"csrf_token": token, "facility": "FFEP", "kind": "DIV", "valid_from": "2024-05-01",
            "known_on": "2024-05-02", "observed_plant": "", "summary": "", "source": "visit"}
    return client.post("/inspect/inspection", data={**data, **values},
                       follow_redirects=False)


def test_an_inspection_with_problems_shows_each_at_its_field(clients, web_store):
    before = _count(web_store)
    response = _inspection_form(clients["ivan"], valid_from="2024-05-03",
                                observed_plant="not = [toml", source="")
    assert response.status_code == 422
    assert "problem-inspection-source" in response.text
    response = _inspection_form(clients["ivan"], valid_from="2024-05-03",
                                known_on="2024-05-02")
    assert response.status_code == 422 and "problem-inspection-known_on" in response.text
    assert _count(web_store) == before


def test_an_inspector_records_an_inspection_and_a_sample_and_sees_its_drafts(clients,
                                                                             web_store):
    ivan = clients["ivan"]
    response = _inspection_form(ivan, summary="ivan's inspection")
    assert response.status_code == 303
    inspection = int(re.search(r"written=(\d+)", response.headers["location"]).group(1))
    token = csrf_of(ivan.get("/inspect").text)
    sample = {"csrf_token": token, "facility": "FFEP", "inspection": str(inspection),
              "sample_id": "S-1", "kind": "environmental", "valid_from": "2024-05-01",
              "known_on": "2024-05-10", "max_u235_pct": "101", "results": "4.9, 5",
              "summary": "ivan's sample", "source": "lab"}
    refused = ivan.post("/inspect/sample", data=sample)
    assert refused.status_code == 422 and "problem-sample-max_u235_pct" in refused.text
    done = ivan.post("/inspect/sample", data={**sample, "max_u235_pct": "5"},
                     follow_redirects=False)
    assert done.status_code == 303
    page = ivan.get("/inspect").text
    drafts = re.search(r'<table id="draft-list">(.*?)</table>', page, re.DOTALL).group(1)
    assert "ivan&#39;s inspection" in drafts and "ivan&#39;s sample" in drafts
    assert web_store.get(inspection).submitted_by is None      # IAEA is not registered here
    assert web_store.get(inspection).source == "visit [web: account ivan]"
    assert clients["ann"].get(f"/records/{inspection}").status_code == 404
    assert clients["ann"].get("/inspect").status_code == 403
    assert "ivan&#39;s" not in clients["alice"].get("/inspect").text   # analysts: 403 page


def test_a_state_operator_cannot_record_an_inspection(clients, web_store):
    before = _count(web_store)
    assert _inspection_form(clients["ann"]).status_code == 403
    assert _count(web_store) == before


# -- administration --------------------------------------------------------------------------------
def _post(client, path, **data):
    token = csrf_of(client.get("/login").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_administrator_disables_an_account_and_changes_a_role(app, clients):
    from fastapi.testclient import TestClient

    admin = clients["admin"]
    assert _post(admin, "/accounts", name="temp", role="analyst",
                 password="correct horse battery").status_code == 303
    temp = TestClient(app, base_url="https://testserver")
    assert login(temp, "temp").status_code == 303
    assert temp.get("/facilities/FFEP/findings?as_of=2023-02-01").status_code == 200
    assert _post(admin, "/accounts/temp/role", role="state-operator", party="Iran",
                 facilities="FFEP").status_code == 303
    assert temp.get("/facilities").status_code == 200 and "Log in" in temp.get(
        "/facilities").text                                       # its session ended
    assert login(temp, "temp").status_code == 303
    assert temp.get("/facilities/FFEP/findings?as_of=2023-02-01").status_code == 403
    assert _post(admin, "/accounts/temp/disabled", disabled="yes").status_code == 303
    assert temp.get("/facilities", follow_redirects=False).status_code == 303
    assert login(temp, "temp").status_code == 401
    page = admin.get("/accounts").text
    assert re.search(r'id="account-temp">.*?<td class="status">disabled', page, re.DOTALL)
    refused = _post(admin, "/accounts/admin/disabled", disabled="yes")
    assert refused.status_code == 422 and "last enabled administrator" in refused.text
    assert _post(admin, "/accounts/admin/role", role="analyst").status_code == 422
    assert _post(clients["alice"], "/accounts/ann/disabled", disabled="yes").status_code == 403


def test_a_key_change_follows_the_key_policy(web_store):
    """Registered unsigned (no policy yet), a party's key changes only with a signature by its
    current key: refused when the server does not hold it, accepted when it does."""
    from fastapi.testclient import TestClient

    first, second = Signer.generate("Lab"), Signer.generate("Lab")
    for signers, key, status in (({}, first, 201), ({}, second, 422),
                                 ({"Lab": first}, second, 201)):
        client = TestClient(make_app(web_store, signers=signers),
                            base_url="https://testserver")
        assert login(client, "admin").status_code == 303
        response = _post(client, "/parties", party="Lab", public_key=key.public_key_hex,
                         source="key ceremony")
        assert response.status_code == status, response.text[-1500:]
        if status == 422:
            assert 'id="problem-party-signature"' in response.text
        for signer in signers.values():                   # never a private key in a page
            pem = private_key_to_pem(signer.private_key).decode()
            assert pem.splitlines()[1] not in response.text
            raw = signer.private_key.private_bytes_raw().hex()
            assert raw not in response.text
    parties = {p.party: p for p in make_app(web_store).state.web.ledger.parties().registered}
    assert parties["Lab"].public_key == second.public_key_hex
    assert web_store.get(parties["Lab"].record_id).signature


def test_a_private_key_pasted_as_public_is_refused_and_not_echoed(clients, web_store):
    pem = private_key_to_pem(Signer.generate("X").private_key).decode()
    before = _count(web_store)
    response = _post(clients["admin"], "/parties", party="X", public_key=pem, source="oops")
    assert response.status_code == 422 and "PRIVATE key" in response.text
    assert pem.splitlines()[1] not in response.text
    assert _count(web_store) == before


# -- facility pages -------------------------------------------------------------------------------
def test_the_timeline_links_keep_its_as_of_date(clients):
    """A walkthrough found the Findings link dropped the date the page showed."""
    page = clients["alice"].get("/facilities/FFEP?as_of=2023-01-20").text
    assert 'href="/facilities/FFEP/findings?as_of=2023-01-20"' in page
    assert 'href="/facilities/FFEP/plant?as_of=2023-01-20"' in page


def test_the_plant_page_draws_the_changed_streams(clients):
    page = clients["alice"].get("/facilities/FFEP/plant?as_of=2023-02-01").text
    assert re.findall(r'class="changed-count">(\d+)', page) == ["1", "1"]
    assert len(re.findall(r'<svg[^>]*class="plot"', page)) == 2
    assert "style=" not in page and "<style" not in page           # CSP: no inline style
    before = clients["alice"].get("/facilities/FFEP/plant?as_of=2022-12-01").text
    assert re.findall(r'class="changed-count">(\d+)', before) == ["0", "0"]
    assert clients["ann"].get("/facilities/FFEP/plant").status_code == 403
    assert clients["alice"].get("/facilities/FFEP/plant?inspection=2").status_code == 404


def test_the_outlook_page_states_what_it_covers(clients, app):
    assert "outlook-not-covered" in clients["alice"].get("/facilities/PFEP/outlook").text
    ledger = app.state.web.ledger
    saved = ledger.outlook
    try:
        ledger.outlook = _Held(OutlookView("computing"))
        page = clients["ann"].get("/facilities/FFEP/outlook").text
        assert "outlook-computing" in page and 'http-equiv="refresh"' in page
        ledger.outlook = _Held(OutlookView("failed", error="ValueError: no"))
        assert "ValueError: no" in clients["ann"].get("/facilities/FFEP/outlook").text
    finally:
        ledger.outlook = saved
    assert clients["olga"].get("/facilities/FFEP/outlook").status_code == 403


class _Held(Outlook):
    """An outlook whose state is given (the page's handling of each state)."""

    def __init__(self, view: OutlookView) -> None:
        super().__init__()
        self._view = view


def test_csp_safe_svg_keeps_every_presentation_value():
    svg = ('<svg width="5pt"><defs><style type="text/css">*{stroke-linejoin: round}</style>'
           '</defs><path style="fill: #ff0000; stroke-width: 2; behavior: url(x)"/></svg>')
    out = str(csp_safe_svg(svg))
    assert 'fill="#ff0000"' in out and 'stroke-width="2"' in out
    assert "style" not in out and "behavior" not in out
    assert out.startswith('<svg stroke-linejoin="round"')


@pytest.mark.parametrize("value", ["&quot; onload=&quot;x", "red&#34; onload=&#34;x"])
def test_csp_safe_svg_cannot_be_made_to_add_an_attribute(value):
    out = str(csp_safe_svg(f'<svg><path style="fill: {value}"/></svg>'))
    assert re.fullmatch(r'<svg><path fill="[^"]*"/></svg>', out), out
    assert "&quot;" not in out and "&#34;" not in out           # entities escaped, inert


_DECLARED = st.text(st.characters(blacklist_characters='"<>&', blacklist_categories=("Cs",)),
                    max_size=40)


@given(st.lists(st.tuples(st.sampled_from(["fill", "stroke", "opacity", "onload", "x"]),
                          _DECLARED), max_size=6))
def test_csp_safe_svg_leaves_only_quoted_presentation_attributes(declarations):
    """Whatever a style attribute declares, the result is one element whose attributes are
    presentation attributes with quoted values, and no style."""
    style = "; ".join(f"{k}: {v}" for k, v in declarations)
    out = str(csp_safe_svg(f'<svg><path style="{style}"/></svg>'))
    attributes = re.fullmatch(r'<svg><path((?: [a-z-]+="[^"<>]*")*)/></svg>', out)
    assert attributes, out
    names = re.findall(r' ([a-z-]+)="', attributes.group(1))
    assert set(names) <= {"fill", "stroke", "opacity"}
