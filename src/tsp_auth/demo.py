"""Demo data for `make run`: idempotent (fixed ids), and a quickstart that says what to open.

It covers every row of the market table (DESIGN §2): a US L2L, US CB, UK, DE (EU), ID (SEA)
and JP (other markets) seller, and a partner with several public services and a custom one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.business_centers.demo import (
    BC_DEMO_ACCOUNTS,
    business_center_quickstart,
    business_center_rows,
)
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.models import Account, Partner, Seller, Service, ServiceOffer
from tsp_auth.models.base import Base
from tsp_auth.partner_apps.demo import TAP_ADMIN_ID, partner_app_quickstart, partner_app_rows

ALL_ITEMS = frozenset(
    {"authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass"}
)
MARKETS = ("US-L2L", "US-CB", "UK", "DE", "ID", "JP")


@dataclass(frozen=True)
class DemoSeller:
    id: str
    market: str
    shop_name: str


SELLERS = tuple(
    DemoSeller(f"slr_demo_{m.lower().replace('-', '_')}", m, f"Demo shop {m}") for m in MARKETS
)


def _rows(return_url: str) -> list[Base]:
    created = now()
    partners = [
        Partner(
            id="ptn_demo_us",
            name="Demo Partner US",
            region="US",
            categories=frozenset({"seller_service"}),
            status="active",
            created_at=created,
        ),
        Partner(
            id="ptn_demo_row",
            name="Demo Partner ROW",
            region="ROW",
            categories=frozenset({"seller_service"}),
            status="active",
            created_at=created,
        ),
    ]
    rows: list[Base] = [*partners]
    rows += [
        Seller(id=s.id, shop_name=s.shop_name, market=s.market, created_at=created) for s in SELLERS
    ]
    rows += [
        _account(
            f"acc_demo_main_{s.id[9:]}",
            "seller",
            "main",
            f"Main account, {s.market}",
            seller_id=s.id,
        )
        for s in SELLERS
    ]
    rows.append(
        _account("acc_demo_sub_uk", "seller", "sub", "Sub-account, UK", seller_id="slr_demo_uk")
    )
    for p in partners:
        tag = p.id[9:]
        rows.append(
            _account(
                f"acc_demo_admin_{tag}", "partner", "admin", f"{p.name} admin", partner_id=p.id
            )
        )
        rows.append(
            _account(
                f"acc_demo_member_{tag}", "partner", "member", f"{p.name} member", partner_id=p.id
            )
        )
    rows.append(_account("acc_demo_operator", "operator", "operator", "Platform operator"))
    rows += _services(return_url, created)
    rows.append(ServiceOffer(service_id="svc_demo_row_custom", seller_id="slr_demo_uk"))
    return rows


def _partner_app_rows(settings: Settings, base_url: str) -> list[Base]:
    # seed 004: a TAP partner with a development and a live app (tsp_auth.partner_apps.demo).
    return partner_app_rows(settings, base_url, now())


def _services(return_url: str, created: Any) -> list[Base]:
    us = ("US-L2L", "US-CB")
    row = ("UK", "DE", "ID", "JP")
    specs = [
        ("svc_demo_us_shop", "ptn_demo_us", "Shop management", "public", us),
        ("svc_demo_us_live", "ptn_demo_us", "LIVE management", "public", us),
        ("svc_demo_row_shop", "ptn_demo_row", "Shop management", "public", row),
        ("svc_demo_row_affiliate", "ptn_demo_row", "Affiliate management", "public", row),
        ("svc_demo_row_video", "ptn_demo_row", "Short video management", "public", row),
        ("svc_demo_row_custom", "ptn_demo_row", "Custom growth plan", "custom", row),
    ]
    return [
        Service(
            id=sid,
            partner_id=pid,
            name=name,
            visibility=vis,
            category="seller_service",
            markets=frozenset(markets),
            qualified_items=ALL_ITEMS,
            valid=True,
            return_url=return_url,
            created_at=created,
        )
        for sid, pid, name, vis, markets in specs
    ]


def _account(account_id: str, kind: str, role: str, name: str, **owner: str) -> Account:
    return Account(
        id=account_id,
        kind=kind,
        role=role,
        name=name,
        email=f"{account_id}@demo.example",
        created_at=now(),
        **owner,
    )


async def _insert_missing(session: AsyncSession, rows: list[Base]) -> int:
    added = 0
    for row in rows:
        mapper = row.__mapper__
        key = mapper.primary_key_from_instance(row)
        if await session.get(type(row), tuple(key)) is None:
            session.add(row)
            await session.flush()
            added += 1
    return added


async def load_demo(settings: Settings, *, base_url: str) -> dict[str, Any]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = _rows(f"{base_url}/demo/partner-callback")
            rows += business_center_rows(now())  # seed 003 (tsp_auth.business_centers.demo)
            added = await _insert_missing(session, rows + _partner_app_rows(settings, base_url))
            await session.commit()
    finally:
        await engine.dispose()
    return _quickstart(settings, base_url, added)


def _quickstart(settings: Settings, base_url: str, added: int) -> dict[str, Any]:
    accounts = {
        "operator": "acc_demo_operator",
        "partner_admin_us": "acc_demo_admin_us",
        "partner_admin_row": "acc_demo_admin_row",
        "partner_member_row": "acc_demo_member_row",
        **{f"seller_main_{s.market}": f"acc_demo_main_{s.id[9:]}" for s in SELLERS},
        "seller_sub_UK": "acc_demo_sub_uk",
        "partner_admin_tap": TAP_ADMIN_ID,
        **BC_DEMO_ACCOUNTS,
    }
    apps = partner_app_quickstart(settings, base_url)
    link = f"{base_url}/open/authorize?service_id=svc_demo_row_shop&state=demo-state-123"
    text = "\n".join(
        [
            f"tsp-auth demo ({added} rows added; database {settings.database_url})",
            f"  health / ready / metrics: {base_url}/health  {base_url}/ready  {base_url}/metrics",
            f"  API docs:                 {base_url}/docs",
            f"  try the consent flow:     {link}",
            "    (sign in on the development login page as the UK main account, acc_demo_main_uk)",
            "  identity token for curl (development issuer):",
            f"    curl -s -X POST {base_url}/dev/identity-tokens"
            " -H 'content-type: application/json'"
            ' -d \'{"account_id": "acc_demo_main_uk"}\'',
            "  demo accounts: " + ", ".join(f"{k}={v}" for k, v in accounts.items()),
            *([apps["text"]] if "text" in apps else []),
            business_center_quickstart(base_url),
        ]
    )
    return {
        "base_url": base_url,
        "consent_link": link,
        "accounts": accounts,
        "partner_apps": apps.get("apps", []),
        "app_authorization_link": apps.get("app_authorization_link"),
        "text": text,
    }
