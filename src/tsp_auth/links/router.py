"""`POST /v1/authorization-links`: the link a partner sends to a seller."""

from __future__ import annotations

from fastapi import APIRouter

from tsp_auth.deps import CallerDep, SessionDep, SettingsDep, link_creation
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.links import service
from tsp_auth.links.schemas import AuthorizationLinkCreate, AuthorizationLinkRead

router = APIRouter(tags=["links"])


@router.post(
    "/v1/authorization-links",
    summary="The authorization link of one of the caller's partner services",
    responses=responses(400, 401, 403, 404, 429),
    dependencies=[link_creation],
)
async def create_authorization_link(
    body: AuthorizationLinkCreate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> AuthorizationLinkRead:

    async def create() -> AuthorizationLinkRead:
        link = await service.create_link(session, settings, caller, body)
        return AuthorizationLinkRead(
            url=link.url, service_id=link.service_id, state=link.state, purpose=link.purpose
        )

    return await idempotency.once(200, create)
