"""Cross-process invalidation in ONE process: two coherences, each on its own engine with its
own listener connection, talking through PostgreSQL's LISTEN/NOTIFY and the lease table as two
servers would (docs/coherence.md, "The protocol"). tests/multiprocess proves the same with real
processes; these run in-process, so a mutation of coherence/ reaches them."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator

import asyncpg
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.engine import make_url

from tests.coherence.processes import (
    BOUND,
    G1,
    Pair,
    cached,
    commit_naming,
    left,
    serving,
    until,
    write,
)
from tests.conftest import asgi_client, wire
from tests.factories import Factory
from tests.multiprocess.proxy import Proxy
from tests.tsp_access.helpers import decide, make_world, session_token
from tsp_auth.app import create_app
from tsp_auth.coherence import bus, repository, tags
from tsp_auth.coherence.bus import Listener
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.publish import MAX_PAYLOAD, acknowledged
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
ORDERS = "seller_center.orders"


async def _acks(raw: asyncpg.Connection, runtime: Runtime) -> int:
    """Acknowledgements on record from ``runtime`` (the writer's own listener acks too, and
    may do so after the writer went through: those wait for the tidying)."""
    count: int = await raw.fetchval(
        "SELECT count(*) FROM coherence_acks WHERE process_id = $1", runtime.coherence.incarnation
    )
    return count


async def test_a_cancel_through_one_process_is_refused_on_the_next_decision_of_the_other(
    pair: Pair, settings: Settings, committed_app: FastAPI
) -> None:
    reader = create_app(settings)
    wire(reader, pair.a.engine, create_sessionmaker(pair.a.engine))
    async with asgi_client(committed_app) as writer, asgi_client(reader) as client:
        factory = Factory(committed_app, writer)
        world = await make_world(factory)
        token = await session_token(factory, world.admin, world.seller.id)
        assert (await decide(client, token, ORDERS, world.seller.id))["allow"]
        assert len(pair.a.coherence.cache) > 0  # A answers from its cache from now on
        cancel = await writer.post(
            f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
        )
        assert cancel.status_code == 200, cancel.text
        answer = await decide(client, token, ORDERS, world.seller.id)
        assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")


async def test_the_other_process_drops_what_a_commit_named_before_the_writer_answers(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    cached(pair.a.coherence, "g1", "g2")
    cached(pair.b.coherence, "g1", "g2")
    session = await commit_naming(pair.b.engine, G1)
    try:
        assert left(pair.b.coherence, "g1", "g2") == ["g2"]  # the writer's own, at commit
        await acknowledged(session)
    finally:
        await session.close()
    assert left(pair.a.coherence, "g1", "g2") == ["g2"]
    # What the writer waited for is forgotten once it is through.
    assert await _acks(raw, pair.a) == 0


async def test_a_notification_too_large_for_postgresql_drops_everything_elsewhere(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    cached(pair.a.coherence, "g1", "unrelated")
    many = [tags.session(f"{i:040d}") for i in range(MAX_PAYLOAD // 40)]
    with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
        await write(pair.b.engine, G1, *many)
    assert left(pair.a.coherence, "g1", "unrelated") == []
    assert "acknowledgements missing" not in caplog.text  # A read it, and acknowledged


def _filling(size: int) -> list[str]:
    """G1 and more tags, whose notification (compact JSON, a 24-character id) is ``size``
    bytes long."""
    named = [G1]
    while len(_payload(named)) + 100 <= size:
        named.append(tags.session(f"{len(named):040d}"))
    named.append(tags.session(""))
    named[-1] = tags.session("x" * (size - len(_payload(named))))
    assert len(_payload(named)) == size
    return named


def _payload(named: list[str]) -> str:
    return json.dumps({"i": "0" * 24, "t": named}, separators=(",", ":"))


async def test_a_notification_of_the_largest_size_postgresql_takes_names_its_tags_only(
    pair: Pair,
) -> None:
    """Compact JSON, so that as many tags as fit are sent before everything is dropped."""
    cached(pair.a.coherence, "g1", "unrelated")
    await write(pair.b.engine, *_filling(MAX_PAYLOAD))
    assert left(pair.a.coherence, "g1", "unrelated") == ["unrelated"]


async def test_an_unreadable_notification_empties_the_cache(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    for payload in ("not json", json.dumps({"t": [G1]}), json.dumps({"i": "x", "t": 5})):
        cached(pair.a.coherence, "g1", "unrelated")
        await raw.execute("SELECT pg_notify($1, $2)", repository.CHANNEL, payload)
        await until(lambda: len(pair.a.coherence.cache) == 0, f"kept its cache on {payload!r}")
    assert await _acks(raw, pair.a) == 0  # nothing to acknowledge


_HELD = "SELECT count(*) FROM coherence_leases WHERE process_id = $1"


def _lost_total() -> float:
    return REGISTRY.get_sample_value("tsp_auth_coherence_listener_lost_total") or 0.0


async def _cut(listener: Listener | None, raw: asyncpg.Connection) -> None:
    """The database ends the listener's connection (a restart, a failover, a proxy's idle cut)."""
    assert listener is not None and listener._connection is not None
    await raw.execute("SELECT pg_terminate_backend($1)", listener._connection.get_server_pid())


async def test_a_cut_listener_stops_serving_at_once_then_returns_with_an_empty_cache(
    long_lease: Runtime, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    coherence = long_lease.coherence
    first = coherence.incarnation
    cached(coherence, "g1")
    lost = _lost_total()
    with caplog.at_level(logging.WARNING, logger="tsp_auth.coherence.bus"):
        await _cut(long_lease.listener, raw)
        await until(lambda: not coherence.serving(), "A kept serving without its listener")
        assert left(coherence, "g1") == []
        assert _lost_total() == lost + 1
        await until(coherence.serving, "A never came back")
    [said] = [r for r in caplog.records if r.name == "tsp_auth.coherence.bus"]
    assert said.msg == "coherence listener lost (reads go to the database): %r"
    assert isinstance(said.args, tuple)
    assert repr(said.args[0]) == repr(ConnectionError("the listener's connection closed"))
    assert coherence.incarnation not in (None, first)
    rows = await raw.fetch("SELECT process_id FROM coherence_leases")
    live = {row["process_id"] for row in rows}
    assert coherence.incarnation in live and first not in live


async def test_a_lease_is_renewed_while_the_process_runs(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    me = pair.b.coherence.incarnation
    query = "SELECT expires_at FROM coherence_leases WHERE process_id = $1"
    first = await raw.fetchval(query, me)
    deadline = time.monotonic() + BOUND
    while await raw.fetchval(query, me) == first:  # renewed every third of a lease
        assert time.monotonic() < deadline, "the lease was never renewed"
        await asyncio.sleep(0.05)
    assert pair.b.coherence.serving() and pair.b.coherence.incarnation == me


async def test_a_cut_listener_retires_its_lease_at_once_not_when_it_lapses(
    pair: Pair, raw: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers need not wait out the lease of an incarnation given up on: it is deleted
    before the listener even tries to reconnect (here, not for a long while)."""
    monkeypatch.setattr(bus, "RECONNECT_SECONDS", 3 * BOUND)
    coherence = pair.a.coherence
    first = coherence.incarnation
    await _cut(pair.a.listener, raw)
    query = "SELECT count(*) FROM coherence_leases WHERE process_id = $1"
    deadline = time.monotonic() + BOUND
    while await raw.fetchval(query, first):
        assert time.monotonic() < deadline, "the lease given up on was left to lapse"
        await asyncio.sleep(0.02)
    assert not coherence.serving() and coherence.incarnation == first  # not reconnected yet


