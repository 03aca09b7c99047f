"""The per-request layer: one pure ASGI middleware for every HTTP request.

It gives the request its id (``X-Request-ID``, taken from the caller when safe), bounds the
body (``limits``), counts and times the request (``metrics``), writes one access line
(``logs``) and answers a last resort 500. One middleware rather than four, and no
``BaseHTTPMiddleware``: each ASGI layer wraps every ``receive`` and ``send`` again, and a
request that succeeds meets no Request or Response object here (docs/performance.md,
"Per-request layer", measured with ``bench/layers.py``).
"""

from __future__ import annotations

import itertools
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsp_auth.kit.errors import error_response
from tsp_auth.kit.request_id import reset_request_id, set_request_id
from tsp_auth.observability.access_log import ACCESS_LOG, access_line
from tsp_auth.observability.limits import MAX_BODY_BYTES, content_length, too_large
from tsp_auth.observability.metrics import IN_FLIGHT_REQUESTS, observe_request
from tsp_auth.policy import Reason

_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

# Our own request ids: a random prefix per process and a counter, unique across processes
# and restarts without reading the system's random source on every request. An id names a
# request in logs and error bodies; it is no secret and grants nothing.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def _new_request_id() -> bytes:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}".encode()


def _route_template(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class _Exchange:
    """One request on its way through: its id, the answer's status, what the body used up."""

    __slots__ = (
        "declared",
        "max_bytes",
        "receive_raw",
        "received",
        "replaced",
        "request_id",
        "request_text",
        "scope",
        "send_raw",
        "started",
        "status",
        "too_large",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send, max_bytes: int | None) -> None:
        self.scope = scope
        self.receive_raw = receive
        self.send_raw = send
        self.max_bytes = max_bytes
        self.status = 500
        self.started = self.too_large = self.replaced = False
        self.received = 0
        self.request_id, self.declared = _read_headers(scope)
        self.request_text = self.request_id.decode("latin-1")

    def refused_up_front(self) -> bool:
        """A declared length over the limit (or not a length) is refused before any read."""
        declared = self.declared
        if self.max_bytes is None or declared is None:
            return False
        return declared < 0 or declared > self.max_bytes

    async def receive(self) -> Message:
        """The body as the app reads it, cut off once past the limit (chunked bodies too)."""
        message = await self.receive_raw()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes:  # type: ignore[operator]
                # Stop feeding the app; whatever it answers is replaced by the 413.
                self.too_large = True
                return {"type": "http.request", "body": b"", "more_body": False}
        return message

    async def send(self, message: Message) -> None:
        """What the app sends: passed on, or replaced by the 413 once the body went over."""
        if self.too_large:
            if not self.replaced:
                self.replaced = True
                await self.refuse()
            return
        # forward()'s work written out here: one coroutine less per message.
        if message["type"] == "http.response.start":
            self._starting(message)
        await self.send_raw(message)

    async def forward(self, message: Message) -> None:
        """What goes out: the answer with our request id, its status noted."""
        if message["type"] == "http.response.start":
            self._starting(message)
        await self.send_raw(message)

    def _starting(self, message: Message) -> None:
        self.status = message["status"]
        self.started = True
        # A copy: a response object may be sent again (a cached document).
        message["headers"] = [*message.get("headers", ()), (b"x-request-id", self.request_id)]

    async def refuse(self) -> None:
        answer = too_large(self.scope["path"], self.max_bytes or 0)
        await answer(self.scope, self.receive_raw, self.forward)


def _read_headers(scope: Scope) -> tuple[bytes, int | None]:
    """One pass over the raw headers: the caller's request id if safe, the declared length."""
    request_id: bytes | None = None
    id_seen = False
    declared = None
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and not id_seen:
            id_seen = True
            request_id = value if _VALID_ID.fullmatch(value) else None
        elif name == b"content-length" and declared is None:
            declared = content_length(value)
    return request_id or _new_request_id(), declared


class RequestMiddleware:
    """``max_body_bytes=None``, ``metrics=False``, ``access_log=False`` turn a part off
    (``bench/layers.py`` measures each); the service runs with every part on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int | None = MAX_BODY_BYTES,
        metrics: bool = True,
        access_log: bool = True,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, receive, send, self.max_body_bytes)
        token = set_request_id(exchange.request_text)
        started = time.perf_counter()
        IN_FLIGHT_REQUESTS.count += 1
        try:
            # Inline, not a coroutine of its own: one frame less on every request.
            if exchange.refused_up_front():
                await exchange.refuse()
            elif self.max_body_bytes is None:
                await self.app(scope, exchange.receive_raw, exchange.forward)
            else:
                await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            await self._last_resort(exchange)
        finally:
            IN_FLIGHT_REQUESTS.count -= 1
            self._observe(exchange, time.perf_counter() - started)
            reset_request_id(token)

    def _observe(self, exchange: _Exchange, elapsed: float) -> None:
        scope, status = exchange.scope, exchange.status
        route = _route_template(scope)
        if self.metrics:
            observe_request(route, scope["method"], status, elapsed)
        if self.access_log:
            # The path template, never the raw path or query: no token may reach a log line.
            access_line(scope["method"], route, status, elapsed, exchange.request_text)

    @staticmethod
    async def _last_resort(exchange: _Exchange) -> None:
        ACCESS_LOG.exception("unhandled error")
        if not exchange.started:
            scope = exchange.scope
            answer = error_response(500, Reason.SERVER_ERROR, "Internal error.", path=scope["path"])
            await answer(scope, exchange.receive_raw, exchange.forward)
