"""Direct routes (``direct_routes``): the hot routes are served before FastAPI's stack, and
answer exactly as they do through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request, Response
from httpx import ASGITransport, AsyncClient
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.factories import Factory
from tsp_auth.kit.direct_routes import DirectRoute

HOT_ROUTES = {
    ("POST", "/v1/decisions"),
    ("POST", "/v1/decisions/batch"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/introspect"),
    ("POST", "/v1/tsp-access/login"),
    ("GET", "/.well-known/jwks.json"),
}
# Headers that differ between any two answers, wherever they come from.
_PER_ANSWER = {"date"}


def _served_directly(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, DirectRoute)
        for method in route.methods
    }


def test_the_hot_routes_are_direct_routes(app: FastAPI) -> None:
    assert _served_directly(app) == HOT_ROUTES
    assert len(app.direct) == len(HOT_ROUTES)  # type: ignore[attr-defined]


def test_a_direct_route_takes_no_dependencies() -> None:
    async def needs(request: Request) -> None:
        del request

    async def endpoint(request: Request) -> Response:
        return Response()

    with pytest.raises(TypeError, match="no dependencies"):
        DirectRoute("/x", endpoint, methods=["GET"], dependencies=[Depends(needs)])


class _Recorder:
    """The app as the server calls it, keeping each request's scope once it was answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.scopes = app, []  # type: list[Scope]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        self.scopes.append(scope)


@asynccontextmanager
async def _client(app: ASGIApp) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_direct_request_never_enters_fastapis_stack(app: FastAPI) -> None:
    recorder = _Recorder(app)
    async with _client(recorder) as client:
        jwks = await client.get("/.well-known/jwks.json")
        health = await client.get("/health")
    assert (jwks.status_code, health.status_code) == (200, 200)
    direct, routed = recorder.scopes
    # Starlette's router marks every scope it routes; the direct one never reached it...
    assert "router" not in direct and "router" in routed
    # ...but went through the one request layer all the same, labelled by its route.
    assert jwks.headers["x-request-id"] and health.headers["x-request-id"]
    assert direct["route"].path == "/.well-known/jwks.json"


def _through_fastapi(app: FastAPI) -> ASGIApp:
    """The same app entered the way every other route is: FastAPI's stack and router."""

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(app, scope, receive, send)

    return call


async def _answers(app: ASGIApp, requests: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    answers = []
    async with _client(app) as client:
        for request in requests:
            response = await client.request(**request)
            headers = sorted((k, v) for k, v in response.headers.items() if k not in _PER_ANSWER)
            answers.append((response.status_code, headers, response.content))
    return answers


async def test_direct_routes_answer_as_they_do_through_fastapi(
    app: FastAPI, factory: Factory
) -> None:
    caller = await factory.headers(await factory.operator())
    same_id = {"x-request-id": "direct-route-check"}
    form = {**same_id, "content-type": "application/x-www-form-urlencoded"}
    requests: list[dict[str, Any]] = [
        {"method": "GET", "url": "/.well-known/jwks.json", "headers": same_id},
        {
            "method": "GET",
            "url": "/.well-known/jwks.json",
            "headers": {**same_id, "origin": "https://x.test"},
        },
        {"method": "POST", "url": "/v1/decisions", "content": b"{", "headers": same_id},
        {
            "method": "POST",
            "url": "/v1/decisions",
            "json": {"token": "not-a-session", "action": "seller_center.orders", "shop_id": "s"},
            "headers": same_id,
        },
        {"method": "POST", "url": "/oauth/token", "content": "grant_type=nope", "headers": form},
        {"method": "POST", "url": "/oauth/introspect", "content": "token=x", "headers": form},
        {"method": "GET", "url": "/oauth/token", "headers": same_id},
        {"method": "POST", "url": "/v1/tsp-access/login", "json": {}, "headers": same_id},
        {
            "method": "POST",
            "url": "/v1/tsp-access/login",
            "json": {"seller_id": "slr_none"},
            "headers": {**same_id, **caller},
        },
    ]
    direct = await _answers(app, requests)
    routed = await _answers(_through_fastapi(app), requests)
    assert [status for status, _, _ in direct] == [200, 200, 400, 200, 400, 401, 405, 401, 403]
    assert direct == routed
