"""A browser that asks for a page we do not have gets a page (``error.html``, 404, with a way
onward), not the API's RFC 9457 problem: the API's clients keep their JSON.

A request is a browser's when it accepts ``text/html`` and its path is not one of the API's.
"""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsp_auth.kit.errors import NotFound
from tsp_auth.web.error_pages import ErrorWording, error_page

# Paths whose answers are JSON whoever asks (the API, OAuth, discovery, problem types).
API_PATHS = ("/v1/", "/oauth/", "/.well-known/", "/problems/", "/dev/identity-tokens")
NOT_FOUND = ErrorWording(
    default_title="Page not found",
    default_help="Check the address, or go back to your home page.",
)


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(API_PATHS)


def install_html_not_found(app: FastAPI) -> None:
    """Wrap the app's handler of Starlette's 404 (``error_handlers``): pages for browsers."""
    json_handler = app.exception_handlers[StarletteHTTPException]

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and wants_html(request):
            return error_page(NotFound("There is no page at this address."), NOT_FOUND)
        answer = json_handler(request, exc)
        return await answer if isinstance(answer, Awaitable) else answer

    app.add_exception_handler(StarletteHTTPException, handler)
