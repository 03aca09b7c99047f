"""Proposal rules: a partner admin proposes, the seller's main account accepts or declines, the
partner's admin withdraws (seed 002; docs/proposals.md).

Accepting is a consent: the same checks as the consent page (the service available to the
seller, the selection on offer in its market, the terms), then the grant through the consent's
recording (``consent.recording``, on the one write path), its usual events, and the
``proposal.accepted`` webhook to the partner.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.consent.offers import PartnerCatalogue, load_catalogue
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_admin
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import BadRequest, Conflict, Forbidden, Gone, NotFound
from tsp_auth.models import Seller, Service, ServiceOffer, ServiceProposal
from tsp_auth.models.base import new_id
from tsp_auth.policy import (
    PROPOSAL_TTL,
    Decision,
    Reason,
    Selection,
    check_proposal_market,
    check_proposal_open,
    check_selection,
)
from tsp_auth.proposals import repository
from tsp_auth.proposals.repository import Row
from tsp_auth.proposals.schemas import ProposalCreate
from tsp_auth.registry import repository as registry


def selection_of(data: ProposalCreate | ServiceProposal) -> Selection:
    return Selection(
        items=frozenset(data.items),
        roles=frozenset(data.roles),
        areas=frozenset(data.areas),
        authorized_object=data.authorized_object,
        duration_days=data.duration_days,
    )


def refuse(decision: Decision, error: type[BadRequest] | type[Conflict] | type[Forbidden]) -> None:
    if not decision.allow:
        raise error(f"refused: {decision.reason}", error=decision.reason)


async def catalogue_for(
    session: AsyncSession, seller: Seller, service: Service, at: datetime, sea_launch: date | None
) -> PartnerCatalogue:
    """The partner's offer to the seller today, checked for the proposed service."""
    catalogue = await load_catalogue(session, seller, service.partner_id, at, sea_launch=sea_launch)
    # The proposal's own service may renew a grant in force, as the service's own link may.
    refuse(catalogue.availability(service.id, service.id), Conflict)
    return catalogue


async def _offer_custom(session: AsyncSession, service: Service, seller_id: str) -> None:
    """A proposal of a custom service offers it to the seller (seed 002: "custom service …
    offered to named sellers")."""
    if service.visibility == "custom" and not await registry.has_offer(
        session, service.id, seller_id
    ):
        await rows.add(session, ServiceOffer(service_id=service.id, seller_id=seller_id))


async def _seller_and_service(
    session: AsyncSession, partner_id: str, data: ProposalCreate
) -> tuple[Seller, Service]:
    service = await registry.get_service(session, data.service_id)
    if service is None or service.partner_id != partner_id:
        raise NotFound("no such service of your partner", error=Reason.UNKNOWN_SERVICE)
    seller = await registry.get_seller(session, data.seller_id)
    if seller is None:
        raise NotFound("no such seller", error=Reason.UNKNOWN_SELLER)
    return seller, service


async def create_proposal(
    session: AsyncSession, settings: Settings, caller: Caller, data: ProposalCreate
) -> Row:
    partner_id = require_partner_admin(caller, manages="proposals")
    seller, service = await _seller_and_service(session, partner_id, data)
    refuse(check_proposal_market(seller.market), Forbidden)
    at = now()
    await _offer_custom(session, service, seller.id)
    catalogue = await catalogue_for(session, seller, service, at, settings.sea_launch_date)
    refuse(check_selection(selection_of(data), catalogue.offer(service.id)), BadRequest)
    proposal = ServiceProposal(
        id=new_id("prp"),
        partner_id=partner_id,
        service_id=service.id,
        seller_id=seller.id,
        items=frozenset(data.items),
        roles=frozenset(data.roles),
        areas=frozenset(data.areas),
        authorized_object=data.authorized_object,
        duration_days=data.duration_days,
        message=data.message,
        status="open",
        created_by=caller.account_id,
        created_at=at,
        expires_at=at + PROPOSAL_TTL,
    )
    await rows.add(session, proposal)
    record_event(session, note(caller, "proposal.created", proposal))
    found = await repository.get(session, proposal.id)
    assert found is not None  # just written
    return found


def note(caller: Caller, action: str, proposal: ServiceProposal) -> AuditNote:
    return Actor.of(caller).note(
        action,
        partner_id=proposal.partner_id,
        seller_id=proposal.seller_id,
        detail={"proposal_id": proposal.id, "service_id": proposal.service_id},
    )


async def visible_proposal(session: AsyncSession, caller: Caller, proposal_id: str) -> Row:
    """The seller's accounts and the partner's see a proposal; nobody else (404)."""
    found = await repository.get(session, proposal_id)
    if found is None:
        raise NotFound("no such proposal")
    proposal = found[0]
    if caller.seller_id != proposal.seller_id and caller.partner_id != proposal.partner_id:
        raise NotFound("no such proposal")
    return found


async def list_proposals(session: AsyncSession, caller: Caller) -> list[Row]:
    if caller.kind == "seller" and caller.seller_id is not None:
        return list(await repository.listed(session, seller_id=caller.seller_id))
    if caller.kind == "partner" and caller.partner_id is not None:
        return list(await repository.listed(session, partner_id=caller.partner_id))
    raise Forbidden("only sellers and partners have proposals", error=Reason.FORBIDDEN)


def check_open(proposal: ServiceProposal, at: datetime) -> None:
    decision = check_proposal_open(proposal.status, proposal.expires_at, at)
    if decision.reason == Reason.PROPOSAL_EXPIRED:
        raise Gone("this proposal has expired", error=decision.reason)
    refuse(decision, Conflict)


async def close(
    session: AsyncSession, caller: Caller, proposal: ServiceProposal, status: str, at: datetime
) -> None:
    """Claim the open proposal; a concurrent answer that won first makes this one a 409."""
    if not await repository.close(
        session, proposal.id, status=status, account_id=caller.account_id, at=at
    ):
        raise Conflict("this proposal was answered meanwhile", error=Reason.PROPOSAL_NOT_OPEN)
