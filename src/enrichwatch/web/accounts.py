"""Accounts of the web application: roles, argon2 password hashes, API tokens, the audit trail.

The tables live in the record store's database; the records migrations create them (revision
``0002_web_accounts``), so ``RecordStore.init()`` prepares a database for both. Passwords are
hashed with argon2id (argon2-cffi, its default parameters unless a :class:`PasswordHasher` is
injected); an unknown account name costs a hash verification too, so that timing does not tell
which names exist. API tokens are 256 random bits shown once; the database keeps only their
SHA-256 (a slow hash adds nothing for a random secret of that size).

Examples
--------
>>> from enrichwatch.records import RecordStore
>>> store = RecordStore.open("sqlite://").init()
>>> book = AccountBook(store.engine, hasher=FAST_HASHER_FOR_TESTS)
>>> ann = book.add("ann", "state-operator", "correct horse battery", party="Iran",
...                facilities=["FFEP"])
>>> ann.role, ann.facilities
('state-operator', ('FFEP',))
>>> book.authenticate("ann", "correct horse battery") == ann, book.authenticate("ann", "nope")
(True, None)
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..dates import format_timestamp
from ..errors import InputError
from ..records.model import FACILITY_CODE_TEXT, PARTY_ID_TEXT, is_facility_code, is_party_id

__all__ = [
    "ADMINISTRATOR",
    "ANALYST",
    "FAST_HASHER_FOR_TESTS",
    "INSPECTOR",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "STATE_OPERATOR",
    "Account",
    "AccountBook",
    "LoginLimiter",
    "LoginOutcome",
    "accounts",
    "api_tokens",
    "account_facilities",
    "audit",
    "login_failures",
    "metadata",
    "token_digest",
]

ADMINISTRATOR = "administrator"
STATE_OPERATOR = "state-operator"
INSPECTOR = "inspector"
ANALYST = "analyst"
#: Every role an account may have.
ROLES: tuple[str, ...] = (ADMINISTRATOR, STATE_OPERATOR, INSPECTOR, ANALYST)
#: Shortest password accepted [characters] (NIST SP 800-63B sec. 5.1.1.2 asks at least 8).
MIN_PASSWORD_LENGTH = 10
_MAX_PASSWORD_LENGTH = 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_NAME_TEXT = ("an account name of 1 to 64 characters A-Z, a-z, 0-9, '_', '.', '-', starting "
              "with a letter or a digit")
#: A cheap argon2id hasher for tests only (the defaults cost ~50 ms and 64 MiB per hash).
FAST_HASHER_FOR_TESTS = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

metadata = MetaData()

accounts = Table(
    "web_accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("party", String(64), nullable=True),
    Column("password_hash", Text, nullable=False),
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", String(27), nullable=False),
)
account_facilities = Table(
    "web_account_facilities", metadata,
    Column("account_id", Integer, ForeignKey("web_accounts.id"), primary_key=True),
    Column("facility", String(32), primary_key=True),
)
api_tokens = Table(
    "web_api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("web_accounts.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("created_at", String(27), nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=false()),
)
audit = Table(
    "web_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(27), nullable=False),
    Column("account", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
)
login_failures = Table(
    "web_login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(16), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("at_s", Float, nullable=False),
    Index("ix_web_login_failures_subject", "scope", "subject", "at_s"),
    Index("ix_web_login_failures_at", "at_s"),
)


@dataclass(frozen=True)
class Account:
    """One account (never carries its password hash).

    Attributes
    ----------
    id : int
    name : str
    role : {'administrator', 'state-operator', 'inspector', 'analyst'}
    party : str or None
        The ledger party the account submits records as (``submitted_by``).
    facilities : tuple of str
        The facilities a state operator is bound to (empty for the other roles).
    session_epoch : int
        Sessions issued under an older epoch are void (bumped on logout and password change).
    disabled : bool
    """

    id: int
    name: str
    role: str
    party: str | None
    facilities: tuple[str, ...]
    session_epoch: int = 0
    disabled: bool = False


def _now(clock: Callable[[], datetime]) -> str:
    return format_timestamp(clock())


def token_digest(token: str) -> str:
    """The stored form of an API token: hex SHA-256 of its text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_new(name: str, role: str, password: str, party: str | None,
               facilities: tuple[str, ...]) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError("name", name, _NAME_TEXT)
    if role not in ROLES:
        raise InputError("role", role, "one of " + ", ".join(ROLES))
    _check_password(password)
    if party is not None and not is_party_id(party):
        raise InputError("party", party, PARTY_ID_TEXT)
    for code in facilities:
        if not is_facility_code(code):
            raise InputError("facility", code, FACILITY_CODE_TEXT)
    if role == STATE_OPERATOR and not facilities:
        raise InputError("facility", None, "at least one facility for a state operator")
    if role == STATE_OPERATOR and party is None:
        raise InputError("party", None, "the State's party id for a state operator")
    if role != STATE_OPERATOR and facilities:
        raise InputError("facility", facilities[0], "no facility: only state operators are "
                                                    "bound to facilities")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or not (
            MIN_PASSWORD_LENGTH <= len(password) <= _MAX_PASSWORD_LENGTH):
        raise InputError("password", "***", f"a password of {MIN_PASSWORD_LENGTH} to "
                                            f"{_MAX_PASSWORD_LENGTH} characters")


