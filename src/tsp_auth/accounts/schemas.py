from __future__ import annotations

from pydantic import BaseModel, Field

from tsp_auth.kit.strict import RequestBody


class IdentityTokenRequest(RequestBody):
    account_id: str = Field(max_length=40)


class IdentityToken(BaseModel):
    id_token: str
    token_type: str = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    account_id: str
    kind: str
    role: str


class BusinessCenterMembership(BaseModel):
    id: str = Field(description="The Business Center's id")
    name: str
    role: str = Field(description="`admin` or `member` (standard member, seed 003)")


class Me(BaseModel):
    account_id: str
    kind: str
    role: str
    name: str
    seller_id: str | None
    partner_id: str | None
    business_centers: list[BusinessCenterMembership] = Field(
        description="The Business Centers the account belongs to, with its role there"
    )
