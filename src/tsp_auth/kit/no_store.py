"""Routes whose every answer, errors included, is marked not cacheable.

The OAuth endpoints (``oauth.router``) and client registration (``clients.router``), which
answer with tokens or client secrets, use these. It sits below both packages.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

# RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every answer carrying
# tokens or credentials; we put them on errors too, so nothing from these routes is cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_NO_STORE_RAW = [(name.lower().encode(), value.encode()) for name, value in NO_STORE.items()]
_NO_STORE_NAMES = frozenset(name for name, _ in _NO_STORE_RAW)


def no_store_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The raw headers of an answer with ours set (replacing any the answer had)."""
    return [item for item in headers if item[0] not in _NO_STORE_NAMES] + _NO_STORE_RAW


def _no_store(send: Send) -> Send:
    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = no_store_headers(list(message.get("headers", ())))
        await send(message)

    return send_no_store


class NoStoreRoute(APIRoute):
    """A route whose every response, success or error, is marked not cacheable.

    The headers are added to what the route sends, so they also reach errors rendered by the
    app's handlers (validation, database outage) and a failed commit.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, _no_store(send))
