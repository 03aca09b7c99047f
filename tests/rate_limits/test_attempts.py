"""Attempts limited per account and per address (sign-in, consent, approval) and per partner
(link creation): 429 with Retry-After in the one error shape, nothing written, counted."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy import func, select

from tests.business_centers.helpers import make_world, request_access, token_of
from tests.consent.helpers import decision, open_link, pick
from tests.consent_page.helpers import (
    csrf_of,
    form,
    open_form,
    service_fields,
    sign_in,
    submit,
)
from tests.factories import Factory
from tests.rate_limits.conftest import Limited, assert_rate_limited, refused_count
from tsp_auth.config import Settings
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import AuthorizationRequest, BcAccessRequest, Grant

BUDGET = "3 per 2 seconds"


async def _sign_in(client: AsyncClient, account_id: str) -> int:
    response = await client.post("/dev/identity-tokens", json={"account_id": account_id})
    return response.status_code


async def test_sign_in_is_limited_per_account_then_free_again(
    factory: Factory, limited: Limited
) -> None:
    main, other = (await factory.seller())[1], (await factory.seller())[1]
    before = refused_count("sign_in")
    async with limited(per_account=BUDGET) as burst:
        assert [await _sign_in(burst, main.id) for _ in range(3)] == [200, 200, 200]
        refused = await burst.post("/dev/identity-tokens", json={"account_id": main.id})
        retry_after = assert_rate_limited(refused)
        assert "id_token" not in refused.json()
        # The HTML sign-in form spends the same budget: no cookie is set.
        token = csrf_of((await burst.get("/dev/login")).text)
        body = {"account_id": main.id, "return_to": "/", "csrf_token": token}
        form = await burst.post("/dev/login", data=body)
        assert_rate_limited(form)
        assert IDENTITY_COOKIE not in form.cookies
        assert await _sign_in(burst, other.id) == 200  # another account has its own budget
        assert refused_count("sign_in") == before + 2

        await asyncio.sleep(retry_after + 0.2)
        assert await _sign_in(burst, main.id) == 200


async def test_sign_in_is_limited_per_address_across_accounts(
    factory: Factory, limited: Limited
) -> None:
    accounts = [(await factory.seller())[1] for _ in range(4)]
    async with limited(per_address=BUDGET) as burst:
        assert [await _sign_in(burst, a.id) for a in accounts[:3]] == [200, 200, 200]
        assert_rate_limited(
            await burst.post("/dev/identity-tokens", json={"account_id": accounts[3].id})
        )
        # An unknown account spends the address budget too: guessing ids is no way round it.
        assert_rate_limited(await burst.post("/dev/identity-tokens", json={"account_id": "acc_x"}))


async def _count(factory: Factory, model: type, *where: object) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_consent_is_limited_per_account_and_a_refused_accept_writes_nothing(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    request_id = await open_link(client, service.id)
    before = refused_count("consent")
    async with limited(per_account="2 per 2 seconds") as burst:
        for _ in range(2):
            missing = await burst.post(
                "/v1/authorization-requests/azr_nope/reject", headers=headers
            )
            assert missing.status_code == 404, missing.text
        accepted = await burst.post(
            f"/v1/authorization-requests/{request_id}/accept",
            json=decision(pick(service)),
            headers=headers,
        )
        assert_rate_limited(accepted)
        assert refused_count("consent") == before + 1
    assert await _count(factory, Grant, Grant.grantor_id == seller.id) == 0
    pending = await _count(
        factory,
        AuthorizationRequest,
        AuthorizationRequest.id == request_id,
        AuthorizationRequest.status == "pending",
    )
    assert pending == 1


async def test_the_consent_page_shares_the_budget_and_answers_429(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    service = await factory.service(await factory.partner())
    seller, main = await factory.seller()
    request_id = await open_link(client, service.id)
    async with limited(per_account="2 per 2 seconds") as browser:
        await sign_in(browser, main)
        _, csrf = await open_form(browser, request_id)
        for _ in range(2):
            forged = await submit(browser, request_id, form("forged", service_fields(service)))
            assert forged.status_code == 403, forged.text
        refused = await submit(browser, request_id, form(csrf, service_fields(service)))
        assert_rate_limited(refused)
    assert await _count(factory, Grant, Grant.grantor_id == seller.id) == 0


async def test_approval_is_limited_per_account_and_a_refused_approve_writes_nothing(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    world = await make_world(factory)
    token = token_of((await request_access(client, world))["link"])
    before = refused_count("approval")
    async with limited(per_account="2 per 2 seconds") as burst:
        for _ in range(2):
            missing = await burst.post("/v1/bc-access/not-a-token/reject", headers=world.owner_h)
            assert missing.status_code == 404, missing.text
        assert_rate_limited(
            await burst.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
        )
        assert refused_count("approval") == before + 1
    assert await _count(factory, Grant, Grant.kind == "business_center") == 0
    assert await _count(factory, BcAccessRequest, BcAccessRequest.status == "pending") == 1


async def test_the_approval_page_shares_the_budget_and_answers_429(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    world = await make_world(factory)
    token = token_of((await request_access(client, world))["link"])
    async with limited(per_account="2 per 2 seconds") as browser:
        await sign_in(browser, world.owner)
        missing = await browser.post("/v1/bc-access/not-a-token/reject", headers=world.owner_h)
        assert missing.status_code == 404
        page = await browser.get(f"/bc/authorize/{token}")
        csrf = csrf_of(page.text)
        forged = await browser.post(
            f"/bc/authorize/{token}", data={"csrf_token": "forged", "decision": "approve"}
        )
        assert forged.status_code == 403, forged.text
        refused = await browser.post(
            f"/bc/authorize/{token}", data={"csrf_token": csrf, "decision": "approve"}
        )
        assert_rate_limited(refused)
    assert await _count(factory, Grant, Grant.kind == "business_center") == 0


async def test_link_creation_is_limited_per_partner(factory: Factory, limited: Limited) -> None:
    async def admin_of_a_service() -> tuple[dict[str, str], str]:
        partner = await factory.partner()
        admin = await factory.account("partner", "admin", partner_id=partner.id)
        return await factory.headers(admin), (await factory.service(partner)).id

    (headers, service_id), (other_headers, other_service) = [
        await admin_of_a_service() for _ in range(2)
    ]
    before = refused_count("link_creation")
    async with limited(link_creation="2 per 2 seconds") as burst:
        for _ in range(2):
            made = await burst.post(
                "/v1/authorization-links", json={"service_id": service_id}, headers=headers
            )
            assert made.status_code == 200, made.text
        assert_rate_limited(
            await burst.post(
                "/v1/authorization-links", json={"service_id": service_id}, headers=headers
            )
        )
        other = await burst.post(
            "/v1/authorization-links", json={"service_id": other_service}, headers=other_headers
        )
        assert other.status_code == 200, other.text
        assert refused_count("link_creation") == before + 1


async def test_each_app_has_its_own_budgets(factory: Factory, limited: Limited) -> None:
    main = (await factory.seller())[1]
    async with limited(per_account="1 per 2 seconds") as first:
        assert await _sign_in(first, main.id) == 200
        assert await _sign_in(first, main.id) == 429
    async with limited(per_account="1 per 2 seconds") as second:
        assert await _sign_in(second, main.id) == 200


@pytest.mark.parametrize("value", ["often", "0/minute", "-1/minute", ""])
def test_a_budget_that_is_not_a_rate_stops_start_up(value: str) -> None:
    with pytest.raises(ValidationError, match="rate_limit_per_account"):
        Settings(rate_limit_per_account=value)
