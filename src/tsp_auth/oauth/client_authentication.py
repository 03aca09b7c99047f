"""Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3).

Methods (RFC 8414 ``token_endpoint_auth_methods_supported``):

- ``client_secret_basic``: HTTP Basic, the id and secret each form-urlencoded first
  (RFC 6749 §2.3.1);
- ``client_secret_post``: ``client_id`` and ``client_secret`` in the form body;
- ``none``: a public client names itself with ``client_id`` and proves possession with PKCE
  (RFC 7636); only where the endpoint allows it.

An unknown client and a wrong secret get the same answer, 401 ``invalid_client``, so nobody can
probe which clients exist. Using two methods at once is ``invalid_request`` (RFC 6749 §2.3:
"MUST NOT use more than one authentication method in each request").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.clients.credentials import secret_matches
from tsp_auth.live.client_state import ClientCredentials, ClientFacts, credentials
from tsp_auth.oauth.errors import InvalidClient, InvalidRequest

AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]


# The client a request proved to be: what the OAuth endpoints need of it, without its secret.
AuthenticatedClient = ClientFacts


@dataclass(frozen=True, slots=True)
class PresentedCredentials:
    """Who the request says the client is, and how it proves it."""

    client_id: str
    secret: str | None
    method: AuthMethod


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("malformed Basic credentials") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise InvalidClient("malformed Basic credentials")
    # RFC 6749 §2.3.1: both parts are application/x-www-form-urlencoded before encoding.
    return unquote_plus(client_id), unquote_plus(secret)


def presented_credentials(
    authorization: str | None, client_id: str | None, client_secret: str | None
) -> PresentedCredentials:
    """Read the credentials from the Authorization header and the form fields."""
    basic = _basic(authorization) if authorization else None
    if basic is not None:
        if client_secret is not None:
            raise InvalidRequest("use one client authentication method, not two")
        if client_id is not None and client_id != basic[0]:
            raise InvalidRequest("client_id in the body differs from the Basic credentials")
        return PresentedCredentials(basic[0], basic[1], "client_secret_basic")
    if client_id is None:
        raise InvalidClient("client authentication is required")
    if client_secret is not None:
        return PresentedCredentials(client_id, client_secret, "client_secret_post")
    return PresentedCredentials(client_id, None, "none")


async def authenticate_client(
    sessionmaker: async_sessionmaker[AsyncSession],
    presented: PresentedCredentials,
    *,
    allow_public: bool,
) -> AuthenticatedClient:
    """The authenticated client, or 401 ``invalid_client`` (the same for every failure).

    ``allow_public``: whether a public client may name itself with ``client_id`` alone here
    (the token and revocation endpoints: yes; introspection: no, RFC 7662 §2.1).
    """
    row = await credentials(sessionmaker, presented.client_id)
    client = None if row is None else _authenticated(row)
    secret_hash = None if row is None else row.secret_hash
    if not _proves(client, secret_hash, presented, allow_public=allow_public):
        raise InvalidClient()
    assert client is not None
    if client.status == "disabled":
        raise InvalidClient("this client is disabled")
    return client


def _authenticated(row: ClientCredentials) -> AuthenticatedClient:
    return AuthenticatedClient(
        id=row.id,
        partner_id=row.partner_id,
        service_id=row.service_id,
        client_type=row.client_type,
        redirect_uris=row.redirect_uris,
        allowed_origins=row.allowed_origins,
        scopes=row.scopes,
        status=row.status,
    )


def _proves(
    client: AuthenticatedClient | None,
    secret_hash: str | None,
    presented: PresentedCredentials,
    *,
    allow_public: bool,
) -> bool:
    if client is not None and client.client_type == "public":
        # A public client has no secret; anything claiming one is not this client.
        return allow_public and presented.method == "none"
    if presented.secret is None:
        return False
    # Unknown clients are checked against a dummy hash: the same work as a wrong secret.
    return secret_matches(presented.secret, secret_hash)
