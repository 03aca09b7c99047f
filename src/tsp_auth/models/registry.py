"""Who exists: partners, their services, sellers, accounts, bindings (DESIGN §2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(3))  # "US" | "ROW": picks the link host
    categories: Mapped[frozenset[str]] = mapped_column(StringSet)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shop_name: Mapped[str] = mapped_column(String(200))
    market: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    """A person who signs in on the platform: a seller's main or sub-account, a partner's
    admin or member, a business center's admin or member, a TikTok user, or an operator."""

    __tablename__ = "accounts"
    __table_args__ = (
        # Seed 000: a seller has exactly one main account.
        Index(
            "uq_accounts_one_main_per_seller",
            "seller_id",
            unique=True,
            sqlite_where=text("role = 'main'"),
            postgresql_where=text("role = 'main'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
    # Kind `business_center`: the business center this admin or standard member belongs to.
    business_center_id: Mapped[str | None] = mapped_column(
        ForeignKey("business_centers.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(8))  # "public" | "custom"
    category: Mapped[str] = mapped_column(String(40))
    markets: Mapped[frozenset[str]] = mapped_column(StringSet)
    qualified_items: Mapped[frozenset[str]] = mapped_column(StringSet)
    # Effective validity, what every reader checks (seed 000 "currently valid"): written only
    # as ``policy.Validity(partner_valid, platform_invalidated).valid`` (registry.service).
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    # The partner's own flag, and the platform's invalidation the partner may not clear.
    partner_valid: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    platform_invalidated: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    return_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceOffer(Base):
    """A custom service offered to one named seller (DESIGN §2)."""

    __tablename__ = "service_offers"

    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)


class Binding(Base):
    """The seller-partner relationship: made by the first authorization, ended by a cancel."""

    __tablename__ = "bindings"
    __table_args__ = (
        Index(
            "uq_bindings_one_active",
            "seller_id",
            "partner_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
