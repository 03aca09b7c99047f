from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

from tsp_auth.kit.strict import RequestBody
from tsp_auth.oauth.authorize_query import Purpose

Code = Field(max_length=40)


def _sorted(codes: Iterable[str]) -> list[str]:
    return sorted(codes)


# Grants keep codes as sets; answers list them in a stable order.
Codes = Annotated[list[str], BeforeValidator(_sorted)]


class EntryRead(BaseModel):
    """A catalogue entry: a stable code and the label to show."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    label: str


class DurationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    days: int
    label: str


class PartnerSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    region: str


class ServiceChoiceRead(BaseModel):
    """A service the seller may authorize, with every choice policy allows for it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    visibility: str
    requested: bool = Field(description="The service the authorization link names.")
    renews_grant_id: str | None = Field(
        description="The existing grant that accepting renews (same id, version + 1)."
    )
    items: list[EntryRead]
    roles: list[EntryRead]
    areas: list[EntryRead]
    authorized_objects: list[EntryRead]
    durations: list[DurationRead]


class AuthorizedGrantRead(BaseModel):
    """A grant of this seller to this partner that is in force now."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    service_id: str | None
    items: Codes
    roles: Codes
    areas: Codes
    authorized_object: str | None
    expires_at: datetime | None
    version: int


class ConsentRequestRead(BaseModel):
    id: str
    purpose: Purpose
    expires_at: datetime
    terms_version: str = Field(description="The terms version `accept` must name.")
    can_decide: bool = Field(description="Whether the caller may accept or reject (main account).")
    market: str = Field(description="The seller's market, which decides what is offered.")
    partner: PartnerSummary
    requested_service_id: str
    requested_service_unavailable: str | None = Field(
        description="Reason code when the link's own service cannot be authorized by this seller."
    )
    services: list[ServiceChoiceRead]
    already_authorized: list[AuthorizedGrantRead]


class ServicePick(RequestBody):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Code
    items: list[str] = Field(default_factory=list, max_length=8)
    roles: list[str] = Field(default_factory=list, max_length=32)
    areas: list[str] = Field(default_factory=list, max_length=32)
    authorized_object: str | None = Field(default=None, max_length=24)


class ConsentAccept(RequestBody):
    """The seller's decision (seed 001: duration, email, terms, then the sections)."""

    model_config = ConfigDict(extra="forbid")

    services: list[ServicePick] = Field(min_length=1, max_length=20)
    duration_days: int = Field(description="One of the offered durations, in days.")
    contact_email: EmailStr
    terms_version: str = Field(max_length=32)
    terms_accepted: bool

    @field_validator("services")
    @classmethod
    def _each_service_once(cls, value: list[ServicePick]) -> list[ServicePick]:
        ids = [pick.service_id for pick in value]
        if len(set(ids)) != len(ids):
            raise ValueError("each service may be picked once")
        return value


class GrantIssued(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    service_id: str | None
    version: int
    expires_at: datetime | None
    renewed: bool = False


class ConsentAccepted(BaseModel):
    redirect_to: str = Field(description="Where to send the seller's browser next.")
    grants: list[GrantIssued]


class ConsentRejected(BaseModel):
    redirect_to: str
