"""Grant schemas. ``GrantRead`` is the one public view of a grant, reusable by every flow."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page, PageQuery
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import Grant
from tsp_auth.policy import GrantStatus, effective_status

Code = Annotated[str, Field(min_length=1, max_length=40)]
# DESIGN §2: why the platform deactivates a grant.
DeactivationReason = Literal[
    "service_not_valid", "partner_suspended", "market_rule_withdrawn", "platform_policy"
]


PartyType = Literal["seller", "partner", "client", "tiktok_account", "business_center"]
GrantKind = Literal["tsp_access", "partner_app", "business_center"]

# DESIGN §1: who grants and who is granted, in each flow.
PARTIES: dict[str, tuple[PartyType, PartyType]] = {
    "tsp_access": ("seller", "partner"),
    "partner_app": ("partner", "client"),
    "business_center": ("tiktok_account", "business_center"),
}


class Party(BaseModel):
    type: PartyType
    id: str


class GrantRead(BaseModel):
    """A grant as its grantor, its grantee or an operator sees it.

    ``grantor`` and ``grantee`` name the parties for what they are in the grant's flow; the
    ``*_id`` fields repeat them by kind, null where the flow has no such party. ``status`` is
    the effective status: an active grant past ``expires_at`` reads ``expired``.
    """

    id: str
    kind: GrantKind
    grantor: Party
    grantee: Party
    seller_id: str | None = Field(description="The seller (TSP access); null otherwise.")
    partner_id: str | None = Field(
        description="The partner: the grantee of TSP access, the grantor of an app's "
        "authorization; null for Business Center access."
    )
    client_id: str | None = Field(description="The partner app (partner authorization).")
    service_id: str | None
    binding_id: str | None
    market: str | None
    items: list[str] = Field(description="Authorization items, sorted.")
    roles: list[str] = Field(description="Seller center permission roles, sorted.")
    areas: list[str] = Field(description="Data compass areas, sorted.")
    authorized_object: str | None
    duration_days: int | None
    expires_at: datetime | None
    status: GrantStatus
    status_reason: ReasonCode | None
    version: int = Field(description="Bumped on every change; tokens carry the version.")
    consented_by: str | None
    contact_email: str | None
    terms_version: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, grant: Grant, at: datetime) -> GrantRead:
        grantor_type, grantee_type = PARTIES[grant.kind]
        by_type = {grantor_type: grant.grantor_id, grantee_type: grant.grantee_id}
        return cls(
            id=grant.id,
            kind=cast(GrantKind, grant.kind),
            grantor=Party(type=grantor_type, id=grant.grantor_id),
            grantee=Party(type=grantee_type, id=grant.grantee_id),
            seller_id=by_type.get("seller"),
            partner_id=by_type.get("partner"),
            client_id=by_type.get("client"),
            service_id=grant.service_id,
            binding_id=grant.binding_id,
            market=grant.market,
            items=sorted(grant.items),
            roles=sorted(grant.roles),
            areas=sorted(grant.areas),
            authorized_object=grant.authorized_object,
            duration_days=grant.duration_days,
            expires_at=grant.expires_at,
            status=GrantStatus(effective_status(grant.status, grant.expires_at, at)),
            status_reason=grant.status_reason,
            version=grant.version,
            consented_by=grant.consented_by,
            contact_email=grant.contact_email,
            terms_version=grant.terms_version,
            created_at=grant.created_at,
            updated_at=grant.updated_at,
        )


class GrantPage(Page[GrantRead]):
    pass


class GrantQuery(PageQuery):
    """Query of `GET /v1/grants`. Filters narrow what the caller may see, never widen it."""

    status: GrantStatus | None = Field(default=None, description="The effective status.")
    seller_id: str | None = Field(default=None, max_length=40)
    partner_id: str | None = Field(default=None, max_length=40)
    service_id: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200, description="Opaque; from a page.")


class GrantUpdate(RequestBody):
    """A seller's edit: each field sent replaces that part of the selection.

    An omitted field keeps its current value, unless its item is removed, in which case it goes
    with the item. Duration and expiry are not edited (renewal re-sends the link, seed 002).
    """

    model_config = ConfigDict(extra="forbid")

    items: list[Code] | None = Field(default=None, max_length=8)
    roles: list[Code] | None = Field(default=None, max_length=32)
    areas: list[Code] | None = Field(default=None, max_length=32)
    authorized_object: Code | None = None
    version: int | None = Field(
        default=None,
        ge=1,
        description="The version this edit is based on; 409 grant_changed if it moved on.",
    )


class GrantCancelled(BaseModel):
    cancelled: list[str] = Field(description="Every grant the cancel ended, sorted.")
    grant: GrantRead


class GrantDeactivate(RequestBody):
    reason: DeactivationReason
