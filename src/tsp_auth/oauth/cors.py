"""CORS for browser-based public clients at the token, revocation and discovery endpoints.

The browser side is the Fetch standard's "CORS protocol": a cross-origin ``POST`` that is not
"simple" is preceded by a preflight ``OPTIONS``; an answer is readable by the page only if it
carries ``Access-Control-Allow-Origin`` naming the page's origin. Who is allowed is a property
of each public client (``Client.allowed_origins``, ``clients.origins``), so Starlette's
``CORSMiddleware`` — one fixed list given at start-up — does not fit; this module applies the
same header rules with an allow-list read from the database:

- **token / revocation** (``POST``): allowed when the request's authenticated client is a
  public client listing the origin (``allow_client_origin``, from the form's ``client_id``);
- **metadata / JWKS** (``GET``) and **every preflight**: allowed when any enabled public
  client lists the origin (``allow_listed_origin``): a preflight carries no body, hence no
  ``client_id``, and discovery names no client.

Never ``*``, never ``Access-Control-Allow-Credentials``: these endpoints use no cookies.
Every answer of these paths carries ``Vary: Origin``, so no cache serves one origin's answer to
another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

from tsp_auth.deps import get_sessionmaker
from tsp_auth.kit.direct_routes import DirectRoute, RawHeaders
from tsp_auth.kit.errors import Forbidden
from tsp_auth.live.client_state import a_public_client_allows
from tsp_auth.oauth.client_authentication import AuthenticatedClient
from tsp_auth.oauth.metadata import JWKS_PATH, METADATA_PATH, REVOKE_PATH, TOKEN_PATH
from tsp_auth.policy import Reason

# The method each CORS path answers; a preflight names it in Access-Control-Request-Method.
CORS_METHODS: dict[str, str] = {
    TOKEN_PATH: "POST",
    REVOKE_PATH: "POST",
    METADATA_PATH: "GET",
    JWKS_PATH: "GET",
}
# Request headers a page may add beyond the CORS-safelisted ones: our request id (logs).
ALLOW_HEADERS = "Content-Type, X-Request-Id"
# Response headers a page may read beyond the safelisted ones: the request id to report, and
# when to retry after a 503.
EXPOSE_HEADERS = "Retry-After, X-Request-Id"
# How long a browser may reuse a preflight answer (seconds; Starlette's default). The actual
# answer is decided again on every request, so a removed origin is refused at once anyway.
PREFLIGHT_MAX_AGE = "600"

_STATE_KEY = "cors_origin"
_EXPOSE_RAW = EXPOSE_HEADERS.encode()
_ALLOW_NAMES = frozenset((b"access-control-allow-origin", b"access-control-expose-headers"))


def allow_client_origin(request: Request, client: AuthenticatedClient) -> None:
    """Token and revocation: the public client the request authenticated as lists its origin."""
    origin = request.headers.get("origin")
    if origin is not None and client.client_type == "public" and origin in client.allowed_origins:
        setattr(request.state, _STATE_KEY, origin)


async def allow_listed_origin(request: Request) -> None:
    """Discovery (a dependency): some enabled public client lists the request's origin."""
    origin = request.headers.get("origin")
    # The sessionmaker is looked up only for a cross-origin request: discovery without an
    # Origin works on an app whose lifespan has not run (no database).
    if origin is not None and await a_public_client_allows(await get_sessionmaker(request), origin):
        setattr(request.state, _STATE_KEY, origin)


def cors_headers(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The raw headers of an answer with the CORS decision the route made while it ran."""
    headers = _vary_origin(headers)
    # Read at response time: the route decided while it ran (request.state is scope's).
    origin = scope.get("state", {}).get(_STATE_KEY)
    if origin is not None:
        headers = [item for item in headers if item[0] not in _ALLOW_NAMES]
        headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
        headers.append((b"access-control-expose-headers", _EXPOSE_RAW))
    return headers


def _vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``Vary`` with ``Origin`` added to what the answer already varies on."""
    varies = [value for name, value in headers if name == b"vary"]
    if not varies:
        return [*headers, (b"vary", b"Origin")]
    rest = [item for item in headers if item[0] != b"vary"]
    return [*rest, (b"vary", varies[0] + b", Origin")]


def _with_cors(scope: Scope, send: Send) -> Send:
    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = cors_headers(scope, list(message.get("headers", ())))
        await send(message)

    return send_with_cors


class CorsRoute(APIRoute):
    """A route whose answers, errors included, carry the CORS decision made while it ran."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, _with_cors(scope, send))


class DirectCorsRoute(DirectRoute):
    """A direct route (``direct_routes``) whose answers carry the CORS decision it made."""

    def answer_headers(self, scope: Scope, headers: RawHeaders) -> RawHeaders:
        return cors_headers(scope, headers)


def _preflight(method: str) -> Callable[[Request], Awaitable[Response]]:
    async def preflight(request: Request) -> Response:
        allow = {"Allow": f"{method}, OPTIONS", "Vary": "Origin"}
        origin = request.headers.get("origin")
        if origin is None or "access-control-request-method" not in request.headers:
            return Response(status_code=204, headers=allow)  # plain OPTIONS, RFC 9110 §9.3.7
        if not await a_public_client_allows(await get_sessionmaker(request), origin):
            raise Forbidden(
                "no public client allows this origin",
                error=Reason.ORIGIN_NOT_ALLOWED,
                headers=allow,
            )
        cors = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": method,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        return Response(status_code=204, headers={**allow, **cors})

    return preflight


# Preflights stay out of the OpenAPI document: browsers send them, clients do not call them.
router = APIRouter(tags=["oauth"])
for _path, _method in CORS_METHODS.items():
    router.add_api_route(_path, _preflight(_method), methods=["OPTIONS"], include_in_schema=False)
