"""What an audit event says, as plain data.

It lives below ``audit/`` because an error carries the note of the refusal it is
(``AppError.audited``) and errors are below every feature; ``audit.service`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditNote:
    """What an event says; the same shape for a success and for a refusal."""

    action: str
    actor_id: str | None = None
    actor_type: str = "account"
    on_behalf_of: str | None = None
    partner_id: str | None = None
    seller_id: str | None = None
    grant_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
