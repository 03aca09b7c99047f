"""A partner authorizes an app: the request `/open/authorize` stores, seen and decided by the
partner's admin through `/v1/app-authorization-requests/{id}` (seed 004).

The link is an OAuth authorization request (``client_id``, ``redirect_uri``, PKCE, ``scope``)
checked by ``tsp_auth.oauth.authorize`` like any partner app's; what differs is who consents
(a TAP partner's admin, not a seller) and what is recorded (a ``partner_app`` grant). Services
only flush; every refusal raises before the first write, so a refused decision writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clients import repository as clients
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.consent import repository as consent_repository
from tsp_auth.db import rows
from tsp_auth.grants.events import grants_changed
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import AppError, BadRequest, Conflict, Forbidden, Gone, NotFound
from tsp_auth.models import AuthorizationRequest, Client, Grant, Partner
from tsp_auth.models.base import new_id
from tsp_auth.oauth import codes
from tsp_auth.oauth.authorize import ClientLink, authorization_response, is_app_request
from tsp_auth.oauth.authorize_query import AuthorizeParams
from tsp_auth.partner_apps import repository
from tsp_auth.partner_apps.recording import record_grant
from tsp_auth.partner_apps.rules import (
    TAP_CATEGORY,
    check_app_audience,
    check_app_usable,
    check_category,
    check_partner_account,
    check_partner_admin,
    check_scopes,
    check_tap_enrolled,
    grantable_scopes,
)
from tsp_auth.partner_apps.schemas import AppAuthorizationAccept
from tsp_auth.policy import Decision, Reason
from tsp_auth.registry import repository as registry


@dataclass(frozen=True, slots=True)
class AppRequestView:
    request: AuthorizationRequest
    client: Client
    owner: Partner
    grantor: Partner
    scopes: frozenset[str]
    can_decide: bool
    refused_reason: str | None  # what accepting would answer, so a UI can say it first
    renews: Grant | None


@dataclass(frozen=True, slots=True)
class AppAccepted:
    redirect_to: str
    grant: Grant
    renewed: bool


def _require(decision: Decision, error: type[AppError], description: str) -> None:
    if not decision.allow:
        raise error(description, error=decision.reason)


def _audited(exc: AppError, action: str, caller: Caller, request_id: str) -> AppError:
    """Mark a refusal for the audit trail of the caller's own partner (never the app owner's:
    a partner's attempt on someone's app is its own business)."""
    if exc.audit is None:
        detail = {"authorization_request_id": request_id}
        exc.audited(Actor.of(caller).note(action, partner_id=caller.partner_id, detail=detail))
    return exc


# `/open/authorize` ----------------------------------------------------------------------------


async def start_app_authorization(
    session: AsyncSession, settings: Settings, params: AuthorizeParams, link: ClientLink | None
) -> AuthorizationRequest:
    """Store a partner authorization request; the partner's admin decides later."""
    if link is None:
        # Without client_id we know neither where to send the code nor that PKCE is used.
        raise BadRequest(
            "a partner app's link needs client_id, redirect_uri and response_type=code",
            error=Reason.INVALID_REQUEST,
        )
    client = link.client
    assert client.partner_id is not None  # partner apps always have an owner
    at = now()
    # authorization_requests.service_id references services: the app's row (made once).
    await repository.ensure_app_service(session, client, at)
    request = AuthorizationRequest(
        id=new_id("azr"),
        service_id=link.service_id,
        partner_id=client.partner_id,
        purpose="authorize",
        state=params.state,
        status="pending",
        created_at=at,
        expires_at=at + settings.authorization_request_ttl,
        **link.request_columns(),
    )
    await rows.add(session, request)
    return request


# The request --------------------------------------------------------------------------------


def _check_open(request: AuthorizationRequest, at: datetime) -> None:
    if request.status != "pending":
        raise Conflict("this request was already decided", error=Reason.REQUEST_ALREADY_DECIDED)
    if request.expires_at <= at:
        raise Gone("this request has expired; open the link again", error=Reason.REQUEST_EXPIRED)


async def is_app_request_id(session: AsyncSession, request_id: str) -> bool:
    """Does this id name a partner app's request? The built-in page shows those to the
    partner's admin, every other request to the seller."""
    request = await consent_repository.get_request(session, request_id)
    return request is not None and is_app_request(request)


async def _open_request(
    session: AsyncSession, request_id: str, at: datetime
) -> tuple[AuthorizationRequest, Client | None]:
    request = await consent_repository.get_request(session, request_id)
    if request is None or request.client_id is None or not is_app_request(request):
        raise NotFound("no such authorization request")
    _check_open(request, at)
    return request, await clients.get(session, request.client_id)


async def _partners(session: AsyncSession, caller: Caller, owner_id: str) -> tuple[Partner, ...]:
    assert caller.partner_id is not None
    owner = await registry.get_partner(session, owner_id)
    grantor = await registry.get_partner(session, caller.partner_id)
    assert owner is not None  # foreign keys
    assert grantor is not None
    return owner, grantor


