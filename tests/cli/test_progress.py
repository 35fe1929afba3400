"""The progress bar of long commands: on standard error when it is a terminal (a pseudo-terminal
here), with the true total of each phase and a count that reaches it; nothing when standard
error is piped or with --quiet; never on standard output."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "examples" / "breakout" / "may-2025.toml"
STUDY = ROOT / "examples" / "accountancy" / "protracted-loss.toml"
MISUSE = ROOT / "examples" / "detection" / "fordow-repiping-2023.toml"
DECLARED = ROOT / "examples" / "fordow-2023" / "declared.toml"
OBSERVED = ROOT / "examples" / "fordow-2023" / "observed.toml"
CASCADE = ROOT / "examples" / "natanz-jcpoa" / "ir1-cascade.toml"
CASE = ROOT / "examples" / "fordow-2023" / "case.toml"
HISTORY = ROOT / "examples" / "transient" / "repiping-direct.toml"
BAR = "━"                                      # rich's bar glyph (tables draw it too)
PHASES = ("planning steps", "Monte Carlo set-up", "Monte Carlo samples",
          "Monte Carlo iterations", "report dates", "transient runs", "reading declared",
          "solving ", "evaluating FFEP as of", "writing ")


def _no_bar(text: str) -> bool:
    return not any(phase in text for phase in PHASES)


def _on_a_terminal(*args) -> tuple[int, str, str]:
    """Run the CLI in a child process with standard error on a pseudo-terminal and standard
    output on a pipe: (exit code, what the terminal received, standard output)."""
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items()
           if k not in ("ENRICHWATCH_DEBUG", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
                        "TTY_INTERACTIVE")}
    env.update(TERM="xterm-256color", COLUMNS="140")
    child = subprocess.Popen([sys.executable, "-m", "enrichwatch", *map(str, args)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                             env=env, cwd=ROOT)
    os.close(slave)
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(child.stdout.read()))
    reader.start()
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:                          # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    code = child.wait(timeout=300)
    reader.join(timeout=300)
    return code, seen.decode("utf-8", "replace"), out[0].decode()


def test_breakout_plan_and_monte_carlo_show_their_true_totals():
    code, term, out = _on_a_terminal("breakout", STATE, "--samples", 2000, "--no-cache")
    assert code == 0, term
    assert "planning steps" in term and BAR in term
    assert "Monte Carlo samples" in term and "2000/2000" in term and "0/2000" in term
    assert "?" not in term.replace("\x1b[?", "")            # no unknown total
    assert _no_bar(out) and "uncertainty (2000 samples)" in out


def test_quiet_draws_no_bar_on_a_terminal():
    code, term, out = _on_a_terminal("breakout", STATE, "--samples", 500, "--quiet")
    assert code == 0
    assert BAR not in term and _no_bar(term)
    assert "uncertainty (500 samples)" in out


def test_accountancy_counts_iterations_of_every_run():
    code, term, out = _on_a_terminal("accountancy", STUDY, "--iterations", 1000)
    assert code == 0, term
    assert "Monte Carlo iterations" in term and "6000/6000" in term     # 2 quantities x 3 runs
    assert _no_bar(out)


def test_detection_monte_carlo_counts_samples():
    code, term, _ = _on_a_terminal("detection", MISUSE, "--method", "monte-carlo",
                                   "--samples", 120_000)
    assert code == 0, term
    assert "Monte Carlo samples" in term and "120000/120000" in term


@pytest.mark.parametrize("args", [("breakout", STATE, "--samples", 300),
                                  ("accountancy", STUDY, "--iterations", 300),
                                  ("detection", MISUSE, "--method", "monte-carlo",
                                   "--samples", 1000)])
def test_piped_standard_error_gets_no_bar(cli, args):
    code, out, err = cli(*args)
    assert code == 0, err
    assert _no_bar(out) and _no_bar(err) and BAR not in err


@pytest.mark.parametrize("command", ["breakout", "accountancy", "detection", "solve", "compare",
                                     "evaluate", "transient"])
def test_quiet_is_offered_with_one_meaning(cli, command):
    code, out, _ = cli(command, "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "--quiet" in flat and "No progress bar on standard error" in flat


@pytest.fixture()
def store(tmp_path, cli_json):
    path = tmp_path / "fordow.sqlite"
    assert cli_json("records", "add", CASE, "--db", path)[0] == 0
    return path


def _step_commands(store) -> dict[str, tuple]:
    """The step-counted commands, each with its last step's label and its number of steps."""
    return {"solve": (("solve", CASCADE), "solving ", "2/2"),
            "compare": (("compare", DECLARED, OBSERVED), "comparing at", "5/5"),
            "evaluate": (("evaluate", "FFEP", "--as-of", "2023-02-01", "--db", store,
                          "--no-cache"), "evaluating FFEP", "2/2"),
            "transient": (("transient", DECLARED, "--history", HISTORY, "--no-sweep"),
                          "transient runs", "1/1")}


@pytest.mark.parametrize("command", ["solve", "compare", "evaluate", "transient"])
def test_step_commands_count_their_steps_on_a_terminal(store, command):
    args, label, count = _step_commands(store)[command]
    code, term, out = _on_a_terminal(*args)
    assert code == 0, term
    assert label in term and count in term and BAR in term
    assert _no_bar(out)


def test_a_report_is_one_more_step(tmp_path):
    code, term, _ = _on_a_terminal("solve", CASCADE, "--report", tmp_path / "r.html")
    assert code == 0, term
    assert "writing r.html" in term and "3/3" in term


@pytest.mark.parametrize("command", ["solve", "compare", "evaluate", "transient"])
def test_step_commands_quiet_draws_no_bar(store, command):
    args, _, _ = _step_commands(store)[command]
    for quiet in ("--quiet", "-q"):
        code, term, out = _on_a_terminal(*args, quiet)
        assert code == 0, term
        assert BAR not in term and _no_bar(term) and _no_bar(out)


@pytest.mark.parametrize("command", ["solve", "compare", "evaluate", "transient"])
def test_step_commands_piped_standard_error_gets_no_bar(cli, store, command):
    args, _, _ = _step_commands(store)[command]
    code, out, err = cli(*args)
    assert code == 0, err
    assert _no_bar(out) and _no_bar(err) and BAR not in err


class _Stream:
    """A standard error that says whether it is a terminal (and writes nowhere)."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("tty_compatible", [None, "0", "1", ""])
@pytest.mark.parametrize("force_color", [None, "", "1"])
def test_rich_is_skipped_only_when_it_would_see_no_terminal(monkeypatch, tty, tty_compatible,
                                                           force_color):
    """The check made before loading rich never says "no terminal" when rich would draw the
    bar; and piped, with neither variable set, it says so (so rich is not loaded)."""
    from rich.console import Console

    from enrichwatch.cli.progress import _may_be_terminal, progress_bar

    for name, value in (("TTY_COMPATIBLE", tty_compatible), ("FORCE_COLOR", force_color)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stderr", _Stream(tty))
    rich_says = Console(stderr=True).is_terminal
    assert _may_be_terminal() or not rich_says
    if not tty and tty_compatible != "1" and not force_color:
        assert not _may_be_terminal()
    with progress_bar() as bar:
        assert (bar is not None) == rich_says
