"""The scopes a partner app asked for on its authorization request (RFC 6749 §3.3).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import StringSet

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Null for links without a client: only a partner app asks for OAuth scopes.
    op.add_column("authorization_requests", sa.Column("scopes", StringSet(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authorization_requests") as batch:
        batch.drop_column("scopes")
