"""Process leases and invalidation acknowledgements of the per-process cache (issue 12 item 2,
docs/coherence.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coherence_leases",
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("registered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_coherence_leases")),
    )
    op.create_table(
        "coherence_acks",
        sa.Column("invalidation_id", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("acked_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("invalidation_id", "process_id", name=op.f("pk_coherence_acks")),
    )


def downgrade() -> None:
    op.drop_table("coherence_acks")
    op.drop_table("coherence_leases")
