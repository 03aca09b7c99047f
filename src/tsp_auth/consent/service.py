"""Consent rules: start a request from a link, show it, accept it, reject it.

Every function takes the request's session (and only flushes), the settings and the caller, so
the JSON API and the built-in HTML consent page call the same code. The ``check_*`` / ``require_*``
functions are pure and raise an ``AppError`` whose ``error`` is the policy reason code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.consent import access_request, repository
from tsp_auth.consent.offers import PartnerCatalogue, ServiceChoice, load_catalogue
from tsp_auth.consent.recording import GrantTerms, record_grant
from tsp_auth.consent.redirects import denial_redirect, return_redirect
from tsp_auth.consent.schemas import ConsentAccept, ServicePick
from tsp_auth.db import rows
from tsp_auth.grants.engine import ensure_binding
from tsp_auth.grants.events import consent_accepted, consent_rejected
from tsp_auth.grants.terms import Recorded
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_main_account, require_seller
from tsp_auth.kit.errors import BadRequest, Conflict, Gone, NotFound
from tsp_auth.models import AuthorizationRequest, Partner
from tsp_auth.models.base import new_id
from tsp_auth.oauth.authorize import ClientLink, is_app_request
from tsp_auth.oauth.authorize_query import AuthorizeParams, check_link_host
from tsp_auth.policy import (
    DURATIONS,
    Decision,
    Reason,
    Selection,
    check_consenter,
    check_duration,
    check_selection,
    check_terms,
)
from tsp_auth.registry import repository as registry

REQUEST_ALREADY_DECIDED = Reason.REQUEST_ALREADY_DECIDED
REQUEST_EXPIRED = Reason.REQUEST_EXPIRED


@dataclass(frozen=True, slots=True)
class ConsentView:
    """Everything a consent page shows for one request and one seller."""

    request: AuthorizationRequest
    partner: Partner
    catalogue: PartnerCatalogue
    services: tuple[ServiceChoice, ...]
    requested_unavailable: str | None  # reason code, when the link's service is not pickable
    terms_version: str
    can_decide: bool  # only the main account accepts or rejects; a sub-account only looks


@dataclass(frozen=True, slots=True)
class Decided:
    redirect_to: str
    grants: tuple[Recorded, ...] = ()


# Pure checks ---------------------------------------------------------------------------------


def check_request_open(request: AuthorizationRequest, at: datetime) -> None:
    """A request is decided once, before it expires (settings.authorization_request_ttl)."""
    if request.status != "pending":
        raise Conflict("this request was already decided", error=REQUEST_ALREADY_DECIDED)
    if request.expires_at <= at:
        raise Gone("this request has expired; open the link again", error=REQUEST_EXPIRED)


def _refuse_bad_request(decision: Decision, description: str) -> None:
    if not decision.allow:
        raise BadRequest(description, error=decision.reason)


def check_terms_accepted(body: ConsentAccept, current_version: str) -> None:
    accepted = body.terms_version if body.terms_accepted else None
    decision = check_terms(accepted, current_version)
    if not decision.allow:
        raise BadRequest(
            f"accept the terms version {current_version} to continue", error=decision.reason
        )


def selection_of(pick: ServicePick, duration_days: int) -> Selection:
    return Selection(
        items=frozenset(pick.items),
        roles=frozenset(pick.roles),
        areas=frozenset(pick.areas),
        authorized_object=pick.authorized_object,
        duration_days=duration_days,
    )


def check_picks(
    catalogue: PartnerCatalogue, request: AuthorizationRequest, body: ConsentAccept
) -> list[tuple[ServicePick, Selection]]:
    """The duration, every picked service is available to the seller, then every selection
    is allowed."""
    # One duration covers the whole request (seed 001), so its refusal names no service.
    offered = ", ".join(str(duration.days) for duration in DURATIONS)
    _refuse_bad_request(
        check_duration(body.duration_days),
        f"duration_days must be one of {offered}; it applies to every service picked",
    )
    requested_id = request.service_id
    if request.purpose == access_request.PURPOSE:
        picks = [(pick, selection_of(pick, body.duration_days)) for pick in body.services]
        return access_request.check_picks(catalogue, requested_id, picks)
    for pick in body.services:
        available = catalogue.availability(pick.service_id, requested_id)
        if not available.allow:
            raise BadRequest(
                f"service {pick.service_id} cannot be authorized", error=available.reason
            )
    picks = [(pick, selection_of(pick, body.duration_days)) for pick in body.services]
    for pick, selection in picks:
        decision = check_selection(selection, catalogue.offer(pick.service_id))
        if not decision.allow:
            raise BadRequest(f"selection for {pick.service_id} refused", error=decision.reason)
    return picks


# Flows ---------------------------------------------------------------------------------------


async def start_authorization(
    session: AsyncSession,
    settings: Settings,
    params: AuthorizeParams,
    client_link: ClientLink | None,
) -> AuthorizationRequest:
    """`/open/authorize` (``oauth.authorize_endpoint``): store what the link asks for; the
    seller decides later. A partner app's link comes with its client already checked."""
    service_id = client_link.service_id if client_link else params.service_id
    service = await registry.get_service(session, service_id) if service_id else None
    if service is None:
        raise NotFound(
            "this authorization link names no known service", error=Reason.UNKNOWN_SERVICE
        )
    if not service.valid:
        # seed 000: "TSP access can only be added to services that are currently valid".
        raise BadRequest("this service is not available any more", error=Reason.SERVICE_NOT_VALID)
    if client_link is None:  # a partner app's link had its host checked with its client
        partner = await registry.get_partner(session, service.partner_id)
        assert partner is not None  # foreign key
        check_link_host(settings, params.host, partner.region)
    at = now()
    request = AuthorizationRequest(
        id=new_id("azr"),
        service_id=service.id,
        partner_id=service.partner_id,
        purpose=params.purpose,
        state=params.state,
        status="pending",
        created_at=at,
        expires_at=at + settings.authorization_request_ttl,
        **(client_link.request_columns() if client_link else {}),
    )
    await rows.add(session, request)
    return request