class AccountBook:
    """The accounts, in the record store's database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store's engine (``RecordStore.engine``), schema at revision ``0002_web_accounts``
        or later (``RecordStore.init()``).
    hasher : argon2.PasswordHasher, optional
        Default: argon2-cffi's defaults (argon2id, RFC 9106 low-memory profile).
    clock : callable, optional
        Current UTC time (for ``created_at`` and the audit trail).
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    # -- creating and reading ------------------------------------------------------------------
    def add(self, name: str, role: str, password: str, party: str | None = None,
            facilities: Iterable[str] = (), by: str | None = None) -> Account:
        """Create an account; ``by`` names the account (or tool) that made it, for the audit.

        Raises
        ------
        InputError
            For a bad name, role, password, party or facility, or a name already taken.
        """
        codes = tuple(dict.fromkeys(facilities))
        _check_new(name, role, password, party, codes)
        digest = self.hasher.hash(password)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(accounts).values(
                    name=name, role=role, party=party, password_hash=digest,
                    created_at=_now(self._clock)))
                new_id = conn.execute(select(accounts.c.id)
                                      .where(accounts.c.name == name)).scalar_one()
                for code in codes:
                    conn.execute(insert(account_facilities).values(account_id=new_id,
                                                                   facility=code))
                self._audit(conn, by, "account.add", f"{name} ({role})")
        except IntegrityError:
            raise InputError("name", name, "a name no other account has") from None
        return self.get(name)  # type: ignore[return-value]

    def _account(self, conn, row) -> Account:
        codes = conn.execute(select(account_facilities.c.facility)
                             .where(account_facilities.c.account_id == row.id)
                             .order_by(account_facilities.c.facility)).scalars().all()
        return Account(row.id, row.name, row.role, row.party, tuple(codes), row.session_epoch,
                       bool(row.disabled))

    def get(self, name: str) -> Account | None:
        """The account called ``name`` (None if there is none)."""
        if not _may_name(name):
            return None
        with self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
            return None if row is None else self._account(conn, row)

    def get_by_id(self, account_id: int) -> Account | None:
        """The account with this id (None if there is none)."""
        with self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
            return None if row is None else self._account(conn, row)

    def all(self) -> list[Account]:
        """Every account, by name."""
        with self.engine.begin() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
            return [self._account(conn, row) for row in rows]

    # -- passwords -----------------------------------------------------------------------------
    def authenticate(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is its password and it is enabled, else None."""
        row = None
        if _may_name(name):
            with self.engine.begin() as conn:
                row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        stored = self._dummy_hash if row is None else row.password_hash
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row.disabled:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(update(accounts).where(accounts.c.id == row.id)
                             .values(password_hash=self.hasher.hash(password)))
        return self.get_by_id(row.id)

    def set_password(self, name: str, password: str, by: str | None = None) -> None:
        """Replace an account's password; its sessions end."""
        _check_password(password)
        if not _may_name(name):
            raise InputError("name", name, "an existing account")
        with self.engine.begin() as conn:
            done = conn.execute(update(accounts).where(accounts.c.name == name).values(
                password_hash=self.hasher.hash(password),
                session_epoch=accounts.c.session_epoch + 1))
            if done.rowcount != 1:
                raise InputError("name", name, "an existing account")
            self._audit(conn, by, "account.password", name)

    def end_sessions(self, account_id: int) -> None:
        """Void every session of the account (logout)."""
        with self.engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(session_epoch=accounts.c.session_epoch + 1))

    # -- administration: disable, role -----------------------------------------------------------
    def _administrators_left(self, conn, name: str) -> int:
        """Enabled administrators other than ``name``."""
        return len(conn.execute(select(accounts.c.id).where(
            accounts.c.role == ADMINISTRATOR, accounts.c.disabled == false(),
            accounts.c.name != name)).all())

    def set_disabled(self, name: str, disabled: bool, by: str | None = None) -> Account:
        """Disable (or enable again) an account; a disabled account's sessions and tokens stop
        working at once. The last enabled administrator cannot be disabled.

        Raises
        ------
        InputError
            An unknown name, or the last enabled administrator.
        """
        if not _may_name(name):
            raise InputError("name", name, "an existing account")
        with self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
            if row is None:
                raise InputError("name", name, "an existing account")
            if disabled and row.role == ADMINISTRATOR and not self._administrators_left(
                    conn, name):
                raise InputError("name", name, "another account: the last enabled "
                                               "administrator cannot be disabled")
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                disabled=disabled, session_epoch=accounts.c.session_epoch + int(disabled)))
            self._audit(conn, by, "account.disable" if disabled else "account.enable", name)
        return self.get(name)  # type: ignore[return-value]

    def set_role(self, name: str, role: str, party: str | None = None,
                 facilities: Iterable[str] = (), by: str | None = None) -> Account:
        """Give an account another role (with its party and, for a state operator, its
        facilities); its sessions end. The last enabled administrator keeps its role.

        Raises
        ------
        InputError
            An unknown name, a bad role, party or facility (as for :meth:`add`), or the last
            enabled administrator.
        """
        codes = tuple(dict.fromkeys(facilities))
        _check_new(name, role, "x" * MIN_PASSWORD_LENGTH, party, codes)
        with self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
            if row is None:
                raise InputError("name", name, "an existing account")
            if row.role == ADMINISTRATOR and role != ADMINISTRATOR and not row.disabled \
                    and not self._administrators_left(conn, name):
                raise InputError("role", role, "administrator: the last enabled "
                                               "administrator keeps its role")
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                role=role, party=party, session_epoch=accounts.c.session_epoch + 1))
            conn.execute(account_facilities.delete().where(
                account_facilities.c.account_id == row.id))
            for code in codes:
                conn.execute(insert(account_facilities).values(account_id=row.id,
                                                               facility=code))
            self._audit(conn, by, "account.role", f"{name} ({role})")
        return self.get(name)  # type: ignore[return-value]

    # -- API tokens ----------------------------------------------------------------------------
    def issue_token(self, name: str, label: str = "", by: str | None = None) -> str:
        """A new API token for the account (returned once; only its SHA-256 is kept)."""
        account = self.get(name)
        if account is None:
            raise InputError("name", name, "an existing account")
        token = "ewt_" + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(api_tokens).values(
                account_id=account.id, token_hash=token_digest(token), label=label,
                created_at=_now(self._clock)))
            self._audit(conn, by, "token.issue", f"{name} {label}".strip())
        return token

    def authenticate_token(self, token: str) -> Account | None:
        """The enabled account an unrevoked token belongs to, else None."""
        if not isinstance(token, str) or not token.startswith("ewt_") or len(token) > 200:
            return None
        with self.engine.begin() as conn:
            account_id = conn.execute(
                select(api_tokens.c.account_id).where(
                    api_tokens.c.token_hash == token_digest(token),
                    api_tokens.c.revoked == false())).scalar()
        account = None if account_id is None else self.get_by_id(account_id)
        return None if account is None or account.disabled else account

    def revoke_tokens(self, name: str, by: str | None = None) -> int:
        """Revoke every token of the account; returns how many."""
        account = self.get(name)
        if account is None:
            raise InputError("name", name, "an existing account")
        with self.engine.begin() as conn:
            done = conn.execute(update(api_tokens).where(
                api_tokens.c.account_id == account.id).values(revoked=True))
            self._audit(conn, by, "token.revoke", name)
        return int(done.rowcount)

    # -- audit ---------------------------------------------------------------------------------
    def _audit(self, conn, by: str | None, action: str, detail: str) -> None:
        conn.execute(insert(audit).values(at=_now(self._clock), account=by, action=action,
                                          detail=detail))

    def audit_trail(self) -> list[dict]:
        """The account administration trail, oldest first."""
        with self.engine.begin() as conn:
            rows = conn.execute(select(audit).order_by(audit.c.id)).all()
        return [dict(row._mapping) for row in rows]