@pytest.fixture
def proxy(settings: Settings) -> Iterator[Proxy]:
    database = make_url(settings.database_url)
    with Proxy(database.host or "127.0.0.1", database.port or 5432).running() as running:
        yield running


async def test_a_stalled_listener_gives_its_lease_up_and_returns_once_the_link_heals(
    settings: Settings, raw: asyncpg.Connection, proxy: Proxy
) -> None:
    """The listener's link stops moving bytes (nothing closes): its renewal times out, it stops
    serving, retires that lease through the pool (the pool's link is fine), and registers anew
    once new connections get through. The renewal held meanwhile, delivered late, revives
    nothing (docs/coherence.md, "The protocol", step 8)."""
    listen = make_url(settings.database_url).set(drivername="postgresql", port=proxy.port)
    through = settings.model_copy(
        update={
            "coherence_lease_seconds": 1.5,
            "coherence_listen_url": listen.render_as_string(hide_password=False),
        }
    )
    own = create_engine(through)
    runtime = Runtime(through, own)
    try:
        coherence = (await serving(runtime)).coherence
        first = coherence.incarnation
        cached(coherence, "g1")
        proxy.stall()
        lease = "SELECT count(*) FROM coherence_leases WHERE process_id = $1"
        deadline = time.monotonic() + BOUND
        while await raw.fetchval(lease, first):
            assert time.monotonic() < deadline, "the lease given up on was left to lapse"
            await asyncio.sleep(0.02)
        assert not coherence.serving()
        proxy.open_new()
        await until(coherence.serving, "never came back once the link healed")
        assert coherence.incarnation != first and left(coherence, "g1") == []
        held = proxy.release_held()
        assert held  # the stalled connection's renewal, delivered now
        activity = "SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY($1::int[])"
        while await raw.fetchval(activity, held):  # asyncpg closes it once it hears back
            assert time.monotonic() < deadline + BOUND, "the held connection never ended"
            await asyncio.sleep(0.02)
        assert await raw.fetchval(lease, first) == 0
        assert coherence.serving()
    finally:
        await runtime.stop()
        await own.dispose()


