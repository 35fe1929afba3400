"""``enrichwatch users ...`` (accounts of the web application) and ``enrichwatch serve``.

A password is never a command-line argument (it would be in the shell history and the process
list): it is read from a hidden prompt on a terminal (asked twice), else from the first line of
standard input. The web package is imported only inside these commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from .app import JSON_OPTION, BadInput, app, emit
from .records import DB_OPTION, DEFAULT_DB

__all__ = ["serve", "users_add", "users_app", "users_list", "users_token"]

users_app = typer.Typer(help="Accounts of the web application (roles: administrator, "
                             "state-operator, inspector, analyst).", no_args_is_help=True)
app.add_typer(users_app, name="users")

_WEB_INSTALL = "pip install 'enrichwatch[web]'"


def _web():
    """The accounts module, or a clear error naming the extra when the web extra is missing."""
    try:
        from ..web import accounts
    except ImportError as err:
        raise BadInput("web", str(err.name), f"the web extra installed ({_WEB_INSTALL})"
                       ) from None
    return accounts


def _store(db: str | None, pool_size: int | None = None):
    """The record store ``--db`` names, its schema upgraded (adds the accounts tables)."""
    from ..records import RecordStore

    url = db or os.environ.get("ENRICHWATCH_DB") or DEFAULT_DB
    if "://" not in str(url) and not Path(url).exists():
        raise BadInput("--db", str(url), "an existing record store (create one with "
                                         "'enrichwatch records init')")
    return RecordStore.open(url, pool_size=pool_size).init()


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _row(account) -> dict:
    return {"name": account.name, "role": account.role, "party": account.party,
            "facilities": list(account.facilities), "disabled": account.disabled}


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Account name."),
    role: str = typer.Option(..., "--role", help="administrator, state-operator, inspector "
                                                 "or analyst."),
    facility: list[str] = typer.Option(None, "--facility", help="A facility the state "
                                                                "operator is bound to "
                                                                "(repeatable).",
                                       show_default=False),
    party: str = typer.Option(None, "--party", help="The ledger party the account submits "
                                                    "as (required for a state operator)."),
    db: str = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an account; the password is read from a prompt, or from standard input."""
    accounts = _web()
    store = _store(db)
    try:
        book = accounts.AccountBook(store.engine)
        account = book.add(name, role, _read_password(), party=party,
                           facilities=facility or (), by="cli")
    finally:
        store.close()
    emit(as_json, {"account": _row(account)},
         lambda out: out.print(f"account {account.name} ({account.role}) created"),
         schema="users-add")


@users_app.command("list")
def users_list(db: str = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the accounts (never their password hashes)."""
    accounts = _web()
    store = _store(db)
    try:
        rows = [_row(a) for a in accounts.AccountBook(store.engine).all()]
    finally:
        store.close()

    def render(out) -> None:
        for row in rows:
            out.print(f"{row['name']}: {row['role']} {row['party'] or ''} "
                      f"{' '.join(row['facilities'])}", markup=False)

    emit(as_json, {"accounts": rows}, render, schema="users-list")


@users_app.command("token")
def users_token(name: str = typer.Argument(..., help="Account name."),
                label: str = typer.Option("", "--label", help="What the token is for."),
                db: str = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Issue an API token for an account (printed once: only its hash is kept)."""
    accounts = _web()
    store = _store(db)
    try:
        token = accounts.AccountBook(store.engine).issue_token(name, label, by="cli")
    finally:
        store.close()
    emit(as_json, {"name": name, "token": token}, lambda out: out.print(token, markup=False),
         schema="users-token")


@app.command()
def serve(
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    key: list[str] = typer.Option(None, "--key", help="PARTY=PRIVATE_KEY_FILE: the server "
                                                      "signs web submissions of accounts of "
                                                      "that party (repeatable).",
                                  show_default=False),
    insecure_cookies: bool = typer.Option(False, "--insecure-cookies",
                                          help="Session cookies without the Secure flag, "
                                               "for plain http on a loopback address only."),
    threads: int = typer.Option(15, "--threads",  # enrichwatch.web.server.DEFAULT_THREADS
                                help="Worker threads: requests served at once. The "
                                     "database pool is sized from the same setting (one "
                                     "connection per thread and one for the event loop, "
                                     "no overflow), so no request waits for a connection; "
                                     "further requests queue for a thread."),
) -> None:
    """Run the web application (pages and the JSON API under /api) over the record store."""
    _web()
    from ..web.server import pool_size_for, run

    if insecure_cookies and host not in ("127.0.0.1", "localhost", "::1"):
        raise BadInput("--insecure-cookies", host, "a loopback --host (127.0.0.1, localhost)")
    if not 1 <= threads <= 1000:
        raise BadInput("--threads", threads, "a number of threads from 1 to 1000")
    store = _store(db, pool_size=pool_size_for(threads))
    run(store, host=host, port=port, keys=list(key or ()), secure_cookies=not insecure_cookies,
        threads=threads)
