"""The web application over the record store: accounts and roles, one authorization policy,
server-rendered pages and a JSON API (``enrichwatch serve``).

Nothing else in enrichwatch imports this package (the command line loads it lazily), and it
needs the ``web`` extra: ``pip install 'enrichwatch[web]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .accounts import ROLES, Account, AccountBook
    from .app import WebConfig, create_app
    from .policy import Decision, decide

_LAZY = {
    "ROLES": "accounts",
    "Account": "accounts",
    "AccountBook": "accounts",
    "WebConfig": "app",
    "create_app": "app",
    "Decision": "policy",
    "decide": "policy",
}

__all__ = ["ROLES", "Account", "AccountBook", "Decision", "WebConfig", "create_app", "decide"]

if not TYPE_CHECKING:  # hidden from type checkers, so that they flag unknown names
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__,
                                        list_globals=False)
