"""A proposal in the consent page's words (seed 001/002): each item named, what it lets the
partner do, the roles, areas or object that come with it, and the duration. Pure."""

from __future__ import annotations

from datetime import datetime

from tsp_auth.consent.page_model import ITEM_HELP
from tsp_auth.models import Partner, Service, ServiceProposal
from tsp_auth.policy import (
    AREAS,
    AUTHORIZED_OBJECTS,
    DURATIONS,
    ITEMS,
    ROLES,
    Entry,
    Item,
    effective_proposal_status,
    label_of,
)
from tsp_auth.proposals.schemas import Labelled, ProposalItem, ProposalRead

# seed 001: "Please note that the partner can carry out actions on behalf of your account".
WARNING = "The partner can carry out actions on behalf of your account."


def _labelled(codes: frozenset[str], entries: tuple[Entry, ...]) -> list[Labelled]:
    return [Labelled(code=c, label=label_of(entries, c) or c) for c in sorted(codes)]


def _choices(proposal: ServiceProposal, item: str) -> list[Labelled]:
    if item == Item.SELLER_CENTER_ACCESS:
        return _labelled(proposal.roles, ROLES)
    if item == Item.DATA_COMPASS:
        return _labelled(proposal.areas, AREAS)
    if item == Item.AUTHORIZED_OBJECT and proposal.authorized_object is not None:
        return _labelled(frozenset({proposal.authorized_object}), AUTHORIZED_OBJECTS)
    return []


def _items(proposal: ServiceProposal) -> list[ProposalItem]:
    return [
        ProposalItem(
            code=item,
            label=label_of(ITEMS, item) or item,
            help=ITEM_HELP.get(item, ""),
            choices=_choices(proposal, item),
        )
        for item in sorted(proposal.items)
    ]


def _duration(days: int) -> str:
    return next((d.label for d in DURATIONS if d.days == days), f"{days} days")


def proposal_read(
    proposal: ServiceProposal, service: Service, partner: Partner, terms: str, at: datetime
) -> ProposalRead:
    return ProposalRead(
        id=proposal.id,
        status=effective_proposal_status(proposal.status, proposal.expires_at, at).value,
        partner_id=partner.id,
        partner_name=partner.name,
        service_id=service.id,
        service_name=service.name,
        seller_id=proposal.seller_id,
        items=_items(proposal),
        duration_days=proposal.duration_days,
        duration_label=_duration(proposal.duration_days),
        message=proposal.message,
        warning=WARNING if Item.SELLER_CENTER_ACCESS in proposal.items else None,
        terms_version=terms,
        created_at=proposal.created_at,
        expires_at=proposal.expires_at,
        decided_at=proposal.decided_at,
        grant_id=proposal.grant_id,
    )
