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

A case file (the TOML of ``enrichwatch records add``, with the plant and history files it
names) is uploaded into a fresh temporary folder only, read by the one case-file reader
(:func:`enrichwatch.records.read_case_file`), checked entry by entry against the policy (kind,
facility, ``submitted_by``), then appended in one transaction: every record, or none.
Party keys are registered by ``party`` records the store checks under its key policy: a
registered party's key changes only by a record signed with its current key, or by the
policy's authority; the server signs with a key it holds by configuration, never with one
from a browser.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..dates import parse_date
from ..files import MAX_FILE_BYTES
from ..records import (
    Record,
    RecordDraft,
    RecordError,
    RecordProblem,
    RecordStore,
    Signer,
    declaration_in_force,
    load_case_file,
    read_case_file,
)
from ..records.parties import PartyBook, RegisteredParty, StorePolicy
from ..records.tables import records as records_table
from .accounts import STATE_OPERATOR, Account
from .policy import SUBMIT_KINDS, decide, may_read_record

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_UPLOAD_BYTES",
    "RELEASE_PREFIX",
    "UPLOAD",
    "FieldProblems",
    "Ledger",
    "Outlook",
    "OutlookView",
    "Parties",
    "Upload",
    "VerificationStatus",
    "field_of",
    "problems_of",
    "web_stamp",
]

#: ``document`` of the ``report`` record that releases a facility's findings to the State.
RELEASE_PREFIX = "enrichwatch-release/"
_EVAL_CACHE_SIZE = 64
_DIAGRAM_CACHE_SIZE = 16
#: The largest case-file upload, the whole request [bytes]: a case file and its plant and
#: history files, each of at most ``enrichwatch.files.MAX_FILE_BYTES``.
MAX_UPLOAD_BYTES = 4 * MAX_FILE_BYTES
#: The most plant and history files one upload may carry besides the case file.
MAX_ATTACHMENTS = 16
#: ``where`` of the problems of the upload itself (names, sizes), not of an entry.
UPLOAD = "upload"
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_FILE_NAME_TEXT = ("a file name of 1 to 100 characters A-Z, a-z, 0-9, '_', '.', '-', starting "
                   "with a letter or a digit")


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


@dataclass(frozen=True)
class Upload:
    """A file from a form: the name the browser gave it, and its bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Parties:
    """The parties registered in the ledger (by name) and the store policy in effect."""

    registered: tuple[RegisteredParty, ...]
    policy: StorePolicy | None


def web_stamp(account: Account, party: str | None, draft: RecordDraft) -> RecordDraft:
    """The draft as the web application appends it: the account named at the end of its
    ``source`` (``... [web: account ann]``) and ``party`` as ``submitted_by``."""
    return RecordDraft(draft.kind, draft.facility, draft.valid_from, draft.known_on,
                       f"{draft.source} [web: account {account.name}]", draft.payload,
                       draft.supersedes, party)


def _base_name(name: str) -> str:
    """The last part of a browser's file name (some send a whole path)."""
    return re.split(r"[/\\]", name or "")[-1]


def _upload_problems(case: Upload, attachments: Sequence[Upload]) -> list[RecordProblem]:
    problems = []
    seen: set[str] = set()
    for i, upload in enumerate((case, *attachments)):
        key = "case_file" if i == 0 else f"attachments[{i - 1}]"
        name = _base_name(upload.name)
        if not _FILE_NAME.fullmatch(name):
            problems.append(RecordProblem(UPLOAD, key, upload.name, _FILE_NAME_TEXT))
        elif name in seen:
            problems.append(RecordProblem(UPLOAD, key, upload.name,
                                          "a file name not used by another file of the upload"))
        seen.add(name)
        if len(upload.data) > MAX_FILE_BYTES:
            problems.append(RecordProblem(UPLOAD, key, f"{len(upload.data)} bytes",
                                          f"a file of at most {MAX_FILE_BYTES} bytes"))
    if not case.data:
        problems.append(RecordProblem(UPLOAD, "case_file", "an empty file",
                                      "a case file (TOML, docs/records-design.md)"))
    if len(attachments) > MAX_ATTACHMENTS:
        problems.append(RecordProblem(UPLOAD, "attachments", f"{len(attachments)} files",
                                      f"at most {MAX_ATTACHMENTS} plant and history files"))
    return problems


