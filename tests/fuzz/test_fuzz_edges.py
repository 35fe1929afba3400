"""Fuzzing the edges: generated plant files, case files and command lines run through the CLI.

Every generated input must end in exit 0 or 1: never exit 2, never a traceback, and never take
more than :data:`DEADLINE_S` seconds of CPU time: a ``SIGPROF`` interval timer interrupts the
run and fails the example (CPU time, not wall-clock time, so that a loaded machine does not make
the harness flaky; a run blocked without using CPU, e.g. on a FIFO, is failed by a ``SIGALRM``
backstop after :data:`WALL_BACKSTOP_S` seconds). Output of ``--json`` runs must be strict JSON;
a database password given on the command line never appears in the output.

The number of examples is chosen by ``ENRICHWATCH_FUZZ``:

- ``ci`` (default): a small sample, deterministic (``derandomize``), well under a minute;
- ``nightly``: 3,400 examples per test, 10,200 in all (``ENRICHWATCH_FUZZ=nightly pytest
  tests/fuzz``; 10-30 minutes per test on a shared two-core machine; the three tests can run
  in parallel, and hypothesis draws new examples on every nightly run).

``ENRICHWATCH_FUZZ_EXAMPLES=N`` sets the number per test directly. Each test prints its tally
of exit codes (run with ``-s`` to see it); ``ENRICHWATCH_FUZZ_LOG=FILE`` appends one line per
run (test, exit code, wall-clock and CPU seconds) as it goes.

Not fuzzed, on purpose: ``breakout --timeline`` (a fixed computation over the bundled data that
takes longer than the deadline on a loaded machine: a benchmark, not an edge), ``--dask``
(connects to a scheduler) and ``--samples`` values between 50 and the limit (a Monte Carlo of
that size is a legitimate, long request).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import tempfile
import time
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrichwatch.cli import main

ROOT = Path(__file__).parents[2]
FORDOW = ROOT / "examples" / "fordow-2023"
PLANTS = sorted((ROOT / "tests" / "data" / "plants").glob("*.toml")) + [
    FORDOW / "declared.toml", FORDOW / "observed.toml",
    ROOT / "examples" / "natanz-jcpoa" / "ir1-cascade.toml",
    ROOT / "examples" / "design-20pct" / "ir2m-20pct.toml"]
STATE = ROOT / "examples" / "breakout" / "feb-2023.toml"

#: Most CPU time a single generated run may take [s].
DEADLINE_S = 10
#: Longest a run may block, wall-clock [s] (generous: a loaded machine only slows runs down).
WALL_BACKSTOP_S = 300
_LEVELS = {"ci": 25, "nightly": 3400}

_level = os.environ.get("ENRICHWATCH_FUZZ", "ci")
if _level not in _LEVELS:
    raise ValueError(f"ENRICHWATCH_FUZZ = {_level!r}: expected one of {', '.join(_LEVELS)}")
_examples = int(os.environ.get("ENRICHWATCH_FUZZ_EXAMPLES", _LEVELS[_level]))
settings.register_profile(
    f"enrichwatch-fuzz-{_level}", max_examples=_examples, deadline=None,
    derandomize=_level == "ci", database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example])
FUZZ = settings.get_profile(f"enrichwatch-fuzz-{_level}")

TALLY: dict[str, Counter] = {}


class Hang(BaseException):
    """A run went on too long (not an Exception: main() must not catch it)."""


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    os.environ.pop("ENRICHWATCH_DEBUG", None)
    os.environ.pop("ENRICHWATCH_DB", None)
    yield
    for name, tally in TALLY.items():
        codes = dict(sorted(tally.items()))
        print(f"\nfuzz {name}: {sum(tally.values())} runs, exit codes {codes}")


def run_cli(argv: list, cwd: Path, tally: str, strict_json: bool = False) -> tuple[int, str, str]:
    """Run the CLI in-process in ``cwd``; fail on exit 2, a traceback or a hang. Returns the
    exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()

    def over_cpu(*_):
        raise Hang(f"run over {DEADLINE_S} s of CPU time: {argv!r}")

    def over_wall(*_):
        raise Hang(f"run blocked over {WALL_BACKSTOP_S} s: {argv!r}")

    previous = (signal.signal(signal.SIGPROF, over_cpu), signal.signal(signal.SIGALRM, over_wall))
    old = os.getcwd()
    started, cpu = time.monotonic(), time.process_time()     # logged only
    signal.setitimer(signal.ITIMER_PROF, DEADLINE_S)
    signal.setitimer(signal.ITIMER_REAL, WALL_BACKSTOP_S)
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in argv])
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])
        os.chdir(old)
    text = out.getvalue() + err.getvalue()
    TALLY.setdefault(tally, Counter())[code] += 1
    if os.environ.get("ENRICHWATCH_FUZZ_LOG"):
        with open(os.environ["ENRICHWATCH_FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{tally}\t{code}\t{time.monotonic() - started:.3f}\t"
                      f"{time.process_time() - cpu:.3f}\n")
    assert code in (0, 1), f"exit {code} for {argv!r}:\n{text[-3000:]}"
    assert "Traceback" not in text, text[-3000:]
    if strict_json and "--json" in argv and out.getvalue():
        json.loads(out.getvalue())
    return code, out.getvalue(), err.getvalue()


# -- hostile values -------------------------------------------------------------------------------
NASTY_TEXT = [":x:", ":smile:", "[bold red]x[/]", "[/]", "[link=http://e]x[/link]", "\u202eevil",
              "a\nb", "", " ", " A", "\x00", "\x1b[31mred", "Ι", "FF\u0415P", "../../etc/passwd",
              "/dev/zero", "x" * 300, "\ud7ff", "'\"", "${HOME}", "%s%n", "<script>x</script>",
              "A.product", "B.tails", "*"]
NASTY_NUMBERS = [0, 1, -1, 2, 10**6, 10**6 + 1, 2**63, -(2**63), 10**23, 99999999999999999999999,
                 0.5, -0.0, 1e-300, 5e-324, 1e300, float("inf"), float("-inf"), float("nan")]

texts = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12))
numbers = st.one_of(st.sampled_from(NASTY_NUMBERS), st.integers(-5, 10**4),
                    st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(texts, numbers, st.booleans(),
                    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def mostly(valid, often: int = 4):
    """``valid`` most of the time, a hostile value otherwise."""
    return st.one_of(*([valid] * often), anything)


def long_list(item):
    """Lists of a chosen length, long ones included (built, not drawn item by item)."""
    return st.builds(lambda n, x: [x] * n, st.sampled_from([1, 2, 5, 12, 199, 200, 201, 1000,
                                                            100_000]), item)


def deep(n: int):
    return [deep(n - 1)] if n else 1


# -- plant files ----------------------------------------------------------------------------------
MACHINES = ["IR-1", "IR-2m", "IR-4", "IR-6", "P-1", "own", "nope"]
CASCADE_NAMES = ["A", "B", "C", ":x:", "[b]B[/b]", "A "]
composition = mostly(st.sampled_from([{"U235": 0.711, "U238": 99.289},
                                      {"U235": 5.0, "U238": 95.0},
                                      {"U-234": 0.05, "U235": 20.0, "U238": 79.95},
                                      {"U235": 50.0}]))
design = st.fixed_dictionaries(
    {"feed": composition, "product_assay_pct": mostly(st.floats(0.8, 95.0)),
     "tails_assay_pct": mostly(st.floats(0.05, 0.7))},
    optional={"total_machines": mostly(st.integers(1, 5000)),
              "feed_rate": mostly(st.floats(1.0, 1e5)), "basis": mostly(st.just("atom"))})
_stages = mostly(st.lists(st.integers(1, 60), min_size=1, max_size=10), often=6)


def _cascade(stages):
    return st.fixed_dictionaries(
        {"name": mostly(st.sampled_from(CASCADE_NAMES)),
         "machine": mostly(st.sampled_from(MACHINES))},
        optional={"machines_per_stage": stages, "feed_stage": mostly(st.integers(0, 10)),
                  "cuts": mostly(st.lists(st.floats(0.05, 0.95), min_size=1, max_size=10)),
                  "design": mostly(design)})


# long stage lists only in a few cascades, many cascades only with short lists: the generated
# document stays small enough to write (a long list of long lists would not)
cascade = _cascade(_stages | long_list(st.integers(1, 3)))
short_cascade = _cascade(_stages)
plant_docs = st.fixed_dictionaries(
    {"facility": mostly(st.fixed_dictionaries({"name": mostly(st.sampled_from(
        ["Plant", ":x: [red]P[/]", "\u202eP"]))}, optional={"illustrative": st.booleans(),
                                                           "assumptions": st.lists(texts)})),
     "cascades": mostly(st.lists(cascade, min_size=1, max_size=3), often=8)
     | long_list(short_cascade),
     "feeds": mostly(st.lists(st.fixed_dictionaries(
         {"name": mostly(st.sampled_from(["feed", "f2"])),
          "to": mostly(st.sampled_from(CASCADE_NAMES)),
          "rate": mostly(st.floats(0.1, 1e5)), "composition": composition},
         optional={"stage": mostly(st.integers(0, 10))}), min_size=1, max_size=2))},
    optional={"units": mostly(st.fixed_dictionaries({"rate": mostly(st.sampled_from(
                  ["kg U/yr", "kg U/month", "kg UF6/yr", "kg UF6/month"]))})),
              "machines": mostly(st.fixed_dictionaries({"own": st.fixed_dictionaries(
                  {"source": mostly(st.just("test"))},
                  optional={"swu_per_yr": mostly(st.floats(0.1, 1e3)),
                            "stage_factor": mostly(st.floats(1.00001, 3.0)),
                            "length_m": mostly(st.floats(0.1, 5)),
                            "diameter_m": mostly(st.floats(0.05, 1)),
                            "speed_m_s": mostly(st.floats(100, 1000))})})),
              "streams": mostly(st.lists(st.fixed_dictionaries(
                  {"from": mostly(st.sampled_from(["A.product", "A.tails", "B.product",
                                                   "B.tails", "C.product"])),
                   "to": mostly(st.sampled_from(CASCADE_NAMES))},
                  optional={"fraction": mostly(st.floats(0.01, 1.0)),
                            "stage": mostly(st.integers(0, 10))}), max_size=3)),
              "withdrawals": mostly(st.lists(st.fixed_dictionaries(
                  {"from": mostly(st.sampled_from(["A.product", "A.tails", "B.product"]))},
                  optional={"name": mostly(st.sampled_from(["p", "t", ":x:"])),
                            "rate": mostly(st.floats(0.1, 1e4))}), max_size=2)),
              "deep": st.sampled_from([deep(5), deep(15), deep(16), deep(17), deep(200)])})


def _dump(doc: dict) -> str:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):          # what TOML cannot hold: write something else
        return "# not TOML-able\n" + repr(doc)[:2000]


MUTATIONS = ["", "[", "]]", "= ", "\x00", "\ufeff", "a = " + "[" * 3000 + "]" * 3000,
             "[" + ".".join(["t"] * 40) + "]\n", "\nx = 1\n", "\n[[cascades]]\n",
             'machines_per_stage = [' + ", ".join(["1"] * 300) + "]\n",
             "total_machines = 99999999999999999999999\n", "\n[facility]\n", "\"\"\"", "\\u0000"]


@st.composite
def plant_texts(draw) -> str:
    if draw(st.booleans()):
        return _dump(draw(plant_docs))
    text = draw(st.sampled_from(PLANTS)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 40))
        text = text[:at] + draw(st.sampled_from(MUTATIONS) | st.text(max_size=8)) + text[at + cut:]
    return text


