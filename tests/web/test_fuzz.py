"""Schema fuzzing of the JSON API (issue 13) with schemathesis, in process (ASGI, no server):
every operation of the OpenAPI schema at ``/api/openapi.json``, with requests that follow
the schema and requests that break it, as each role and anonymous, on SQLite and PostgreSQL.
No response may be a 5xx, carry a stack trace, a Python exception's name or a database
driver's message, or lack the security headers.

Deterministic: Hypothesis is derandomized (the same cases on every run) and keeps no example
database; each backend's store is fresh for this module (the fuzzing may append records and
create accounts, which later cases then see, in the same order every run).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

from tests.web.helpers import ACCOUNTS, server_failures  # noqa: E402

#: Cases per operation, per generation mode (valid, invalid) and per identity.
MAX_EXAMPLES = 6
WHO = [None, *ACCOUNTS]


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(scope="module")
def asgi_client(app):
    from schemathesis.python import asgi

    with asgi.get_client(app) as client:
        yield client


def _problems(response) -> list[str]:
    out = server_failures(response)
    policy = response.headers.get("content-security-policy", "")
    if not isinstance(policy, str):            # schemathesis: a list of the header's values
        policy = " ".join(policy)
    if "default-src 'none'" not in policy or "frame-ancestors 'none'" not in policy:
        out.append("no content security policy")
    return out


def _fuzz(operation, mode, client, headers: dict, found: list) -> int:
    """Run the cases of one operation in one mode; problems go to ``found``."""
    sent = []

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(session=client, headers=headers)
        sent.append(1)
        problems = _problems(response)
        if problems:
            found.append((operation.label, mode.value, case.path_parameters, case.query,
                          case.body, response.status_code, problems, response.text[:300]))

    try:
        run()
    except Unsatisfiable:          # no invalid request exists (an operation without inputs)
        pass
    return len(sent)


@pytest.mark.parametrize("who", WHO, ids=[str(w) for w in WHO])
def test_fuzz_the_api_as_each_role(api_schema, asgi_client, tokens, who):
    from schemathesis import GenerationMode

    headers = {} if tokens[who] is None else {"Authorization": f"Bearer {tokens[who]}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    found: list = []
    sent = sum(_fuzz(op, mode, asgi_client, headers, found)
               for op in operations
               for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))
    assert sent >= len(operations) * 2
    assert not found, "\n".join(map(repr, found[:10]))


def test_the_leak_check_can_fail(web_store):
    """The checks catch a 500, a traceback and a missing policy (the fuzzing's oracle)."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import make_app

    app = make_app(web_store)

    def leaky():
        return {"detail": 'Traceback (most recent call last):\n  File "x.py", line 1'}

    app.add_api_route("/api/leaky", leaky)
    response = TestClient(app, base_url="https://testserver").get("/api/leaky")
    assert _problems(response) == ["leaks 'Traceback'"]
    response.headers.pop("content-security-policy")
    assert "no content security policy" in _problems(response)


@pytest.mark.parametrize("record_id", [2**31 - 1, 2**31, 2**40, 2**62 - 1])
def test_record_ids_beyond_the_column_are_not_found(clients, tokens, record_id):
    """Found by the fuzzing on PostgreSQL (ids are 32-bit there): a larger id was a 500 from
    the database's conversion error; it is no record, like any other missing id."""
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    assert clients[None].get(f"/api/records/{record_id}", headers=headers).status_code == 404
    assert clients["alice"].get(f"/records/{record_id}").status_code == 404


def test_a_sample_naming_an_inspection_id_beyond_the_column_is_refused(clients, tokens):
    headers = {"Authorization": f"Bearer {tokens['ivan']}"}
    body = {"kind": "sample", "facility": "FFEP", "valid_from": "2023-01-22",
            "source": "fuzz", "payload": {"inspection": 2**40, "sample_id": "ES-9",
                                          "kind": "environmental", "max_u235_pct": 60.0,
                                          "results": [], "summary": ""}}
    response = clients[None].post("/api/records", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert any(p["field"] == "inspection" for p in response.json()["problems"])
