"""Where the seller's browser goes after deciding: back to the partner, or our done page.

The seam for partner apps: ``return_redirect`` is the one function that builds the success
redirect from the request and the grants it produced. When a service has an OAuth client, the
token service adds ``code`` (RFC 6749 §4.1.2) and ``iss`` (RFC 9207) here; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from tsp_auth import urls
from tsp_auth.models import AuthorizationRequest, Grant


def _with_state(request: AuthorizationRequest, params: dict[str, str]) -> dict[str, str]:
    # RFC 6749 §4.1.2: "state ... REQUIRED if the "state" parameter was present", exact value.
    if request.state is not None:
        params["state"] = request.state
    return params


def return_redirect(
    request: AuthorizationRequest, return_url: str | None, grants: Sequence[Grant]
) -> str:
    """The success redirect: the service's return URL with ``state``, or the done page.

    ``grants`` are unused until authorization codes exist; they are what a code will name.
    """
    del grants
    if return_url is None:
        return urls.consent_done_path(request.id)
    return urls.with_query(return_url, _with_state(request, {}))


def denial_redirect(request: AuthorizationRequest, return_url: str | None) -> str:
    """RFC 6749 §4.1.2.1: the refusal goes back as ``error=access_denied`` with ``state``."""
    if return_url is None:
        return urls.consent_done_path(request.id)
    return urls.with_query(return_url, _with_state(request, {"error": "access_denied"}))