# -- the login rate limit ----------------------------------------------------------------------
@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to: the account (None: refused or wrong), and when refused
    by the rate limit, the seconds to wait (``retry_after_s`` > 0; the password was not
    checked)."""

    account: Account | None
    retry_after_s: int = 0

    @property
    def refused(self) -> bool:
        return self.retry_after_s > 0


def _may_name(name: object) -> bool:
    """Whether ``name`` could be an account's name (every stored name is one): a lookup of
    any other text finds nothing without asking the database, which may refuse the text
    (PostgreSQL: a NUL character)."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def _subject(text: str) -> str:
    """A counter's key as stored: the text itself, or its SHA-256 when longer than 64
    characters (an account name the form accepts may be any length)."""
    if len(text) <= 64 and "\x00" not in text:     # PostgreSQL text holds no NUL
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class LoginLimiter:
    """Failed logins per account name and per client address within a sliding window, counted
    in the database (table ``web_login_failures``), so that every server process on one
    database shares the limit.

    An attempt first writes its own row for both counters (committed), then counts the rows
    in the window: past a limit it removes its rows and is refused without the password being
    checked; otherwise the password is checked, and a success removes the attempt's rows and
    the account name's earlier failures, while a failure leaves them counted. Counting after
    writing makes the limit hold under concurrency: of attempts racing from several processes,
    none is let through beyond the limit (one may be refused early instead). Unknown account
    names count like known ones. Rows older than the window are deleted as attempts come.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store's engine, schema at revision ``0003_web_login_failures`` or later.
    account_limit, address_limit : int
        Failures allowed within the window per account name, per client address; the next
        attempt is refused.
    window_s : float
        Window length [s].
    clock : callable
        Current time [s since the epoch] (wall time: processes, and hosts with synchronised
        clocks, compare it; tests inject a counter).

    Examples
    --------
    >>> from enrichwatch.records import RecordStore
    >>> store = RecordStore.open("sqlite://").init()
    >>> now = [1000.0]
    >>> limiter = LoginLimiter(store.engine, account_limit=2, window_s=60.0,
    ...                        clock=lambda: now[0])
    >>> [limiter.attempt("ann", "10.0.0.1", lambda: None).refused for _ in range(3)]
    [False, False, True]
    >>> limiter.attempt("ann", "10.0.0.1", lambda: None).retry_after_s
    60
    >>> now[0] += 60.0
    >>> limiter.attempt("ann", "10.0.0.1", lambda: None).refused
    False
    """

    def __init__(self, engine: Engine, account_limit: int = 5, address_limit: int = 20,
                 window_s: float = 900.0, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.account_limit = account_limit
        self.address_limit = address_limit
        self.window_s = window_s
        self._clock = clock

    def attempt(self, name: str, address: str,
                check: Callable[[], Account | None]) -> LoginOutcome:
        """Try a login: ``check()`` (the password verification) runs only within the limits.

        Parameters
        ----------
        name : str
            The account name typed.
        address : str
            The client's address.
        check : callable
            Returns the account when the password is right, else None.
        """
        now = self._clock()
        counters = (("account", _subject(name), self.account_limit),
                    ("address", _subject(address), self.address_limit))
        ids = self._write(counters, now)
        wait = max(self._wait(scope, subject, limit, now, ids)
                   for scope, subject, limit in counters)
        if wait > 0:
            self._remove(ids)
            return LoginOutcome(None, wait)
        account = check()
        if account is not None:
            self._remove(ids)
            self.clear(name)
        return LoginOutcome(account)

    def failures(self, scope: str, key: str) -> int:
        """How many failures ``key`` (an account name, or an address) has in the window."""
        start = self._clock() - self.window_s
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(login_failures).where(
                login_failures.c.scope == scope, login_failures.c.subject == _subject(key),
                login_failures.c.at_s > start)).scalar_one())

    def clear(self, name: str) -> None:
        """Forget the failures of an account name (after a successful login)."""
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(
                login_failures.c.scope == "account",
                login_failures.c.subject == _subject(name)))

    def _write(self, counters, now: float) -> list[int]:
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(
                login_failures.c.at_s <= now - self.window_s))
            return [int(conn.execute(insert(login_failures).values(
                scope=scope, subject=subject, at_s=now).returning(login_failures.c.id)
            ).scalar_one()) for scope, subject, _ in counters]

    def _wait(self, scope: str, subject: str, limit: int, now: float, own: list[int]) -> int:
        """Seconds until this counter allows an attempt again (0: it allows this one)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(login_failures.c.id, login_failures.c.at_s).where(
                login_failures.c.scope == scope, login_failures.c.subject == subject,
                login_failures.c.at_s > now - self.window_s)
                .order_by(login_failures.c.at_s, login_failures.c.id)).all()
        if len(rows) <= limit:
            return 0
        others = [row.at_s for row in rows if row.id not in own]
        # After this attempt's rows go, len(others) stay; the next attempt fits once
        # len(others) - limit + 1 of them have left the window.
        oldest_to_expire = others[max(len(others) - limit, 0)]
        return max(1, math.ceil(oldest_to_expire + self.window_s - now))

    def _remove(self, ids: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.id.in_(ids)))
