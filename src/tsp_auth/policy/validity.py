"""Who may set a service valid or not valid, and what the service's validity then is.

Seed 002's lifecycle has a grant "deactivated" by the platform, distinct from anything the
partner or the seller does, and seed 000 lets TSP access be added only to services that are
"currently valid". So a service carries two flags: the partner's own (it may take its service
off and put it back) and the platform's invalidation, which the partner may not clear. The
service is valid only when both say so; the platform's word wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision


class Authority(StrEnum):
    """On whose authority a validity change is made: an operator acts for the platform."""

    PLATFORM = "platform"
    PARTNER = "partner"


@dataclass(frozen=True, slots=True)
class Validity:
    """The two flags a service's validity is made of."""

    partner_valid: bool = True
    platform_invalidated: bool = False

    @property
    def valid(self) -> bool:
        """Seed 000 "currently valid": the partner offers it and the platform has not ended it."""
        return self.partner_valid and not self.platform_invalidated


class Flag(StrEnum):
    PARTNER_VALID = "partner_valid"
    PLATFORM_INVALIDATED = "platform_invalidated"


@dataclass(frozen=True, slots=True)
class ValidityRule:
    """What a request ``valid: <requested>`` sets, and the flag that refuses it while set."""

    sets: Flag
    to: bool
    refused_while: Flag | None = None
    reason: Reason = Reason.OK


@dataclass(frozen=True, slots=True)
class ValidityChange:
    decision: Decision
    validity: Validity  # the flags after the change; unchanged when refused


# (authority, requested valid) → rule. The platform moves only its own flag, both ways (seed
# 002: the platform deactivates; an operator may restore). The partner moves only its own flag
# and may not bring back a service the platform invalidated.
VALIDITY_RULES: Mapping[tuple[Authority, bool], ValidityRule] = MappingProxyType(
    {
        (Authority.PLATFORM, False): ValidityRule(Flag.PLATFORM_INVALIDATED, True),
        (Authority.PLATFORM, True): ValidityRule(Flag.PLATFORM_INVALIDATED, False),
        (Authority.PARTNER, False): ValidityRule(Flag.PARTNER_VALID, False),
        (Authority.PARTNER, True): ValidityRule(
            Flag.PARTNER_VALID,
            True,
            refused_while=Flag.PLATFORM_INVALIDATED,
            reason=Reason.SERVICE_INVALIDATED_BY_PLATFORM,
        ),
    }
)


def change_validity(current: Validity, by: Authority, valid: bool) -> ValidityChange:
    """The flags after ``by`` asks for ``valid``, or a denial that leaves them as they are."""
    rule = VALIDITY_RULES[(by, valid)]
    if rule.refused_while is not None and getattr(current, rule.refused_while):
        return ValidityChange(Decision.denied(rule.reason), current)
    changed = replace(current, **{str(rule.sets): rule.to})
    return ValidityChange(ALLOWED, changed)
