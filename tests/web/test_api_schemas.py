"""What docs/web-api.md says of the JSON API and the command line's JSON schemas: a record
from the API is the object of ``enrichwatch records show --json``, and a facility's findings
the object of ``enrichwatch evaluate --json`` less its two command-line keys, each without the
``schema``/``schema_version`` stamp (the API's own contract is its OpenAPI schema)."""

from __future__ import annotations

from enrichwatch.cli.app import SCHEMA_VERSION
from tests.cli.schema_helpers import validate_output


def _stamped(name: str, body: dict) -> dict:
    return {"schema": f"enrichwatch/{name}", "schema_version": SCHEMA_VERSION, **body}


def _get(clients, tokens, who: str, path: str) -> dict:
    response = clients[None].get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_an_api_record_is_the_records_show_object_without_its_stamp(clients, tokens):
    for record_id in (1, 2, 4):
        body = _get(clients, tokens, "alice", f"/api/records/{record_id}")
        assert "schema" not in body and "schema_version" not in body
        validate_output("records-show", _stamped("records-show", body))


def test_api_findings_are_the_evaluate_object_less_its_command_line_keys(clients, tokens):
    body = _get(clients, tokens, "alice", "/api/facilities/FFEP/findings?as_of=2023-02-01")
    assert "schema" not in body and body["findings"]
    assert "store_verified" not in body and "report" not in body
    validate_output("evaluate", _stamped("evaluate", {**body, "store_verified": True,
                                                      "report": None}))
