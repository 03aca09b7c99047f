"""Registering, listing and deleting webhook endpoints: a partner admin's own, secret once."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.webhooks.helpers import register_endpoint, rows
from tsp_auth.kit.errors import BadRequest
from tsp_auth.models import WebhookEndpoint
from tsp_auth.webhooks.service import check_endpoint_url
from tsp_auth.webhooks.signing import decrypt_secret


async def test_register_shows_the_secret_once_and_stores_it_encrypted(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    response = await client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.example.com/tsp", "events": ["grant.cancelled"]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert (created["partner_id"], created["events"]) == (partner.id, ["grant.cancelled"])

    listed = (await client.get("/v1/webhooks", headers=admin)).json()["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]

    [stored] = await rows(factory.app, WebhookEndpoint, WebhookEndpoint.id == created["id"])
    assert created["secret"] not in stored.secret_encrypted
    wrapping_key = factory.app.state.settings.key_wrapping_key.get_secret_value()
    assert decrypt_secret(stored.secret_encrypted, wrapping_key) == created["secret"]


async def test_only_a_partner_admin_manages_its_own_endpoints(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    created = await register_endpoint(client, admin, "https://hooks.example.com/a")
    member = await factory.account("partner", "member", partner_id=partner.id)
    _, seller_main = await factory.seller()
    others = [member, seller_main, await factory.operator()]
    for account in others:
        headers = await factory.headers(account)
        refused = await client.post(
            "/v1/webhooks",
            json={"url": "https://x.example.com", "events": ["grant.created"]},
            headers=headers,
        )
        assert (refused.status_code, refused.json()["error"]) == (403, "partner_admin_required")
        listed = await client.get("/v1/webhooks", headers=headers)
        assert listed.status_code == 403
    other_admin = await factory.headers(
        await factory.account("partner", "admin", partner_id=(await factory.partner()).id)
    )
    assert (await client.get("/v1/webhooks", headers=other_admin)).json()["items"] == []
    gone = await client.delete(f"/v1/webhooks/{created['id']}", headers=other_admin)
    assert gone.status_code == 404

    deleted = await client.delete(f"/v1/webhooks/{created['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await client.get("/v1/webhooks", headers=admin)).json()["items"] == []
    again = await client.delete(f"/v1/webhooks/{created['id']}", headers=admin)
    assert again.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://hooks.example.com", "events": ["grant.created"]},
        {"url": "http://hooks.example.com/x", "events": ["grant.created"]},
        {"url": "https://user:pw@hooks.example.com/x", "events": ["grant.created"]},
        {"url": "https://hooks.example.com/x#frag", "events": ["grant.created"]},
        {"url": "https://hooks.example.com/x", "events": []},
        {"url": "https://hooks.example.com/x", "events": ["grant.exploded"]},
        {"url": "https://hooks.example.com/x", "events": ["grant.created"], "secret": "mine"},
    ],
)
async def test_bad_registrations_are_400(
    client: AsyncClient, factory: Factory, body: dict[str, object]
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    response = await client.post("/v1/webhooks", json=body, headers=admin)
    assert response.status_code == 400, response.text
    assert await rows(factory.app, WebhookEndpoint, WebhookEndpoint.partner_id == partner.id) == []


def test_development_allows_http_to_this_machine_only_and_production_refuses_it() -> None:
    for url in ("http://127.0.0.1:9000/h", "http://localhost/h", "https://localhost/h"):
        check_endpoint_url(url, production=False)
    for url in (
        "http://127.0.0.1:9000/h",
        "https://127.0.0.1/h",
        "https://10.1.2.3/h",
        "https://169.254.169.254/latest",
        "https://localhost/h",
    ):
        with pytest.raises(BadRequest):
            check_endpoint_url(url, production=True)
    check_endpoint_url("https://hooks.example.com/tsp", production=True)


async def test_at_most_ten_endpoints(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    for n in range(10):
        await register_endpoint(client, admin, f"https://hooks.example.com/{n}")
    response = await client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.example.com/11", "events": ["grant.created"]},
        headers=admin,
    )
    assert (response.status_code, response.json()["error"]) == (409, "too_many_endpoints")