@FUZZ
@given(text=plant_texts(), mode=st.sampled_from(["json", "table", "report", "compare"]))
def test_fuzz_plant_files(text, mode):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plant = folder / "plant.toml"
        plant.write_bytes(text.encode("utf-8", "surrogatepass"))
        argv = {"json": ["solve", plant, "--json"], "table": ["solve", plant],
                "report": ["solve", plant, "--report", folder / "r.html", "--json"],
                "compare": ["compare", PLANTS[0], plant, "--json"]}[mode]
        run_cli(argv, folder, "plant files", strict_json=True)


# -- case files -----------------------------------------------------------------------------------
TEMPLATE = tomllib.loads((FORDOW / "case.toml").read_text(encoding="utf-8"))["records"]
PLANT_FILES = ["declared.toml", "observed.toml", "../outside.toml", "/etc/passwd", "/dev/zero",
               "fifo.toml", "folder", "huge.toml", "notes.txt", "link-out.toml", "missing.toml",
               "sub/../declared.toml", "", "\x00", "declared.toml\n"]
CODES = ["FFEP", "FEP", "X", "*", "ffep", "FF\nEP", "FFEP\u202e", "FF\u0415P", "A" * 40, ""]
FIELDS = {"facility": mostly(st.sampled_from(CODES), often=2),
          "kind": st.sampled_from(["facility", "declaration", "inspection", "sample", "report",
                                   "stockpile", "installed_machines", "party", "rumour"]),
          "valid_from": st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
          | st.sampled_from(["2023-02-30", "2023-01-01", "yesterday"]),
          "known_on": st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
          "source": texts, "ref": texts | st.sampled_from(["ffep", "diq-2022-11"]),
          "supersedes": numbers | st.sampled_from(["ffep", "nope"]),
          "submitted_by": st.sampled_from(["IAEA", "Iran", "IA EA", "\u202eIAEA", ""]),
          "payload": anything}


