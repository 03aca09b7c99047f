"""A page, a redirect after a form, and a refusal as a page shows it: every server-rendered
answer goes through here, so every page carries the same headers (``web.headers``) and the
support reference of its request in the footer of ``base.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse

from tsp_auth.kit.request_id import current_request_id
from tsp_auth.web.headers import page_headers
from tsp_auth.web.templating import render


def page(
    template: str,
    status: int = 200,
    *,
    form_targets: Iterable[str | None] = (),
    own_images: bool = False,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    html = render(template, request_id=current_request_id(), **context)
    return HTMLResponse(
        html,
        status_code=status,
        headers={**page_headers(form_targets, own_images=own_images), **(headers or {})},
    )


def see_other(location: str) -> RedirectResponse:
    """303 (RFC 9110 §15.4.4): after a form post, the browser GETs ``location``."""
    return RedirectResponse(location, status_code=303, headers=page_headers())


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused decision as a page shows it: the seller's (or partner's) words first; the
    reason code stays for the API and as a reference for support (docs/consent.md)."""

    message: str
    code: str
