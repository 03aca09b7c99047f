"""What a seller may authorize for one partner: loaded once, then decided by policy.

The consent view (JSON or HTML) and the accept check read the same ``PartnerCatalogue``, so
what the page shows and what the API accepts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.consent import repository
from tsp_auth.models import Grant, Seller, Service
from tsp_auth.policy import (
    AREAS,
    AUTHORIZED_OBJECTS,
    DURATIONS,
    ITEMS,
    ROLES,
    Decision,
    Duration,
    Entry,
    MarketRules,
    Offer,
    Reason,
    ServiceFacts,
    check_service_available,
    effective_status,
    market_rules,
    offer_for,
)
from tsp_auth.registry import repository as registry


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    """One service on the consent page, with what policy lets the seller pick for it."""

    id: str
    name: str
    visibility: str
    requested: bool
    renews_grant_id: str | None
    items: tuple[Entry, ...]
    roles: tuple[Entry, ...]
    areas: tuple[Entry, ...]
    authorized_objects: tuple[Entry, ...]
    durations: tuple[Duration, ...]


@dataclass(frozen=True, slots=True)
class PartnerCatalogue:
    """One partner's services as one seller sees them at one moment."""

    seller: Seller
    rules: MarketRules
    services: Mapping[str, Service]
    facts: Mapping[str, ServiceFacts]
    renewable: Mapping[str, Grant]  # service id -> the grant a consent would renew
    active: tuple[Grant, ...]  # grants in force now: seed 002 "Active"

    def availability(self, service_id: str, requested_id: str) -> Decision:
        """May the seller pick this service now? The link's own service may be renewed even
        while active (seed 002 FAQ: "send the authorization link to the seller again")."""
        facts = self.facts.get(service_id)
        if facts is None:
            # Another partner's service, or none at all: not on offer through this link.
            return Decision.denied(Reason.SERVICE_NOT_OFFERED)
        authorized = frozenset(g.service_id for g in self.active if g.service_id is not None)
        return check_service_available(
            facts,
            seller_id=self.seller.id,
            seller_market=self.seller.market,
            already_authorized=authorized - {requested_id},
        )

    def offer(self, service_id: str) -> Offer:
        return offer_for(self.facts[service_id], self.rules)

    def choices(self, requested_id: str) -> tuple[ServiceChoice, ...]:
        """Every service the seller may pick, the link's own first (marked ``requested``)."""
        ordered = sorted(self.services, key=lambda sid: sid != requested_id)
        return tuple(
            self._choice(self.services[sid], requested=sid == requested_id)
            for sid in ordered
            if self.availability(sid, requested_id).allow
        )

    def _choice(self, service: Service, *, requested: bool) -> ServiceChoice:
        return self.choice_with(service.id, self.offer(service.id), requested=requested)

    def choice_with(self, service_id: str, offer: Offer, *, requested: bool) -> ServiceChoice:
        """One service as the consent shows it, with ``offer`` (which may be narrowed)."""
        service = self.services[service_id]
        renews = self.renewable.get(service.id)
        return ServiceChoice(
            id=service.id,
            name=service.name,
            visibility=service.visibility,
            requested=requested,
            renews_grant_id=renews.id if renews is not None else None,
            items=_entries(ITEMS, offer.items),
            roles=_entries(ROLES, offer.roles),
            areas=_entries(AREAS, offer.areas),
            authorized_objects=_entries(AUTHORIZED_OBJECTS, offer.authorized_objects),
            durations=tuple(d for d in DURATIONS if d.days in offer.durations),
        )


def _entries(catalogue: tuple[Entry, ...], codes: tuple[str, ...]) -> tuple[Entry, ...]:
    return tuple(entry for entry in catalogue if entry.code in codes)


def _visibility(service: Service) -> Literal["public", "custom"]:
    return "custom" if service.visibility == "custom" else "public"


def service_facts(service: Service, offered_to: frozenset[str]) -> ServiceFacts:
    return ServiceFacts(
        service_id=service.id,
        partner_id=service.partner_id,
        visibility=_visibility(service),
        valid=service.valid,
        markets=service.markets,
        qualified_items=service.qualified_items,
        offered_to=offered_to,
    )


async def load_catalogue(
    session: AsyncSession,
    seller: Seller,
    partner_id: str,
    at: datetime,
    *,
    sea_launch: date | None,
) -> PartnerCatalogue:
    services = {s.id: s for s in await registry.partner_services(session, partner_id)}
    custom = [sid for sid, s in services.items() if s.visibility == "custom"]
    offers = await registry.offered_seller_ids(session, custom) if custom else {}
    grants = await repository.seller_partner_grants(session, seller.id, partner_id)
    renewable: dict[str, Grant] = {}
    for grant in grants:  # oldest first: the active grant wins, else the latest one
        current = renewable.get(grant.service_id or "")
        if grant.service_id is not None and (current is None or current.status != "active"):
            renewable[grant.service_id] = grant
    return PartnerCatalogue(
        seller=seller,
        rules=market_rules(seller.market, at, sea_launch=sea_launch),
        services=services,
        facts={
            sid: service_facts(s, frozenset(offers.get(sid, ()))) for sid, s in services.items()
        },
        renewable=renewable,
        active=tuple(g for g in grants if effective_status(g.status, g.expires_at, at) == "active"),
    )
