"""Demo data for `make run`: idempotent (fixed ids), and a quickstart that says what to open.

It covers every row of the market table (DESIGN §2): a US L2L, US CB, UK, DE (EU), ID (SEA)
and JP (other markets) seller, and a partner with several public services and a custom one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.config import DEFAULT_DATABASE_URL, Settings
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.demo.business_centers import (
    BC_DEMO_ACCOUNTS,
    BC_ID,
    business_center_quickstart,
    business_center_rows,
)
from tsp_auth.demo.partner_apps import (
    APPS,
    FIRST_PARTY_ID,
    TAP_ADMIN_ID,
    TAP_PARTNER_ID,
    callback,
    first_party_quickstart,
    follow_base_url,
    partner_app_quickstart,
    partner_app_rows,
)
from tsp_auth.models import Account, Client, Partner, Seller, Service, ServiceOffer
from tsp_auth.models.base import Base

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
    # seed 004: a TAP partner with a development and a live app (tsp_auth.demo.partner_apps).
    return partner_app_rows(settings, base_url, now())


_US = ("US-L2L", "US-CB")
_ROW = ("UK", "DE", "ID", "JP")
_SERVICE_SPECS = (
    ("svc_demo_us_shop", "ptn_demo_us", "Shop management", "public", _US),
    ("svc_demo_us_live", "ptn_demo_us", "LIVE management", "public", _US),
    ("svc_demo_row_shop", "ptn_demo_row", "Shop management", "public", _ROW),
    ("svc_demo_row_affiliate", "ptn_demo_row", "Affiliate management", "public", _ROW),
    ("svc_demo_row_video", "ptn_demo_row", "Short video management", "public", _ROW),
    ("svc_demo_row_custom", "ptn_demo_row", "Custom growth plan", "custom", _ROW),
)
SERVICE_IDS = tuple(spec[0] for spec in _SERVICE_SPECS)


def _services(return_url: str, created: Any) -> list[Base]:
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
        for sid, pid, name, vis, markets in _SERVICE_SPECS
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


async def _follow_base_url(session: AsyncSession, base_url: str) -> int:
    """Rows made by an earlier run on another base URL (`make run` with another PORT) point
    at it: move the services' return URL here and register this run's app callback, so every
    link this run prints works. Idempotent: a rerun on the same URL changes nothing."""
    return_url = callback(base_url)
    changed = 0
    for service_id in SERVICE_IDS:
        service = await session.get(Service, service_id)
        if service is not None and service.return_url != return_url:
            service.return_url = return_url
            changed += 1
    apps = [await session.get(Client, client_id) for client_id, *_ in APPS]
    changed += follow_base_url([app for app in apps if app is not None], base_url)
    await session.flush()
    return changed


async def load_demo(settings: Settings, *, base_url: str) -> dict[str, Any]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = _rows(callback(base_url))
            rows += business_center_rows(now())  # seed 003 (tsp_auth.demo.business_centers)
            added = await _insert_missing(session, rows + _partner_app_rows(settings, base_url))
            updated = await _follow_base_url(session, base_url)
            await session.commit()
    finally:
        await engine.dispose()
    return _quickstart(settings, base_url, added, updated)


def quickstart_path(settings: Settings) -> Path | None:
    """Where `tsp-auth demo` writes its quickstart unless told (docs: README "Quickstart").

    Beside the SQLite database it describes: the quickstart's own database gets
    ``var/demo.json``, any other file ``<name>.demo.json`` next to it, so a demo run against
    another database never overwrites the quickstart's file. PostgreSQL (or an in-memory
    SQLite) has no folder of its own: nothing is written unless ``--output`` names a file.
    """
    path = settings.sqlite_path()
    if path is None:
        return None
    if settings.database_url == DEFAULT_DATABASE_URL:
        return path.with_name("demo.json")
    return path.with_name(f"{path.stem}.demo.json")


def _quickstart(settings: Settings, base_url: str, added: int, updated: int) -> dict[str, Any]:
    accounts = {
        "operator": "acc_demo_operator",
        "partner_admin_us": "acc_demo_admin_us",
        "partner_member_us": "acc_demo_member_us",
        "partner_admin_row": "acc_demo_admin_row",
        "partner_member_row": "acc_demo_member_row",
        **{f"seller_main_{s.market}": f"acc_demo_main_{s.id[9:]}" for s in SELLERS},
        "seller_sub_UK": "acc_demo_sub_uk",
        "partner_admin_tap": TAP_ADMIN_ID,
        **BC_DEMO_ACCOUNTS,
    }
    apps = partner_app_quickstart(settings, base_url)
    first_party = None if settings.environment == "production" else first_party_quickstart()
    link = f"{base_url}/open/authorize?service_id=svc_demo_row_shop&state=demo-state-123"
    text = "\n".join(
        [
            f"tsp-auth demo ({added} rows added, {updated} moved to {base_url};"
            f" database {_database(settings)})",
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
            *([_FIRST_PARTY_LINE] if first_party else []),
            business_center_quickstart(base_url),
        ]
    )
    return {
        "base_url": base_url,
        "consent_link": link,
        "accounts": accounts,
        **_ids(),
        "partner_apps": apps.get("apps", []),
        "first_party_client": first_party,
        "app_authorization_link": apps.get("app_authorization_link"),
        "text": text,
    }


_FIRST_PARTY_LINE = (
    f"  first-party client {FIRST_PARTY_ID} (client_credentials): secret in the quickstart file"
)


def _ids() -> dict[str, list[str]]:
    """Every other demo id, so scripts need not guess them."""
    return {
        "partners": ["ptn_demo_us", "ptn_demo_row", TAP_PARTNER_ID],
        "sellers": [s.id for s in SELLERS],
        "services": list(SERVICE_IDS),
        "business_centers": [BC_ID],
    }


def _database(settings: Settings) -> str:
    """The database without its credentials: the text is printed."""
    url = make_url(settings.database_url)
    return url.render_as_string(hide_password=True)