def _acceptance(caller: Caller, grantor: Partner, client: Client | None) -> Decision:
    """The checks that depend on who decides, in the order accept applies them."""
    for decision in (
        check_partner_admin(caller),
        check_app_usable(client),
        check_tap_enrolled(grantor),
    ):
        if not decision.allow:
            return decision
    assert client is not None
    return check_app_audience(client, grantor.id)


async def app_request_view(
    session: AsyncSession, caller: Caller, request_id: str
) -> AppRequestView:
    """Any account of a partner may look; its admin decides."""
    _require(check_partner_account(caller), Forbidden, "only a partner's accounts see this")
    request, client = await _open_request(session, request_id, now())
    _require(check_app_usable(client), BadRequest, "this app accepts no authorization")
    assert client is not None
    assert client.service_id is not None
    owner, grantor = await _partners(session, caller, request.partner_id)
    decision = _acceptance(caller, grantor, client)
    return AppRequestView(
        request=request,
        client=client,
        owner=owner,
        grantor=grantor,
        scopes=grantable_scopes(client.scopes, request.scopes),
        can_decide=check_partner_admin(caller).allow,
        refused_reason=None if decision.allow else decision.reason,
        renews=await repository.active_grant(session, grantor.id, client.service_id),
    )


async def _claim(
    session: AsyncSession, request: AuthorizationRequest, status: str, caller: Caller, at: datetime
) -> None:
    """The first write: of two concurrent decisions one wins, the other is a 409 (or 410)."""
    claimed = await consent_repository.decide_request(
        session, request.id, status=status, account_id=caller.account_id, at=at
    )
    if not claimed:
        current = await consent_repository.get_request(session, request.id, fresh=True)
        if current is not None:
            _check_open(current, at)
        raise Conflict("this request was already decided", error=Reason.REQUEST_ALREADY_DECIDED)


def _checked(
    caller: Caller,
    grantor: Partner,
    client: Client | None,
    request: AuthorizationRequest,
    body: AppAuthorizationAccept,
) -> frozenset[str]:
    """Every rule of seed 004, in order; returns the scopes to grant."""
    decision = _acceptance(caller, grantor, client)
    status = 400 if decision.reason == Reason.UNAUTHORIZED_CLIENT else 403
    _require(decision, BadRequest if status == 400 else Forbidden, "authorization refused")
    assert client is not None
    if request.redirect_uri not in client.redirect_uris:
        raise BadRequest(
            "the app no longer has this redirect URI", error=Reason.UNAUTHORIZED_CLIENT
        )
    _require(check_category(body.category), BadRequest, f"choose the category {TAP_CATEGORY!r}")
    grantable = grantable_scopes(client.scopes, request.scopes)
    scopes = grantable if body.scopes is None else frozenset(body.scopes)
    _require(check_scopes(scopes, grantable), BadRequest, "scopes must be among those offered")
    return scopes


async def accept_app_authorization(
    session: AsyncSession,
    settings: Settings,
    caller: Caller,
    request_id: str,
    body: AppAuthorizationAccept,
) -> AppAccepted:
    """Record the partner's authorization (a ``partner_app`` grant) and send the app a code."""
    try:
        return await _accept(session, settings, caller, request_id, body)
    except AppError as exc:
        raise _audited(exc, "app_authorization.accepted", caller, request_id) from None


async def _accept(
    session: AsyncSession,
    settings: Settings,
    caller: Caller,
    request_id: str,
    body: AppAuthorizationAccept,
) -> AppAccepted:
    _require(check_partner_account(caller), Forbidden, "only a partner's admin authorizes apps")
    at = now()
    request, client = await _open_request(session, request_id, at)
    owner, grantor = await _partners(session, caller, request.partner_id)
    scopes = _checked(caller, grantor, client, request, body)
    assert client is not None
    assert request.redirect_uri is not None
    await _claim(session, request, "accepted", caller, at)
    grant, renewed = await record_grant(session, grantor, client, caller, scopes, at)
    actor = Actor.of(caller)
    detail = {"authorization_request_id": request.id, "client_id": client.id, "owner": owner.id}
    note = actor.note(
        "app_authorization.accepted", partner_id=grantor.id, grant_id=grant.id, detail=detail
    )
    record_event(session, note)
    await grants_changed(
        session, [grant], "grant.renewed" if renewed else "grant.created", actor, at=at
    )
    code = await codes.issue_authorization_code(session, settings, request, grant, scopes, at)
    location = authorization_response(settings, request.redirect_uri, request.state, code=code)
    return AppAccepted(location, grant, renewed)


async def reject_app_authorization(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str
) -> str:
    """The admin says no: RFC 6749 §4.1.2.1 ``access_denied`` goes back to the app."""
    try:
        return await _reject(session, settings, caller, request_id)
    except AppError as exc:
        raise _audited(exc, "app_authorization.rejected", caller, request_id) from None


async def _reject(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str
) -> str:
    _require(check_partner_admin(caller), Forbidden, "only a partner's admin decides")
    at = now()
    request, _ = await _open_request(session, request_id, at)
    await _claim(session, request, "rejected", caller, at)
    detail = {"authorization_request_id": request.id, "client_id": request.client_id}
    record_event(
        session,
        Actor.of(caller).note(
            "app_authorization.rejected", partner_id=caller.partner_id, detail=detail
        ),
    )
    return await codes.denial_redirect(session, settings, request)
