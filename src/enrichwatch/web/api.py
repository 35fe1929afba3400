"""The JSON API under ``/api`` (OpenAPI schema at ``/api/openapi.json``), authenticated by
bearer tokens (``enrichwatch users token NAME``), never by the session cookie.

Every endpoint asks the same policy as the pages and calls the same ledger functions
(:mod:`.service`): reading, records, releases, case-file upload (all or nothing, the page's
limits), inspections (with measurements) and samples, accounts (add, disable, role) and parties
(keys under the store's key policy; a private key is refused and never echoed). An account
never learns whether a record or facility it may not read exists (404 for both, or 403 naming
only its own rights). Every refusal of a submission is 422 with each problem at its field
(``field``, the full ``path``, ``value``, what is ``allowed``); docs/web-api.md has an example
of each endpoint.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from ..errors import InputError
from ..files import MAX_FILE_BYTES
from ..records import Record, RecordDraft, RecordError
from ..records.model import KINDS
from .app import as_of_day, facility_code, require, web
from .policy import decide, may_read_record
from .service import MAX_UPLOAD_BYTES

__all__ = ["router"]

MAX_FILE_TEXT = MAX_FILE_BYTES



def _authenticated(request: Request) -> None:
    """Every endpoint: a valid token first (401 before the body is even validated), then each
    endpoint asks the policy."""
    require(request, "facilities.list")


router = APIRouter(tags=["enrichwatch"], dependencies=[Depends(_authenticated)])


def _administrator(request: Request) -> None:
    """Accounts and parties: administrators (403 before the body is validated)."""
    require(request, "accounts.manage")


def _submits(kind: str):
    """A dependency: the account submits ``kind`` for some facility (403 before the body is
    validated; the endpoint then asks the policy for the body's facility)."""

    def check(request: Request) -> None:
        account = request.state.account
        places = (None, *account.facilities) if account is not None else (None,)
        if not any(decide(account, "records.submit", f, kind) for f in places):
            require(request, "records.submit", None, kind)

    return check


class Problem(BaseModel):
    field: str = Field(description="the field at fault (the request's name for it)")
    message: str
    path: str | None = Field(None, description="the full key, e.g. "
                             "'payload.measurements[0].value_pct'")
    where: str | None = Field(None, description="which entry: 'case.toml records[3]', "
                              "'upload', or 'draft 1 (inspection)'")
    value: str | None = Field(None, description="the value found (as text)")
    allowed: str | None = Field(None, description="what would have been accepted")


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


def _record(r: Record) -> dict:
    return _plain(r.as_dict())


def _account(a) -> dict:
    return {"name": a.name, "role": a.role, "party": a.party, "facilities": list(a.facilities)}


def _problems(err: RecordError) -> JSONResponse:
    body = {"detail": "rejected: nothing was written",
            "problems": [_problem(p) for p in err.problems]}
    return JSONResponse(_plain(body), status_code=422)


def _problem(p) -> dict:
    """One store problem at its field, with its full key, entry, value and what is allowed."""
    from .service import field_of

    return {"field": field_of(p.key), "message": f"{p.key} = {p.value!r}: expected {p.allowed}",
            "path": p.key, "where": p.where, "value": str(p.value), "allowed": p.allowed}


def _input_problem(err: InputError, detail: str = "rejected: nothing was written"
                   ) -> JSONResponse:
    """An :class:`InputError` (accounts) at its field."""
    return JSONResponse({"detail": detail, "problems": [
        {"field": err.param or "", "message": str(err), "path": err.param or "",
         "value": None if err.value is None else str(err.value), "allowed": err.allowed}]},
        status_code=422)


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
    code = facility_code(code)
    account = require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    day = as_of_day(request, as_of, ledger.today(), status=422)
    return [_record(r) for r in ledger.timeline(account, code, day)]


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
    code = facility_code(code)
    ledger = web(request).ledger
    released = ledger.releases(code)
    account = request.state.account
    default = released[-1] if account is not None and account.role == "state-operator" \
        and released else ledger.today()
    day = as_of_day(request, as_of, default, status=422)
    require(request, "findings.read", code, released=day in released)
    return _plain(ledger.evaluate(code, day).as_dict())


@router.post("/facilities/{code}/releases", response_model=RecordOut, status_code=201,
             responses={422: {"model": Problems}})
def release(request: Request, code: str, body: ReleaseIn) -> Any:
    """Release the facility's findings as of a date to the State (analysts)."""
    code = facility_code(code)
    account = require(request, "findings.release", code)
    ledger = web(request).ledger
    try:
        day = as_of_day(request, body.as_of, ledger.today(), status=422)
        return _record(ledger.release(account, code, day))
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
             dependencies=[Depends(_administrator)],
             responses={422: {"model": Problems}})
def add_account(request: Request, body: AccountIn) -> Any:
    """Create an account (administrators)."""
    admin = require(request, "accounts.manage")
    try:
        made = web(request).accounts.add(body.name, body.role, body.password, body.party,
                                         body.facilities, by=admin.name)
    except InputError as err:
        return _input_problem(err)
    return _account(made)


