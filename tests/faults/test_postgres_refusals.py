"""PostgreSQL refusing new connections: 503 with Retry-After on every route, never a 500.

A server that is starting up (57P03), has too many clients (53300), refuses the TCP
connection, resets it or never answers the startup is a database that is unavailable right
now: the caller may retry (RFC 9110 §15.6.4, ``Retry-After``). Checked on a route whose first
statement runs in the request's ORM session (``/dev/identity-tokens``) and on routes of direct
statements on the driver (``/v1/decisions``, ``/oauth/introspect``: db.direct).
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from httpx import AsyncClient, Response
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.faults.conftest import MakeApp, assert_unavailable
from tests.faults.refusing_server import RefusingServer, error_response

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

# A role of this engineer's own, cluster-wide: every session it opens is refused with 53300.
NO_CONNECTIONS_ROLE = "tsp_h5_no_connections"

Call = Callable[[AsyncClient], Awaitable[Response]]


async def _orm_session_route(http: AsyncClient) -> Response:
    return await http.post("/dev/identity-tokens", json={"account_id": "acc_unknown"})


async def _decision_route(http: AsyncClient) -> Response:
    body = {"token": "no-such-session", "action": "seller_center.orders", "shop_id": "slr_x"}
    return await http.post("/v1/decisions", json=body)


async def _introspection_route(http: AsyncClient) -> Response:
    form = {"token": "no-such-token"}
    return await http.post("/oauth/introspect", data=form, auth=("cli_unknown", "secret"))


ROUTES: dict[str, Call] = {
    "orm_session": _orm_session_route,
    "direct_decision": _decision_route,
    "direct_introspection": _introspection_route,
}


def _url(port: int, user: str | None = None) -> str:
    assert PG_URL is not None
    url = make_url(PG_URL).set(host="127.0.0.1", port=port)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


async def _assert_every_route_unavailable(make_app: MakeApp, database_url: str) -> None:
    _, http = await make_app(database_url=database_url, database_timeout_seconds=1)
    for name, call in ROUTES.items():
        response = await call(http)
        assert_unavailable(response)
        assert response.json()["error"] == "temporarily_unavailable", name
    ready = await http.get("/ready")
    assert_unavailable(ready)


@pytest.fixture
async def no_connections_role() -> AsyncIterator[str]:
    """A login role with CONNECTION LIMIT 0 on the real server: PostgreSQL answers 53300."""
    assert PG_URL is not None
    admin = await asyncpg.connect(
        make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await admin.execute(f"DROP ROLE IF EXISTS {NO_CONNECTIONS_ROLE}")
        await admin.execute(f"CREATE ROLE {NO_CONNECTIONS_ROLE} LOGIN CONNECTION LIMIT 0")
        yield NO_CONNECTIONS_ROLE
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {NO_CONNECTIONS_ROLE}")
        await admin.close()


async def test_too_many_clients_53300_from_the_real_server_is_503(
    make_app: MakeApp, no_connections_role: str
) -> None:
    assert PG_URL is not None
    port = make_url(PG_URL).port or 5432
    with pytest.raises(asyncpg.TooManyConnectionsError):  # the server's own answer
        await asyncpg.connect(
            make_url(_url(port, no_connections_role))
            .set(drivername="postgresql")
            .render_as_string()
        )
    await _assert_every_route_unavailable(make_app, _url(port, no_connections_role))


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [
        ("57P03", "the database system is starting up"),
        ("53300", "sorry, too many clients already"),
        ("08006", "connection failure"),
    ],
)
async def test_a_server_refusing_the_startup_is_503(
    make_app: MakeApp, sqlstate: str, message: str
) -> None:
    server = RefusingServer(error_response(sqlstate, message))
    await server.open()
    try:
        await _assert_every_route_unavailable(make_app, _url(server.port))
    finally:
        await server.close()
    assert server.startups >= len(ROUTES)  # the app did reach it, and was refused each time


@pytest.mark.parametrize("hang", [False, True], ids=["reset", "no_answer"])
async def test_a_connection_reset_or_unanswered_at_startup_is_503(
    make_app: MakeApp, hang: bool
) -> None:
    server = RefusingServer(None, hang=hang)
    await server.open()
    try:
        await _assert_every_route_unavailable(make_app, _url(server.port))
    finally:
        await server.close()
    assert server.startups >= len(ROUTES)


async def test_a_refused_tcp_connection_is_503(make_app: MakeApp) -> None:
    with socket.socket() as probe:  # a port nothing listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    await _assert_every_route_unavailable(make_app, _url(port))
