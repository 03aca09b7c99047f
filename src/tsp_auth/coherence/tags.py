"""Tags name what a change ends or narrows; every cached entry carries the tags of what can
end it, so an invalidation drops exactly those entries (docs/coherence.md, "Who invalidates
what"). The prefixes keep ids of different kinds apart."""

from __future__ import annotations

from tsp_auth.coherence.lru import EVERYTHING

__all__ = [
    "EVERYTHING",
    "assignment",
    "client",
    "family",
    "grant",
    "pair",
    "service",
    "session",
    "token",
]


def session(session_id: str) -> str:
    return f"session:{session_id}"


def grant(grant_id: str) -> str:
    return f"grant:{grant_id}"


def service(service_id: str) -> str:
    return f"service:{service_id}"


def client(client_id: str) -> str:
    return f"client:{client_id}"


def family(family_id: str) -> str:
    return f"family:{family_id}"


def token(jti: str) -> str:
    return f"jti:{jti}"


def pair(grantor_id: str, grantee_id: str) -> str:
    """The grants between two parties: a new one is announced under this tag, so a cached
    list of a pair's grants (partner-side decisions) learns of it."""
    return f"pair:{grantor_id}:{grantee_id}"


def assignment(member_id: str, seller_id: str) -> str:
    """A partner member's assignment to one seller, given or taken back."""
    return f"asg:{member_id}:{seller_id}"


def of_session(session_id: str, grant_id: str, service_id: str | None) -> tuple[str, ...]:
    named = (session(session_id), grant(grant_id))
    return named if service_id is None else (*named, service(service_id))


def of_token(jti: str, family_id: str | None, client_id: str) -> tuple[str, ...]:
    named = (token(jti), client(client_id))
    return named if family_id is None else (*named, family(family_id))
