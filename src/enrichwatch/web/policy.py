"""The one authorization policy of the web application: (account, action, facility, kind) ->
allow or deny, with the reason. Every page and every API endpoint asks :func:`decide`, and
every record shown is filtered by :func:`may_read_record`.

Roles:

- **administrator**: manages accounts, and submits ``facility``, ``party`` and ``policy``
  records (parties and their public keys); sees the facility list and the ledger's
  verification, not the safeguards records.
- **state operator**: bound to facilities; reads and submits the State's own kinds
  (declarations, stockpiles, installed machines) of those facilities, reads their ``facility``
  record and the findings released to it; never inspections or samples (the inspectorate's
  drafts and results), never another facility.
- **inspector**: reads every record; submits inspections and samples.
- **analyst**: reads every record, runs evaluations, releases findings to the State, submits
  reports.

Examples
--------
>>> from enrichwatch.web.accounts import Account
>>> op = Account(1, "ann", "state-operator", "Iran", ("FFEP",))
>>> decide(op, "records.submit", "FFEP", "declaration").allowed
True
>>> decide(op, "records.submit", "FFEP", "inspection")
Decision(allowed=False, reason='a state-operator may not submit inspection records')
>>> decide(op, "records.read", "PFEP", "declaration").allowed
False
>>> decide(None, "facilities.list").reason
'log in first'
"""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import ADMINISTRATOR, ANALYST, INSPECTOR, STATE_OPERATOR, Account

__all__ = [
    "ACTIONS",
    "STATE_READ_KINDS",
    "SUBMIT_KINDS",
    "Decision",
    "decide",
    "may_read_record",
]

#: Every action the policy decides.
ACTIONS: tuple[str, ...] = (
    "facilities.list",     # the list of facility codes and names
    "records.read",        # a record (facility, kind)
    "records.submit",      # append a record (facility, kind)
    "findings.read",       # a facility's findings (state operator: only released ones)
    "findings.release",    # release a facility's findings as of a date to the State
    "ledger.verify",       # the ledger's verification status
    "accounts.manage",     # list and create accounts
    "analysis.run",        # run an analysis (breakout plan) on posted inputs
)

#: The kinds a state operator reads for its facilities.
STATE_READ_KINDS: tuple[str, ...] = ("facility", "declaration", "stockpile",
                                     "installed_machines")
#: The kinds each role may submit.
SUBMIT_KINDS: dict[str, tuple[str, ...]] = {
    ADMINISTRATOR: ("facility", "party", "policy"),
    STATE_OPERATOR: ("declaration", "stockpile", "installed_machines"),
    INSPECTOR: ("inspection", "sample"),
    ANALYST: ("report",),
}
_EVERYONE = ("facilities.list", "ledger.verify")


@dataclass(frozen=True)
class Decision:
    """Whether an action is allowed, and why not (``reason``, shown to the user)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


_ALLOW = Decision(True)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def decide(account: Account | None, action: str, facility: str | None = None,
           kind: str | None = None, *, released: bool = False) -> Decision:
    """Decide whether ``account`` may do ``action``.

    Parameters
    ----------
    account : Account or None
        The logged-in account (None: anonymous, denied everything).
    action : str
        One of :data:`ACTIONS`.
    facility : str, optional
        The facility concerned (records, findings, submissions).
    kind : str, optional
        The record kind concerned (``records.read``, ``records.submit``).
    released : bool
        For ``findings.read`` by a state operator: whether these findings were released to it.
    """
    if action not in ACTIONS:
        return _deny(f"unknown action {action!r}")
    if account is None or account.disabled:
        return _deny("log in first")
    if action in _EVERYONE:
        return _ALLOW
    role = account.role
    if action == "accounts.manage":
        return _ALLOW if role == ADMINISTRATOR else _deny("only administrators manage "
                                                          "accounts")
    if action == "analysis.run":
        return _ALLOW if role == ANALYST else _deny("only analysts run analyses")
    if role == STATE_OPERATOR and facility not in account.facilities:
        return _deny(f"facility {facility!r} is not one of this account's facilities")
    if action == "records.submit":
        return _submit(role, kind)
    if action == "records.read":
        return _read(role, kind)
    if action == "findings.read":
        if role == ANALYST or (role == STATE_OPERATOR and released):
            return _ALLOW
        return _deny("findings are read by analysts, and by the State once released to it")
    # findings.release
    return _ALLOW if role == ANALYST else _deny("only analysts release findings")


def _submit(role: str, kind: str | None) -> Decision:
    if kind in SUBMIT_KINDS.get(role, ()):
        return _ALLOW
    return _deny(f"a {role} may not submit {kind} records")


def _read(role: str, kind: str | None) -> Decision:
    if role in (ANALYST, INSPECTOR):
        return _ALLOW
    if role == STATE_OPERATOR and kind in STATE_READ_KINDS:
        return _ALLOW
    return _deny(f"a {role} may not read {kind} records")


def may_read_record(account: Account | None, record) -> bool:
    """Whether ``account`` may see ``record`` (anything with ``facility`` and ``kind``)."""
    return decide(account, "records.read", record.facility, record.kind).allowed
