"""The worker's outbound connections in production: to the public address it checked, only.

A name is resolved once, at delivery time; every address it resolves to must be public
(``webhooks.addresses``), and the request then goes to the first of them, so a second lookup
cannot answer differently (DNS rebinding). The URL's host stays in the ``Host`` header and is
the TLS server name (httpx's ``sni_hostname`` extension), so certificates are verified for the
name the partner registered, not for the address.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence

import httpx

from tsp_auth.webhooks.addresses import (
    IPAddress,
    host_address,
    is_public_address,
    is_public_name,
    normalise_host,
)

# host, port -> the addresses it resolves to (getaddrinfo in production; a test may pass its own).
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]


class RefusedAddress(httpx.TransportError):
    """The host is, or resolves to, an address a webhook must not reach; nothing was sent."""


async def system_resolver(host: str, port: int) -> Sequence[IPAddress]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    addresses = []
    for *_, sockaddr in infos:
        # An IPv6 answer may carry a zone ("fe80::1%eth0"): judged without it, refused anyway.
        address = host_address(str(sockaddr[0]).split("%", 1)[0])
        if address is None:
            raise RefusedAddress(f"{host} resolved to an address that cannot be judged")
        addresses.append(address)
    return addresses


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; sends each request to a checked public address of its host."""

    def __init__(self, inner: httpx.AsyncBaseTransport, resolver: Resolver = system_resolver):
        self._inner = inner
        self._resolve = resolver

    async def _address(self, host: str, port: int) -> IPAddress:
        literal = host_address(host)
        if literal is not None:
            if not is_public_address(literal):
                raise RefusedAddress(f"{host} is not a public address")
            return literal
        if not is_public_name(host):
            raise RefusedAddress(f"{host} is not a public host name")
        try:
            addresses = await self._resolve(host, port)
        except OSError as exc:
            raise RefusedAddress(f"{host} does not resolve: {exc}") from None
        refused = [a for a in addresses if not is_public_address(a)]
        if refused or not addresses:
            raise RefusedAddress(f"{host} resolves to {refused[0] if refused else 'nothing'}")
        return addresses[0]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = normalise_host(request.url.host)
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        address = await self._address(host, port)
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(address)),
            headers=request.headers,  # still names the registered host in Host
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": host},
        )
        return await self._inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self._inner.aclose()
