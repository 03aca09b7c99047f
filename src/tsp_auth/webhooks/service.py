"""Webhook endpoint rules: a partner admin registers, lists and deletes its endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_admin
from tsp_auth.kit.errors import BadRequest, Conflict, NotFound
from tsp_auth.models import WebhookEndpoint
from tsp_auth.models.base import new_id
from tsp_auth.policy import Reason
from tsp_auth.webhooks import repository
from tsp_auth.webhooks.addresses import is_public_host
from tsp_auth.webhooks.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecretRotated,
)
from tsp_auth.webhooks.signing import encrypt_secret, new_secret

MAX_ENDPOINTS = 10
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_endpoint_url(url: str, *, production: bool) -> None:
    """https to a public host; plain http only to this machine, and only outside production.

    The host is judged in every spelling that reaches an address (``webhooks.addresses``); a
    name is checked again, resolved, when each delivery is sent (``webhooks.egress``).
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port out of range, which httpx would refuse)
    except ValueError:  # e.g. "https://[::1/": no URL at all
        raise _invalid_url() from None
    host = (parts.hostname or "").lower()
    refused = (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or parts.password is not None
        or bool(parts.fragment)
    )
    if not refused and parts.scheme == "http":
        refused = production or host not in LOOPBACK_HOSTS
    if not refused and production:
        refused = not is_public_host(host)
    if refused:
        raise _invalid_url()


def _invalid_url() -> BadRequest:
    return BadRequest(
        "url must be https to a public host (http only to 127.0.0.1 or localhost in "
        "development), without credentials or fragment",
        error=Reason.INVALID_URL,
    )


def _read(endpoint: WebhookEndpoint) -> WebhookRead:
    return WebhookRead(
        id=endpoint.id,
        partner_id=endpoint.partner_id,
        url=endpoint.url,
        events=sorted(endpoint.events),
        created_at=endpoint.created_at,
    )


async def register(
    session: AsyncSession, settings: Settings, caller: Caller, data: WebhookCreate
) -> WebhookCreated:
    partner_id = require_partner_admin(caller, manages="webhooks")
    check_endpoint_url(data.url, production=settings.environment == "production")
    if await repository.count_active(session, partner_id) >= MAX_ENDPOINTS:
        raise Conflict(
            f"at most {MAX_ENDPOINTS} endpoints per partner", error=Reason.TOO_MANY_ENDPOINTS
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=new_id("whk"),
        partner_id=partner_id,
        url=data.url,
        events=frozenset(data.events),
        secret_encrypted=encrypt_secret(secret, settings.key_wrapping_key.get_secret_value()),
        status=repository.ACTIVE,
        created_by=caller.account_id,
        created_at=now(),
        deleted_at=None,
        previous_secret_encrypted=None,
        previous_secret_until=None,
    )
    await rows.add(session, endpoint)
    return WebhookCreated(**_read(endpoint).model_dump(), secret=secret)


async def list_endpoints(session: AsyncSession, caller: Caller) -> Sequence[WebhookRead]:
    partner_id = require_partner_admin(caller, manages="webhooks")
    return [_read(e) for e in await repository.active_endpoints(session, partner_id)]


async def delete(session: AsyncSession, partner_id: str, endpoint_id: str) -> None:
    """Stop sending to an endpoint; deliveries it had not received yet are cancelled.

    ``partner_id``: the partner whose admin calls (``webhooks.router.WebhookAdminDep``)."""
    if not await repository.delete_endpoint(session, partner_id, endpoint_id, now()):
        raise NotFound("no such webhook endpoint")


async def rotate_secret(
    session: AsyncSession, settings: Settings, partner_id: str, endpoint_id: str
) -> WebhookSecretRotated:
    """A new signing secret, shown once. Both secrets sign for the overlap, so the receiver
    can switch without missing a delivery (Standard Webhooks, "Key rotation").

    ``partner_id``: the partner whose admin calls (``webhooks.router.WebhookAdminDep``)."""
    secret = new_secret()
    until = now() + timedelta(seconds=settings.webhook_secret_overlap_seconds)
    rotated = await repository.rotate_secret(
        session,
        partner_id,
        endpoint_id,
        new_secret_encrypted=encrypt_secret(secret, settings.key_wrapping_key.get_secret_value()),
        previous_until=until,
    )
    if not rotated:
        raise NotFound("no such webhook endpoint")
    return WebhookSecretRotated(id=endpoint_id, secret=secret, previous_secret_signs_until=until)
