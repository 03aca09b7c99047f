"""``live_grant``: what token and decision code load to check a grant on every use."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import World
from tsp_auth.clock import now
from tsp_auth.live.grant_state import live_grant
from tsp_auth.policy import Reason, check_login


async def test_live_grant_follows_edits_and_cancellation(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    async with factory.app.state.sessionmaker() as session:
        live = await live_grant(session, world.grant.id)
    assert live is not None and live.version == 1
    assert (live.grantor_id, live.grantee_id) == (world.seller.id, world.partner.id)
    assert check_login(live.facts, now()).allow
    headers = await factory.headers(world.main)
    await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=headers)
    async with factory.app.state.sessionmaker() as session:
        ended = await live_grant(session, world.grant.id)
        missing = await live_grant(session, "grt_missing")
    assert ended is not None and ended.version == 2  # tokens of version 1 are dead
    assert check_login(ended.facts, now()).reason == Reason.GRANT_NOT_ACTIVE
    assert missing is None


async def test_live_grant_reports_expiry_and_service_validity(
    factory: Factory, world: World
) -> None:
    invalid = await factory.service(world.partner, valid=False)
    on_invalid = await factory.grant(world.seller, invalid)
    lapsed = await factory.grant(
        world.seller, await factory.service(world.partner), expires_at=now() - timedelta(seconds=1)
    )
    async with factory.app.state.sessionmaker() as session:
        invalid_live = await live_grant(session, on_invalid.id)
        lapsed_live = await live_grant(session, lapsed.id)
    assert invalid_live is not None and not invalid_live.facts.service_valid
    assert check_login(invalid_live.facts, now()).reason == Reason.SERVICE_NOT_VALID
    assert lapsed_live is not None
    assert check_login(lapsed_live.facts, now()).reason == Reason.GRANT_EXPIRED
