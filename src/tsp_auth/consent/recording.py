"""Writing a consent: the binding, and one grant per service (new or renewed).

Concurrency is left to the database (STYLE §11): the partial unique indexes
``uq_bindings_one_active`` and ``uq_grants_one_active_per_service`` refuse a second active row;
the loser of such a race inserts in a savepoint, sees the IntegrityError, and falls back to the
row the winner committed — what a sequential run would have done. See docs/consent.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.consent import repository
from tsp_auth.db import rows
from tsp_auth.errors import Conflict
from tsp_auth.models import Binding, Grant
from tsp_auth.models.base import new_id
from tsp_auth.policy import GrantStatus, Reason, Selection, effective_status


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """What the seller consented to for one service (seed 001: duration, email, terms)."""

    seller_id: str
    partner_id: str
    service_id: str
    binding_id: str
    market: str
    selection: Selection
    consented_by: str
    contact_email: str
    terms_version: str


@dataclass(frozen=True, slots=True)
class Recorded:
    grant: Grant
    renewed: bool


async def ensure_binding(
    session: AsyncSession, seller_id: str, partner_id: str, at: datetime
) -> Binding:
    """The active seller-partner binding, made by the first authorization (DESIGN §2)."""
    existing = await repository.active_binding(session, seller_id, partner_id)
    if existing is not None:
        return existing
    binding = Binding(
        id=new_id("bnd"), seller_id=seller_id, partner_id=partner_id, status="active", created_at=at
    )
    try:
        await rows.add_in_savepoint(session, binding)
    except IntegrityError:
        # A concurrent consent bound the two first; share its binding.
        existing = await repository.active_binding(session, seller_id, partner_id)
        if existing is None:
            raise
        return existing
    return binding


def _values(terms: GrantTerms, at: datetime) -> dict[str, Any]:
    picked = terms.selection
    return {
        "binding_id": terms.binding_id,
        "market": terms.market,
        "items": picked.items,
        "roles": picked.roles,
        "areas": picked.areas,
        "authorized_object": picked.authorized_object,
        "duration_days": picked.duration_days,
        "expires_at": at + timedelta(days=picked.duration_days),
        "consented_by": terms.consented_by,
        "contact_email": terms.contact_email,
        "terms_version": terms.terms_version,
        "status": GrantStatus.ACTIVE.value,
        "status_reason": None,
        "updated_at": at,
    }


async def record_grant(
    session: AsyncSession, terms: GrantTerms, at: datetime, *, may_renew_active: bool
) -> Recorded:
    """Create the (seller, service) grant, or renew the active or expired one in place.

    ``may_renew_active``: only the service the link names renews a grant still in force
    (seed 002 FAQ); any other service must not be authorized yet (seed 000).
    """
    existing = await repository.renewable_grant(session, terms.seller_id, terms.service_id)
    if existing is None:
        grant = Grant(
            id=new_id("grt"),
            kind="tsp_access",
            grantor_id=terms.seller_id,
            grantee_id=terms.partner_id,
            service_id=terms.service_id,
            scopes=frozenset(),
            version=1,
            created_at=at,
            **_values(terms, at),
        )
        try:
            await rows.add_in_savepoint(session, grant)
            return Recorded(grant, renewed=False)
        except IntegrityError:
            existing = await repository.renewable_grant(session, terms.seller_id, terms.service_id)
            if existing is None:
                raise
    return await _renew(session, existing, terms, at, may_renew_active=may_renew_active)


async def _renew(
    session: AsyncSession, grant: Grant, terms: GrantTerms, at: datetime, *, may_renew_active: bool
) -> Recorded:
    in_force = effective_status(grant.status, grant.expires_at, at) == GrantStatus.ACTIVE
    if in_force and not may_renew_active:
        # Authorized by a concurrent consent since this one was checked.
        raise Conflict(
            "this service was authorized meanwhile; reload the consent page",
            error=Reason.ALREADY_AUTHORIZED.value,
        )
    renewed = await repository.renew_grant(session, grant.id, _values(terms, at))
    if renewed is None:
        raise Conflict("the authorization changed while consenting; retry", error=Reason.CONFLICT)
    return Recorded(renewed, renewed=True)
