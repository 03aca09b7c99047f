"""RFC 9701: the introspection answer as a JWT signed by us, when the caller asks for it.

A resource server that sends ``Accept: application/token-introspection+jwt`` gets the RFC 7662
answer inside the ``token_introspection`` claim of a JWT signed with our current key (verified
through our JWKS like any token we issue), ``aud`` its own client_id, so the answer can be
relayed or kept as evidence (§1). The plain JSON answer stays the default and costs nothing
more. Not an access token: ``typ`` differs and the answer's own claims (``sub``, ``exp``, …)
stay inside ``token_introspection`` (§5, §8.1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import Response

from tsp_auth.keys.ring import KeyRing

INTROSPECTION_JWT_TYPE = "token-introspection+jwt"
INTROSPECTION_JWT_MEDIA_TYPE = "application/" + INTROSPECTION_JWT_TYPE
# Evidence of an answer at one moment: short, so a relayed answer is not trusted for long.
ANSWER_LIFETIME = timedelta(seconds=60)


def wants_jwt(accept: str | None) -> bool:
    """Does the ``Accept`` header name the JWT media type (parameters and case ignored)?"""
    if not accept:
        return False
    wanted = (part.split(";", 1)[0].strip().lower() for part in accept.split(","))
    return INTROSPECTION_JWT_MEDIA_TYPE in wanted


async def signed_answer(
    keyring: KeyRing, answer: dict[str, Any], *, client_id: str, at: datetime
) -> Response:
    token = await keyring.encode(
        {"token_introspection": answer},
        typ=INTROSPECTION_JWT_TYPE,
        audience=client_id,
        lifetime=ANSWER_LIFETIME,
        now=at,
    )
    return Response(token, media_type=INTROSPECTION_JWT_MEDIA_TYPE)
