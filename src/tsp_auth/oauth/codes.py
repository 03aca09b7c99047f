"""Authorization codes: issued when the seller consents to a partner app's link (RFC 6749 §4.1.2).

A code is 256 random bits, stored as a hash, single use, valid for
``TSP_AUTH_AUTHORIZATION_CODE_TTL`` (at most 60 s), and bound to the client, the exact redirect
URI, the grant, the subject (the seller), the scopes and the PKCE challenge. Each code opens a
new token family: everything later issued from it is revoked together on replay or reuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clients import repository as clients
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.kit import urls
from tsp_auth.models import AuthorizationCode, AuthorizationRequest, Client, Grant, TokenFamily
from tsp_auth.models.base import new_id
from tsp_auth.oauth.authorize import authorization_response, usable_partner_app
from tsp_auth.oauth.opaque import digest, new_opaque
from tsp_auth.policy import Reason


async def issue_authorization_code(
    session: AsyncSession,
    settings: Settings,
    request: AuthorizationRequest,
    grant: Grant,
    scopes: frozenset[str],
    at: datetime,
) -> str:
    """Store a code (its hash) and its token family for ``grant``; return the code itself."""
    assert request.client_id is not None
    assert request.redirect_uri is not None
    family = TokenFamily(
        id=new_id("fam"),
        client_id=request.client_id,
        grant_id=grant.id,
        subject=grant.grantor_id,
        created_at=at,
    )
    code = new_opaque()
    row = AuthorizationCode(
        id=new_id("cod"),
        code_hash=digest(code),
        client_id=request.client_id,
        grant_id=grant.id,
        subject=grant.grantor_id,
        scopes=scopes,
        redirect_uri=request.redirect_uri,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        family_id=family.id,
        created_at=at,
        expires_at=at + settings.authorization_code_ttl,
    )
    await rows.add(session, family)
    await rows.add(session, row)
    return code


async def _trusted_client(session: AsyncSession, request: AuthorizationRequest) -> Client | None:
    """The request's app, if it may still be sent to the stored redirect URI.

    The app may have been disabled, or the URI unregistered, while the seller decided; then we
    no longer redirect there (RFC 9700 §4.11) and the seller lands on our done page.
    """
    client = await clients.get(session, request.client_id) if request.client_id else None
    if not usable_partner_app(client) or client is None:
        return None
    return client if request.redirect_uri in client.redirect_uris else None


def _error_redirect(
    settings: Settings, request: AuthorizationRequest, error: str, description: str
) -> str:
    assert request.redirect_uri is not None
    return authorization_response(
        settings, request.redirect_uri, request.state, error=error, error_description=description
    )


async def code_redirect(
    session: AsyncSession,
    settings: Settings,
    request: AuthorizationRequest,
    grants: Sequence[Grant],
) -> str:
    """The success redirect of a partner app's link: ``code``, ``state``, ``iss``."""
    client = await _trusted_client(session, request)
    if client is None or request.redirect_uri is None:
        return urls.consent_done_path(request.id)
    grant = next((g for g in grants if g.service_id == request.service_id), None)
    if grant is None:
        # The seller consented to other services of the partner, not to this app's.
        return _error_redirect(
            settings, request, Reason.ACCESS_DENIED, "the seller did not authorize this app"
        )
    # Scopes the app lost while the seller decided are not granted (RFC 6749 §3.3).
    scopes = (request.scopes or client.scopes) & client.scopes
    if not scopes:
        return _error_redirect(
            settings,
            request,
            Reason.INVALID_SCOPE,
            "the app no longer holds the scopes it asked for",
        )
    code = await issue_authorization_code(session, settings, request, grant, scopes, now())
    return authorization_response(settings, request.redirect_uri, request.state, code=code)


async def denial_redirect(
    session: AsyncSession, settings: Settings, request: AuthorizationRequest
) -> str:
    """RFC 6749 §4.1.2.1: the seller said no; ``access_denied`` with ``state`` and ``iss``."""
    if await _trusted_client(session, request) is None or request.redirect_uri is None:
        return urls.consent_done_path(request.id)
    return _error_redirect(
        settings, request, Reason.ACCESS_DENIED, "the seller refused the authorization"
    )
