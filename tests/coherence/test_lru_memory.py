"""The tagged LRU's memory bound with a million lookups (slow: left out of `make mutation`,
whose coherence target runs the functional tests of test_lru.py)."""

from __future__ import annotations

import sys
import tracemalloc
from datetime import timedelta

from tsp_auth.clock import now
from tsp_auth.coherence import tags
from tsp_auth.coherence.lru import TaggedLRU
from tsp_auth.live.session_state import LiveSession
from tsp_auth.policy import GrantFacts

AT = now()


def _session(i: int, facts: GrantFacts) -> LiveSession:
    at = AT
    return LiveSession(
        id=f"cs_{i:024d}",
        seller_id=f"sel_{i % 5000:020d}",
        member_id=f"acc_{i % 20000:020d}",
        partner_id="prt_00000000000000000001",
        grant_id=f"grt_{i:024d}",
        grant_version=1,
        roles=frozenset({"orders", "products"}),
        created_at=at,
        expires_at=at + timedelta(hours=8),
        ended_at=None,
        current_grant_version=1,
        grant=facts,
    )


def _look_up(cache: TaggedLRU, key: str, value: LiveSession) -> None:
    if cache.get(key) is None:
        cache.put(key, value, tags.of_session(value.id, value.grant_id, "svc_1"), cache.epoch)


def test_memory_stays_under_the_bound_with_a_million_sessions_looked_up() -> None:
    limit = 20_000
    facts = GrantFacts(
        status="active",
        expires_at=None,
        items=frozenset({"seller_center_access"}),
        roles=frozenset({"orders"}),
        areas=frozenset(),
        market="UK",
        service_valid=True,
    )
    sessions = [_session(i, facts) for i in range(2 * limit)]
    cache = TaggedLRU(limit)
    # What one full cache costs, traced: its entries, keys and tag index (not the values).
    tracemalloc.start()
    try:
        for i in range(limit):
            _look_up(cache, f"{i:064x}", sessions[i])
        full, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert full < limit * 1_500, full  # < 1.5 KB an entry beside its value
    # A million lookups of distinct sessions (token hashes): nothing more stays allocated.
    blocks = sys.getallocatedblocks()
    for i in range(limit, 1_000_000):
        _look_up(cache, f"{i:064x}", sessions[i % len(sessions)])
    assert len(cache) == limit
    assert sys.getallocatedblocks() < blocks * 1.02, (blocks, sys.getallocatedblocks())
