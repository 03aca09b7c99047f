"""The one write path of grants and bindings, for every flow (DESIGN §1: one grant model, one
lifecycle).

TSP access, partner apps and Business Center say who may request and consent and what a grant
holds (``NewGrant``); this module writes it. Creations, renewals and widenings have their own
functions; every change that reduces access (cancel, removal, deactivation, expiry, edit) is
one ``reduce_access`` call, which writes the change, records its audit and outbox events and
reaches ``_access_reduced``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor
from tsp_auth.coherence import publish, tags
from tsp_auth.db import rows
from tsp_auth.grants import repository
from tsp_auth.grants.events import grants_ended, grants_noted
from tsp_auth.grants.terms import NewGrant, Recorded
from tsp_auth.kit.errors import Conflict
from tsp_auth.models import Binding, Grant
from tsp_auth.models.base import new_id
from tsp_auth.policy import GrantStatus, Reason, Selection, effective_status

ACTIVE_ONLY: tuple[str, ...] = (GrantStatus.ACTIVE.value,)


# Creation, renewal, widening -----------------------------------------------------------------


async def ensure_binding(
    session: AsyncSession, seller_id: str, partner_id: str, at: datetime
) -> Binding:
    """The active seller-partner binding, made by the first authorization (DESIGN §2)."""
    existing = await repository.active_binding(session, seller_id, partner_id)
    if existing is not None:
        return existing
    binding = Binding(
        id=new_id("bnd"), seller_id=seller_id, partner_id=partner_id, status="active", created_at=at
    )
    try:
        await rows.add_in_savepoint(session, binding)
    except IntegrityError:
        # uq_bindings_one_active: a concurrent consent bound the two first; share its binding.
        existing = await repository.active_binding(session, seller_id, partner_id)
        if existing is None:
            raise
        return existing
    return binding


async def create_grant(session: AsyncSession, new: NewGrant, at: datetime) -> Grant | None:
    """Insert a grant at version 1; None when a partial unique index (one active grant per
    grantor and service, or per Business Center pair) says a concurrent consent won."""
    grant = Grant(
        id=new_id("grt"),
        kind=new.kind,
        grantor_id=new.grantor_id,
        service_id=new.service_id,
        version=1,
        created_at=at,
        **new.values(at),
    )
    try:
        await rows.add_in_savepoint(session, grant)
    except IntegrityError:
        return None
    return grant


async def record_grant(
    session: AsyncSession,
    new: NewGrant,
    at: datetime,
    *,
    renewable: Sequence[str] = ACTIVE_ONLY,
    renew_in_force: bool = True,
) -> Recorded:
    """Create the grantor's grant of ``new.service_id``, or renew in place the one it holds in
    one of the ``renewable`` statuses.

    Concurrency is left to the database (STYLE §11): the loser of an insert race falls back to
    renewing the row the winner committed, what a sequential run would have done.
    ``renew_in_force=False``: a grant still in force must not be renewed (seed 000: a service
    already authorized is not offered again), so finding one is a 409.
    """
    assert new.service_id is not None  # the indexes bound one active grant per service
    current = await _renewable(session, new, renewable)
    if current is None:
        created = await create_grant(session, new, at)
        if created is not None:
            return Recorded(created, renewed=False)
        current = await _renewable(session, new, renewable)  # the consent that won the insert
    current = _renewal_allowed(current, at, renew_in_force=renew_in_force)
    renewed = await renew_grant(session, current.id, new, at, renewable=renewable)
    return Recorded(renewed, renewed=True)


def _renewal_allowed(current: Grant | None, at: datetime, *, renew_in_force: bool) -> Grant:
    if current is None:
        raise _changed_meanwhile()
    in_force = effective_status(current.status, current.expires_at, at) == GrantStatus.ACTIVE
    if in_force and not renew_in_force:
        raise Conflict(
            "this service was authorized meanwhile; reload and choose again",
            error=Reason.ALREADY_AUTHORIZED.value,
        )
    return current


def _changed_meanwhile() -> Conflict:
    return Conflict("the authorization changed meanwhile; retry", error=Reason.CONFLICT)


async def _renewable(session: AsyncSession, new: NewGrant, statuses: Sequence[str]) -> Grant | None:
    return await repository.current_grant(
        session, new.kind, new.grantor_id, statuses, service_id=new.service_id
    )


async def renew_grant(
    session: AsyncSession,
    grant_id: str,
    new: NewGrant,
    at: datetime,
    *,
    renewable: Sequence[str] = ACTIVE_ONLY,
) -> Grant:
    """The grant renewed in place with ``new``'s terms: same id, version + 1 (seed 002 FAQ:
    renew by sending the link again). 409 if it left ``renewable`` meanwhile."""
    renewed = await repository.renew(session, grant_id, renewable, new.values(at))
    if renewed is None:
        raise _changed_meanwhile()
    await _access_reduced(session, [grant_id])
    return renewed


async def widen_grant(
    session: AsyncSession, grant: Grant, scopes: frozenset[str], at: datetime
) -> Grant | None:
    """The grant with ``scopes`` added (version + 1); None if it changed since it was read."""
    if not await repository.set_scopes(session, grant.id, grant.version, grant.scopes | scopes, at):
        return None
    await _access_reduced(session, [grant.id])
    widened = await repository.get_visible(session, grant.id, true())
    assert widened is not None  # updated in this transaction
    return widened


# Changes that reduce access ------------------------------------------------------------------


class AccessReduction(Protocol):
    """A change that ends or narrows grants: the UPDATE it makes and the event it is."""

    @property
    def action(self) -> str: ...

    async def apply(self, session: AsyncSession, at: datetime) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class EndGrants:
    """Active grants move to ``status`` (cancelled or deactivated) with ``reason``: one grant
    (only if still at ``version``, when given), every grant of a binding (which ends with
    them), or every grant of a service. Build it with ``end_grant``, ``cancel_binding`` or
    ``deactivate_service``."""

    status: GrantStatus
    reason: str
    grant_id: str | None = None
    version: int | None = None
    binding_id: str | None = None
    service_id: str | None = None

    @property
    def action(self) -> str:
        return f"grant.{self.status.value}"

    async def apply(self, session: AsyncSession, at: datetime) -> list[str]:
        if self.binding_id is not None:
            await repository.end_binding(session, self.binding_id, at)
        where = repository.matching(
            grant_id=self.grant_id,
            version=self.version,
            binding_id=self.binding_id,
            service_id=self.service_id,
        )
        return await repository.end_grants(
            session, where, status=self.status, reason=self.reason, at=at
        )


def end_grant(
    grant_id: str, status: GrantStatus, reason: str, *, version: int | None = None
) -> EndGrants:
    return EndGrants(status, reason, grant_id=grant_id, version=version)


def cancel_binding(binding_id: str, reason: str) -> EndGrants:
    """Seed 002: cancelling ends the binding and, with it, every grant between the two."""
    return EndGrants(GrantStatus.CANCELLED, reason, binding_id=binding_id)


def deactivate_service(service_id: str, reason: str) -> EndGrants:
    """DESIGN §2: a service that stops being valid deactivates every grant of it."""
    return EndGrants(GrantStatus.DEACTIVATED, reason, service_id=service_id)


@dataclass(frozen=True, slots=True)
class ExpireLapsed:
    """The sweep: up to ``limit`` grants past ``expires_at`` are stored ``expired``."""

    limit: int
    action = "grant.expired"

    async def apply(self, session: AsyncSession, at: datetime) -> list[str]:
        return await repository.expire(session, at, self.limit)


@dataclass(frozen=True, slots=True)
class EditSelection:
    """The seller's edit (seed 002): ``selection`` replaces what the grant held at ``version``.

    Even a widening edit goes here: it moves the version on, so the sessions and tokens minted
    from the previous one stop working at once."""

    grant_id: str
    version: int
    selection: Selection
    action = "grant.updated"

    async def apply(self, session: AsyncSession, at: datetime) -> list[str]:
        return await repository.update_selection(
            session, self.grant_id, self.version, self.selection, at
        )


async def reduce_access(
    session: AsyncSession,
    change: AccessReduction,
    *,
    actor: Actor,
    at: datetime,
    detail: Mapping[str, str] | None = None,
) -> list[str]:
    """Make ``change`` and record it: per grant changed, its audit event and outbox webhook
    (``grants_ended``), or with ``detail``, an audit event carrying that detail instead of the
    grant's terms (Business Center). Returns the ids of the grants changed; ``[]`` when none
    matched, and the caller decides whether that is a 409.
    """
    grant_ids = await change.apply(session, at)
    if not grant_ids:
        return []
    if detail is None:
        await grants_ended(session, grant_ids, change.action, actor, at=at)
    else:
        grants_noted(session, grant_ids, change.action, actor, detail)
    await _access_reduced(session, grant_ids)
    return grant_ids


async def _access_reduced(session: AsyncSession, grant_ids: Sequence[str]) -> None:
    """Every grant whose version just moved on, inside the writing transaction.

    Reached by ``reduce_access`` (cancel, removal, deactivation, expiry, edit) and by
    ``renew_grant`` and ``widen_grant``: a renewal or a widening moves the version on too, which
    ends every login token, console session and access token minted from the previous one
    (DESIGN §2). This is the one place that publishes the cache invalidation of these grants
    (docs/coherence.md): its NOTIFY goes out with the writing transaction, and the request
    answers only once every other process has dropped what it cached of them.
    """
    await publish(session, *(tags.grant(grant_id) for grant_id in grant_ids))
