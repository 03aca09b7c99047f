"""Routes whose every answer, errors included, is marked not cacheable.

The OAuth endpoints (``oauth.router``) and client registration (``clients.router``), which
answer with tokens or client secrets, use ``NoStoreRoute``. It sits below both packages.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

# RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every answer carrying
# tokens or credentials; we put them on errors too, so nothing from these routes is cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _no_store(send: Send) -> Send:
    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in NO_STORE.items():
                headers[name] = value
        await send(message)

    return send_no_store


class NoStoreRoute(APIRoute):
    """A route whose every response, success or error, is marked not cacheable.

    The headers are added to what the route sends, so they also reach errors rendered by the
    app's handlers (validation, database outage) and a failed commit.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, _no_store(send))
