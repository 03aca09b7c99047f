"""Client registration and management bodies (RFC 7591 names where one exists)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import Client

ClientType = Literal["first_party", "confidential", "public"]
ClientStatus = Literal["development", "live", "disabled"]
AuthMethod = Literal["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]
Profile = Literal["fapi2"]

JwkSet = Annotated[
    dict[str, Any],
    Field(description="private_key_jwt: the client's public keys, a JWK Set (RFC 7517 §5)."),
]
MAX_REDIRECT_URIS = 10
RedirectUris = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=2048)]],
    Field(max_length=MAX_REDIRECT_URIS),
]
MAX_ALLOWED_ORIGINS = 10
AllowedOrigins = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=300)]],
    Field(
        max_length=MAX_ALLOWED_ORIGINS,
        description="Public clients: browser origins (`https://host[:port]`, no path; "
        "`http` only for 127.0.0.1/localhost in development), at most 10, matched exactly "
        "against `Origin` for CORS at the token, revocation and discovery endpoints. "
        "Other clients: none.",
    ),
]
Scopes = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=32)]


class ClientCreate(RequestBody):
    """An operator registers a first-party client; a partner admin registers a partner app."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    client_type: ClientType = Field(
        description="first_party (operators; client_credentials only), or a partner app: "
        "confidential (has a secret) or public (PKCE, no secret)."
    )
    service_id: str | None = Field(
        default=None,
        max_length=40,
        description="Partner apps: one of the partner's services to tie the app to. "
        "Omitted: a new `app_…` id is generated.",
    )
    redirect_uris: RedirectUris = Field(
        default_factory=list,
        description="Partner apps: absolute https URIs (http only for 127.0.0.1/localhost), "
        "no fragment, at most 10; matched exactly. First-party clients: none.",
    )
    allowed_origins: AllowedOrigins = Field(default_factory=list)
    scopes: Scopes = Field(
        description="Partner apps: `partner.*` scopes; first-party: `tsp.introspect`, "
        "`tsp.decisions`."
    )
    token_endpoint_auth_method: AuthMethod | None = Field(
        default=None,
        description="RFC 7591 §2. Default: `none` for public clients, else "
        "`client_secret_basic` (`client_secret_post` works as well). `private_key_jwt` "
        "(RFC 7523): the client gets no secret and registers `jwks` or `jwks_uri`.",
    )
    jwks: JwkSet | None = None
    jwks_uri: str | None = Field(
        default=None, max_length=2048, description="private_key_jwt: https URL of its JWK Set."
    )
    dpop_bound_access_tokens: bool = Field(
        default=False, description="RFC 9449 §5.2: only DPoP-bound access tokens."
    )
    require_pushed_authorization_requests: bool = Field(
        default=False, description="RFC 9126 §6: authorization requests only through PAR."
    )
    profile: Profile | None = Field(
        default=None,
        description="`fapi2`: the client is held to FAPI 2.0 (PAR, PKCE S256, DPoP, "
        "private_key_jwt); docs/oauth.md.",
    )


class ClientUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    status: ClientStatus | None = None
    redirect_uris: RedirectUris | None = None
    allowed_origins: AllowedOrigins | None = None
    scopes: Scopes | None = None
    jwks: JwkSet | None = Field(default=None, description="private_key_jwt clients: new keys.")
    jwks_uri: str | None = Field(default=None, max_length=2048)
    dpop_bound_access_tokens: bool | None = None
    require_pushed_authorization_requests: bool | None = None
    profile: Profile | Literal["none"] | None = Field(
        default=None, description="`fapi2` to opt in, `none` to opt out."
    )


GRANT_TYPES_OF = {
    "first_party": ["client_credentials"],
    "confidential": ["authorization_code", "refresh_token"],
    "public": ["authorization_code", "refresh_token"],
}


class ClientRead(BaseModel):
    """A client, with the metadata names of RFC 7591 §2 and §3.2.1."""

    client_id: str
    client_name: str
    client_type: ClientType
    partner_id: str | None
    service_id: str | None
    redirect_uris: list[str]
    grant_types: list[str] = Field(description="What the token endpoint accepts from it.")
    scope: str = Field(description="Its enabled scopes, space-separated (RFC 7591 §2).")
    allowed_origins: list[str] = Field(
        description="Origins whose browser pages may call the token, revocation and discovery "
        'endpoints (public clients only; docs/oauth.md, "CORS").'
    )
    status: ClientStatus
    token_endpoint_auth_method: AuthMethod = Field(
        description="How the client authenticates; `client_secret_post` works as well as "
        "`client_secret_basic`."
    )
    jwks: dict[str, Any] | None = None
    jwks_uri: str | None = None
    dpop_bound_access_tokens: bool
    require_pushed_authorization_requests: bool
    profile: Profile | None
    client_id_issued_at: int = Field(description="Unix seconds.")

    @classmethod
    def of(cls, client: Client) -> ClientRead:
        return cls(
            client_id=client.id,
            client_name=client.name,
            client_type=cast(ClientType, client.client_type),
            partner_id=client.partner_id,
            service_id=client.service_id,
            redirect_uris=list(client.redirect_uris),
            allowed_origins=list(client.allowed_origins),
            grant_types=GRANT_TYPES_OF[client.client_type],
            scope=" ".join(sorted(client.scopes)),
            status=cast(ClientStatus, client.status),
            token_endpoint_auth_method=cast(
                AuthMethod,
                client.token_endpoint_auth_method
                or ("none" if client.client_type == "public" else "client_secret_basic"),
            ),
            jwks=client.jwks,
            jwks_uri=client.jwks_uri,
            dpop_bound_access_tokens=client.dpop_bound_access_tokens,
            require_pushed_authorization_requests=client.require_pushed_authorization_requests,
            profile=cast(Profile | None, client.profile),
            client_id_issued_at=int(client.created_at.timestamp()),
        )


class ClientPage(Page[ClientRead]):
    pass


class ClientWithSecret(ClientRead):
    client_secret: str | None = Field(
        description="Shown once, here; we keep only a hash. None for public and "
        "private_key_jwt clients."
    )
    client_secret_expires_at: int = Field(
        default=0, description="0: the secret does not expire (RFC 7591 §3.2.1)."
    )
