"""Checks of a draft: its own fields, then against the ledger it is appended to.

:func:`check_draft` checks what a draft says by itself (kind, facility code, dates in order,
the payload via :mod:`.payloads`); :func:`check_against_ledger` checks it against the records
before it (a known facility, what it supersedes, a sample's inspection, the submitting party and
its signature requirement), through a :class:`LedgerView`. Both raise
:class:`~enrichwatch.records.errors.RecordError` listing every problem found.

Examples
--------
>>> from datetime import date
>>> from enrichwatch.records.model import RecordDraft
>>> draft = RecordDraft("report", "FFEP", "2023-02-01", "2023-01-30", "IAEA",
...                     {"document": "GOV/INF/2023/1"})
>>> try:
...     check_draft(draft, "draft 1 (report)", today=date(2024, 1, 1))
... except RecordError as err:
...     print(err)
draft 1 (report): known_on = '2023-01-30': expected a date on or after valid_from 2023-02-01 \
(a report cannot be known before it is issued)
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from ..dates import parse_date
from ..errors import InputError
from .errors import MISSING, RecordError, RecordProblem
from .model import (
    ANY_FACILITY,
    FACILITY_CODE_TEXT,
    KINDS,
    PARTY_ID_TEXT,
    STORE_KINDS,
    Record,
    RecordDraft,
    is_facility_code,
    is_party_id,
)
from .parties import PartyBook
from .payloads import validate_payload

if TYPE_CHECKING:
    from .signing import Signer

__all__ = ["CheckedDraft", "DraftChecker", "LedgerView", "check_against_ledger", "check_draft"]

#: Kinds whose content cannot be known before its valid date (an event observed or issued).
_OBSERVED = {"inspection": "an inspection cannot be known before it takes place",
             "sample": "a sample result cannot be known before the sample is taken",
             "report": "a report cannot be known before it is issued",
             "inventory_change_report": "a report cannot be known before its period ends",
             "physical_inventory_listing": "an inventory cannot be known before it is taken",
             "material_balance_report": "a balance cannot be known before it is closed"}


class LedgerView(Protocol):
    """What the checks need to see of the ledger (earlier records, in the same transaction)."""

    parties: PartyBook

    def record(self, record_id: int) -> Record | None:
        """The record with that id, or None."""

    def superseded_by(self, record_id: int) -> int | None:
        """The id of the record that supersedes that one, or None."""

    def facility_record(self, code: str) -> int | None:
        """The id of the first ``facility`` record of that code, or None."""


class CheckedDraft(NamedTuple):
    """A draft whose own fields passed: dates parsed, payload normalised (a named tuple: the
    store makes them by the thousand)."""

    kind: str
    facility: str
    valid_from: date
    known_on: date
    source: str
    payload: dict
    supersedes: int | None
    submitted_by: str | None


def _text_ok(value: Any, allow_none: bool = False) -> bool:
    if value is None:
        return allow_none
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        return False
    if "\x00" in value:
        return False
    if value.isascii():                 # (encodes as it is)
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _draft_date(draft: RecordDraft, name: str, where: str, problems: list) -> date | None:
    value = getattr(draft, name)
    if type(value) is date:             # (what parse_date gives back at once)
        return value
    try:
        return parse_date(value, name)
    except InputError as err:
        problems.append(RecordProblem(where, err.param, err.value, err.allowed))
        return None


def _field_problems(draft: RecordDraft, where: str) -> list[RecordProblem]:
    problems = []
    if draft.kind not in KINDS:
        problems.append(RecordProblem(where, "kind", draft.kind, "one of " + ", ".join(KINDS)))
    if draft.facility != ANY_FACILITY and not is_facility_code(draft.facility):
        problems.append(RecordProblem(where, "facility", draft.facility, FACILITY_CODE_TEXT
                                      + (f"; '*' for {_a(draft.kind)} record"
                                         if draft.kind in STORE_KINDS else "")))
    elif (draft.kind in STORE_KINDS) != (draft.facility == ANY_FACILITY):
        allowed = (f"'*' for {_a(draft.kind)} record" if draft.kind in STORE_KINDS
                   else "a facility code ('*' is for party and policy records only)")
        problems.append(RecordProblem(where, "facility", draft.facility, allowed))
    if not _text_ok(draft.source):
        problems.append(RecordProblem(where, "source", draft.source,
                                      "the non-empty name of the source document"))
    sup = draft.supersedes
    if sup is not None and (not isinstance(sup, int) or isinstance(sup, bool) or sup < 1):
        problems.append(RecordProblem(where, "supersedes", sup, "a record id >= 1 (or none)"))
    if draft.submitted_by is not None and not is_party_id(draft.submitted_by):
        problems.append(RecordProblem(where, "submitted_by", draft.submitted_by,
                                      PARTY_ID_TEXT + " (or none)"))
    return problems


def _order_problems(kind: str, valid_from: date, known_on: date, payload: dict,
                    today: date, where: str) -> list[RecordProblem]:
    problems = []
    if known_on > today:
        problems.append(RecordProblem(where, "known_on", known_on.isoformat(),
                                      f"a date not after today ({today.isoformat()}, UTC)"))
    if kind in _OBSERVED and known_on < valid_from:
        problems.append(RecordProblem(where, "known_on", known_on.isoformat(),
                                      f"a date on or after valid_from {valid_from.isoformat()} "
                                      f"({_OBSERVED[kind]})"))
    if (kind == "declaration"
            and parse_date(payload["declared_on"], "payload.declared_on") > known_on):
        problems.append(RecordProblem(where, "payload.declared_on", payload["declared_on"],
                                      f"a date on or before known_on {known_on.isoformat()} "
                                      "(a declaration cannot be known before it is made)"))
    return problems


def check_draft(draft: RecordDraft, where: str, today: date) -> CheckedDraft:
    """Check a draft by itself; return it with dates parsed and the payload normalised.

    Parameters
    ----------
    draft : RecordDraft
    where : str
        Which record, for the messages.
    today : date
        The store's current date (UTC): ``known_on`` may not be after it.

    Raises
    ------
    RecordError
        Listing every problem of the draft.
    """
    return _check_draft(draft, where, today, _field_problems(draft, where))


class DraftChecker:
    """:func:`check_draft` for many drafts of one day (a transaction): the checks of the
    fields that repeat from draft to draft (kind, facility code, source) are done once per
    distinct value. Only the commonest form is remembered (exact ``str`` values, no
    ``supersedes`` nor ``submitted_by``), and only when it passed, so every draft gets the
    same answer and the same messages as from :func:`check_draft`.

    Examples
    --------
    >>> checker = DraftChecker(date(2024, 1, 1))
    >>> draft = RecordDraft("report", "FFEP", "2023-02-01", "2023-02-01", "GOV/2023/9",
    ...                     {"document": "GOV/2023/9"})
    >>> checker.check(draft, "a").known_on == checker.check(draft, "b").known_on
    True
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self._fields_ok: set[tuple[str, str, str]] = set()

    def _field_problems(self, draft: RecordDraft, where: str) -> list[RecordProblem]:
        kind, facility, source = draft.kind, draft.facility, draft.source
        plain = (type(kind) is str and type(facility) is str and type(source) is str
                 and draft.supersedes is None and draft.submitted_by is None)
        if plain and (kind, facility, source) in self._fields_ok:
            return []
        problems = _field_problems(draft, where)
        if plain and not problems:
            self._fields_ok.add((kind, facility, source))
        return problems

    def check(self, draft: RecordDraft, where: str) -> CheckedDraft:
        """:func:`check_draft` ``(draft, where, self.today)``."""
        return _check_draft(draft, where, self.today, self._field_problems(draft, where))


