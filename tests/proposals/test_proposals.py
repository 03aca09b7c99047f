"""Service proposals (seed 002: "For US L2L&CB, you can also create a service proposal/offer to
sign with sellers"): proposed by a partner admin, read in the consent page's words, accepted
(a consent: the grant is recorded) or declined by the seller, withdrawn by the partner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select, update

from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import Account, Grant, ServiceProposal, WebhookDelivery

HOOK = "http://127.0.0.1:9/hook"
DATA = {"items": ["data_compass"], "areas": ["live", "marketing"]}


@dataclass
class Parties:
    admin_h: dict[str, str]
    member_h: dict[str, str]
    main_h: dict[str, str]
    sub_h: dict[str, str]
    service_id: str
    seller_id: str
    main: Account


async def parties(
    client: AsyncClient, factory: Factory, market: str = "US-CB", visibility: str = "public"
) -> Parties:
    partner = await factory.partner(region="US")
    service = await factory.service(partner, markets=(market,), visibility=visibility)
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    member = await factory.account("partner", "member", partner_id=partner.id)
    seller, main = await factory.seller(market)
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    hook = await client.post(
        "/v1/webhooks",
        json={"url": HOOK, "events": ["proposal.accepted", "proposal.declined"]},
        headers=await factory.headers(admin),
    )
    assert hook.status_code == 201, hook.text
    return Parties(
        await factory.headers(admin),
        await factory.headers(member),
        await factory.headers(main),
        await factory.headers(sub),
        service.id,
        seller.id,
        main,
    )


def _body(p: Parties, **overrides: Any) -> dict[str, Any]:
    body = {
        "service_id": p.service_id,
        "seller_id": p.seller_id,
        **DATA,
        "duration_days": 180,
        "message": "Let us run your LIVE analytics for the season.",
    }
    body.update(overrides)
    return body


async def _propose(client: AsyncClient, p: Parties, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/proposals", json=_body(p, **overrides), headers=p.admin_h)
    assert response.status_code == 201, response.text
    proposal: dict[str, Any] = response.json()
    return proposal


async def _accept(
    client: AsyncClient,
    p: Parties,
    proposal: dict[str, Any],
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> Any:
    body = {
        "contact_email": "owner@shop.example.com",
        "terms_version": proposal["terms_version"],
        "terms_accepted": True,
        **kw,
    }
    return await client.post(
        f"/v1/proposals/{proposal['id']}/accept", json=body, headers=headers or p.main_h
    )


async def _written(factory: Factory) -> tuple[int, int, list[str]]:
    async with factory.app.state.sessionmaker() as session:
        grants = int(await session.scalar(select(func.count()).select_from(Grant)) or 0)
        hooks = int(await session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)
        states = (await session.scalars(select(ServiceProposal.status))).all()
        return grants, hooks, sorted(states)


async def test_a_seller_accepts_a_proposal_and_the_grant_is_recorded(
    client: AsyncClient, factory: Factory
) -> None:
    p = await parties(client, factory)
    proposal = await _propose(client, p)
    assert (proposal["status"], proposal["duration_label"]) == ("open", "180 days")
    (item,) = proposal["items"]
    assert (item["code"], item["label"]) == ("data_compass", "Data compass")
    assert [c["label"] for c in item["choices"]] == ["LIVE", "Marketing"]
    assert item["help"] and proposal["warning"] is None

    for headers in (p.main_h, p.sub_h):  # every account of the seller reads it
        listed = await client.get("/v1/proposals", headers=headers)
        assert [i["id"] for i in listed.json()["items"]] == [proposal["id"]]
    read = await client.get(f"/v1/proposals/{proposal['id']}", headers=p.main_h)
    assert read.json()["message"] == proposal["message"]

    accepted = await _accept(client, p, proposal)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    grant_id = accepted.json()["grant_id"]
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        assert (grant.status, grant.items, grant.areas, grant.duration_days) == (
            "active",
            {"data_compass"},
            {"live", "marketing"},
            180,
        )
        assert grant.consented_by == p.main.id
        (hook,) = (await session.scalars(select(WebhookDelivery))).all()
        assert hook.event_type == "proposal.accepted"
        assert json.loads(hook.body)["data"]["grant_id"] == grant_id
    partner_view = await client.get("/v1/proposals", headers=p.member_h)
    assert [i["status"] for i in partner_view.json()["items"]] == ["accepted"]


async def test_decline_and_withdraw(client: AsyncClient, factory: Factory) -> None:
    p = await parties(client, factory, "US-L2L")
    declined = await _propose(client, p)
    withdrawn = await _propose(client, p, message="Another offer")
    response = await client.post(f"/v1/proposals/{declined['id']}/decline", headers=p.main_h)
    assert (response.status_code, response.json()["status"]) == (200, "declined")
    response = await client.post(f"/v1/proposals/{withdrawn['id']}/withdraw", headers=p.admin_h)
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")

    grants, hooks, states = await _written(factory)
    assert (grants, hooks, states) == (0, 1, ["declined", "withdrawn"])
    for proposal in (declined, withdrawn):
        late = await _accept(client, p, proposal)
        assert (late.status_code, late.json()["error"]) == (409, "proposal_not_open")
    again = await client.post(f"/v1/proposals/{declined['id']}/withdraw", headers=p.admin_h)
    assert (again.status_code, again.json()["error"]) == (409, "proposal_not_open")
    assert await _written(factory) == (0, 1, ["declined", "withdrawn"])


async def test_markets_outside_us_refuse(client: AsyncClient, factory: Factory) -> None:
    for market in ("UK", "ID", "JP"):
        p = await parties(client, factory, market)
        response = await client.post("/v1/proposals", json=_body(p), headers=p.admin_h)
        assert (response.status_code, response.json()["error"]) == (
            403,
            "market_disallows_proposals",
        ), market
    assert await _written(factory) == (0, 0, [])


async def test_refused_proposals_write_nothing(client: AsyncClient, factory: Factory) -> None:
    p = await parties(client, factory)
    other = await parties(client, factory)
    cases = [
        (p.member_h, {}, 403, "partner_admin_required"),
        (p.main_h, {}, 403, "partner_admin_required"),
        (p.admin_h, {"service_id": other.service_id}, 404, "unknown_service"),
        (p.admin_h, {"seller_id": "slr_nope"}, 404, "unknown_seller"),
        # seed 002: US CB has no TSP access.
        (
            p.admin_h,
            {"items": ["seller_center_access"], "roles": ["orders"], "areas": []},
            400,
            "market_disallows_console_access",
        ),
        (p.admin_h, {"duration_days": 45}, 400, "unknown_duration"),
        (p.admin_h, {"message": ""}, 400, "invalid_request"),
        (p.admin_h, {"price": 10}, 400, "invalid_request"),
    ]
    for headers, overrides, status, error in cases:
        response = await client.post("/v1/proposals", json=_body(p, **overrides), headers=headers)
        answer = (response.status_code, response.json().get("error"))
        assert answer == (status, error), (overrides, response.text)
    assert await _written(factory) == (0, 0, [])


async def test_refused_answers_write_nothing(client: AsyncClient, factory: Factory) -> None:
    p = await parties(client, factory)
    stranger = await parties(client, factory)
    proposal = await _propose(client, p)
    path = f"/v1/proposals/{proposal['id']}"
    refused = [
        ("accept", p.sub_h, 403, "not_main_account"),
        ("accept", p.admin_h, 403, "not_main_account"),
        ("accept", stranger.main_h, 404, "not_found"),
        ("decline", p.sub_h, 403, "not_main_account"),
        ("withdraw", p.main_h, 403, "partner_admin_required"),
        ("withdraw", p.member_h, 403, "partner_admin_required"),
        ("withdraw", stranger.admin_h, 404, "not_found"),
    ]
    for verb, headers, status, error in refused:
        if verb == "accept":
            response = await _accept(client, p, proposal, headers=headers)
        else:
            response = await client.post(f"{path}/{verb}", headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, error), (verb, error)
    terms = await _accept(client, p, proposal, terms_accepted=False)
    assert (terms.status_code, terms.json()["error"]) == (400, "terms_not_accepted")
    read = await client.get(path, headers=stranger.main_h)
    assert read.status_code == 404
    assert await _written(factory) == (0, 0, ["open"])

    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(ServiceProposal).values(expires_at=now() - timedelta(seconds=1))
        )
        await session.commit()
    late = await _accept(client, p, proposal)
    assert (late.status_code, late.json()["error"]) == (410, "proposal_expired")
    listed = await client.get("/v1/proposals", headers=p.admin_h)
    assert [i["status"] for i in listed.json()["items"]] == ["expired"]
    assert await _written(factory) == (0, 0, ["open"])


async def test_a_custom_service_is_offered_by_its_proposal(
    client: AsyncClient, factory: Factory
) -> None:
    p = await parties(client, factory, "US-L2L", visibility="custom")
    proposal = await _propose(
        client,
        p,
        items=["seller_center_access", "data_compass"],
        roles=["orders"],
        areas=["live"],
    )
    assert proposal["warning"]  # TSP access: the partner acts on the seller's behalf
    accepted = await _accept(client, p, proposal)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["grant_id"]
