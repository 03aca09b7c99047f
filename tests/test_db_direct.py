"""Direct statements (db.direct): the driver path reads and writes exactly what a session would.

On PostgreSQL with an engine-bound app, ``DirectQuery.first`` runs the compiled SQL on the
asyncpg driver; given a session, ``first`` runs the statement through it. Both must give the
same keys, values and types (aware datetimes, decoded JSON sets, booleans, NULLs).
"""

from __future__ import annotations

from datetime import UTC

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.tsp_access.helpers import audit_events, make_world, session_token
from tsp_auth.db.direct import DirectQuery
from tsp_auth.models import ConsoleSession, Grant
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.tokens import hash_token


async def test_the_driver_and_a_session_read_the_same_values(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token_hash = hash_token(await session_token(factory, world.admin, world.seller.id))
    sessionmaker = committed_app.state.sessionmaker

    direct = await repository.live_session(sessionmaker, token_hash)
    async with sessionmaker() as session:
        through_session = await repository.live_session(session, token_hash)

    assert direct is not None
    assert direct == through_session
    assert direct.seller_id == world.seller.id
    assert direct.member_id == world.admin.id
    assert direct.ended_at is None
    assert direct.expires_at.tzinfo == UTC
    assert direct.roles == frozenset({"products", "orders", "affiliate_center"})
    assert direct.grant.items == frozenset({"seller_center_access", "data_compass"})
    assert direct.grant.expires_at is not None and direct.grant.expires_at.tzinfo == UTC
    assert direct.grant.service_valid is True
    assert direct.current_grant_version == direct.grant_version == world.grant.version


async def test_an_unknown_key_reads_nothing_on_either_path(committed_app: FastAPI) -> None:
    sessionmaker = committed_app.state.sessionmaker
    assert await repository.live_session(sessionmaker, "0" * 64) is None
    async with sessionmaker() as session:
        assert await repository.live_session(session, "0" * 64) is None


def test_columns_with_clashing_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="label them"):
        DirectQuery(select(ConsoleSession.roles, Grant.roles))


async def test_a_directly_inserted_event_reads_back_as_the_orm_writes_it(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    client, secret = await factory.oauth_client(client_type="first_party")
    assert secret is not None
    answer = await committed_client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client.id, secret),
        headers={"X-Request-ID": "rid-direct-1"},
    )
    assert answer.status_code == 200, answer.text

    [event] = await audit_events(factory, "token.issued")
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert (event.actor_id, event.actor_type, event.outcome) == (client.id, "client", "success")
    assert event.request_id == "rid-direct-1"
    assert event.detail == {"grant_type": "client_credentials", "jti": claims["jti"]}
    assert event.occurred_at.tzinfo == UTC
    assert abs(event.occurred_at.timestamp() - claims["iat"]) < 5
