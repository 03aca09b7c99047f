"""Proposal schemas: what a partner proposes, and the proposal as each side reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody

Code = Annotated[str, Field(min_length=1, max_length=40)]
ProposalState = Literal["open", "accepted", "declined", "withdrawn", "expired"]


class ProposalCreate(RequestBody):
    """A partner admin proposes one of its services to a named seller (seed 002)."""

    model_config = ConfigDict(extra="forbid")

    service_id: Code
    seller_id: Code
    items: list[Code] = Field(min_length=1, max_length=8, description="The items asked for.")
    roles: list[Code] = Field(default_factory=list, max_length=32)
    areas: list[Code] = Field(default_factory=list, max_length=32)
    authorized_object: Code | None = None
    duration_days: int = Field(description="One of the consent's durations (30, 90, 180, 365).")
    message: str = Field(min_length=1, max_length=2000, description="Free text to the seller.")


class ProposalAccept(RequestBody):
    """The seller's consent to a proposal: as on the consent page, e-mail and terms."""

    model_config = ConfigDict(extra="forbid")

    contact_email: EmailStr
    terms_version: str = Field(max_length=32)
    terms_accepted: bool


class Labelled(BaseModel):
    code: str
    label: str


class ProposalItem(BaseModel):
    """One item as the consent page says it: its name, what it lets the partner do, and the
    roles, areas or object that come with it."""

    code: str
    label: str
    help: str
    choices: list[Labelled]


class ProposalRead(BaseModel):
    id: str
    status: ProposalState
    partner_id: str
    partner_name: str
    service_id: str
    service_name: str
    seller_id: str
    items: list[ProposalItem]
    duration_days: int
    duration_label: str
    message: str
    warning: str | None = Field(
        description="Shown when the proposal asks for TSP access (seed 001: the partner "
        '"can carry out actions on behalf of your account").'
    )
    terms_version: str = Field(description="The terms version an acceptance must confirm.")
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    grant_id: str | None = Field(description="The grant the acceptance recorded.")


class ProposalPage(Page[ProposalRead]):
    pass
