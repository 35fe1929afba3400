"""The FastAPI application: configuration, the session and header middleware, and the helpers
every page and endpoint uses to find the account and ask the policy.

Examples
--------
>>> from enrichwatch.records import RecordStore
>>> from fastapi.testclient import TestClient
>>> app = create_app(RecordStore.open("sqlite://").init(), WebConfig(secret="s" * 32))
>>> response = TestClient(app, base_url="https://testserver").get("/facilities",
...                                                               follow_redirects=False)
>>> response.status_code, response.headers["location"]
(303, '/login?next=/facilities')
>>> "unsafe-inline" in response.headers["content-security-policy"]
False
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..dates import parse_date
from ..errors import InputError
from ..records import RecordStore, Signer
from ..records.model import is_facility_code
from .accounts import Account, AccountBook, LoginLimiter
from .policy import Decision, decide
from .security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    GuardMiddleware,
    Session,
    SessionCodec,
    csrf_matches,
    internal_error_response,
)
from .service import Ledger

__all__ = ["WebConfig", "WebState", "as_of_day", "check_csrf", "create_app", "facility_code",
           "render", "require"]

_HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(_HERE / "templates"))


@dataclass(frozen=True)
class WebConfig:
    """How the application runs.

    Parameters
    ----------
    secret : str
        Signs the session cookies (default: a random one per start, so sessions end when
        the server restarts).
    secure_cookies : bool
        The ``Secure`` cookie flag (only plain-http tests on a loopback address turn it off).
    signers : mapping party -> Signer
        Keys the server signs web submissions with (see :mod:`.service`).
    login_limit, login_window_s : int, float
        Failed logins allowed per account name in the window, and its length [s].
    address_limit : int
        Failed logins allowed per client address in the window.
    clock : callable
        Monotonic time [s] for the verification cache.
    login_clock : callable
        Wall time [s since the epoch] of the login rate limit, whose counters are kept in the
        database and shared by every server process on it (default: ``time.time``).
    verify_ttl_s : float
        How long a ledger verification is reused [s].
    hasher : PasswordHasher, optional
        The argon2 hasher (tests inject a cheap one).
    today : callable, optional
        Today's date for the submissions' ``known_on`` (default: UTC today).
    """

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    secure_cookies: bool = True
    signers: Mapping[str, Signer] = field(default_factory=dict)
    login_limit: int = 5
    address_limit: int = 20
    login_window_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    login_clock: Callable[[], float] = time.time
    verify_ttl_s: float = 5.0
    hasher: PasswordHasher | None = None
    today: Callable[[], date] | None = None


@dataclass
class WebState:
    """What the routes share: the ledger, the accounts, the codec and the login limiter."""

    config: WebConfig
    ledger: Ledger
    accounts: AccountBook
    codec: SessionCodec
    logins: LoginLimiter


def create_app(store: RecordStore, config: WebConfig | None = None) -> FastAPI:
    """The web application over an initialised store."""
    from . import analysis, api, pages

    config = config or WebConfig()
    state = WebState(
        config,
        Ledger(store, config.signers, config.verify_ttl_s, config.clock, config.today),
        AccountBook(store.engine, hasher=config.hasher),
        SessionCodec(config.secret),
        LoginLimiter(store.engine, config.login_limit, config.address_limit,
                     config.login_window_s, config.login_clock),
    )
    app = FastAPI(title="enrichwatch", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.web = state
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router, prefix="/api")
    app.include_router(analysis.router, prefix="/api")
    app.middleware("http")(_session_middleware)
    app.add_middleware(GuardMiddleware, secure_transport=config.secure_cookies)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error)
    return app


def web(request: Request) -> WebState:
    return request.app.state.web


async def _session_middleware(request: Request, call_next) -> Response:
    state = web(request)
    if _wants_json(request):          # the API: bearer tokens only, never the cookie
        return await _api_call(request, call_next, state)
    session = state.codec.load(request.cookies.get(SESSION_COOKIE))
    account = None
    if session is not None and session.account_id is not None:
        account = state.accounts.get_by_id(session.account_id)
        if account is None or account.disabled or account.session_epoch != session.epoch:
            session, account = None, None
    fresh = session is None
    request.state.session = session or Session.anonymous()
    request.state.account = account
    request.state.new_session = None
    response = await call_next(request)
    new = request.state.new_session
    if new is not None or fresh:
        _set_cookie(response, state, new or request.state.session)
    return response


async def _api_call(request: Request, call_next, state: WebState) -> Response:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    account = None
    if scheme.lower() == "bearer" and token:
        account = state.accounts.authenticate_token(token.strip())
    request.state.session = None
    request.state.account = account
    request.state.new_session = None
    return await call_next(request)


def _set_cookie(response: Response, state: WebState, session: Session) -> None:
    response.set_cookie(SESSION_COOKIE, state.codec.dump(session), max_age=SESSION_MAX_AGE_S,
                        path="/", httponly=True, samesite="strict",
                        secure=state.config.secure_cookies)


def start_session(request: Request, account: Account | None) -> None:
    """Replace the session (login: a new CSRF token; logout: anonymous)."""
    if account is None:
        request.state.new_session = Session.anonymous()
    else:
        request.state.new_session = Session(account.id, account.session_epoch,
                                            secrets.token_urlsafe(32))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=exc.headers)
    if exc.status_code == 401:
        # the path percent-encoded again: a decoded path may hold any character (found by
        # tests/web/test_form_fuzz.py: control and non-ASCII characters broke the header)
        target = quote(request.url.path, safe="/")
        return Response(status_code=303, headers={"location": f"/login?next={target}"})
    return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                  status_code=exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    """Never a stack trace in a response (a fallback: :class:`GuardMiddleware` answers
    first)."""
    return internal_error_response(request.url.path.startswith("/api"))


def require(request: Request, action: str, facility: str | None = None,
            kind: str | None = None, *, released: bool = False) -> Account:
    """The account, if the policy allows it ``action``; else 401 (anonymous) or 403."""
    account: Account | None = request.state.account
    decision: Decision = decide(account, action, facility, kind, released=released)
    if decision.allowed and account is not None:
        return account
    if account is None:
        raise HTTPException(401, "log in first",
                            headers={"WWW-Authenticate": "Bearer"} if _wants_json(request)
                            else None)
    raise HTTPException(403, decision.reason)


def facility_code(code: str) -> str:
    """``code``, if it is a facility code; else 404, as for a facility that does not exist."""
    if not is_facility_code(code):
        raise HTTPException(404, "no such facility")
    return code


def as_of_day(request: Request, text: str | None, default: date, status: int = 400) -> date:
    """The date ``as_of = text`` names (``default`` when empty): a calendar date not after
    the ledger's today; else ``status`` (the pages 400, the API 422) naming value and rule."""
    if not text:
        return default
    try:
        day = parse_date(text, "as_of")
    except InputError as err:
        raise HTTPException(status, f"as_of = {text!r}: expected {err.allowed}") from None
    today = web(request).ledger.today()
    if day > today:
        raise HTTPException(status, f"as_of = {text!r}: expected a date not after {today}")
    return day


async def check_csrf(request: Request) -> Any:
    """The submitted form, if it carries the session's CSRF token; else 403."""
    form = await request.form()
    if not csrf_matches(request.state.session, form.get(CSRF_FIELD)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return form


def render(request: Request, template: str, context: dict | None = None,
           status_code: int = 200) -> HTMLResponse:
    """A page, with the account, the CSRF token and the ledger's verification status."""
    ctx = {"account": request.state.account, "csrf_field": CSRF_FIELD,
           "csrf_token": (request.state.new_session or request.state.session).csrf,
           "verification": web(request).ledger.verification(), **(context or {})}
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code)
