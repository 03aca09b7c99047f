"""A link opened on the other market's host is refused (seed 004: "The authorization domain is
different for US and non-US partners"): an error page, never a redirect, nothing stored. Any
host that is not one of the two market hosts (the issuer's in development) is not judged."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.consent.helpers import snapshot
from tests.factories import Factory
from tests.oauth.helpers import pkce_pair
from tests.partner_apps.helpers import link_params, org, partner_app

US_HOST = "partner.us.tiktokshop.com"
ROW_HOST = "partner.tiktokshop.com"


async def _open(client: AsyncClient, params: dict[str, str], host: str) -> tuple[int, str, str]:
    response = await client.get("/open/authorize", params=params, headers={"Host": host})
    return response.status_code, response.headers.get("location", ""), response.text


@pytest.mark.parametrize(
    ("region", "wrong", "right"),
    [("ROW", US_HOST, ROW_HOST), ("US", ROW_HOST, US_HOST), ("ROW", f"{US_HOST}:443", ROW_HOST)],
)
async def test_a_link_on_the_other_markets_host_is_an_error_page(
    client: AsyncClient, factory: Factory, region: str, wrong: str, right: str
) -> None:
    service = await factory.service(await factory.partner(region=region))
    params = {"service_id": service.id, "state": "s1"}
    before = await snapshot(factory.app)
    status, location, page = await _open(client, params, wrong)
    assert (status, location) == (400, "")
    assert "wrong_market_host" in page and right.split(":")[0] in page
    assert await snapshot(factory.app) == before
    status, location, _ = await _open(client, params, right)
    assert status == 303 and location.startswith("/consent/azr_")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "testserver"])
async def test_a_host_that_is_no_market_host_is_not_judged(
    client: AsyncClient, factory: Factory, host: str
) -> None:
    # Development links point at the issuer's host; whichever partner, they work there.
    for region in ("US", "ROW"):
        service = await factory.service(await factory.partner(region=region))
        status, location, _ = await _open(client, {"service_id": service.id}, host)
        assert status == 303 and location.startswith("/consent/azr_")


async def test_a_partner_apps_link_on_the_wrong_host_is_a_page_not_a_redirect(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory, region="ROW")
    app = await partner_app(factory, owner)
    _, challenge = pkce_pair()
    before = await snapshot(factory.app)
    status, location, page = await _open(client, link_params(app, challenge), US_HOST)
    assert (status, location) == (400, "")
    assert "wrong_market_host" in page
    assert await snapshot(factory.app) == before
    status, location, _ = await _open(client, link_params(app, challenge), ROW_HOST)
    assert status == 303 and location.startswith("/consent/azr_")
