"""Direct routes: the hot routes, declared and documented like any other, served before FastAPI.

A request to ``POST /v1/decisions`` used to spend most of its CPU in FastAPI's and Starlette's
own handling: the middleware stack FastAPI builds (its exception telemetry, body limit and
exit-stack layers, Starlette's error and exception middleware), the router trying each route's
pattern in turn, the request handler solving dependencies and serialising the answer
(docs/performance.md, "Session 5: the hot routes served before FastAPI"). A ``DirectRoute`` is
an ``APIRoute`` whose endpoint takes the ``Request`` and answers a ``Response``, with no
dependencies and no body parameter: FastAPI documents it from the decorator
(``response_model``, ``responses``, ``openapi_extra``), and the app (``app.TspAuth``) serves it
from a table of exact paths, behind the one request layer, before FastAPI's stack is entered.
Through FastAPI (an app mounted under a root path, say) the same route runs the same ``serve``;
so there is one implementation either way. A method the route does not answer goes through
FastAPI, which answers 405 as for any route.

What FastAPI did around the endpoint, ``serve`` does too: the route in the scope (the metrics
and access-line label), the app's exception handlers for whatever the endpoint raises (the same
lookup Starlette's ``ExceptionMiddleware`` makes, so every error body is the one the rest of the
API answers), and the route's ``answer_headers`` on every answer, errors included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]
Endpoint = Callable[[Request], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


class DirectRoute(APIRoute):
    """A route the app serves itself; subclasses add headers to every answer."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.dependencies or self.dependant.dependencies or self.body_field is not None:
            # Nothing would solve them: a direct endpoint reads what it needs from the request.
            raise TypeError(f"direct route {path} takes the request only, no dependencies")
        self.direct_endpoint: Endpoint = endpoint
        self.direct_methods = frozenset(self.methods or ())

    def answer_headers(self, scope: Scope, headers: RawHeaders) -> RawHeaders:
        """The raw headers of an answer as it goes out (the route may add its own)."""
        del scope
        return headers

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reached through FastAPI's router: its path matched, perhaps not its method."""
        if scope["method"] not in self.direct_methods:
            await super().handle(scope, receive, send)  # Starlette's 405
            return
        await serve(self, scope, receive, send)


async def serve(route: DirectRoute, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the route's endpoint and send its answer, or the app's answer to what it raised."""
    scope["route"] = route
    request = Request(scope, receive, send)
    try:
        response = await route.direct_endpoint(request)
    except Exception as exc:
        handler = _handler_for(scope["app"].exception_handlers, exc)
        if handler is None:
            raise  # the request layer's last resort answers 500
        response = await handler(request, exc)

    if type(response).__call__ is Response.__call__ and response.background is None:
        # What ``Response.__call__`` sends, sent here: no wrapper coroutine per message
        # (docs/performance.md, "Per-request layer, second round").
        headers = route.answer_headers(scope, list(response.raw_headers))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        await send({"type": "http.response.body", "body": response.body})
        return

    async def send_answer(message: Any) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = route.answer_headers(scope, list(message.get("headers", ())))
        await send(message)

    await response(scope, receive, send_answer)


def _handler_for(
    handlers: Mapping[Any, ExceptionHandler], exc: Exception
) -> ExceptionHandler | None:
    """The handler Starlette's ``ExceptionMiddleware`` would pick: by the exception's class,
    most specific first. ``Exception`` itself is the server-error handler's, not this one's."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None


class DirectTable:
    """The app's direct routes by method and exact path."""

    __slots__ = ("_routes",)

    def __init__(self, routes: list[Any]) -> None:
        self._routes: dict[tuple[str, str], DirectRoute] = {}
        for route in routes:
            if isinstance(route, DirectRoute):
                for method in route.direct_methods:
                    self._routes[(method, route.path)] = route

    def __len__(self) -> int:
        return len(self._routes)

    def route_for(self, scope: Scope) -> DirectRoute | None:
        """The route serving this HTTP request directly, if any. Not under a root path:
        Starlette's router knows how to strip one, so that request goes through it."""
        if scope.get("root_path"):
            return None
        return self._routes.get((scope["method"], scope["path"]))
