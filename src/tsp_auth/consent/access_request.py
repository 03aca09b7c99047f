"""The consent of a "Request TSP Access" link (seed 001), ``purpose=tsp_access``.

The partner already holds a grant of the link's service without seller center access; the
seller is offered exactly that item for exactly that service, and accepting renews the grant in
place with the item added (``consent.recording.record_grant``: same id, version + 1, the
chosen duration and terms), so it goes through the one renewal write path of every consent.
"""

from __future__ import annotations

from tsp_auth.consent.offers import PartnerCatalogue, ServiceChoice
from tsp_auth.consent.schemas import ServicePick
from tsp_auth.grants.service import selection_of
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import Grant
from tsp_auth.policy import (
    Decision,
    Reason,
    Selection,
    check_tsp_access_request,
    check_tsp_access_selection,
    tsp_access_offer,
    with_tsp_access,
)

PURPOSE = "tsp_access"


def _authorized_grant(catalogue: PartnerCatalogue, service_id: str) -> Grant | None:
    return next((g for g in catalogue.active if g.service_id == service_id), None)


def availability(catalogue: PartnerCatalogue, service_id: str) -> Decision:
    """May this seller add seller center access to its grant of ``service_id`` now?"""
    facts = catalogue.facts.get(service_id)
    if facts is None:
        return Decision.denied(Reason.SERVICE_NOT_OFFERED)
    authorized = _authorized_grant(catalogue, service_id) is not None
    return check_tsp_access_request(facts, catalogue.rules, authorized=authorized)


def choices(
    catalogue: PartnerCatalogue, service_id: str
) -> tuple[tuple[ServiceChoice, ...], str | None]:
    """The one service on offer (seller center access only), or none and the reason why."""
    decision = availability(catalogue, service_id)
    if not decision.allow:
        return (), decision.reason
    offer = tsp_access_offer(catalogue.offer(service_id))
    return (catalogue.choice_with(service_id, offer, requested=True),), None


def check_picks(
    catalogue: PartnerCatalogue, service_id: str, picks: list[tuple[ServicePick, Selection]]
) -> list[tuple[ServicePick, Selection]]:
    """The seller's one pick, checked, as the selection the renewed grant will hold."""
    if len(picks) != 1 or picks[0][0].service_id != service_id:
        raise BadRequest(
            f"this request asks for seller center access of {service_id} only",
            error=Reason.SERVICE_NOT_OFFERED,
        )
    pick, picked = picks[0]
    decision = availability(catalogue, service_id)
    if decision.allow:
        decision = check_tsp_access_selection(picked, catalogue.offer(service_id))
    if not decision.allow:
        raise BadRequest(f"seller center access for {service_id} refused", error=decision.reason)
    grant = _authorized_grant(catalogue, service_id)
    assert grant is not None  # availability checked it
    return [(pick, with_tsp_access(selection_of(grant), picked))]
