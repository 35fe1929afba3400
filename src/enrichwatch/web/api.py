"""The JSON API under ``/api`` (OpenAPI schema at ``/api/openapi.json``), authenticated by
bearer tokens (``enrichwatch users token NAME``), never by the session cookie.

Every endpoint asks the same policy as the pages; an account never learns whether a record or
facility it may not read exists (404 for both, or 403 naming only its own rights).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..dates import parse_date
from ..errors import InputError
from ..records import Record, RecordDraft, RecordError
from ..records.model import KINDS, is_facility_code
from .app import require, web
from .policy import decide, may_read_record

__all__ = ["router"]

router = APIRouter(tags=["enrichwatch"])


class Problem(BaseModel):
    field: str
    message: str


class Problems(BaseModel):
    detail: str
    problems: list[Problem]


class AccountOut(BaseModel):
    name: str
    role: str
    party: str | None
    facilities: list[str]


class FacilityOut(BaseModel):
    code: str
    name: str


class RecordOut(BaseModel):
    id: int
    kind: str
    facility: str
    valid_from: str
    known_on: str
    recorded_at: str
    supersedes: int | None
    source: str
    payload: dict[str, Any]
    submitted_by: str | None
    signature: str | None
    prev_hash: str
    hash: str


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="a record kind the account may submit")
    facility: str = Field(max_length=64, description="facility code ('*' for party, policy)")
    valid_from: str = Field(max_length=40, description="YYYY-MM-DD")
    known_on: str | None = Field(None, max_length=40, description="YYYY-MM-DD (default today)")
    source: str = Field(max_length=2000, description="the document the content comes from")
    payload: dict[str, Any] = Field(description="the kind's payload (docs/records-design.md)")
    supersedes: int | None = Field(None, ge=1, le=2**62)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: str = Field(max_length=40, description="YYYY-MM-DD")


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    role: str = Field(max_length=32)
    password: str = Field(max_length=1024)
    party: str | None = Field(None, max_length=64)
    facilities: list[str] = Field(default_factory=list, max_length=100)


class Verification(BaseModel):
    ok: bool
    records: int
    problems: list[str]


def _plain(value: Any) -> Any:
    """JSON values only: non-finite floats as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _facility(code: str) -> str:
    if not is_facility_code(code):
        raise HTTPException(404, "no such facility")
    return code


def _day(request: Request, text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        day = parse_date(text, "as_of")
    except InputError as err:
        raise HTTPException(422, f"as_of: expected {err.allowed}") from None
    if day > web(request).ledger.today():
        raise HTTPException(422, "as_of: expected a date not after today")
    return day


def _record(r: Record) -> dict:
    return _plain(r.as_dict())


def _account(a) -> dict:
    return {"name": a.name, "role": a.role, "party": a.party, "facilities": list(a.facilities)}


def _problems(err: RecordError) -> JSONResponse:
    from .service import field_of

    body = {"detail": "rejected: nothing was written",
            "problems": [{"field": field_of(p.key), "message":
                          f"{p.key} = {p.value!r}: expected {p.allowed}"}
                         for p in err.problems]}
    return JSONResponse(body, status_code=422)


@router.get("/me", response_model=AccountOut)
def me(request: Request) -> dict:
    """The account the token belongs to."""
    return _account(require(request, "facilities.list"))


@router.get("/facilities", response_model=list[FacilityOut])
def facilities(request: Request) -> list[dict]:
    """The facilities the account may see."""
    account = require(request, "facilities.list")
    return [{"code": c, "name": n} for c, n in web(request).ledger.facilities()
            if decide(account, "records.read", c, "facility") or account.role ==
            "administrator"]


@router.get("/facilities/{code}/records", response_model=list[RecordOut])
def facility_records(request: Request, code: str, as_of: str | None = None) -> list[dict]:
    """The facility's records known on ``as_of`` (YYYY-MM-DD, default today) that the
    account may read."""
    code = _facility(code)
    account = require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    return [_record(r) for r in ledger.timeline(account, code,
                                                _day(request, as_of, ledger.today()))]


@router.get("/records/{record_id}", response_model=RecordOut)
def record(request: Request, record_id: int) -> dict:
    """One record, if the account may read it (404 otherwise, whether it exists or not)."""
    require(request, "facilities.list")
    found = web(request).ledger.record(record_id) if 0 < record_id < 2**62 else None
    if found is None or not may_read_record(request.state.account, found):
        raise HTTPException(404, "no record with this id that you may read")
    return _record(found)


@router.get("/facilities/{code}/findings")
def findings(request: Request, code: str, as_of: str | None = None) -> dict:
    """The facility's evaluation as of a date: analysts, or a state operator for a date its
    findings were released."""
    code = _facility(code)
    ledger = web(request).ledger
    released = ledger.releases(code)
    account = request.state.account
    default = released[-1] if account is not None and account.role == "state-operator" \
        and released else ledger.today()
    day = _day(request, as_of, default)
    require(request, "findings.read", code, released=day in released)
    return _plain(ledger.evaluate(code, day).as_dict())


@router.post("/facilities/{code}/releases", response_model=RecordOut, status_code=201,
             responses={422: {"model": Problems}})
def release(request: Request, code: str, body: ReleaseIn) -> Any:
    """Release the facility's findings as of a date to the State (analysts)."""
    code = _facility(code)
    account = require(request, "findings.release", code)
    ledger = web(request).ledger
    try:
        return _record(ledger.release(account, code, _day(request, body.as_of, ledger.today())))
    except RecordError as err:
        return _problems(err)


@router.post("/records", response_model=RecordOut, status_code=201,
             responses={422: {"model": Problems}})
def submit(request: Request, body: RecordIn) -> Any:
    """Append a record as the account (its party; signed when the server holds its key)."""
    if body.kind not in KINDS:
        raise HTTPException(422, f"kind: expected one of {', '.join(KINDS)}")
    account = require(request, "records.submit", body.facility, body.kind)
    ledger = web(request).ledger
    draft = RecordDraft(body.kind, body.facility, body.valid_from,
                        body.known_on or ledger.today(), body.source, body.payload,
                        body.supersedes)
    try:
        return _record(ledger.submit(account, [draft])[0])
    except RecordError as err:
        return _problems(err)


@router.get("/verification", response_model=Verification)
def verification(request: Request) -> dict:
    """The ledger's verification status."""
    require(request, "ledger.verify")
    status = web(request).ledger.verification()
    return {"ok": status.ok, "records": status.records, "problems": list(status.problems)}


@router.get("/accounts", response_model=list[AccountOut])
def accounts(request: Request) -> list[dict]:
    """Every account (administrators)."""
    require(request, "accounts.manage")
    return [_account(a) for a in web(request).accounts.all()]


@router.post("/accounts", response_model=AccountOut, status_code=201,
             responses={422: {"model": Problems}})
def add_account(request: Request, body: AccountIn) -> Any:
    """Create an account (administrators)."""
    admin = require(request, "accounts.manage")
    try:
        made = web(request).accounts.add(body.name, body.role, body.password, body.party,
                                         body.facilities, by=admin.name)
    except InputError as err:
        return JSONResponse({"detail": "rejected", "problems": [
            {"field": err.param or "", "message": str(err)}]}, status_code=422)
    return _account(made)
