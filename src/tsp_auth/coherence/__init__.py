"""The per-process cache of the hot paths and its cross-process invalidation (DESIGN §5,
docs/coherence.md).

- ``publish(session, *tags)``: every change that ends or narrows access names what it ends;
- ``loaders``: the cached reads of decisions, introspection and client authentication;
- ``runtime``: the process's start and stop (the app's lifespan).
"""

from tsp_auth.coherence.publish import publish

__all__ = ["publish"]
