"""Sessions in signed cookies, CSRF tokens, the login rate limit and the security headers.

- The session cookie holds ``{account id, session epoch, CSRF token}`` signed with the
  server's secret (itsdangerous, HMAC-SHA1 over a derived key; timestamped, refused after
  :data:`SESSION_MAX_AGE_S`). It is ``HttpOnly``, ``SameSite=Strict`` and ``Secure`` (unless
  the server was started with ``--insecure-cookies`` on a loopback address). Logging out or
  changing the password bumps the account's epoch, so an old cookie no longer works.
- Every form carries the session's CSRF token in a hidden field; a POST without the same token
  is refused (403), logged in or not (the login form too). The JSON API takes bearer tokens
  only, never cookies, so it needs no CSRF token.
- :class:`RateLimiter` counts failed logins per account name and per client address within a
  sliding window, on an injected monotonic clock; past the limit, logins are refused (429)
  without checking the password.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = [
    "CSRF_FIELD",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "SESSION_MAX_AGE_S",
    "RateLimiter",
    "Session",
    "SessionCodec",
    "csrf_matches",
]

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
}


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


@dataclass
class RateLimiter:
    """Failed-login counters per key within a sliding window.

    Parameters
    ----------
    limit : int
        Failures allowed within ``window_s``; the next attempt is refused.
    window_s : float
        Window length [s].
    clock : callable
        Monotonic time [s] (tests inject a counter).

    Examples
    --------
    >>> now = [0.0]
    >>> limiter = RateLimiter(limit=2, window_s=60.0, clock=lambda: now[0])
    >>> limiter.fail("account:ann"); limiter.fail("account:ann")
    >>> limiter.blocked("account:ann"), limiter.retry_after("account:ann")
    (True, 60)
    >>> now[0] = 60.0
    >>> limiter.blocked("account:ann")
    False
    """

    limit: int = 5
    window_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque] = field(default_factory=dict)

    def _recent(self, key: str) -> deque:
        times = self._failures.setdefault(key, deque())
        start = self.clock() - self.window_s
        while times and times[0] <= start:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, key: str) -> bool:
        """True when ``key`` has used up its failures in the window."""
        return len(self._recent(key)) >= self.limit

    def retry_after(self, key: str) -> int:
        """Seconds until the oldest failure in the window expires [s] (0 if not blocked)."""
        times = self._recent(key)
        if len(times) < self.limit:
            return 0
        return max(1, int(round(times[0] + self.window_s - self.clock())))

    def fail(self, key: str) -> None:
        """Count a failure for ``key``."""
        self._recent(key)
        self._failures.setdefault(key, deque()).append(self.clock())

    def clear(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login)."""
        self._failures.pop(key, None)
