"""Prometheus metrics of the HTTP layer; domain metrics register beside these."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "tsp_auth_http_requests_total",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "tsp_auth_http_request_duration_seconds",
    "HTTP request latency by route template and method.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
IN_FLIGHT = Gauge("tsp_auth_http_requests_in_flight", "HTTP requests being served.")


class _InFlight:
    """The requests being served, counted in a plain attribute: the request layer adds and
    subtracts one per request on the event loop, and the gauge reads it when scraped
    (``Gauge.inc``/``dec`` take a lock each time)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


IN_FLIGHT_REQUESTS = _InFlight()
IN_FLIGHT.set_function(lambda: IN_FLIGHT_REQUESTS.count)


@lru_cache(maxsize=1024)
def _observers(
    route: str, method: str, status: int
) -> tuple[Callable[[], None], Callable[[float], None]]:
    """The request counter and latency histogram of one route, method and status.

    Looked up once per combination: ``labels()`` validates and locks on every call. Routes
    are templates and methods and statuses few, so the cache stays small.
    """
    counter = REQUESTS.labels(route, method, str(status))
    return counter.inc, LATENCY.labels(route, method).observe


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and record how long it took."""
    count, observe = _observers(route, method, status)
    count()
    observe(seconds)


# Domain metrics (docs/operations.md). Label values are small fixed sets, never ids.
GRANT_TRANSITIONS = Counter(
    "tsp_auth_grant_transitions_total",
    "Grants moved to a status (active: created or renewed), counted when the change commits.",
    ["to"],
)
LOGIN_TOKENS = Counter(
    "tsp_auth_login_tokens_total",
    "TSP Access login tokens by event: minted or redeemed.",
    ["event"],
)
DECISIONS = Counter(
    "tsp_auth_decisions_total",
    "Decision API answers by outcome (allow|deny) and reason code.",
    ["outcome", "reason"],
)
DECISION_LATENCY = Histogram(
    "tsp_auth_decision_duration_seconds",
    "Time to decide one Decision API call, database read included.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
WEBHOOK_DELIVERIES = Counter(
    "tsp_auth_webhook_deliveries_total",
    "Webhook delivery attempts by outcome: delivered, retrying (will retry) or failed (gave up).",
    ["outcome"],
)
CLEANUP_ROWS = Counter(
    "tsp_auth_cleanup_rows_deleted_total",
    "Rows the cleanup deleted, by table, counted when each batch commits.",
    ["table"],
)
