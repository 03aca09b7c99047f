"""A grant whose time is up, before the expiry sweep has marked it: its status still says
``active``, and every token of it stops at once (DESIGN §2: tokens stop the moment a grant stops
being active). The grant's ``expires_at`` is written as the current instant, so the time is up
by the next request, within the same second."""

from __future__ import annotations

import dataclasses

from httpx import AsyncClient

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.oauth.helpers import (
    SCOPES,
    counts,
    introspect,
    obtain_code,
    only_code,
    partner_app,
    redeem,
    token_request,
    tokens,
)
from tsp_auth.clock import now
from tsp_auth.live.grant_state import live_grant
from tsp_auth.models import Grant
from tsp_auth.oauth.tokens import mint_access_token


async def _time_up(factory: Factory, grant_id: str) -> None:
    await set_row(factory.app, Grant, grant_id, expires_at=now())
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None and grant.status == "active"  # no sweep has run


async def test_a_refresh_on_a_grant_whose_time_is_up_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    await _time_up(factory, (await only_code(factory.app)).grant_id)
    before = await counts(factory.app)
    response = await token_request(
        client, app, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert await counts(factory.app) == before


async def test_a_code_of_a_grant_whose_time_is_up_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    await _time_up(factory, (await only_code(factory.app)).grant_id)
    before = await counts(factory.app)
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None
    assert await counts(factory.app) == before


async def test_tokens_of_a_grant_whose_time_is_up_introspect_inactive(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    for token in (issued["access_token"], issued["refresh_token"]):
        assert (await introspect(client, app, token))["active"] is True
    await _time_up(factory, (await only_code(factory.app)).grant_id)
    for token in (issued["access_token"], issued["refresh_token"]):
        assert await introspect(client, app, token) == {"active": False}


async def test_an_access_token_naming_a_grant_the_database_does_not_hold_is_inactive(
    client: AsyncClient, factory: Factory
) -> None:
    """Grants are never deleted, so only a token minted elsewhere with our key could name one
    we do not hold: it must not be taken for a token of a grant in force."""
    app = await partner_app(factory)
    await tokens(client, app)
    async with factory.app.state.sessionmaker() as session:
        live = await live_grant(session, (await only_code(factory.app)).grant_id)
    assert live is not None
    state = factory.app.state
    minted = [
        await mint_access_token(
            state.keyring,
            state.settings,
            subject=app.seller.id,
            client_id=app.client_id,
            scopes=frozenset(SCOPES),
            family_id=None,
            grant=grant,
            at=now(),
        )
        for grant in (live, dataclasses.replace(live, id="grt_not_stored"))
    ]
    held, missing = minted
    # The same token on the stored grant is active: only the grant's absence differs.
    assert (await introspect(client, app, held.token))["active"] is True
    assert await introspect(client, app, missing.token) == {"active": False}
