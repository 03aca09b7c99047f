"""The grant a partner authorization records: new, or the active one renewed in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.errors import Conflict
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Client, Grant, Partner
from tsp_auth.models.base import new_id
from tsp_auth.partner_apps import repository
from tsp_auth.partner_apps.rules import TAP_CATEGORY
from tsp_auth.policy import Reason


async def record_grant(
    session: AsyncSession,
    grantor: Partner,
    client: Client,
    caller: Caller,
    scopes: frozenset[str],
    at: datetime,
) -> tuple[Grant, bool]:
    """A new grant, or the active one renewed in place (one per partner and app, STYLE §11)."""
    assert client.service_id is not None
    values = {
        "grantee_id": client.id,
        "scopes": scopes,
        "items": frozenset({TAP_CATEGORY}),
        "consented_by": caller.account_id,
        "updated_at": at,
    }
    current = await repository.active_grant(session, grantor.id, client.service_id)
    if current is None:
        grant = _new_grant(grantor.id, client.service_id, at, values)
        if await repository.add_in_savepoint(session, grant):
            return grant, False
        # A concurrent consent of the same partner won the insert: renew what it made.
        current = await repository.active_grant(session, grantor.id, client.service_id)
    renewed = await repository.renew(session, current.id, values) if current else None
    if renewed is None:
        raise Conflict("this authorization changed meanwhile; try again", error=Reason.CONFLICT)
    return renewed, True


def _new_grant(grantor_id: str, service_id: str, at: datetime, values: dict[str, object]) -> Grant:
    # No expiry: a partner authorization lasts until the partner cancels it (seed 004 names
    # no duration; DESIGN §2 lists expiry for TSP access only).
    return Grant(
        id=new_id("grt"),
        kind=repository.PARTNER_APP,
        grantor_id=grantor_id,
        service_id=service_id,
        binding_id=None,
        market=None,
        roles=frozenset(),
        areas=frozenset(),
        authorized_object=None,
        duration_days=None,
        expires_at=None,
        contact_email=None,
        terms_version=None,
        status="active",
        status_reason=None,
        version=1,
        created_at=at,
        **values,
    )
