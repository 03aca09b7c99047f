"""Authorization requests and grants: the one grant model every flow shares (DESIGN §1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class AuthorizationRequest(Base):
    """What `/open/authorize` stored: the link's terms, waiting for the seller's decision."""

    __tablename__ = "authorization_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    purpose: Mapped[str] = mapped_column(String(16))  # "authorize" | "tsp_access"
    state: Mapped[str | None] = mapped_column(String(512))
    client_id: Mapped[str | None] = mapped_column(String(64))
    redirect_uri: Mapped[str | None] = mapped_column(String(2048))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(8))
    scopes: Mapped[frozenset[str] | None] = mapped_column(StringSet)  # partner apps only
    status: Mapped[str] = mapped_column(String(16))  # pending | accepted | rejected
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Only TSP access grants have a seller as grantor and a partner as grantee (DESIGN §1).
TSP_ACCESS = "tsp_access"


class Grant(Base):
    """Grantor lets grantee do scopes until expiry.

    For TSP access the grantor is a seller and the grantee a partner; ``items``, ``roles``,
    ``areas`` and ``authorized_object`` are the seller's choices (seed 001/002). ``version``
    is bumped on every change so tokens minted from an older version stop working.
    """

    __tablename__ = "grants"
    __table_args__ = (
        # One active grant per (grantor, service), enforced by the database (STYLE §11).
        Index(
            "uq_grants_one_active_per_service",
            "grantor_id",
            "service_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_grants_grantee_status", "grantee_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # tsp_access | partner_app | business_center
    grantor_id: Mapped[str] = mapped_column(String(40), index=True)
    grantee_id: Mapped[str] = mapped_column(String(40))
    service_id: Mapped[str | None] = mapped_column(String(40))
    binding_id: Mapped[str | None] = mapped_column(ForeignKey("bindings.id"), index=True)
    market: Mapped[str | None] = mapped_column(String(8))
    items: Mapped[frozenset[str]] = mapped_column(StringSet)
    roles: Mapped[frozenset[str]] = mapped_column(StringSet)
    areas: Mapped[frozenset[str]] = mapped_column(StringSet)
    scopes: Mapped[frozenset[str]] = mapped_column(StringSet)
    authorized_object: Mapped[str | None] = mapped_column(String(24))
    duration_days: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    consented_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    terms_version: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def parties(grant: Grant) -> tuple[str | None, str | None]:
    """(seller_id, partner_id) of a grant, as audit events and webhooks name them: TSP access
    is seller → partner; a partner authorization (partner_app) is granted by the partner;
    others name neither. Here, below grants/ and audit/, because both need it."""
    if grant.kind == "tsp_access":
        return grant.grantor_id, grant.grantee_id
    if grant.kind == "partner_app":
        return None, grant.grantor_id
    return None, None
