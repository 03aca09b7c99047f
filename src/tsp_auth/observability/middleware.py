"""One pure ASGI middleware for every request: id, access log, metrics, last-resort 500.

Pure ASGI rather than BaseHTTPMiddleware: it sits on the hot path of every decision call.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsp_auth.errors import error_response
from tsp_auth.observability.context import reset_request_id, set_request_id
from tsp_auth.observability.metrics import IN_FLIGHT, LATENCY, REQUESTS
from tsp_auth.policy import Reason

log = logging.getLogger("tsp_auth.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Our own request ids: a random prefix per process and a counter, unique across processes
# and restarts without reading the system's random source on every request. An id names a
# request in logs and error bodies; it is no secret and grants nothing.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_ID.match(candidate):
                return candidate
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


@lru_cache(maxsize=1024)
def _observers(
    route: str, method: str, status: int
) -> tuple[Callable[[], None], Callable[[float], None]]:
    """The request counter and latency histogram of one route, method and status.

    Looked up once per combination: ``labels()`` validates and locks on every call. Routes
    are templates and methods and statuses few, so the cache stays small.
    """
    counter = REQUESTS.labels(route, method, str(status))
    return counter.inc, LATENCY.labels(route, method).observe


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class RequestMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if not response_started:
                await error_response(
                    500, Reason.SERVER_ERROR, "Internal error.", path=scope["path"]
                )(scope, receive, send_with_id)
        finally:
            IN_FLIGHT.dec()
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            count, observe = _observers(route, scope["method"], status)
            count()
            observe(elapsed)
            # The path template, never the raw path or query: no token may reach a log line.
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            reset_request_id(token)
