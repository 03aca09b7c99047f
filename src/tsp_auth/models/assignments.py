"""Member assignments: which partner member acts for which seller (TSP Access)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class MemberAssignment(Base):
    """Which partner member may use which seller's grants, with all or part of the roles."""

    __tablename__ = "member_assignments"
    __table_args__ = (
        Index("uq_member_assignments_member_seller", "member_id", "seller_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    roles: Mapped[frozenset[str] | None] = mapped_column(StringSet)  # None: all of the grant's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
