"""Delivering the outbox: claim due rows under a lease, POST them signed, record each attempt.

Delivery is **at least once**. A worker claims rows (a short transaction that commits a lease),
sends them with no transaction open, then records the outcome if it still holds the lease. A
worker that dies between the POST and that record leaves a lease that expires; the row is then
due again and is sent again. Receivers deduplicate on ``webhook-id`` (the event id).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from cryptography.fernet import InvalidToken
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.clock import now as clock_now
from tsp_auth.config import Settings
from tsp_auth.models import WebhookAttempt, WebhookEndpoint
from tsp_auth.models.base import new_id
from tsp_auth.observability.metrics import WEBHOOK_DELIVERIES
from tsp_auth.webhooks import repository
from tsp_auth.webhooks.egress import PublicOnlyTransport, Resolver, system_resolver
from tsp_auth.webhooks.signing import decrypt_secret, signatures

log = logging.getLogger("tsp_auth.webhooks")

BATCH = 20
CONCURRENCY = 10
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=1)
USER_AGENT = "tsp-auth-webhooks/1"


def backoff(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 10 s · 2^(n-1) (10 s, 20 s, 40 s, …), ≤ 1 h."""
    wait: timedelta = BACKOFF_BASE * 2 ** max(failed_attempts - 1, 0)
    return min(wait, BACKOFF_CAP)


def lease_for(settings: Settings) -> timedelta:
    """Long enough for a whole batch: at most two rounds of sends, each bounded by the timeout."""
    return timedelta(seconds=4 * settings.webhook_timeout_seconds + 30)


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: str
    lease_id: str
    attempts: int
    event_id: str
    body: str
    url: str
    secrets_encrypted: tuple[str, ...]  # the current secret, then a rotated one still signing
    endpoint_active: bool


@dataclass(frozen=True, slots=True)
class Attempt:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def claim_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    at: datetime,
    due_by: datetime | None = None,
    limit: int = BATCH,
) -> list[Claimed]:
    """Lease up to ``limit`` rows due by ``due_by`` (default ``at``) and commit the lease."""
    lease_id = new_id("lse")
    async with sessionmaker() as session, session.begin():
        rows = await repository.claim(
            session,
            due_by=due_by or at,
            at=at,
            lease_until=at + lease_for(settings),
            lease_id=lease_id,
            limit=limit,
        )
        return [
            Claimed(
                delivery_id=delivery.id,
                lease_id=lease_id,
                attempts=delivery.attempts,
                event_id=delivery.event_id,
                body=delivery.body,
                url=endpoint.url,
                secrets_encrypted=signing_secrets(endpoint, at),
                endpoint_active=endpoint.status == repository.ACTIVE,
            )
            for delivery, endpoint in rows
        ]


def signing_secrets(endpoint: WebhookEndpoint, at: datetime) -> tuple[str, ...]:
    """The current secret, and the previous one while its rotation overlap lasts."""
    previous = endpoint.previous_secret_encrypted
    until = endpoint.previous_secret_until
    if previous is not None and until is not None and at < until:
        return (endpoint.secret_encrypted, previous)
    return (endpoint.secret_encrypted,)


def signed_headers(
    secrets_in_use: tuple[str, ...], event_id: str, at: datetime, body: bytes
) -> dict[str, str]:
    """Standard Webhooks headers (lower case, as the specification writes them)."""
    timestamp = int(at.timestamp())
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(secrets_in_use, event_id, timestamp, body),
    }


async def send(
    http: httpx.AsyncClient, settings: Settings, claimed: Claimed, at: datetime
) -> Attempt:
    """One POST. Any 2xx is delivered; redirects are not followed; the body is never read."""
    started = time.perf_counter()
    status_code: int | None = None
    error: str | None = None
    try:
        wrapping_key = settings.key_wrapping_key.get_secret_value()
        in_use = tuple(decrypt_secret(s, wrapping_key) for s in claimed.secrets_encrypted)
        body = claimed.body.encode()
        headers = signed_headers(in_use, claimed.event_id, at, body)
        async with http.stream("POST", claimed.url, content=body, headers=headers) as response:
            status_code = response.status_code
    except InvalidToken:
        error = "secret_unreadable: TSP_AUTH_KEY_WRAPPING_KEY changed"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    return Attempt(status_code, error, round((time.perf_counter() - started) * 1000))


