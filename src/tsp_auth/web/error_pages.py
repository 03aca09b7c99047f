"""The HTML error page: an ``AppError`` answered to a browser as ``error.html`` on the base
template, with its status, its headers and its reason code, never a stack trace.

Each page says what went wrong in its own words (``ErrorWording``): the same reason code reads
"This QR code has expired" on the Business Center page and "This authorization request has
expired" on the consent page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fastapi.responses import HTMLResponse

from tsp_auth.kit.errors import AppError
from tsp_auth.web.pages import page


@dataclass(frozen=True, slots=True)
class ErrorWording:
    """Title and help of an error page: by reason code first, then by status, then the default."""

    default_title: str
    titles: Mapping[str, str] = field(default_factory=dict)
    status_titles: Mapping[int, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    default_help: str | None = None

    def title_of(self, exc: AppError) -> str:
        by_code = self.titles.get(exc.error)
        return by_code or self.status_titles.get(exc.status_code, self.default_title)

    def help_of(self, exc: AppError) -> str | None:
        return self.help.get(exc.error, self.default_help)


def error_page(exc: AppError, wording: ErrorWording) -> HTMLResponse:
    return page(
        "error.html",
        exc.status_code,
        headers=exc.headers,
        title=wording.title_of(exc),
        description=exc.description,
        help=wording.help_of(exc),
        error=exc.error,
    )


# The two decision pages of `/consent/{request_id}`: the seller's consent and the partner's
# app authorization (seeds 000 and 004).
REQUEST_ERRORS = ErrorWording(
    default_title="Something went wrong",
    titles=MappingProxyType(
        {
            "not_main_account": "Only the main account can authorize",
            "partner_admin_required": "Only your partner's admin can authorize apps",
            "request_expired": "This authorization request has expired",
            "request_already_decided": "This authorization request was already decided",
        }
    ),
    status_titles=MappingProxyType(
        {403: "You cannot decide this request", 404: "Authorization request not found"}
    ),
    help=MappingProxyType(
        {
            "not_main_account": (
                "Only the main account of the seller can authorize a partner (sub-accounts can "
                "look, not decide). Ask the holder of the main account to open the "
                "authorization link."
            ),
            "partner_admin_required": (
                "Members of a partner can look at an app's request; an admin of the partner "
                "decides. Ask your admin to open the authorization link."
            ),
            "request_expired": "Ask the partner for the authorization link again and open it anew.",
            "request_already_decided": "Nothing more to do here; you can close this page.",
        }
    ),
)

# `/open/authorize` answers a link that fails validation on our own page, never by a redirect
# to a URL taken from the link (RFC 9700 §4.11, open redirection).
LINK_ERRORS = ErrorWording(
    default_title="Authorization link not valid",
    status_titles=MappingProxyType(
        {404: "Authorization link not found", 410: "Authorization link expired"}
    ),
)


def link_error_page(exc: AppError) -> HTMLResponse:
    """The page a followed authorization link answers when it cannot be stored."""
    return error_page(exc, LINK_ERRORS)
