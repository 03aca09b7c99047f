"""Direct statements (db.direct): the driver path reads and writes exactly what a session would.

On PostgreSQL with an engine-bound app, ``DirectQuery.first`` runs the compiled SQL on the
asyncpg driver; given a session, ``first`` runs the statement through it. Both must give the
same typed rows: the same dataclass, values and types (aware datetimes, decoded JSON sets,
booleans, NULLs), for every direct read the repositories declare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.tsp_access.helpers import audit_events, make_world, session_token
from tsp_auth.db.direct import DirectQuery
from tsp_auth.live import caller_state, client_state, session_state, token_state
from tsp_auth.live.caller_state import Caller
from tsp_auth.live.client_state import ClientCredentials
from tsp_auth.live.token_state import AccessTokenState
from tsp_auth.models import ConsoleSession, Grant
from tsp_auth.tsp_access.tokens import hash_token


async def test_the_driver_and_a_session_read_the_same_values(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token_hash = hash_token(await session_token(factory, world.admin, world.seller.id))
    sessionmaker = committed_app.state.sessionmaker

    direct = await session_state.read_live_session(sessionmaker, token_hash)
    async with sessionmaker() as session:
        through_session = await session_state.read_live_session(session, token_hash)

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
    assert await session_state.read_live_session(sessionmaker, "0" * 64) is None
    async with sessionmaker() as session:
        assert await session_state.read_live_session(session, "0" * 64) is None


@dataclass(frozen=True, slots=True)
class _Roles:
    roles: frozenset[str]
    grant_roles: frozenset[str]


def test_columns_with_clashing_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="label them"):
        DirectQuery(_Roles, select(ConsoleSession.roles, Grant.roles))


def test_a_row_whose_fields_are_not_the_columns_in_order_is_refused() -> None:
    # Rows are built positionally: fields in another order would swap values silently.
    with pytest.raises(ValueError, match="are not the columns"):
        DirectQuery(_Roles, select(Grant.roles.label("grant_roles"), ConsoleSession.roles))
    with pytest.raises(TypeError, match="dataclass"):
        DirectQuery(dict, select(ConsoleSession.roles))


async def test_the_caller_reads_the_same_on_both_paths(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    world = await make_world(Factory(committed_app, committed_client))
    sessionmaker = committed_app.state.sessionmaker

    direct = await caller_state.caller_account(sessionmaker, world.admin.id)
    async with sessionmaker() as session:
        through_session = await caller_state.caller_account(session, world.admin.id)

    assert direct == through_session
    assert direct == Caller(
        account_id=world.admin.id,
        kind="partner",
        role="admin",
        name=world.admin.name,
        seller_id=None,
        partner_id=world.partner.id,
        business_center_id=None,
    )
    assert await caller_state.caller_account(sessionmaker, "acc_unknown") is None


async def test_client_credentials_read_the_same_on_both_paths(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    client, _ = await Factory(committed_app, committed_client).oauth_client()
    sessionmaker = committed_app.state.sessionmaker

    direct = await client_state.read_credentials(sessionmaker, client.id)
    async with sessionmaker() as session:
        through_session = await client_state.read_credentials(session, client.id)

    assert isinstance(direct, ClientCredentials)
    assert direct == through_session
    assert (direct.id, direct.partner_id, direct.status) == (client.id, client.partner_id, "live")
    assert direct.scopes == frozenset(client.scopes) and isinstance(direct.scopes, frozenset)
    assert direct.redirect_uris == client.redirect_uris
    assert direct.secret_hash == client.secret_hash is not None
    assert await client_state.read_credentials(sessionmaker, "cli_unknown") is None


async def test_an_access_tokens_state_reads_the_same_on_both_paths(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    client, secret = await Factory(committed_app, committed_client).oauth_client(
        client_type="first_party"
    )
    assert secret is not None
    token = (
        await committed_client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.id, secret)
        )
    ).json()["access_token"]
    revoked = await committed_client.post(
        "/oauth/revoke", data={"token": token}, auth=(client.id, secret)
    )
    assert revoked.status_code == 200, revoked.text
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    sessionmaker = committed_app.state.sessionmaker
    known = {"jti": jti, "family_id": None, "client_id": client.id}
    unknown = {"jti": "jti_unknown", "family_id": "fam_unknown", "client_id": "cli_unknown"}

    async with sessionmaker() as session:
        through_session = [
            await token_state.read_access_token_state(session, **known),
            await token_state.read_access_token_state(session, **unknown),
        ]
    direct = [
        await token_state.read_access_token_state(sessionmaker, **known),
        await token_state.read_access_token_state(sessionmaker, **unknown),
    ]

    assert (
        direct
        == through_session
        == [
            AccessTokenState(jti_revoked=True, family_revoked=False, client_status="live"),
            AccessTokenState(jti_revoked=False, family_revoked=False, client_status=None),
        ]
    )
    # Booleans as booleans on both paths (SQLite answers EXISTS as 0 or 1).
    assert all(type(state.jti_revoked) is bool for state in direct + through_session)


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
