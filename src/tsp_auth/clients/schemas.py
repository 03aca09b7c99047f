"""Client registration and management bodies (RFC 7591 names where one exists)."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import Client

ClientType = Literal["first_party", "confidential", "public"]
ClientStatus = Literal["development", "live", "disabled"]
AuthMethod = Literal["client_secret_basic", "none"]

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


class ClientUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    status: ClientStatus | None = None
    redirect_uris: RedirectUris | None = None
    allowed_origins: AllowedOrigins | None = None
    scopes: Scopes | None = None


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
        description="How the client authenticates; `client_secret_post` works as well."
    )
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
            token_endpoint_auth_method=(
                "none" if client.client_type == "public" else "client_secret_basic"
            ),
            client_id_issued_at=int(client.created_at.timestamp()),
        )


class ClientPage(Page[ClientRead]):
    pass


class ClientWithSecret(ClientRead):
    client_secret: str | None = Field(
        description="Shown once, here; we keep only a hash. None for public clients."
    )
    client_secret_expires_at: int = Field(
        default=0, description="0: the secret does not expire (RFC 7591 §3.2.1)."
    )
