"""The tagged LRU: bounded, exact invalidation, and no stale insert after an invalidation."""

from __future__ import annotations

import pytest

from tsp_auth.coherence import tags
from tsp_auth.coherence.lru import EVERYTHING, RECENT, TaggedLRU

# Runs in milliseconds; a mutant that hangs it (a batch never sent, an eviction that never
# ends) fails it at once rather than at the run's timeout.
pytestmark = pytest.mark.timeout(10)


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


def test_the_least_recently_used_entry_is_evicted_first() -> None:
    cache = TaggedLRU(2)
    cache.put("a", 1, (tags.session("a"),), cache.epoch)
    cache.put("b", 2, (tags.session("b"),), cache.epoch)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3, (tags.session("c"),), cache.epoch)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_an_evicted_entry_leaves_no_tag_behind_that_could_drop_a_later_one() -> None:
    cache = TaggedLRU(1)
    cache.put("a", 1, (tags.grant("g1"),), cache.epoch)
    cache.put("b", 2, (tags.grant("g2"),), cache.epoch)  # evicts "a"
    cache.put("a", 3, (tags.grant("g3"),), cache.epoch)  # evicts "b"
    cache.invalidate([tags.grant("g1")])  # names the evicted "a" only
    assert cache.get("a") == 3


def test_a_value_put_again_carries_only_its_new_tags() -> None:
    cache = TaggedLRU(10)
    cache.put("s1", "old", (tags.grant("g1"),), cache.epoch)
    cache.put("s1", "new", (tags.grant("g2"),), cache.epoch)
    assert len(cache) == 1
    cache.invalidate([tags.grant("g1")])
    assert cache.get("s1") == "new"
    cache.invalidate([tags.grant("g2")])
    assert cache.get("s1") is None


def test_a_tag_left_on_one_entry_still_drops_it() -> None:
    cache = TaggedLRU(10)
    shared = tags.service("svc")
    for key in ("a", "b", "c"):
        cache.put(key, key, (shared, tags.session(key)), cache.epoch)
    cache.invalidate([tags.session("a")])
    cache.invalidate([tags.session("b")])  # the service's tag now names "c" alone
    cache.put("d", "d", (tags.session("d"),), cache.epoch)
    cache.invalidate([shared])
    assert (cache.get("c"), cache.get("d")) == (None, "d")


def test_a_tag_named_twice_by_one_entry_is_dropped_with_it() -> None:
    cache = TaggedLRU(10)
    cache.put("a", 1, (tags.grant("g1"), tags.grant("g1")), cache.epoch)
    cache.invalidate([tags.session("other")])
    cache.put("b", 2, (tags.grant("g1"),), cache.epoch)
    cache.invalidate([tags.grant("g1")])
    assert (cache.get("a"), cache.get("b"), len(cache)) == (None, None, 0)


def test_none_is_never_cached() -> None:
    cache = TaggedLRU(10)
    assert not cache.put("a", None, (), cache.epoch)
    assert len(cache) == 0


def test_an_invalidation_naming_nothing_cached_still_counts_for_loads_in_flight() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch
    cache.invalidate([tags.grant("g1")])  # nothing cached carries it yet
    assert cache.epoch == started + 1
    assert not cache.put("s1", "stale", (tags.grant("g1"),), started)


def test_a_load_as_old_as_the_invalidations_remembered_is_still_judged_by_its_tags() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch
    for i in range(RECENT):
        cache.invalidate([tags.grant(f"other-{i}")])
    assert cache.put("s1", "v", tags.of_session("s1", "g1", None), started)
    started = cache.epoch
    cache.invalidate([tags.grant("g1")])
    for i in range(RECENT - 1):
        cache.invalidate([tags.grant(f"more-{i}")])
    assert not cache.put("s1", "stale", tags.of_session("s1", "g1", None), started)


def test_an_epoch_the_cache_never_reached_is_refused() -> None:
    cache = TaggedLRU(10)
    assert not cache.put("a", 1, (), cache.epoch + 1)


def test_an_entry_dropped_from_a_shared_tag_is_not_dropped_by_it_once_put_back_without_it() -> None:
    cache = TaggedLRU(10)
    shared = tags.service("svc")
    cache.put("a", 1, (shared, tags.session("a")), cache.epoch)
    cache.put("b", 2, (shared, tags.session("b")), cache.epoch)
    cache.put("c", 3, (shared, tags.session("c")), cache.epoch)
    cache.invalidate([tags.session("a")])
    cache.put("a", 4, (tags.session("a"),), cache.epoch)  # back, no longer under the service
    cache.invalidate([shared])
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (4, None, None)


def test_a_load_that_started_after_an_invalidation_is_inserted() -> None:
    cache = TaggedLRU(10)
    cache.invalidate([tags.grant("g1")])  # g1's change, applied before the load read anything
    started = cache.epoch
    cache.invalidate([tags.grant("g2")])  # another's, while it reads
    assert cache.put("s1", "fresh", tags.of_session("s1", "g1", None), started)


def test_a_load_that_started_before_a_clear_is_refused_after_later_invalidations_too() -> None:
    cache = TaggedLRU(10)
    started = cache.epoch
    cache.clear()
    cache.invalidate([tags.grant("other")])
    assert not cache.put("s1", "maybe stale", tags.of_session("s1", "g1", None), started)
