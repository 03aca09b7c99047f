"""Client rules: who registers which kind of client, what it may hold, who sees and manages it.

- Operators register **first-party** clients (client_credentials only, ``tsp.*`` scopes).
- A partner admin registers **partner apps** for its own partner (seed 004): confidential or
  public, ``partner.*`` scopes, redirect URIs, status ``development`` until launched.
- A client the caller may not see does not exist for it: 404 (as for grants and services).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.clients import repository
from tsp_auth.clients.credentials import hash_secret, new_secret
from tsp_auth.clients.origins import check_origins
from tsp_auth.clients.redirect_uris import check_redirect_uris
from tsp_auth.clients.schemas import ClientCreate, ClientUpdate
from tsp_auth.clients.scopes import FIRST_PARTY_SCOPES, PARTNER_APP_SCOPES
from tsp_auth.clock import now
from tsp_auth.coherence import publish, tags
from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Client
from tsp_auth.models.base import new_id
from tsp_auth.policy import Reason
from tsp_auth.registry import repository as registry


def _check_scopes(client_type: str, scopes: list[str]) -> frozenset[str]:
    allowed = FIRST_PARTY_SCOPES if client_type == "first_party" else PARTNER_APP_SCOPES
    unknown = sorted(set(scopes) - allowed)
    if unknown or not scopes:
        raise BadRequest(
            f"scopes must be one or more of {sorted(allowed)}; refused: {unknown}",
            error=Reason.INVALID_SCOPE,
        )
    return frozenset(scopes)


def _check_redirect_uris(client_type: str, uris: list[str]) -> list[str]:
    if client_type == "first_party":
        if uris:
            raise BadRequest(
                "first-party clients use client_credentials and have no redirect URIs",
                error=Reason.INVALID_REDIRECT_URI,
            )
        return []
    problem = check_redirect_uris(uris) if uris else "a partner app needs a redirect URI"
    if problem is not None:
        raise BadRequest(problem, error=Reason.INVALID_REDIRECT_URI)
    return list(uris)


def _check_origins(settings: Settings, client_type: str, origins: list[str]) -> list[str]:
    if origins and client_type != "public":
        # RFC 6749 §2.1: code in a browser cannot keep a secret; only public clients run there.
        raise BadRequest(
            "only public clients have allowed origins: a browser cannot keep a client secret",
            error=Reason.INVALID_ORIGIN,
        )
    problem = check_origins(origins, development=settings.environment == "development")
    if problem is not None:
        raise BadRequest(problem, error=Reason.INVALID_ORIGIN)
    return list(origins)


async def _service_id(session: AsyncSession, partner_id: str, wanted: str | None) -> str:
    """The partner's own service the app is tied to, or a fresh ``app_…`` id (seed 004)."""
    if wanted is None:
        return f"app_{uuid4().hex}"
    service = await registry.get_service(session, wanted)
    if service is None or service.partner_id != partner_id:
        raise NotFound("no such service", error=Reason.UNKNOWN_SERVICE)
    return service.id


async def register_client(
    session: AsyncSession, settings: Settings, caller: Caller, body: ClientCreate
) -> tuple[Client, str | None]:
    """Store a new client; the secret is returned here once and never again."""
    if caller.is_operator:
        if body.client_type != "first_party" or body.service_id is not None:
            raise BadRequest(
                "operators register first-party clients; partner admins register their apps",
                error=Reason.FIRST_PARTY_ONLY,
            )
        partner_id, service_id, status = None, None, "live"
    elif caller.is_partner_admin and caller.partner_id is not None:
        if body.client_type == "first_party":
            raise Forbidden(
                "only operators register first-party clients", error=Reason.OPERATOR_REQUIRED
            )
        partner_id = caller.partner_id
        service_id = await _service_id(session, partner_id, body.service_id)
        status = "development"
    else:
        raise Forbidden(
            "only a partner admin or an operator registers clients",
            error=Reason.PARTNER_ADMIN_REQUIRED,
        )
    secret = None if body.client_type == "public" else new_secret()
    client = Client(
        id=new_id("cli"),
        partner_id=partner_id,
        service_id=service_id,
        name=body.name,
        client_type=body.client_type,
        secret_hash=hash_secret(secret) if secret is not None else None,
        redirect_uris=_check_redirect_uris(body.client_type, body.redirect_uris),
        allowed_origins=_check_origins(settings, body.client_type, body.allowed_origins),
        scopes=_check_scopes(body.client_type, body.scopes),
        status=status,
        created_at=now(),
    )
    try:
        await rows.add_in_savepoint(session, client)
    except IntegrityError:
        raise Conflict("this service already has an app", error=Reason.SERVICE_HAS_CLIENT) from None
    _audit(session, caller, client, "client.registered")
    return client, secret


async def list_clients(
    session: AsyncSession, caller: Caller, page: PageQuery
) -> tuple[Sequence[Client], str | None]:
    if caller.is_operator:
        return await repository.listed(session, None, page)
    if caller.kind == "partner" and caller.partner_id is not None:
        return await repository.listed(session, caller.partner_id, page)
    return [], None


async def visible_client(session: AsyncSession, caller: Caller, client_id: str) -> Client:
    """Operators see every client; a partner's accounts see the partner's apps."""
    client = await repository.get(session, client_id)
    own = (
        client is not None
        and caller.kind == "partner"
        and caller.partner_id is not None
        and client.partner_id == caller.partner_id
    )
    if client is None or not (caller.is_operator or own):
        raise NotFound("no such client")
    return client


async def managed_client(session: AsyncSession, caller: Caller, client_id: str) -> Client:
    """Operators manage every client; a partner admin manages its partner's apps."""
    client = await visible_client(session, caller, client_id)
    if not (caller.is_operator or caller.is_partner_admin):
        raise Forbidden("only a partner admin may manage apps", error=Reason.PARTNER_ADMIN_REQUIRED)
    return client


async def update_client(
    session: AsyncSession, settings: Settings, caller: Caller, client_id: str, body: ClientUpdate
) -> Client:
    client = await managed_client(session, caller, client_id)
    if body.status is not None:
        client.status = body.status
    if body.redirect_uris is not None:
        client.redirect_uris = _check_redirect_uris(client.client_type, body.redirect_uris)
    if body.allowed_origins is not None:
        client.allowed_origins = _check_origins(settings, client.client_type, body.allowed_origins)
    if body.scopes is not None:
        client.scopes = _check_scopes(client.client_type, body.scopes)
    await session.flush()
    await publish(session, tags.client(client.id))
    _audit(session, caller, client, "client.updated", body.model_dump(exclude_none=True))
    return client


async def rotate_secret(
    session: AsyncSession, caller: Caller, client_id: str
) -> tuple[Client, str]:
    """A new secret, shown once; the old one stops working at once."""
    client = await managed_client(session, caller, client_id)
    if client.client_type == "public":
        raise BadRequest("a public client has no secret", error=Reason.PUBLIC_CLIENT)
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    await session.flush()
    await publish(session, tags.client(client.id))
    _audit(session, caller, client, "client.secret_rotated")
    return client, secret


def _audit(
    session: AsyncSession,
    caller: Caller,
    client: Client,
    action: str,
    detail: dict[str, object] | None = None,
) -> None:
    record_event(
        session,
        AuditNote(
            action=action,
            actor_id=caller.account_id,
            partner_id=client.partner_id,
            detail={"client_id": client.id, **(detail or {})},
        ),
    )
