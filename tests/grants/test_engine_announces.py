"""A new grant is announced to the caches (grants/engine.py create_grant): a cached list of a
pair's grants (partner-side decisions) must see it, on this process at its commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Factory
from tests.grants.helpers import World, same_pair_terms
from tsp_auth.clock import now
from tsp_auth.coherence import process, tags
from tsp_auth.coherence.process import Coherence
from tsp_auth.config import Settings
from tsp_auth.grants.engine import create_grant
from tsp_auth.models import Grant
from tsp_auth.policy import GrantStatus


@pytest.fixture
def coherence(settings: Settings, engine: AsyncEngine) -> Iterator[Coherence]:
    here = Coherence(settings, shared=False)
    process.register(engine, here)
    yield here
    process.unregister(engine)


async def test_a_new_grant_drops_the_cached_grants_of_its_pair_and_no_other(
    factory: Factory, world: World, coherence: Coherence
) -> None:
    cache = coherence.cache
    pair = tags.pair(world.seller.id, world.partner.id)
    assert cache.put("pair", "no grant", (pair,), cache.epoch)
    assert cache.put("other", "x", (tags.pair(world.seller.id, "prt_other"),), cache.epoch)
    async with factory.app.state.sessionmaker() as session, session.begin():
        # The pair's grant ended earlier: a new one may be consented.
        await session.execute(
            update(Grant).where(Grant.id == world.grant.id).values(status=GrantStatus.CANCELLED)
        )
        assert await create_grant(session, same_pair_terms(world, frozenset()), now())
    assert (cache.get("pair"), cache.get("other")) == (None, "x")
