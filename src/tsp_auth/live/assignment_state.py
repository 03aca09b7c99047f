"""A partner member's assignment to a seller, from the process's cache (partner-side
decisions; docs/coherence.md). Tagged by (member, seller): giving or taking back the assignment
publishes that tag (``assignments/service.py``), so it drops on every process before the change
is answered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from tsp_auth.coherence import tags
from tsp_auth.db.batched import Sessions
from tsp_auth.live.read_through import read_through
from tsp_auth.models import MemberAssignment

Key = tuple[str, str]  # (member id, seller id)


@dataclass(frozen=True, slots=True)
class Assigned:
    """Whether the member is assigned to the seller, and with which roles (None: all)."""

    member_id: str
    seller_id: str
    assigned: bool
    roles: frozenset[str] | None = None


async def _load(sessionmaker: Sessions, keys: Sequence[Key]) -> dict[Key, Assigned]:
    pairs = [
        and_(MemberAssignment.member_id == member, MemberAssignment.seller_id == seller)
        for member, seller in keys
    ]
    async with sessionmaker() as session:
        rows = (await session.scalars(select(MemberAssignment).where(or_(*pairs)))).all()
    found = {key: Assigned(*key, assigned=False) for key in keys}
    for row in rows:
        found[(row.member_id, row.seller_id)] = Assigned(
            row.member_id, row.seller_id, assigned=True, roles=row.roles
        )
    return found


async def _load_one(sessionmaker: Sessions, key: Key) -> Assigned:
    return (await _load(sessionmaker, [key]))[key]


def _tags(found: Assigned) -> Sequence[str]:
    return (tags.assignment(found.member_id, found.seller_id),)


async def member_assignment(sessionmaker: Sessions, member_id: str, seller_id: str) -> Assigned:
    """The member's assignment to the seller, from the cache while this process may serve."""
    key = (member_id, seller_id)
    found = await read_through(sessionmaker, "assignment", key, _load_one, _load, _tags)
    assert found is not None  # every key has an answer
    return found