@st.composite
def case_docs(draw) -> dict:
    entries = [dict(e) for e in TEMPLATE[:draw(st.integers(1, len(TEMPLATE)))]]
    for _ in range(draw(st.integers(0, 4))):
        entry = entries[draw(st.integers(0, len(entries) - 1))]
        key = draw(st.sampled_from([*FIELDS, "plant_file", "observed_plant_file", "extra"]))
        if key in ("plant_file", "observed_plant_file"):
            payload = entry.get("payload")
            entry["payload"] = dict(payload if isinstance(payload, dict) else {})
            entry["payload"].pop("plant", None)
            entry["payload"][key] = draw(mostly(st.sampled_from(PLANT_FILES), often=6))
        elif key == "extra":
            entry[draw(st.text(max_size=6))] = draw(anything)
        else:
            entry[key] = draw(FIELDS[key])
    if draw(st.integers(0, 9)) == 0:
        entries.append({k: draw(v) for k, v in FIELDS.items() if draw(st.booleans())})
    doc = {"records": entries}
    if draw(st.integers(0, 9)) == 0:
        doc["case"] = {"deep": deep(draw(st.sampled_from([3, 20, 100])))}
    return doc


def _case_folder(folder: Path) -> None:
    case = folder / "case"
    case.mkdir()
    for name in ("declared.toml", "observed.toml", "commissioning-2022-11.toml",
                 "feed-cylinder-change.toml"):
        shutil.copy(FORDOW / name, case / name)
    (folder / "outside.toml").write_text((FORDOW / "declared.toml").read_text())
    (case / "notes.txt").write_text("root:x:0:0:SECRET-LINE:/root:/bin/bash\n")
    (case / "folder").mkdir()
    (case / "link-out.toml").symlink_to(folder / "outside.toml")
    with open(case / "huge.toml", "wb") as f:
        f.truncate(2 * 1024 * 1024)
    os.mkfifo(case / "fifo.toml")