def _without_folder(err: RecordError, folder: Path) -> RecordError:
    """The problems with the temporary folder's path taken out of every text."""
    prefix = str(folder) + "/"

    def clean(value: Any) -> Any:
        return value.replace(prefix, "").replace(str(folder), "") if isinstance(value, str) \
            else value

    return RecordError([RecordProblem(clean(p.where), clean(p.key), clean(p.value),
                                      clean(p.allowed)) for p in err.problems])


def _entry_authorization(account: Account, where: str, entry: Mapping
                         ) -> list[RecordProblem]:
    """What the policy refuses of one case-file entry, at its key."""
    kind, facility = entry.get("kind"), entry.get("facility")
    problems = []
    if not decide(account, "records.submit", facility, kind):
        if account.role == STATE_OPERATOR and facility not in account.facilities:
            problems.append(RecordProblem(where, "facility", facility,
                                          "one of this account's facilities ("
                                          + ", ".join(account.facilities) + ")"))
        else:
            problems.append(RecordProblem(where, "kind", kind, f"a kind a {account.role} "
                                          "submits (" + ", ".join(SUBMIT_KINDS.get(
                                              account.role, ())) + ")"))
    by = entry.get("submitted_by")
    if by is not None and by != account.party:
        problems.append(RecordProblem(where, "submitted_by", by,
                                      f"none, or {account.party!r}, the party of this account "
                                      "(records land under the account that uploads them)"))
    return problems


def _authorization_of_file(account: Account, path: Path) -> list[RecordProblem]:
    """The policy's refusals of the entries of a case file the reader refused (so that the
    page lists them too); none if the file is not even TOML."""
    from ..files import ProblemsError, parse_toml

    try:
        doc = parse_toml(path.read_text("utf-8"), path.name)
    except (ProblemsError, UnicodeDecodeError):
        return []
    entries = doc.get("records")
    if not isinstance(entries, list):
        return []
    return [p for i, entry in enumerate(entries) if isinstance(entry, Mapping)
            for p in _entry_authorization(account, f"{path.name} records[{i}]", entry)]


