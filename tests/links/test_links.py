"""`POST /v1/authorization-links`: the link a partner sends, on the host of its region."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import AsyncClient

from tests.consent.helpers import get_request
from tests.factories import Factory
from tsp_auth.models import Account, Partner


async def _member(factory: Factory, partner: Partner, role: str = "member") -> Account:
    return await factory.account("partner", role, partner_id=partner.id)


async def _link(client: AsyncClient, factory: Factory, region: str) -> tuple[str, str]:
    partner = await factory.partner(region=region)
    service = await factory.service(partner)
    response = await client.post(
        "/v1/authorization-links",
        json={"service_id": service.id, "state": "my-state_1"},
        headers=await factory.headers(await _member(factory, partner, "admin")),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["purpose"]) == ("my-state_1", "authorize")
    return body["url"], service.id


@pytest.mark.parametrize(
    ("region", "host"), [("US", "partner.us.example.com"), ("ROW", "partner.example.com")]
)
async def test_a_configured_link_host_follows_the_partner_region(
    configured_client: AsyncClient, configured_factory: Factory, region: str, host: str
) -> None:
    url, service_id = await _link(configured_client, configured_factory, region)
    assert url == f"https://{host}/open/authorize?service_id={service_id}&state=my-state_1"


@pytest.mark.parametrize("region", ["US", "ROW"])
async def test_in_development_unconfigured_links_point_at_the_local_server(
    client: AsyncClient, factory: Factory, region: str
) -> None:
    """The default hosts are TikTok's production domains: a link there would never reach the
    server that made it, so in development it names the issuer's origin."""
    url, service_id = await _link(client, factory, region)
    assert url == f"http://127.0.0.1:8000/open/authorize?service_id={service_id}&state=my-state_1"
    followed = await client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert followed.status_code == 303
    assert followed.headers["location"].startswith("/consent/azr_")


async def test_missing_state_gets_a_random_url_safe_one(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    headers = await factory.headers(await _member(factory, partner))
    states = set()
    for _ in range(2):
        response = await client.post(
            "/v1/authorization-links", json={"service_id": service.id}, headers=headers
        )
        assert response.status_code == 200
        query = parse_qs(urlsplit(response.json()["url"]).query)
        assert query["state"] == [response.json()["state"]]
        states.add(response.json()["state"])
    assert len(states) == 2 and all(len(s) >= 32 for s in states)


async def test_tsp_access_link_says_so_and_round_trips_through_authorize(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    response = await client.post(
        "/v1/authorization-links",
        json={"service_id": service.id, "state": "s1", "purpose": "tsp_access"},
        headers=await factory.headers(await _member(factory, partner)),
    )
    url = urlsplit(response.json()["url"])
    assert parse_qs(url.query) == {
        "service_id": [service.id],
        "state": ["s1"],
        "purpose": ["tsp_access"],
    }
    followed = await client.get(f"{url.path}?{url.query}")
    assert followed.status_code == 303
    stored = await get_request(factory.app, followed.headers["location"].split("/")[-1])
    assert (stored.state, stored.purpose, stored.service_id) == ("s1", "tsp_access", service.id)


async def test_link_refusals(client: AsyncClient, factory: Factory) -> None:
    partner, other = await factory.partner(), await factory.partner()
    mine = await factory.service(partner)
    theirs = await factory.service(other)
    invalid = await factory.service(partner, valid=False)
    member = await factory.headers(await _member(factory, partner))
    _, seller_main = await factory.seller()
    cases = [
        (member, {"service_id": theirs.id}, 404, "not_found"),
        (member, {"service_id": "svc_nope"}, 404, "not_found"),
        (member, {"service_id": invalid.id}, 400, "service_not_valid"),
        (member, {"service_id": mine.id, "state": "s" * 513}, 400, "invalid_request"),
        (member, {"service_id": mine.id, "state": "a\nb"}, 400, "invalid_request"),
        (member, {"service_id": mine.id, "purpose": "admin"}, 400, "invalid_request"),
        (
            await factory.headers(seller_main),
            {"service_id": mine.id},
            403,
            "partner_account_required",
        ),
        (
            await factory.headers(await factory.operator()),
            {"service_id": mine.id},
            403,
            "partner_account_required",
        ),
    ]
    for headers, body, status, error in cases:
        response = await client.post("/v1/authorization-links", json=body, headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, error), body
    assert (
        await client.post("/v1/authorization-links", json={"service_id": mine.id})
    ).status_code == 401


async def test_a_512_character_state_is_accepted(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    response = await client.post(
        "/v1/authorization-links",
        json={"service_id": service.id, "state": "x" * 512},
        headers=await factory.headers(await _member(factory, partner)),
    )
    assert response.status_code == 200 and response.json()["state"] == "x" * 512
