"""The per-process cache of the hot paths and its cross-process invalidation (DESIGN §5,
docs/coherence.md).

- ``publish(session, *tags)``: every change that ends or narrows access names what it ends;
- ``cached.read_through``: a read from the cache while the process may serve from it (the
  domains' cached reads: ``tsp_access.cached``, ``clients.cached``, ``oauth.cached``);
- ``runtime``: the process's start and stop (the app's lifespan).
"""

from tsp_auth.coherence.publish import publish

__all__ = ["publish"]
