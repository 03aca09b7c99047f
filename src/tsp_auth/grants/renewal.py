"""seed 002, My Service: the seller's main account renews one service's authorization for a
duration it picks. The rule of which grants may be renewed is ``policy.renewal``; the write is
the engine's ``renew_grant`` (same id, version + 1, so tokens and sessions of the previous
version stop working); a new ``expires_at`` starts a new reminder schedule, because reminders
are kept per (grant, expiry, days) (``sweeps``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.audit.service import Actor
from tsp_auth.clock import now
from tsp_auth.grants import repository
from tsp_auth.grants.engine import renew_grant
from tsp_auth.grants.events import grants_changed
from tsp_auth.grants.schemas import GrantRead, GrantRenew
from tsp_auth.grants.service import refuse, reread, selection_of, service_facts, visible_grant
from tsp_auth.grants.terms import NewGrant
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import BadRequest, Conflict, Forbidden
from tsp_auth.models import Grant
from tsp_auth.policy import (
    NO_MARKET,
    Reason,
    check_renewable,
    check_renewal,
    market_rules,
    offer_for,
)
from tsp_auth.policy.renewal import RENEWABLE, renewed_selection


def _require_seller_main(caller: Caller) -> None:
    if caller.kind == "seller" and not caller.is_seller_main:
        raise Forbidden("only the seller's main account may renew", error=Reason.NOT_MAIN_ACCOUNT)
    if not caller.is_seller_main:
        raise Forbidden("only the seller renews its authorizations", error=Reason.SELLER_ONLY)


async def _binding_active(session: AsyncSession, grant: Grant) -> bool:
    if grant.binding_id is None:
        return False
    binding = await repository.lock_binding(session, grant.binding_id)
    return binding is not None and binding.status == "active"


async def _check(
    session: AsyncSession, grant: Grant, duration_days: int, at: datetime, sea_launch: date | None
) -> None:
    binding_active = await _binding_active(session, grant)
    renewable = check_renewable(grant.status, grant.expires_at, at, binding_active=binding_active)
    refuse(renewable, Conflict)
    service_id = grant.service_id
    service = None if service_id is None else await repository.get_service(session, service_id)
    if service is None:
        raise Conflict("the grant's service no longer exists", error=Reason.SERVICE_NOT_VALID)
    rules = market_rules(grant.market or NO_MARKET, at, sea_launch=sea_launch)
    offer = offer_for(service_facts(service), rules)
    decision = check_renewal(selection_of(grant), duration_days, offer, service_valid=service.valid)
    refuse(decision, Conflict if decision.reason == Reason.SERVICE_NOT_VALID else BadRequest)


def _renewal_terms(grant: Grant, caller: Caller, duration_days: int) -> NewGrant:
    picked = renewed_selection(selection_of(grant), duration_days)
    return NewGrant(
        grant.kind,
        grantor_id=grant.grantor_id,
        grantee_id=grant.grantee_id,
        consented_by=caller.account_id,
        service_id=grant.service_id,
        binding_id=grant.binding_id,
        market=grant.market,
        items=picked.items,
        roles=picked.roles,
        areas=picked.areas,
        authorized_object=picked.authorized_object,
        duration_days=picked.duration_days,
        contact_email=grant.contact_email,
        terms_version=grant.terms_version,
    )


@audit_refusals("grant.renewed", "grant")
async def renew_by_seller(
    session: AsyncSession,
    caller: Caller,
    grant_id: str,
    data: GrantRenew,
    *,
    sea_launch: date | None,
) -> GrantRead:
    """The grant runs ``data.duration_days`` from now with what it holds (version + 1)."""
    at = now()
    grant = await visible_grant(session, caller, grant_id)
    _require_seller_main(caller)
    if data.version is not None and data.version != grant.version:
        raise Conflict("the grant changed since that version", error=Reason.GRANT_CHANGED)
    await _check(session, grant, data.duration_days, at, sea_launch)
    terms = _renewal_terms(grant, caller, data.duration_days)
    renewable = tuple(status.value for status in RENEWABLE)
    # Renewed only at the version its terms were read from: an edit that narrowed the grant
    # meanwhile is never undone by a renewal that read the wider terms before it.
    renewed = await renew_grant(
        session, grant.id, terms, at, renewable=renewable, version=grant.version
    )
    await grants_changed(session, [renewed], "grant.renewed", Actor.of(caller), at=at)
    return GrantRead.of(await reread(session, grant.id), at)
