"""Every command's --help shows each option's unit, at 80 columns; --version; COLUMNS honoured
when piped."""

import re
from importlib.metadata import version

import pytest
import typer.main

from enrichwatch.cli.app import app
from enrichwatch.cli.entry import register_commands

register_commands()                 # (every command, as `enrichwatch --help` does)

UNIT = re.compile(r"\[[^\]]+\]")


def _commands(group, path=()):
    yield path, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _all_commands():
    return list(_commands(typer.main.get_command(app)))


def _units(command) -> list[str]:
    return [u for p in command.params for u in UNIT.findall(getattr(p, "help", None) or "")]


def test_the_commands_declare_units_in_their_help():
    """The check below is not vacuous: the physics commands state units."""
    units = [u for _, c in _all_commands() for u in _units(c)]
    assert "[percent]" in units and "[kg U]" in units and len(units) >= 10


@pytest.mark.parametrize("path", [p for p, c in _all_commands() if _units(c)],
                         ids=lambda p: " ".join(p) or "root")
def test_help_shows_every_unit(cli, monkeypatch, path):
    monkeypatch.setenv("COLUMNS", "80")
    command = dict(_all_commands())[path]
    code, out, _ = cli(*path, "--help")
    assert code == 0
    flat = " ".join(out.split())
    for unit in _units(command):
        assert " ".join(unit.split()) in flat, f"{unit} missing from `{' '.join(path)} --help`"
    assert max(len(line) for line in out.splitlines()) <= 80


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"enrichwatch {version('enrichwatch')}"


@pytest.mark.parametrize("columns", ["80", "150"])
def test_piped_output_follows_columns(cli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = cli("machines")
    assert code == 0
    widths = [len(line) for line in out.splitlines()]
    assert max(widths) <= int(columns)
    assert "\x1b[" not in out                          # plain text when piped


def test_nonsense_columns_falls_back_to_120(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "wide")
    code, out, _ = cli("machines")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 120
