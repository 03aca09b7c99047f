"""Service proposals (seed 002: "For US L2L&CB, you can also create a service proposal/offer
to sign with sellers"): a partner proposes one of its services to a named seller with the
items it asks for, an access duration and a message; the seller accepts (consent) or declines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class ServiceProposal(Base):
    __tablename__ = "service_proposals"
    __table_args__ = (
        Index("ix_service_proposals_seller", "seller_id", "created_at"),
        Index("ix_service_proposals_partner", "partner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    items: Mapped[frozenset[str]] = mapped_column(StringSet)
    roles: Mapped[frozenset[str]] = mapped_column(StringSet)
    areas: Mapped[frozenset[str]] = mapped_column(StringSet)
    authorized_object: Mapped[str | None] = mapped_column(String(32))
    duration_days: Mapped[int]
    message: Mapped[str] = mapped_column(Text)
    # open | accepted | declined | withdrawn; "expired" is an open one past expires_at.
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id"))
