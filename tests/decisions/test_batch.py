"""`POST /v1/decisions/batch`: each answer is the single decision's, in order, for one session."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from tests.factories import Factory
from tests.tsp_access.helpers import World, audit_events, decide, make_world, session_token
from tsp_auth.decisions.batch_schemas import MAX_CHECKS
from tsp_auth.models import AuditEvent

Check = tuple[str, str]
BATCH = "/v1/decisions/batch"


async def batch(client: AsyncClient, token: str, checks: list[Check]) -> list[dict[str, Any]]:
    body = {"token": token, "checks": [{"action": a, "shop_id": s} for a, s in checks]}
    response = await client.post(BATCH, json=body)
    assert response.status_code == 200, response.text
    answers: list[dict[str, Any]] = response.json()["decisions"]
    return answers


async def singles(client: AsyncClient, token: str, checks: list[Check]) -> list[dict[str, Any]]:
    return [await decide(client, token, action, shop) for action, shop in checks]


def reasons(answers: list[dict[str, Any]]) -> list[tuple[bool, str]]:
    return [(a["allow"], a["reason"]) for a in answers]


def _menu(world: World) -> list[Check]:
    """A console page's menu on the session's shop, and one check on another shop."""
    shop = world.seller.id
    return [
        ("seller_center.orders", shop),
        ("seller_center.finance", shop),
        ("seller_center.orders", "slr_someone_else"),
        ("data_compass.live", shop),
        ("data_compass.marketing", shop),
        ("launch.rockets", shop),
        ("seller_center.products", shop),
    ]


async def test_each_answer_is_the_single_decisions_in_order(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    checks = _menu(world)
    answers = await batch(client, token, checks)
    assert answers == await singles(client, token, checks)
    assert reasons(answers) == [
        (True, "ok"),
        (False, "role_not_granted"),
        (False, "wrong_shop"),
        (True, "ok"),
        (False, "area_not_granted"),
        (False, "unknown_action"),
        (True, "ok"),
    ]
    assert answers[0]["actor"] == {"sub": world.admin.id, "partner": world.partner.id}
    # Reversed, the answers come reversed: order is the request's.
    assert await batch(client, token, checks[::-1]) == answers[::-1]


async def test_after_a_cancel_the_batch_refuses_as_single_decisions_do(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    checks = _menu(world)
    assert (await batch(client, token, checks))[0]["allow"]
    cancel = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancel.status_code == 200, cancel.text
    answers = await batch(client, token, checks)
    assert answers == await singles(client, token, checks)
    # The shop is checked before the grant (rules.decide): another shop stays wrong_shop.
    expected = [(False, "grant_not_active")] * len(checks)
    expected[2] = (False, "wrong_shop")
    assert reasons(answers) == expected


async def test_the_market_rule_applies_per_check(client: AsyncClient, factory: Factory) -> None:
    """seed 002 (US L2L): a grant for the shop does not reach the TikTok account."""
    partner = await factory.partner(region="US")
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    service = await factory.service(partner, markets=("US-L2L",))
    seller, main = await factory.seller("US-L2L")
    await factory.grant(
        seller,
        service,
        items=("authorized_object", "seller_center_access", "data_compass"),
        roles=("orders", "live"),
        areas=("live",),
        authorized_object="shop",
        consented_by=main,
    )
    token = await session_token(factory, admin, seller.id)
    checks = [("seller_center.orders", seller.id), ("seller_center.live", seller.id)]
    answers = await batch(client, token, checks)
    assert answers == await singles(client, token, checks)
    assert reasons(answers) == [(True, "ok"), (False, "object_not_authorized")]


async def test_an_unknown_session_answers_every_check(client: AsyncClient, world: World) -> None:
    checks = _menu(world)[:3]
    answers = await batch(client, "not-a-session", checks)
    assert answers == await singles(client, "not-a-session", checks)
    unknown = {"allow": False, "reason": "invalid_session", "acting_as": None, "actor": None}
    assert answers == [unknown] * 3


@pytest.mark.parametrize(
    ("roles", "recorded"),
    [(("affiliate_center",), ["creator_im.read", "creator_im.send"]), (("products",), [])],
)
async def test_each_allowed_creator_im_check_is_audited(
    client: AsyncClient, factory: Factory, roles: tuple[str, ...], recorded: list[str]
) -> None:
    world = await make_world(factory, roles=roles)
    token = await session_token(factory, world.admin, world.seller.id)
    shop = world.seller.id
    checks = [("creator_im.send", shop), ("seller_center.orders", shop), ("creator_im.read", shop)]
    answers = await batch(client, token, checks)
    events = await audit_events(factory, "creator_im.authorized")
    assert sorted(e.detail["console_action"] for e in events) == recorded
    for event in events:  # seed 000: the member who acted, for the seller creators see
        assert (event.actor_id, event.on_behalf_of) == (world.admin.id, shop)
    # A single decision records the same, one event per allowed Creator IM action.
    assert answers == await singles(client, token, checks)
    assert len(await audit_events(factory, "creator_im.authorized")) == 2 * len(recorded)


async def _written(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _counted() -> float:
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "tsp_auth_decisions"
        for sample in metric.samples
        if sample.name == "tsp_auth_decisions_total"
    )


def _checks(count: int, action: str = "creator_im.send") -> list[dict[str, str]]:
    return [{"action": action, "shop_id": "s"} for _ in range(count)]


@pytest.mark.parametrize(
    ("checks", "pointer", "detail"),
    [
        ([], "#/checks", "checks: List should have at least 1 item after validation, not 0"),
        (
            _checks(MAX_CHECKS + 1),
            "#/checks",
            f"checks: List should have at most {MAX_CHECKS} items after validation, "
            f"not {MAX_CHECKS + 1}",
        ),
        ([{"action": "", "shop_id": "s"}], "#/checks/0/action", None),
        ([{"action": "creator_im.send"}], "#/checks/0/shop_id", None),
        ([*_checks(1), {**_checks(1)[0], "token": "t"}], "#/checks/1/token", None),
        ("creator_im.send", "#/checks", None),
    ],
)
async def test_a_bad_batch_is_a_400_problem_and_nothing_is_decided(
    client: AsyncClient,
    factory: Factory,
    world: World,
    checks: Any,
    pointer: str,
    detail: str | None,
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    if isinstance(checks, list):  # checks a single decision would allow and audit
        checks = [{**c, "shop_id": world.seller.id} if "shop_id" in c else c for c in checks]
    written, counted = await _written(factory), _counted()
    response = await client.post(BATCH, json={"token": token, "checks": checks})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["error"] == "invalid_request"
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
    if detail is not None:
        assert problem["detail"] == detail
    assert (await _written(factory), _counted()) == (written, counted)


async def test_a_full_batch_is_answered(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    checks = [("seller_center.orders", world.seller.id)] * MAX_CHECKS
    assert reasons(await batch(client, token, checks)) == [(True, "ok")] * MAX_CHECKS