async def _open_request(
    session: AsyncSession, request_id: str, at: datetime
) -> AuthorizationRequest:
    request = await repository.get_request(session, request_id)
    if request is None or is_app_request(request):
        # A partner authorization is decided at /v1/app-authorization-requests (partner_apps).
        raise NotFound("no such authorization request")
    check_request_open(request, at)
    return request


async def _catalogue(
    session: AsyncSession, settings: Settings, seller_id: str, partner_id: str, at: datetime
) -> PartnerCatalogue:
    seller = await registry.get_seller(session, seller_id)
    if seller is None:
        raise NotFound("no such seller")
    return await load_catalogue(
        session, seller, partner_id, at, sea_launch=settings.sea_launch_date
    )


async def consent_view(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str
) -> ConsentView:
    """What the seller may authorize through this request (seed 000/002 step 3)."""
    seller_id = require_seller(caller)
    at = now()
    request = await _open_request(session, request_id, at)
    catalogue = await _catalogue(session, settings, seller_id, request.partner_id, at)
    partner = await registry.get_partner(session, request.partner_id)
    assert partner is not None  # foreign key
    requested = catalogue.availability(request.service_id, request.service_id)
    services = catalogue.choices(request.service_id)
    unavailable = None if requested.allow else requested.reason
    if request.purpose == access_request.PURPOSE:
        services, unavailable = access_request.choices(catalogue, request.service_id)
    return ConsentView(
        request=request,
        partner=partner,
        catalogue=catalogue,
        services=services,
        requested_unavailable=unavailable,
        terms_version=settings.terms_version,
        can_decide=check_consenter(caller.is_seller_main).allow,
    )


async def _decide(
    session: AsyncSession, request: AuthorizationRequest, status: str, caller: Caller, at: datetime
) -> None:
    """Claim the request; a concurrent decision that won first makes this one a 409/410."""
    claimed = await repository.decide_request(
        session, request.id, status=status, account_id=caller.account_id, at=at
    )
    if claimed:
        return
    current = await repository.get_request(session, request.id, fresh=True)
    if current is not None:
        check_request_open(current, at)
    raise Conflict("this request was already decided", error=REQUEST_ALREADY_DECIDED)


@audit_refusals("consent.accepted", "authorization_request")
async def accept_consent(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str, body: ConsentAccept
) -> Decided:
    """Record the seller's consent: the binding, and per service a new or renewed grant."""
    seller_id = require_main_account(caller)
    at = now()
    request = await _open_request(session, request_id, at)
    check_terms_accepted(body, settings.terms_version)
    catalogue = await _catalogue(session, settings, seller_id, request.partner_id, at)
    picks = check_picks(catalogue, request, body)
    # The claim is the first write: a lost race fails here with nothing written.
    await _decide(session, request, "accepted", caller, at)
    binding = await ensure_binding(session, seller_id, request.partner_id, at)
    recorded: list[Recorded] = []
    for pick, selection in picks:
        terms = GrantTerms(
            seller_id=seller_id,
            partner_id=request.partner_id,
            service_id=pick.service_id,
            binding_id=binding.id,
            market=catalogue.seller.market,
            selection=selection,
            consented_by=caller.account_id,
            contact_email=str(body.contact_email),
            terms_version=body.terms_version,
        )
        renew_active = pick.service_id == request.service_id
        recorded.append(await record_grant(session, terms, at, may_renew_active=renew_active))
    await consent_accepted(session, caller, request, recorded, at)
    return_url = catalogue.services[request.service_id].return_url
    redirect = await return_redirect(
        session, settings, request, return_url, [r.grant for r in recorded]
    )
    return Decided(redirect, tuple(recorded))


@audit_refusals("consent.rejected", "authorization_request")
async def reject_consent(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str
) -> Decided:
    """The seller says no: RFC 6749 §4.1.2.1 ``access_denied`` goes back to the partner."""
    require_main_account(caller)
    at = now()
    request = await _open_request(session, request_id, at)
    await _decide(session, request, "rejected", caller, at)
    consent_rejected(session, caller, request)
    service = await registry.get_service(session, request.service_id)
    return_url = service.return_url if service else None
    return Decided(await denial_redirect(session, settings, request, return_url))
