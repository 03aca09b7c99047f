"""What a console session is, and why it ended: the values of two ``console_sessions`` columns.

The reason codes of sessions and login tokens (``wrong_shop``, ``session_ended``, …) are members
of the one catalogue, ``tsp_auth.policy.Reason``. ``EndReason`` stays an enum of its own because
it types a column: a session ends for one of these five reasons, not for any code of the
catalogue. Each value is also a reason code (the audit trail records it), so each is the value
of a ``Reason`` member (tests/test_reasons.py checks that it stays so).
"""

from __future__ import annotations

from enum import StrEnum

from tsp_auth.policy import Reason


class SessionKind(StrEnum):
    """What a console session is (``console_sessions.kind``)."""

    TSP_ACCESS = "tsp_access"  # a partner account acting for the seller
    SELLER_ACCOUNT = "seller_account"  # the seller's own main account or sub-account


class EndReason(StrEnum):
    """Why a console session ended (``console_sessions.end_reason``): a subset of ``Reason``."""

    LOGOUT = Reason.LOGOUT.value
    # seed 000 FAQ: one identity per Chrome profile; a new login on the profile replaces the old.
    REPLACED = Reason.REPLACED.value
    ASSIGNMENT_REMOVED = Reason.ASSIGNMENT_REMOVED.value
    # Found unusable when another session was opened on its browser profile.
    EXPIRED = Reason.EXPIRED.value
    GRANT_ENDED = Reason.GRANT_ENDED.value
