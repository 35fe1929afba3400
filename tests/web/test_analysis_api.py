"""The analyses of the JSON API: ``POST /api/breakout`` gives what ``enrichwatch breakout FILE
--json`` gives (the same plan, the same schema), refuses a bad state file at its keys with
nothing computed, and only analysts run it; ``GET /api/facilities/{code}/outlook`` says when
the bundled record does not cover the facility's country."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrichwatch.breakout import load_state, plan_breakout
from enrichwatch.cli.app import stamped
from tests.cli.schema_helpers import validate_output

FEB_2023 = Path(__file__).parents[2] / "examples" / "breakout" / "feb-2023.toml"


def _post(clients, tokens, who, body):
    headers = {"Authorization": f"Bearer {tokens[who]}"}
    return clients[None].post("/api/breakout", json=body, headers=headers)


def test_an_analyst_gets_the_plan_the_command_line_gives(clients, tokens):
    response = _post(clients, tokens, "alice",
                     {"state_toml": FEB_2023.read_text(encoding="utf-8"), "sq": 1})
    assert response.status_code == 200, response.text[:300]
    data = response.json()
    validate_output("breakout", stamped("breakout", data))   # the CLI's contract
    expected = plan_breakout(load_state(FEB_2023), 1).as_dict()
    assert data["days_to_n_sq"] == pytest.approx(expected["days_to_n_sq"], rel=1e-12)
    assert len(data["schedule"]) == len(expected["schedule"])


def test_an_unreachable_target_is_an_answer_not_an_error(clients, tokens):
    response = _post(clients, tokens, "alice",
                     {"state_toml": FEB_2023.read_text(encoding="utf-8"), "sq": 10})
    assert response.status_code == 200
    assert response.json()["days_to_n_sq"] is None and response.json()["schedule"] == []


@pytest.mark.parametrize(("text", "field"), [
    ("[state\nname = 1", "state_toml: line"),
    ('[state]\nname = "X"\ndate = "2023-02-28"\n[[stocks]]\nassay_wt_pct = 160\nkg = 1\n',
     "state_toml: stocks[0]"),
])
def test_a_bad_state_file_is_refused_at_its_key(clients, tokens, text, field):
    response = _post(clients, tokens, "alice", {"state_toml": text})
    assert response.status_code == 422
    body = response.json()
    assert body["problems"] and any(p["field"].startswith(field) for p in body["problems"]), body
    assert "Traceback" not in response.text


@pytest.mark.parametrize("body", [{"state_toml": "x", "sq": 0}, {"state_toml": "x", "sq": 1e9},
                                  {"state_toml": "x", "model": "magic"},
                                  {"state_toml": "x", "extra": 1},
                                  {"state_toml": "x" * ((1 << 20) + 1)}])
def test_out_of_range_inputs_are_refused_before_any_work(clients, tokens, body):
    response = _post(clients, tokens, "alice", body)
    assert response.status_code == 422 and "Traceback" not in response.text


@pytest.mark.parametrize("who", ["ann", "ivan", "admin"])
def test_only_analysts_run_analyses(clients, tokens, who):
    response = _post(clients, tokens, who,
                     {"state_toml": FEB_2023.read_text(encoding="utf-8")})
    assert response.status_code == 403


def test_the_outlook_of_a_country_the_record_does_not_cover(clients, tokens):
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    data = clients[None].get("/api/facilities/PFEP/outlook", headers=headers).json()
    assert data["state"] == "not covered" and data["covered_country"] == "Iran"
    assert data["country"] != "Iran" and data["rows"] == []
    json.dumps(data)


def test_an_anonymous_request_is_refused_before_its_body_is_read(clients):
    response = clients[None].post("/api/breakout", json={"sq": "not a number"})
    assert response.status_code == 401