@FUZZ
@given(doc=case_docs(), outside=st.booleans())
def test_fuzz_case_files(doc, outside):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _case_folder(folder)
        path = folder / "case" / "case.toml"
        path.write_bytes(_dump(doc).encode("utf-8", "surrogatepass"))
        db = folder / "s.sqlite"
        argv = ["records", "add", path, "--db", db, "--json"]
        code, out, err = run_cli(argv + (["--allow-outside-files"] if outside else []),
                                 folder, "case files", strict_json=True)
        assert "SECRET-LINE" not in out + err
        if code == 0:
            for more in (["records", "verify"], ["records", "history", "FFEP"],
                         ["evaluate", "FFEP", "--as-of", "2023-02-01"]):
                run_cli([*more, "--db", db, "--json"], folder, "case files", strict_json=True)
        else:
            assert not db.exists()


# -- command lines --------------------------------------------------------------------------------
COMMANDS = [["swu"], ["ideal"], ["machines"], ["solve"], ["compare"], ["breakout"],
            ["records", "init"], ["records", "add"], ["records", "show"], ["records", "history"],
            ["records", "verify"], ["records", "keygen"], ["evaluate"], ["records"], [],
            ["nonsense"], ["--help"]]
OPTIONS = ["--feed", "--product", "--tails", "--basis", "--feed-kg", "--product-kg",
           "--tails-kg", "--swu-kg", "--optimal-tails", "--feed-price", "--swu-price",
           "--gamma-235", "--alpha-per-mass", "--mstar", "--process", "--real-stages",
           "--catalog", "--report", "--sq", "--samples", "--model", "--seed", "--since",
           "--until", "--db", "--kind", "--as-of", "--rules", "--key", "--private-key", "--out",
           "--json", "--allow-outside-files", "--help", "--", "-x"]
PASSWORD = "pw-Secret-77"
PATHS = ["plant.toml", "case/case.toml", "state.toml", "store.sqlite", "foreign.db", "text.db",
         "fifo", "folder", "huge.toml", "new.html", "new.sqlite", "nowhere/x.html", "/dev/null",
         "/dev/zero", "/nonexistent/x", "IAEA=key.pem", "IAEA=fifo", "=", ":x:"]
URLS = [f"postgresql://ann:{PASSWORD}@127.0.0.1:1/db", f"postgresql://ann:{PASSWORD}@h:x/db",
        f"mysql://ann:{PASSWORD}@127.0.0.1/db", "sqlite://", "sqlite:///new2.sqlite",
        f"postgresql://127.0.0.1:1/db?password={PASSWORD}", "://", "sqlite:////dev/null"]
