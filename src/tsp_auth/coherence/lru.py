"""A bounded LRU whose entries carry tags, so an invalidation drops exactly what it names.

Single-threaded by design: every call runs on the event loop without awaiting, so no entry is
ever seen half-updated. ``epoch`` counts invalidations: a load reads the epoch before it goes
to the database and may insert its result only if no invalidation applied meanwhile named one
of its tags (``put`` refuses otherwise), so a load that started before an invalidation can
never put back what the invalidation dropped. The last ``RECENT`` invalidations are kept for
that check; a load older than those, or than a ``clear``, is refused whatever its tags.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable, Iterable
from itertools import islice
from typing import Any

# Drops every entry: for changes whose precise tags are hard to name.
EVERYTHING = "*"
RECENT = 1024


class _Entry:
    __slots__ = ("tags", "value")

    def __init__(self, value: Any, tags: tuple[str, ...]) -> None:
        self.value = value
        self.tags = tags


class TaggedLRU:
    """At most ``max_entries`` values by key, least recently used evicted first (0: none)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.epoch = 0
        # The tags of the invalidation that moved the epoch to each recent value (None: all).
        self._recent: deque[frozenset[str] | None] = deque(maxlen=RECENT)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        # A tag names one key (the common case: a session's own id) or a set of them; a set
        # per tag would cost ~200 bytes for every one-key tag.
        self._by_tag: dict[str, Hashable | set[Hashable]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any | None:
        """The value, or None on a miss (None itself is never cached)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: Hashable, value: Any, tags: Iterable[str], epoch: int) -> bool:
        """Insert unless an invalidation applied since ``epoch`` was read named one of
        ``tags``; True if inserted."""
        entry = _Entry(value, tuple(tags))
        if self.max_entries <= 0 or value is None or self._named_since(epoch, entry.tags):
            return False
        self._drop(key)
        self._entries[key] = entry
        for tag in entry.tags:
            self._tag(tag, key)
        while len(self._entries) > self.max_entries:
            oldest = next(iter(self._entries))
            self._drop(oldest)
        return True

    def _named_since(self, epoch: int, tags: tuple[str, ...]) -> bool:
        missed = self.epoch - epoch
        if missed == 0:
            return False
        if missed < 0 or missed > len(self._recent):
            return True
        return any(
            named is None or not named.isdisjoint(tags)
            for named in islice(reversed(self._recent), missed)
        )

    def invalidate(self, tags: Iterable[str]) -> None:
        """Drop every entry carrying one of ``tags`` (all of them for ``EVERYTHING``)."""
        named = frozenset(tags)
        if EVERYTHING in named:
            self.clear()
            return
        self.epoch += 1
        self._recent.append(named)
        for tag in named:
            keys = self._by_tag.pop(tag, None)
            if isinstance(keys, set):
                for key in keys:
                    self._drop(key)
            elif keys is not None:
                self._drop(keys)

    def clear(self) -> None:
        self.epoch += 1
        self._recent.append(None)
        self._entries.clear()
        self._by_tag.clear()

    def _tag(self, tag: str, key: Hashable) -> None:
        named = self._by_tag.get(tag)
        if named is None:
            self._by_tag[tag] = key
        elif isinstance(named, set):
            named.add(key)
        elif named != key:
            self._by_tag[tag] = {named, key}

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry.tags:
            named = self._by_tag.get(tag)
            if isinstance(named, set):
                named.discard(key)
                if len(named) == 1:
                    self._by_tag[tag] = next(iter(named))
            elif named == key:
                del self._by_tag[tag]
