"""The tagged LRU: bounded, exact invalidation, and no stale insert after an invalidation."""

from __future__ import annotations

import sys
import tracemalloc
from datetime import timedelta

from tsp_auth.clock import now
from tsp_auth.coherence import tags
from tsp_auth.coherence.lru import EVERYTHING, RECENT, TaggedLRU
from tsp_auth.live.session_state import LiveSession
from tsp_auth.policy import GrantFacts


def test_an_invalidation_drops_exactly_what_its_tags_name() -> None:
    cache = TaggedLRU(10)
    for key, grant in (("s1", "g1"), ("s2", "g1"), ("s3", "g2")):
        assert cache.put(key, key.upper(), tags.of_session(key, grant, "svc"), cache.epoch)
    cache.invalidate([tags.grant("g1")])
    assert (cache.get("s1"), cache.get("s2"), cache.get("s3")) == (None, None, "S3")
    cache.invalidate([tags.session("s3")])
    assert cache.get("s3") is None and len(cache) == 0


def test_a_tag_shared_by_entries_survives_their_eviction_only_for_the_others() -> None:
    cache = TaggedLRU(2)
    for key in ("a", "b", "c"):  # "a" is evicted
        cache.put(key, key, (tags.service("shared"), tags.session(key)), cache.epoch)
    assert cache.get("a") is None and cache.get("b") == "b"
    cache.invalidate([tags.service("shared")])
    assert len(cache) == 0


def test_everything_empties_the_cache() -> None:
    cache = TaggedLRU(10)
    cache.put("a", 1, ("x",), cache.epoch)
    cache.invalidate([EVERYTHING])
    assert cache.get("a") is None


def test_a_load_that_started_before_an_invalidation_is_not_inserted() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch  # the load reads the database here, before the change commits …
    cache.invalidate([tags.grant("g1")])  # … the change's invalidation is applied …
    assert not cache.put("s1", "stale", tags.of_session("s1", "g1", None), started)  # … refused
    assert cache.get("s1") is None
    assert cache.put("s1", "fresh", tags.of_session("s1", "g1", None), cache.epoch)


def test_a_load_is_inserted_if_the_invalidations_meanwhile_named_none_of_its_tags() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch
    cache.invalidate([tags.grant("g2")])  # another grant's cancel
    assert cache.put("s1", "fresh", tags.of_session("s1", "g1", None), started)
    started = cache.epoch
    cache.clear()  # a lapsed lease: nothing loaded before it is trusted
    assert not cache.put("s1", "maybe stale", tags.of_session("s1", "g1", None), started)


def test_a_load_older_than_the_invalidations_remembered_is_refused() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch
    for i in range(RECENT + 1):
        cache.invalidate([tags.grant(f"other-{i}")])
    assert not cache.put("s1", "v", tags.of_session("s1", "g1", None), started)


def test_zero_entries_caches_nothing() -> None:
    cache = TaggedLRU(0)
    assert not cache.put("a", 1, (), cache.epoch)
    assert cache.get("a") is None


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
