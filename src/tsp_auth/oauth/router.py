"""The OAuth endpoints: token (RFC 6749 §3.2), introspection (RFC 7662), revocation (RFC 7009).

HTTP only: parse the form, authenticate the client, call one function. Every answer, errors
included, carries ``Cache-Control: no-store`` and ``Pragma: no-cache`` (``NoStoreRoute``), and
the CORS decision for a browser-based public client (``CorsRoute``, ``oauth.cors``). Token and
introspection, called on every partner API call, are direct routes (``direct_routes``): served
before FastAPI's stack; the token grants open their own unit of work where they write
(``grant_types.GRANT_TYPES``).

The form is read by ``read_form`` inside the route, not declared as a ``Form`` parameter:
FastAPI's form handling and a router-wide dependency cost more than the rest of the route
(docs/performance.md, "OAuth routes: the form read once"). ``form_body`` documents the same
request body as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Message, Receive, Scope, Send

from tsp_auth.clients.scopes import INTROSPECT_SCOPE
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.deps import (
    SessionDep,
    client_address,
    get_keyring,
    get_rate_limits,
    get_sessionmaker,
    get_settings,
)
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.direct_routes import DirectRoute, RawHeaders
from tsp_auth.kit.errors import error_response, responses
from tsp_auth.kit.no_store import no_store_headers
from tsp_auth.kit.rate_limits import Endpoint, RateLimits
from tsp_auth.oauth.client_assertion import AssertionContext
from tsp_auth.oauth.client_authentication import (
    AuthenticatedClient,
    authenticate_client,
    presented_credentials,
)
from tsp_auth.oauth.cors import allow_client_origin, cors_headers
from tsp_auth.oauth.dpop import binding_required, token_binding
from tsp_auth.oauth.dpop_nonces import current_nonce
from tsp_auth.oauth.errors import InvalidClient, TokenReuse
from tsp_auth.oauth.grant_types import Issuing, grant_handler
from tsp_auth.oauth.http import form_body, read_form
from tsp_auth.oauth.introspection import INACTIVE, introspect
from tsp_auth.oauth.introspection_jwt import signed_answer, wants_jwt
from tsp_auth.oauth.metadata import INTROSPECT_PATH, PAR_PATH, REVOKE_PATH, TOKEN_PATH
from tsp_auth.oauth.par import push
from tsp_auth.oauth.profiles import client_profile, hold_authentication
from tsp_auth.oauth.revocation import revoke
from tsp_auth.oauth.schemas import (
    ClientAuthForm,
    IntrospectionResponse,
    PushedAuthorizationForm,
    PushedAuthorizationResponse,
    TokenForm,
    TokenLookupForm,
    TokenResponse,
)


class OAuthRoute(APIRoute):
    """Never cached, and readable by the allowed origins of public clients: what
    ``NoStoreRoute`` and ``CorsRoute`` each add, in one wrapper of ``send``."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_oauth(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = no_store_headers(list(message.get("headers", ())))
                message["headers"] = cors_headers(scope, headers)
            await send(message)

        await super().handle(scope, receive, send_oauth)


class DirectOAuthRoute(DirectRoute):
    """``OAuthRoute``'s headers on a direct route."""

    def answer_headers(self, scope: Scope, headers: RawHeaders) -> RawHeaders:
        return cors_headers(scope, no_store_headers(headers))


router = APIRouter(tags=["oauth"], route_class=OAuthRoute)
direct_router = APIRouter(tags=["oauth"], route_class=DirectOAuthRoute)


def _json(answer: BaseModel) -> Response:
    """The answer as FastAPI would have sent its ``response_model`` (``exclude_none``)."""
    return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")


@dataclass(frozen=True, slots=True)
class _Service:
    keyring: KeyRing
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    limits: RateLimits


async def _service(request: Request) -> _Service:
    """What the routes use of the running service, through the dependency functions of
    ``deps``: called directly rather than declared, each of the four would cost FastAPI's
    dependency solving on every request (docs/performance.md, "OAuth routes")."""
    return _Service(
        await get_keyring(request),
        await get_settings(request),
        await get_sessionmaker(request),
        await get_rate_limits(request),
    )


async def _client(
    request: Request,
    form: ClientAuthForm,
    endpoint: Endpoint,
    service: _Service,
    *,
    allow_public: bool,
) -> AuthenticatedClient:
    limits = service.limits
    presented = presented_credentials(
        request.headers.get("authorization"),
        form.client_id,
        form.client_secret,
        form.client_assertion_type,
        form.client_assertion,
    )
    # Only an assertion needs it (private_key_jwt): the secret path builds nothing more.
    context = AssertionContext(service.settings, request.url.path) if presented.assertion else None
    try:
        client = await authenticate_client(
            service.sessionmaker, presented, allow_public=allow_public, context=context
        )
    except InvalidClient:
        # RFC 6749 §10.10: failures are counted per client and address, and only failures are
        # refused: credentials that authenticate are served whoever else is guessing
        # (docs/security.md, "Client authentication failures").
        await limits.client_failed(endpoint, presented.client_id, client_address(request))
        raise
    if client.profile is not None or service.settings.require_fapi2_for_live_partner_apps:
        hold_authentication(client_profile(service.settings, client), presented.method)
    return client


