"""Every ``enrichwatch`` command of the README, docs/ and the examples' READMEs (fenced bash
blocks) runs as documented at ``COLUMNS=80``, exits 0, and prints no cut number or header (no
"…" anywhere in its text output: rich cuts a cell with one).

Commands are run in order, one document at a time, in a fresh folder (so that ``records add``
comes before ``records history``), with the repository's ``examples/`` beside them. A command is
left out only for a reason listed in :data:`SKIPPED`; lines that are not ``enrichwatch`` commands
(setting up a virtual environment, running the tests) are not commands of the package.
"""

import io
import re
import shlex
from pathlib import Path

import pytest

from enrichwatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "examples").glob("*/README.md"))]
FENCE = re.compile(r"^```(?:bash|sh|shell|console)\n(.*?)^```", re.S | re.M)

#: Commands left out, by a pattern they match, and why.
SKIPPED = {
    r"--timeline": "runs the breakout schedules at every IAEA report date: minutes (issue 16 "
                   "measured 230 s), too long for the suite",
    r"--dask tcp://scheduler:8786": "needs a Dask scheduler at a placeholder address",
    r"--samples 100000\b": "100,000 Monte Carlo samples: too long for the suite (the same "
                           "command runs with the file's own sample count elsewhere)",
    r"--samples 10000\b": "10,000 Monte Carlo samples of the breakout plan: too long for the "
                          "suite (the plan itself runs in the line before)",
    r"^enrichwatch transient ": "a transient history with its uncertainty sweep runs for "
                                "minutes (tests/cli/test_transient_command.py runs short ones)",
    r"^enrichwatch serve ": "starts a web server that runs until stopped (the web tutorial's "
                            "own test runs it)",
}


def _commands(document: Path) -> list[str]:
    """The ``enrichwatch ...`` commands of the document's bash blocks, in order (continuation
    lines joined, ``&&`` chains split, comments dropped, ``[optional]`` brackets opened), with
    the two pieces of shell they need: ``rm -f FILE`` before one, ``echo TEXT |`` into one."""
    found = []
    for block in FENCE.findall(document.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                feed, _, command = part.rpartition("|") if "|" in part else ("", "", part)
                words = shlex.split(command, comments=True)
                if words[:2] == ["rm", "-f"]:
                    found.append(shlex.join(words))
                elif words and Path(words[0]).name == "enrichwatch":
                    echo = shlex.split(feed)
                    text = (" ".join(["enrichwatch", *words[1:]]).replace("[", "")
                            .replace("]", ""))
                    found.append(text + (f" <<< {shlex.quote(' '.join(echo[1:]))}"
                                         if echo[:1] == ["echo"] else ""))
    return found


def _skip_reason(command: str) -> str | None:
    return next((why for pattern, why in SKIPPED.items() if re.search(pattern, command)), None)


CASES = [(doc, i, command) for doc in DOCUMENTS for i, command in enumerate(_commands(doc))]


def test_the_documents_hold_commands():
    """Not vacuous: the README's tutorials are found, and most of them run."""
    readme = [c for d, _, c in CASES if d.name == "README.md" and d.parent == ROOT
              and c.startswith("enrichwatch")]
    assert len(readme) >= 30
    assert sum(_skip_reason(c) is None for c in readme) >= 0.75 * len(readme)


def _absolute(word: str, folder: Path) -> str:
    """A path written relative to an example's own folder, made absolute."""
    here = folder / word
    return str(here.resolve()) if not word.startswith("-") and "/" in word and here.exists() \
        and not (ROOT / word).exists() else word


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder per module, with examples/ beside the outputs, so that the commands of one
    document see the files the earlier ones wrote."""
    folder = tmp_path_factory.mktemp("documented")
    (folder / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    return folder


@pytest.mark.parametrize("document, index, command",
                         [pytest.param(d, i, c, id=f"{d.relative_to(ROOT)}:{i} {c[12:60]}")
                          for d, i, c in CASES])
def test_documented_command_runs_at_80_columns(document, index, command, workdir, monkeypatch,
                                               capsys):
    reason = _skip_reason(command)
    if reason:
        pytest.skip(reason)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(workdir)                    # outputs here, never in the checkout
    words = shlex.split(command)
    if words[:2] == ["rm", "-f"]:                 # shell set-up: only in the work folder
        for name in words[2:]:
            (workdir / Path(name).name).unlink(missing_ok=True)
        return
    if "<<<" in words:                            # echo TEXT | enrichwatch ...: TEXT on stdin
        at = words.index("<<<")
        monkeypatch.setattr("sys.stdin", io.StringIO(words[at + 1] + "\n"))
        words = words[:at]
    args = [_absolute(w, document.parent) for w in words[1:]]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, f"{command}\n{err}"
    if "--json" in args or args[0] == "schema":       # JSON: not laid out for a terminal
        return
    for name, text in (("stdout", out), ("stderr", err)):
        cut = [line for line in text.splitlines() if "…" in line]
        assert not cut, f"{command}: cut text in {name} at 80 columns:\n" + "\n".join(cut)
        assert max((len(line) for line in text.splitlines()), default=0) <= 80, command
