"""Answering a proposal: the seller's main account accepts (a consent) or declines; the
partner's admin withdraws an open one. Each answer claims the open row in one statement, so
of two concurrent answers exactly one wins (``repository.close``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.consent.recording import GrantTerms, record_grant
from tsp_auth.grants.engine import ensure_binding
from tsp_auth.grants.events import grants_changed
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_main_account, require_partner_admin
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import Seller, Service, ServiceProposal
from tsp_auth.policy import check_selection, check_terms
from tsp_auth.proposals import repository
from tsp_auth.proposals.repository import Row
from tsp_auth.proposals.schemas import ProposalAccept
from tsp_auth.proposals.service import (
    catalogue_for,
    check_open,
    close,
    note,
    refuse,
    selection_of,
    visible_proposal,
)
from tsp_auth.registry import repository as registry
from tsp_auth.webhooks.outbox import emit


def _payload(proposal: ServiceProposal, status: str, at: datetime) -> dict[str, Any]:
    """The ``proposal.*`` webhook data: which proposal the seller answered, and how."""
    return {
        "proposal_id": proposal.id,
        "service_id": proposal.service_id,
        "seller_id": proposal.seller_id,
        "status": status,
        "grant_id": proposal.grant_id,
        "decided_at": at.isoformat(),
    }


async def _seller_proposal(
    session: AsyncSession, caller: Caller, proposal_id: str
) -> tuple[Row, Seller]:
    seller_id = require_main_account(caller)
    found = await visible_proposal(session, caller, proposal_id)
    seller = await registry.get_seller(session, seller_id)
    assert seller is not None  # the caller's own seller
    return found, seller


def _check_terms(body: ProposalAccept, current: str) -> None:
    decision = check_terms(body.terms_version if body.terms_accepted else None, current)
    if not decision.allow:
        raise BadRequest(f"accept the terms version {current} to continue", error=decision.reason)


async def accept(
    session: AsyncSession,
    settings: Settings,
    caller: Caller,
    proposal_id: str,
    body: ProposalAccept,
) -> Row:
    """The seller consents to what the proposal asks: a grant, through the consent's path."""
    (proposal, service, _), seller = await _seller_proposal(session, caller, proposal_id)
    at = now()
    check_open(proposal, at)
    _check_terms(body, settings.terms_version)
    catalogue = await catalogue_for(session, seller, service, at, settings.sea_launch_date)
    selection = selection_of(proposal)
    refuse(check_selection(selection, catalogue.offer(service.id)), BadRequest)
    await close(session, caller, proposal, "accepted", at)  # the first write
    grant_id = await _record(session, caller, proposal, seller, service, body, at)
    await repository.set_grant(session, proposal.id, grant_id)
    return await _answered(session, caller, proposal_id, "proposal.accepted", at)


async def _record(
    session: AsyncSession,
    caller: Caller,
    proposal: ServiceProposal,
    seller: Seller,
    service: Service,
    body: ProposalAccept,
    at: datetime,
) -> str:
    binding = await ensure_binding(session, seller.id, service.partner_id, at)
    terms = GrantTerms(
        seller_id=seller.id,
        partner_id=service.partner_id,
        service_id=service.id,
        binding_id=binding.id,
        market=seller.market,
        selection=selection_of(proposal),
        consented_by=caller.account_id,
        contact_email=str(body.contact_email),
        terms_version=body.terms_version,
    )
    recorded = await record_grant(session, terms, at, may_renew_active=True)
    action = "grant.renewed" if recorded.renewed else "grant.created"
    await grants_changed(session, [recorded.grant], action, Actor.of(caller), at=at)
    return recorded.grant.id


async def decline(session: AsyncSession, caller: Caller, proposal_id: str) -> Row:
    (proposal, _, _), _ = await _seller_proposal(session, caller, proposal_id)
    at = now()
    check_open(proposal, at)
    await close(session, caller, proposal, "declined", at)
    return await _answered(session, caller, proposal_id, "proposal.declined", at)


async def withdraw(session: AsyncSession, caller: Caller, proposal_id: str) -> Row:
    require_partner_admin(caller, manages="proposals")
    proposal, _, _ = await visible_proposal(session, caller, proposal_id)
    at = now()
    check_open(proposal, at)
    await close(session, caller, proposal, "withdrawn", at)
    return await _answered(session, caller, proposal_id, "proposal.withdrawn", at)


async def _answered(
    session: AsyncSession, caller: Caller, proposal_id: str, action: str, at: datetime
) -> Row:
    """Record the answer (audit; webhook to the partner for the seller's answers)."""
    found = await repository.get(session, proposal_id)
    assert found is not None  # just answered
    proposal = found[0]
    record_event(session, note(caller, action, proposal))
    if action in ("proposal.accepted", "proposal.declined"):
        payload = _payload(proposal, proposal.status, at)
        await emit(session, action, proposal.partner_id, payload, at=at)
    return found
