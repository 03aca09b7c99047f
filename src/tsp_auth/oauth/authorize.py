"""The partner-app side of ``/open/authorize`` (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9700 §4.1).

Order matters (RFC 6749 §4.1.2.1): first the client and its redirect URI. Until both are known
good every error is an HTML page on our side and never a redirect, so a link cannot turn us into
an open redirector (RFC 9700 §4.11). After that, errors go back to the app's redirect URI with
``error``, ``error_description``, ``state`` and ``iss`` (RFC 9207).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clients import repository as clients
from tsp_auth.clients.scopes import parse_scope
from tsp_auth.config import Settings
from tsp_auth.kit import urls
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import AuthorizationRequest, Client
from tsp_auth.oauth.authorize_query import AuthorizeParams, check_link_host
from tsp_auth.oauth.errors import AuthorizationErrorRedirect
from tsp_auth.oauth.pkce import PKCE_PATTERN, S256, is_well_formed
from tsp_auth.policy import Reason
from tsp_auth.registry import repository as registry

PARTNER_APP_TYPES = ("confidential", "public")
# Apps registered without a service get an ``app_…`` service id (clients.service): partners,
# not sellers, authorize them (seed 004, tsp_auth.partner_apps).
APP_SERVICE_PREFIX = "app_"
Refuse = Callable[[str, str], AuthorizationErrorRedirect]


@dataclass(frozen=True, slots=True)
class ClientLink:
    """A partner app's link, checked: what the authorization request stores."""

    client: Client
    service_id: str
    redirect_uri: str
    scopes: frozenset[str]
    code_challenge: str | None

    def request_columns(self) -> dict[str, Any]:
        """The ``AuthorizationRequest`` columns this link fills."""
        return {
            "client_id": self.client.id,
            "redirect_uri": self.redirect_uri,
            "scopes": self.scopes,
            "code_challenge": self.code_challenge,
            "code_challenge_method": S256 if self.code_challenge else None,
        }


def authorization_response(
    settings: Settings, redirect_uri: str, state: str | None, **params: str
) -> str:
    """The redirect back to the app: ``params``, ``state`` as received, and ``iss``.

    RFC 9207 §2: ``iss`` on every authorization response, success and error, so a client
    talking to several servers can tell which one answered (mix-up attacks, RFC 9700 §4.4).
    """
    if state is not None:
        params["state"] = state
    params["iss"] = settings.issuer
    return urls.with_query(redirect_uri, params)


