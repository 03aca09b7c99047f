"""A private_key_jwt client's public keys: its registered ``jwks``, or its ``jwks_uri``
fetched through the webhooks' SSRF-safe egress (``webhooks.delivery.http_client``: in
production only to checked public addresses, never following redirects).

A fetched set is kept in this process for ``JWKS_URI_CACHE``; a ``kid`` it lacks triggers one
refetch, at most every ``REFETCH_INTERVAL`` per URI, so a client can rotate keys without
waiting and nobody can make us fetch in a loop (OIDC Core §10.1.1).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import httpx

from tsp_auth.config import Settings
from tsp_auth.webhooks.delivery import http_client

JWKS_URI_CACHE = 300.0  # seconds
REFETCH_INTERVAL = 10.0  # seconds
MAX_JWKS_BYTES = 64 * 1024
_MAX_CACHED = 1024
# jwks_uri -> (fetched at, monotonic; the JWK Set). Per process, like the key ring's cache.
_fetched: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
# jwks_uri -> when an unknown kid last made us fetch it (monotonic).
_refreshed: dict[str, float] = {}


class UnusableKeys(Exception):
    """The client's key set could not be fetched or is not a JWK Set."""


async def client_key_set(
    settings: Settings,
    jwks: Mapping[str, Any] | None,
    jwks_uri: str | None,
    *,
    refresh: bool = False,
) -> dict[str, Any]:
    """The JWK Set to verify the client's JWS with; ``refresh``: the cached one lacked the key."""
    if jwks is not None:
        return dict(jwks)
    if jwks_uri is None:
        raise UnusableKeys("the client registered no keys")
    cached, at = _fetched.get(jwks_uri), time.monotonic()
    if refresh and at - _refreshed.get(jwks_uri, -REFETCH_INTERVAL) >= REFETCH_INTERVAL:
        _refreshed[jwks_uri] = at
    elif cached is not None and at - cached[0] < JWKS_URI_CACHE:
        return cached[1]
    document = await _fetch(settings, jwks_uri)
    _fetched[jwks_uri] = (time.monotonic(), document)
    _fetched.move_to_end(jwks_uri)
    while len(_fetched) > _MAX_CACHED:
        forgotten, _ = _fetched.popitem(last=False)
        _refreshed.pop(forgotten, None)
    return document


async def _fetch(settings: Settings, jwks_uri: str) -> dict[str, Any]:
    try:
        async with http_client(settings) as http:
            response = await http.get(jwks_uri, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise UnusableKeys(f"jwks_uri not reachable: {type(exc).__name__}") from None
    if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
        raise UnusableKeys(f"jwks_uri answered {response.status_code}")
    try:
        document = json.loads(response.content)
    except ValueError:
        raise UnusableKeys("jwks_uri answered no JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise UnusableKeys("jwks_uri answered no JWK Set")
    return document