# -- case-file upload ---------------------------------------------------------------------------
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["case_file"], "properties": {
        "case_file": {"type": "string", "format": "binary",
                      "description": "the case file (TOML of 'enrichwatch records add')"},
        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"},
                        "description": "the plant and history files the case file names"}}}}}}}


class Written(BaseModel):
    records: list[RecordOut]


@router.post("/upload", response_model=Written, status_code=201, openapi_extra=_UPLOAD_BODY,
             responses={422: {"model": Problems}, 411: {}, 413: {}})
async def upload(request: Request) -> Any:
    """Append every record of a case file (multipart: ``case_file`` and its ``attachments``)
    as the account: every record, or none (each problem at its entry and key). The limits and
    checks of the upload page: each entry a kind the account submits for a facility it may
    submit for."""
    from .pages import content_length
    from .service import MAX_ATTACHMENTS, Upload

    content_length(request, MAX_UPLOAD_BYTES)
    account = require(request, "facilities.list")
    form = await request.form(max_files=MAX_ATTACHMENTS + 2, max_fields=50)  # bad: 400
    case = form.get("case_file")
    if not isinstance(case, UploadFile):
        return _problems(RecordError.of("upload", "case_file", "no file",
                                        "a case file (TOML)"))
    attachments = [Upload(str(f.filename or ""), await f.read())
                   for f in form.getlist("attachments")
                   if isinstance(f, UploadFile) and (f.filename or f.size)]
    try:
        written = web(request).ledger.submit_case(
            account, Upload(str(case.filename or ""), await case.read()), attachments)
    except RecordError as err:
        return _problems(err)
    return JSONResponse({"records": [_record(r) for r in written]}, status_code=201)


# -- inspections and samples --------------------------------------------------------------------
class MeasurementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(max_length=200, description="the item measured (non-empty)")
    quantity: str = Field("enrichment", max_length=32, description="'enrichment'")
    value_pct: float = Field(description="U-235 percent from 0 to 100")
    uncertainty_pct: float | None = Field(None, description="an uncertainty >= 0 [% U-235]")


class InspectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facility: str = Field(max_length=64, description="facility code")
    kind: str = Field(max_length=32, description="the inspection kind (records-design.md)")
    valid_from: str = Field(max_length=40, description="YYYY-MM-DD: when it took place")
    known_on: str | None = Field(None, max_length=40, description="YYYY-MM-DD (default today)")
    observed_plant: str | None = Field(None, max_length=MAX_FILE_TEXT,
                                       description="the observed plant as TOML text")
    measurements: list[MeasurementIn] = Field(default_factory=list, max_length=1000)
    summary: str = Field("", max_length=20000)
    source: str = Field(max_length=2000, description="the document it is recorded from")


class SampleResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    u235_pct: float
    fraction_of_particles: float | None = None


class SampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facility: str = Field(max_length=64, description="facility code")
    inspection: int = Field(description="the record id of the inspection")
    sample_id: str = Field(max_length=200)
    kind: str = Field(max_length=32, description="the sample kind (records-design.md)")
    valid_from: str = Field(max_length=40, description="YYYY-MM-DD: when it was taken")
    known_on: str | None = Field(None, max_length=40, description="YYYY-MM-DD (default today)")
    max_u235_pct: float = Field(description="the highest U-235 percent found")
    results: list[SampleResultIn] = Field(default_factory=list, max_length=10000)
    summary: str = Field("", max_length=20000)
    source: str = Field(max_length=2000, description="the document the result comes from")


def _append(request: Request, kind: str, body: BaseModel, top: tuple[str, ...]) -> Any:
    """Append one record of ``kind`` from ``body`` (the fields not in ``top`` are its
    payload), as the page does: the policy, then the store's checks."""
    data = body.model_dump(exclude_none=True)
    code = facility_code(data["facility"])
    account = require(request, "records.submit", code, kind)
    ledger = web(request).ledger
    payload = {k: v for k, v in data.items() if k not in top}
    draft = RecordDraft(kind, code, data["valid_from"], data.get("known_on") or ledger.today(),
                        data["source"], payload)
    try:
        return JSONResponse(_record(ledger.submit(account, [draft])[0]), status_code=201)
    except RecordError as err:
        return _problems(err)
    except InputError as err:
        return _input_problem(err)


_TOP = ("facility", "valid_from", "known_on", "source")


@router.post("/inspections", response_model=RecordOut, status_code=201,
             dependencies=[Depends(_submits("inspection"))],
             responses={422: {"model": Problems}})
def record_inspection(request: Request, body: InspectionIn) -> Any:
    """Record an inspection (inspectors), with its observed plant and measurements."""
    return _append(request, "inspection", body, _TOP)


@router.post("/samples", response_model=RecordOut, status_code=201,
             dependencies=[Depends(_submits("sample"))],
             responses={422: {"model": Problems}})
def record_sample(request: Request, body: SampleIn) -> Any:
    """Record a sample result (inspectors)."""
    return _append(request, "sample", body, _TOP)