VALUES = st.one_of(st.sampled_from(PATHS), st.sampled_from(URLS), texts,
                   numbers.map(str), st.sampled_from(
                       ["U235=0.711,U238=99.289", "U235=5", "U235=nan", "mass", "atom",
                        "gaseous", "centrifuge", "repiped", "as-built", "2023-02-01", "2023",
                        "2023-13-45", "FFEP", "IAEA", "jcpoa", "0", "5", "50", "-1",
                        "10000001", "1e400"]))


TEMPLATES = [
    ["swu", "--feed", "0.711", "--product", "5", "--tails", "0.3"],
    ["swu", "--feed", "0.711", "--product", "90", "--optimal-tails", "--feed-price", "100",
     "--swu-price", "120"],
    ["ideal", "--feed", "U235=0.711,U238=99.289", "--product", "5", "--tails", "0.3",
     "--gamma-235", "1.3"],
    ["ideal", "--feed", "U234=0.0055,U235=0.711,U238=99.2835", "--product", "20", "--tails",
     "0.25", "--alpha-per-mass", "0.1", "--real-stages"],
    ["machines"], ["machines", "--catalog", "plant.toml"],
    ["solve", "plant.toml"], ["solve", "plant.toml", "--report", "r.html"],
    ["compare", "plant.toml", "case/observed.toml"],
    ["breakout", "state.toml"], ["breakout", "state.toml", "--samples", "5", "--model",
                                 "as-built"],
    ["records", "init", "--db", "new.sqlite"], ["records", "verify", "--db", "store.sqlite"],
    ["records", "show", "3", "--db", "store.sqlite"],
    ["records", "history", "FFEP", "--db", "store.sqlite", "--as-of", "2023-01-21"],
    ["records", "add", "case/case.toml", "--db", "new.sqlite"],
    ["records", "keygen", "IAEA", "--private-key", "k.pem"],
    ["evaluate", "FFEP", "--as-of", "2023-02-01", "--db", "store.sqlite", "--rules", "jcpoa"],
]


@st.composite
def command_lines(draw) -> list[str]:
    if draw(st.booleans()):                      # a working command line, perturbed
        argv = list(draw(st.sampled_from(TEMPLATES)))
        for _ in range(draw(st.integers(0, 2))):
            argv[draw(st.integers(0, len(argv) - 1))] = draw(VALUES)
        if draw(st.booleans()):
            argv.append("--json")
    else:
        argv = list(draw(st.sampled_from(COMMANDS)))
    for _ in range(draw(st.integers(0, 6 if len(argv) < 3 else 2))):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            argv.append(draw(VALUES))
        else:
            option = draw(st.sampled_from(OPTIONS))
            argv += [option, draw(VALUES)] if choice == 1 else [option]
    for i, arg in enumerate(argv[:-1]):          # keep the Monte Carlo small (see docstring)
        if arg == "--samples":
            value = argv[i + 1]
            with contextlib.suppress(ValueError):
                if 50 < int(value) <= 10_000_000:
                    argv[i + 1] = "50"
    return argv


def _cli_folder(folder: Path) -> None:
    shutil.copytree(FORDOW, folder / "case")
    shutil.copy(PLANTS[0], folder / "plant.toml")
    shutil.copy(STATE, folder / "state.toml")
    shutil.copy(_store(), folder / "store.sqlite")
    with sqlite3.connect(folder / "foreign.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    (folder / "text.db").write_text("hello\n")
    (folder / "folder").mkdir()
    with open(folder / "huge.toml", "wb") as f:
        f.truncate(2 * 1024 * 1024)
    os.mkfifo(folder / "fifo")


_STORE: list[Path] = []


def _store() -> Path:
    """A record store holding the Fordow case, made once."""
    if not _STORE:
        folder = Path(tempfile.mkdtemp(prefix="enrichwatch-fuzz-"))
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["records", "add", str(FORDOW / "case.toml"), "--db",
                         str(folder / "s.sqlite"), "--json"]) == 0
        _STORE.append(folder / "s.sqlite")
    return _STORE[0]


@FUZZ
@given(argv=command_lines())
def test_fuzz_command_lines(argv):
    if "--timeline" in argv or "--dask" in argv:
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _cli_folder(folder)
        _, out, err = run_cli(argv, folder, "command lines")
        assert PASSWORD not in out + err