def _entry_field_problems(where: str, entry: Mapping, today: date) -> list[RecordProblem]:
    """The store's checks of one entry by itself (refs, which name earlier entries, taken as
    record 1: only their type is checked here), so that a refused upload lists these too."""
    from ..records.rules import check_draft

    def ref(value: Any) -> Any:
        return 1 if isinstance(value, str) else value

    payload = entry.get("payload", {})
    if entry.get("kind") == "sample" and isinstance(payload, Mapping):
        payload = dict(payload, inspection=ref(payload.get("inspection")))
    draft = RecordDraft(entry.get("kind"), entry.get("facility"),  # type: ignore[arg-type]
                        entry.get("valid_from"), entry.get("known_on"),  # type: ignore[arg-type]
                        entry.get("source"), payload,  # type: ignore[arg-type]
                        ref(entry.get("supersedes")))
    try:
        check_draft(draft, where, today)
    except RecordError as err:
        return list(err.problems)  # type: ignore[arg-type]
    return []


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
    use_cache : bool
        Keep the evaluations' physical consequences in the disk cache the command line uses
        (``enrichwatch.evaluation.cache``), so that a new record does not recompute the plants'
        figures and transients that it leaves unchanged.
    """

    def __init__(self, store: RecordStore, signers: Mapping[str, Signer] | None = None,
                 verify_ttl_s: float = 5.0, clock: Callable[[], float] | None = None,
                 today: Callable[[], date] | None = None, use_cache: bool = True) -> None:
        import time

        self.store = store
        self.signers = dict(signers or {})
        self.verify_ttl_s = verify_ttl_s
        self._clock = clock or time.monotonic
        self.today = today or (lambda: datetime.now(UTC).date())
        self.use_cache = use_cache
        self._verified: tuple[float, VerificationStatus] | None = None
        self._evaluations: OrderedDict[tuple, Any] = OrderedDict()
        self._diagrams: OrderedDict[tuple, list[dict]] = OrderedDict()
        self._evaluating: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        #: The breakout and detection timelines (computed once, in the background).
        self.outlook = Outlook()

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
        """The evaluation of ``facility`` as of ``as_of``.

        Cached by what it reads: the hashes of the records known on ``as_of`` and the
        verification status (a record appended later, known only after ``as_of``, leaves the
        cached evaluation valid). Concurrent requests for the same evaluation wait for the
        first one instead of evaluating it again each.
        """
        from ..evaluation import evaluate

        status = self.verification()
        known = self.store.known_as_of(facility, as_of)
        key = (facility, as_of, tuple(r.hash for r in known), status.ok, status.problems)
        with self._lock:
            if key in self._evaluations:
                self._evaluations.move_to_end(key)
                return self._evaluations[key]
            gate = self._evaluating.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._evaluations:
                    return self._evaluations[key]
            warnings = [] if status.ok else [
                f"UNVERIFIED STORE: fails verification ({'; '.join(status.problems[:3])}): "
                "findings may rest on tampered records"]
            result = evaluate(known, facility, as_of, warnings=warnings,
                              cache=self._consequence_cache())
            with self._lock:
                self._evaluations[key] = result
                self._evaluating.pop(key, None)
                while len(self._evaluations) > _EVAL_CACHE_SIZE:
                    self._evaluations.popitem(last=False)
        return result

    def _consequence_cache(self):
        """The disk cache of consequences, or None (``use_cache=False`` or no cache folder)."""
        from ..evaluation.cache import ConsequenceCache, cache_directory

        folder = cache_directory() if self.use_cache else None
        return None if folder is None else ConsequenceCache(folder)

    def releases(self, facility: str) -> list[date]:
        """The dates as of which the facility's findings were released to the State."""
        out = {parse_date(r.payload["document"][len(RELEASE_PREFIX):].split("/")[-1])
               for r in self.store.history(facility, "report")
               if str(r.payload.get("document", "")).startswith(RELEASE_PREFIX)}
        return sorted(out)

    # -- writing -------------------------------------------------------------------------------
    def _party_signer(self, account: Account) -> tuple[str | None, Signer | None]:
        """The account's party if registered in the ledger, and its key if the server holds
        it."""
        party = account.party if account.party in self.registered_parties() else None
        return party, (self.signers.get(party) if party else None)

    def submit(self, account: Account, drafts: Sequence[RecordDraft]) -> list[Record]:
        """Append drafts as ``account`` (its party, the account named in ``source``), signed
        when the server holds the party's key; all or nothing.

        Raises
        ------
        RecordError
            The store's rejection (nothing written).
        """
        party, signer = self._party_signer(account)
        return self.store.append_signed([(web_stamp(account, party, d), signer)
                                         for d in drafts])

    def submit_case(self, account: Account, case: Upload,
                    attachments: Sequence[Upload] = ()) -> list[Record]:
        """Append every record of an uploaded case file as ``account``: all or nothing.

        The files are written to a new temporary folder (removed after) under their base
        names, and read there by the case-file reader (plant and history files confined to
        that folder). Every entry must be of a kind the account submits, for a facility it
        may submit for, and name no other party than the account's.

        Raises
        ------
        RecordError
            Every problem found, each naming its entry (``case.toml records[3]``) or the
            upload (``upload``) and its key; nothing written.
        """
        problems = _upload_problems(case, attachments)
        if problems:
            raise RecordError(problems)
        with tempfile.TemporaryDirectory(prefix="enrichwatch-upload-") as tmp:
            folder = Path(tmp)
            for upload in (case, *attachments):
                (folder / _base_name(upload.name)).write_bytes(upload.data)
            path = folder / _base_name(case.name)
            try:
                try:
                    entries = read_case_file(path)
                except RecordError as err:
                    found: list[Any] = [*err.problems, *_authorization_of_file(account, path)]
                    raise RecordError(found) from None
                refused = [p for where, entry in entries
                           for p in _entry_authorization(account, where, entry)]
                if refused:         # with the entries' own problems: every one at once
                    today = datetime.now(UTC).date()
                    raise RecordError(refused + [p for where, entry in entries for p in
                                                 _entry_field_problems(where, entry, today)])
                party, signer = self._party_signer(account)
                return load_case_file(self.store, path,
                                      {party: signer} if party and signer else {},
                                      amend=lambda d: web_stamp(account, party, d))
            except RecordError as err:
                raise _without_folder(err, folder) from None

    def submissions(self, account: Account, kinds: Sequence[str]) -> list[Record]:
        """The records of ``kinds`` this account submitted through the web application
        (its name at the end of their ``source``) that it may read, newest first."""
        suffix = f" [web: account {account.name}]"
        with self.store.engine.connect() as conn:
            ids = conn.execute(select(records_table.c.id).where(
                records_table.c.kind.in_(list(kinds)),
                records_table.c.source.endswith(suffix, autoescape=True))
                .order_by(records_table.c.id.desc())).scalars().all()
        out = [self.store.get(i) for i in ids]
        return [r for r in out if may_read_record(account, r)]

    def registered_parties(self) -> set[str]:
        """The parties registered in the ledger (by ``party`` records)."""
        return {str(r.payload.get("party")) for r in self.store.history("*", "party")}

    def parties(self) -> Parties:
        """The registered parties (their current key) and the store policy, as the ledger
        says now."""
        book = PartyBook()
        names = []
        for record in self.store.history("*"):
            book.apply(record.id, record.payload, record.kind)
            if record.kind == "party":
                names.append(record.payload.get("party"))
        registered = [book.get(n) for n in dict.fromkeys(names)]
        return Parties(tuple(sorted((r for r in registered if r is not None),
                                    key=lambda r: r.party)), book.policy)

    def register_key(self, account: Account, party: str, public_key: str,
                     requires_signature: bool, source: str) -> Record:
        """Register ``party`` with ``public_key``, or change its key (a ``party`` record
        superseding its current one).

        The record is signed with a key the server holds by configuration: the party's own
        (its current key) if it holds it, else the store authority's; else it goes in unsigned.
        The store then applies its key policy: a registered party's key changes only by a
        record signed with its current key or by the authority; under a policy, only the
        authority registers a new party.

        Raises
        ------
        RecordError
            The store's rejection (nothing written).
        """
        now = self.parties()
        current = next((r for r in now.registered if r.party == party), None)
        signer = self.signers.get(party)
        if signer is None and now.policy is not None:
            signer = self.signers.get(now.policy.authority)
        today = self.today()
        draft = RecordDraft("party", "*", today, today, source,
                            {"party": party, "public_key": public_key,
                             "requires_signature": requires_signature},
                            current.record_id if current is not None else None)
        stamped = web_stamp(account, signer.party if signer is not None else None, draft)
        return self.store.append_signed([(stamped, signer)])[0]

    def plant_pair(self, facility: str, as_of: date, inspection: int | None = None
                   ) -> tuple[list[Record], Record | None, Record | None]:
        """The inspections with an observed plant known on ``as_of`` (newest first), the one
        chosen (``inspection``, else the newest) and the declaration in force on its date as
        known on the day it became known (the pair the evaluation's first rule compares)."""
        known = self.store.known_as_of(facility, as_of)
        seen = sorted((r for r in known if r.kind == "inspection"
                       and r.payload.get("observed_plant")),
                      key=lambda r: (r.valid_from, r.id), reverse=True)
        chosen = next((r for r in seen if r.id == inspection), None) if inspection \
            else (seen[0] if seen else None)
        if chosen is None:
            return seen, None, None
        declared = declaration_in_force(known, facility, chosen.valid_from,
                                        known_by=chosen.known_on)
        return seen, chosen, declared

    def diagrams(self, inspection: Record, declaration: Record) -> list[dict]:
        """The declared and observed plant diagrams of the report layer, each with the
        streams the other lacks highlighted, as CSP-safe inline SVG (cached by the two
        records' hashes)."""
        from ..report.evaluation import comparison_diagrams
        from .charts import csp_safe_svg

        key = (inspection.id, inspection.hash, declaration.id, declaration.hash)
        with self._lock:
            if key in self._diagrams:
                self._diagrams.move_to_end(key)
                return self._diagrams[key]
        drawn = [dict(d, figure=csp_safe_svg(d["figure"]))
                 for d in comparison_diagrams(inspection, declaration, prefix="plant-")]
        with self._lock:
            self._diagrams[key] = drawn
            while len(self._diagrams) > _DIAGRAM_CACHE_SIZE:
                self._diagrams.popitem(last=False)
        return drawn

    def country(self, facility: str) -> str | None:
        """The country of a facility's latest facility record (None if it names none)."""
        history = self.store.history(facility, "facility")
        country = history[-1].payload.get("country") if history else None
        return str(country) if country else None

    def release(self, account: Account, facility: str, as_of: date) -> Record:
        """Release the facility's findings as of ``as_of`` to the State (a ``report``
        record)."""
        draft = RecordDraft("report", facility, as_of, self.today(), "findings release",
                            {"document": f"{RELEASE_PREFIX}{facility}/{as_of.isoformat()}",
                             "title": f"Findings as of {as_of} released to the State",
                             "summary": ""})
        return self.submit(account, [draft])[0]


