"""Service validity in two flags: the partner's own and the platform's invalidation (seed 002).

``services.valid`` stays the effective validity every reader checks; the two new flags say who
made it so, so a partner cannot undo the platform's decision. Existing services keep their
validity, as the partner's flag: nothing recorded which side set it before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("partner_valid", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column(
                "platform_invalidated", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.execute("UPDATE services SET partner_valid = valid")


def downgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.drop_column("platform_invalidated")
        batch.drop_column("partner_valid")
