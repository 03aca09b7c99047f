"""Client profiles: what a client holding one must do, as data (issue 23).

``fapi2``: the FAPI 2.0 Security Profile (final), §5.3.2 and §5.3.3 — pushed authorization
requests (§5.3.2.2 1), PKCE with S256 (§5.3.2.2 3), sender-constrained access tokens, here
DPoP (§5.3.2.1 3, RFC 9449), confidential clients authenticating with private_key_jwt
(§5.3.2.1 4; mTLS is not offered) and authorization codes that live at most 60 s (§5.3.2.1 6).
Keycloak's client policies are the model: a profile is a named set of rules a client opts
into, each refusal names the rule. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision


@dataclass(frozen=True, slots=True)
class ProfileRules:
    pushed_authorization_requests: bool
    pkce_s256: bool
    dpop: bool
    auth_methods: frozenset[str]  # empty: any
    client_types: frozenset[str]
    # Held for every client: TSP_AUTH_AUTHORIZATION_CODE_TTL is at most 60 s (config.py).
    max_code_seconds: int


PROFILES: Mapping[str, ProfileRules] = MappingProxyType(
    {
        "fapi2": ProfileRules(
            pushed_authorization_requests=True,
            pkce_s256=True,
            dpop=True,
            auth_methods=frozenset({"private_key_jwt"}),
            client_types=frozenset({"confidential"}),
            max_code_seconds=60,
        )
    }
)


FAPI2 = "fapi2"
PARTNER_APP_TYPES = frozenset({"confidential", "public"})


def effective_profile(
    profile: str | None, *, client_type: str, status: str, fapi2_for_live_apps: bool
) -> str | None:
    """The client's own profile; or ``fapi2`` for a live partner app when the server requires
    it of all of them (``TSP_AUTH_REQUIRE_FAPI2_FOR_LIVE_PARTNER_APPS``)."""
    if profile is not None:
        return profile
    if fapi2_for_live_apps and client_type in PARTNER_APP_TYPES and status == "live":
        return FAPI2
    return None


def _rules(profile: str | None) -> ProfileRules | None:
    return None if profile is None else PROFILES.get(profile)


def check_registration(profile: str | None, client_type: str, auth_method: str) -> Decision:
    """May a client of this type, authenticating so, hold the profile?"""
    rules = _rules(profile)
    if rules is None:
        return ALLOWED
    if client_type not in rules.client_types or (
        rules.auth_methods and auth_method not in rules.auth_methods
    ):
        return Decision.denied(Reason.PRIVATE_KEY_JWT_REQUIRED)
    return ALLOWED


def check_authorization_request(profile: str | None, *, pushed: bool, pkce_s256: bool) -> Decision:
    """An authorization request, before anything is stored."""
    rules = _rules(profile)
    if rules is None:
        return ALLOWED
    if rules.pushed_authorization_requests and not pushed:
        return Decision.denied(Reason.PAR_REQUIRED)
    if rules.pkce_s256 and not pkce_s256:
        return Decision.denied(Reason.PKCE_REQUIRED)
    return ALLOWED


def check_client_authentication(profile: str | None, auth_method: str) -> Decision:
    """How the client authenticated, at the token, PAR, introspection, revocation endpoints."""
    rules = _rules(profile)
    if rules is not None and rules.auth_methods and auth_method not in rules.auth_methods:
        return Decision.denied(Reason.PRIVATE_KEY_JWT_REQUIRED)
    return ALLOWED


def check_token_binding(profile: str | None, *, dpop: bool) -> Decision:
    """Whether a token request without a DPoP proof may have bearer tokens."""
    rules = _rules(profile)
    if rules is not None and rules.dpop and not dpop:
        return Decision.denied(Reason.DPOP_REQUIRED)
    return ALLOWED
