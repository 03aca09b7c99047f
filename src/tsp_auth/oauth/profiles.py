"""The client profile a request is held to (``policy.client_profiles``), and its refusals.

Each refusal's ``error`` is the rule's reason code (``par_required``, ``pkce_required``,
``dpop_required``, ``private_key_jwt_required``), so a client developer sees which rule of the
profile the request broke.
"""

from __future__ import annotations

from typing import Protocol

from tsp_auth.config import Settings
from tsp_auth.oauth.errors import ProfileRefusal
from tsp_auth.policy.client_profiles import (
    check_client_authentication,
    check_token_binding,
    effective_profile,
)
from tsp_auth.policy.verdict import Decision

_WHAT = {
    "private_key_jwt_required": "this client must authenticate with private_key_jwt",
    "dpop_required": "this client's tokens must be DPoP-bound: send a DPoP proof",
}


class ProfiledClient(Protocol):
    @property
    def profile(self) -> str | None: ...
    @property
    def client_type(self) -> str: ...
    @property
    def status(self) -> str: ...


def client_profile(settings: Settings, client: ProfiledClient) -> str | None:
    return effective_profile(
        client.profile,
        client_type=client.client_type,
        status=client.status,
        fapi2_for_live_apps=settings.require_fapi2_for_live_partner_apps,
    )


def _hold(profile: str | None, decision: Decision) -> None:
    if not decision.allow:
        what = _WHAT.get(decision.reason, decision.reason)
        raise ProfileRefusal(decision.reason, f"{profile} profile: {what}")


def hold_authentication(profile: str | None, auth_method: str) -> None:
    """Refuse a client authentication its profile does not allow."""
    _hold(profile, check_client_authentication(profile, auth_method))


def hold_binding(profile: str | None, *, dpop: bool) -> None:
    """Refuse bearer tokens to a client whose profile requires DPoP."""
    _hold(profile, check_token_binding(profile, dpop=dpop))
