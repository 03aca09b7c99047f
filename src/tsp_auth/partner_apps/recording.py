"""The grant a partner authorization records: new, or the active one renewed in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.grants.engine import record_grant as record
from tsp_auth.grants.terms import NewGrant
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Client, Grant, Partner
from tsp_auth.partner_apps import repository
from tsp_auth.partner_apps.rules import TAP_CATEGORY


async def record_grant(
    session: AsyncSession,
    grantor: Partner,
    client: Client,
    caller: Caller,
    scopes: frozenset[str],
    at: datetime,
) -> tuple[Grant, bool]:
    """A new grant, or the active one renewed in place (one per partner and app, STYLE §11).

    No expiry: a partner authorization lasts until the partner cancels it (seed 004 names no
    duration; DESIGN §2 lists expiry for TSP access only).
    """
    assert client.service_id is not None
    new = NewGrant(
        kind=repository.PARTNER_APP,
        grantor_id=grantor.id,
        grantee_id=client.id,
        consented_by=caller.account_id,
        service_id=client.service_id,
        items=frozenset({TAP_CATEGORY}),
        scopes=scopes,
    )
    recorded = await record(session, new, at)
    return recorded.grant, recorded.renewed
