"""The issue's "Done when": a seller consents through the JSON consent API, then cancels; the
cancel is in the seller's audit export AND reaches the partner as a signed ``grant.cancelled``
that the README's receiver code verifies."""

from __future__ import annotations

import csv
import io
import json

from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick
from tests.factories import Factory
from tests.webhooks.helpers import readme_verifier, register_endpoint, run_worker
from tests.webhooks.receiver import Receiver


async def test_a_cancel_in_the_consent_flow_is_exported_and_delivered_signed(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    endpoint = await register_endpoint(client, admin, receiver.url, ["grant.cancelled"])
    service = await factory.service(partner)
    seller, main = await factory.seller("UK")
    seller_headers = await factory.headers(main)

    request_id = await open_link(client, service.id)
    accepted = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, ["seller_center_access"], roles=["orders"])),
        headers=seller_headers,
    )
    assert accepted.status_code == 200, accepted.text
    [grant] = accepted.json()["grants"]
    cancelled = await client.post(f"/v1/grants/{grant['id']}/cancel", headers=seller_headers)
    assert cancelled.status_code == 200, cancelled.text

    export = await client.get("/v1/audit-events", params={"format": "csv"}, headers=seller_headers)
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["action"] for r in rows] == ["consent.accepted", "grant.created", "grant.cancelled"]
    cancel_row = rows[-1]
    assert (cancel_row["grant_id"], cancel_row["actor_id"]) == (grant["id"], main.id)
    assert (cancel_row["seller_id"], cancel_row["partner_id"]) == (seller.id, partner.id)
    assert cancel_row["on_behalf_of"] == seller.id and cancel_row["request_id"]
    assert json.loads(cancel_row["detail"])["status_reason"] == "seller_cancelled"

    run = await run_worker(factory.app)

    assert run.deliveries == {"delivered": 1}
    [request] = receiver.requests
    event = readme_verifier()(endpoint["secret"], request.headers, request.body)
    assert event["type"] == "grant.cancelled"
    assert event["partner_id"] == partner.id
    assert event["data"]["grant_id"] == grant["id"]
    assert event["data"]["seller_id"] == seller.id
    assert (event["data"]["status"], event["data"]["version"]) == ("cancelled", 2)
