"""Webhook endpoints of the caller's partner (docs/operations.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from tsp_auth.db import SessionDep
from tsp_auth.errors import responses
from tsp_auth.identity.callers import CallerDep
from tsp_auth.webhooks import service
from tsp_auth.webhooks.schemas import WebhookCreate, WebhookCreated, WebhookList

router = APIRouter(tags=["webhooks"])


@router.post(
    "/v1/webhooks",
    summary="A partner admin registers an endpoint; the answer shows its secret once",
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 409),
)
async def create_webhook(
    body: WebhookCreate,
    request: Request,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
) -> WebhookCreated:
    response.headers["Cache-Control"] = "no-store"
    return await service.register(session, request.app.state.settings, caller, body)


@router.get(
    "/v1/webhooks",
    summary="The partner's webhook endpoints (never their secrets)",
    responses=responses(401, 403),
)
async def list_webhooks(caller: CallerDep, session: SessionDep) -> WebhookList:
    return WebhookList(items=list(await service.list_endpoints(session, caller)))


@router.delete(
    "/v1/webhooks/{endpoint_id}",
    summary="Delete an endpoint; its undelivered events are cancelled",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(401, 403, 404),
)
async def delete_webhook(endpoint_id: str, caller: CallerDep, session: SessionDep) -> Response:
    await service.delete(session, caller, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
