"""The web application over the record store: accounts and roles, one authorization policy,
server-rendered pages and a JSON API (``enrichwatch serve``).

Nothing else in enrichwatch imports this package (the command line loads it lazily), and it
needs the ``web`` extra: ``pip install 'enrichwatch[web]'``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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

if not TYPE_CHECKING:
    def __getattr__(name: str):
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


def __dir__():
    return __all__
