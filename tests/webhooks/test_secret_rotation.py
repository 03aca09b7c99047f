"""Standard Webhooks secret rotation: both secrets sign during the overlap, then only the new."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from standardwebhooks import Webhook, WebhookVerificationError

from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, readme_verifier, run_worker
from tests.webhooks.receiver import Receiver
from tsp_auth.clock import now
from tsp_auth.models import WebhookEndpoint


async def _cancel(client: AsyncClient, factory: Factory, world: OpsWorld) -> None:
    response = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200, response.text


async def test_a_new_secret_is_shown_once_in_the_standard_format(
    client: AsyncClient, world: OpsWorld
) -> None:
    response = await client.post(f"/v1/webhooks/{world.endpoint_id}/secret", headers=world.admin)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != world.secret
    Webhook(body["secret"])  # the library accepts it: base64 after the prefix
    listed = await client.get("/v1/webhooks", headers=world.admin)
    assert body["secret"] not in listed.text and world.secret not in listed.text


async def test_during_the_overlap_both_secrets_verify_a_delivery(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    rotated = await client.post(f"/v1/webhooks/{world.endpoint_id}/secret", headers=world.admin)
    new_secret = rotated.json()["secret"]
    await _cancel(client, factory, world)

    await run_worker(factory.app)

    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify = readme_verifier()
    assert verify(world.secret, request.headers, request.body)["type"] == "grant.cancelled"
    assert verify(new_secret, request.headers, request.body)["type"] == "grant.cancelled"


async def test_after_the_overlap_only_the_new_secret_signs(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    rotated = await client.post(f"/v1/webhooks/{world.endpoint_id}/secret", headers=world.admin)
    new_secret = rotated.json()["secret"]
    overlap = factory.app.state.settings.webhook_secret_overlap_seconds
    async with factory.app.state.sessionmaker() as session:
        endpoint = await session.get(WebhookEndpoint, world.endpoint_id)
        assert endpoint is not None and endpoint.previous_secret_until is not None
        assert endpoint.previous_secret_until - now() <= timedelta(seconds=overlap)
        # Move the end of the overlap into the past: the worker's clock is the real one.
        endpoint.previous_secret_until = now() - timedelta(seconds=1)
        await session.commit()
    await _cancel(client, factory, world)

    await run_worker(factory.app)

    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    readme_verifier()(new_secret, request.headers, request.body)
    with pytest.raises(WebhookVerificationError):
        readme_verifier()(world.secret, request.headers, request.body)


async def test_only_the_owning_partner_admin_rotates(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    other = await factory.partner()
    stranger = await factory.headers(await factory.account("partner", "admin", partner_id=other.id))
    member = await factory.headers(
        await factory.account("partner", "member", partner_id=world.partner.id)
    )

    foreign = await client.post(f"/v1/webhooks/{world.endpoint_id}/secret", headers=stranger)
    not_admin = await client.post(f"/v1/webhooks/{world.endpoint_id}/secret", headers=member)

    assert (foreign.status_code, foreign.json()["error"]) == (404, "not_found")
    assert (not_admin.status_code, not_admin.json()["error"]) == (403, "partner_admin_required")
    async with factory.app.state.sessionmaker() as session:
        endpoint = await session.get(WebhookEndpoint, world.endpoint_id)
        assert endpoint is not None and endpoint.previous_secret_encrypted is None
