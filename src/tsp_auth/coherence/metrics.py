"""What the cache and the protocol do, on /metrics (prometheus_client's default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CACHE_READS = Counter(
    "tsp_auth_cache_reads_total",
    "Hot-path reads by kind and outcome: hit, miss (then cached), or database (not serving)",
    ["kind", "outcome"],
)
ACK_WAIT = Histogram(
    "tsp_auth_coherence_ack_wait_seconds",
    "A writer's wait, after its commit, for every live process to acknowledge",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LISTENER_LOST = Counter(
    "tsp_auth_coherence_listener_lost_total",
    "Times this process lost its listener and cleared its cache",
)
