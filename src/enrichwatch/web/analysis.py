"""The analyses of the JSON API (under ``/api``): a breakout plan of a state file the analyst
posts (as ``enrichwatch breakout FILE --json``), and the breakout and detection timelines over
the bundled public record (as the outlook page shows them).

Analysts run analyses; the timelines are read by whoever may read the facility, as on its page.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from .api import _authenticated
from .app import facility_code, require, web
from .service import OUTLOOK_COUNTRY

__all__ = ["router"]

router = APIRouter(tags=["enrichwatch"], dependencies=[Depends(_authenticated)])

#: Largest state file accepted [characters], as for files read from disk.
MAX_STATE_CHARS = 1 << 20


class BreakoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state_toml: str = Field(max_length=MAX_STATE_CHARS,
                            description="a breakout state file as text (the format of "
                                        "examples/breakout/*.toml)")
    sq: float = Field(1.0, gt=0, le=100, allow_inf_nan=False,
                      description="significant quantities wanted")
    model: Literal["repiped", "as-built"] = Field("repiped", description="plant model")
    sq_definition: Literal["iaea", "90pct"] = Field("iaea", description="SQ definition")


class OutlookOut(BaseModel):
    country: str | None
    covered_country: str
    state: str = Field(description="'idle', 'computing', 'ready', 'failed' or 'not covered'")
    rows: list[dict[str, Any]]
    assumptions: list[str]
    error: str


def _problems(err: InputError) -> JSONResponse:
    problems = getattr(err, "problems", None) or ()
    body = {"detail": "the state file was refused: nothing was computed",
            "problems": [{"field": f"state_toml: {p.key}", "message": str(p)} for p in problems]
            or [{"field": f"state_toml: {getattr(err, 'param', '')}", "message": str(err)}]}
    return JSONResponse(body, status_code=422)


@router.post("/breakout", responses={422: {"description": "problems with the state file"}})
def breakout(request: Request, body: BreakoutIn) -> Any:
    """The fastest schedule to ``sq`` significant quantities of 90 % uranium from the posted
    state (analysts); the same JSON as ``enrichwatch breakout FILE --json``, without the
    Monte Carlo."""
    from ..breakout import plan_breakout
    from ..breakout.sq import sq_statement, sq_u235_kg
    from ..breakout.state_io import state_from_toml_text

    require(request, "analysis.run")
    try:
        state = state_from_toml_text(body.state_toml, "state_toml")
        plan = plan_breakout(state, body.sq, model=body.model,
                             sq_u235_kg=sq_u235_kg(body.sq_definition))
    except InputError as err:
        return _problems(err)
    return _plain({**plan.as_dict(), "n_sq": body.sq, "uncertainty": None,
                   "sq_definition": body.sq_definition,
                   "sq_statement": sq_statement(body.sq_definition), "report": None})


@router.get("/facilities/{code}/outlook", response_model=OutlookOut)
def outlook(request: Request, code: str) -> dict:
    """The breakout and detection timelines for the facility's country, where the bundled
    public record covers it (state 'computing' until they are ready: ask again)."""
    facility_code(code)
    require(request, "records.read", code, "facility")
    ledger = web(request).ledger
    country = ledger.country(code)
    if country != OUTLOOK_COUNTRY:
        return {"country": country, "covered_country": OUTLOOK_COUNTRY, "state": "not covered",
                "rows": [], "assumptions": [], "error": ""}
    view = ledger.outlook.view()
    return {"country": country, "covered_country": OUTLOOK_COUNTRY, "state": view.state,
            "rows": [_plain(r) for r in view.rows], "assumptions": list(view.assumptions),
            "error": view.error}


def _plain(value: Any) -> Any:
    from .api import _plain as plain

    return plain(value)
