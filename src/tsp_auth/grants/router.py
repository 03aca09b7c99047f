"""Grant routes: sellers, partners and operators read grants; the seller edits and cancels
them; an operator deactivates them (seed 002, DESIGN §2)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep, SettingsDep
from tsp_auth.grants import removal, service
from tsp_auth.grants.schemas import (
    GrantCancelled,
    GrantDeactivate,
    GrantPage,
    GrantQuery,
    GrantRead,
    GrantUpdate,
)
from tsp_auth.kit.errors import responses

router = APIRouter(tags=["grants"])


async def _sea_launch(settings: SettingsDep) -> date | None:
    return settings.sea_launch_date


SeaLaunchDep = Annotated[date | None, Depends(_sea_launch)]


@router.get(
    "/v1/grants",
    summary="The grants the caller may see, oldest first",
    responses=responses(400, 401),
)
async def list_grants(
    query: Annotated[GrantQuery, Query()], caller: CallerDep, session: ReadSessionDep
) -> GrantPage:
    return await service.list_grants(session, caller, query)


@router.get("/v1/grants/{grant_id}", summary="One grant", responses=responses(401, 404))
async def read_grant(grant_id: str, caller: CallerDep, session: ReadSessionDep) -> GrantRead:
    return await service.read_grant(session, caller, grant_id)


@router.patch(
    "/v1/grants/{grant_id}",
    summary="The seller's main account edits the items, roles and areas of a grant",
    responses=responses(400, 401, 403, 404, 409),
)
async def edit_grant(
    grant_id: str,
    body: GrantUpdate,
    caller: CallerDep,
    session: SessionDep,
    sea_launch: SeaLaunchDep,
) -> GrantRead:
    return await service.edit_grant(session, caller, grant_id, body, sea_launch=sea_launch)


@router.post(
    "/v1/grants/{grant_id}/cancel",
    summary="The seller cancels the binding and every active grant with that partner",
    responses=responses(401, 403, 404, 409),
)
async def cancel_grant(grant_id: str, caller: CallerDep, session: SessionDep) -> GrantCancelled:
    return await service.cancel_grant(session, caller, grant_id)


@router.delete(
    "/v1/grants/{grant_id}",
    summary="The seller removes one service: this grant ends, the binding and the others stay",
    responses=responses(401, 403, 404, 409),
)
async def remove_grant(grant_id: str, caller: CallerDep, session: SessionDep) -> GrantRead:
    return await removal.remove_grant(session, caller, grant_id)


@router.post(
    "/v1/grants/{grant_id}/deactivate",
    summary="An operator deactivates a grant",
    responses=responses(400, 401, 403, 404, 409),
)
async def deactivate_grant(
    grant_id: str, body: GrantDeactivate, caller: CallerDep, session: SessionDep
) -> GrantRead:
    return await service.deactivate_grant(session, caller, grant_id, body.reason)
