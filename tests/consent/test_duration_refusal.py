"""One duration covers the whole consent (seed 001), so its refusal names no single service."""

from __future__ import annotations

from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick, snapshot
from tests.factories import Factory


async def test_an_unknown_duration_is_refused_for_the_request_not_one_service(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    first = await factory.service(partner)
    second = await factory.service(partner)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, first.id)
    before = await snapshot(factory.app)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(first), pick(second), duration_days=45),
        headers=await factory.headers(main),
    )
    body = response.json()
    assert (response.status_code, body["error"]) == (400, "unknown_duration")
    assert body["detail"] == (
        "duration_days must be one of 30, 90, 180, 365; it applies to every service picked"
    )
    assert first.id not in body["detail"]
    assert second.id not in body["detail"]
    assert await snapshot(factory.app) == before
