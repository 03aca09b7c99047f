"""PKCE (RFC 7636) as RFC 9700 §2.1.1 and §4.8 require it of an authorization server:
S256 only, mandatory for public clients, the verifier checked, and no downgrade."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    link_params,
    obtain_code,
    only_code,
    partner_app,
    pkce_pair,
    query_of,
    redeem,
)


async def _authorize_error(client: AsyncClient, params: dict[str, str]) -> dict[str, str]:
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(REDIRECT + "?")
    return query_of(response.headers["location"])


async def test_a_public_client_without_code_challenge_is_refused_rfc9700_2_1_1(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    answer = await _authorize_error(client, link_params(app, None))
    assert answer["error"] == "invalid_request"
    assert "code" not in answer
    # And a public client cannot redeem anything without a verifier either.
    code, _ = await obtain_code(client, app)
    response = await redeem(client, app, code, None)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_the_plain_challenge_method_is_refused_rfc9700_2_1_1(
    client: AsyncClient, factory: Factory
) -> None:
    """`plain` sends the verifier itself through the browser; a missing method means `plain`
    (RFC 7636 §4.3). Only S256 is offered in the metadata and accepted."""
    app = await partner_app(factory, client_type="public")
    verifier, _ = pkce_pair()
    for method in ("plain", None, "s256", "S512"):
        params = link_params(app, verifier)
        params.pop("code_challenge_method")
        if method is not None:
            params["code_challenge_method"] = method
        assert (await _authorize_error(client, params))["error"] == "invalid_request", method
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["code_challenge_methods_supported"] == ["S256"]


async def test_the_code_verifier_must_match_the_challenge_rfc7636_4_6(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    code, verifier = await obtain_code(client, app)
    assert verifier is not None
    other_verifier, other_challenge = pkce_pair()
    # The last character changed, always to another one (a fixed "A" was the same 1 in 64).
    last_changed = verifier[:-1] + ("B" if verifier.endswith("A") else "A")
    for wrong in (other_verifier, other_challenge, last_changed, verifier + "A", None):
        response = await redeem(client, app, code, wrong)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None  # refusals do not burn the code
    assert (await redeem(client, app, code, verifier)).status_code == 200


async def test_a_verifier_without_a_challenge_is_a_refused_downgrade_rfc9700_4_8(
    client: AsyncClient, factory: Factory
) -> None:
    """An attacker who injects a code obtained without PKCE must not pass by sending some
    verifier: the server remembers there was no challenge and refuses any verifier."""
    app = await partner_app(factory)
    code, _ = await obtain_code(client, app, pkce=False)
    verifier, _ = pkce_pair()
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
