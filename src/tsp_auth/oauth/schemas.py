"""Form bodies and answers of the token (RFC 6749 §4-6), introspection (RFC 7662) and
revocation (RFC 7009) endpoints, bodies ``application/x-www-form-urlencoded``; the
authorization server metadata (RFC 8414)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH

_OPAQUE = 512  # far above our 43-character codes and refresh tokens


class ClientAuthForm(BaseModel):
    """``client_secret_post``, ``none`` (RFC 6749 §2.3.1) and ``private_key_jwt`` (RFC 7523
    §2.2); or use HTTP Basic instead."""

    client_id: str | None = Field(default=None, max_length=64)
    client_secret: str | None = Field(default=None, max_length=256)
    client_assertion_type: str | None = Field(default=None, max_length=128)
    client_assertion: str | None = Field(default=None, max_length=MAX_TOKEN_LENGTH)


class TokenForm(ClientAuthForm):
    grant_type: str = Field(
        max_length=256,
        description="authorization_code, refresh_token or client_credentials; anything else "
        "is unsupported_grant_type.",
    )
    code: str | None = Field(default=None, max_length=_OPAQUE)
    redirect_uri: str | None = Field(default=None, max_length=2048)
    code_verifier: str | None = Field(default=None, max_length=_OPAQUE)
    refresh_token: str | None = Field(default=None, max_length=_OPAQUE)
    scope: str | None = Field(default=None, max_length=1024)


class TokenLookupForm(ClientAuthForm):
    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    token_type_hint: str | None = Field(
        default=None,
        max_length=64,
        description="access_token or refresh_token (others may be registered); only a hint.",
    )


class PushedAuthorizationForm(ClientAuthForm):
    """RFC 9126 §2.1: the authorization request's parameters, pushed by the client."""

    response_type: str | None = Field(default=None, max_length=64)
    redirect_uri: str | None = Field(default=None, max_length=2048)
    scope: str | None = Field(default=None, max_length=1024)
    state: str | None = Field(default=None, max_length=1024)
    code_challenge: str | None = Field(default=None, max_length=256)
    code_challenge_method: str | None = Field(default=None, max_length=16)
    service_id: str | None = Field(default=None, max_length=64)
    request_uri: str | None = Field(
        default=None, max_length=1024, description="Refused (§2.1): it cannot be pushed."
    )

    def authorization_parameters(self) -> dict[str, str]:
        """The request's parameters, client authentication left out."""
        credentials = {"client_secret", "client_assertion_type", "client_assertion"}
        return self.model_dump(exclude_none=True, exclude=credentials)


class PushedAuthorizationResponse(BaseModel):
    """RFC 9126 §2.2."""

    request_uri: str
    expires_in: int


class TokenResponse(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str
    # RFC 6750; "DPoP" when the access token is bound to a DPoP key (RFC 9449 §5).
    token_type: Literal["Bearer", "DPoP"] = "Bearer"  # noqa: S105  (not a secret)
    expires_in: int
    refresh_token: str | None = None
    scope: str


class IntrospectionResponse(BaseModel):
    """RFC 7662 §2.2; an inactive or unknown token is just ``{"active": false}``."""

    model_config = ConfigDict(extra="allow")

    active: bool
    scope: str | None = None
    client_id: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    sub: str | None = None
    aud: str | list[str] | None = None
    iss: str | None = None
    jti: str | None = None
    grant_id: str | None = Field(default=None, description="The grant the token rests on.")
    act: dict[str, Any] | None = Field(
        default=None, description="RFC 8693 §4.1: who acts on the subject's behalf."
    )
    cnf: dict[str, Any] | None = Field(
        default=None, description="RFC 9449 §6.2: `jkt`, the DPoP key the token is bound to."
    )


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414 §2: what a client needs to find every endpoint and what they support."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    introspection_endpoint: str
    revocation_endpoint: str
    jwks_uri: str
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_signing_alg_values_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_signing_alg_values_supported: list[str]
    code_challenge_methods_supported: list[str]
    scopes_supported: list[str]
    authorization_response_iss_parameter_supported: bool = Field(
        description="RFC 9207: the authorization response carries `iss`."
    )
    introspection_signing_alg_values_supported: list[str] = Field(
        description="RFC 9701 §7: how a JWT introspection answer is signed."
    )
    pushed_authorization_request_endpoint: str = Field(description="RFC 9126 §5.")
    dpop_signing_alg_values_supported: list[str] = Field(description="RFC 9449 §5.1.")
    require_pushed_authorization_requests: bool = Field(
        description="RFC 9126 §5: every client must use PAR."
    )


class ProtectedResourceMetadata(BaseModel):
    """RFC 9728 §2: where a client finds the authorization server of a resource."""

    resource: str
    authorization_servers: list[str]
    scopes_supported: list[str]
    bearer_methods_supported: list[str]
    dpop_signing_alg_values_supported: list[str]
    resource_name: str
