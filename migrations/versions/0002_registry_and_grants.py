"""Registry (partners, sellers, accounts, services, bindings), authorization requests, grants.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:30:33.834492
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsp_auth.models.base import StringSet, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "partners",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("categories", StringSet(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
    )
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("shop_name", sa.String(length=200), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("seller_id", sa.String(length=40), nullable=True),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_accounts_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_accounts_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_partner_id"), "accounts", ["partner_id"], unique=False)
    op.create_index(op.f("ix_accounts_seller_id"), "accounts", ["seller_id"], unique=False)
    op.create_index(
        "uq_accounts_one_main_per_seller",
        "accounts",
        ["seller_id"],
        unique=True,
        sqlite_where=sa.text("role = 'main'"),
        postgresql_where=sa.text("role = 'main'"),
    )
    op.create_table(
        "bindings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_bindings_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_bindings_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bindings")),
    )
    op.create_index(op.f("ix_bindings_partner_id"), "bindings", ["partner_id"], unique=False)
    op.create_index(op.f("ix_bindings_seller_id"), "bindings", ["seller_id"], unique=False)
    op.create_index(
        "uq_bindings_one_active",
        "bindings",
        ["seller_id", "partner_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("markets", StringSet(), nullable=False),
        sa.Column("qualified_items", StringSet(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("return_url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_services_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index(op.f("ix_services_partner_id"), "services", ["partner_id"], unique=False)
    op.create_table(
        "authorization_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=512), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["accounts.id"],
            name=op.f("fk_authorization_requests_decided_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_authorization_requests_partner_id_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_authorization_requests_service_id_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_requests")),
    )
    op.create_index(
        op.f("ix_authorization_requests_service_id"),
        "authorization_requests",
        ["service_id"],
        unique=False,
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("grantor_id", sa.String(length=40), nullable=False),
        sa.Column("grantee_id", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=True),
        sa.Column("binding_id", sa.String(length=40), nullable=True),
        sa.Column("market", sa.String(length=8), nullable=True),
        sa.Column("items", StringSet(), nullable=False),
        sa.Column("roles", StringSet(), nullable=False),
        sa.Column("areas", StringSet(), nullable=False),
        sa.Column("scopes", StringSet(), nullable=False),
        sa.Column("authorized_object", sa.String(length=24), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("consented_by", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("terms_version", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["binding_id"], ["bindings.id"], name=op.f("fk_grants_binding_id_bindings")
        ),
        sa.ForeignKeyConstraint(
            ["consented_by"], ["accounts.id"], name=op.f("fk_grants_consented_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_binding_id"), "grants", ["binding_id"], unique=False)
    op.create_index(op.f("ix_grants_expires_at"), "grants", ["expires_at"], unique=False)
    op.create_index("ix_grants_grantee_status", "grants", ["grantee_id", "status"], unique=False)
    op.create_index(op.f("ix_grants_grantor_id"), "grants", ["grantor_id"], unique=False)
    op.create_index(
        "uq_grants_one_active_per_service",
        "grants",
        ["grantor_id", "service_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "service_offers",
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_service_offers_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_offers_service_id_services")
        ),
        sa.PrimaryKeyConstraint("service_id", "seller_id", name=op.f("pk_service_offers")),
    )


def downgrade() -> None:

    op.drop_table("service_offers")
    op.drop_index(
        "uq_grants_one_active_per_service",
        table_name="grants",
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index(op.f("ix_grants_grantor_id"), table_name="grants")
    op.drop_index("ix_grants_grantee_status", table_name="grants")
    op.drop_index(op.f("ix_grants_expires_at"), table_name="grants")
    op.drop_index(op.f("ix_grants_binding_id"), table_name="grants")
    op.drop_table("grants")
    op.drop_index(op.f("ix_authorization_requests_service_id"), table_name="authorization_requests")
    op.drop_table("authorization_requests")
    op.drop_index(op.f("ix_services_partner_id"), table_name="services")
    op.drop_table("services")
    op.drop_index(
        "uq_bindings_one_active",
        table_name="bindings",
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index(op.f("ix_bindings_seller_id"), table_name="bindings")
    op.drop_index(op.f("ix_bindings_partner_id"), table_name="bindings")
    op.drop_table("bindings")
    op.drop_index(
        "uq_accounts_one_main_per_seller",
        table_name="accounts",
        sqlite_where=sa.text("role = 'main'"),
        postgresql_where=sa.text("role = 'main'"),
    )
    op.drop_index(op.f("ix_accounts_seller_id"), table_name="accounts")
    op.drop_index(op.f("ix_accounts_partner_id"), table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("sellers")
    op.drop_table("partners")
