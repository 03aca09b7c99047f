"""The answer every policy check gives: allow or deny, with a reason code a UI can show.

DESIGN 2: "Every denial carries a reason code a UI can show."
"""

from __future__ import annotations

from dataclasses import dataclass

from tsp_auth.policy.reasons import Reason


@dataclass(frozen=True, slots=True)
class Decision:
    """Allow or deny, and why."""

    allow: bool
    reason: str

    @classmethod
    def allowed(cls) -> Decision:
        return cls(allow=True, reason=Reason.OK)

    @classmethod
    def denied(cls, reason: str) -> Decision:
        if reason == Reason.OK:
            raise ValueError("a denial needs a reason other than 'ok'")
        return cls(allow=False, reason=reason)


ALLOWED = Decision.allowed()
