"""Where the seller's browser goes after deciding: back to the partner, or our done page.

The seam for partner apps: ``return_redirect`` and ``denial_redirect`` build the redirect from
the request and the grants it produced. A request made through a partner app's link (it names a
client) goes to the app's registered redirect URI with ``code`` (RFC 6749 §4.1.2) or ``error``,
plus ``state`` and ``iss`` (RFC 9207): ``tsp_auth.oauth.codes`` builds those. Any other request
goes to the service's return URL with ``state``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.config import Settings
from tsp_auth.kit import urls
from tsp_auth.models import AuthorizationRequest, Grant
from tsp_auth.oauth import codes
from tsp_auth.policy import Reason


def _with_state(request: AuthorizationRequest, params: dict[str, str]) -> dict[str, str]:
    # RFC 6749 §4.1.2: "state ... REQUIRED if the "state" parameter was present", exact value.
    if request.state is not None:
        params["state"] = request.state
    return params


async def return_redirect(
    session: AsyncSession,
    settings: Settings,
    request: AuthorizationRequest,
    return_url: str | None,
    grants: Sequence[Grant],
) -> str:
    """The success redirect: the app's code redirect, the return URL with ``state``, or the
    done page. A code is issued in the consent's own transaction: no grant, no code."""
    if request.client_id is not None:
        return await codes.code_redirect(session, settings, request, grants)
    if return_url is None:
        return urls.consent_done_path(request.id)
    return urls.with_query(return_url, _with_state(request, {}))


async def denial_redirect(
    session: AsyncSession,
    settings: Settings,
    request: AuthorizationRequest,
    return_url: str | None,
) -> str:
    """RFC 6749 §4.1.2.1: the refusal goes back as ``error=access_denied`` with ``state``."""
    if request.client_id is not None:
        return await codes.denial_redirect(session, settings, request)
    if return_url is None:
        return urls.consent_done_path(request.id)
    return urls.with_query(return_url, _with_state(request, {"error": Reason.ACCESS_DENIED}))
