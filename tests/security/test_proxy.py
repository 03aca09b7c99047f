"""Behind a TLS-terminating reverse proxy on another address (issue 13, docs/security.md).

The browser talks https to ``auth.example.com``; the proxy at 10.0.0.9 talks plain http to
the service at 10.0.0.5:8000 without passing the Host on, and says what it saw in
X-Forwarded-Proto/-For. The app runs inside the middleware stack uvicorn builds from our
settings (``tsp_auth.server.server_config``), so ``TSP_AUTH_FORWARDED_ALLOW_IPS`` is what
decides whether those headers are believed. Forms must pass when the Origin is the issuer's
and be refused, writing nothing, when it is not; cookies are Secure because the issuer is https.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.business_centers.helpers import count, make_world, request_access, token_of
from tests.conftest import rollback_app
from tests.consent.helpers import open_link, snapshot
from tests.consent_page.helpers import csrf_of, form, open_form, service_fields, sign_in, submit
from tests.factories import Factory
from tsp_auth.config import Settings
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Grant
from tsp_auth.server import server_config
from tsp_auth.web.dev_pages import NONCE_COOKIE

ISSUER = "https://auth.example.com"
PROXY = ("10.0.0.9", 41000)
UPSTREAM = "10.0.0.5:8000"
CLIENT_IP = "203.0.113.7"


class ReverseProxy:
    """What nginx does with ``proxy_pass http://10.0.0.5:8000`` and X-Forwarded-* set."""

    def __init__(self, upstream: ASGIApp) -> None:
        self.upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            kept = [(k, v) for k, v in scope["headers"] if k != b"host"]
            forwarded = [
                (b"host", UPSTREAM.encode()),
                (b"x-forwarded-proto", b"https"),
                (b"x-forwarded-for", CLIENT_IP.encode()),
            ]
            scope = {
                **scope,
                "scheme": "http",
                "server": ("10.0.0.5", 8000),
                "client": PROXY,
                "headers": kept + forwarded,
            }
        await self.upstream(scope, receive, send)


@dataclass
class Proxied:
    app: FastAPI
    browser: AsyncClient  # the browser's view: https://auth.example.com, its cookie jar
    factory: Factory


