"""The authorization code: single use, short-lived, bound to its client and redirect URI
(RFC 6749 §4.1.2, §4.1.3, §10.5, §10.6; RFC 9700 §4.5)."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    App,
    introspect,
    obtain_code,
    only_code,
    partner_app,
    redeem,
    set_code,
    token_request,
)
from tsp_auth.clock import now

SECOND = "https://app.example.com/second"


async def test_a_code_is_single_use_and_a_replay_revokes_what_it_issued_rfc6749_4_1_2(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    first = await redeem(client, app, code, verifier)
    assert first.status_code == 200
    replay = await redeem(client, app, code, verifier)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    issued = first.json()
    for token in (issued["access_token"], issued["refresh_token"]):
        assert (await introspect(client, app, token))["active"] is False


async def test_a_code_lives_at_most_60_seconds_and_an_expired_one_is_refused_rfc6749_4_1_2(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    row = await only_code(factory.app)
    assert row.expires_at - row.created_at <= timedelta(seconds=60)
    # Expired through the database, the clock of the code under test is left alone.
    await set_code(factory.app, expires_at=now() - timedelta(seconds=1))
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None


async def test_a_code_is_bound_to_the_client_it_was_issued_to_rfc6749_4_1_3(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    same_partner, secret = await factory.oauth_client(app.partner, redirect_uris=(REDIRECT,))
    other_partner = await partner_app(factory)
    public, _ = await factory.oauth_client(
        app.partner, client_type="public", redirect_uris=(REDIRECT,)
    )
    thieves = [
        App(app.partner, app.service, same_partner, secret, app.seller, app.main, {}),
        other_partner,
        App(app.partner, app.service, public, None, app.seller, app.main, {}),
    ]
    for thief in thieves:
        response = await redeem(client, thief, code, verifier)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    # Naming the right client_id without its secret is no authentication.
    anonymous = await token_request(
        client,
        app,
        headers={},
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
        client_id=app.client_id,
    )
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_client")
    assert (await only_code(factory.app)).used_at is None
    assert (await redeem(client, app, code, verifier)).status_code == 200


async def test_a_code_is_bound_to_its_redirect_uri_rfc6749_10_6(
    client: AsyncClient, factory: Factory
) -> None:
    """Both URIs are registered; the code obtained for the first is refused with the second,
    and without any (RFC 6749 §4.1.3: required when it was in the request)."""
    app = await partner_app(factory, redirect_uris=(REDIRECT, SECOND))
    code, verifier = await obtain_code(client, app)
    for redirect_uri in (SECOND, None, REDIRECT + "/"):
        response = await token_request(
            client,
            app,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=verifier,
        )
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await redeem(client, app, code, verifier)).status_code == 200
