"""Authorization links: a partner's account asks for the link of one of its services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.config import Settings
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account
from tsp_auth.kit import urls
from tsp_auth.kit.errors import BadRequest, NotFound
from tsp_auth.links.schemas import AuthorizationLinkCreate
from tsp_auth.oauth.authorize_query import Purpose, new_state
from tsp_auth.policy import Item, Reason
from tsp_auth.registry import repository as registry


@dataclass(frozen=True, slots=True)
class AuthorizationLink:
    url: str
    service_id: str
    state: str
    purpose: Purpose


async def create_link(
    session: AsyncSession, settings: Settings, caller: Caller, data: AuthorizationLinkCreate
) -> AuthorizationLink:
    partner_id = require_partner_account(caller)
    service = await registry.get_service(session, data.service_id)
    if service is None or service.partner_id != partner_id:
        raise NotFound("no such service")  # another partner's service does not exist for you
    if not service.valid:
        # seed 002: share the link of an "active service"; an invalid one cannot be authorized.
        raise BadRequest("this service is not valid", error=Reason.SERVICE_NOT_VALID)
    if data.purpose == "tsp_access" and Item.SELLER_CENTER_ACCESS not in service.qualified_items:
        # seed 001 "Request TSP Access" asks for seller center access; this service has none.
        raise BadRequest(
            "this service does not qualify for seller center access",
            error=Reason.ITEM_NOT_QUALIFIED,
        )
    partner = await registry.get_partner(session, partner_id)
    assert partner is not None  # foreign key of the caller's account
    state = data.state or new_state()
    url = urls.authorization_link(
        settings,
        region=partner.region,
        service_id=service.id,
        state=state,
        purpose=data.purpose,
    )
    return AuthorizationLink(url=url, service_id=service.id, state=state, purpose=data.purpose)
