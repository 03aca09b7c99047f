"""A private_key_jwt client's jwks_uri: fetched, cached, refetched for an unknown kid, and in
production only through the SSRF-safe egress (issue 23)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.factories import Factory
from tests.oauth.jose_helpers import ClientKey, assertion_form
from tests.oauth.test_private_key_jwt import keyed_app
from tsp_auth.config import Settings


class KeyServer:
    """A real HTTP server on the loopback interface serving a JWK Set, counting fetches."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps(owner.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                del args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    served = KeyServer()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


async def test_keys_are_fetched_once_and_refetched_for_a_new_kid(
    client: AsyncClient, factory: Factory, key_server: KeyServer
) -> None:
    first, second = ClientKey.generate(), ClientKey.generate("PS256")
    key_server.document = first.jwks()
    app = await keyed_app(factory, first, jwks=None, jwks_uri=key_server.url)
    for _ in range(2):
        answer = await client.post(
            "/oauth/introspect", data={"token": "x", **assertion_form(first, app.client_id)}
        )
        assert answer.status_code == 200, answer.text
    assert key_server.fetches == 1  # cached
    # The client rotates: a kid we have not seen makes us fetch again.
    key_server.document = second.jwks()
    rotated = await client.post(
        "/oauth/introspect", data={"token": "x", **assertion_form(second, app.client_id)}
    )
    assert rotated.status_code == 200, rotated.text
    assert key_server.fetches == 2


async def test_production_never_fetches_from_a_private_address(
    settings: Settings,
    engine: AsyncEngine,
    connection: AsyncConnection,
    factory: Factory,
    key_server: KeyServer,
) -> None:
    key = ClientKey.generate()
    key_server.document = key.jwks()
    url = key_server.url.replace("/jwks.json", "/private.json")
    app = await keyed_app(factory, key, jwks=None, jwks_uri=url)
    production = settings.model_copy(update={"environment": "production"})
    strict: FastAPI = rollback_app(production, engine, connection)
    async with asgi_client(strict) as http:
        refused = await http.post(
            "/oauth/introspect", data={"token": "x", **assertion_form(key, app.client_id)}
        )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert key_server.fetches == 0
