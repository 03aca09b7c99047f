"""Plain HTML answers for the seller's browser, and the headers every such page carries.

RFC 9700 §4.11 (open redirection): a link that fails validation is answered here, on our own
page, and never redirected to a URL taken from the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse

from tsp_auth.errors import AppError
from tsp_auth.observability.context import current_request_id
from tsp_auth.templating import render

# An origin we may put in a CSP source list: no quotes, spaces, semicolons or commas.
_ORIGIN = re.compile(r"https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, or None (relative, or unusable)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    origin = f"{parts.scheme.lower()}://{host}"
    return origin if _ORIGIN.fullmatch(origin) else None


def page_headers(form_targets: Iterable[str | None] = ()) -> dict[str, str]:
    """Headers of every consent page (docs/consent.md, "The built-in consent page").

    ``form_targets``: where a form on the page may end up. Chromium applies CSP ``form-action``
    to the redirects that follow a submission too, so the partner's return origin, reached by
    our 303, is listed next to ``'self'``; otherwise the browser stops on our page.
    """
    origins = sorted({o for o in map(origin_of, form_targets) if o is not None})
    form_action = " ".join(["'self'", *origins])
    return {
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'self' 'unsafe-inline'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


_TITLES = {404: "Authorization link not found", 410: "Authorization link expired"}


def error_page(error: AppError) -> HTMLResponse:
    """The error, as a page a seller can read and quote to support: the same base template as
    every other page of ours (docs/consent.md, "Error pages")."""
    html = render(
        "consent_error.html",
        request_id=current_request_id(),
        title=_TITLES.get(error.status_code, "Authorization link not valid"),
        description=error.description,
        help=None,
        error=error.error,
    )
    return HTMLResponse(
        html, status_code=error.status_code, headers={**page_headers(), **error.headers}
    )
