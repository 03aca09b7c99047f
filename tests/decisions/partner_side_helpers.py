"""A data-only authorization (seed 002: US CB and other markets have "only Data Compass
authorization") of a seller to a partner's service and to the partner's app, made through
HTTP as in production: the seller consents through the app's link; the app redeems its code;
the partner's admin assigns a member to the seller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, App, tokens
from tsp_auth.models import Account

DATA_SCOPES = ("partner.data_compass.read",)


@dataclass
class DataOnly:
    app: App
    admin: Account
    member: Account
    admin_h: dict[str, str]
    member_h: dict[str, str]
    grant_id: str
    access_token: str

    @property
    def seller_id(self) -> str:
        return self.app.seller.id


async def unconsented(
    factory: Factory, market: str = "US-CB", scopes: tuple[str, ...] = DATA_SCOPES
) -> App:
    """A partner's service and app, and a seller in ``market`` that has authorized nothing."""
    partner = await factory.partner(region="US" if market.startswith("US") else "ROW")
    service = await factory.service(partner, markets=(market,))
    client, secret = await factory.oauth_client(
        partner, service=service, redirect_uris=(REDIRECT,), scopes=scopes
    )
    seller, main = await factory.seller(market)
    return App(partner, service, client, secret, seller, main, await factory.headers(main))


async def data_only(
    factory: Factory,
    http: AsyncClient,
    market: str = "US-CB",
    *,
    scopes: tuple[str, ...] = DATA_SCOPES,
    assign: bool = True,
    app: App | None = None,
) -> DataOnly:
    app = app or await unconsented(factory, market, scopes)
    partner, seller = app.partner, app.seller
    body = await tokens(http, app)  # the consent picks data compass, area LIVE, only
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    member = await factory.account("partner", "member", partner_id=partner.id)
    admin_h, member_h = await factory.headers(admin), await factory.headers(member)
    if assign:
        response = await http.post(
            "/v1/assignments",
            json={"member_id": member.id, "seller_id": seller.id},
            headers=admin_h,
        )
        assert response.status_code == 201, response.text
    grants = await http.get("/v1/grants", headers=app.seller_headers)
    (grant,) = grants.json()["items"]
    assert (grant["items"], grant["areas"]) == (["data_compass"], ["live"])
    return DataOnly(app, admin, member, admin_h, member_h, grant["id"], body["access_token"])


async def ask_as_member(
    http: AsyncClient, world: DataOnly, action: str, headers: dict[str, str] | None = None
) -> Response:
    return await http.post(
        "/v1/partner-decisions",
        json={"action": action, "seller_id": world.seller_id},
        headers=headers or world.member_h,
    )


async def member_decision(
    http: AsyncClient, world: DataOnly, action: str = "data_compass.live"
) -> dict[str, Any]:
    response = await ask_as_member(http, world, action)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def app_decision(
    http: AsyncClient,
    world: DataOnly,
    action: str = "data_compass.live",
    *,
    token: str | None = None,
    seller_id: str | None = None,
) -> dict[str, Any]:
    response = await http.post(
        "/v1/app-decisions",
        json={
            "token": token or world.access_token,
            "action": action,
            "seller_id": seller_id or world.seller_id,
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def cancel(http: AsyncClient, world: DataOnly) -> None:
    response = await http.post(
        f"/v1/grants/{world.grant_id}/cancel", headers=world.app.seller_headers
    )
    assert response.status_code == 200, response.text
