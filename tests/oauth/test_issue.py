"""``grant_types.GRANT_TYPES``: the token endpoint's grants, each opening what it needs.

``client_credentials`` runs outside any unit of work; the other grants in one of their own,
which commits what they wrote (also the revocation of a refused replay) and rolls back any
other refusal. Clients are authenticated as the route authenticates them; codes are obtained
through HTTP; what was kept is read back through HTTP and the database.
"""

from __future__ import annotations

import base64

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    App,
    counts,
    introspect,
    obtain_code,
    only_code,
    partner_app,
)
from tsp_auth.clock import now
from tsp_auth.models import AuditEvent, TokenFamily
from tsp_auth.oauth.client_authentication import (
    AuthenticatedClient,
    authenticate_client,
    presented_credentials,
)
from tsp_auth.oauth.errors import InvalidGrant, TokenReuse
from tsp_auth.oauth.grant_types import Issuing, grant_handler
from tsp_auth.oauth.schemas import TokenForm, TokenResponse


async def _client(app: FastAPI, client_id: str, secret: str | None) -> AuthenticatedClient:
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    presented = presented_credentials(basic, None, None)
    return await authenticate_client(app.state.sessionmaker, presented, allow_public=True)


async def _issue(app: FastAPI, client: AuthenticatedClient, **form: str) -> TokenResponse:
    state = app.state
    token_form = TokenForm.model_validate(form)
    issuing = Issuing(state.sessionmaker, state.keyring, state.settings, now())
    return await grant_handler(token_form.grant_type)(issuing, client, token_form)


async def _coded(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> tuple[App, AuthenticatedClient, dict[str, str]]:
    """A partner app, authenticated as the route would, and the form exchanging its code."""
    partner = await partner_app(factory)
    code, verifier = await obtain_code(client, partner)
    authenticated = await _client(app, partner.client_id, partner.secret)
    return (
        partner,
        authenticated,
        {"code": code, "redirect_uri": REDIRECT, "code_verifier": verifier or ""},
    )


async def _events(app: FastAPI, action: str) -> list[AuditEvent]:
    async with app.state.sessionmaker() as session:
        found = await session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return list(found)


async def test_client_credentials_answer_as_the_route_does(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> None:
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect", "tsp.decisions"]
    )
    authenticated = await _client(app, first_party.id, secret)
    routed = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "tsp.introspect"},
        auth=(first_party.id, secret or ""),
    )

    issued = await _issue(
        app, authenticated, grant_type="client_credentials", scope="tsp.introspect"
    )

    body = issued.model_dump(exclude_none=True)
    assert set(body) == set(routed.json()) == {"access_token", "token_type", "expires_in", "scope"}
    assert {k: v for k, v in body.items() if k != "access_token"} == {
        k: v for k, v in routed.json().items() if k != "access_token"
    }
    claims = jwt.decode(issued.access_token, options={"verify_signature": False})
    assert jwt.get_unverified_header(issued.access_token)["typ"] == "at+jwt"
    (event,) = [e for e in await _events(app, "token.issued") if e.detail["jti"] == claims["jti"]]
    assert (event.actor_id, event.actor_type, event.outcome) == (
        first_party.id,
        "client",
        "success",
    )
    assert event.detail == {"grant_type": "client_credentials", "jti": claims["jti"]}
    # Active, and revocable, as a token from the route is.
    auth = (first_party.id, secret or "")
    lookup = {"token": issued.access_token}
    active = await client.post("/oauth/introspect", data=lookup, auth=auth)
    assert active.json()["active"] is True
    assert (await client.post("/oauth/revoke", data=lookup, auth=auth)).status_code == 200
    revoked = await client.post("/oauth/introspect", data=lookup, auth=auth)
    assert revoked.json() == {"active": False}


async def test_a_code_exchanged_through_issue_is_committed(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> None:
    partner, authenticated, exchange = await _coded(app, client, factory)

    issued = await _issue(app, authenticated, grant_type="authorization_code", **exchange)

    assert (await only_code(app)).used_at is not None
    assert (await introspect(client, partner, issued.access_token))["active"] is True
    assert issued.refresh_token is not None
    refreshed = await _issue(
        app, authenticated, grant_type="refresh_token", refresh_token=issued.refresh_token
    )
    assert (await introspect(client, partner, refreshed.access_token))["active"] is True
    assert len(await _events(app, "token.issued")) == 2


async def test_a_replayed_code_is_refused_after_its_revocation_is_committed(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> None:
    partner, authenticated, exchange = await _coded(app, client, factory)
    first = await _issue(app, authenticated, grant_type="authorization_code", **exchange)

    with pytest.raises(TokenReuse) as refused:
        await _issue(app, authenticated, grant_type="authorization_code", **exchange)

    assert (refused.value.status_code, refused.value.error) == (400, "invalid_grant")
    async with app.state.sessionmaker() as session:
        (family,) = (await session.scalars(select(TokenFamily))).all()
    assert (family.revoked_at is not None, family.revoked_reason) == (True, "code.replayed")
    assert len(await _events(app, "code.replayed")) == 1
    assert (await introspect(client, partner, first.access_token)) == {"active": False}


async def test_a_refused_exchange_is_rolled_back(
    app: FastAPI, client: AsyncClient, factory: Factory
) -> None:
    _, authenticated, exchange = await _coded(app, client, factory)
    before = await counts(app)
    wrong = {**exchange, "redirect_uri": REDIRECT + "/other"}

    with pytest.raises(InvalidGrant, match="redirect_uri"):
        await _issue(app, authenticated, grant_type="authorization_code", **wrong)

    assert await counts(app) == before
    assert (await only_code(app)).used_at is None
    assert await _events(app, "token.issued") == []
