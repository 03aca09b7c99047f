"""`POST /v1/decisions`: the seller console asks before each action of a TSP session."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tsp_auth.decisions import service
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.errors import responses

router = APIRouter(tags=["decisions"])


@router.post(
    "/v1/decisions",
    summary="May this console session do this action on this shop? (allow or deny + reason)",
    responses=responses(400),
)
async def decide(body: DecisionRequest, request: Request) -> DecisionRead:
    state = request.app.state
    sea_launch = state.settings.sea_launch_date
    return await service.decide_request(state.sessionmaker, body, sea_launch=sea_launch)
