"""HTTP details every OAuth endpoint shares: no caching, form bodies only, one value each."""

from __future__ import annotations

from collections import Counter

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from tsp_auth.oauth.errors import InvalidRequest

# RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every answer carrying
# tokens or credentials; we put them on errors too, so nothing from these routes is cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM_TYPE = "application/x-www-form-urlencoded"


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


async def require_form(request: Request) -> None:
    """RFC 6749 §3.2 / §4.1.3: ``application/x-www-form-urlencoded`` bodies, each parameter
    at most once (§3.2: "MUST NOT be included more than once")."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise InvalidRequest(f"the body must be {FORM_TYPE}")
    form = await request.form()
    counts = Counter(name for name, _ in form.multi_items())
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise InvalidRequest(f"parameters given more than once: {', '.join(repeated)}")
