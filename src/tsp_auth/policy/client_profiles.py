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

from tsp_auth.policy.decisions import ALLOWED, Decision
from tsp_auth.policy.reasons import Reason


@dataclass(frozen=True, slots=True)
class ProfileRules:
    pushed_authorization_requests: bool
    pkce_s256: bool
    dpop: bool
    auth_methods: frozenset[str]  # empty: any
    client_types: frozenset[str]
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


def check_token_request(profile: str | None, *, auth_method: str, dpop: bool) -> Decision:
    """A request to the token endpoint (and PAR's client authentication)."""
    rules = _rules(profile)
    if rules is None:
        return ALLOWED
    if rules.auth_methods and auth_method not in rules.auth_methods:
        return Decision.denied(Reason.PRIVATE_KEY_JWT_REQUIRED)
    if rules.dpop and not dpop:
        return Decision.denied(Reason.DPOP_REQUIRED)
    return ALLOWED


def requires_dpop(profile: str | None) -> bool:
    rules = _rules(profile)
    return rules is not None and rules.dpop


def code_lifetime_seconds(profile: str | None, configured: int) -> int:
    rules = _rules(profile)
    return configured if rules is None else min(configured, rules.max_code_seconds)
