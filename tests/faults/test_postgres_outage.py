"""PostgreSQL stopped, then back: a TCP proxy we control stands between the app and the server.

Closing the proxy refuses new connections and cuts the pooled ones, as a stopped server does;
reopening it on the same port is the server coming back.
"""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient, Response

from tests.factories import Factory
from tests.faults.conftest import MakeApp, assert_unavailable, proxied_url
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


class Calls:
    """The database-backed calls of three kinds of caller, made the same way each time."""

    def __init__(self, http: AsyncClient, client_id: str, secret: str, seller: dict[str, str]):
        self.http = http
        self.basic = (client_id, secret)
        self.seller = seller

    async def token(self) -> Response:
        form = {"grant_type": "client_credentials"}
        return await self.http.post("/oauth/token", data=form, auth=self.basic)

    async def decision(self) -> Response:
        body = {"token": "no-such-session", "action": "seller_center.orders", "shop_id": "slr_x"}
        return await self.http.post("/v1/decisions", json=body)

    async def grants(self) -> Response:
        return await self.http.get("/v1/grants", headers=self.seller)


async def _calls(make_app: MakeApp, proxy: TcpProxy) -> Calls:
    app, http = await make_app(database_url=proxied_url(proxy), database_timeout_seconds=2)
    factory = Factory(app, http)
    client, secret = await factory.oauth_client(client_type="first_party")
    assert secret is not None
    _, main = await factory.seller()
    calls = Calls(http, client.id, secret, await factory.headers(main))
    # Several pooled connections, all of which the outage will cut.
    warm = await asyncio.gather(
        *(calls.token() for _ in range(4)), calls.decision(), calls.grants()
    )
    assert [r.status_code for r in warm] == [200] * 6, [r.text for r in warm]
    return calls


async def test_outage_is_503_with_retry_after_and_the_first_request_after_it_succeeds(
    make_app: MakeApp, proxy: TcpProxy
) -> None:
    calls = await _calls(make_app, proxy)
    await proxy.close()

    for call in (calls.token, calls.decision, calls.grants, calls.token):
        assert_unavailable(await call())
    ready = await calls.http.get("/ready")
    assert_unavailable(ready)
    assert ready.json()["error"] == "not_ready"
    assert (await calls.http.get("/health")).status_code == 200

    await proxy.open()
    first = await calls.token()
    assert first.status_code == 200, first.text
    for call in (calls.decision, calls.grants):
        assert (await call()).status_code == 200
    assert (await calls.http.get("/ready")).status_code == 200


@pytest.mark.parametrize("first_call", ["token", "decision", "grants"])
async def test_after_a_blip_nobody_saw_the_pool_hands_out_no_dead_connection(
    make_app: MakeApp, proxy: TcpProxy, first_call: str
) -> None:
    """The server went away and came back between two requests: every pooled connection is
    dead, yet the first request succeeds (``db._discard_closed_connections``)."""
    calls = await _calls(make_app, proxy)
    await proxy.close()
    await proxy.open()

    first = await getattr(calls, first_call)()
    assert first.status_code == 200, first.text
    answers = await asyncio.gather(*(calls.token() for _ in range(4)))
    assert [r.status_code for r in answers] == [200] * 4
