"""Service proposals (issue 21 item 3, seed 002; docs/proposals.md).

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import StringSet, UTCDateTime

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_proposals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("items", StringSet(), nullable=False),
        sa.Column("roles", StringSet(), nullable=False),
        sa.Column("areas", StringSet(), nullable=False),
        sa.Column("authorized_object", sa.String(length=32), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("grant_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["accounts.id"], name=op.f("fk_service_proposals_created_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["accounts.id"], name=op.f("fk_service_proposals_decided_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_service_proposals_grant_id_grants")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_service_proposals_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_service_proposals_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_proposals_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_proposals")),
    )
    op.create_index(
        "ix_service_proposals_partner", "service_proposals", ["partner_id", "created_at"]
    )
    op.create_index("ix_service_proposals_seller", "service_proposals", ["seller_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_service_proposals_seller", table_name="service_proposals")
    op.drop_index("ix_service_proposals_partner", table_name="service_proposals")
    op.drop_table("service_proposals")
