"""Reading, changing and rotating clients; others' clients do not exist (404)."""

from __future__ import annotations

import base64

from httpx import AsyncClient

from tests.factories import Factory

APP = {
    "name": "Acme app",
    "client_type": "confidential",
    "redirect_uris": ["https://app.example.com/callback"],
    "scopes": ["partner.affiliate.read"],
}


async def _registered(
    client: AsyncClient, factory: Factory
) -> tuple[dict[str, str], dict[str, str]]:
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    headers = await factory.headers(admin)
    response = await client.post("/v1/clients", json=APP, headers=headers)
    assert response.status_code == 201
    return headers, response.json()


async def test_a_partner_sees_its_own_apps_only(client: AsyncClient, factory: Factory) -> None:
    headers, app = await _registered(client, factory)
    other_headers, other = await _registered(client, factory)
    listed = await client.get("/v1/clients", headers=headers)
    assert [c["client_id"] for c in listed.json()["items"]] == [app["client_id"]]
    assert (
        await client.get(f"/v1/clients/{other['client_id']}", headers=headers)
    ).status_code == 404
    patch = await client.patch(
        f"/v1/clients/{other['client_id']}", json={"status": "live"}, headers=headers
    )
    assert patch.status_code == 404
    rotate = await client.post(f"/v1/clients/{other['client_id']}/secret", headers=headers)
    assert rotate.status_code == 404
    assert other_headers


async def test_members_read_but_do_not_manage(client: AsyncClient, factory: Factory) -> None:
    _, app = await _registered(client, factory)
    member = await factory.account("partner", "member", partner_id=app["partner_id"])
    headers = await factory.headers(member)
    assert (await client.get(f"/v1/clients/{app['client_id']}", headers=headers)).status_code == 200
    response = await client.patch(
        f"/v1/clients/{app['client_id']}", json={"status": "live"}, headers=headers
    )
    assert (response.status_code, response.json()["error"]) == (403, "partner_admin_required")


async def test_sellers_see_no_clients(client: AsyncClient, factory: Factory) -> None:
    _, app = await _registered(client, factory)
    _, main = await factory.seller()
    headers = await factory.headers(main)
    assert (await client.get("/v1/clients", headers=headers)).json()["items"] == []
    assert (await client.get(f"/v1/clients/{app['client_id']}", headers=headers)).status_code == 404


async def test_operators_see_and_manage_every_client(client: AsyncClient, factory: Factory) -> None:
    _, app = await _registered(client, factory)
    headers = await factory.headers(await factory.operator())
    assert app["client_id"] in [
        c["client_id"] for c in (await client.get("/v1/clients", headers=headers)).json()["items"]
    ]
    disabled = await client.patch(
        f"/v1/clients/{app['client_id']}", json={"status": "disabled"}, headers=headers
    )
    assert disabled.json()["status"] == "disabled"


async def test_an_admin_launches_and_edits_its_app(client: AsyncClient, factory: Factory) -> None:
    headers, app = await _registered(client, factory)
    change = {
        "status": "live",
        "redirect_uris": ["https://app.example.com/cb2", "http://127.0.0.1:9000/cb"],
        "scopes": ["partner.creator.read", "partner.affiliate.write"],
    }
    response = await client.patch(f"/v1/clients/{app['client_id']}", json=change, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "live"
    assert body["redirect_uris"] == change["redirect_uris"]
    assert body["scope"] == " ".join(sorted(change["scopes"]))
    for bad in ({"redirect_uris": ["http://evil.example/"]}, {"scopes": ["tsp.decisions"]}):
        refused = await client.patch(f"/v1/clients/{app['client_id']}", json=bad, headers=headers)
        assert refused.status_code == 400
    unknown = await client.patch(
        f"/v1/clients/{app['client_id']}", json={"status": "x"}, headers=headers
    )
    assert unknown.status_code == 400


async def test_a_rotated_secret_replaces_the_old_one_at_once(
    client: AsyncClient, factory: Factory
) -> None:
    operator = await factory.headers(await factory.operator())
    created = await client.post(
        "/v1/clients",
        json={"name": "console", "client_type": "first_party", "scopes": ["tsp.introspect"]},
        headers=operator,
    )
    client_id, old = created.json()["client_id"], created.json()["client_secret"]
    rotated = await client.post(f"/v1/clients/{client_id}/secret", headers=operator)
    assert rotated.status_code == 200
    assert rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["client_secret"]
    assert new and new != old

    def basic(secret: str) -> dict[str, str]:
        return {
            "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        }

    form = {"grant_type": "client_credentials"}
    assert (await client.post("/oauth/token", data=form, headers=basic(old))).status_code == 401
    assert (await client.post("/oauth/token", data=form, headers=basic(new))).status_code == 200


async def test_a_public_client_has_no_secret_to_rotate(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    headers = await factory.headers(admin)
    created = await client.post(
        "/v1/clients", json={**APP, "client_type": "public"}, headers=headers
    )
    response = await client.post(
        f"/v1/clients/{created.json()['client_id']}/secret", headers=headers
    )
    assert (response.status_code, response.json()["error"]) == (400, "public_client")
