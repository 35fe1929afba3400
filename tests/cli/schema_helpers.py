"""Checking a command's ``--json`` output against its shipped schema (cli/schemas/NAME.schema.json),
for the schema tests and for the command tests whose outputs are too slow to make twice."""

import json
from functools import cache

import jsonschema

from enrichwatch.cli.app import SCHEMA_VERSION
from enrichwatch.cli.schema import schema_text

__all__ = ["schema_of", "validate_output", "validator"]


@cache
def schema_of(name: str) -> dict:
    """The shipped schema ``name``, parsed."""
    return json.loads(schema_text(name))


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A draft 2020-12 validator of the schema ``name`` (the schema itself checked first)."""
    schema = schema_of(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_output(name: str, data: dict) -> None:
    """Raise unless ``data`` follows the schema ``name`` and is stamped with it."""
    validator(name).validate(data)
    assert data["schema"] == f"enrichwatch/{name}" and data["schema_version"] == SCHEMA_VERSION
