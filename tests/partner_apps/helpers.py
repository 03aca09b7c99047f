"""A TAP partner, its accounts and apps, and the partner authorization flow over HTTP."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from tests.factories import Factory
from tests.oauth.helpers import pkce_pair, query_of
from tsp_auth.models import AuthorizationCode, AuthorizationRequest, Client, Grant, Partner

REDIRECT = "https://app.example.com/callback"
SCOPES = ("partner.affiliate.read", "partner.creator.read")


@dataclass
class Org:
    """A partner with an admin's and a member's identity headers."""

    partner: Partner
    admin: dict[str, str]
    member: dict[str, str]
    admin_id: str


async def org(factory: Factory, *, tap: bool = True, region: str = "ROW") -> Org:
    categories = ("seller_service", "tap") if tap else ("seller_service",)
    partner = await factory.partner(region=region, categories=categories)
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    member = await factory.account("partner", "member", partner_id=partner.id)
    return Org(partner, await factory.headers(admin), await factory.headers(member), admin.id)


@dataclass
class PartnerApp:
    client: Client
    secret: str

    def auth(self) -> dict[str, str]:
        raw = f"{self.client.id}:{self.secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def partner_app(factory: Factory, owner: Org, *, status: str = "live") -> PartnerApp:
    """An app registered without a service: it gets its own ``app_…`` service id."""
    client, secret = await factory.oauth_client(
        owner.partner, redirect_uris=(REDIRECT,), scopes=SCOPES, status=status
    )
    assert client.service_id is not None and client.service_id.startswith("app_")
    assert secret is not None
    return PartnerApp(client, secret)


def link_params(app: PartnerApp, challenge: str, **overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "service_id": app.client.service_id,
        "client_id": app.client.id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "app-state-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


async def open_link(http: AsyncClient, app: PartnerApp, **overrides: str | None) -> tuple[str, str]:
    """Follow the app's link: the stored request's id and the PKCE verifier."""
    verifier, challenge = pkce_pair()
    response = await http.get("/open/authorize", params=link_params(app, challenge, **overrides))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/consent/azr_"), location
    return location.removeprefix("/consent/"), verifier


async def accept(
    http: AsyncClient, request_id: str, headers: dict[str, str], **body: Any
) -> Response:
    return await http.post(
        f"/v1/app-authorization-requests/{request_id}/accept",
        json={"category": "tap", **body},
        headers=headers,
    )


async def authorize(http: AsyncClient, app: PartnerApp, grantor: Org) -> tuple[str, str, str]:
    """Link → consent → redirect: (grant id, code, verifier)."""
    request_id, verifier = await open_link(http, app)
    response = await accept(http, request_id, grantor.admin)
    assert response.status_code == 200, response.text
    answer = query_of(response.json()["redirect_to"])
    return response.json()["grant_id"], answer["code"], verifier


async def redeem(http: AsyncClient, app: PartnerApp, code: str, verifier: str) -> Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    return await http.post("/oauth/token", data=form, headers=app.auth())


async def refresh(http: AsyncClient, app: PartnerApp, token: str) -> Response:
    form = {"grant_type": "refresh_token", "refresh_token": token}
    return await http.post("/oauth/token", data=form, headers=app.auth())


async def introspect(http: AsyncClient, app: PartnerApp, token: str) -> dict[str, Any]:
    response = await http.post("/oauth/introspect", data={"token": token}, headers=app.auth())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def tokens(http: AsyncClient, app: PartnerApp, grantor: Org) -> tuple[str, dict[str, Any]]:
    grant_id, code, verifier = await authorize(http, app, grantor)
    response = await redeem(http, app, code, verifier)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return grant_id, body


@dataclass(frozen=True)
class Written:
    grants: int
    codes: int
    pending: int


async def written(app: FastAPI) -> Written:
    """What a refused decision must leave as it was."""
    async with app.state.sessionmaker() as session:
        grants = await session.scalar(select(func.count()).select_from(Grant))
        codes = await session.scalar(select(func.count()).select_from(AuthorizationCode))
        pending = await session.scalar(
            select(func.count())
            .select_from(AuthorizationRequest)
            .where(AuthorizationRequest.status == "pending")
        )
        return Written(int(grants or 0), int(codes or 0), int(pending or 0))