# -- the breakout and detection timelines -------------------------------------------------------
#: The country whose public record the bundled timelines are computed from.
OUTLOOK_COUNTRY = "Iran"


@dataclass(frozen=True)
class OutlookView:
    """The timelines as a page shows them.

    Attributes
    ----------
    state : {'idle', 'computing', 'ready', 'failed'}
    breakout, detection : str
        The two charts as CSP-safe inline SVG ('' until ready).
    rows : tuple of dict
        Per report date: ``date``, ``breakout_days``, ``detection_median_days``,
        ``margin_days``, ``no_verification``.
    assumptions : tuple of str
    error : str
        Why the computation failed (state 'failed').
    """

    state: str
    breakout: str = ""
    detection: str = ""
    rows: tuple[dict, ...] = ()
    assumptions: tuple[str, ...] = ()
    error: str = ""


class Outlook:
    """The breakout timeline (:func:`enrichwatch.breakout.breakout_timeline`, analyst and
    all-capacity scenarios, SQ at 90 %) and the detection timeline over it
    (:func:`enrichwatch.detection.detection_timeline`), over the bundled public record of
    Iran; computed once per process, in a background thread, drawn by their own plotting
    functions.

    The page shows the nominal plans, not the scenarios' tornadoes, so the timeline is
    computed without them (``tornado=False``): their rates at the low and high ends of every
    machine's rating and stage factor were four fifths of the physics of a cold start (2016-2025
    on a fresh cache: about 120-130 s of CPU with them, 75-80 s without, of which some 65 s are the
    whole-cascade schedules, one MILP per plan; every number shown is the same to the last
    bit). Each distinct cascade and step is solved once
    (:func:`~enrichwatch.breakout.rates.step_rate`), and the breakout planner's on-disk cache
    (:mod:`enrichwatch.breakout.cache`, the folder the command line uses) keeps the rates and
    schedules: a later start, or one after
    ``enrichwatch breakout --timeline --sq-definition 90pct``, reads them (about 7 s).

    Parameters
    ----------
    since, until : str
        Report dates (ISO prefixes) of the breakout timeline; the detection timeline also
        starts at Implementation Day when it falls in the window.
    use_cache : bool
        Use the breakout result cache folder (``enrichwatch.breakout.cache.cache_directory``).
    """

    def __init__(self, since: str = "2016", until: str = "2026",
                 use_cache: bool = True) -> None:
        self.since, self.until, self.use_cache = since, until, use_cache
        self._view = OutlookView("idle")
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def view(self, start: bool = True) -> OutlookView:
        """The timelines, or where their computation is (started by the first call)."""
        with self._lock:
            if self._view.state == "idle" and start:
                self._view = OutlookView("computing")
                self._thread = threading.Thread(target=self._run, name="enrichwatch-outlook",
                                                daemon=True)
                self._thread.start()
            return self._view

    def compute(self) -> OutlookView:
        """Compute now, in this thread (tests, or warming up before serving)."""
        with self._lock:
            self._view = OutlookView("computing")
        self._run()
        return self._view

    def _run(self) -> None:
        try:
            view = self._computed()
        except Exception as err:  # noqa: BLE001 -- shown on the page, the server goes on
            view = OutlookView("failed", error=f"{type(err).__name__}: {err}"[:500])
        with self._lock:
            self._view = view

    def _computed(self) -> OutlookView:
        from contextlib import nullcontext

        from ..breakout import breakout_timeline, plot_timeline
        from ..breakout.cache import ResultCache, cache_directory, using_cache
        from ..detection import detection_timeline, plot_detection_timeline
        from ..report import figure_svg
        from .charts import csp_safe_svg

        folder = cache_directory() if self.use_cache else None
        with using_cache(ResultCache(folder)) if folder is not None else nullcontext():
            breakout = breakout_timeline(1, models=("repiped",), since=self.since,
                                         until=self.until, sq_definition="90pct",
                                         tornado=False)
        detection = detection_timeline(breakout=breakout, since=self.since, until=self.until)
        rows = tuple({k: r[k] for k in ("date", "breakout_days", "detection_median_days",
                                        "margin_days", "no_verification", "era")}
                     for r in detection.as_dict()["rows"])
        return OutlookView(
            "ready",
            breakout=csp_safe_svg(figure_svg(plot_timeline(breakout), "outlook-b-")),
            detection=csp_safe_svg(figure_svg(plot_detection_timeline(detection),
                                              "outlook-d-")),
            rows=rows, assumptions=tuple(breakout.assumptions) + tuple(detection.assumptions))
