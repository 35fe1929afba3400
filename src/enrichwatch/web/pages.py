"""The server-rendered pages: login, facilities, a facility's timeline, findings and their
release, the declared and observed plant diagrams, the breakout and detection timelines, the
declaration form, the case-file upload, the inspector's page (inspections, samples, own
drafts), a record, the ledger's verification, accounts and parties.

Every page asks :func:`~enrichwatch.web.app.require` (the one policy) before it reads or
writes anything, every form carries the CSRF token, and every page shows the ledger's
verification status.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import InputError
from ..records import RecordDraft, RecordError
from ..records.payloads import INSPECTION_KINDS, SAMPLE_KINDS
from .accounts import ROLES
from .app import as_of_day, check_csrf, facility_code, render, require, start_session, web
from .charts import timeline_svg
from .policy import SUBMIT_KINDS, decide, may_read_record
from .service import (
    MAX_ATTACHMENTS,
    MAX_UPLOAD_BYTES,
    OUTLOOK_COUNTRY,
    FieldProblems,
    Upload,
    problems_of,
)

__all__ = ["PRIVATE_KEY_MARKERS", "content_length", "router"]

router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _local(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or ``https://host``) after login."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return "/facilities"


# -- login ----------------------------------------------------------------------------------
@router.get("/")
def home() -> Response:
    return _redirect("/facilities")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/facilities") -> Response:
    return render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await check_csrf(request)
    state = web(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _local(str(form.get("next", "")))
    address = request.client.host if request.client else "?"
    outcome = state.logins.attempt(name, address,
                                   lambda: state.accounts.authenticate(name, password))
    if outcome.refused:
        return render(request, "login.html", {"next": target, "error": "too many failed "
                      f"logins: try again in {outcome.retry_after_s} s"}, status_code=429)
    account = outcome.account
    if account is None:
        return render(request, "login.html", {"next": target,
                                              "error": "wrong name or password"},
                      status_code=401)
    start_session(request, account)
    return _redirect(target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    if request.state.account is not None:
        web(request).accounts.end_sessions(request.state.account.id)
    start_session(request, None)
    return _redirect("/login")


# -- facilities and timelines ----------------------------------------------------------------
@router.get("/facilities", response_class=HTMLResponse)
def facilities(request: Request) -> Response:
    account = require(request, "facilities.list")
    rows = [(code, name) for code, name in web(request).ledger.facilities()
            if decide(account, "records.read", code, "facility")
            or account.role == "administrator"]
    return render(request, "facilities.html", {"facilities": rows})


@router.get("/facilities/{code}", response_class=HTMLResponse)
def timeline(request: Request, code: str, as_of: str | None = None) -> Response:
    code = facility_code(code)
    account = require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    day = as_of_day(request, as_of, ledger.today())
    rows = ledger.timeline(account, code, day)
    if not rows:
        raise HTTPException(404, f"no records of {code} known on {day} that you may read")
    return render(request, "timeline.html", {
        "code": code, "as_of": day, "records": rows, "chart": timeline_svg(rows),
        "may_findings": decide(account, "findings.read", code).allowed
        or (account.role == "state-operator" and bool(ledger.releases(code))),
        "may_declare": decide(account, "records.submit", code, "declaration").allowed,
        "may_plant": decide(account, "records.read", code, "inspection").allowed})


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, record_id: int) -> Response:
    require(request, "facilities.list")             # logged in
    record = web(request).ledger.record(record_id)
    if record is None or not may_read_record(request.state.account, record):
        raise HTTPException(404, "no record with this id that you may read")
    return render(request, "record.html", {"record": record})


# -- findings ---------------------------------------------------------------------------------
@router.get("/facilities/{code}/findings", response_class=HTMLResponse)
def findings(request: Request, code: str, as_of: str | None = None) -> Response:
    code = facility_code(code)
    ledger = web(request).ledger
    released = ledger.releases(code)
    account = request.state.account
    default = released[-1] if account is not None and account.role == "state-operator" \
        and released else ledger.today()
    day = as_of_day(request, as_of, default)
    account = require(request, "findings.read", code, released=day in released)
    result = ledger.evaluate(code, day)
    return render(request, "findings.html", {
        "code": code, "as_of": day, "result": result, "released": released,
        "readable": {r.id for r in ledger.timeline(account, code, day)},
        "may_release": decide(account, "findings.release", code).allowed,
        "may_plant": decide(account, "records.read", code, "inspection").allowed})


@router.post("/facilities/{code}/release")
async def release(request: Request, code: str) -> Response:
    form = await check_csrf(request)
    code = facility_code(code)
    account = require(request, "findings.release", code)
    day = as_of_day(request, str(form.get("as_of", "")), web(request).ledger.today())
    try:
        web(request).ledger.release(account, code, day)
    except RecordError as err:
        raise HTTPException(400, str(err)) from None
    return _redirect(f"/facilities/{code}/findings?as_of={day}")


# -- declarations -----------------------------------------------------------------------------
_DECLARATION_FIELDS = ("valid_from", "declared_on", "declared_max_assay_pct", "plant",
                       "summary", "source")


@router.get("/facilities/{code}/declare", response_class=HTMLResponse)
def declare_form(request: Request, code: str) -> Response:
    code = facility_code(code)
    require(request, "records.submit", code, "declaration")
    today = web(request).ledger.today().isoformat()
    values = {"valid_from": today, "declared_on": today, "declared_max_assay_pct": "",
              "plant": "", "summary": "", "source": ""}
    return render(request, "declare.html", {"code": code, "values": values,
                                            "problems": FieldProblems(),
                                            "form_fields": _DECLARATION_FIELDS})


async def _declaration_values(form) -> dict[str, str]:
    values = {k: str(form.get(k, "")) for k in _DECLARATION_FIELDS}
    upload = form.get("plant_file")
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read()
        if data:
            values["plant"] = data.decode("utf-8", errors="replace")
    return values


def _declaration_draft(code: str, values: dict[str, str], today: date
                       ) -> tuple[RecordDraft | None, dict[str, tuple[str, ...]]]:
    problems: dict[str, tuple[str, ...]] = {}
    payload: dict[str, Any] = {"declared_on": values["declared_on"], "plant": values["plant"],
                               "summary": values["summary"]}
    try:
        payload["declared_max_assay_pct"] = float(values["declared_max_assay_pct"])
    except ValueError:
        problems["declared_max_assay_pct"] = (
            f"declared_max_assay_pct = {values['declared_max_assay_pct']!r}: expected a "
            "U-235 percent in (0, 100]",)
    if not values["source"].strip():
        problems["source"] = ("source = '': expected the document the declaration comes "
                              "from",)
    if problems:
        return None, problems
    return RecordDraft("declaration", code, values["valid_from"], today, values["source"],
                       payload), problems


@router.post("/facilities/{code}/declare", response_class=HTMLResponse)
async def declare(request: Request, code: str) -> Response:
    form = await check_csrf(request)
    code = facility_code(code)
    account = require(request, "records.submit", code, "declaration")
    ledger = web(request).ledger
    values = await _declaration_values(form)
    draft, problems = _declaration_draft(code, values, ledger.today())
    found = FieldProblems(problems)
    if draft is not None:
        try:
            record = ledger.submit(account, [draft])[0]
        except (RecordError, InputError) as err:
            found = _problems(err)
        else:
            return _redirect(f"/records/{record.id}")
    return render(request, "declare.html", {"code": code, "values": values,
                                            "problems": found,
                                            "form_fields": _DECLARATION_FIELDS},
                  status_code=422)


# -- verification and accounts ------------------------------------------------------------------
@router.get("/verification", response_class=HTMLResponse)
def verification(request: Request) -> Response:
    require(request, "ledger.verify")
    return render(request, "verification.html", {})


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request) -> Response:
    require(request, "accounts.manage")
    return render(request, "accounts.html", _accounts_context(request))


@router.post("/accounts", response_class=HTMLResponse)
async def accounts_add(request: Request) -> Response:
    form = await check_csrf(request)
    admin = require(request, "accounts.manage")
    book = web(request).accounts
    facilities = [f.strip() for f in str(form.get("facilities", "")).split(",") if f.strip()]
    try:
        book.add(str(form.get("name", "")), str(form.get("role", "")),
                 str(form.get("password", "")), party=str(form.get("party", "")) or None,
                 facilities=facilities, by=admin.name)
    except InputError as err:
        return render(request, "accounts.html", _accounts_context(request, str(err)),
                      status_code=422)
    return _redirect("/accounts")


# -- forms: values and problems -------------------------------------------------------------------
def _problems(err: Exception) -> FieldProblems:
    if isinstance(err, RecordError):
        return problems_of(err)
    param = getattr(err, "param", None) or ""
    return FieldProblems({param: (str(err),)})


async def _file_text(form, name: str) -> str | None:
    """The text of an uploaded file field (None: no file chosen)."""
    upload = form.get(name)
    if upload is None or not hasattr(upload, "read"):
        return None
    data = await upload.read()
    return data.decode("utf-8", errors="replace") if data else None


def _number(values: dict[str, str], name: str, allowed: str, problems: dict,
            kind: type = float) -> Any:
    text = values[name].strip()
    try:
        return kind(text)
    except ValueError:
        problems[name] = (f"{name} = {text!r}: expected {allowed}",)
        return None


def _required_text(values: dict[str, str], name: str, allowed: str, problems: dict) -> None:
    if not values[name].strip():
        problems[name] = (f"{name} = '': expected {allowed}",)


# -- case-file upload -----------------------------------------------------------------------------
def _upload_context(account, problems=None, written=None) -> dict:
    return {"problems": problems, "written": written or [], "max_bytes": MAX_UPLOAD_BYTES,
            "max_attachments": MAX_ATTACHMENTS, "kinds": SUBMIT_KINDS.get(account.role, ())}


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    account = require(request, "facilities.list")  # logged in; each entry checked on upload
    return render(request, "upload.html", _upload_context(account))


def _grouped(err: RecordError) -> list[tuple[str, list[dict]]]:
    """Problems by entry (``case.toml records[3]``), each with its key, value and message."""
    out: dict[str, list[dict]] = {}
    for p in err.problems:
        out.setdefault(p.where, []).append({"key": p.key, "problem": str(p)})
    return list(out.items())


def content_length(request: Request, limit: int) -> None:
    """Refuse a body without a length (411) or longer than ``limit`` (413) before reading it."""
    text = request.headers.get("content-length")
    if text is None or not text.isdigit():
        raise HTTPException(411, "an upload must state its length (Content-Length)")
    if int(text) > limit:
        raise HTTPException(413, f"an upload of at most {limit} bytes (this one: {text})")


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request) -> Response:
    content_length(request, MAX_UPLOAD_BYTES)
    form = await check_csrf(request)
    account = require(request, "facilities.list")
    case = form.get("case_file")
    if case is None or not hasattr(case, "read"):
        err = RecordError.of("upload", "case_file", "no file", "a case file (TOML)")
        return render(request, "upload.html", _upload_context(account, _grouped(err)),
                      status_code=422)
    attachments = [Upload(str(f.filename or ""), await f.read())
                   for f in form.getlist("attachments")
                   if hasattr(f, "read") and (f.filename or f.size)]
    try:
        written = web(request).ledger.submit_case(
            account, Upload(str(case.filename or ""), await case.read()), attachments)
    except RecordError as err:
        return render(request, "upload.html", _upload_context(account, _grouped(err)),
                      status_code=422)
    return render(request, "upload.html", _upload_context(account, written=written),
                  status_code=201)


# -- the inspector's page -------------------------------------------------------------------------
_INSPECTION_FIELDS = ("facility", "kind", "valid_from", "known_on", "observed_plant",
                      "measurements", "summary", "source")
_MEASUREMENTS_TEXT = ("one measurement a line: ITEM, U-235 PERCENT[, UNCERTAINTY PERCENT] "
                      "(an enrichment; e.g. 'cylinder 7, 19.9, 0.3')")
_SAMPLE_FIELDS = ("facility", "inspection", "sample_id", "kind", "valid_from", "known_on",
                  "max_u235_pct", "results", "summary", "source")


def _inspect_context(request: Request, account, **forms) -> dict:
    ledger = web(request).ledger
    today = ledger.today().isoformat()
    codes = [code for code, _ in ledger.facilities()]
    blank_i = {k: "" for k in _INSPECTION_FIELDS} | {"valid_from": today, "known_on": today}
    blank_s = {k: "" for k in _SAMPLE_FIELDS} | {"valid_from": today, "known_on": today}
    if codes:
        blank_i["facility"] = blank_s["facility"] = codes[0]
    return {"facilities": codes, "inspection_kinds": INSPECTION_KINDS,
            "sample_kinds": SAMPLE_KINDS,
            "drafts": ledger.submissions(account, ("inspection", "sample")),
            "inspection": forms.get("inspection") or (blank_i, FieldProblems()),
            "sample": forms.get("sample") or (blank_s, FieldProblems()),
            "inspection_fields": _INSPECTION_FIELDS, "sample_fields": _SAMPLE_FIELDS,
            "written": forms.get("written")}


def _require_inspector(request: Request):
    """An account that records inspections (the policy's answer for any facility)."""
    account = require(request, "facilities.list")
    if not decide(account, "records.submit", None, "inspection") and not any(
            decide(account, "records.submit", f, "inspection") for f in account.facilities):
        raise HTTPException(403, decide(account, "records.submit", None, "inspection").reason
                            or "this account does not record inspections")
    return account


@router.get("/inspect", response_class=HTMLResponse)
def inspect_page(request: Request, written: int | None = None) -> Response:
    account = _require_inspector(request)
    return render(request, "inspect.html", _inspect_context(request, account, written=written))


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _measurements(text: str, problems: dict) -> list[dict]:
    """The measurements field: ``ITEM, VALUE[, UNCERTAINTY]`` a line (the store checks the
    ranges, and names the measurement at fault)."""
    out = []
    for n, line in enumerate([x for x in text.splitlines() if x.strip()]):
        parts = [p.strip() for p in line.split(",")]
        numbers: list[float] = []
        while len(parts) > 1 and len(numbers) < 2 and _float_or_none(parts[-1]) is not None:
            numbers.insert(0, float(parts.pop()))
        item = ", ".join(parts)
        if not numbers or not item:
            problems["measurements"] = (f"measurements line {n + 1} = {line.strip()!r}: "
                                        f"expected {_MEASUREMENTS_TEXT}",)
            return []
        entry: dict[str, Any] = {"item": item, "quantity": "enrichment",
                                 "value_pct": numbers[0]}
        if len(numbers) > 1:
            entry["uncertainty_pct"] = numbers[1]
        out.append(entry)
    return out


def _inspection_draft(values: dict[str, str], plant: str | None
                      ) -> tuple[RecordDraft | None, dict]:
    problems: dict[str, tuple[str, ...]] = {}
    measurements = _measurements(values["measurements"], problems)
    _required_text(values, "source", "the document the inspection is recorded from", problems)
    if problems:
        return None, problems
    payload: dict[str, Any] = {"kind": values["kind"], "summary": values["summary"]}
    if measurements:
        payload["measurements"] = measurements
    text = plant if plant is not None else values["observed_plant"]
    if text.strip():
        payload["observed_plant"] = text
    return RecordDraft("inspection", values["facility"], values["valid_from"],
                       values["known_on"], values["source"], payload), problems


def _submit_inspector_form(request: Request, account, draft: RecordDraft | None,
                           problems: dict, **form: dict[str, str]) -> Response:
    """Append ``draft`` (an inspection or a sample from the inspector's page) as ``account``
    and go to its drafts; or show the page again (422) with the form's values and every
    problem at its field. ``form`` is ``inspection=values`` or ``sample=values``."""
    found = FieldProblems(problems)
    if draft is not None:
        try:
            record = web(request).ledger.submit(account, [draft])[0]
        except (RecordError, InputError) as err:
            found = _problems(err)
        else:
            return _redirect(f"/inspect?written={record.id}#drafts")
    [(name, values)] = form.items()
    return render(request, "inspect.html", _inspect_context(
        request, account, **{name: (values, found)}), status_code=422)


@router.post("/inspect/inspection", response_class=HTMLResponse)
async def record_inspection(request: Request) -> Response:
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")) for k in _INSPECTION_FIELDS}
    code = facility_code(values["facility"]) if values["facility"] else ""
    account = require(request, "records.submit", code or None, "inspection")
    plant = await _file_text(form, "observed_plant_file")
    if plant is not None:
        values["observed_plant"] = plant
    draft, problems = _inspection_draft(values, plant)
    return _submit_inspector_form(request, account, draft, problems, inspection=values)


def _sample_draft(values: dict[str, str]) -> tuple[RecordDraft | None, dict]:
    problems: dict[str, tuple[str, ...]] = {}
    inspection = _number(values, "inspection", "the record id of the inspection (an integer)",
                         problems, int)
    top = _number(values, "max_u235_pct", "a U-235 percent from 0 to 100", problems)
    results = []
    for part in [x for x in values["results"].split(",") if x.strip()]:
        try:
            results.append({"u235_pct": float(part)})
        except ValueError:
            problems["results"] = (f"results = {values['results']!r}: expected U-235 percents "
                                   "separated by commas (or nothing)",)
    _required_text(values, "source", "the document the sample result comes from", problems)
    if problems:
        return None, problems
    payload = {"inspection": inspection, "sample_id": values["sample_id"],
               "kind": values["kind"], "max_u235_pct": top, "results": results,
               "summary": values["summary"]}
    return RecordDraft("sample", values["facility"], values["valid_from"], values["known_on"],
                       values["source"], payload), problems


@router.post("/inspect/sample", response_class=HTMLResponse)
async def record_sample(request: Request) -> Response:
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")) for k in _SAMPLE_FIELDS}
    code = facility_code(values["facility"]) if values["facility"] else ""
    account = require(request, "records.submit", code or None, "sample")
    draft, problems = _sample_draft(values)
    return _submit_inspector_form(request, account, draft, problems, sample=values)


# -- the facility's plant diagrams and the timelines ----------------------------------------------
@router.get("/facilities/{code}/plant", response_class=HTMLResponse)
def plant_page(request: Request, code: str, as_of: str | None = None,
               inspection: int | None = None) -> Response:
    code = facility_code(code)
    require(request, "records.read", code, "inspection")
    ledger = web(request).ledger
    day = as_of_day(request, as_of, ledger.today())
    seen, chosen, declared = ledger.plant_pair(code, day, inspection)
    if inspection is not None and chosen is None:
        raise HTTPException(404, f"no inspection {inspection} of {code} with an observed plant "
                                 f"known on {day}")
    diagrams = ledger.diagrams(chosen, declared) if chosen and declared else []
    return render(request, "plant.html", {"code": code, "as_of": day, "inspections": seen,
                                          "chosen": chosen, "declared": declared,
                                          "diagrams": diagrams})


@router.get("/facilities/{code}/outlook", response_class=HTMLResponse)
def outlook_page(request: Request, code: str) -> Response:
    code = facility_code(code)
    require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    country = ledger.country(code)
    covered = country == OUTLOOK_COUNTRY
    view = ledger.outlook.view() if covered else None
    return render(request, "outlook.html", {"code": code, "country": country,
                                            "covered_country": OUTLOOK_COUNTRY,
                                            "view": view,
                                            "refresh": view is not None
                                            and view.state == "computing"})


# -- administration: accounts and parties ---------------------------------------------------------
def _accounts_context(request: Request, error: str | None = None,
                      error_at: str | None = None) -> dict:
    return {"accounts": web(request).accounts.all(), "roles": ROLES, "error": error,
            "error_at": error_at}


@router.post("/accounts/{name}/disabled", response_class=HTMLResponse)
async def account_disabled(request: Request, name: str) -> Response:
    form = await check_csrf(request)
    admin = require(request, "accounts.manage")
    value = str(form.get("disabled", ""))
    try:
        if value not in ("yes", "no"):
            raise InputError("disabled", value, "'yes' or 'no'")
        web(request).accounts.set_disabled(name, value == "yes", by=admin.name)
    except InputError as err:
        return render(request, "accounts.html", _accounts_context(request, str(err), name),
                      status_code=422)
    return _redirect("/accounts")


@router.post("/accounts/{name}/role", response_class=HTMLResponse)
async def account_role(request: Request, name: str) -> Response:
    form = await check_csrf(request)
    admin = require(request, "accounts.manage")
    facilities = [f.strip() for f in str(form.get("facilities", "")).split(",") if f.strip()]
    try:
        web(request).accounts.set_role(name, str(form.get("role", "")),
                                       party=str(form.get("party", "")).strip() or None,
                                       facilities=facilities, by=admin.name)
    except InputError as err:
        return render(request, "accounts.html", _accounts_context(request, str(err), name),
                      status_code=422)
    return _redirect("/accounts")


PRIVATE_KEY_MARKERS = ("PRIVATE KEY", "PRIVATE-KEY", "OPENSSH")


def _parties_context(request: Request, values=None, problems=None, written=None) -> dict:
    return {"parties": web(request).ledger.parties(),
            "held": sorted(web(request).ledger.signers),
            "values": values or {"party": "", "public_key": "", "requires_signature": "",
                                 "source": ""},
            "problems": problems or FieldProblems(), "written": written,
            "party_fields": ("party", "public_key", "requires_signature", "source")}


@router.get("/parties", response_class=HTMLResponse)
def parties_page(request: Request) -> Response:
    require(request, "records.submit", "*", "party")
    return render(request, "parties.html", _parties_context(request))


@router.post("/parties", response_class=HTMLResponse)
async def register_party(request: Request) -> Response:
    form = await check_csrf(request)
    account = require(request, "records.submit", "*", "party")
    values = {k: str(form.get(k, "")).strip() for k in ("party", "public_key", "source")}
    values["requires_signature"] = "yes" if form.get("requires_signature") == "yes" else ""
    problems: dict[str, tuple[str, ...]] = {}
    if any(m in values["public_key"].upper() for m in PRIVATE_KEY_MARKERS):
        values["public_key"] = ""                      # never echoed back, never stored
        problems["public_key"] = ("public_key: this is a PRIVATE key; it was not stored. "
                                  "Paste the public key (64 hex digits, printed by "
                                  "'enrichwatch records keygen'); a private key never leaves "
                                  "its holder",)
    _required_text(values, "source", "the document or ceremony the key comes from", problems)
    found = FieldProblems(problems)
    if not problems:
        try:
            record = web(request).ledger.register_key(
                account, values["party"], values["public_key"],
                values["requires_signature"] == "yes", values["source"])
        except RecordError as err:
            found = problems_of(err)
        else:
            return render(request, "parties.html", _parties_context(request, written=record),
                          status_code=201)
    return render(request, "parties.html", _parties_context(request, values, found),
                  status_code=422)
