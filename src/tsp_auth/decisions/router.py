"""`POST /v1/decisions`: the seller console asks before each action of a TSP session."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tsp_auth.decisions import service
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.deps import get_sessionmaker, get_settings
from tsp_auth.errors import responses

router = APIRouter(tags=["decisions"])


@router.post(
    "/v1/decisions",
    summary="May this console session do this action on this shop? (allow or deny + reason)",
    responses=responses(400),
)
async def decide(body: DecisionRequest, request: Request) -> DecisionRead:
    # deps' getters called directly: declared as dependencies, FastAPI would solve each on
    # every call of the hottest route (docs/performance.md).
    settings, sessionmaker = await get_settings(request), await get_sessionmaker(request)
    return await service.decide_request(sessionmaker, body, sea_launch=settings.sea_launch_date)
