"""One live console session per browser profile, seller-account sessions, and BC members'
ad account roles (issue 15 items 9 and 11).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_LIVE = "ended_at IS NULL"
# Sessions opened without a profile cannot be placed on one: they end, under a unique name.
_END_PROFILELESS = """
UPDATE console_sessions
SET browser_profile = 'none-' || id,
    ended_at = COALESCE(ended_at, CURRENT_TIMESTAMP),
    end_reason = COALESCE(end_reason, 'browser_profile_required')
WHERE browser_profile IS NULL
"""
# Of several open sessions on one profile only the newest stays (the others were replaced).
_END_CROWDED = """
UPDATE console_sessions
SET ended_at = CURRENT_TIMESTAMP, end_reason = 'replaced'
WHERE ended_at IS NULL AND EXISTS (
    SELECT 1 FROM console_sessions AS newer
    WHERE newer.browser_profile = console_sessions.browser_profile
      AND newer.ended_at IS NULL
      AND (newer.created_at > console_sessions.created_at
           OR (newer.created_at = console_sessions.created_at AND newer.id > console_sessions.id))
)
"""


def upgrade() -> None:
    op.execute(_END_PROFILELESS)
    op.execute(_END_CROWDED)
    with op.batch_alter_table("console_sessions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="tsp_access")
        )
        batch.alter_column("browser_profile", existing_type=sa.String(length=64), nullable=False)
        for name, type_ in (
            ("login_jti", sa.String(length=64)),
            ("grant_id", sa.String(length=40)),
            ("grant_version", sa.Integer()),
            ("partner_id", sa.String(length=40)),
        ):
            batch.alter_column(name, existing_type=type_, nullable=True)
    op.create_index(
        "uq_console_sessions_live_profile",
        "console_sessions",
        ["browser_profile"],
        unique=True,
        sqlite_where=sa.text(_LIVE),
        postgresql_where=sa.text(_LIVE),
    )
    _create_ad_account_access()


def _create_ad_account_access() -> None:
    op.create_table(
        "bc_ad_account_access",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("business_center_id", sa.String(length=40), nullable=False),
        sa.Column("ad_account_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_center_id"],
            ["business_centers.id"],
            name=op.f("fk_bc_ad_account_access_business_center_id_business_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["accounts.id"], name=op.f("fk_bc_ad_account_access_member_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bc_ad_account_access")),
    )
    op.create_index(
        op.f("ix_bc_ad_account_access_business_center_id"),
        "bc_ad_account_access",
        ["business_center_id"],
        unique=False,
    )
    op.create_index(
        "uq_bc_ad_account_access_member_ad",
        "bc_ad_account_access",
        ["member_id", "ad_account_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_bc_ad_account_access_member_ad", table_name="bc_ad_account_access")
    op.drop_index(
        op.f("ix_bc_ad_account_access_business_center_id"), table_name="bc_ad_account_access"
    )
    op.drop_table("bc_ad_account_access")
    op.drop_index("uq_console_sessions_live_profile", table_name="console_sessions")
    # Seller-account sessions have no login token or grant: they cannot outlive the downgrade.
    op.execute("DELETE FROM console_sessions WHERE kind <> 'tsp_access'")
    with op.batch_alter_table("console_sessions") as batch:
        for name, type_ in (
            ("login_jti", sa.String(length=64)),
            ("grant_id", sa.String(length=40)),
            ("grant_version", sa.Integer()),
            ("partner_id", sa.String(length=40)),
        ):
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.alter_column("browser_profile", existing_type=sa.String(length=64), nullable=True)
        batch.drop_column("kind")