def _check_draft(draft: RecordDraft, where: str, today: date,
                 problems: list[RecordProblem]) -> CheckedDraft:
    """:func:`check_draft` once its field ``problems`` are known."""
    kind, given_valid, given_known = draft.kind, draft.valid_from, draft.known_on
    # (a date is what parse_date gives back at once)
    valid_from: date | None = (given_valid if type(given_valid) is date else
                               _draft_date(draft, "valid_from", where, problems))
    known_on: date | None = (given_known if type(given_known) is date else
                             _draft_date(draft, "known_on", where, problems))
    payload = None
    if kind in KINDS:
        try:
            payload = validate_payload(kind, draft.payload, where)
        except RecordError as err:
            problems.extend(cast("tuple[RecordProblem, ...]", err.problems))
    if payload is not None and valid_from is not None and known_on is not None:
        problems += _order_problems(kind, valid_from, known_on, payload, today, where)
    if problems or valid_from is None or known_on is None or payload is None:
        raise RecordError(problems or [RecordProblem(where, "kind", draft.kind,
                                                     "one of " + ", ".join(KINDS))])
    return CheckedDraft(draft.kind, draft.facility, valid_from, known_on, draft.source,
                        payload, draft.supersedes, draft.submitted_by)


# -- against the ledger ---------------------------------------------------------------------------