def _page_single(given: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    values = given.get(name, ())
    if len(values) > 1:
        raise BadRequest(f"{name} is given more than once", error=Reason.INVALID_REQUEST)
    return values[0] if values else None


def usable_partner_app(client: Client | None) -> bool:
    return (
        client is not None
        and client.client_type in PARTNER_APP_TYPES
        and client.service_id is not None
        and client.status != "disabled"
    )


def is_app_service_id(service_id: str | None) -> bool:
    """A partner app's own service id (seed 004: "using their app's service_id")."""
    return service_id is not None and service_id.startswith(APP_SERVICE_PREFIX)


def is_app_request(request: AuthorizationRequest) -> bool:
    """A request stored from a partner app's link for its own ``app_…`` service."""
    return request.client_id is not None and is_app_service_id(request.service_id)


async def _client_and_redirect(
    session: AsyncSession, settings: Settings, params: AuthorizeParams
) -> tuple[Client, str, str]:
    """The app, its service and the exact registered redirect URI; any failure is a page."""
    client_id = _page_single(params.oauth, "client_id")
    client = await clients.get(session, client_id) if client_id else None
    if client is None or not usable_partner_app(client) or client.service_id is None:
        raise BadRequest("this link names no usable partner app", error=Reason.INVALID_CLIENT)
    if params.service_id is not None and params.service_id != client.service_id:
        raise BadRequest("the link's service_id is not this app's", error=Reason.INVALID_REQUEST)
    redirect_uri = _page_single(params.oauth, "redirect_uri")
    # RFC 9700 §4.1.3: simple string comparison with a registered URI, nothing looser.
    if redirect_uri is None or redirect_uri not in client.redirect_uris:
        raise BadRequest(
            "redirect_uri is missing or not registered for this app", error=Reason.INVALID_REQUEST
        )
    owner = await registry.get_partner(session, client.partner_id) if client.partner_id else None
    if owner is not None:
        # Before any redirect: a link on the wrong market's host is a page (seed 004).
        check_link_host(settings, params.host, owner.region)
    return client, client.service_id, redirect_uri


async def hand_built_link(session: AsyncSession, params: AuthorizeParams) -> AuthorizeParams:
    """seed 004: "the developer needs to generate the authorization link manually using their
    app's service_id" - ``/open/authorize?service_id=app_…`` alone, ``state`` "encouraged, but
    not required". We complete it as the app's own link would be: its ``client_id``, its one
    registered redirect URI (an app with several must name one: we never guess where a code
    goes, RFC 9700 §4.1) and ``response_type=code``; the checks that follow are the same."""
    assert params.service_id is not None
    client = await clients.by_service(session, params.service_id)
    if client is None or not usable_partner_app(client):
        raise BadRequest("this link names no usable partner app", error=Reason.INVALID_CLIENT)
    oauth = {**params.oauth, "client_id": (client.id,)}
    if "redirect_uri" not in oauth:
        if len(client.redirect_uris) != 1:
            raise BadRequest(
                "this app has several redirect URIs: the link must name one in redirect_uri",
                error=Reason.INVALID_REQUEST,
            )
        oauth["redirect_uri"] = (client.redirect_uris[0],)
    oauth.setdefault("response_type", ("code",))
    return dataclasses.replace(params, oauth=oauth)


async def check_client_link(
    session: AsyncSession, settings: Settings, params: AuthorizeParams
) -> ClientLink | None:
    """Check a partner app's link; None for a plain link.

    ``client_id``, or an app's own ``app_…`` service id (the hand-built link of seed 004),
    makes a link a partner app's. Otherwise the other OAuth parameters are ignored like any
    unknown parameter: a plain link only ever goes to the service's return URL.
    """
    if "client_id" not in params.oauth:
        if params.service_id is None or not params.service_id.startswith(APP_SERVICE_PREFIX):
            return None
        params = await hand_built_link(session, params)
    client, service_id, redirect_uri = await _client_and_redirect(session, settings, params)

    def refuse(error: str, description: str) -> AuthorizationErrorRedirect:
        location = authorization_response(
            settings, redirect_uri, params.state, error=error, error_description=description
        )
        return AuthorizationErrorRedirect(location, error, description)

    repeated = sorted(name for name, values in params.oauth.items() if len(values) > 1)
    if repeated:
        raise refuse(Reason.INVALID_REQUEST, f"given more than once: {', '.join(repeated)}")
    given = {name: values[0] for name, values in params.oauth.items()}
    response_type = given.get("response_type")
    if response_type is None:
        raise refuse(Reason.INVALID_REQUEST, "response_type is required")
    if response_type != "code":
        # RFC 9700 §2.1.2: no implicit grant (response_type=token) or other response types.
        raise refuse(Reason.UNSUPPORTED_RESPONSE_TYPE, "only response_type=code is supported")
    if client.status != "live" and not service_id.startswith(APP_SERVICE_PREFIX):
        # seed 004: an app in development accepts authorization from its owner only, and a
        # seller is never the owner of a partner's app. A partner authorization (``app_…``
        # service) checks the owner when the partner decides (tsp_auth.partner_apps).
        raise refuse(Reason.UNAUTHORIZED_CLIENT, "this app is in development and not launched yet")
    challenge = _code_challenge(client, given, refuse)
    requested = parse_scope(given.get("scope"))
    # RFC 6749 §3.3: without `scope`, the app's registered scopes are the default.
    scopes = client.scopes if requested is None else requested
    if not scopes or not scopes <= client.scopes:
        raise refuse(Reason.INVALID_SCOPE, "scope must be among the app's enabled scopes")
    return ClientLink(client, service_id, redirect_uri, scopes, challenge)


def _code_challenge(client: Client, given: Mapping[str, str], refuse: Refuse) -> str | None:
    """RFC 7636 §4.3 with RFC 9700 §2.1.1: S256 only; required of public clients."""
    challenge, method = given.get("code_challenge"), given.get("code_challenge_method")
    if challenge is None:
        if method is not None:
            raise refuse(Reason.INVALID_REQUEST, "code_challenge_method without code_challenge")
        if client.client_type == "public":
            raise refuse(Reason.INVALID_REQUEST, "public clients must send a PKCE code_challenge")
        return None
    # RFC 7636 §4.3: a missing method means "plain", which we refuse like an explicit one.
    if method != S256:
        raise refuse(
            Reason.INVALID_REQUEST, "code_challenge_method must be S256 (plain is refused)"
        )
    if not is_well_formed(challenge):
        raise refuse(Reason.INVALID_REQUEST, "code_challenge must be 43-128 unreserved characters")
    return challenge


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


# The partner-app parameters of `/open/authorize`, for its OpenAPI description.
OAUTH_LINK_PARAMETERS: list[dict[str, Any]] = [
    _query("client_id", "A partner app's client_id; makes this an OAuth authorization request."),
    _query("redirect_uri", "Exactly one of the app's registered redirect URIs."),
    _query("response_type", "Must be `code`.", enum=["code"]),
    _query("scope", "Space-separated `partner.*` scopes; default: all the app's scopes."),
    _query("code_challenge", "PKCE (RFC 7636), required of public apps.", pattern=PKCE_PATTERN),
    _query("code_challenge_method", "Must be `S256`.", enum=["S256"]),
]
