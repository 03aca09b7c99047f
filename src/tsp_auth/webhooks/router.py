"""Webhook endpoints of the caller's partner (docs/operations.md)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep, SettingsDep
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.identity.guards import require_partner_admin
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQueryDep, sequence_page
from tsp_auth.webhooks import service
from tsp_auth.webhooks.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookSecretRotated,
)

router = APIRouter(tags=["webhooks"])


async def _webhook_admin(caller: CallerDep) -> str:
    return require_partner_admin(caller, manages="webhooks")


# The partner whose admin calls: for webhook routes whose first check is the role.
WebhookAdminDep = Annotated[str, Depends(_webhook_admin)]


@router.post(
    "/v1/webhooks",
    summary="A partner admin registers an endpoint; the answer shows its secret once",
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 409),
)
async def create_webhook(
    body: WebhookCreate,
    response: Response,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> WebhookCreated:
    response.headers["Cache-Control"] = "no-store"
    return await idempotency.once(201, partial(service.register, session, settings, caller, body))


@router.get(
    "/v1/webhooks",
    summary="The partner's webhook endpoints (never their secrets)",
    responses=responses(401, 403),
)
async def list_webhooks(
    caller: CallerDep, session: ReadSessionDep, page: PageQueryDep
) -> WebhookList:
    endpoints = await service.list_endpoints(session, caller)
    items, cursor = sequence_page(endpoints, page, lambda e: (e.created_at, e.id))
    return WebhookList(items=items, next_cursor=cursor)


@router.delete(
    "/v1/webhooks/{endpoint_id}",
    summary="Delete an endpoint; its undelivered events are cancelled",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(401, 403, 404),
)
async def delete_webhook(
    endpoint_id: str, partner_id: WebhookAdminDep, session: SessionDep
) -> Response:
    await service.delete(session, partner_id, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/v1/webhooks/{endpoint_id}/secret",
    summary="Rotate an endpoint's signing secret; the answer shows the new one once",
    responses=responses(401, 403, 404),
)
async def rotate_webhook_secret(
    endpoint_id: str,
    response: Response,
    partner_id: WebhookAdminDep,
    session: SessionDep,
    settings: SettingsDep,
) -> WebhookSecretRotated:
    response.headers["Cache-Control"] = "no-store"
    return await service.rotate_secret(session, settings, partner_id, endpoint_id)
