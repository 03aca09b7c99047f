"""RFC 9728 protected resource metadata for the partner API, the audience of our access tokens.

The partner API is the resource ``{issuer}/api`` (RFC 9068 ``aud``, ``oauth.tokens``). RFC 9728
§3.1 inserts the well-known suffix between the host and the resource's path, so its metadata is
served at ``/.well-known/oauth-protected-resource/api``. §3.3: the ``resource`` in the document
must be the one its URL was derived from, so with ``TSP_AUTH_ACCESS_TOKEN_AUDIENCE`` set to
another resource there is nothing true to serve here, and the route answers 404.
"""

from __future__ import annotations

from tsp_auth.clients.scopes import PARTNER_SCOPES
from tsp_auth.config import Settings
from tsp_auth.oauth.schemas import ProtectedResourceMetadata
from tsp_auth.oauth.tokens import access_token_audience

RESOURCE_PATH = "/api"
RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource" + RESOURCE_PATH
DPOP_ALGORITHMS = ["ES256", "PS256", "EdDSA"]


def partner_api_resource(settings: Settings) -> str:
    return settings.issuer.rstrip("/") + RESOURCE_PATH


def resource_metadata(settings: Settings) -> ProtectedResourceMetadata | None:
    """The partner API's metadata, or None when tokens are minted for another resource."""
    resource = partner_api_resource(settings)
    if access_token_audience(settings) != resource:
        return None
    return ProtectedResourceMetadata(
        resource=resource,
        authorization_servers=[settings.issuer],
        scopes_supported=list(PARTNER_SCOPES),
        # RFC 6750 §2.1: the partner API reads the token from the Authorization header only.
        bearer_methods_supported=["header"],
        dpop_signing_alg_values_supported=list(DPOP_ALGORITHMS),
        resource_name="TikTok Shop partner API",
    )
