"""The HTTP side of ``Idempotency-Key`` (``service.py`` holds the rules): the route
dependency that reads the header and fingerprints the request, and the handler that answers a
replay with the kept response."""

from __future__ import annotations

import hashlib
from typing import Annotated

import orjson
from cryptography.fernet import Fernet
from fastapi import Depends, FastAPI, Header, Request, Response

from tsp_auth.deps import CallerDep, SessionDep, SettingsDep
from tsp_auth.idempotency.service import HEADER, IdempotentCreate, Replayed
from tsp_auth.kit.errors import BadRequest
from tsp_auth.policy import Reason


def _fingerprint(method: str, path: str, body: bytes) -> str:
    """The request's method, path and body; JSON bodies by value, so key order and spacing
    do not make a faithful retry look like another request."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def _checked(key: str | None) -> str | None:
    if key is None:
        return None
    if not key or len(key) > 255 or not all(" " < c <= "~" for c in key):
        raise BadRequest(
            f"{HEADER} must be 1 to 255 visible ASCII characters",
            error=Reason.INVALID_IDEMPOTENCY_KEY,
        )
    return key


async def idempotent_create(
    request: Request,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="Makes a retried create safe: the same key and body replay the "
            "first answer for 24 hours; another body with the key is refused (422).",
        ),
    ] = None,
) -> IdempotentCreate:
    return IdempotentCreate(
        session=session,
        fernet=Fernet(settings.key_wrapping_key.get_secret_value()),
        scope=caller.account_id,
        key=_checked(idempotency_key),
        fingerprint=_fingerprint(request.method, request.url.path, await request.body()),
    )


IdempotencyDep = Annotated[IdempotentCreate, Depends(idempotent_create)]


def install_replay_handler(app: FastAPI) -> None:
    async def replay(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Replayed)
        headers = {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}
        return Response(exc.body, exc.status_code, headers, media_type="application/json")

    app.add_exception_handler(Replayed, replay)