def _next_state(
    claimed: Claimed, attempt: Attempt, at: datetime, settings: Settings
) -> dict[str, object]:
    number = claimed.attempts + 1
    if attempt.delivered:
        return {"status": "delivered", "delivered_at": at, "attempts": number}
    if number >= settings.webhook_max_attempts:
        return {"status": "failed", "attempts": number}
    return {"attempts": number, "next_attempt_at": at + backoff(number)}


def _outcome(state: dict[str, object]) -> str:
    return str(state.get("status", "retrying"))


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    claimed: Claimed,
    attempt: Attempt,
    at: datetime,
) -> str:
    """Store the attempt and the row's next state; returns delivered | retrying | failed."""
    state = _next_state(claimed, attempt, at, settings)
    outcome = _outcome(state)
    async with sessionmaker() as session, session.begin():
        if not await repository.finish(session, claimed.delivery_id, claimed.lease_id, state):
            # Our lease expired and another worker took the row: it will record its own try.
            log.warning("webhook lease lost", extra={"delivery_id": claimed.delivery_id})
        await repository.add_attempt(
            session,
            WebhookAttempt(
                id=new_id("wha"),
                delivery_id=claimed.delivery_id,
                number=claimed.attempts + 1,
                attempted_at=at,
                duration_ms=attempt.duration_ms,
                status_code=attempt.status_code,
                error=attempt.error,
                outcome=outcome,
            ),
        )
    WEBHOOK_DELIVERIES.labels(outcome).inc()
    return outcome


async def _cancel(sessionmaker: async_sessionmaker[AsyncSession], claimed: Claimed) -> str:
    async with sessionmaker() as session, session.begin():
        await repository.finish(
            session, claimed.delivery_id, claimed.lease_id, {"status": "cancelled"}
        )
    return "cancelled"


async def deliver_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    batch: list[Claimed],
    at: datetime,
) -> list[str]:
    """Send a claimed batch concurrently (no transaction open), then record each outcome."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def attempt(claimed: Claimed) -> Attempt | None:
        if not claimed.endpoint_active:
            return None  # deleted while the row was queued
        async with gate:
            return await send(http, settings, claimed, at)

    attempts = await asyncio.gather(*(attempt(c) for c in batch))
    outcomes = []
    for claimed, tried in zip(batch, attempts, strict=True):
        if tried is None:
            outcomes.append(await _cancel(sessionmaker, claimed))
        else:
            outcomes.append(await record(sessionmaker, settings, claimed, tried, at))
    return outcomes


async def drain(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    now: datetime | None = None,
) -> Counter[str]:
    """Deliver every row due now, batch after batch, and return the outcomes counted.

    Retries scheduled during the run fall after its start, so a drain always ends. With
    ``now`` given every batch runs at that time; otherwise each batch reads the clock.
    """
    started = now or clock_now()
    outcomes: Counter[str] = Counter()
    while True:
        at = now or clock_now()
        batch = await claim_due(sessionmaker, settings, at=at, due_by=started)
        if not batch:
            return outcomes
        outcomes.update(await deliver_batch(sessionmaker, settings, http, batch, at))


def http_client(settings: Settings, resolver: Resolver = system_resolver) -> httpx.AsyncClient:
    """The worker's client. Redirects are never followed: a 3xx is a failed attempt, so a
    receiver cannot send us on to an address that was not checked.

    In production every request goes to a checked public address (``webhooks.egress``); no
    proxy from the environment is used, as it would connect in our place, unchecked.
    Development sends anywhere, so local receivers work.
    """
    timeout = settings.webhook_timeout_seconds
    if settings.environment != "production":
        return httpx.AsyncClient(timeout=timeout, follow_redirects=False)
    transport = PublicOnlyTransport(httpx.AsyncHTTPTransport(trust_env=False), resolver)
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
    )
