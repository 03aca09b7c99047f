"""Discovery: the JWK Set (RFC 7517 §5) and authorization server metadata (RFC 8414 §3)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from tsp_auth.clock import now
from tsp_auth.deps import SettingsDep, get_keyring
from tsp_auth.keys.schemas import JwkSet
from tsp_auth.keys.service import JWKS_MAX_AGE
from tsp_auth.kit.errors import NotFound, responses
from tsp_auth.oauth.cors import CorsRoute, DirectCorsRoute, allow_listed_origin
from tsp_auth.oauth.metadata import JWKS_PATH, METADATA_PATH, server_metadata
from tsp_auth.oauth.resource_metadata import RESOURCE_METADATA_PATH, resource_metadata
from tsp_auth.oauth.schemas import AuthorizationServerMetadata, ProtectedResourceMetadata

# Readable by the pages of browser-based public clients (oauth.cors): they discover us too.
router = APIRouter(
    tags=["discovery"], route_class=CorsRoute, dependencies=[Depends(allow_listed_origin)]
)
# The JWK Set is fetched by every resource server that verifies our tokens: a direct route
# (``direct_routes``), which checks the origin itself.
jwks_router = APIRouter(tags=["discovery"], route_class=DirectCorsRoute)

# Short: a rotated-in key is published `key_propagation_delay` before it signs, which covers it.
_CACHE_CONTROL = f"public, max-age={int(JWKS_MAX_AGE.total_seconds())}"


@jwks_router.get(
    JWKS_PATH,
    summary="Public keys that verify our JWTs, including keys not yet or no longer signing",
    response_model=JwkSet,
    responses=responses(503),
)
async def jwks(request: Request) -> Response:
    await allow_listed_origin(request)
    keyring = await get_keyring(request)
    return _jwks_answer(await keyring.jwks_document(now()))


# The answer of the last document served: the same bytes object until the published keys
# change (``KeyRing.jwks_document``), so its headers are built once, not per request. A
# response is never changed by sending it (``direct_routes.serve`` copies its headers).
_last_answer: tuple[bytes, Response] = (b"", Response())


def _jwks_answer(document: bytes) -> Response:
    global _last_answer
    if _last_answer[0] is not document:
        answer = Response(
            document, media_type="application/json", headers={"Cache-Control": _CACHE_CONTROL}
        )
        _last_answer = (document, answer)
    return _last_answer[1]


@router.get(
    METADATA_PATH,
    summary="Authorization server metadata: endpoints and what they support",
)
async def authorization_server_metadata(
    response: Response, settings: SettingsDep
) -> AuthorizationServerMetadata:
    response.headers["Cache-Control"] = _CACHE_CONTROL
    return server_metadata(settings)


@router.get(
    RESOURCE_METADATA_PATH,
    summary="Protected resource metadata of the partner API (RFC 9728)",
    responses=responses(404),
)
async def protected_resource_metadata(
    response: Response, settings: SettingsDep
) -> ProtectedResourceMetadata:
    document = resource_metadata(settings)
    if document is None:
        raise NotFound("access tokens are minted for another resource")
    response.headers["Cache-Control"] = _CACHE_CONTROL
    return document
