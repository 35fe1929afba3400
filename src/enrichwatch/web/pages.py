"""The server-rendered pages: login, facilities, a facility's timeline, findings and their
release, the declaration form, a record, the ledger's verification, accounts.

Every page asks :func:`~enrichwatch.web.app.require` (the one policy) before it reads or
writes anything, every form carries the CSRF token, and every page shows the ledger's
verification status.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..dates import parse_date
from ..errors import InputError
from ..records import RecordDraft, RecordError
from ..records.model import is_facility_code
from .accounts import ROLES
from .app import check_csrf, render, require, start_session, web
from .charts import timeline_svg
from .policy import decide, may_read_record
from .service import FieldProblems, problems_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _facility(code: str) -> str:
    if not is_facility_code(code):
        raise HTTPException(404, "no such facility")
    return code


def _as_of(request: Request, text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        day = parse_date(text, "as_of")
    except InputError as err:
        raise HTTPException(400, f"as_of = {text!r}: expected {err.allowed}") from None
    today = web(request).ledger.today()
    if day > today:
        raise HTTPException(400, f"as_of = {text!r}: expected a date not after {today}")
    return day


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
    keys = (f"account:{name}", f"address:{request.client.host if request.client else '?'}")
    limiters = (state.by_account, state.by_address)
    if any(lim.blocked(key) for lim, key in zip(limiters, keys, strict=True)):
        wait = max(lim.retry_after(key) for lim, key in zip(limiters, keys, strict=True))
        return render(request, "login.html", {"next": target, "error": "too many failed "
                      f"logins: try again in {wait} s"}, status_code=429)
    account = state.accounts.authenticate(name, password)
    if account is None:
        for lim, key in zip(limiters, keys, strict=True):
            lim.fail(key)
        return render(request, "login.html", {"next": target,
                                              "error": "wrong name or password"},
                      status_code=401)
    state.by_account.clear(keys[0])
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
    code = _facility(code)
    account = require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    day = _as_of(request, as_of, ledger.today())
    rows = ledger.timeline(account, code, day)
    if not rows:
        raise HTTPException(404, f"no records of {code} known on {day} that you may read")
    return render(request, "timeline.html", {
        "code": code, "as_of": day, "records": rows, "chart": timeline_svg(rows),
        "may_findings": decide(account, "findings.read", code).allowed
        or (account.role == "state-operator" and bool(ledger.releases(code))),
        "may_declare": decide(account, "records.submit", code, "declaration").allowed})


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
    code = _facility(code)
    ledger = web(request).ledger
    released = ledger.releases(code)
    account = request.state.account
    default = released[-1] if account is not None and account.role == "state-operator" \
        and released else ledger.today()
    day = _as_of(request, as_of, default)
    account = require(request, "findings.read", code, released=day in released)
    result = ledger.evaluate(code, day)
    return render(request, "findings.html", {
        "code": code, "as_of": day, "result": result, "released": released,
        "readable": {r.id for r in ledger.timeline(account, code, day)},
        "may_release": decide(account, "findings.release", code).allowed})


@router.post("/facilities/{code}/release")
async def release(request: Request, code: str) -> Response:
    form = await check_csrf(request)
    code = _facility(code)
    account = require(request, "findings.release", code)
    day = _as_of(request, str(form.get("as_of", "")), web(request).ledger.today())
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
    code = _facility(code)
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
    code = _facility(code)
    account = require(request, "records.submit", code, "declaration")
    ledger = web(request).ledger
    values = await _declaration_values(form)
    draft, problems = _declaration_draft(code, values, ledger.today())
    found = FieldProblems(problems)
    if draft is not None:
        try:
            record = ledger.submit(account, [draft])[0]
        except (RecordError, InputError) as err:
            found = problems_of(err) if isinstance(err, RecordError) else FieldProblems(
                {err.param or "": (str(err),)})
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
    return render(request, "accounts.html", {"accounts": web(request).accounts.all(),
                                             "roles": ROLES, "error": None})


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
        return render(request, "accounts.html", {"accounts": book.all(), "roles": ROLES,
                                                 "error": str(err)}, status_code=422)
    return _redirect("/accounts")
