"""The audit trail: append-only events of every consent, change, token and refusal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:46:58.240852
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("seller_id", sa.String(length=40), nullable=True),
        sa.Column("grant_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_grant_id"), "audit_events", ["grant_id"], unique=False)
    op.create_index(
        "ix_audit_events_partner_time",
        "audit_events",
        ["partner_id", "occurred_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_audit_events_seller_time",
        "audit_events",
        ["seller_id", "occurred_at", "id"],
        unique=False,
    )


def downgrade() -> None:

    op.drop_index("ix_audit_events_seller_time", table_name="audit_events")
    op.drop_index("ix_audit_events_partner_time", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_grant_id"), table_name="audit_events")
    op.drop_table("audit_events")
