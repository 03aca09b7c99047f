"""Business Center account access (seed 003, docs/business-center.md).

A TikTok account is a platform account of kind ``tiktok`` (role ``owner``): the owner signs in
as that account to approve a request, so no second table is needed. A Business Center's admins
and standard members are accounts of kind ``business_center`` with ``business_center_id``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime
from tsp_auth.models.grants import Grant


class BusinessCenter(Base):
    __tablename__ = "business_centers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BcAccessRequest(Base):
    """A BC admin's request for access to a TikTok account, answered by scanning a QR code.

    The QR code carries an opaque single-use token. ``token_hash`` finds the request; the
    token itself is kept Fernet-encrypted (``token_encrypted``) only while the request is
    pending, so the QR image can be drawn again, and is erased when the request is decided.
    """

    __tablename__ = "bc_access_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_center_id: Mapped[str] = mapped_column(ForeignKey("business_centers.id"), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    scope: Mapped[str] = mapped_column(String(40))  # a catalogue access scope
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_encrypted: Mapped[str | None] = mapped_column(String(512))
    tiktok_account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BcAssignment(Base):
    """Seed 003 step 2: a member may use a TikTok account the BC has access to, at a level."""

    __tablename__ = "bc_assignments"
    __table_args__ = (
        Index("uq_bc_assignments_member_account", "member_id", "tiktok_account_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_center_id: Mapped[str] = mapped_column(ForeignKey("business_centers.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    tiktok_account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    permission: Mapped[str] = mapped_column(String(16))  # analyst | operator | admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BcAdAccountAccess(Base):
    """A member's role on one of the BC's ad accounts. Seed 003: "pull video" for Spark Ads
    needs "Admin or Operator level access an ad account"; an admin records it here."""

    __tablename__ = "bc_ad_account_access"
    __table_args__ = (
        Index("uq_bc_ad_account_access_member_ad", "member_id", "ad_account_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_center_id: Mapped[str] = mapped_column(ForeignKey("business_centers.id"), index=True)
    ad_account_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(16))  # admin | operator | analyst
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountLinkage(Base):
    """A TikTok account linked to a TikTok For Business user account, outside any BC (seed 003
    "Scenarios for TikTok accounts already linked"); its permissions are access scope codes."""

    __tablename__ = "account_linkages"
    __table_args__ = (
        Index("uq_account_linkages_account_user", "tiktok_account_id", "user_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tiktok_account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    permissions: Mapped[frozenset[str]] = mapped_column(StringSet)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# One active Business Center grant per (TikTok account, business center), enforced by the
# database (STYLE §11). Declared here, next to the flow it serves, on the shared grants table.
Index(
    "uq_grants_one_active_business_center",
    Grant.grantor_id,
    Grant.grantee_id,
    unique=True,
    sqlite_where=text("kind = 'business_center' AND status = 'active'"),
    postgresql_where=text("kind = 'business_center' AND status = 'active'"),
)
