from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, field_validator

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody
from tsp_auth.policy import ITEM_CODES, validate_market

Name = Field(min_length=1, max_length=200)


class PartnerCreate(RequestBody):
    name: str = Name
    region: Literal["US", "ROW"]
    categories: list[Literal["seller_service", "tap"]] = Field(default_factory=list, max_length=8)


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    region: str
    categories: list[str]
    status: str
    created_at: datetime


class AccountCreate(RequestBody):
    name: str = Name
    email: EmailStr | None = None


class MemberCreate(AccountCreate):
    role: Literal["admin", "member"] = "member"


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    role: str
    name: str
    email: str | None
    seller_id: str | None
    partner_id: str | None
    business_center_id: str | None = None


class SellerCreate(RequestBody):
    shop_name: str = Name
    market: str = Field(max_length=8, description="US-L2L, US-CB, UK, DE, ID, JP …")
    main_account: AccountCreate

    @field_validator("market")
    @classmethod
    def _market(cls, value: str) -> str:
        return validate_market(value)


class SellerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    shop_name: str
    market: str
    created_at: datetime


class SellerCreated(SellerRead):
    main_account: AccountRead


class ServiceCreate(RequestBody):
    partner_id: str = Field(max_length=40)
    name: str = Name
    visibility: Literal["public", "custom"] = "public"
    category: str = Field(default="seller_service", min_length=1, max_length=40)
    markets: list[str] = Field(min_length=1, max_length=64)
    qualified_items: list[str] = Field(min_length=1, max_length=8)
    return_url: HttpUrl | None = None

    @field_validator("markets")
    @classmethod
    def _markets(cls, value: list[str]) -> list[str]:
        return [validate_market(m) for m in value]

    @field_validator("qualified_items")
    @classmethod
    def _items(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - ITEM_CODES)
        if unknown:
            raise ValueError(f"unknown authorization items: {unknown}")
        return value


class ServiceUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    valid: bool | None = Field(
        default=None,
        description="A partner admin sets the partner's flag; an operator, the platform's.",
    )
    return_url: HttpUrl | None = None


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    partner_id: str
    name: str
    visibility: str
    category: str
    markets: list[str]
    qualified_items: list[str]
    valid: bool = Field(description="Effective: the partner's flag and not the platform's.")
    partner_valid: bool = Field(description="The partner's own flag (a partner admin sets it).")
    platform_invalidated: bool = Field(
        description="Set and cleared by an operator only; while set the service is not valid."
    )
    return_url: str | None
    created_at: datetime


class OfferCreate(RequestBody):
    seller_id: str = Field(max_length=40)


class OfferRead(BaseModel):
    service_id: str
    seller_id: str


class AccountPage(Page[AccountRead]):
    pass


class ServicePage(Page[ServiceRead]):
    pass
