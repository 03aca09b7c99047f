"""PostgreSQL stopped while a batch of lone audit events waits (audit.committer): every
request of that batch answers 503, none of its rows exists, and the next batch after the
server is back commits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from httpx import Response
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Factory
from tests.faults.conftest import MakeApp, assert_unavailable, proxied_url
from tests.faults.proxy import TcpProxy
from tsp_auth.audit.repository import AuditRow
from tsp_auth.audit.service import lone_event_committer
from tsp_auth.clock import now
from tsp_auth.models.audit import AuditEvent
from tsp_auth.models.base import new_id

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
TOKENS = 8


async def _issued(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        where = AuditEvent.action == "token.issued"
        return int(await connection.scalar(select(func.count()).where(where)) or 0)


def _row() -> AuditRow:
    return AuditRow(
        id=new_id("aud"),
        occurred_at=now(),
        action="test.first",
        outcome="success",
        reason=None,
        actor_id=None,
        actor_type="system",
        on_behalf_of=None,
        partner_id=None,
        seller_id=None,
        grant_id=None,
        request_id=None,
        detail={},
    )


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 (the committer counts, it signals nothing)
            await asyncio.sleep(0.01)


async def test_a_batch_cut_off_by_an_outage_fails_every_request_and_writes_nothing(
    make_app: MakeApp, proxy: TcpProxy, engine: AsyncEngine
) -> None:
    app, http = await make_app(database_url=proxied_url(proxy), database_timeout_seconds=2)
    client, secret = await Factory(app, http).oauth_client(client_type="first_party")
    assert secret is not None

    async def token() -> Response:
        form = {"grant_type": "client_credentials"}
        return await http.post("/oauth/token", data=form, auth=(client.id, secret))

    assert (await token()).status_code == 200  # warm: the key ring, the pool
    committer = lone_event_committer(app.state.sessionmaker)
    async with engine.connect() as blocker:  # not through the proxy
        await blocker.begin()
        await blocker.execute(text("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE"))
        first = asyncio.create_task(committer.submit(_row()))
        batches = committer.batches
        await _until(lambda: committer.batches == batches + 1 and committer.queued == 0)
        waiting = [asyncio.create_task(token()) for _ in range(TOKENS)]
        await _until(lambda: committer.queued == TOKENS)
        await proxy.close()  # the server "stops": the held batch's connection is cut
        answers = await asyncio.gather(*waiting)
        await blocker.rollback()
    for answer in answers:
        assert_unavailable(answer)
    with pytest.raises((DBAPIError, OSError)):
        await first
    assert await _issued(engine) == 1  # the warm-up's only

    await proxy.open()
    after = await token()
    assert after.status_code == 200, after.text
    assert await _issued(engine) == 2
