"""Attempt budgets (issue 13; RFC 6749 §10.10, credentials-guessing attacks): a moving window
per key, answered with 429 and ``Retry-After`` (RFC 6585 §4).

- client authentication (token, introspection, revocation): only *failures* count, per
  ``client_id``; once a client's budget is spent every request naming it is refused, the
  right secret included, until the window frees a slot — a guesser learns nothing more;
- sign-in, consent and approval: every attempt counts, per account and per address;
- link creation: every link counts, per partner.

State lives in this process's memory, one ``RateLimits`` per app (``app.state``): N processes
allow N times the budget (docs/operations.md "Rate limits").
"""

from __future__ import annotations

import math
import time
from typing import Literal

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import Counter

from tsp_auth.config import Settings
from tsp_auth.kit.errors import TooManyRequests

# Registered with the default registry like the HTTP metrics (observability/metrics.py).
RATE_LIMITED = Counter(
    "tsp_auth_rate_limited_total",
    "Requests refused with 429 because an attempt budget was spent, by endpoint.",
    ["endpoint"],
)

Endpoint = Literal[
    "token", "introspection", "revocation", "sign_in", "consent", "approval", "link_creation"
]


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._client_failures = parse(settings.rate_limit_client_auth_failures)
        self._per_account = parse(settings.rate_limit_per_account)
        self._per_address = parse(settings.rate_limit_per_address)
        self._links = parse(settings.rate_limit_link_creation)

    async def _refuse(self, endpoint: Endpoint, item: RateLimitItem, *key: str) -> None:
        stats = await self._limiter.get_window_stats(item, *key)
        RATE_LIMITED.labels(endpoint).inc()
        raise TooManyRequests(
            f"too many attempts; retry later (at most {item})",
            retry_after=max(1, math.ceil(stats.reset_time - time.time())),
        )

    async def check_client(self, endpoint: Endpoint, client_id: str) -> None:
        """Before authenticating: refuse a client whose failure budget is spent."""
        if not await self._limiter.test(self._client_failures, "client", client_id):
            await self._refuse(endpoint, self._client_failures, "client", client_id)

    async def client_failed(self, client_id: str) -> None:
        await self._limiter.hit(self._client_failures, "client", client_id)

    async def attempt(self, endpoint: Endpoint, *, account: str, address: str) -> None:
        """One attempt by an account from an address; refused when either budget is spent."""
        budgets = ((self._per_address, "address", address), (self._per_account, "account", account))
        for item, kind, value in budgets:
            if not await self._limiter.hit(item, endpoint, kind, value):
                await self._refuse(endpoint, item, endpoint, kind, value)

    async def link(self, partner_id: str) -> None:
        if not await self._limiter.hit(self._links, "link", partner_id):
            await self._refuse("link_creation", self._links, "link", partner_id)
