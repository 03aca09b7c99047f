"""A grant that grants nothing is refused (issue 15): neither an edit nor a consent may leave
an "active" grant without a single item; nothing is written either way."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select

from tests.consent.helpers import decision, open_link, pick, snapshot
from tests.factories import Factory
from tests.grants.helpers import World, stored
from tsp_auth.models import AuditEvent


async def test_an_edit_removing_every_item_is_refused_and_writes_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    before = await snapshot(factory.app)
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"items": []},
        headers=await factory.headers(world.main),
    )
    assert (response.status_code, response.json()["error"]) == (400, "items_required")
    assert await snapshot(factory.app) == before
    saved = await stored(factory, world.grant.id)
    assert (saved.version, saved.status, saved.items) == (
        1,
        "active",
        {"seller_center_access", "data_compass"},
    )
    async with factory.app.state.sessionmaker() as session:
        events = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "grant.updated"))
        ).all()
    assert [(e.outcome, e.reason) for e in events] == [("denied", "items_required")]


async def test_removing_some_items_is_still_a_narrowing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"items": ["data_compass"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["items"], response.json()["roles"]) == (["data_compass"], [])


async def test_a_consent_with_no_item_is_refused_and_writes_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    before = await snapshot(factory.app)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, [])),
        headers=await factory.headers(main),
    )
    assert (response.status_code, response.json()["error"]) == (400, "items_required")
    assert service.id in response.json()["detail"]
    assert await snapshot(factory.app) == before
