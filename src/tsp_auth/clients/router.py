"""Client registration and management: operators and partner admins (docs/oauth.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from tsp_auth.clients import service
from tsp_auth.clients.schemas import (
    ClientCreate,
    ClientPage,
    ClientRead,
    ClientUpdate,
    ClientWithSecret,
)
from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep, SettingsDep
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.no_store import NoStoreRoute
from tsp_auth.kit.pagination import PageQuery

# Answers may carry a client secret: never cached (RFC 6749 §5.1 by analogy).
router = APIRouter(tags=["clients"], route_class=NoStoreRoute)


@router.post(
    "/v1/clients",
    status_code=status.HTTP_201_CREATED,
    summary="Register a client; its secret is shown in this answer only",
    responses=responses(400, 401, 403, 404, 409),
)
async def register_client(
    body: ClientCreate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> ClientWithSecret:

    async def create() -> ClientWithSecret:
        client, secret = await service.register_client(session, settings, caller, body)
        return ClientWithSecret(**ClientRead.of(client).model_dump(), client_secret=secret)

    return await idempotency.once(201, create)


@router.get("/v1/clients", summary="The clients the caller may see", responses=responses(401))
async def list_clients(
    caller: CallerDep, session: ReadSessionDep, page: Annotated[PageQuery, Query()]
) -> ClientPage:
    clients, cursor = await service.list_clients(session, caller, page)
    return ClientPage(items=[ClientRead.of(c) for c in clients], next_cursor=cursor)


@router.get("/v1/clients/{client_id}", responses=responses(401, 404))
async def read_client(client_id: str, caller: CallerDep, session: ReadSessionDep) -> ClientRead:
    return ClientRead.of(await service.visible_client(session, caller, client_id))


@router.patch(
    "/v1/clients/{client_id}",
    summary="Change a client's status, redirect URIs, allowed origins or scopes",
    responses=responses(400, 401, 403, 404),
)
async def update_client(
    client_id: str,
    body: ClientUpdate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ClientRead:
    client = await service.update_client(session, settings, caller, client_id, body)
    return ClientRead.of(client)


@router.post(
    "/v1/clients/{client_id}/secret",
    summary="Rotate the secret: the new one is shown once, the old one stops working",
    responses=responses(400, 401, 403, 404),
)
async def rotate_secret(client_id: str, caller: CallerDep, session: SessionDep) -> ClientWithSecret:
    client, secret = await service.rotate_secret(session, caller, client_id)
    return ClientWithSecret(**ClientRead.of(client).model_dump(), client_secret=secret)
