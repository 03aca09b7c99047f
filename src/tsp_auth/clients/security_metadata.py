"""A client's security settings, with RFC 7591 §2's names (issue 23): how it authenticates
(``token_endpoint_auth_method``, with ``jwks`` or ``jwks_uri`` for ``private_key_jwt``),
``dpop_bound_access_tokens`` (RFC 9449 §5.2), ``require_pushed_authorization_requests``
(RFC 9126 §6), and its ``profile`` (``fapi2``: docs/oauth.md, "The fapi2 profile").

Every refusal is 400 ``invalid_client_metadata`` (RFC 7591 §3.2.2) naming the setting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tsp_auth.clients.schemas import ClientUpdate
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.client_jws import public_key
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import Client
from tsp_auth.policy import Reason
from tsp_auth.policy.client_profiles import check_registration, effective_profile

SECRET_METHODS = ("client_secret_basic", "client_secret_post")
PRIVATE_KEY_JWT = "private_key_jwt"
MAX_KEYS = 10


def _refuse(description: str) -> BadRequest:
    return BadRequest(description, error=Reason.INVALID_CLIENT_METADATA)


def default_method(client_type: str) -> str:
    return "none" if client_type == "public" else "client_secret_basic"


def check_method(client_type: str, method: str | None) -> str | None:
    """The method to store (None: the type's default); a public client has no credentials."""
    if method is None or method == default_method(client_type):
        return None
    if client_type == "public" or method == "none":
        raise _refuse(f"a {client_type} client cannot use token_endpoint_auth_method {method}")
    return method


def check_keys(method: str | None, jwks: dict[str, Any] | None, jwks_uri: str | None) -> None:
    """private_key_jwt needs exactly one of ``jwks`` and ``jwks_uri`` (RFC 7591 §2); other
    methods none."""
    if method != PRIVATE_KEY_JWT:
        if jwks is not None or jwks_uri is not None:
            raise _refuse("jwks and jwks_uri are for private_key_jwt clients only")
        return
    if (jwks is None) == (jwks_uri is None):
        raise _refuse("a private_key_jwt client registers exactly one of jwks and jwks_uri")
    if jwks is not None:
        _check_jwks(jwks)
    if jwks_uri is not None:
        parts = urlsplit(jwks_uri)
        if parts.scheme != "https" or not parts.hostname or parts.fragment or "@" in parts.netloc:
            raise _refuse("jwks_uri must be an absolute https URL")


def _check_jwks(jwks: dict[str, Any]) -> None:
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_KEYS:
        raise _refuse(f"jwks must be a JWK Set of 1 to {MAX_KEYS} keys")
    for key in keys:
        try:
            public_key(key)
        except InvalidToken:
            raise _refuse(
                "every key in jwks must be a public EC P-256, RSA or Ed25519 key"
            ) from None


def update_security(client: Client, body: ClientUpdate) -> None:
    """PATCH: new keys, the DPoP and PAR switches, the profile (opt in or out)."""
    if body.jwks is not None or body.jwks_uri is not None:
        check_keys(client.token_endpoint_auth_method, body.jwks, body.jwks_uri)
        client.jwks, client.jwks_uri = body.jwks, body.jwks_uri
    if body.dpop_bound_access_tokens is not None:
        client.dpop_bound_access_tokens = body.dpop_bound_access_tokens
    if body.require_pushed_authorization_requests is not None:
        client.require_pushed_authorization_requests = body.require_pushed_authorization_requests
    if body.profile is not None:
        client.profile = None if body.profile == "none" else body.profile


def check_profile(settings: Settings, client: Client) -> None:
    """The client can meet its profile (``policy.client_profiles``): its own, or fapi2 for a
    live partner app under ``TSP_AUTH_REQUIRE_FAPI2_FOR_LIVE_PARTNER_APPS`` (so an app goes
    live once its private_key_jwt keys are registered)."""
    profile = effective_profile(
        client.profile,
        client_type=client.client_type,
        status=client.status,
        fapi2_for_live_apps=settings.require_fapi2_for_live_partner_apps,
    )
    method = client.token_endpoint_auth_method or default_method(client.client_type)
    decision = check_registration(profile, client.client_type, method)
    if not decision.allow:
        raise _refuse(
            f"the {profile} profile needs a confidential partner app using private_key_jwt"
            f" ({decision.reason})"
        )
