"""The web application under load (issue 13): a real server (``enrichwatch serve``, uvicorn, in
a child process) on PostgreSQL, 50 clients reading pages and the API and 5 clients writing
records through the API, concurrently, for 60 s on localhost.

Usage::

    ENRICHWATCH_BENCH_POSTGRES_URL=postgresql://postgres@localhost:55441/bench \\
        python benchmarks/bench_web.py [--seconds 60] [--readers 50] [--writers 5] \\
        [--verdict wall|cpu]

``--verdict`` is accepted as by every benchmark (benchmarks/harness.py); the latencies are wall
time at the client whatever it says (a CPU clock does not measure a client's wait), so their
verdicts stay on wall time and say so; the CPU time of the server and the clients is printed.

The database named must be empty (the script initialises it, loads the Fordow 2023 case and
creates the accounts); without ``ENRICHWATCH_BENCH_POSTGRES_URL`` (or ``--db``) a temporary
SQLite file is used and the report says so.

The store: the Fordow case (7 records), the parties IAEA and Iran registered with keys that
require a signature, the server holding both private keys (``--key PARTY=FILE``), so every web
submission is signed by the server, never by a browser. Readers log in through the form
(real argon2id hashes, before the clock starts) as an analyst, an inspector or the Fordow
state operator, in turn, and cycle through the facility list, Fordow's timeline (as of today:
it grows with the writes), a record, the verification page, the findings as of 2023-02-01
(analysts), and the same through the API with a bearer token. Writers submit inspections
(2 inspectors), reports (2 analysts) and declarations (the state operator), each with a
source naming the writer and its sequence number. A client sends its next request when the
last one is answered (closed loop, no think time).

Checks: no error (any status but the expected one, a refused connection or a timeout of
60 s); after the run, the ledger verifies and holds exactly the acknowledged writes (each
acknowledged source once, nothing else new: no lost, duplicated or unacknowledged record).
Figures: requests/s; page-read latency median, p95, p99 (target p95 < 1 s with 55 clients on
one server process); API reads and writes apart. Latency is wall time at the client, on a
machine the server, the database and the clients share (and other work may share too).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
PLANT = ROOT / "examples" / "fordow-2023" / "declared.toml"
PASSWORD = "load test password"
SOURCE_PREFIX = "bench-web"
#: Reader accounts in turn: (name, role, party, facilities).
READERS = (("alice", "analyst", "IAEA", ()), ("ivan", "inspector", "IAEA", ()),
           ("ann", "state-operator", "Iran", ("FFEP",)))
#: Writer accounts in turn, with the kind each submits.
WRITERS = (("ivan", "inspection"), ("alice", "report"), ("ann", "declaration"),
           ("ivan", "inspection"), ("alice", "report"))
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Setup:
    """A prepared store: its URL, the key files the server signs with, the API tokens by
    account name, and how many records it held before the run."""

    url: str
    keys: tuple[str, ...]
    tokens: dict[str, str]
    records_before: int


@dataclass
class Tally:
    """What the clients saw."""

    page_latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    api_latencies: list[float] = field(default_factory=list)
    write_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)     # source -> record id
    elapsed_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.page_latencies) + len(self.api_latencies) + len(self.write_latencies)


def prepare(url: str, folder: Path) -> Setup:
    """Initialise the (empty) store at ``url``: the Fordow case, the parties IAEA and Iran
    requiring signatures (their keys written to ``folder``), the accounts, their tokens."""
    from enrichwatch.records import RecordDraft, RecordStore, Signer, load_case_file
    from enrichwatch.web.accounts import AccountBook

    store = RecordStore.open(url).init()
    try:
        if len(store):
            raise SystemExit(f"{url}: expected an empty store, found {len(store)} records")
        load_case_file(store, CASE)
        keys = []
        for party in ("IAEA", "Iran"):
            signer = Signer.generate(party)
            path = signer.save(folder / f"{party}.pem")
            keys.append(f"{party}={path}")
            store.append(RecordDraft("party", "*", "2024-01-01", "2024-01-01",
                                     "load test key ceremony", signer.party_payload(True)))
        book = AccountBook(store.engine)
        for name, role, party, facilities in READERS:
            book.add(name, role, PASSWORD, party=party, facilities=facilities)
        tokens = {name: book.issue_token(name, "load test") for name, *_ in READERS}
        return Setup(url, tuple(keys), tokens, len(store))
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(setup: Setup, port: int, log: Path) -> subprocess.Popen:
    """``enrichwatch serve`` in a child process (plain http on the loopback address)."""
    args = [sys.executable, "-m", "enrichwatch", "serve", "--db", setup.url,
            "--host", "127.0.0.1", "--port", str(port), "--insecure-cookies"]
    for key in setup.keys:
        args += ["--key", key]
    env = {**os.environ, "ENRICHWATCH_WEB_SECRET": "load-test-secret-" + "x" * 32}
    with open(log, "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_ready(base: str, server: subprocess.Popen, timeout_s: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/login", timeout=5.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout_s:g} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- the clients ---------------------------------------------------------------------------------
def _reader_paths(role: str, findings: bool = True) -> list[tuple[str, str]]:
    """``(what, path)`` a reader cycles through: ``page`` or ``api``."""
    pages = ["/facilities", "/facilities/FFEP", "/records/2", "/verification"]
    if role == "analyst" and findings:
        pages.append("/facilities/FFEP/findings?as_of=2023-02-01")
    api = ["/api/facilities/FFEP/records", "/api/records/2", "/api/verification"]
    return [("page", p) for p in pages] + [("api", p) for p in api]


def _draft(kind: str, writer: int, n: int, plant: str) -> dict:
    source = f"{SOURCE_PREFIX}-w{writer}-{n}"
    day = "2024-05-01"
    payloads = {
        "inspection": {"kind": "announced", "observed_plant": None, "measurements": [],
                       "summary": f"load test visit {n}"},
        "report": {"document": f"LOAD/{writer}/{n}", "title": "load test", "summary": ""},
        "declaration": {"declared_on": day, "plant": plant, "declared_max_assay_pct": 60.0,
                        "summary": f"load test declaration {n}"},
    }
    return {"kind": kind, "facility": "FFEP", "valid_from": day, "source": source,
            "payload": payloads[kind]}


async def _login(client, name: str) -> None:
    import re

    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    done = await client.post("/login", data={"name": name, "password": PASSWORD,
                                             "csrf_token": token.group(1),
                                             "next": "/facilities"})
    if done.status_code != 303:
        raise RuntimeError(f"login of {name}: status {done.status_code}")


async def _timed(client, tally: Tally, buckets: tuple[list, ...], label: str, method: str,
                 path: str, expect: int, **kwargs):
    import httpx

    start = time.perf_counter()
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as err:
        tally.errors.append(f"{label} {method} {path}: {type(err).__name__}")
        return None
    latency = time.perf_counter() - start
    for bucket in buckets:
        bucket.append(latency)
    if response.status_code != expect:
        tally.errors.append(f"{label} {method} {path}: status {response.status_code} "
                            f"{response.text[:200]!r}")
        return None
    return response


@dataclass
class Gate:
    """Clients log in, report ready, and wait for ``start``; they stop at ``deadline``."""

    start: asyncio.Event
    ready: int = 0
    deadline: float = float("inf")

    async def wait(self) -> None:
        self.ready += 1
        await self.start.wait()


async def _reader(base: str, i: int, setup: Setup, tally: Tally, gate: Gate,
                  findings: bool) -> None:
    import httpx

    name, role, *_ = READERS[i % len(READERS)]
    paths = _reader_paths(role, findings)
    bearer = {"Authorization": f"Bearer {setup.tokens[name]}"}
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        await _login(client, name)
        await gate.wait()
        n = i
        while time.perf_counter() < gate.deadline:
            what, path = paths[n % len(paths)]
            n += 1
            if what == "page":
                await _timed(client, tally,
                             (tally.page_latencies, tally.by_page.setdefault(path, [])),
                             f"reader {i} ({name})", "GET", path, 200)
            else:
                await _timed(client, tally, (tally.api_latencies,), f"reader {i} ({name})",
                             "GET", path, 200, headers=bearer)


async def _writer(base: str, i: int, setup: Setup, tally: Tally, gate: Gate) -> None:
    import httpx

    name, kind = WRITERS[i % len(WRITERS)]
    bearer = {"Authorization": f"Bearer {setup.tokens[name]}"}
    plant = PLANT.read_text()
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        await gate.wait()
        n = 0
        while time.perf_counter() < gate.deadline:
            body = _draft(kind, i, n, plant)
            n += 1
            response = await _timed(client, tally, (tally.write_latencies,),
                                    f"writer {i} ({name})", "POST", "/api/records", 201,
                                    json=body, headers=bearer)
            if response is not None:
                record = response.json()
                if record.get("signature") is None:
                    tally.errors.append(f"writer {i}: record {record.get('id')} unsigned")
                tally.acknowledged[body["source"]] = int(record["id"])


async def drive(base: str, setup: Setup, readers: int, writers: int, seconds: float,
                findings: bool = True) -> Tally:
    """Log the readers in, then run every client for ``seconds`` (``findings``: analysts
    read the findings page too)."""
    tally = Tally()
    gate = Gate(asyncio.Event())
    tasks = [asyncio.create_task(_reader(base, i, setup, tally, gate, findings))
             for i in range(readers)]
    tasks += [asyncio.create_task(_writer(base, i, setup, tally, gate)) for i in range(writers)]
    # Logins (argon2id, ~50 ms each) happen before the clock starts.
    while gate.ready < len(tasks) and not any(t.done() for t in tasks):
        await asyncio.sleep(0.1)
    t0 = time.perf_counter()
    gate.deadline = t0 + seconds
    gate.start.set()
    await asyncio.gather(*tasks)
    tally.elapsed_s = time.perf_counter() - t0
    return tally


@dataclass(frozen=True)
class LedgerCheck:
    """The store after the run."""

    verifies: bool
    problems: tuple[str, ...]
    new_records: int
    lost: tuple[str, ...]            # acknowledged, not stored
    duplicated: tuple[str, ...]      # stored more than once
    unacknowledged: tuple[str, ...]  # stored, never acknowledged
    wrong_ids: tuple[str, ...]       # stored under another id than acknowledged


def check_ledger(setup: Setup, tally: Tally) -> LedgerCheck:
    from enrichwatch.records import RecordStore

    store = RecordStore.open(setup.url)
    try:
        report = store.verify()
        total = len(store)
        new = [r for r in store.history("FFEP") if r.source.startswith(SOURCE_PREFIX + "-")]
    finally:
        store.close()
    tags = Counter(r.source.split(" [web", 1)[0] for r in new)
    ids = {r.source.split(" [web", 1)[0]: r.id for r in new}
    acked = tally.acknowledged
    return LedgerCheck(
        report.ok, tuple(str(p) for p in report.problems[:5]), total - setup.records_before,
        tuple(sorted(set(acked) - set(tags))),
        tuple(sorted(t for t, c in tags.items() if c > 1)),
        tuple(sorted(set(tags) - set(acked))),
        tuple(sorted(t for t in acked if t in ids and ids[t] != acked[t])))


def run_load(url: str, readers: int, writers: int, seconds: float, folder: Path,
             findings: bool = True) -> tuple[Tally, LedgerCheck, Path]:
    """Prepare the store, start the server, drive the clients, stop, check the ledger."""
    setup = prepare(url, folder)
    port = free_port()
    log = folder / "server.log"
    server = start_server(setup, port, log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server)
        tally = asyncio.run(drive(base, setup, readers, writers, seconds, findings))
    finally:
        stop_server(server)
    return tally, check_ledger(setup, tally), log


# -- the benchmark ------------------------------------------------------------------------------
def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _timing(values: list[float]):
    from harness import Timing

    q = statistics.quantiles(values, n=4, method="inclusive")
    return Timing(statistics.median(values), q[0], q[2], min(values), max(values),
                  len(values), 1)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("ENRICHWATCH_BENCH_POSTGRES_URL"),
                        help="an empty database (default: $ENRICHWATCH_BENCH_POSTGRES_URL, "
                             "else a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--verdict", choices=("wall", "cpu"), default=None,
                        help="the clock of the timed verdicts, as for every benchmark "
                             "(default: $ENRICHWATCH_BENCH_VERDICT, else wall); latencies are "
                             "wall time at the client by nature, so their verdicts are on "
                             "wall time either way (the CPU time of the server and the "
                             "clients is printed apart)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from harness import Bench

    class LoadBench(Bench):
        def verdict(self, label: str, ok: bool, detail: str) -> None:
            self._verdict(label, ok, detail)

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'records.sqlite'}"
        backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (no PostgreSQL URL)"
        bench = LoadBench(f"web under load: {args.readers} readers + {args.writers} writers, "
                          f"{args.seconds:g} s, one server process, {backend}",
                          verdict=args.verdict)
        cpu0 = os.times()
        tally, ledger, log = run_load(url, args.readers, args.writers, args.seconds, folder)
        cpu1 = os.times()
        server_errors = [line for line in log.read_text(errors="replace").splitlines()
                         if "unhandled error" in line or "Traceback" in line]
    rate = tally.requests / tally.elapsed_s
    bench.info("throughput", f"{tally.requests} requests in {tally.elapsed_s:.1f} s: "
                             f"{rate:.1f} requests/s ({len(tally.page_latencies)} page reads, "
                             f"{len(tally.api_latencies)} API reads, "
                             f"{len(tally.write_latencies)} writes = "
                             f"{len(tally.write_latencies) / tally.elapsed_s:.1f} writes/s)")
    pages = tally.page_latencies
    if pages:
        bench.check("page reads: latency", _timing(pages))
        p95 = _percentile(pages, 95)
        bench.verdict("page reads: p95 latency < 1 s (client wall time)", p95 < 1.0,
                      f"p50 {_ms(statistics.median(pages))}, p95 {_ms(p95)}, "
                      f"p99 {_ms(_percentile(pages, 99))}, max {_ms(max(pages))}")
    for path, values in sorted(tally.by_page.items()):
        if len(values) > 1:
            bench.info(f"page {path}", f"{len(values)} reads, p50 "
                                       f"{_ms(statistics.median(values))}, p95 "
                                       f"{_ms(_percentile(values, 95))}, max {_ms(max(values))}")
    for label, values in (("API reads", tally.api_latencies), ("writes", tally.write_latencies)):
        if len(values) > 1:
            bench.info(f"{label}: latency", f"p50 {_ms(statistics.median(values))}, "
                                            f"p95 {_ms(_percentile(values, 95))}, "
                                            f"p99 {_ms(_percentile(values, 99))}")
    bench.verdict("no errors", not tally.errors and not server_errors,
                  f"{len(tally.errors)} client errors, {len(server_errors)} server errors"
                  + (f"; first: {(tally.errors + server_errors)[0]}"
                     if tally.errors or server_errors else ""))
    bench.verdict("ledger verifies after the run", ledger.verifies,
                  "ok" if ledger.verifies else "; ".join(ledger.problems))
    exact = (ledger.new_records == len(tally.acknowledged) and not ledger.lost
             and not ledger.duplicated and not ledger.unacknowledged and not ledger.wrong_ids)
    bench.verdict("records = writes acknowledged", exact,
                  f"{ledger.new_records} new records, {len(tally.acknowledged)} acknowledged; "
                  f"lost {len(ledger.lost)}, duplicated {len(ledger.duplicated)}, "
                  f"unacknowledged {len(ledger.unacknowledged)}, "
                  f"other id {len(ledger.wrong_ids)}")
    load = os.getloadavg()
    client_cpu = cpu1.user - cpu0.user + cpu1.system - cpu0.system
    server_cpu = (cpu1.children_user - cpu0.children_user
                  + cpu1.children_system - cpu0.children_system)
    bench.info("machine", f"{os.cpu_count()} cores, load average {load[0]:.1f} / "
                          f"{load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end; server, "
                          f"database and clients share it; CPU of the clients "
                          f"{client_cpu:.1f} s, of the server process {server_cpu:.1f} s "
                          "(PostgreSQL's not counted)")
    sys.exit(bench.finish())


if __name__ == "__main__":
    main()
