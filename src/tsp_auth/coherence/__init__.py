"""The per-process cache of the hot paths and its cross-process invalidation (DESIGN §5,
docs/coherence.md).

- ``publish(session, *tags)``: every change that ends or narrows access names what it ends;
- ``batch.Batcher``, ``lru.TaggedLRU``: what a read through the cache is made of (the reads
  themselves, and when they may be served from the cache, are ``tsp_auth.live``'s);
- ``runtime``: the process's start and stop (the app's lifespan).
"""

from tsp_auth.coherence.publish import publish

__all__ = ["publish"]