def _facility_problems(d: CheckedDraft, ledger: LedgerView, where: str) -> list[RecordProblem]:
    if d.kind in STORE_KINDS:
        return []
    first = ledger.facility_record(d.facility)
    if d.kind == "facility":
        if first is not None and d.supersedes is None:
            return [RecordProblem(where, "facility", d.facility,
                                  f"a new facility code (record {first} already registers it; "
                                  "to correct that record, supersede it)")]
        return []
    if first is None:
        return [RecordProblem(where, "facility", d.facility,
                              "a known facility code: append its facility record first")]
    return []


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _supersedes_problems(d: CheckedDraft, new_id: int, ledger: LedgerView,
                         where: str) -> list[RecordProblem]:
    if d.supersedes is None:
        return []
    old = ledger.record(d.supersedes) if d.supersedes < new_id else None
    if old is None:
        return [RecordProblem(where, "supersedes", d.supersedes,
                              f"the id of an earlier record (1 to {new_id - 1})")]
    if (old.kind, old.facility) != (d.kind, d.facility):
        return [RecordProblem(where, "supersedes", d.supersedes,
                              f"a {d.kind} record of facility {d.facility!r} (record "
                              f"{old.id} is {_a(old.kind)} record of {old.facility!r})")]
    newer = ledger.superseded_by(old.id)
    if newer is not None:
        return [RecordProblem(where, "supersedes", d.supersedes,
                              f"the latest version (record {newer} already supersedes "
                              f"record {old.id}: supersede {newer} instead)")]
    return []


def _sample_problems(d: CheckedDraft, ledger: LedgerView, where: str) -> list[RecordProblem]:
    if d.kind != "sample":
        return []
    ref = d.payload["inspection"]
    inspection = ledger.record(ref)
    if inspection is None or (inspection.kind, inspection.facility) != ("inspection",
                                                                        d.facility):
        return [RecordProblem(where, "payload.inspection", ref,
                              f"the id of an inspection record of facility {d.facility!r}")]
    if d.valid_from < inspection.valid_from:
        return [RecordProblem(where, "valid_from", d.valid_from.isoformat(),
                              f"a date on or after the date of its inspection (record "
                              f"{ref}, {inspection.valid_from.isoformat()})")]
    return []


def _party_problems(d: CheckedDraft, ledger: LedgerView, where: str) -> list[RecordProblem]:
    if d.kind == "policy":
        policy = ledger.parties.policy
        if policy is None and d.supersedes is not None:
            return [RecordProblem(where, "supersedes", d.supersedes,
                                  "none: there is no store policy yet")]
        if policy is not None and d.supersedes != policy.record_id:
            return [RecordProblem(where, "supersedes", d.supersedes,
                                  f"{policy.record_id}, the policy in effect (a new policy "
                                  "supersedes the current one)")]
        return []
    if d.kind != "party":
        return []
    name = d.payload["party"]
    current = ledger.parties.get(name)
    if current is None and d.supersedes is not None:
        return [RecordProblem(where, "supersedes", d.supersedes,
                              f"none: party {name!r} is not registered yet")]
    if current is not None and d.supersedes != current.record_id:
        return [RecordProblem(where, "supersedes", d.supersedes,
                              f"{current.record_id}, the record registering party {name!r} "
                              "(a new registration of a party supersedes its current one)")]
    return []


def _signature_problems(d: CheckedDraft, new_id: int, signer: Signer | None,
                        ledger: LedgerView, where: str) -> list[RecordProblem]:
    if signer is not None and d.submitted_by not in (None, signer.party):
        return [RecordProblem(where, "submitted_by", d.submitted_by,
                              f"the signer's party {signer.party!r} (or none)")]
    authorization = [RecordProblem(where, key, value, allowed) for key, value, allowed
                     in ledger.parties.authorization_problems(
                         d.kind, d.payload, None if signer is None else signer.party)]
    if authorization:
        return authorization
    party = signer.party if signer is not None else d.submitted_by
    if party is None:
        return []
    registered = ledger.parties.key_for(party, new_id, d.kind, d.payload)
    if registered is None:
        return [RecordProblem(where, "submitted_by", party,
                              "a party registered by a party record")]
    if signer is None and registered.requires_signature:
        return [RecordProblem(where, "signature", MISSING,
                              f"a signature by {party!r} (its party record "
                              f"{registered.record_id} requires signatures)")]
    if signer is not None and signer.public_key_hex != registered.public_key:
        return [RecordProblem(where, "signature", f"by key {signer.public_key_hex[:16]}...",
                              f"a signature with the key party {party!r} registered, "
                              f"{str(registered.public_key)[:16]}... (record "
                              f"{registered.record_id})")]
    return []


def check_against_ledger(d: CheckedDraft, new_id: int, signer: Signer | None,
                         ledger: LedgerView, where: str) -> str | None:
    """Check a draft against the records before it; return its submitting party.

    Raises
    ------
    RecordError
        Listing every problem found.
    """
    problems = _facility_problems(d, ledger, where)
    if d.supersedes is not None:      # (each check below finds nothing in the other cases)
        problems += _supersedes_problems(d, new_id, ledger, where)
    if d.kind == "sample":
        problems += _sample_problems(d, ledger, where)
    if d.kind in STORE_KINDS:
        problems += _party_problems(d, ledger, where)
    if (signer is not None or d.submitted_by is not None or d.kind in STORE_KINDS
            or ledger.parties.policy is not None):  # (else: nothing to sign, no one to ask)
        problems += _signature_problems(d, new_id, signer, ledger, where)
    if problems:
        raise RecordError(problems)
    return signer.party if signer is not None else d.submitted_by
