"""Rows of every kind the cleanup handles, at chosen times, through the app's sessionmaker.

``Ages`` places one row past its table's retention, one still within it and one live, so
each test shows what goes, what stays and that live rows are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, make_ops_world
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.models import (
    AuthorizationCode,
    Client,
    ConsoleSession,
    LoginToken,
    RefreshToken,
    RevokedToken,
    TokenFamily,
    WebhookAttempt,
    WebhookDelivery,
)
from tsp_auth.models.base import Base, new_id

RECEIVER = "http://127.0.0.1:9/hooks"  # never called: these deliveries are finished


@dataclass(frozen=True)
class Ages:
    """Three moments for a table whose rows are kept ``retention`` past ``expires_at``."""

    past: datetime  # older than the retention: deleted
    within: datetime  # expired, but not yet past the retention: kept
    live: datetime  # not expired at all: kept

    @classmethod
    def of(cls, retention: timedelta) -> Ages:
        at = now()
        return cls(at - retention - timedelta(hours=1), at - retention + timedelta(hours=1), at)


@dataclass
class World:
    ops: OpsWorld
    member_id: str
    client: Client
    family_id: str


async def make_world(factory: Factory) -> World:
    ops = await make_ops_world(factory, RECEIVER)
    member = await factory.account("partner", "member", partner_id=ops.partner.id)
    client, _ = await factory.oauth_client(ops.partner)
    family = TokenFamily(
        id=new_id("fam"),
        client_id=client.id,
        grant_id=ops.grant.id,
        subject=ops.seller.id,
        created_at=now(),
    )
    await _add(factory.app, family)
    return World(ops, member.id, client, family.id)


async def _add(app: FastAPI, *rows: Base) -> None:
    async with app.state.sessionmaker() as session:
        session.add_all(rows)
        await session.commit()


async def code(app: FastAPI, world: World, expires_at: datetime, *, used: bool) -> str:
    row = AuthorizationCode(
        id=new_id("cod"),
        code_hash=new_id("h"),
        client_id=world.client.id,
        grant_id=world.ops.grant.id,
        subject=world.ops.seller.id,
        scopes=frozenset(),
        redirect_uri="https://app.example.com/callback",
        code_challenge=None,
        code_challenge_method=None,
        family_id=world.family_id,
        created_at=expires_at - timedelta(seconds=60),
        expires_at=expires_at,
        used_at=expires_at - timedelta(seconds=30) if used else None,
    )
    await _add(app, row)
    return row.id


async def refresh(app: FastAPI, world: World, expires_at: datetime) -> str:
    row = RefreshToken(
        id=new_id("rft"),
        token_hash=new_id("h"),
        family_id=world.family_id,
        client_id=world.client.id,
        scopes=frozenset(),
        created_at=expires_at - timedelta(days=30),
        expires_at=expires_at,
        used_at=None,
    )
    await _add(app, row)
    return row.id


async def revoked(app: FastAPI, expires_at: datetime) -> str:
    row = RevokedToken(jti=new_id("jti"), expires_at=expires_at, revoked_at=expires_at)
    await _add(app, row)
    return row.jti


async def login_token(app: FastAPI, world: World, expires_at: datetime) -> str:
    grant = world.ops.grant
    row = LoginToken(
        jti=new_id("jti"),
        grant_id=grant.id,
        grant_version=grant.version,
        member_id=world.member_id,
        partner_id=world.ops.partner.id,
        seller_id=world.ops.seller.id,
        roles=grant.roles,
        created_at=expires_at - timedelta(minutes=5),
        expires_at=expires_at,
        redeemed_at=None,
    )
    await _add(app, row)
    return row.jti


async def session(
    app: FastAPI, world: World, expires_at: datetime, *, ended_at: datetime | None = None
) -> str:
    """A console session opened with a login token of its own (expired by then)."""
    jti = await login_token(app, world, expires_at - timedelta(hours=8))
    grant = world.ops.grant
    row = ConsoleSession(
        id=new_id("ses"),
        kind="tsp_access",
        token_hash=new_id("h"),
        login_jti=jti,
        grant_id=grant.id,
        grant_version=grant.version,
        member_id=world.member_id,
        partner_id=world.ops.partner.id,
        seller_id=world.ops.seller.id,
        roles=grant.roles,
        browser_profile=new_id("bp"),
        created_at=expires_at - timedelta(hours=8),
        expires_at=expires_at,
        ended_at=ended_at,
        end_reason="signed_out" if ended_at else None,
    )
    await _add(app, row)
    return row.id


async def delivery(app: FastAPI, world: World, created_at: datetime, status: str) -> str:
    """An outbox row queued at ``created_at`` with one attempt."""
    row = WebhookDelivery(
        id=new_id("dlv"),
        endpoint_id=world.ops.endpoint_id,
        event_id=new_id("evt"),
        event_type="grant.updated",
        body="{}",
        status=status,
        attempts=1,
        next_attempt_at=created_at,
        locked_until=None,
        lease_id=None,
        created_at=created_at,
        delivered_at=created_at if status == "delivered" else None,
    )
    attempt = WebhookAttempt(
        id=new_id("att"),
        delivery_id=row.id,
        number=1,
        attempted_at=created_at,
        duration_ms=3,
        status_code=200 if status == "delivered" else 500,
        error=None,
        outcome="delivered" if status == "delivered" else "retrying",
    )
    await _add(app, row)
    await _add(app, attempt)
    return row.id


async def keys(app: FastAPI, model: type[Base]) -> set[str]:
    key = next(iter(model.__table__.primary_key.columns))
    async with app.state.sessionmaker() as session:
        return set((await session.scalars(select(key))).all())


async def count(app: FastAPI, model: type[Base]) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def retention(settings: Settings) -> dict[str, timedelta]:
    return {
        "token": settings.cleanup_token_grace,
        "session": settings.cleanup_session_retention,
        "outbox": settings.cleanup_outbox_retention,
    }
