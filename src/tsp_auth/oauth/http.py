"""HTTP details every OAuth endpoint shares: form bodies only, one value each (no caching:
``tsp_auth.no_store``)."""

from __future__ import annotations

from collections import Counter

from fastapi import Request

from tsp_auth.oauth.errors import InvalidRequest

FORM_TYPE = "application/x-www-form-urlencoded"


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
