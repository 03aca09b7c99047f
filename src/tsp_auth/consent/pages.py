"""Plain HTML answers for the seller's browser when a link cannot be followed.

RFC 9700 §4.11 (open redirection): a link that fails validation is answered here, on our own
page, and never redirected to a URL taken from the link.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from tsp_auth.errors import AppError
from tsp_auth.observability.context import current_request_id

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body><main><h1>{title}</h1><p id="error-description">{description}</p>
<p><small>Error code: <code id="error">{error}</code>{request}</small></p></main></body></html>"""

_TITLES = {404: "Authorization link not found", 410: "Authorization link expired"}


def error_page(error: AppError) -> HTMLResponse:
    """The error, as a page a seller can read and quote to support."""
    request_id = current_request_id()
    html = _PAGE.format(
        title=_TITLES.get(error.status_code, "Authorization link not valid"),
        description=escape(error.description),
        error=escape(error.error),
        request=f" · request {escape(request_id)}" if request_id else "",
    )
    return HTMLResponse(
        html, status_code=error.status_code, headers={"Cache-Control": "no-store", **error.headers}
    )
