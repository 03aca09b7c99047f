"""The browser origins a public client may call the token endpoint from (CORS, docs/oauth.md).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Existing clients allow no origin: CORS stays off until an admin lists one.
    op.add_column(
        "clients",
        sa.Column("allowed_origins", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("allowed_origins")
