"""Indexes for the cleanup's predicates: every batch finds its rows by an index, not a scan.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# (table, columns): `revoked_tokens.expires_at` is indexed since 0004.
_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("authorization_codes", ("expires_at",)),
    ("refresh_tokens", ("expires_at",)),
    ("login_tokens", ("expires_at",)),
    ("console_sessions", ("expires_at",)),
    ("console_sessions", ("ended_at",)),
)


def upgrade() -> None:
    for table, columns in _INDEXES:
        op.create_index(op.f(f"ix_{table}_{columns[0]}"), table, list(columns), unique=False)
    # Finished deliveries by age; the due index (status, next_attempt_at) serves the claims.
    op.create_index(
        "ix_webhook_deliveries_finished", "webhook_deliveries", ["status", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_finished", table_name="webhook_deliveries")
    for table, columns in reversed(_INDEXES):
        op.drop_index(op.f(f"ix_{table}_{columns[0]}"), table_name=table)
