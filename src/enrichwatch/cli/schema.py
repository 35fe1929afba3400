"""``enrichwatch schema``: the JSON schemas that every ``--json`` output follows."""

from __future__ import annotations

import json
import sys
from importlib import resources

import typer

from .app import SCHEMA_VERSION, BadInput, app, console

__all__ = ["schema", "schema_names", "schema_text"]


def schema_names() -> list[str]:
    """Names of the shipped schemas (``swu``, ``ideal``, ..., ``error``)."""
    folder = resources.files("enrichwatch.cli") / "schemas"
    return sorted(p.name.removesuffix(".schema.json") for p in folder.iterdir()
                  if p.name.endswith(".schema.json"))


def schema_text(name: str) -> str:
    """The JSON schema ``name`` as shipped (JSON Schema draft 2020-12)."""
    if name not in schema_names():
        raise BadInput("NAME", name, "one of " + ", ".join(schema_names()))
    return (resources.files("enrichwatch.cli") / "schemas" / f"{name}.schema.json").read_text(
        encoding="utf-8")


@app.command()
def schema(
    name: str = typer.Argument(None, help="Schema to print (a command name, or error); "
                                          "omit to list them."),
) -> None:
    """Print the JSON schema of a command's --json output, or list the schemas.

    Every --json output starts with "schema" (its name) and "schema_version".

    Example: enrichwatch schema swu
    """
    if name is None:
        from rich.table import Table

        table = Table(title=f"JSON schemas (version {SCHEMA_VERSION}): enrichwatch schema NAME",
                      box=None, show_edge=False)
        table.add_column("name", no_wrap=True)
        table.add_column("what the output holds", overflow="fold")
        for n in schema_names():
            table.add_row(n, json.loads(schema_text(n))["description"])
        console().print(table)
        return
    sys.stdout.write(schema_text(name))
