"""Input bounds, enforced before any handler reads the request (docs/security.md).

The body limit is checked against ``Content-Length`` up front and again while the body
streams in, so a chunked upload cannot go past it either; the request layer
(``observability.middleware``) applies both.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from tsp_auth.kit.errors import error_response
from tsp_auth.policy import Reason

MAX_BODY_BYTES = 64 * 1024


def content_length(value: bytes) -> int:
    """A declared ``Content-Length``; anything but a number is ``-1``.

    A negative length is refused like one over the limit.
    """
    try:
        return int(value)
    except ValueError:
        return -1


def too_large(path: str, max_bytes: int) -> JSONResponse:
    """413 in the one error shape of ``path`` (RFC 9457 problem; RFC 6749 under /oauth)."""
    return error_response(
        413,
        Reason.PAYLOAD_TOO_LARGE,
        f"request bodies are limited to {max_bytes} bytes",
        path=path,
    )
