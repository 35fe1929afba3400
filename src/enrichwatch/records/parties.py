"""The book of registered parties and the store's policy, as the ledger is read in order, and
who may sign what.

A party (a State, an inspectorate, an analyst) registers with a ``party`` record carrying its
hex Ed25519 public key and whether everything it submits must be signed. A ``policy`` record
names the store's *authority* (a registered party) and which record kinds must be signed, by
which parties. The rules of :meth:`PartyBook.authorization_problems` are applied on every append
(:mod:`.rules`) and again, record by record, by ``verify()`` (:mod:`.chain`), whatever a record's
``submitted_by`` says:

- a party's key changes (a ``party`` record for an already registered party) only by a record
  signed with that party's current key, or by the policy's authority;
- under a policy, a new party is registered only by a record the authority signs (before any
  policy, a party may register itself, signing with the key it registers);
- the first ``policy`` record is signed by the authority it names, which must be registered;
  a later one supersedes it and is signed by the current policy's authority;
- under a policy, a record of a kind the policy lists (or of any kind, for ``"*"``) must be
  signed by one of the parties listed for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["PartyBook", "RegisteredParty", "StorePolicy"]

#: Kinds whose signatures the key rules govern (not the policy's per-kind lists).
KEY_KINDS = ("party", "policy")


def _public_key(payload: Mapping) -> str:
    """A ``party`` payload's key as text. Validation requires text; in a ledger altered after
    validation it may be missing or not text, and is then kept as ``""``, which no signature
    verifies against (as before for a missing or malformed key)."""
    key = payload.get("public_key")
    return key if isinstance(key, str) else ""


@dataclass(frozen=True)
class RegisteredParty:
    """The ``party`` record currently in effect for one party."""

    record_id: int
    party: str
    public_key: str
    requires_signature: bool


@dataclass(frozen=True)
class StorePolicy:
    """The ``policy`` record currently in effect.

    Attributes
    ----------
    record_id : int
    authority : str
        The party that signs policy changes, admits new parties and may replace any party's key.
    signers : mapping kind -> tuple of party ids
        Which parties may sign records of each kind (``"*"``: every kind not listed). A kind
        not covered may be submitted unsigned (unless its submitter requires signatures).
    """

    record_id: int
    authority: str
    signers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def signers_for(self, kind: str) -> tuple[str, ...] | None:
        """The parties one of which must sign a record of ``kind`` (None: no requirement)."""
        if kind in KEY_KINDS:
            return None
        return self.signers.get(kind, self.signers.get("*"))


def _either(names) -> str:
    names = [repr(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class PartyBook:
    """Which key each party has, and the policy in effect, record by record, as the ledger is
    read in order.

    Examples
    --------
    >>> book = PartyBook()
    >>> book.apply(3, {"party": "IAEA", "public_key": "ab" * 32, "requires_signature": True})
    >>> book.get("IAEA").record_id, book.get("Iran")
    (3, None)
    >>> book.authorization_problems("party", {"party": "IAEA"}, signer=None)
    ... # doctest: +NORMALIZE_WHITESPACE
    [('signature', 'none', "a signature by 'IAEA' with its current key (a party's key is
      changed only by a record signed with its current key)")]
    """

    def __init__(self) -> None:
        self._parties: dict[str, RegisteredParty] = {}
        self.policy: StorePolicy | None = None

    def get(self, party: str | None) -> RegisteredParty | None:
        """The current registration of ``party`` (None if unregistered)."""
        return None if party is None else self._parties.get(party)

    def apply(self, record_id: int, payload: Mapping, kind: str = "party") -> None:
        """Take a ``party`` (or ``policy``) record's payload into account."""
        if kind == "policy":
            authority = payload.get("authority")
            signers = payload.get("signers")
            if isinstance(authority, str) and isinstance(signers, Mapping):
                self.policy = StorePolicy(record_id, authority,
                                          {str(k): tuple(v) for k, v in signers.items()
                                           if isinstance(v, list | tuple)})
            return
        name = payload.get("party")
        if isinstance(name, str):
            self._parties[name] = RegisteredParty(record_id, name, _public_key(payload),
                                                  payload.get("requires_signature") is True)

    def key_for(self, party: str | None, record_id: int, kind: str,
                payload: Mapping) -> RegisteredParty | None:
        """The registration a record by ``party`` is checked against: the party's current one,
        or, for the party's own first ``party`` record, the key that record registers."""
        current = self.get(party)
        if (current is not None or kind != "party" or party is None
                or payload.get("party") != party):
            return current
        return RegisteredParty(record_id, party, _public_key(payload),
                               payload.get("requires_signature") is True)

    def authorization_problems(self, kind: str, payload: Mapping,
                               signer: str | None) -> list[tuple[str, str, str]]:
        """Whether a record of ``kind`` with ``payload``, signed by party ``signer`` (None:
        unsigned), may enter the ledger here; ``(key, value, allowed)`` for each problem.

        The signature itself (right key) is checked by the caller."""
        found = "none" if signer is None else f"by {signer!r}"
        policy = self.policy
        if kind == "party":
            return self._party_problems(payload, signer, found)
        if kind == "policy":
            authority = policy.authority if policy is not None else payload.get("authority")
            problems = []
            if policy is None and self.get(authority) is None:
                problems.append(("payload.authority", str(authority),
                                 "a registered party (register its key with a party record "
                                 "first)"))
            if signer != authority:
                why = ("the authority this first policy names" if policy is None else
                       f"the authority of the policy in effect (record {policy.record_id})")
                problems.append(("signature", found, f"a signature by {authority!r}, {why}"))
            return problems
        if policy is None:
            return []
        allowed = policy.signers_for(kind)
        if allowed is not None and signer not in allowed:
            return [("signature", found,
                     f"a signature by {_either(allowed)} (the store policy, record "
                     f"{policy.record_id}, requires {kind} records to be signed)")]
        return []

    def _party_problems(self, payload: Mapping, signer: str | None,
                        found: str) -> list[tuple[str, str, str]]:
        policy = self.policy
        name = payload.get("party")
        if self.get(name) is not None:                  # a new key for a registered party
            allowed = [name]
            if policy is not None and policy.authority != name:
                allowed.append(policy.authority)
            if signer not in allowed:
                by = " or by the authority" if len(allowed) > 1 else ""
                return [("signature", found,
                         f"a signature by {_either(allowed)} with its current key (a party's "
                         f"key is changed only by a record signed with its current key{by})")]
            return []
        if policy is not None and signer != policy.authority:
            return [("signature", found,
                     f"a signature by {policy.authority!r}: under the store policy (record "
                     f"{policy.record_id}) only the authority registers new parties")]
        return []
