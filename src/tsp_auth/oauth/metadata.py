"""RFC 8414 authorization server metadata, built from the issuer alone."""

from __future__ import annotations

from tsp_auth.clients.scopes import FIRST_PARTY_SCOPES, PARTNER_SCOPES
from tsp_auth.config import Settings
from tsp_auth.crypto import ALLOWED_ALGORITHMS
from tsp_auth.crypto.client_jws import CLIENT_ALGORITHMS
from tsp_auth.oauth.schemas import AuthorizationServerMetadata

JWKS_PATH = "/.well-known/jwks.json"
METADATA_PATH = "/.well-known/oauth-authorization-server"
AUTHORIZE_PATH = "/open/authorize"
TOKEN_PATH = "/oauth/token"  # noqa: S105  (a path, not a secret)
INTROSPECT_PATH = "/oauth/introspect"
REVOKE_PATH = "/oauth/revoke"
PAR_PATH = "/oauth/par"

_CLIENT_SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
_CONFIDENTIAL_METHODS = [*_CLIENT_SECRET_METHODS, "private_key_jwt"]


def server_metadata(settings: Settings) -> AuthorizationServerMetadata:
    # RFC 8414 §3.3: `issuer` is exactly the one in our tokens; endpoints hang off it.
    base = settings.issuer.rstrip("/")
    return AuthorizationServerMetadata(
        issuer=settings.issuer,
        authorization_endpoint=base + AUTHORIZE_PATH,
        token_endpoint=base + TOKEN_PATH,
        introspection_endpoint=base + INTROSPECT_PATH,
        revocation_endpoint=base + REVOKE_PATH,
        jwks_uri=base + JWKS_PATH,
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=["authorization_code", "refresh_token", "client_credentials"],
        # "none": public clients, which prove possession with PKCE instead (RFC 7636).
        token_endpoint_auth_methods_supported=[*_CONFIDENTIAL_METHODS, "none"],
        # RFC 8414 §2: the algorithms of private_key_jwt assertions (RFC 7523).
        token_endpoint_auth_signing_alg_values_supported=list(CLIENT_ALGORITHMS),
        # RFC 7662 §2.1: the introspection caller must authenticate.
        introspection_endpoint_auth_methods_supported=list(_CONFIDENTIAL_METHODS),
        introspection_endpoint_auth_signing_alg_values_supported=list(CLIENT_ALGORITHMS),
        # RFC 7009 §2.1: a public client revokes its tokens with its client_id alone.
        revocation_endpoint_auth_methods_supported=[*_CONFIDENTIAL_METHODS, "none"],
        revocation_endpoint_auth_signing_alg_values_supported=list(CLIENT_ALGORITHMS),
        code_challenge_methods_supported=["S256"],
        # Every scope we issue (RFC 8414 §2): partner apps' and the platform's first parties'.
        scopes_supported=[*PARTNER_SCOPES, *sorted(FIRST_PARTY_SCOPES)],
        authorization_response_iss_parameter_supported=True,
        introspection_signing_alg_values_supported=list(ALLOWED_ALGORITHMS),
        pushed_authorization_request_endpoint=base + PAR_PATH,
        dpop_signing_alg_values_supported=list(CLIENT_ALGORITHMS),
        # RFC 9126 §5: true when every client must push (per client: the client's metadata).
        require_pushed_authorization_requests=settings.require_pushed_authorization_requests,
    )
