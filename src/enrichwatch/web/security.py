"""Sessions in signed cookies, CSRF tokens, the login rate limit and the security headers.

- The session cookie holds ``{account id, session epoch, CSRF token}`` signed with the
  server's secret (itsdangerous, HMAC-SHA1 over a derived key; timestamped, refused after
  :data:`SESSION_MAX_AGE_S`). It is ``HttpOnly``, ``SameSite=Strict`` and ``Secure`` (unless
  the server was started with ``--insecure-cookies`` on a loopback address). Logging out or
  changing the password bumps the account's epoch, so an old cookie no longer works.
- Every form carries the session's CSRF token in a hidden field; a POST without the same token
  is refused (403), logged in or not (the login form too). The JSON API takes bearer tokens
  only, never cookies, so it needs no CSRF token.
- Failed logins are counted in the database (:class:`~enrichwatch.web.accounts.LoginLimiter`),
  so that every server process on one database shares the limit.
- :class:`GuardMiddleware`, the outermost layer, puts :func:`security_headers` on every
  response (pages, the API, static files, redirects, errors) and turns any exception that
  escapes the application into a generic 500 (logged on the server, never shown: no stack
  trace, no exception text in any response).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSRF_FIELD",
    "INTERNAL_ERROR_TEXT",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "SESSION_MAX_AGE_S",
    "GuardMiddleware",
    "Session",
    "SessionCodec",
    "csrf_matches",
    "internal_error_response",
    "security_headers",
]

_LOG = logging.getLogger("enrichwatch.web")

SESSION_COOKIE = "enrichwatch_session"
CSRF_FIELD = "csrf_token"
#: Session lifetime [s] (8 hours: a working day).
SESSION_MAX_AGE_S = 8 * 3600

#: Headers on every response: no script or style but the application's own files (no inline
#: script or style at all), no framing, no MIME sniffing, no referrer to other sites.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}
#: The whole body of a 500 (pages; the API says ``{"detail": ...}`` with the same text).
INTERNAL_ERROR_TEXT = "internal error: the server could not complete this request (logged)"


def security_headers(secure_transport: bool = True) -> dict[str, str]:
    """:data:`SECURITY_HEADERS`, with ``Strict-Transport-Security`` when the site is served
    over HTTPS (``secure_transport``: the server sets ``Secure`` cookies)."""
    out = dict(SECURITY_HEADERS)
    if secure_transport:
        out["Strict-Transport-Security"] = "max-age=31536000"
    return out


def internal_error_response(api: bool) -> Response:
    """The generic 500: JSON for the API, plain text for pages; nothing about the cause."""
    if api:
        return JSONResponse({"detail": INTERNAL_ERROR_TEXT}, status_code=500)
    return PlainTextResponse(INTERNAL_ERROR_TEXT, status_code=500)


class GuardMiddleware:
    """The outermost ASGI layer: security headers on every HTTP response, and a generic 500
    for any exception that escapes the application.

    A header the application set itself is kept (e.g. a page with its own
    ``Cache-Control``); every missing one is added, on errors too. An exception raised before
    the response started is logged (logger ``enrichwatch.web``, with its traceback) and
    answered by :func:`internal_error_response`; one raised after the response started is
    re-raised, so the server closes the connection (a half-sent body cannot be replaced).

    Parameters
    ----------
    app : ASGI application
    secure_transport : bool
        Served over HTTPS (adds ``Strict-Transport-Security``).
    """

    def __init__(self, app: ASGIApp, secure_transport: bool = True) -> None:
        self.app = app
        self._headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                         for k, v in security_headers(secure_transport).items()]

    def _with_headers(self, message: Message) -> Message:
        present = {name.lower() for name, _ in message.get("headers", [])}
        extra = [(k, v) for k, v in self._headers if k not in present]
        return {**message, "headers": [*message.get("headers", []), *extra]}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = self._with_headers(message)
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            _LOG.exception("unhandled error on %s %s", scope.get("method"),
                           _printable(scope.get("path")))
            if started:
                raise
            response = internal_error_response(str(scope.get("path", "")).startswith("/api"))
            await response(scope, receive, guarded_send)


def _printable(value: Any) -> str:
    return repr(value)[:200]


@dataclass(frozen=True)
class Session:
    """What the session cookie says: the account (None before login), the account's session
    epoch when it logged in, and the CSRF token of this session."""

    account_id: int | None
    epoch: int
    csrf: str

    @classmethod
    def anonymous(cls) -> Session:
        return cls(None, 0, secrets.token_urlsafe(32))


class SessionCodec:
    """Signs and reads session cookies.

    Parameters
    ----------
    secret : str
        The server's secret (keep it out of the database and of version control).
    """

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="enrichwatch-session")

    def dump(self, session: Session) -> str:
        return self._serializer.dumps([session.account_id, session.epoch, session.csrf])

    def load(self, cookie: str | None) -> Session | None:
        """The session, or None for a missing, forged, malformed or expired cookie."""
        if not cookie:
            return None
        try:
            value = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if (not isinstance(value, list) or len(value) != 3
                or not (value[0] is None or isinstance(value[0], int))
                or not isinstance(value[1], int) or not isinstance(value[2], str)):
            return None
        return Session(value[0], value[1], value[2])


def csrf_matches(session: Session | None, submitted: object) -> bool:
    """True when a form's token is this session's CSRF token (constant-time comparison)."""
    if session is None or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
