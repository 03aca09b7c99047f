"""CORS for browser-based public clients: preflights, token and revocation answers, discovery.

A browser reads a cross-origin answer only if it names the page's origin in
``Access-Control-Allow-Origin``; "refused" below means that header (and every other
``Access-Control-*`` one) is absent, which is what makes the browser refuse.
"""

from __future__ import annotations

import pytest
from httpx import AsyncClient, Response

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, App, counts, obtain_code, partner_app, redeem
from tsp_auth.oauth.metadata import JWKS_PATH, METADATA_PATH, REVOKE_PATH, TOKEN_PATH

SPA = "https://spa.example.com"
OTHER_SPA = "https://other-spa.example.com"
EVIL = "https://evil.example.net"
PATHS = [(TOKEN_PATH, "POST"), (REVOKE_PATH, "POST"), (METADATA_PATH, "GET"), (JWKS_PATH, "GET")]


def cors_headers(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def varies_on_origin(response: Response) -> bool:
    return "origin" in [v.strip().lower() for v in response.headers.get("vary", "").split(",")]


async def public_spa(factory: Factory, *origins: str) -> App:
    return await partner_app(factory, client_type="public", allowed_origins=origins or (SPA,))


async def preflight(client: AsyncClient, path: str, origin: str, method: str = "POST") -> Response:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    return await client.options(path, headers=headers)


async def browser_redeem(client: AsyncClient, app: App, origin: str, **form: str) -> Response:
    code, verifier = await obtain_code(client, app)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier or "",
        "client_id": app.client_id,
        **form,
    }
    return await client.post(TOKEN_PATH, data=body, headers={"Origin": origin})


@pytest.mark.parametrize(("path", "method"), PATHS)
async def test_a_preflight_from_an_allowed_origin_is_answered(
    client: AsyncClient, factory: Factory, path: str, method: str
) -> None:
    await public_spa(factory)
    response = await preflight(client, path, SPA, method)
    assert response.status_code == 204, response.text
    assert cors_headers(response) == {
        "access-control-allow-origin": SPA,
        "access-control-allow-methods": method,
        "access-control-allow-headers": "Content-Type, DPoP, X-Request-Id",
        "access-control-max-age": "600",
    }
    assert varies_on_origin(response)


@pytest.mark.parametrize(("path", "method"), PATHS)
@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "https://spa.example.com:8443",  # another port is another origin
        "http://spa.example.com",  # another scheme
        "https://SPA.example.com",  # browsers send lower case: not what was registered
        "https://spa.example.com/",
        "null",  # sandboxed frames, file: pages
        "*",
    ],
)
async def test_a_preflight_from_another_origin_gets_no_cors_headers(
    client: AsyncClient, factory: Factory, path: str, method: str, origin: str
) -> None:
    await public_spa(factory)
    response = await preflight(client, path, origin, method)
    assert (response.status_code, response.json()["error"]) == (403, "origin_not_allowed")
    assert cors_headers(response) == {}
    assert varies_on_origin(response)


async def test_origins_of_confidential_or_disabled_clients_open_no_preflight(
    client: AsyncClient, factory: Factory
) -> None:
    # Written past the API (which refuses origins on confidential clients): stored lists of
    # anything but an enabled public client are ignored.
    await partner_app(factory, allowed_origins=(SPA,))
    await partner_app(factory, client_type="public", status="disabled", allowed_origins=(SPA,))
    response = await preflight(client, TOKEN_PATH, SPA)
    assert response.status_code == 403 and cors_headers(response) == {}


async def test_a_plain_options_request_lists_the_methods_instead_of_405(
    client: AsyncClient, factory: Factory
) -> None:
    await public_spa(factory)
    response = await client.options(TOKEN_PATH)
    assert response.status_code == 204
    assert response.headers["allow"] == "POST, OPTIONS"
    assert cors_headers(response) == {}


