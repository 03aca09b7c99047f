"""TSP Access schemas: login, console sessions, and the sellers a partner account may act for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH
from tsp_auth.kit.pagination import Page
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody

# An opaque id the console keeps per browser profile (seed 000 FAQ: one identity per Chrome
# profile); we only compare it, so any short URL-safe string will do.
BrowserProfile = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._~-]+$")]


class Actor(BaseModel):
    """RFC 8693 §4.1 ``act``: the partner account acting, and its partner."""

    sub: str = Field(description="The acting partner account (admin or member).")
    partner: str = Field(description="The partner the account belongs to.")


class LoginRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    seller_id: str = Field(max_length=40)
    service_id: str | None = Field(
        default=None,
        max_length=40,
        description="Which service's grant to use; needed only when several grants allow login.",
    )
    browser_profile: BrowserProfile | None = Field(
        default=None, description="Bind the login to this browser profile (see sessions)."
    )


class LoginTokenIssued(BaseModel):
    """A single-use login token and where to take it. Switching sellers is this call again."""

    login_token: str = Field(description="JWT, typ `tsp-login+jwt`; single use.")
    login_url: str = Field(
        description="The seller console's redemption page. Send the token in a POST body "
        "(form field `login_token`) or the URL fragment, never in the query."
    )
    expires_in: int = Field(description="Seconds until the login token expires.")
    seller_id: str
    grant_id: str
    roles: list[str] = Field(description="The roles the session will carry, sorted.")
    act: Actor


class SessionCreate(RequestBody):
    """The seller console redeems a login token; the token itself is the credential."""

    model_config = ConfigDict(extra="forbid")

    login_token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    browser_profile: BrowserProfile | None = Field(
        default=None,
        description="The browser profile the session lives on; required unless the login named "
        "one (then it must match). Ends the member's earlier session on it (end_reason "
        "`replaced`); another identity's open session on it is 409 `browser_profile_in_use`.",
    )


class SessionStarted(BaseModel):
    session_token: str = Field(description="Opaque bearer token of the console session.")
    token_type: str = "Bearer"  # noqa: S105
    session_id: str
    seller_id: str
    acting_as: str = Field(description="Whose identity the console shows: the seller.")
    act: Actor
    grant_id: str
    roles: list[str]
    browser_profile: str
    expires_at: datetime


class SellerSessionCreate(RequestBody):
    """The seller console signs the seller's own account (main or sub-account) in on a profile."""

    model_config = ConfigDict(extra="forbid")

    browser_profile: BrowserProfile = Field(description="The browser profile it lives on.")


class SellerSessionStarted(BaseModel):
    session_token: str = Field(description="Opaque bearer token of the session (logout).")
    token_type: str = "Bearer"  # noqa: S105
    session_id: str
    kind: Literal["seller_account"]
    account_id: str
    seller_id: str
    browser_profile: str
    expires_at: datetime


class LoginDecision(BaseModel):
    allow: bool
    reason: ReasonCode


class SellerGrant(BaseModel):
    grant_id: str
    service_id: str | None
    version: int
    items: list[str]
    roles: list[str] = Field(description="The caller's effective roles of this grant, sorted.")
    areas: list[str]
    expires_at: datetime | None
    login: LoginDecision = Field(description="Whether the caller may log in with this grant now.")


class TspSeller(BaseModel):
    seller_id: str
    shop_name: str
    market: str
    grants: list[SellerGrant]


class TspSellerList(Page[TspSeller]):
    pass


class AccessRequestable(BaseModel):
    """A seller whose grant of a valid service has no seller center access yet, and could
    (seed 001: the TSP sees "which sellers they currently don't have Seller Center access for")."""

    seller_id: str
    shop_name: str
    market: str
    grant_id: str = Field(description="The grant accepting the link adds the item to.")
    service_id: str = Field(
        description="Create the link with this service_id and purpose `tsp_access`."
    )
    service_name: str
    expires_at: datetime | None


class AccessRequestableList(Page[AccessRequestable]):
    pass