def _behind_proxy(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    return rollback_app(settings, engine, connection)


@pytest.fixture
async def proxied(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> AsyncIterator[Proxied]:
    behind = settings.model_copy(update={"issuer": ISSUER, "forwarded_allow_ips": PROXY[0]})
    app = _behind_proxy(behind, engine, connection)
    config = server_config(app, behind, host="0.0.0.0", port=8000)  # noqa: S104 (not bound)
    config.load()  # wraps the app as uvicorn serves it (ProxyHeadersMiddleware)
    transport = ASGITransport(app=ReverseProxy(config.loaded_app), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url=ISSUER) as browser:
        yield Proxied(app, browser, Factory(app, browser))


def _cookie(response: Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers
    return found[0]


async def test_consent_post_with_the_issuer_origin_passes_behind_a_proxy(
    proxied: Proxied,
) -> None:
    factory, browser = proxied.factory, proxied.browser
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(browser, service.id, state="st-proxy")
    signed_in = await sign_in(browser, main)
    # RFC 9700 §4.1.2 / RFC 6265 §4.1.2.5: the identity cookie never travels over plain http.
    identity = _cookie(signed_in, IDENTITY_COOKIE).lower()
    assert "samesite=lax" in identity
    assert "secure" in identity and "httponly" in identity
    _, csrf = await open_form(browser, request_id)

    response = await submit(browser, request_id, form(csrf, service_fields(service)), origin=ISSUER)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "https://partner.example.com/callback?state=st-proxy"
    assert len((await snapshot(proxied.app)).grants) == 1


@pytest.mark.parametrize(
    "origin", ["https://evil.example", f"http://{UPSTREAM}", f"https://{UPSTREAM}"]
)
async def test_consent_post_from_another_origin_is_refused_behind_a_proxy(
    proxied: Proxied, origin: str
) -> None:
    factory, browser = proxied.factory, proxied.browser
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(browser, service.id)
    await sign_in(browser, main)
    _, csrf = await open_form(browser, request_id)
    before = await snapshot(proxied.app)

    response = await submit(browser, request_id, form(csrf, service_fields(service)), origin=origin)

    assert response.status_code == 403, response.text
    assert '<code id="error">origin_mismatch</code>' in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert await snapshot(proxied.app) == before


async def test_business_center_approval_with_the_issuer_origin_passes_behind_a_proxy(
    proxied: Proxied,
) -> None:
    world = await make_world(proxied.factory)
    token = token_of((await request_access(proxied.browser, world))["link"])
    await sign_in(proxied.browser, world.owner)
    page = await proxied.browser.get(f"/bc/authorize/{token}")
    assert page.status_code == 200, page.text
    body = {"csrf_token": csrf_of(page.text), "decision": "approve"}

    foreign = await proxied.browser.post(
        f"/bc/authorize/{token}", data=body, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403 and "origin_mismatch" in foreign.text
    assert await count(proxied.factory, Grant, Grant.grantor_id == world.owner.id) == 0

    done = await proxied.browser.post(
        f"/bc/authorize/{token}", data=body, headers={"origin": ISSUER}
    )
    assert done.status_code == 200, done.text
    assert 'data-status="approved"' in done.text
    assert await count(proxied.factory, Grant, Grant.grantor_id == world.owner.id) == 1


async def test_cookies_are_secure_with_an_https_issuer_even_if_the_proxy_is_not_trusted(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> None:
    """Forwarded headers from an unlisted address are ignored (the request stays http), yet
    the cookies are Secure: the issuer, not the request, says how browsers reach us."""
    untrusted = settings.model_copy(update={"issuer": ISSUER, "forwarded_allow_ips": "10.9.9.9"})
    app = _behind_proxy(untrusted, engine, connection)
    config = server_config(app, untrusted, host="0.0.0.0", port=8000)  # noqa: S104 (not bound)
    config.load()
    transport = ASGITransport(app=ReverseProxy(config.loaded_app), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url=ISSUER) as browser:
        page = await browser.get("/dev/login")
        _, main = await Factory(app, browser).seller("UK")
        signed_in = await sign_in(browser, main)
        seen_as = await browser.get("/health/")
    assert "secure" in _cookie(page, NONCE_COOKIE).lower()
    assert "secure" in _cookie(signed_in, IDENTITY_COOKIE).lower()
    # The framework's own absolute URLs show the request's scheme: X-Forwarded-Proto ignored.
    assert seen_as.headers["location"] == f"http://{UPSTREAM}/health"


async def test_a_listed_proxy_is_believed(proxied: Proxied) -> None:
    """TSP_AUTH_FORWARDED_ALLOW_IPS lists the proxy: its X-Forwarded-Proto makes the request
    https (uvicorn's forwarded_allow_ips; compare the test above)."""
    seen_as = await proxied.browser.get("/health/")
    assert seen_as.headers["location"] == f"https://{UPSTREAM}/health"


async def test_cookies_are_not_secure_with_a_loopback_http_issuer(client: AsyncClient) -> None:
    """`make run` on http://127.0.0.1: a Secure cookie would never come back over http."""
    page = await client.get("/dev/login")
    assert "secure" not in _cookie(page, NONCE_COOKIE).lower()


PRODUCTION = {
    "TSP_AUTH_ENVIRONMENT": "production",
    "TSP_AUTH_KEY_WRAPPING_KEY": "x" * 43 + "=",
    "TSP_AUTH_ID_TOKEN_SECRET": "a-long-random-secret-from-the-platform-issuer",
    "TSP_AUTH_DEV_ISSUER_ENABLED": "false",
    "TSP_AUTH_DATABASE_URL": "postgresql+asyncpg://tsp@127.0.0.1:1/tsp",
}


def _production(issuer: str) -> Settings:
    return Settings(
        **{k.removeprefix("TSP_AUTH_").lower(): v for k, v in PRODUCTION.items()}, issuer=issuer
    )


@pytest.mark.parametrize("issuer", ["http://auth.example.com", "http://10.0.0.5:8000"])
def test_production_refuses_an_http_issuer_that_is_not_loopback(issuer: str) -> None:
    with pytest.raises(ValidationError, match="TSP_AUTH_ISSUER"):
        _production(issuer)


@pytest.mark.parametrize(
    "issuer", [ISSUER, "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_production_accepts_https_and_loopback_issuers(issuer: str) -> None:
    assert _production(issuer).issuer == issuer


def test_serve_stops_with_exit_2_naming_the_issuer() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")}
    env.update(PRODUCTION, TSP_AUTH_ISSUER="http://auth.example.com")
    done = subprocess.run(
        [sys.executable, "-m", "tsp_auth", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "configuration error" in done.stderr and "TSP_AUTH_ISSUER" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("issuer", ["auth.example.com", "ftp://auth.example.com", "https://"])
def test_an_issuer_that_is_not_an_http_url_is_refused(issuer: str) -> None:
    with pytest.raises(ValidationError, match="issuer"):
        Settings(issuer=issuer)


def test_the_issuer_origin_drops_path_and_case() -> None:
    assert Settings(issuer="HTTPS://Auth.Example.com/tsp/").issuer_origin == ISSUER
