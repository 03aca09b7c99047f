"""Concurrent consents on real, separately committed transactions (item 8).

``committed_client`` gives every request its own connection and real commits, so two requests
sent with ``asyncio.gather`` race in the database as two processes would.
"""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.consent.helpers import bindings_of, decision, get_request, grants_of, open_link, pick
from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.consent.recording import GrantTerms, record_grant
from tsp_auth.kit.errors import Conflict
from tsp_auth.policy import Selection


async def test_the_same_consent_sent_twice_at_once_is_recorded_once(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    request_id = await open_link(committed_client, service.id)
    url = f"/v1/authorization-requests/{request_id}/accept"
    body = decision(pick(service))

    answers = await asyncio.gather(
        committed_client.post(url, json=body, headers=headers),
        committed_client.post(url, json=body, headers=headers),
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"] == "request_already_decided"
    (grant,) = await grants_of(committed_app, seller.id)
    assert (grant.status, grant.version) == ("active", 1)
    assert len(await bindings_of(committed_app, seller.id)) == 1
    assert (await get_request(committed_app, request_id)).status == "accepted"


@pytest.mark.parametrize("bound", [False, True], ids=["first_binding", "existing_binding"])
async def test_two_requests_for_the_same_service_at_once_leave_one_active_grant(
    committed_app: FastAPI, committed_client: AsyncClient, bound: bool
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    if bound:
        # With the binding in place, the race is on the grant's unique index alone.
        earlier = await factory.service(partner)
        done = await committed_client.post(
            f"/v1/authorization-requests/{await open_link(committed_client, earlier.id)}/accept",
            json=decision(pick(earlier)),
            headers=headers,
        )
        assert done.status_code == 200
    first = await open_link(committed_client, service.id)
    second = await open_link(committed_client, service.id)

    answers = await asyncio.gather(
        *(
            committed_client.post(
                f"/v1/authorization-requests/{rid}/accept",
                json=decision(pick(service)),
                headers=headers,
            )
            for rid in (first, second)
        )
    )

    # The later one renews what the earlier one created, as if they had come one by one.
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    (grant,) = [g for g in await grants_of(committed_app, seller.id) if g.service_id == service.id]
    assert (grant.status, grant.version) == ("active", 2)
    assert {a.json()["grants"][0]["id"] for a in answers} == {grant.id}
    assert len(await bindings_of(committed_app, seller.id)) == 1


async def test_first_consents_to_two_services_at_once_share_one_binding(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    services = [await factory.service(partner), await factory.service(partner)]
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    requests = [await open_link(committed_client, s.id) for s in services]

    answers = await asyncio.gather(
        *(
            committed_client.post(
                f"/v1/authorization-requests/{rid}/accept",
                json=decision(pick(service)),
                headers=headers,
            )
            for rid, service in zip(requests, services, strict=True)
        )
    )

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    (binding,) = await bindings_of(committed_app, seller.id)
    grants = await grants_of(committed_app, seller.id)
    assert sorted(g.service_id or "" for g in grants) == sorted(s.id for s in services)
    assert {g.binding_id for g in grants} == {binding.id}


async def test_a_service_authorized_meanwhile_by_another_consent_is_409_already_authorized(
    client: AsyncClient, factory: Factory
) -> None:
    """The branch a PostgreSQL race takes when the grant appears after this consent's checks:
    only the link's own service renews a grant in force; another service answers 409."""
    service = await factory.service(await factory.partner())
    seller, main = await factory.seller()
    done = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service)),
        headers=await factory.headers(main),
    )
    (grant,) = await grants_of(factory.app, seller.id)
    terms = GrantTerms(
        seller_id=seller.id,
        partner_id=service.partner_id,
        service_id=service.id,
        binding_id=grant.binding_id or "",
        market="UK",
        selection=Selection(frozenset(), frozenset(), frozenset(), None, 30),
        consented_by=main.id,
        contact_email="owner@shop.example.com",
        terms_version="2025-12",
    )
    async with factory.app.state.sessionmaker() as session:
        with pytest.raises(Conflict) as refused:
            await record_grant(session, terms, now(), may_renew_active=False)
        renewed = await record_grant(session, terms, now(), may_renew_active=True)
    assert done.status_code == 200 and refused.value.error == "already_authorized"
    assert (renewed.grant.id, renewed.grant.version, renewed.renewed) == (grant.id, 2, True)
