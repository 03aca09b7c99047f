"""FAPI 2.0 for partner apps (issue 23): pushed authorization requests, used assertion and
DPoP proof ids, the clients' RFC 7591 settings, DPoP-bound token families.

Revision ID: 0016
Revises: 0015 (the chain is 0014, 0017, 0015, 0016: the branches were merged in that order)
Create Date: 2026-12-07 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pushed_authorization_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("request_uri_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_pushed_authorization_requests_client_id_clients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushed_authorization_requests")),
        sa.UniqueConstraint(
            "request_uri_hash", name=op.f("uq_pushed_authorization_requests_request_uri_hash")
        ),
    )
    op.create_index(
        op.f("ix_pushed_authorization_requests_client_id"),
        "pushed_authorization_requests",
        ["client_id"],
    )
    op.create_index(
        op.f("ix_pushed_authorization_requests_expires_at"),
        "pushed_authorization_requests",
        ["expires_at"],
    )
    op.create_table(
        "used_jtis",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_used_jtis")),
    )
    op.create_index(op.f("ix_used_jtis_expires_at"), "used_jtis", ["expires_at"])
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("token_endpoint_auth_method", sa.String(32), nullable=True))
        batch.add_column(sa.Column("jwks", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("jwks_uri", sa.String(2048), nullable=True))
        batch.add_column(
            sa.Column(
                "dpop_bound_access_tokens", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "require_pushed_authorization_requests",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch.add_column(sa.Column("profile", sa.String(16), nullable=True))
    with op.batch_alter_table("token_families") as batch:
        batch.add_column(sa.Column("dpop_jkt", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("token_families") as batch:
        batch.drop_column("dpop_jkt")
    with op.batch_alter_table("clients") as batch:
        for column in (
            "profile",
            "require_pushed_authorization_requests",
            "dpop_bound_access_tokens",
            "jwks_uri",
            "jwks",
            "token_endpoint_auth_method",
        ):
            batch.drop_column(column)
    op.drop_index(op.f("ix_used_jtis_expires_at"), table_name="used_jtis")
    op.drop_table("used_jtis")
    op.drop_index(
        op.f("ix_pushed_authorization_requests_expires_at"),
        table_name="pushed_authorization_requests",
    )
    op.drop_index(
        op.f("ix_pushed_authorization_requests_client_id"),
        table_name="pushed_authorization_requests",
    )
    op.drop_table("pushed_authorization_requests")