async def test_a_lease_that_cannot_be_retired_is_logged_and_the_listener_goes_on(
    settings: Settings, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    coherence = Coherence(settings, shared=True)

    async def refused(me: str) -> None:
        raise RuntimeError(f"cannot retire {me}")

    listener = Listener(coherence, settings, retire=refused)
    listener.start()
    try:
        await until(coherence.serving, "the lease was never granted")
        first = coherence.incarnation
        with caplog.at_level(logging.WARNING, logger="tsp_auth.coherence.bus"):
            await _cut(listener, raw)
            await until(
                lambda: coherence.serving() and coherence.incarnation != first,
                "the listener stopped after a failed retire",
            )
        said = [r.getMessage() for r in caplog.records if r.name == "tsp_auth.coherence.bus"]
        assert f"coherence lease {first} not retired: RuntimeError('cannot retire {first}')" in said
        # Not retired then, but by the next registration of the same process.
        assert await raw.fetchval(_HELD, first) == 0
    finally:
        await listener.stop()
        await raw.execute(
            "DELETE FROM coherence_leases WHERE starts_with(process_id, $1)", coherence.process
        )


async def test_a_stopped_listener_leaves_no_connection_and_no_task_behind(pair: Pair) -> None:
    listener = pair.a.listener
    assert listener is not None and listener._connection is not None
    connection, task = listener._connection, listener._task
    await pair.a.stop()
    assert connection.is_closed()
    assert task is not None and task.done()


async def test_a_listener_started_while_the_database_is_unreachable_serves_once_it_is(
    settings: Settings, proxy: Proxy
) -> None:
    """It keeps trying (less and less often), and reads go to the database meanwhile."""
    listen = make_url(settings.database_url).set(drivername="postgresql", port=proxy.port)
    through = settings.model_copy(
        update={"coherence_listen_url": listen.render_as_string(hide_password=False)}
    )
    own = create_engine(through)
    runtime = Runtime(through, own)
    proxy.cut()
    try:
        await runtime.start()
        await asyncio.sleep(0.5)  # a few attempts refused
        assert not runtime.coherence.serving()
        proxy.restore()
        await until(runtime.coherence.serving, "never served once the database was reachable")
    finally:
        await runtime.stop()
        await own.dispose()


async def test_a_lease_deleted_under_a_listener_stops_its_cache_until_it_registers_anew(
    pair: Pair, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    """Writers stopped waiting for it (its row is gone): its next renewal is refused, so it
    stops serving, empties its cache and registers a new lease."""
    coherence = pair.a.coherence
    first = coherence.incarnation
    cached(coherence, "g1")
    with caplog.at_level(logging.WARNING, logger="tsp_auth.coherence.bus"):
        await raw.execute("DELETE FROM coherence_leases WHERE process_id = $1", first)
        await until(lambda: coherence.incarnation != first, "kept a lease it no longer holds")
        await until(coherence.serving, "never registered anew")
    assert left(coherence, "g1") == []
    lost = [r for r in caplog.records if r.name == "tsp_auth.coherence.bus"]
    assert lost and isinstance(lost[0].args, tuple)
    assert repr(lost[0].args[0]) == repr(bus.LeaseNotExtended(first))
