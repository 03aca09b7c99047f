"""Business centers, their access requests, member assignments and account linkages (seed 003).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import StringSet, UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_ACTIVE_BC_GRANT = "kind = 'business_center' AND status = 'active'"


def upgrade() -> None:
    op.create_table(
        "business_centers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_centers")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("accounts") as batch:
        # On SQLite the REFERENCES goes inline in ADD COLUMN, so the table is not copied: a copy
        # drops `accounts`, which PRAGMA foreign_keys refuses once other rows point at it.
        batch.add_column(
            sa.Column(
                "business_center_id",
                sa.String(length=40),
                sa.ForeignKey(
                    "business_centers.id",
                    name=op.f("fk_accounts_business_center_id_business_centers"),
                ),
                nullable=True,
            ),
            inline_references=sqlite,
        )
        batch.create_index(
            op.f("ix_accounts_business_center_id"), ["business_center_id"], unique=False
        )
    _create_access_requests()
    _create_assignments_and_linkages()
    op.create_index(
        "uq_grants_one_active_business_center",
        "grants",
        ["grantor_id", "grantee_id"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE_BC_GRANT),
        postgresql_where=sa.text(_ACTIVE_BC_GRANT),
    )


def _create_access_requests() -> None:
    op.create_table(
        "bc_access_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("business_center_id", sa.String(length=40), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_encrypted", sa.String(length=512), nullable=True),
        sa.Column("tiktok_account_id", sa.String(length=40), nullable=True),
        sa.Column("grant_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_center_id"],
            ["business_centers.id"],
            name=op.f("fk_bc_access_requests_business_center_id_business_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["accounts.id"],
            name=op.f("fk_bc_access_requests_requested_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tiktok_account_id"],
            ["accounts.id"],
            name=op.f("fk_bc_access_requests_tiktok_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_bc_access_requests_grant_id_grants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bc_access_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_bc_access_requests_token_hash")),
    )
    op.create_index(
        op.f("ix_bc_access_requests_business_center_id"),
        "bc_access_requests",
        ["business_center_id"],
        unique=False,
    )


def _create_assignments_and_linkages() -> None:
    op.create_table(
        "bc_assignments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("business_center_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("tiktok_account_id", sa.String(length=40), nullable=False),
        sa.Column("permission", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_center_id"],
            ["business_centers.id"],
            name=op.f("fk_bc_assignments_business_center_id_business_centers"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["accounts.id"], name=op.f("fk_bc_assignments_member_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["tiktok_account_id"],
            ["accounts.id"],
            name=op.f("fk_bc_assignments_tiktok_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bc_assignments")),
    )
    op.create_index(
        op.f("ix_bc_assignments_business_center_id"),
        "bc_assignments",
        ["business_center_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_bc_assignments_tiktok_account_id"),
        "bc_assignments",
        ["tiktok_account_id"],
        unique=False,
    )
    op.create_index(
        "uq_bc_assignments_member_account",
        "bc_assignments",
        ["member_id", "tiktok_account_id"],
        unique=True,
    )
    op.create_table(
        "account_linkages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tiktok_account_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("permissions", StringSet(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tiktok_account_id"],
            ["accounts.id"],
            name=op.f("fk_account_linkages_tiktok_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["accounts.id"], name=op.f("fk_account_linkages_user_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_linkages")),
    )
    op.create_index(
        op.f("ix_account_linkages_user_id"), "account_linkages", ["user_id"], unique=False
    )
    op.create_index(
        "uq_account_linkages_account_user",
        "account_linkages",
        ["tiktok_account_id", "user_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_grants_one_active_business_center", table_name="grants")
    op.drop_index("uq_account_linkages_account_user", table_name="account_linkages")
    op.drop_index(op.f("ix_account_linkages_user_id"), table_name="account_linkages")
    op.drop_table("account_linkages")
    op.drop_index("uq_bc_assignments_member_account", table_name="bc_assignments")
    op.drop_index(op.f("ix_bc_assignments_tiktok_account_id"), table_name="bc_assignments")
    op.drop_index(op.f("ix_bc_assignments_business_center_id"), table_name="bc_assignments")
    op.drop_table("bc_assignments")
    op.drop_index(op.f("ix_bc_access_requests_business_center_id"), table_name="bc_access_requests")
    op.drop_table("bc_access_requests")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index(op.f("ix_accounts_business_center_id"))
        batch.drop_column("business_center_id")
    op.drop_table("business_centers")
