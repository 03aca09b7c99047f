"""Three ``tsp-auth serve`` processes that cache, one PostgreSQL: a change that ends access is
refused on the next call on every process (issue 12, "The rule that must keep holding").

Process C reaches the database for its listener through a TCP proxy the tests can cut. Leases
are short (``LEASE`` seconds) so the partition tests run in seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Limits
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import PG_URL, wire
from tests.factories import Factory
from tests.multiprocess.proxy import Proxy
from tests.multiprocess.servers import Server, serve_many, server_env
from tests.tsp_access.helpers import World, decide, login_token, make_world, redeem
from tsp_auth.app import create_app
from tsp_auth.clients.credentials import hash_secret
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db import create_sessionmaker
from tsp_auth.models import Client
from tsp_auth.models.base import new_id
from tsp_auth.tsp_access.tokens import hash_token

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

LEASE = 1.5
MARGIN = 1.5  # the writer's bound past one lease, plus a loaded machine's scheduling
ACTION = "seller_center.orders"
SECRET = "first-party-console-secret"


@dataclass
class Trio:
    http: dict[str, AsyncClient]
    servers: dict[str, Server]
    proxy: Proxy
    factory: Factory  # rows committed by an in-process app; identity tokens; logins via A
    engine: AsyncEngine
    console_id: str  # a first-party client allowed to introspect console sessions


@pytest.fixture(scope="module")
def trio_servers(
    settings: Settings, emptied_after: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Server], Proxy]]:
    assert PG_URL is not None
    env = server_env(PG_URL, settings.issuer)
    env["TSP_AUTH_COHERENCE_LEASE_SECONDS"] = str(LEASE)
    database = urlsplit(PG_URL.replace("+asyncpg", ""))
    with Proxy(database.hostname or "127.0.0.1", database.port or 5432).running() as proxy:
        through_proxy = database._replace(netloc=f"{database.username}@127.0.0.1:{proxy.port}")
        env_c = {**env, "TSP_AUTH_COHERENCE_LISTEN_URL": through_proxy.geturl()}
        envs = {"a": env, "b": env, "c": env_c}
        with serve_many(envs, tmp_path_factory.mktemp("trio")) as servers:
            yield {server.name: server for server in servers}, proxy


@pytest.fixture(scope="module")
async def trio(
    trio_servers: tuple[dict[str, Server], Proxy], settings: Settings, engine: AsyncEngine
) -> AsyncIterator[Trio]:
    servers, proxy = trio_servers
    local: FastAPI = create_app(settings)
    wire(local, engine, create_sessionmaker(engine))
    fresh = Limits(max_keepalive_connections=0)
    clients = {
        name: AsyncClient(base_url=s.url, timeout=30, limits=fresh) for name, s in servers.items()
    }
    try:
        console_id = await _first_party_console(local)
        await _all_leases_live(engine, 3)
        yield Trio(clients, servers, proxy, Factory(local, clients["a"]), engine, console_id)
    finally:
        for client in clients.values():
            await client.aclose()


async def _first_party_console(app: FastAPI) -> str:
    console = Client(
        id=new_id("cli"),
        partner_id=None,
        service_id=None,
        name="seller console",
        client_type="first_party",
        secret_hash=hash_secret(SECRET),
        redirect_uris=[],
        scopes=frozenset({"tsp.introspect"}),
        status="live",
        created_at=now(),
    )
    async with app.state.sessionmaker() as session:
        session.add(console)
        await session.commit()
    return console.id


async def _all_leases_live(engine: AsyncEngine, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            live = await connection.scalar(
                text("SELECT count(*) FROM coherence_leases WHERE expires_at > now()")
            )
        if live == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} live leases expected, {live} found")


async def _session(trio: Trio, world: World, on: str = "a") -> str:
    token = await login_token(trio.factory, world.admin, world.seller.id)
    opened = await redeem(trio.http[on], token)
    assert opened.status_code == 201, opened.text
    session: str = opened.json()["session_token"]
    return session


async def _allowed(trio: Trio, on: str, session: str, world: World) -> bool:
    answer = await decide(trio.http[on], session, ACTION, world.seller.id)
    return bool(answer["allow"])


async def _active(trio: Trio, on: str, session: str) -> bool:
    response = await trio.http[on].post(
        "/oauth/introspect", data={"token": session}, auth=(trio.console_id, SECRET)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return bool(body["active"])


async def _cancel(trio: Trio, on: str, world: World) -> float:
    started = time.monotonic()
    response = await trio.http[on].post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await trio.factory.headers(world.main)
    )
    assert response.status_code == 200, response.text
    return time.monotonic() - started


async def _end_in_database(trio: Trio, session: str) -> None:
    """End a console session behind every process's back: no notification."""
    async with trio.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE console_sessions SET ended_at = now(), end_reason = 'logout'"
                " WHERE token_hash = :h"
            ),
            {"h": hash_token(session)},
        )