async def test_the_token_answer_is_readable_by_the_clients_origin(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory, OTHER_SPA, SPA)
    response = await browser_redeem(client, app, SPA)
    assert response.status_code == 200, response.text
    assert "access_token" in response.json()
    assert cors_headers(response) == {
        "access-control-allow-origin": SPA,
        "access-control-expose-headers": "DPoP-Nonce, Retry-After, X-Request-Id",
    }
    assert varies_on_origin(response)
    assert response.headers["cache-control"] == "no-store"  # still never cached


async def test_a_token_error_is_readable_by_the_clients_origin(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory)
    before = await counts(factory.app)
    response = await browser_redeem(client, app, SPA, code_verifier="x" * 43)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert response.headers["access-control-allow-origin"] == SPA
    assert await counts(factory.app) == before  # the refusal wrote nothing


async def test_the_token_answer_is_not_readable_by_an_origin_the_client_does_not_list(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory)
    await public_spa(factory, OTHER_SPA)  # allowed for preflights, but not this client's
    for origin in (OTHER_SPA, EVIL):
        response = await browser_redeem(client, app, origin)
        # CORS is enforced by the browser: the server answers, the page cannot read it.
        assert response.status_code == 200, response.text
        assert cors_headers(response) == {}
        assert varies_on_origin(response)


async def test_a_request_without_origin_carries_no_cors_headers(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory)
    code, verifier = await obtain_code(client, app)
    response = await redeem(client, app, code, verifier)
    assert response.status_code == 200, response.text
    assert cors_headers(response) == {}
    assert varies_on_origin(response)


async def test_confidential_clients_are_unaffected(client: AsyncClient, factory: Factory) -> None:
    await public_spa(factory)  # SPA is an allowed origin for preflights
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    response = await client.post(
        TOKEN_PATH,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier or "",
        },
        headers={**app.auth(), "Origin": SPA},
    )
    assert response.status_code == 200, response.text
    assert cors_headers(response) == {}


async def test_revocation_is_readable_by_the_clients_origin_only(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory)
    issued = (await browser_redeem(client, app, SPA)).json()
    for origin, readable in ((EVIL, False), (SPA, True)):
        response = await client.post(
            REVOKE_PATH,
            data={"token": issued["refresh_token"], "client_id": app.client_id},
            headers={"Origin": origin},
        )
        assert response.status_code == 200
        assert ("access-control-allow-origin" in response.headers) is readable
        assert varies_on_origin(response)


async def test_introspection_is_never_readable_by_a_browser(
    client: AsyncClient, factory: Factory
) -> None:
    await public_spa(factory)
    app = await partner_app(factory)
    response = await client.post(
        "/oauth/introspect", data={"token": "x"}, headers={**app.auth(), "Origin": SPA}
    )
    assert response.status_code == 200
    assert cors_headers(response) == {}


@pytest.mark.parametrize("path", [METADATA_PATH, JWKS_PATH])
async def test_discovery_is_readable_by_allowed_origins_only(
    client: AsyncClient, factory: Factory, path: str
) -> None:
    await public_spa(factory)
    allowed = await client.get(path, headers={"Origin": SPA})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == SPA
    assert varies_on_origin(allowed)  # it is publicly cacheable: the cache must key on Origin
    for headers in ({"Origin": EVIL}, {}):
        other = await client.get(path, headers=headers)
        assert other.status_code == 200
        assert cors_headers(other) == {}
        assert varies_on_origin(other)


async def test_a_removed_origin_is_refused_on_the_next_request(
    client: AsyncClient, factory: Factory
) -> None:
    app = await public_spa(factory)
    partner_admin = await factory.account("partner", "admin", partner_id=app.partner.id)
    changed = await client.patch(
        f"/v1/clients/{app.client_id}",
        json={"allowed_origins": [OTHER_SPA]},
        headers=await factory.headers(partner_admin),
    )
    assert changed.status_code == 200, changed.text
    assert (await preflight(client, TOKEN_PATH, SPA)).status_code == 403
    response = await browser_redeem(client, app, SPA)
    assert cors_headers(response) == {}
    assert (await preflight(client, TOKEN_PATH, OTHER_SPA)).status_code == 204
