"""Grants as partner-side decisions read them, from the process's cache (docs/coherence.md,
docs/data-access.md): one grant by id (a partner app's token), and every TSP access grant
between a seller and a partner (a partner member).

A grant's entry is tagged by the grant and its service; a pair's by each of its grants, each
service and the pair itself. Every change of a grant goes through ``grants.engine``, which
publishes the grant's tag (and a new grant's pair tag); a service made invalid publishes the
service's tag: each drops these entries on every process before the change is answered.
Time-driven expiry needs no invalidation: the rule reads ``expires_at`` against the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from tsp_auth.coherence import tags
from tsp_auth.db.batched import Sessions
from tsp_auth.live.grant_state import LiveGrant, facts_of
from tsp_auth.live.read_through import read_through
from tsp_auth.models import Grant, Service
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import service_is_valid

Pair = tuple[str, str]  # (seller id, partner id)


@dataclass(frozen=True, slots=True)
class PairGrants:
    """Every TSP access grant between a seller and a partner, oldest first (maybe none)."""

    seller_id: str
    partner_id: str
    grants: tuple[LiveGrant, ...]


def _live(grant: Grant, valid: bool | None) -> LiveGrant:
    return LiveGrant(
        id=grant.id,
        kind=grant.kind,
        version=grant.version,
        grantor_id=grant.grantor_id,
        grantee_id=grant.grantee_id,
        service_id=grant.service_id,
        facts=facts_of(grant, service_is_valid(valid)),
    )


async def _grants(sessionmaker: Sessions, grant_ids: Sequence[str]) -> dict[str, LiveGrant]:
    statement = (
        select(Grant, Service.valid)
        .outerjoin(Service, Service.id == Grant.service_id)
        .where(Grant.id.in_(grant_ids))
    )
    async with sessionmaker() as session:
        rows = (await session.execute(statement)).all()
    return {grant.id: _live(grant, valid) for grant, valid in rows}


async def _grant(sessionmaker: Sessions, grant_id: str) -> LiveGrant | None:
    return (await _grants(sessionmaker, [grant_id])).get(grant_id)


async def _pairs(sessionmaker: Sessions, pairs: Sequence[Pair]) -> dict[Pair, PairGrants]:
    between = or_(*(and_(Grant.grantor_id == s, Grant.grantee_id == p) for s, p in pairs))
    statement = (
        select(Grant, Service.valid)
        .outerjoin(Service, Service.id == Grant.service_id)
        .where(Grant.kind == TSP_ACCESS, between)
        .order_by(Grant.created_at, Grant.id)
    )
    async with sessionmaker() as session:
        rows = (await session.execute(statement)).all()
    found: dict[Pair, list[LiveGrant]] = {pair: [] for pair in pairs}
    for grant, valid in rows:
        found[(grant.grantor_id, grant.grantee_id)].append(_live(grant, valid))
    return {pair: PairGrants(*pair, tuple(grants)) for pair, grants in found.items()}


async def _pair(sessionmaker: Sessions, pair: Pair) -> PairGrants:
    return (await _pairs(sessionmaker, [pair]))[pair]


def _grant_tags(live: LiveGrant) -> tuple[str, ...]:
    named = (tags.grant(live.id),)
    return named if live.service_id is None else (*named, tags.service(live.service_id))


def _pair_tags(pair: PairGrants) -> list[str]:
    named = [tags.pair(pair.seller_id, pair.partner_id)]
    for live in pair.grants:
        named.extend(_grant_tags(live))
    return named


async def cached_grant(sessionmaker: Sessions, grant_id: str) -> LiveGrant | None:
    """The grant's current facts, from the cache while this process may serve from it."""
    return await read_through(sessionmaker, "grant", grant_id, _grant, _grants, _grant_tags)


async def pair_grants(sessionmaker: Sessions, seller_id: str, partner_id: str) -> PairGrants:
    """The seller's grants to the partner, from the cache while this process may serve."""
    key = (seller_id, partner_id)
    found = await read_through(sessionmaker, "pair", key, _pair, _pairs, _pair_tags)
    assert found is not None  # every pair has an answer, maybe without grants
    return found
