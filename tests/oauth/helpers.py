"""A partner app, its link, the seller's consent and the token requests, as a client would
make them: every step goes through HTTP."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update

from tests.consent.helpers import decision, pick
from tests.factories import Factory
from tsp_auth.models import (
    Account,
    AuthorizationCode,
    Client,
    Partner,
    RefreshToken,
    Seller,
    Service,
    TokenFamily,
)

REDIRECT = "https://app.example.com/callback"
SCOPES = ("partner.affiliate.read", "partner.creator.read")


@dataclass
class App:
    partner: Partner
    service: Service
    client: Client
    secret: str | None
    seller: Seller
    main: Account
    seller_headers: dict[str, str]

    @property
    def client_id(self) -> str:
        return self.client.id

    def auth(self) -> dict[str, str]:
        """client_secret_basic for a confidential client; nothing for a public one."""
        if self.secret is None:
            return {}
        raw = f"{self.client.id}:{self.secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def form_auth(self) -> dict[str, str]:
        """What the body carries: client_id for a public client (``none``)."""
        return {"client_id": self.client.id} if self.secret is None else {}


async def partner_app(
    factory: Factory,
    *,
    client_type: str = "confidential",
    status: str = "live",
    redirect_uris: tuple[str, ...] = (REDIRECT,),
    scopes: tuple[str, ...] = SCOPES,
    allowed_origins: tuple[str, ...] = (),
) -> App:
    partner = await factory.partner()
    service = await factory.service(partner)
    client, secret = await factory.oauth_client(
        partner,
        service=service,
        client_type=client_type,
        redirect_uris=redirect_uris,
        scopes=scopes,
        status=status,
        allowed_origins=allowed_origins,
    )
    seller, main = await factory.seller()
    return App(partner, service, client, secret, seller, main, await factory.headers(main))


def pkce_pair() -> tuple[str, str]:
    """An RFC 7636 verifier and its S256 challenge, computed here, not by the code under test."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_params(app: App, challenge: str | None, **overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "service_id": app.service.id,
        "client_id": app.client.id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256" if challenge else None,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def open_app_link(
    http: AsyncClient, app: App, challenge: str | None, **overrides: Any
) -> str:
    response = await http.get("/open/authorize", params=link_params(app, challenge, **overrides))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/consent/azr_"), location
    return location.removeprefix("/consent/")


async def accept(http: AsyncClient, app: App, request_id: str) -> str:
    response = await http.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(app.service)),
        headers=app.seller_headers,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["redirect_to"])


async def obtain_code(
    http: AsyncClient, app: App, *, pkce: bool = True, **overrides: Any
) -> tuple[str, str | None]:
    """Link, consent, redirect: the code and the PKCE verifier that goes with it."""
    verifier, challenge = pkce_pair() if pkce else (None, None)
    request_id = await open_app_link(http, app, challenge, **overrides)
    answer = query_of(await accept(http, app, request_id))
    return answer["code"], verifier


async def token_request(
    http: AsyncClient, app: App, headers: dict[str, str] | None = None, **form: str | None
) -> Response:
    body = {**app.form_auth(), **{k: v for k, v in form.items() if v is not None}}
    return await http.post(
        "/oauth/token", data=body, headers=app.auth() if headers is None else headers
    )


async def redeem(http: AsyncClient, app: App, code: str, verifier: str | None) -> Response:
    return await token_request(
        http,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )


async def tokens(http: AsyncClient, app: App) -> dict[str, Any]:
    code, verifier = await obtain_code(http, app)
    response = await redeem(http, app, code, verifier)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def introspect(http: AsyncClient, app: App, token: str, **form: str) -> dict[str, Any]:
    response = await http.post(
        "/oauth/introspect", data={"token": token, **form}, headers=app.auth()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class Counts:
    refresh_tokens: int
    used_codes: int
    revoked_families: int


async def counts(app: FastAPI) -> Counts:
    """What a refused request must leave as it was."""
    async with app.state.sessionmaker() as session:
        refresh = await session.scalar(select(func.count()).select_from(RefreshToken))
        used = await session.scalar(
            select(func.count())
            .select_from(AuthorizationCode)
            .where(AuthorizationCode.used_at.is_not(None))
        )
        revoked = await session.scalar(
            select(func.count()).select_from(TokenFamily).where(TokenFamily.revoked_at.is_not(None))
        )
        return Counts(int(refresh or 0), int(used or 0), int(revoked or 0))


async def only_code(app: FastAPI) -> AuthorizationCode:
    async with app.state.sessionmaker() as session:
        (row,) = (await session.scalars(select(AuthorizationCode))).all()
        return row


async def families(app: FastAPI) -> list[TokenFamily]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(TokenFamily))).all())


async def set_code(app: FastAPI, **values: Any) -> None:
    async with app.state.sessionmaker() as session:
        await session.execute(update(AuthorizationCode).values(**values))
        await session.commit()