async def test_fifty_cancels_on_one_process_are_refused_next_on_the_other_two(trio: Trio) -> None:
    names = ("a", "b", "c")
    for round_ in range(50):
        world = await make_world(trio.factory)
        session = await _session(trio, world, on=names[(round_ + 1) % 3])
        for name in names:  # every process has it cached now
            assert await _allowed(trio, name, session, world)
            assert await _active(trio, name, session)
        writer = names[round_ % 3]
        await _cancel(trio, writer, world)
        for name in names:
            if name != writer:
                assert not await _allowed(trio, name, session, world), (round_, name)
                assert not await _active(trio, name, session), (round_, name)


async def _batch_allowed(trio: Trio, on: str, session: str, world: World) -> list[bool]:
    checks = [{"action": a, "shop_id": world.seller.id} for a in (ACTION, "data_compass.live")]
    response = await trio.http[on].post(
        "/v1/decisions/batch", json={"token": session, "checks": checks}
    )
    assert response.status_code == 200, response.text
    return [bool(answer["allow"]) for answer in response.json()["decisions"]]


async def test_a_cancel_on_one_process_is_refused_by_the_next_batch_on_every_process(
    trio: Trio,
) -> None:
    names = ("a", "b", "c")
    for round_ in range(6):
        world = await make_world(trio.factory)
        session = await _session(trio, world, on=names[(round_ + 1) % 3])
        for name in names:  # every process has it cached now
            assert await _batch_allowed(trio, name, session, world) == [True, True]
        writer = names[round_ % 3]
        await _cancel(trio, writer, world)
        for name in names:
            assert await _batch_allowed(trio, name, session, world) == [False, False], (
                round_,
                name,
            )


async def test_a_process_whose_listener_is_cut_answers_from_the_database(trio: Trio) -> None:
    world = await make_world(trio.factory)
    cached, later = await _session(trio, world), await _session(trio, world)
    unseen = await _session(trio, world)  # C looks it up only while partitioned
    for session in (cached, later):
        assert await _allowed(trio, "c", session, world)
    # Connected, C answers from its cache: a change nobody announced is not seen.
    await _end_in_database(trio, cached)
    assert await _allowed(trio, "c", cached, world)

    trio.proxy.cut()
    cut_at = time.monotonic()
    await _end_in_database(trio, later)
    while await _allowed(trio, "c", later, world):
        assert time.monotonic() - cut_at < LEASE, "still served from the cache after a lease"
        await asyncio.sleep(0.05)
    assert not await _allowed(trio, "c", cached, world)  # from the database, like B
    assert not await _allowed(trio, "b", cached, world)
    # Partitioned, C keeps reading the database: nothing it reads now is served again.
    assert await _allowed(trio, "c", unseen, world)
    await _end_in_database(trio, unseen)
    assert not await _allowed(trio, "c", unseen, world)

    trio.proxy.restore()
    await _all_leases_live(trio.engine, 3)
    fresh = await _session(trio, world)
    assert await _allowed(trio, "c", fresh, world)
    await _cancel(trio, "a", world)  # C acknowledges again
    assert not await _allowed(trio, "c", fresh, world)


async def test_a_cancel_while_a_process_is_stopped_answers_within_a_lease(trio: Trio) -> None:
    world = await make_world(trio.factory)
    session = await _session(trio, world)
    for name in ("a", "b", "c"):
        assert await _allowed(trio, name, session, world)
    os.kill(trio.servers["b"].pid, signal.SIGSTOP)
    try:
        took = await _cancel(trio, "a", world)
    finally:
        os.kill(trio.servers["b"].pid, signal.SIGCONT)
    # It waited for B's lease to lapse (renewed about a third of a lease before the stop; an
    # acknowledged cancel takes milliseconds), and no longer than a lease and a margin.
    assert LEASE / 4 < took < LEASE + MARGIN, took
    for name in ("b", "c"):
        assert not await _allowed(trio, name, session, world), name
        assert not await _active(trio, name, session), name
    await _all_leases_live(trio.engine, 3)


