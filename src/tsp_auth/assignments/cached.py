"""A partner member's assignment to a seller, from the process's cache (partner-side
decisions; docs/coherence.md). Tagged by (member, seller): giving or taking back the assignment
publishes that tag, so it drops on every process before the change is answered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tsp_auth.assignments import repository
from tsp_auth.coherence import tags
from tsp_auth.coherence.cached import Sessions, read_through
from tsp_auth.coherence.process import coherence_of

Key = tuple[str, str]  # (member id, seller id)


@dataclass(frozen=True, slots=True)
class Assigned:
    """Whether the member is assigned to the seller, and with which roles (None: all)."""

    member_id: str
    seller_id: str
    assigned: bool
    roles: frozenset[str] | None = None


async def _load(sessionmaker: Sessions, keys: Sequence[Key]) -> dict[Key, Assigned]:
    async with sessionmaker() as session:
        rows = await repository.for_members_sellers(session, keys)
    found = {key: Assigned(*key, assigned=False) for key in keys}
    for row in rows:
        found[(row.member_id, row.seller_id)] = Assigned(
            row.member_id, row.seller_id, assigned=True, roles=row.roles
        )
    return found


def _tags(found: Assigned) -> Sequence[str]:
    return (tags.assignment(found.member_id, found.seller_id),)


async def member_assignment(sessionmaker: Sessions, member_id: str, seller_id: str) -> Assigned:
    """The member's assignment to the seller, from the cache while this process may serve."""
    key = (member_id, seller_id)
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return (await _load(sessionmaker, [key]))[key]
    found = await read_through(coherence, sessionmaker, "assignment", key, _load, _tags)
    assert found is not None  # every key has an answer
    return found
