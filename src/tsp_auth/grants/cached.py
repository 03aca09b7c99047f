"""Live grants from the process's cache (introspection, partner-side decisions;
docs/coherence.md).

A grant's entry is tagged by the grant and its service; a pair's list of grants by each grant,
each service and the pair itself. Every change of a grant goes through ``grants.engine``,
which publishes the grant's tag (and a new grant's pair tag); a service made invalid publishes
the service's tag: each drops these entries on every process before the change is answered.
Time-driven expiry needs no invalidation: the policy reads ``expires_at`` against the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tsp_auth.coherence import tags
from tsp_auth.coherence.cached import Sessions, read_through
from tsp_auth.coherence.process import coherence_of
from tsp_auth.grants import repository
from tsp_auth.grants.service import LiveGrant, as_live

Pair = tuple[str, str]  # (seller id, partner id)


@dataclass(frozen=True, slots=True)
class PairGrants:
    """Every TSP access grant between a seller and a partner, oldest first (maybe none)."""

    seller_id: str
    partner_id: str
    grants: tuple[LiveGrant, ...]


async def _live_grants(sessionmaker: Sessions, grant_ids: Sequence[str]) -> dict[str, LiveGrant]:
    async with sessionmaker() as session:
        rows = await repository.many_with_service_valid(session, grant_ids)
    return {grant.id: as_live(grant, valid) for grant, valid in rows}


async def _pairs(sessionmaker: Sessions, pairs: Sequence[Pair]) -> dict[Pair, PairGrants]:
    async with sessionmaker() as session:
        rows = await repository.pairs_with_service_valid(session, pairs)
    found: dict[Pair, list[LiveGrant]] = {pair: [] for pair in pairs}
    for grant, valid in rows:
        found[(grant.grantor_id, grant.grantee_id)].append(as_live(grant, valid))
    return {pair: PairGrants(*pair, tuple(grants)) for pair, grants in found.items()}


def _grant_tags(live: LiveGrant) -> tuple[str, ...]:
    named = (tags.grant(live.id),)
    return named if live.service_id is None else (*named, tags.service(live.service_id))


def _pair_tags(pair: PairGrants) -> list[str]:
    named = [tags.pair(pair.seller_id, pair.partner_id)]
    for live in pair.grants:
        named.extend(_grant_tags(live))
    return named


async def live_grant(sessionmaker: Sessions, grant_id: str) -> LiveGrant | None:
    """The grant's current facts, from the cache while this process may serve from it."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return (await _live_grants(sessionmaker, [grant_id])).get(grant_id)
    return await read_through(coherence, sessionmaker, "grant", grant_id, _live_grants, _grant_tags)


async def pair_grants(sessionmaker: Sessions, seller_id: str, partner_id: str) -> PairGrants:
    """The seller's grants to the partner, from the cache while this process may serve."""
    coherence = coherence_of(sessionmaker)
    key = (seller_id, partner_id)
    if coherence is None:
        return (await _pairs(sessionmaker, [key]))[key]
    found = await read_through(coherence, sessionmaker, "pair", key, _pairs, _pair_tags)
    assert found is not None  # every pair has an answer, maybe without grants
    return found
