"""The login request off the ORM (live/login_candidates.py): one read, one write, and
the write is all or nothing: the login token's row and its audit event, or neither.

On PostgreSQL both the read and the write run on the driver, and concurrent logins'
writes are group-committed: one statement for a batch of logins, each answered once its
rows are committed, each row with its own values."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.factories import Factory
from tests.statements import sent_statements
from tests.tsp_access.helpers import World, audit_events, login, make_world
from tsp_auth.audit.repository import AuditRow
from tsp_auth.audit.service import drain_lone_events, success_row
from tsp_auth.clock import now
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.live.login_candidates import login_candidate_rows
from tsp_auth.models import AuditEvent, LoginToken
from tsp_auth.tsp_access.login import LOGIN_TOKEN_MINTED
from tsp_auth.tsp_access.login_token_repository import insert_login_token


def _token_row(
    world: World, jti: str, at: datetime, *, grant_id: str, grant_version: int
) -> dict[str, object]:
    """A login token's row as the login writes it: the admin's, for ``orders``, 5 minutes."""
    return {
        "jti": jti,
        "grant_id": grant_id,
        "grant_version": grant_version,
        "member_id": world.admin.id,
        "partner_id": world.partner.id,
        "seller_id": world.seller.id,
        "roles": frozenset({"orders"}),
        "created_at": at,
        "expires_at": at + timedelta(minutes=5),
        "redeemed_at": None,
    }


def _introspection(statement: str) -> bool:
    return "typeinfo_tree" in statement or "set_config('jit'" in statement


def _minted() -> float:
    return REGISTRY.get_sample_value("tsp_auth_login_tokens_total", {"event": "minted"}) or 0.0


async def test_a_login_is_one_read_and_one_write_with_its_row_and_event_committed(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    await factory.assignment(world.member, world.seller, roles=["orders"])
    headers = await factory.headers(world.member)
    engine: AsyncEngine = committed_app.state.engine
    # The first use loads the key ring (a server does at start): not part of a login.
    assert (await login(factory, world.admin, world.seller.id)).status_code == 200
    before = _minted()

    async with sent_statements(engine) as sent:
        response = await committed_client.post(
            "/v1/tsp-access/login", json={"seller_id": world.seller.id}, headers=headers
        )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["orders"]
    assert _minted() == before + 1
    event = (await audit_events(factory, LOGIN_TOKEN_MINTED))[-1]
    async with engine.connect() as connection:
        mine = LoginToken.member_id == world.member.id
        stored = await connection.scalar(select(func.count()).select_from(LoginToken).where(mine))
    assert (stored, event.actor_id, event.detail["roles"]) == (1, world.member.id, ["orders"])
    if backend == "postgresql":
        # The caller's read, the grants with the assignment, one INSERT for both rows; no
        # BEGIN, no COMMIT. (Not counted: asyncpg's introspection of an array type it has no
        # codec of, int[] and timestamptz[], once per pooled connection.)
        sent = [s for s in sent if not _introspection(s)]
        assert len(sent) == 3, [" ".join(s.split())[:100] for s in sent]
        write = sent[-1]
        assert write.lstrip().startswith("WITH minted AS")
        assert "INSERT INTO login_tokens" in write and "INSERT INTO audit_events" in write
        assert not [s for s in sent if s.strip().upper() in ("BEGIN", "COMMIT")]


async def test_a_refused_write_stores_neither_the_token_nor_its_event(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    at = now()
    # No such grant: the foreign key refuses the row.
    token = _token_row(world, "jti-orphan", at, grant_id="grt_unknown", grant_version=1)
    note = AuditNote(action=LOGIN_TOKEN_MINTED, actor_id=world.admin.id)
    with pytest.raises(DBAPIError):
        await insert_login_token(committed_app.state.sessionmaker, token, success_row(note))
    engine: AsyncEngine = committed_app.state.engine
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(LoginToken)) == 0
        assert await connection.scalar(select(func.count()).select_from(AuditEvent)) == 0
    # The request path still works afterwards.
    assert (await login(factory, world.admin, world.seller.id)).status_code == 200


CONCURRENT = 12


async def test_concurrent_logins_share_writes_and_each_answers_after_its_own_rows(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    admins = [world.admin] + [
        await factory.account("partner", "admin", partner_id=world.partner.id)
        for _ in range(CONCURRENT - 1)
    ]
    headers = [await factory.headers(admin) for admin in admins]
    engine: AsyncEngine = committed_app.state.engine
    assert (await login(factory, world.admin, world.seller.id)).status_code == 200  # key ring
    before = _minted()

    async def login_then_read(caller: dict[str, str]) -> tuple[str, LoginToken | None]:
        response = await committed_client.post(
            "/v1/tsp-access/login",
            json={"seller_id": world.seller.id, "browser_profile": "bp_shared"},
            headers=caller,
        )
        assert response.status_code == 200, response.text
        jti = jwt.decode(response.json()["login_token"], options={"verify_signature": False})
        # Read the moment the answer arrives: the row must already be committed.
        async with engine.connect() as connection:
            row = (
                await connection.execute(select(LoginToken).where(LoginToken.jti == jti["jti"]))
            ).first()
        return jti["jti"], None if row is None else LoginToken(**row._asdict())

    async with sent_statements(engine) as sent:
        answers = await asyncio.gather(*(login_then_read(h) for h in headers))
    assert _minted() == before + CONCURRENT
    events = {e.detail["jti"]: e for e in await audit_events(factory, LOGIN_TOKEN_MINTED)}
    for admin, (jti, row) in zip(admins, answers, strict=True):
        assert row is not None, jti
        assert (row.member_id, row.partner_id, row.seller_id) == (
            admin.id,
            world.partner.id,
            world.seller.id,
        )
        assert (row.grant_id, row.grant_version) == (world.grant.id, world.grant.version)
        assert row.roles == frozenset({"products", "orders", "affiliate_center"})
        assert row.redeemed_at is None and row.created_at.tzinfo == UTC
        assert row.expires_at == row.created_at.replace(microsecond=0) + timedelta(minutes=5)
        event = events[jti]
        assert (event.actor_id, event.outcome, event.grant_id) == (
            admin.id,
            "success",
            row.grant_id,
        )
        assert event.detail == {
            "jti": jti,
            "service_id": world.service.id,
            "roles": ["affiliate_center", "orders", "products"],
            "browser_profile": "bp_shared",
        }
    if backend == "postgresql":
        # Fewer write statements than logins. (SQLite: one transaction per login.)
        writes = [s for s in sent if s.lstrip().startswith("WITH minted AS")]
        assert 1 <= len(writes) < CONCURRENT


async def test_coalesced_candidate_reads_answer_what_each_read_alone_would(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    other = await factory.service(world.partner)
    await factory.grant(world.seller, other, roles=["orders"], status="cancelled")
    await factory.grant(world.seller, other, roles=["products"], items=["data_compass"])
    second_seller, _ = await factory.seller()
    await factory.grant(second_seller, world.service)
    await factory.assignment(world.member, world.seller, roles=["orders"])
    p, s = world.partner.id, world.seller.id
    keys = [
        (p, s, world.admin.id, None),
        (p, s, world.member.id, None),
        (p, s, world.member.id, other.id),
        (p, s, world.member.id, "svc_unknown"),
        (p, second_seller.id, world.member.id, None),  # no assignment to this seller
        (p, "sel_unknown", world.admin.id, None),
    ]
    sessionmaker = committed_app.state.sessionmaker
    engine: AsyncEngine = committed_app.state.engine

    def read(key: tuple[str, str, str, str | None], source: Any) -> Any:
        partner_id, seller_id, member_id, service_id = key
        return login_candidate_rows(
            source,
            partner_id=partner_id,
            seller_id=seller_id,
            member_id=member_id,
            service_id=service_id,
        )

    async with sent_statements(engine) as sent:
        together = await asyncio.gather(*(read(key, sessionmaker) for key in keys))
    async with engine.connect() as connection:
        # A sessionmaker bound to a connection reads each key alone, through a session.
        alone = [await read(key, async_sessionmaker(bind=connection)) for key in keys]
    assert together == alone
    assert [len(rows) for rows in together] == [3, 3, 2, 0, 1, 0]
    assert together[1][0].assigned and together[1][0].assigned_roles == frozenset({"orders"})
    assert not together[4][0].assigned
    if backend == "postgresql":
        assert len([s for s in sent if "FROM grants" in s]) < len(keys)


async def test_a_seller_id_the_database_refuses_fails_only_its_own_login(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    headers = await factory.headers(world.admin)
    assert (await login(factory, world.admin, world.seller.id)).status_code == 200  # key ring

    def post(seller_id: str) -> Any:
        return committed_client.post(
            "/v1/tsp-access/login", json={"seller_id": seller_id}, headers=headers
        )

    odd, *logins = await asyncio.gather(
        post("sel_\x00"), *(post(world.seller.id) for _ in range(3))
    )
    # PostgreSQL refuses a NUL in text (a data exception: 400); SQLite finds no such grant.
    assert odd.status_code == (400 if backend == "postgresql" else 404), odd.text
    assert [login.status_code for login in logins] == [200] * 3
    if backend == "postgresql":
        assert odd.json()["error"] == "invalid_request"
    else:
        assert odd.json()["error"] == "not_found"
    # The refused login wrote nothing: the first login's and the three good ones' rows only.
    engine: AsyncEngine = committed_app.state.engine
    async with engine.connect() as connection:
        stored = await connection.scalar(select(func.count()).select_from(LoginToken))
    assert stored == 4
    assert len(await audit_events(factory, LOGIN_TOKEN_MINTED)) == 4


async def test_shutdown_writes_the_logins_still_queued(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    sessionmaker = committed_app.state.sessionmaker
    at = now()

    def minted(n: int) -> tuple[dict[str, object], AuditRow]:
        token = _token_row(
            world, f"jti-queued-{n}", at, grant_id=world.grant.id, grant_version=world.grant.version
        )
        return token, success_row(AuditNote(action=LOGIN_TOKEN_MINTED, actor_id=world.admin.id))

    pending = [
        asyncio.create_task(insert_login_token(sessionmaker, *minted(n))) for n in range(CONCURRENT)
    ]
    await asyncio.sleep(0)  # queued (PostgreSQL) or begun (SQLite), not yet written
    await drain_lone_events(sessionmaker)  # the app's lifespan, at shutdown
    if backend == "postgresql":  # group-committed: the drain wrote them
        assert all(task.done() for task in pending)
    await asyncio.gather(*pending)
    engine: AsyncEngine = committed_app.state.engine
    async with engine.connect() as connection:
        queued = LoginToken.jti.startswith("jti-queued-")
        stored = await connection.scalar(select(func.count()).select_from(LoginToken).where(queued))
    assert stored == CONCURRENT
    assert len(await audit_events(factory, LOGIN_TOKEN_MINTED)) == CONCURRENT
