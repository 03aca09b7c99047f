"""Production webhooks reach public addresses only (issue 13): at registration, in every
spelling of a host, and at delivery, where names are resolved and redirects never followed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from ipaddress import ip_address

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.factories import Factory
from tests.webhooks.helpers import attempts, deliveries, register_endpoint, rows
from tests.webhooks.receiver import Receiver
from tsp_auth.config import Settings
from tsp_auth.models import Partner, WebhookEndpoint
from tsp_auth.webhooks.addresses import IPAddress
from tsp_auth.webhooks.delivery import http_client
from tsp_auth.webhooks.egress import PublicOnlyTransport, RefusedAddress
from tsp_auth.webhooks.outbox import emit
from tsp_auth.worker.schedule import run_once

LOOPBACK_SPELLINGS = [
    "2130706433:8799",  # decimal
    "0x7f000001",
    "127.1",
    "0177.0.0.1",  # octal
    "017700000001",
    "0x7f.1",
    "0",  # 0.0.0.0
    "LOCALHOST.",
    "localhost.localdomain",
    "224.0.0.1",  # multicast
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::1]",
    "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
    "[2002:a9fe:a9fe::]",  # 6to4 of 169.254.169.254
    "[fe80::1%25eth0]",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (RFC 6598)
    "169.254.169.254",  # cloud metadata
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "intranet",  # a single label: looked up in the search domains
    "printer.local",
]


def _production(settings: Settings) -> Settings:
    # model_copy skips validation: the test keeps its development secrets; what matters here
    # is that the webhook rules see production.
    return settings.model_copy(update={"environment": "production", "dev_issuer_enabled": False})


@pytest.fixture
async def production_client(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> AsyncIterator[AsyncClient]:
    """A production app on the test's connection; the factory's identity tokens work on it."""
    async with asgi_client(rollback_app(_production(settings), engine, connection)) as client:
        yield client


async def _partner_admin(factory: Factory) -> tuple[Partner, dict[str, str]]:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    return partner, admin


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
async def test_production_refuses_every_spelling_of_an_internal_host(
    production_client: AsyncClient, factory: Factory, host: str
) -> None:
    partner, admin = await _partner_admin(factory)
    response = await production_client.post(
        "/v1/webhooks",
        json={"url": f"https://{host}/hook", "events": ["grant.cancelled"]},
        headers=admin,
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_url"
    assert "public host" in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert await rows(factory.app, WebhookEndpoint, WebhookEndpoint.partner_id == partner.id) == []


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/tsp", "https://Hooks.Example.COM./tsp", "https://8.8.8.8/h"]
)
async def test_production_accepts_public_hosts(
    production_client: AsyncClient, factory: Factory, url: str
) -> None:
    partner, admin = await _partner_admin(factory)
    response = await production_client.post(
        "/v1/webhooks", json={"url": url, "events": ["grant.cancelled"]}, headers=admin
    )
    assert response.status_code == 201, response.text
    [stored] = await rows(factory.app, WebhookEndpoint, WebhookEndpoint.partner_id == partner.id)
    assert stored.url == url


async def test_a_malformed_url_is_400_not_500(
    production_client: AsyncClient, factory: Factory
) -> None:
    partner, admin = await _partner_admin(factory)
    for url in ("https://[::1/hook", "https://hooks.example.com:99999/hook"):
        response = await production_client.post(
            "/v1/webhooks", json={"url": url, "events": ["grant.cancelled"]}, headers=admin
        )
        assert (response.status_code, response.json()["error"]) == (400, "invalid_url")
    assert await rows(factory.app, WebhookEndpoint, WebhookEndpoint.partner_id == partner.id) == []


Resolve = Callable[[str, int], Awaitable[Sequence[IPAddress]]]


def _resolver(*answer: str, calls: list[str] | None = None) -> Resolve:
    """DNS as a test controls it (it leaves the process): every name resolves to ``answer``."""

    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        if calls is not None:
            calls.append(host)
        return [ip_address(a) for a in answer]

    return resolve


async def _deliver_in_production(
    factory: Factory, partner: Partner, resolver: Resolve | None = None
) -> str | None:
    """Queue one event for the partner, run the worker in production mode, return the error."""
    async with factory.app.state.sessionmaker() as session, session.begin():
        await emit(session, "grant.expired", partner.id, {"grant_id": "grt_x"})
    settings = _production(factory.app.state.settings)
    kwargs = {} if resolver is None else {"resolver": resolver}
    async with http_client(settings, **kwargs) as http:
        run = await run_once(factory.app.state.sessionmaker, settings, http)
    assert run.deliveries == {"retrying": 1}
    [row] = await deliveries(factory.app)
    [attempt] = await attempts(factory.app, row.id)
    assert attempt.status_code is None and attempt.outcome == "retrying"
    return attempt.error


async def test_a_name_resolving_to_loopback_is_refused_at_delivery(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner, admin = await _partner_admin(factory)
    port = receiver.url.split(":")[2].split("/")[0]
    # Registered as a public-looking name; DNS now answers this machine (rebinding).
    await register_endpoint(client, admin, f"https://hooks.partner.example:{port}/hooks")
    calls: list[str] = []
    error = await _deliver_in_production(factory, partner, _resolver("127.0.0.1", calls=calls))
    assert error == "RefusedAddress: hooks.partner.example resolves to 127.0.0.1"
    assert calls == ["hooks.partner.example"]
    assert receiver.requests == []


async def test_one_internal_answer_among_public_ones_is_refused(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner, admin = await _partner_admin(factory)
    await register_endpoint(client, admin, "https://hooks.partner.example/hooks")
    error = await _deliver_in_production(factory, partner, _resolver("93.184.215.14", "10.0.0.7"))
    assert error == "RefusedAddress: hooks.partner.example resolves to 10.0.0.7"


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("localhost", "localhost is not a public host name"),
        ("127.0.0.1", "127.0.0.1 is not a public address"),
    ],
)
async def test_a_local_url_stored_in_development_is_refused_by_a_production_worker(
    client: AsyncClient, factory: Factory, receiver: Receiver, host: str, error: str
) -> None:
    partner, admin = await _partner_admin(factory)
    await register_endpoint(client, admin, receiver.url.replace("127.0.0.1", host))
    assert await _deliver_in_production(factory, partner) == f"RefusedAddress: {error}"
    assert receiver.requests == []


async def test_the_request_goes_to_the_checked_address_under_the_registered_name() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport = PublicOnlyTransport(httpx.MockTransport(record), _resolver("93.184.215.14"))
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.post("https://Hooks.Partner.Example./hooks?x=1", content=b"{}")
    assert response.status_code == 204
    [sent] = seen
    assert (sent.url.host, sent.url.path, sent.url.query) == ("93.184.215.14", "/hooks", b"x=1")
    assert sent.headers["host"] == "hooks.partner.example."  # as registered
    assert sent.extensions["sni_hostname"] == "hooks.partner.example"
    assert sent.content == b"{}"
    with pytest.raises(RefusedAddress):
        await httpx.AsyncClient(transport=transport).post("https://2130706433/hooks")
    assert len(seen) == 1

    v6 = PublicOnlyTransport(httpx.MockTransport(record), _resolver("2606:4700::1111"))
    async with httpx.AsyncClient(transport=v6) as http:
        await http.post("https://hooks.partner.example:8443/hooks")
    assert (seen[-1].url.host, seen[-1].url.port) == ("2606:4700::1111", 8443)
    assert seen[-1].headers["host"] == "hooks.partner.example:8443"


async def test_a_redirect_is_a_failed_delivery_and_is_not_followed(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> None:
    with Receiver() as target, Receiver(302, location=target.url) as redirecting:
        partner, admin = await _partner_admin(factory)
        await register_endpoint(client, admin, redirecting.url)
        async with factory.app.state.sessionmaker() as session, session.begin():
            await emit(session, "grant.expired", partner.id, {"grant_id": "grt_x"})
        async with http_client(app.state.settings) as http:
            run = await run_once(app.state.sessionmaker, app.state.settings, http)
        assert run.deliveries == {"retrying": 1}
        assert len(redirecting.requests) == 1
        assert target.requests == []
    [row] = await deliveries(factory.app)
    [attempt] = await attempts(factory.app, row.id)
    assert (attempt.status_code, attempt.outcome) == (302, "retrying")
