"""Shared helpers of the command-line tests: the CLI run in-process (exit code, stdout and
stderr as text), with ``--json`` and its output parsed, or in a child process."""

import json
import os
import subprocess
import sys

import pytest

from enrichwatch.cli import main


@pytest.fixture()
def cli(capsys):
    """``cli("solve", path, "--json") -> (exit code, stdout, stderr)``; arguments may be paths
    or numbers (passed as text)."""

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture()
def cli_json(cli):
    """``cli_json("swu", ...) -> (exit code, parsed stdout, stderr)``: ``--json`` appended."""

    def run(*args):
        code, out, err = cli(*args, "--json")
        return code, json.loads(out), err

    return run


@pytest.fixture()
def cli_process():
    """``cli_process("machines", ...) -> CompletedProcess``: ``python -m enrichwatch`` in a child
    process (text output, 60 s timeout), without ``ENRICHWATCH_DEBUG``."""

    def run(*args):
        env = {k: v for k, v in os.environ.items() if k != "ENRICHWATCH_DEBUG"}
        return subprocess.run([sys.executable, "-m", "enrichwatch", *map(str, args)],
                              capture_output=True, text=True, timeout=60, env=env)

    return run
