"""The snapshot a coherence lease was registered under (issue 24 item 5, docs/coherence.md):
a writer waits only for the leases whose registration did not see its transaction committed.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Text, not pg_snapshot: the table exists on SQLite too (unused there); PostgreSQL casts it.
    op.add_column("coherence_leases", sa.Column("registered_snapshot", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("coherence_leases", "registered_snapshot")