@direct_router.post(
    TOKEN_PATH,
    summary="Exchange a code, a refresh token or client credentials for tokens",
    response_model=TokenResponse,
    response_model_exclude_none=True,
    responses=responses(400, 401, 429, 503, oauth=True),
    openapi_extra=form_body(TokenForm),
)
async def issue_token(request: Request) -> Response:
    form = await read_form(request, TokenForm)
    grant = grant_handler(form.grant_type)
    service = await _service(request)
    client = await _client(request, form, "token", service, allow_public=True)
    allow_client_origin(request, client)
    at, settings = now(), service.settings
    proofs = request.headers.getlist("dpop")
    jkt = None
    if proofs or binding_required(settings, client):  # a bearer client: nothing more to do
        jkt = await token_binding(service.sessionmaker, settings, client, proofs, at)
    issuing = Issuing(service.sessionmaker, service.keyring, settings, at, jkt)
    try:
        answer = _json(await grant(issuing, client, form))
    except TokenReuse as exc:
        # Raised once the family's revocation is committed (grant_types.in_unit_of_work).
        return error_response(exc.status_code, exc.error, exc.description)
    if jkt is not None and settings.dpop_nonces:
        answer.headers["DPoP-Nonce"] = current_nonce(settings, at)  # RFC 9449 §8.2
    return answer


@direct_router.post(
    INTROSPECT_PATH,
    summary="Is this token active, and what does it say? (RFC 7662)",
    response_model=IntrospectionResponse,
    response_model_exclude_none=True,
    responses={
        200: {
            "description": "The answer; a JWT signed by us (RFC 9701) when the Accept header "
            "asks for `application/token-introspection+jwt`",
            "content": {"application/token-introspection+jwt": {"schema": {"type": "string"}}},
        },
        **responses(400, 401, 429, 503, oauth=True),
    },
    openapi_extra=form_body(TokenLookupForm),
)
async def introspect_token(request: Request) -> Response:
    form = await read_form(request, TokenLookupForm)
    service = await _service(request)
    # Reads only, outside a unit of work (oauth.introspection).
    # RFC 7662 §2.1: the caller authenticates; public clients cannot (no secret).
    client = await _client(request, form, "introspection", service, allow_public=False)
    answer = await introspect(
        service.sessionmaker, service.keyring, service.settings, form.token, form.token_type_hint
    )
    privileged = client.client_type == "first_party" and INTROSPECT_SCOPE in client.scopes
    if answer.get("active") and not (privileged or answer.get("client_id") == client.id):
        # RFC 7662 §2.2 / §4: a client learns nothing about tokens that are not its own.
        answer = INACTIVE
    if wants_jwt(request.headers.get("accept")):
        checked = IntrospectionResponse.model_validate(answer).model_dump(exclude_none=True)
        return await signed_answer(service.keyring, checked, client_id=client.id, at=now())
    return _json(IntrospectionResponse.model_validate(answer))


@router.post(
    PAR_PATH,
    summary="Push an authorization request; get the request_uri for /open/authorize (RFC 9126)",
    status_code=201,
    response_model=PushedAuthorizationResponse,
    responses=responses(400, 401, 429, 503, oauth=True),
    openapi_extra=form_body(PushedAuthorizationForm),
)
async def push_authorization_request(
    request: Request, session: SessionDep
) -> PushedAuthorizationResponse:
    form = await read_form(request, PushedAuthorizationForm)
    service = await _service(request)
    client = await _client(request, form, "pushed_authorization", service, allow_public=True)
    pushed = await push(session, service.settings, client, form.authorization_parameters(), now())
    return PushedAuthorizationResponse(request_uri=pushed.request_uri, expires_in=pushed.expires_in)


@router.post(
    REVOKE_PATH,
    summary="Revoke a refresh token (its whole family) or an access token (RFC 7009)",
    response_class=Response,
    responses={
        200: {"description": "Revoked, or nothing to revoke"},
        **responses(400, 401, 429, 503, oauth=True),
    },
    openapi_extra=form_body(TokenLookupForm),
)
async def revoke_token(request: Request, session: SessionDep) -> Response:
    form = await read_form(request, TokenLookupForm)
    service = await _service(request)
    client = await _client(request, form, "revocation", service, allow_public=True)
    allow_client_origin(request, client)
    await revoke(
        session, service.keyring, service.settings, client, form.token, form.token_type_hint
    )
    return Response(status_code=200)
