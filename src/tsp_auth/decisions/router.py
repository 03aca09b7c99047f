"""`POST /v1/decisions`: the seller console asks before each action of a TSP session.

The hottest route: a direct route (``direct_routes``), served before FastAPI's stack; its body
is read once in the route (``json_body``) and its answer sent as bytes (docs/performance.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth.decisions import service
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.deps import get_sessionmaker, get_settings
from tsp_auth.kit.direct_routes import DirectRoute
from tsp_auth.kit.errors import responses
from tsp_auth.kit.json_body import json_body, read_json

router = APIRouter(tags=["decisions"], route_class=DirectRoute)


@router.post(
    "/v1/decisions",
    summary="May this console session do this action on this shop? (allow or deny + reason)",
    response_model=DecisionRead,
    responses=responses(400),
    openapi_extra=json_body(DecisionRequest),
)
async def decide(request: Request) -> Response:
    body = await read_json(request, DecisionRequest)
    # deps' getters called directly: declared as dependencies, FastAPI would solve each on
    # every call of the hottest route.
    settings, sessionmaker = await get_settings(request), await get_sessionmaker(request)
    answer = await service.decide_request(sessionmaker, body, sea_launch=settings.sea_launch_date)
    return Response(answer.model_dump_json(), media_type="application/json")
