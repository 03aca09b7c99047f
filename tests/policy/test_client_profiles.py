"""The fapi2 client profile as data (policy/client_profiles.py): every rule reachable, each
with its reason code, and nothing refused to a client without a profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tsp_auth.policy import Reason
from tsp_auth.policy.client_profiles import (
    FAPI2,
    check_authorization_request,
    check_client_authentication,
    check_registration,
    check_token_binding,
    effective_profile,
)
from tsp_auth.policy.verdict import ALLOWED, Decision


@pytest.mark.parametrize(
    ("decide", "reason"),
    [
        (lambda: check_authorization_request(FAPI2, pushed=False, pkce_s256=True), "par_required"),
        (lambda: check_authorization_request(FAPI2, pushed=True, pkce_s256=False), "pkce_required"),
        (lambda: check_token_binding(FAPI2, dpop=False), "dpop_required"),
        (
            lambda: check_client_authentication(FAPI2, "client_secret_basic"),
            "private_key_jwt_required",
        ),
        (lambda: check_registration(FAPI2, "public", "none"), "private_key_jwt_required"),
        # A public client cannot hold the profile even with the right method: no key to sign.
        (
            lambda: check_registration(FAPI2, "public", "private_key_jwt"),
            "private_key_jwt_required",
        ),
        (
            lambda: check_registration(FAPI2, "confidential", "client_secret_basic"),
            "private_key_jwt_required",
        ),
    ],
)
def test_each_fapi2_rule_refuses_with_its_reason(
    decide: Callable[[], Decision], reason: str
) -> None:
    # Decided in the test, not while collecting: mutation testing switches mutants on per test.
    decision = decide()
    assert (decision.allow, decision.reason) == (False, reason)
    assert decision == Decision.denied(Reason(reason))


def test_a_request_meeting_every_rule_is_allowed() -> None:
    assert check_authorization_request(FAPI2, pushed=True, pkce_s256=True) == ALLOWED
    assert check_token_binding(FAPI2, dpop=True) == ALLOWED
    assert check_client_authentication(FAPI2, "private_key_jwt") == ALLOWED
    assert check_registration(FAPI2, "confidential", "private_key_jwt") == ALLOWED


def test_without_a_profile_nothing_is_refused() -> None:
    assert check_authorization_request(None, pushed=False, pkce_s256=False) == ALLOWED
    assert check_token_binding(None, dpop=False) == ALLOWED
    assert check_client_authentication(None, "client_secret_basic") == ALLOWED
    assert check_registration(None, "public", "none") == ALLOWED


@pytest.mark.parametrize(
    ("own", "client_type", "status", "server_wide", "expected"),
    [
        (None, "confidential", "live", False, None),
        (None, "confidential", "live", True, FAPI2),
        (None, "public", "live", True, FAPI2),
        (None, "confidential", "development", True, None),
        (None, "first_party", "live", True, None),
        (FAPI2, "confidential", "development", False, FAPI2),
    ],
)
def test_the_profile_a_client_is_held_to(
    own: str | None, client_type: str, status: str, server_wide: bool, expected: str | None
) -> None:
    held = effective_profile(
        own, client_type=client_type, status=status, fapi2_for_live_apps=server_wide
    )
    assert held == expected
