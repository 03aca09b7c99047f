"""Requests and answers of partner authorization (docs/partner-apps.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tsp_auth.consent.schemas import Codes, PartnerSummary
from tsp_auth.kit.pagination import Page
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody


def _sorted(value: object) -> object:
    return sorted(value) if isinstance(value, frozenset | set) else value


Scopes = Annotated[list[str], BeforeValidator(_sorted)]


class AppSummary(BaseModel):
    """The partner app (an OAuth client) being authorized."""

    model_config = ConfigDict(from_attributes=True)

    client_id: str = Field(validation_alias="id")
    name: str
    service_id: str | None
    status: str = Field(description="`development` (its owner only) or `live`.")


class CategoryRead(BaseModel):
    code: str
    label: str


class AppAuthorizationRequestRead(BaseModel):
    """What a partner admin is asked to authorize (seed 004 "authorization page")."""

    id: str
    expires_at: datetime
    app: AppSummary
    owner: PartnerSummary = Field(description="The partner that owns the app.")
    grantor: PartnerSummary = Field(description="The caller's partner: who would authorize.")
    scopes: Scopes = Field(description="The `partner.*` scopes the partner may grant.")
    categories: list[CategoryRead] = Field(
        description="The categories to choose from; accept must name one (today only `tap`)."
    )
    can_decide: bool = Field(description="Partner admins decide; members only look.")
    refused_reason: ReasonCode | None = Field(
        description="The reason code accepting would be refused with for this caller "
        "(e.g. `partner_not_tap_enrolled`, `app_in_development`), so a UI can say it first."
    )
    renews_grant_id: str | None = Field(
        description="The active authorization that accepting renews (same id, version + 1)."
    )


class AppAuthorizationAccept(RequestBody):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(
        max_length=40,
        description='The partner category authorized; must be `"tap"` (seed 004).',
    )
    scopes: list[str] | None = Field(
        default=None,
        max_length=20,
        description="A subset of the offered scopes; default: all of them.",
    )


class AppAuthorizationAccepted(BaseModel):
    redirect_to: str = Field(description="The app's redirect URI with `code`, `state`, `iss`.")
    grant_id: str
    version: int
    renewed: bool


class AppAuthorizationRejected(BaseModel):
    redirect_to: str = Field(description="The app's redirect URI with `error=access_denied`.")


class AppAuthorizationRead(BaseModel):
    """One entry of "My account > My authorizations" (seed 004)."""

    grant_id: str
    status: str
    status_reason: ReasonCode | None
    version: int
    scopes: Scopes
    categories: Codes
    app: AppSummary | None
    owner: PartnerSummary | None
    authorized_by: str | None
    created_at: datetime
    updated_at: datetime


class AppAuthorizationList(Page[AppAuthorizationRead]):
    pass


class AppAuthorizationLinkCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(max_length=64)
    redirect_uri: str | None = Field(
        default=None,
        max_length=2048,
        description="One of the app's registered URIs; default: the first registered.",
    )
    state: str | None = Field(default=None, max_length=512)


class AppAuthorizationLinkRead(BaseModel):
    url: str
    state: str
