"""Client registration and management bodies (RFC 7591 names where one exists)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tsp_auth.models import Client
from tsp_auth.strict import RequestBody

ClientType = Literal["first_party", "confidential", "public"]
ClientStatus = Literal["development", "live", "disabled"]
AuthMethod = Literal["client_secret_basic", "none"]

MAX_REDIRECT_URIS = 10
RedirectUris = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=2048)]],
    Field(max_length=MAX_REDIRECT_URIS),
]
Scopes = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=32)]


def _sorted(codes: Iterable[str]) -> list[str]:
    return sorted(codes)


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
    scopes: Scopes = Field(
        description="Partner apps: `partner.*` scopes; first-party: `tsp.introspect`, "
        "`tsp.decisions`."
    )


class ClientUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    status: ClientStatus | None = None
    redirect_uris: RedirectUris | None = None
    scopes: Scopes | None = None


class ClientRead(BaseModel):
    id: str = Field(description="The `client_id`.")
    name: str
    client_type: ClientType
    partner_id: str | None
    service_id: str | None
    redirect_uris: list[str]
    scopes: Annotated[list[str], BeforeValidator(_sorted)]
    status: ClientStatus
    token_endpoint_auth_method: AuthMethod = Field(
        description="How the client authenticates; `client_secret_post` works as well."
    )
    created_at: datetime

    @classmethod
    def of(cls, client: Client) -> ClientRead:
        fields = {name: getattr(client, name) for name in cls.model_fields if hasattr(client, name)}
        method = "none" if client.client_type == "public" else "client_secret_basic"
        return cls.model_validate({**fields, "token_endpoint_auth_method": method})


class ClientWithSecret(ClientRead):
    client_secret: str | None = Field(
        description="Shown once, here; we keep only a hash. None for public clients."
    )
