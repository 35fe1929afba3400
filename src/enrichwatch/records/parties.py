"""The book of registered parties: which key each party has, as the ledger is read in order.

A party (a State, an inspectorate, an analyst) registers with a ``party`` record carrying its
hex Ed25519 public key and whether everything it submits must be signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PartyBook", "RegisteredParty"]


@dataclass(frozen=True)
class RegisteredParty:
    """The ``party`` record currently in effect for one party."""

    record_id: int
    party: str
    public_key: str
    requires_signature: bool


class PartyBook:
    """Which key each party has, record by record, as the ledger is read in order.

    A ``party`` record registers its party, or replaces the party's current registration
    (the store requires it then to supersede that registration's record).

    Examples
    --------
    >>> book = PartyBook()
    >>> book.apply(3, {"party": "IAEA", "public_key": "ab" * 32, "requires_signature": True})
    >>> book.get("IAEA").record_id, book.get("Iran")
    (3, None)
    """

    def __init__(self) -> None:
        self._parties: dict[str, RegisteredParty] = {}

    def get(self, party: str | None) -> RegisteredParty | None:
        """The current registration of ``party`` (None if unregistered)."""
        return None if party is None else self._parties.get(party)

    def apply(self, record_id: int, payload: Mapping) -> None:
        """Take a ``party`` record's payload into account."""
        name = payload.get("party")
        if isinstance(name, str):
            self._parties[name] = RegisteredParty(record_id, name, payload.get("public_key"),
                                                  payload.get("requires_signature") is True)

    def key_for(self, party: str | None, record_id: int, kind: str,
                payload: Mapping) -> RegisteredParty | None:
        """The registration a record by ``party`` is checked against: the party's current one,
        or, for the party's own first ``party`` record, the key that record registers."""
        current = self.get(party)
        if current is not None or kind != "party" or payload.get("party") != party:
            return current
        return RegisteredParty(record_id, party, payload.get("public_key"),
                               payload.get("requires_signature") is True)
