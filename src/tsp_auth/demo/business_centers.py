"""Demo rows for Business Center account access (seed 003): a business center with an admin
and a standard member, and a TikTok account whose owner can scan the admin's QR code."""

from __future__ import annotations

from datetime import datetime

from tsp_auth.models import Account, BusinessCenter
from tsp_auth.models.base import Base

BC_ID = "bc_demo"
BC_DEMO_ACCOUNTS = {
    "bc_admin": "acc_demo_bc_admin",
    "bc_member": "acc_demo_bc_member",
    "tiktok_owner": "acc_demo_tiktok_owner",
}


def _account(account_id: str, kind: str, role: str, name: str, created: datetime) -> Account:
    return Account(
        id=account_id,
        kind=kind,
        role=role,
        name=name,
        email=f"{account_id}@demo.example",
        business_center_id=BC_ID if kind == "business_center" else None,
        created_at=created,
    )


def business_center_rows(created: datetime) -> list[Base]:
    """In insertion order: the business center before the accounts that point at it."""
    return [
        BusinessCenter(id=BC_ID, name="Demo Business Center", created_at=created),
        _account(
            BC_DEMO_ACCOUNTS["bc_admin"], "business_center", "admin", "Demo BC admin", created
        ),
        _account(
            BC_DEMO_ACCOUNTS["bc_member"], "business_center", "member", "Demo BC member", created
        ),
        _account(BC_DEMO_ACCOUNTS["tiktok_owner"], "tiktok", "owner", "@demo.creator", created),
    ]


def business_center_quickstart(base_url: str) -> str:
    return "\n".join(
        [
            "  try Business Center access (seed 003): as acc_demo_bc_admin,",
            f"    POST {base_url}/v1/business-centers/{BC_ID}/access-requests"
            ' {"scope": "ad_delivery_existing_posts"}',
            "    then open the answer's `link` (or its qr_png_url) signed in as"
            " acc_demo_tiktok_owner",
        ]
    )