# -- administration: accounts -------------------------------------------------------------------
class DisabledIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disabled: bool


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=32)
    party: str | None = Field(None, max_length=64)
    facilities: list[str] = Field(default_factory=list, max_length=100)


class AccountState(AccountOut):
    disabled: bool


def _account_state(a) -> dict:
    return {**_account(a), "disabled": bool(a.disabled)}


@router.put("/accounts/{name}/disabled", response_model=AccountState,
            dependencies=[Depends(_administrator)],
            responses={422: {"model": Problems}})
def set_disabled(request: Request, name: str, body: DisabledIn) -> Any:
    """Disable an account, or enable it again (administrators); its sessions and tokens stop
    at once. The last enabled administrator cannot be disabled."""
    admin = require(request, "accounts.manage")
    try:
        return _account_state(web(request).accounts.set_disabled(name, body.disabled,
                                                                 by=admin.name))
    except InputError as err:
        return _input_problem(err)


@router.put("/accounts/{name}/role", response_model=AccountState,
            dependencies=[Depends(_administrator)],
            responses={422: {"model": Problems}})
def set_role(request: Request, name: str, body: RoleIn) -> Any:
    """Give an account a role, party and (state operators) facilities (administrators); its
    sessions end. The last enabled administrator keeps its role."""
    admin = require(request, "accounts.manage")
    try:
        return _account_state(web(request).accounts.set_role(
            name, body.role, party=(body.party or "").strip() or None,
            facilities=[f.strip() for f in body.facilities if f.strip()], by=admin.name))
    except InputError as err:
        return _input_problem(err)


# -- administration: parties and keys -----------------------------------------------------------
class PartyOut(BaseModel):
    record_id: int
    party: str
    public_key: str
    requires_signature: bool


class PartiesOut(BaseModel):
    parties: list[PartyOut]
    policy_authority: str | None
    keys_held: list[str] = Field(description="parties whose key the server holds (--key)")


class PartyIn(BaseModel):
    """Every field has a default and ``public_key`` no length limit in the schema, so that
    no schema error (which echoes what it refuses, or the whole body for a missing field)
    ever carries a key back: the endpoint checks them, never showing a private key. Other
    fields (``private_key``...) are ignored, not refused with their value."""

    model_config = ConfigDict(extra="ignore")
    party: str = Field("", max_length=64)
    public_key: str = Field("", description="the Ed25519 public key, 64 hex digits "
                            "('enrichwatch records keygen'); never a private key")
    requires_signature: bool = False
    source: str = Field("", max_length=2000, description="the document or ceremony the key "
                        "comes from")


_MAX_KEY_TEXT = 4096


def _refused(field: str, value: str, allowed: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": "rejected: nothing was written", "problems": [{
        "field": field, "path": field, "value": value, "allowed": allowed,
        "message": message}]}, status_code=422)


def _key_refusal(body: PartyIn) -> JSONResponse | None:
    """A private key, an overlong key text or no source: refused without echoing the key."""
    from .pages import PRIVATE_KEY_MARKERS

    allowed = ("the public key (64 hex digits, printed by 'enrichwatch records keygen'); a "
               "private key never leaves its holder")
    if any(m in body.public_key.upper() for m in PRIVATE_KEY_MARKERS):
        return _refused("public_key", "(a private key, not shown)", allowed,
                        "public_key: this is a PRIVATE key; it was not stored")
    if len(body.public_key) > _MAX_KEY_TEXT:
        return _refused("public_key", f"({len(body.public_key)} characters, not shown)",
                        allowed, "public_key: far too long for a public key")
    if not body.source.strip():
        return _refused("source", body.source, "the document or ceremony the key comes from",
                        "source = '': expected the document or ceremony the key comes from")
    return None


@router.get("/parties", response_model=PartiesOut)
def parties(request: Request) -> dict:
    """The registered parties with their current keys, and the store policy's authority
    (administrators)."""
    require(request, "records.submit", "*", "party")
    ledger = web(request).ledger
    now = ledger.parties()
    return {"parties": [{"record_id": r.record_id, "party": r.party,
                         "public_key": r.public_key,
                         "requires_signature": r.requires_signature} for r in now.registered],
            "policy_authority": now.policy.authority if now.policy else None,
            "keys_held": sorted(ledger.signers)}


@router.post("/parties", response_model=RecordOut, status_code=201,
             dependencies=[Depends(_administrator)],
             responses={422: {"model": Problems}})
def register_party(request: Request, body: PartyIn) -> Any:
    """Register a party's public key, or change it (administrators), under the store's key
    policy. A private key is refused, never stored nor echoed."""
    account = require(request, "records.submit", "*", "party")
    refused = _key_refusal(body)
    if refused is not None:
        return refused
    try:
        record = web(request).ledger.register_key(account, body.party.strip(),
                                                  body.public_key.strip(),
                                                  body.requires_signature, body.source)
    except RecordError as err:
        return _problems(err)
    return JSONResponse(_record(record), status_code=201)
