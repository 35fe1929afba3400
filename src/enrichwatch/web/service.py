"""What the pages and the API do with the record store, each step already authorised by the
caller: the facility list, a facility's timeline, findings (evaluations cached by ledger head),
releases of findings to the State, submissions, and the ledger's verification status.

Every submission lands in the ledger with, in its ``source``, the account that made it
(``... [web: account ann]``) and, when the account's party is registered in the ledger (a
``party`` record), ``submitted_by`` that party: the ledger's hash covers both. (An unregistered
party cannot be named as submitter: the store refuses it.)
Signing: the server signs a submission with the party's private key only when it holds that
key by configuration (``enrichwatch serve --key PARTY=FILE``); otherwise the record goes in
unsigned and the store refuses it wherever its policy, or the party's registration, requires a
signature (the problem is shown at the form's ``signature`` line). No private key is ever sent
to a browser, and a browser never sends one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from ..dates import parse_date
from ..records import Record, RecordDraft, RecordError, RecordStore, Signer
from ..records.tables import records as records_table
from .accounts import Account
from .policy import may_read_record

__all__ = [
    "RELEASE_PREFIX",
    "FieldProblems",
    "Ledger",
    "VerificationStatus",
    "field_of",
]

#: ``document`` of the ``report`` record that releases a facility's findings to the State.
RELEASE_PREFIX = "enrichwatch-release/"
_EVAL_CACHE_SIZE = 64


@dataclass(frozen=True)
class VerificationStatus:
    """The ledger's verification: ok, how many records, and the first problems (text)."""

    ok: bool
    records: int
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldProblems:
    """A rejected submission: problems by form field (``""``: the form as a whole)."""

    by_field: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def field_of(key: str) -> str:
    """The form field a store problem key belongs to (``payload.plant: stages[0]`` ->
    ``plant``; ``valid_from`` -> ``valid_from``; ``signature`` -> ``signature``)."""
    head = key.split(":", 1)[0].strip()
    if head.startswith("payload."):
        head = head[len("payload."):]
    return head.split(".", 1)[0].split("[", 1)[0]


def problems_of(err: RecordError) -> FieldProblems:
    """A store rejection as problems by field."""
    out: dict[str, list[str]] = {}
    for p in err.problems:
        out.setdefault(field_of(p.key), []).append(
            f"{p.key} = {p.value!r}: expected {p.allowed}")
    return FieldProblems({k: tuple(v) for k, v in out.items()})


class Ledger:
    """The record store as the web application uses it.

    Parameters
    ----------
    store : RecordStore
        Initialised.
    signers : mapping party -> Signer, optional
        Keys the server holds, by configuration, to sign web submissions of those parties.
    verify_ttl_s : float
        How long a verification result is reused [s] (0: verify on every page).
    clock : callable
        Monotonic time [s], for ``verify_ttl_s``.
    today : callable
        Today's date (UTC) for ``known_on`` of submissions.
    """

    def __init__(self, store: RecordStore, signers: Mapping[str, Signer] | None = None,
                 verify_ttl_s: float = 5.0, clock: Callable[[], float] | None = None,
                 today: Callable[[], date] | None = None) -> None:
        import time

        self.store = store
        self.signers = dict(signers or {})
        self.verify_ttl_s = verify_ttl_s
        self._clock = clock or time.monotonic
        self.today = today or (lambda: datetime.now(UTC).date())
        self._verified: tuple[float, VerificationStatus] | None = None
        self._evaluations: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------------
    def facilities(self) -> list[tuple[str, str]]:
        """``(code, name)`` of every facility with a facility record, by code."""
        with self.store.engine.connect() as conn:
            codes = conn.execute(select(records_table.c.facility).distinct().where(
                records_table.c.kind == "facility").order_by(records_table.c.facility)
            ).scalars().all()
        out = []
        for code in codes:
            latest = self.store.history(code, "facility")[-1]
            out.append((code, str(latest.payload.get("name", code))))
        return out

    def record(self, record_id: int) -> Record | None:
        try:
            return self.store.get(record_id)
        except RecordError:
            return None

    def timeline(self, account: Account, facility: str, as_of: date) -> list[Record]:
        """The facility's records known on ``as_of`` that ``account`` may read, by valid time."""
        known = self.store.known_as_of(facility, as_of)
        visible = [r for r in known if may_read_record(account, r)]
        return sorted(visible, key=lambda r: (r.valid_from, r.known_on, r.id))

    def verification(self) -> VerificationStatus:
        """The ledger's verification (reused for ``verify_ttl_s``)."""
        now = self._clock()
        with self._lock:
            if self._verified is not None and now - self._verified[0] < self.verify_ttl_s:
                return self._verified[1]
        report = self.store.verify()
        status = VerificationStatus(report.ok, report.records,
                                    tuple(f"record {p.record_id}: {p.what}"
                                          for p in report.problems[:5]))
        with self._lock:
            self._verified = (now, status)
        return status

    def evaluate(self, facility: str, as_of: date):
        """The evaluation of ``facility`` as of ``as_of`` (cached per ledger head)."""
        from ..evaluation import evaluate

        status = self.verification()
        key = (facility, as_of, self.store.head())
        with self._lock:
            if key in self._evaluations:
                self._evaluations.move_to_end(key)
                return self._evaluations[key]
        warnings = [] if status.ok else [
            f"UNVERIFIED STORE: fails verification ({'; '.join(status.problems[:3])}): "
            "findings may rest on tampered records"]
        result = evaluate(self.store.known_as_of(facility, as_of), facility, as_of,
                          warnings=warnings)
        with self._lock:
            self._evaluations[key] = result
            while len(self._evaluations) > _EVAL_CACHE_SIZE:
                self._evaluations.popitem(last=False)
        return result

    def releases(self, facility: str) -> list[date]:
        """The dates as of which the facility's findings were released to the State."""
        out = {parse_date(r.payload["document"][len(RELEASE_PREFIX):].split("/")[-1])
               for r in self.store.history(facility, "report")
               if str(r.payload.get("document", "")).startswith(RELEASE_PREFIX)}
        return sorted(out)

    # -- writing -------------------------------------------------------------------------------
    def submit(self, account: Account, drafts: Sequence[RecordDraft]) -> list[Record]:
        """Append drafts as ``account`` (its party, the account named in ``source``), signed
        when the server holds the party's key; all or nothing.

        Raises
        ------
        RecordError
            The store's rejection (nothing written).
        """
        party = account.party if account.party in self.registered_parties() else None
        signer = self.signers.get(party) if party else None
        items = []
        for draft in drafts:
            stamped = RecordDraft(draft.kind, draft.facility, draft.valid_from, draft.known_on,
                                  f"{draft.source} [web: account {account.name}]",
                                  draft.payload, draft.supersedes, party)
            items.append((stamped, signer))
        return self.store.append_signed(items)

    def registered_parties(self) -> set[str]:
        """The parties registered in the ledger (by ``party`` records)."""
        return {str(r.payload.get("party")) for r in self.store.history("*", "party")}

    def release(self, account: Account, facility: str, as_of: date) -> Record:
        """Release the facility's findings as of ``as_of`` to the State (a ``report``
        record)."""
        draft = RecordDraft("report", facility, as_of, self.today(), "findings release",
                            {"document": f"{RELEASE_PREFIX}{facility}/{as_of.isoformat()}",
                             "title": f"Findings as of {as_of} released to the State",
                             "summary": ""})
        return self.submit(account, [draft])[0]
