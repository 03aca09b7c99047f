"""`POST /v1/decisions` (and its batch): the seller console asks before each action of a TSP
session.

The hottest route: a direct route (``direct_routes``), served before FastAPI's stack; its body
is read once in the route (``json_body``) and its answer sent as bytes (docs/performance.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth.decisions import batch, service
from tsp_auth.decisions.batch_schemas import (
    BatchDecisionRead,
    BatchDecisionRequest,
    DecisionCheck,
)
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.deps import get_sessionmaker, get_settings
from tsp_auth.kit.direct_routes import DirectRoute
from tsp_auth.kit.errors import responses
from tsp_auth.kit.json_body import json_body, read_json

router = APIRouter(tags=["decisions"], route_class=DirectRoute)
# ``json_schemas`` lists the models ``json_body`` is given, not the models nested in them: the
# batch's check is named too, so the OpenAPI document holds the schema its array refers to.
json_body(DecisionCheck)


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


@router.post(
    "/v1/decisions/batch",
    summary="Several decisions for one console session, answered in order",
    response_model=BatchDecisionRead,
    responses=responses(400),
    openapi_extra=json_body(BatchDecisionRequest),
)
async def decide_batch(request: Request) -> Response:
    body = await read_json(request, BatchDecisionRequest)
    settings, sessionmaker = await get_settings(request), await get_sessionmaker(request)
    answers = await batch.decide_batch(sessionmaker, body, sea_launch=settings.sea_launch_date)
    return Response(answers.model_dump_json(), media_type="application/json")
