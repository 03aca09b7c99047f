"""`/open/authorize`: the authorization endpoint (RFC 6749 §3.1), HTTP only.

The endpoint parses the link (``oauth.authorize_query``), checks a partner app's client,
redirect URI, PKCE and scope (``oauth.authorize``), and hands the checked link to the flow that
stores the request: the seller's consent (``consent``), or the partner's for an app's own
``app_…`` service (``partner_apps``). Those flows sit above the protocol (they issue its codes),
so the app hands them to ``authorize_router`` (``tsp_auth.app``) instead of this module
importing them: no import cycle between the packages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.config import Settings
from tsp_auth.deps import SessionDep, SettingsDep
from tsp_auth.kit import urls
from tsp_auth.kit.errors import AppError
from tsp_auth.models import AuthorizationRequest
from tsp_auth.oauth.authorize import (
    OAUTH_LINK_PARAMETERS,
    ClientLink,
    check_client_link,
    is_app_service_id,
)
from tsp_auth.oauth.authorize_query import STATE_PATTERN, AuthorizeParams, parse_authorize_query

StartAuthorization = Callable[
    [AsyncSession, Settings, AuthorizeParams, ClientLink | None], Awaitable[AuthorizationRequest]
]


@dataclass(frozen=True, slots=True)
class AuthorizationFlows:
    """Who stores a followed link, and how a refused link is shown."""

    seller: StartAuthorization  # a seller consents (consent.service)
    partner: StartAuthorization  # seed 004: a partner authorizes its own app (partner_apps)
    error_page: Callable[[AppError], Response]  # an HTML page, never a redirect


async def start_authorization(
    session: AsyncSession, settings: Settings, params: AuthorizeParams, flows: AuthorizationFlows
) -> AuthorizationRequest:
    """Store what the link asks for; the seller, or the app's partner, decides later."""
    # A partner app's link: client, redirect URI, PKCE and scope are checked first.
    client_link = await check_client_link(session, settings, params)
    service_id = client_link.service_id if client_link else params.service_id
    # seed 004: a partner app's own service id: a partner authorizes it, not a seller.
    start = flows.partner if is_app_service_id(service_id) else flows.seller
    return await start(session, settings, params, client_link)


_HTML_ERROR = {"description": "An HTML error page (never a redirect)", "content": {"text/html": {}}}
_LINK_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "service_id",
            "in": "query",
            "required": False,
            "description": "Required, unless `client_id` names a partner app (its service).",
            "schema": {"type": "string"},
        },
        {
            "name": "state",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "pattern": STATE_PATTERN},
        },
        {
            "name": "purpose",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["authorize", "tsp_access"]},
        },
        *OAUTH_LINK_PARAMETERS,
    ]
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {
        "description": "To the consent page, `/consent/{request_id}`; for a partner app "
        "whose client and redirect URI are valid, other errors go back to its redirect URI "
        "(RFC 6749 §4.1.2.1)"
    },
    400: _HTML_ERROR,
    404: _HTML_ERROR,
}


def authorize_router(flows: AuthorizationFlows) -> APIRouter:
    """The endpoint, storing through ``flows``; tagged ``consent`` as the seller meets it."""
    router = APIRouter(tags=["consent"])

    @router.get(
        "/open/authorize",
        summary="Follow an authorization link: store the request, go to the consent page",
        status_code=status.HTTP_303_SEE_OTHER,
        response_class=RedirectResponse,
        responses=_RESPONSES,
        openapi_extra=_LINK_PARAMETERS,
    )
    async def authorize(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
        try:
            params = parse_authorize_query(request.query_params, request.headers.get("host"))
            stored = await start_authorization(session, settings, params, flows)
        except AppError as exc:
            return flows.error_page(exc)
        return RedirectResponse(urls.consent_page_path(stored.id), status_code=303)

    return router
