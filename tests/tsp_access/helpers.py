"""A partner (admin + member) with a TSP access grant from one seller, and the three calls of
the path: login (partner console), redeem (seller console), decide (seller console)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from jose import JWTError, jwt
from sqlalchemy import select

from tests.factories import Factory
from tsp_auth.models import Account, AuditEvent, ConsoleSession, Grant, Partner, Seller, Service
from tsp_auth.models.base import new_id


@dataclass
class World:
    partner: Partner
    admin: Account
    member: Account
    service: Service
    seller: Seller
    main: Account
    grant: Grant


async def make_world(
    factory: Factory,
    *,
    market: str = "UK",
    roles: Iterable[str] = ("products", "orders", "affiliate_center"),
    areas: Iterable[str] = ("live",),
    items: Iterable[str] = ("seller_center_access", "data_compass"),
) -> World:
    partner = await factory.partner(region="US" if market.startswith("US") else "ROW")
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    member = await factory.account("partner", "member", partner_id=partner.id)
    service = await factory.service(partner, markets=(market,))
    seller, main = await factory.seller(market)
    grant = await factory.grant(
        seller, service, items=items, roles=roles, areas=areas, consented_by=main
    )
    return World(partner, admin, member, service, seller, main, grant)


async def login(factory: Factory, account: Account, seller_id: str, **body: Any) -> Response:
    return await factory.client.post(
        "/v1/tsp-access/login",
        json={"seller_id": seller_id, **body},
        headers=await factory.headers(account),
    )


async def login_token(factory: Factory, account: Account, seller_id: str, **body: Any) -> str:
    response = await login(factory, account, seller_id, **body)
    assert response.status_code == 200, response.text
    token: str = response.json()["login_token"]
    return token


def fresh_profile() -> str:
    """A browser profile no other session of the test is on."""
    return new_id("bp")


def _login_profile(token: str) -> str | None:
    try:
        profile: str | None = jwt.get_unverified_claims(token).get("browser_profile")
    except JWTError:  # not a login token at all: tests of refusals send those
        return None
    return profile


async def redeem(client: AsyncClient, token: str, **body: Any) -> Response:
    """Redeem on the profile named in ``body``, else the login's, else a fresh one: every
    console session lives on a browser profile (seed 000 FAQ Q1)."""
    if "browser_profile" not in body and _login_profile(token) is None:
        body["browser_profile"] = fresh_profile()
    return await client.post("/v1/tsp-access/sessions", json={"login_token": token, **body})


async def session_token(factory: Factory, account: Account, seller_id: str, **body: Any) -> str:
    """Login and redeem: the token of a fresh console session."""
    response = await redeem(factory.client, await login_token(factory, account, seller_id), **body)
    assert response.status_code == 201, response.text
    token: str = response.json()["session_token"]
    return token


async def decide(client: AsyncClient, token: str, action: str, shop_id: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/decisions", json={"token": token, "action": action, "shop_id": shop_id}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def audit_events(factory: Factory, action: str) -> list[AuditEvent]:
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.occurred_at)
        )
        return list(rows)


async def console_session(factory: Factory, session_id: str) -> ConsoleSession:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(ConsoleSession, session_id)
        assert row is not None
        return row
