"""Reason codes of TSP Access sessions, beside the grant reasons of ``policy.Reason``.

Stable strings, part of the API contract (DESIGN §2: "Every denial carries a reason code a UI
can show"). They live here, not in the policy module, because they judge a session or a token,
not a grant.
"""

from __future__ import annotations

from enum import StrEnum


class SessionReason(StrEnum):
    # The grant moved on (edit, renewal) since the token or session was minted from it.
    GRANT_CHANGED = "grant_changed"
    SESSION_ENDED = "session_ended"
    WRONG_SHOP = "wrong_shop"
    INVALID_SESSION = "invalid_session"
    LOGIN_TOKEN_USED = "login_token_used"  # noqa: S105
    LOGIN_TOKEN_EXPIRED = "login_token_expired"  # noqa: S105
    INVALID_LOGIN_TOKEN = "invalid_login_token"  # noqa: S105
    BROWSER_PROFILE_MISMATCH = "browser_profile_mismatch"
    # seed 000 FAQ Q1: a console session lives on one browser profile, one identity at a time.
    BROWSER_PROFILE_REQUIRED = "browser_profile_required"
    BROWSER_PROFILE_IN_USE = "browser_profile_in_use"
    SELLER_ACCOUNT_REQUIRED = "seller_account_required"


class SessionKind(StrEnum):
    """What a console session is (``console_sessions.kind``)."""

    TSP_ACCESS = "tsp_access"  # a partner account acting for the seller
    SELLER_ACCOUNT = "seller_account"  # the seller's own main account or sub-account


class EndReason(StrEnum):
    """Why a console session ended (``console_sessions.end_reason``)."""

    LOGOUT = "logout"
    # seed 000 FAQ: one identity per Chrome profile; a new login on the profile replaces the old.
    REPLACED = "replaced"
    ASSIGNMENT_REMOVED = "assignment_removed"
    # Found unusable when another session was opened on its browser profile.
    EXPIRED = "expired"
    GRANT_ENDED = "grant_ended"
