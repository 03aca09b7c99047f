from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tsp_auth.business_centers.catalogue import CONTENT_CODES, AccessScope, PermissionLevel
from tsp_auth.kit.pagination import Page
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import Grant
from tsp_auth.registry.schemas import AccountCreate, AccountRead

Name = Field(min_length=1, max_length=200)
Id = Field(min_length=1, max_length=40)


class BusinessCenterCreate(RequestBody):
    name: str = Name
    admin: AccountCreate = Field(description="The first Business Center admin")


class BusinessCenterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime


class BusinessCenterCreated(BusinessCenterRead):
    admin: AccountRead


class AccessRequestCreate(RequestBody):
    scope: AccessScope


class AccessRequestCreated(BaseModel):
    request_id: str
    scope: str
    link: str = Field(description="Single-use link the QR code encodes; give it to the owner")
    qr_png_url: str = Field(
        description="Absolute URL of the QR code PNG: identity token or the sign-in cookie"
    )
    card_url: str = Field(description="Absolute URL of the QR card page for the admin's browser")
    expires_at: datetime


class AccessRequestRead(BaseModel):
    id: str
    business_center_id: str
    scope: str
    status: Literal["pending", "approved", "rejected", "expired", "withdrawn"]
    tiktok_account_id: str | None
    grant_id: str | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class AccessRequestPage(Page[AccessRequestRead]):
    pass


class ContentPermission(BaseModel):
    code: str
    label: str


class AccessOffer(BaseModel):
    """What the owner is asked to approve (the JSON twin of the approval page)."""

    request_id: str
    business_center_id: str
    business_center_name: str
    scope: str
    scope_label: str
    permissions: list[ContentPermission]
    expires_at: datetime
    expires: Literal["never"] = Field(
        default="never", description="Seed 003: the authorization does not expire"
    )


class BcGrantRead(BaseModel):
    id: str
    tiktok_account_id: str
    business_center_id: str
    scopes: list[str]
    status: str
    status_reason: ReasonCode | None
    version: int
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, grant: Grant) -> BcGrantRead:
        return cls(
            id=grant.id,
            tiktok_account_id=grant.grantor_id,
            business_center_id=grant.grantee_id,
            scopes=sorted(grant.scopes),
            status=grant.status,
            status_reason=grant.status_reason,
            version=grant.version,
            expires_at=grant.expires_at,
            created_at=grant.created_at,
            updated_at=grant.updated_at,
        )


class AccessDecided(BaseModel):
    status: Literal["approved", "rejected"]
    grant: BcGrantRead | None


class BusinessCenterAssignmentCreate(RequestBody):
    member_id: str = Id
    tiktok_account_id: str = Id
    permission: PermissionLevel


class BusinessCenterAssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    business_center_id: str
    member_id: str
    tiktok_account_id: str
    permission: str
    created_at: datetime


class TikTokAccountRead(BaseModel):
    tiktok_account_id: str
    name: str
    grant_id: str
    scopes: list[str]
    grant_version: int
    authorized_at: datetime
    permission: str | None = Field(description="The caller's assigned level, if any")


class PermissionSource(BaseModel):
    source: Literal["business_center", "account_linkage"]
    permissions: list[str]
    grant_id: str | None = None
    level: str | None = None


class EffectivePermissions(BaseModel):
    member_id: str
    tiktok_account_id: str
    permissions: list[str] = Field(description="Union of every source (seed 003)")
    level: str | None = Field(description="The Business Center permission level, if any")
    sources: list[PermissionSource]


class LinkageCreate(RequestBody):
    tiktok_account_id: str = Id
    user_id: str = Id
    permissions: list[str] = Field(min_length=1, max_length=8)

    @field_validator("permissions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - CONTENT_CODES)
        if unknown:
            raise ValueError(f"unknown permissions: {unknown}")
        return value


class LinkageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    tiktok_account_id: str
    user_id: str
    permissions: list[str]
    created_at: datetime


class TikTokAccountPage(Page[TikTokAccountRead]):
    pass


class BcGrantPage(Page[BcGrantRead]):
    pass


class AdAccountAccessCreate(RequestBody):
    member_id: str = Id
    ad_account_id: str = Id
    role: PermissionLevel = Field(description="The member's role on the ad account")


class AdAccountAccessRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    business_center_id: str
    ad_account_id: str
    member_id: str
    role: str
    created_at: datetime


class BcDecisionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    tiktok_account_id: str = Id
    action: str = Field(min_length=1, max_length=64, description="e.g. `spark_ads.pull_video`")
    ad_account_id: str | None = Field(default=None, min_length=1, max_length=40)
    member_id: str | None = Field(
        default=None, min_length=1, max_length=40, description="Default: the caller"
    )


class BcDecision(BaseModel):
    allow: bool
    reason: ReasonCode = Field(description="`ok`, or why not (policy.business_center)")
    member_id: str
    level: str | None = Field(description="The member's level on the TikTok account, if any")
    ad_account_role: str | None = Field(description="The member's role on the ad account")
