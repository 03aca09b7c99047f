"""What a consent grants, whichever flow asked for it, and what recording it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tsp_auth.models import Grant
from tsp_auth.policy import GrantStatus


@dataclass(frozen=True, slots=True)
class NewGrant:
    """The terms of one grant (DESIGN §2 "Grant"). Every flow fills the same fields and leaves
    empty what it does not use: TSP access has items, roles, areas and a duration; a partner
    app and a Business Center grant have scopes and no expiry."""

    kind: str  # tsp_access | partner_app | business_center
    grantor_id: str
    grantee_id: str
    consented_by: str
    service_id: str | None = None
    binding_id: str | None = None
    market: str | None = None
    items: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    authorized_object: str | None = None
    duration_days: int | None = None  # None: no expiry
    contact_email: str | None = None
    terms_version: str | None = None

    def values(self, at: datetime) -> dict[str, object]:
        """The columns a consent sets, on a new grant and on the one it renews in place."""
        expires_at = None if self.duration_days is None else at + timedelta(self.duration_days)
        return {
            "grantee_id": self.grantee_id,
            "binding_id": self.binding_id,
            "market": self.market,
            "items": self.items,
            "roles": self.roles,
            "areas": self.areas,
            "scopes": self.scopes,
            "authorized_object": self.authorized_object,
            "duration_days": self.duration_days,
            "expires_at": expires_at,
            "consented_by": self.consented_by,
            "contact_email": self.contact_email,
            "terms_version": self.terms_version,
            "status": GrantStatus.ACTIVE.value,
            "status_reason": None,
            "updated_at": at,
        }


@dataclass(frozen=True, slots=True)
class Recorded:
    """A grant a consent recorded: new, or ``renewed`` in place (same id, version + 1)."""

    grant: Grant
    renewed: bool