async def test_no_decision_sent_after_a_cancel_returned_is_allowed(trio: Trio) -> None:
    world = await make_world(trio.factory)
    session = await _session(trio, world)
    cancelled_at: list[float] = []
    late_allows: list[tuple[str, float]] = []
    answers = 0

    async def stream(name: str) -> None:
        nonlocal answers
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            sent = time.monotonic()
            allowed = await _allowed(trio, name, session, world)
            answers += 1
            if allowed and cancelled_at and sent > cancelled_at[0]:
                late_allows.append((name, sent - cancelled_at[0]))

    async def cancel_midway() -> None:
        await asyncio.sleep(1.5)
        await _cancel(trio, "b", world)
        cancelled_at.append(time.monotonic())

    await asyncio.gather(
        *(stream(name) for name in ("a", "b", "c") for _ in range(4)), cancel_midway()
    )
    assert cancelled_at and answers > 50
    assert late_allows == []


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + 30
    while not await condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def _live_incarnations(trio: Trio, name: str) -> set[str]:
    """The live lease rows of process ``name`` (named ``host:pid:…``)."""
    async with trio.engine.connect() as connection:
        rows = await connection.scalars(
            text(
                "SELECT process_id FROM coherence_leases"
                " WHERE expires_at > now() AND process_id LIKE :pid"
            ),
            {"pid": f"%:{trio.servers[name].pid}:%"},
        )
        return set(rows)


async def _the_live_incarnation(trio: Trio, name: str) -> str:
    """Process ``name``'s one live lease row, once it has exactly one: under load the test
    before may have left it between a lapsed lease and the next (it registers anew)."""
    found: set[str] = set()

    async def exactly_one() -> bool:
        nonlocal found
        found = await _live_incarnations(trio, name)
        return len(found) == 1

    await _until(exactly_one, f"{name} never held exactly one live lease")
    (incarnation,) = found
    return incarnation


async def _backends_gone(trio: Trio, ports: list[int]) -> bool:
    """PostgreSQL ended the sessions of these proxy ports: it handled all they carried."""
    async with trio.engine.connect() as connection:
        left = await connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE client_port IN :ports").bindparams(
                bindparam("ports", expanding=True)
            ),
            {"ports": ports},
        )
    return left == 0


async def test_a_renewal_held_past_its_connection_revives_no_lease(trio: Trio) -> None:
    """Issue 24 item 5. C's listener link stalls: C gives up on a renewal in flight and
    registers anew once new connections get through; only then does the old connection
    deliver that renewal. It must not bring the abandoned lease back: every writer would wait
    a lease for a process that has moved on."""
    await _all_leases_live(trio.engine, 3)
    abandoned = await _the_live_incarnation(trio, "c")

    async def gave_up_holding() -> bool:
        return trio.proxy.abandoned_while_holding() > 0

    async def registered_anew() -> bool:
        return bool(await _live_incarnations(trio, "c") - {abandoned})

    trio.proxy.stall()
    try:
        await _until(gave_up_holding, "C never gave up on a statement in flight")
        trio.proxy.open_new()
        await _until(registered_anew, "C never registered a new incarnation")
    finally:
        trio.proxy.open_new()
        late = trio.proxy.release_held()
    assert late
    await _until(lambda: _backends_gone(trio, late), "the late renewal was never handled")

    live = await _live_incarnations(trio, "c")
    assert abandoned not in live
    assert len(live) == 1
    await _all_leases_live(trio.engine, 3)  # one per process: nobody else to wait for
    world = await make_world(trio.factory)
    session = await _session(trio, world)
    assert await _allowed(trio, "c", session, world)
    await _cancel(trio, "a", world)
    assert not await _allowed(trio, "c", session, world)


async def test_a_lease_that_lapsed_is_never_renewed(trio: Trio) -> None:
    """B learns from its renewal's answer that its lease was not extended (it lapsed by the
    database clock, writers stopped waiting for it): it registers anew, cache emptied, and
    sees what changed meanwhile without being told."""
    world = await make_world(trio.factory)
    session = await _session(trio, world)
    assert await _allowed(trio, "b", session, world)  # cached on B
    lapsed = await _the_live_incarnation(trio, "b")
    async with trio.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE coherence_leases SET expires_at = now() - interval '1 second'"
                " WHERE process_id = :me"
            ),
            {"me": lapsed},
        )
    await _end_in_database(trio, session)

    async def registered_anew() -> bool:
        return bool(await _live_incarnations(trio, "b") - {lapsed})

    await _until(registered_anew, "B renewed a lapsed lease instead of registering anew")
    assert not await _allowed(trio, "b", session, world)
    await _all_leases_live(trio.engine, 3)
