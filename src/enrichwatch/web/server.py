"""Running the application with uvicorn (``enrichwatch serve``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from ..records import RecordStore, Signer
from .app import WebConfig, create_app

__all__ = ["SECRET_ENV", "run", "signers_from"]

#: Environment variable holding the session secret (default: random per start).
SECRET_ENV = "ENRICHWATCH_WEB_SECRET"


def signers_from(items: Sequence[str]) -> dict[str, Signer]:
    """``PARTY=PRIVATE_KEY_FILE`` items as signers by party.

    Raises
    ------
    ValueError
        For an item that is not ``PARTY=FILE`` or a file that is not an Ed25519 key.
    """
    out = {}
    for item in items:
        party, sep, path = item.partition("=")
        if not sep or not party.strip():
            raise ValueError(f"--key {item!r}: expected PARTY=PATH-TO-PRIVATE-KEY.pem")
        out[party] = Signer.from_pem_file(party, path)
    return out


def run(store: RecordStore, host: str = "127.0.0.1", port: int = 8000,
        keys: Sequence[str] = (), secure_cookies: bool = True) -> None:
    """Serve the application until interrupted."""
    import uvicorn

    config = WebConfig(secure_cookies=secure_cookies, signers=signers_from(keys))
    if os.environ.get(SECRET_ENV):
        config = replace(config, secret=os.environ[SECRET_ENV])
    uvicorn.run(create_app(store, config), host=host, port=port, log_level="info",
                server_header=False, proxy_headers=False)
