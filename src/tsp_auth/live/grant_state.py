"""A grant as token and decision code check it: fresh from the database, with its service's
validity, read in the caller's session (the token endpoint's unit of work, introspection's
own session)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import Grant, Service
from tsp_auth.policy import GrantFacts, grant_facts, service_is_valid


@dataclass(frozen=True, slots=True)
class LiveGrant:
    """One grant as token and decision code must check it: fresh from the database.

    A token is good only while ``version`` equals the version it carries and the policy
    (``check_login`` / ``decide_action`` on ``facts``) allows at the time of the call.
    """

    id: str
    kind: str
    version: int
    grantor_id: str
    grantee_id: str
    service_id: str | None
    facts: GrantFacts


def facts_of(grant: Grant, service_valid: bool) -> GrantFacts:
    """What the policy needs of a grant read together with its service's validity."""
    return grant_facts(
        status=grant.status,
        expires_at=grant.expires_at,
        items=grant.items,
        roles=grant.roles,
        areas=grant.areas,
        market=grant.market,
        service_valid=service_valid,
        authorized_object=grant.authorized_object,
    )


async def live_grant(session: AsyncSession, grant_id: str) -> LiveGrant | None:
    """Load a grant's current facts (one query, grant joined to its service's validity)."""
    result = await session.execute(
        select(Grant, Service.valid)
        .outerjoin(Service, Service.id == Grant.service_id)
        .where(Grant.id == grant_id)
        .execution_options(populate_existing=True)
    )
    row = result.first()
    if row is None:
        return None
    grant, valid = row
    return LiveGrant(
        id=grant.id,
        kind=grant.kind,
        version=grant.version,
        grantor_id=grant.grantor_id,
        grantee_id=grant.grantee_id,
        service_id=grant.service_id,
        facts=facts_of(grant, service_is_valid(valid)),
    )
