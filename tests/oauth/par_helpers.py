"""Pushing an authorization request (RFC 9126) and following its request_uri, over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from tests.oauth.helpers import App, link_params
from tsp_auth.models import AuthorizationRequest, PushedAuthorizationRequest


async def push(
    http: AsyncClient,
    app: App,
    challenge: str | None,
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> Response:
    params = link_params(app, challenge, **overrides)
    params.pop("service_id", None)
    body = {**params, **app.form_auth()}
    sent = app.auth() if headers is None else headers
    return await http.post("/oauth/par", data=body, headers=sent)


async def pushed_uri(http: AsyncClient, app: App, challenge: str | None, **overrides: Any) -> str:
    response = await push(http, app, challenge, **overrides)
    assert response.status_code == 201, response.text
    return str(response.json()["request_uri"])


async def follow(http: AsyncClient, client_id: str, request_uri: str) -> Response:
    return await http.get(
        "/open/authorize", params={"client_id": client_id, "request_uri": request_uri}
    )


async def pushed_rows(app: FastAPI) -> list[PushedAuthorizationRequest]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(PushedAuthorizationRequest))).all())


async def stored_requests(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(AuthorizationRequest))
        return int(count or 0)
