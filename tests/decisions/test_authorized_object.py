"""seed 002 (US L2L): the authorized object — Shop & TikTok, Shop, TikTok account — decides
what a grant reaches. LIVE and short videos act on the TikTok account, the rest on the shop
(``policy.catalogue.ROLE_REACHES`` / ``AREA_REACHES``); a grant without the item is not bound."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.tsp_access.helpers import decide, session_token

ITEMS = ("authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass")
ACTIONS = (
    "seller_center.orders",
    "seller_center.live",
    "creator_im.send",
    "ticket.create",
    "data_compass.marketing",
    "data_compass.live",
    "data_compass.video",
)
SHOP_ACTIONS = {
    "seller_center.orders",
    "creator_im.send",
    "ticket.create",
    "data_compass.marketing",
}


async def _answers(factory: Factory, client: AsyncClient, obj: str | None) -> dict[str, str]:
    partner = await factory.partner(region="US")
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    service = await factory.service(partner, markets=("US-L2L",))
    seller, main = await factory.seller("US-L2L")
    await factory.grant(
        seller,
        service,
        items=ITEMS if obj is not None else ITEMS[1:],
        roles=("orders", "live", "affiliate_center"),
        areas=("marketing", "live", "video"),
        authorized_object=obj,
        consented_by=main,
    )
    # The object bounds the actions, not the login: every grant here logs in.
    token = await session_token(factory, admin, seller.id)
    return {
        action: (await decide(client, token, action, seller.id))["reason"] for action in ACTIONS
    }


@pytest.mark.parametrize(
    ("obj", "reached"),
    [
        ("shop", SHOP_ACTIONS),
        ("tiktok_account", set(ACTIONS) - SHOP_ACTIONS),
        ("shop_and_tiktok", set(ACTIONS)),
        (None, set(ACTIONS)),
    ],
)
async def test_the_authorized_object_decides_what_is_reachable(
    client: AsyncClient, factory: Factory, obj: str | None, reached: set[str]
) -> None:
    answers = await _answers(factory, client, obj)
    assert answers == {
        action: "ok" if action in reached else "object_not_authorized" for action in ACTIONS
    }
