"""Discovery documents (RFC 7517 JWK Set, RFC 8414 metadata) and the key listing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

KeyState = Literal["pending", "signing", "verifying", "retired"]


class Jwk(BaseModel):
    """A public EC signing key (RFC 7517 §4, RFC 7518 §6.2.1); never private members."""

    kid: str
    kty: Literal["EC"]
    crv: str
    x: str
    y: str
    alg: str
    use: Literal["sig"]


class JwkSet(BaseModel):
    keys: list[Jwk]


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
    introspection_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    code_challenge_methods_supported: list[str]
    scopes_supported: list[str]
    authorization_response_iss_parameter_supported: bool = Field(
        description="RFC 9207: the authorization response carries `iss`."
    )


class SigningKeyRead(BaseModel):
    """A stored key as `tsp-auth keys list` shows it: times and state, no key material."""

    kid: str
    alg: str
    created_at: datetime
    activates_at: datetime
    retires_at: datetime | None
    state: KeyState
