"""Grant rules: who sees a grant, and how a seller edits or cancels it (seed 002, DESIGN §2).

Every change bumps ``version``, so tokens and sessions minted from an older version stop
working on their next use. The rules themselves are ``tsp_auth.policy``; this module applies
them to stored grants and maps denials to errors whose ``error`` is the policy reason code.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.audit.service import Actor
from tsp_auth.clock import now
from tsp_auth.grants import repository
from tsp_auth.grants.engine import EditSelection, cancel_binding, end_grant, reduce_access
from tsp_auth.grants.schemas import (
    DeactivationReason,
    GrantCancelled,
    GrantPage,
    GrantQuery,
    GrantRead,
    GrantUpdate,
)
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_operator
from tsp_auth.kit.errors import AppError, BadRequest, Conflict, Forbidden, NotFound
from tsp_auth.models import Grant, Service
from tsp_auth.policy import (
    NO_MARKET,
    Decision,
    GrantStatus,
    Item,
    Reason,
    Selection,
    ServiceFacts,
    check_active,
    check_edit,
    check_grant_editable,
    market_rules,
    offer_for,
)


def refuse(decision: Decision, error: type[AppError]) -> None:
    if not decision.allow:
        raise error(f"refused: {decision.reason}", error=decision.reason)


async def visible_grant(session: AsyncSession, caller: Caller, grant_id: str) -> Grant:
    """The grant if ``caller`` may see it; another tenant's grant does not exist (404)."""
    grant = await repository.get_visible(session, grant_id, repository.visible_to(caller))
    if grant is None:
        raise NotFound("no such grant")
    return grant


async def reread(session: AsyncSession, grant_id: str) -> Grant:
    grant = await repository.get_visible(session, grant_id, true())
    assert grant is not None  # the grant was just updated in this transaction
    return grant


async def read_grant(session: AsyncSession, caller: Caller, grant_id: str) -> GrantRead:
    return GrantRead.of(await visible_grant(session, caller, grant_id), now())


def _filters(caller: Caller, query: GrantQuery, at: datetime) -> list[ColumnElement[bool]]:
    where = [repository.visible_to(caller)]
    if query.status is not None:
        where.append(repository.effective_status_is(query.status, at))
    if query.seller_id is not None:
        where.append(Grant.grantor_id == query.seller_id)
    if query.partner_id is not None:
        where.append(Grant.grantee_id == query.partner_id)
    if query.service_id is not None:
        where.append(Grant.service_id == query.service_id)
    return where


async def list_grants(session: AsyncSession, caller: Caller, query: GrantQuery) -> GrantPage:
    """The caller's grants in (created_at, id) order, one page at a time."""
    at = now()
    shown, cursor = await repository.page(session, _filters(caller, query, at), query)
    return GrantPage(items=[GrantRead.of(g, at) for g in shown], next_cursor=cursor)


def selection_of(grant: Grant) -> Selection:
    """What a grant holds, as the policy compares selections."""
    return Selection(
        items=grant.items,
        roles=grant.roles,
        areas=grant.areas,
        authorized_object=grant.authorized_object,
        duration_days=grant.duration_days or 0,
    )


def _edited(current: Selection, data: GrantUpdate) -> Selection:
    """The selection after ``data``; a scope not sent stays only while its item stays."""
    items = current.items if data.items is None else frozenset(data.items)

    def kept(sent: list[str] | None, item: str, now_held: frozenset[str]) -> frozenset[str]:
        if sent is not None:
            return frozenset(sent)
        return now_held if item in items else frozenset()

    if "authorized_object" in data.model_fields_set:
        chosen = data.authorized_object
    else:
        chosen = current.authorized_object if Item.AUTHORIZED_OBJECT in items else None
    return Selection(
        items=items,
        roles=kept(data.roles, Item.SELLER_CENTER_ACCESS, current.roles),
        areas=kept(data.areas, Item.DATA_COMPASS, current.areas),
        authorized_object=chosen,
        # Duration and expiry change only by renewal (seed 002 FAQ), never by an edit.
        duration_days=current.duration_days,
    )


def _service_facts(service: Service) -> ServiceFacts:
    return ServiceFacts(
        service_id=service.id,
        partner_id=service.partner_id,
        visibility="custom" if service.visibility == "custom" else "public",
        valid=service.valid,
        markets=service.markets,
        qualified_items=service.qualified_items,
    )


async def _check_edit(
    session: AsyncSession,
    grant: Grant,
    current: Selection,
    new: Selection,
    *,
    at: datetime,
    sea_launch: date | None,
) -> None:
    service_id = grant.service_id
    service = None if service_id is None else await repository.get_service(session, service_id)
    if service is None:
        raise Conflict("the grant's service no longer exists", error=Reason.SERVICE_NOT_VALID)
    rules = market_rules(grant.market or NO_MARKET, at, sea_launch=sea_launch)
    decision = check_edit(current, new, offer_for(_service_facts(service), rules), service.valid)
    # The service state is a conflict with the request; every other denial is a bad selection.
    refuse(decision, Conflict if decision.reason == Reason.SERVICE_NOT_VALID else BadRequest)


@audit_refusals("grant.updated", "grant")
async def edit_grant(
    session: AsyncSession,
    caller: Caller,
    grant_id: str,
    data: GrantUpdate,
    *,
    sea_launch: date | None,
) -> GrantRead:
    """seed 002: the seller's main account edits what a grant allows; narrowing is immediate."""
    at = now()
    grant = await visible_grant(session, caller, grant_id)
    if not caller.is_seller_main:
        raise Forbidden("only the seller's main account may edit", error=Reason.NOT_MAIN_ACCOUNT)
    refuse(check_grant_editable(grant.status, grant.expires_at, at), Conflict)
    if data.version is not None and data.version != grant.version:
        raise Conflict("the grant changed since that version", error=Reason.GRANT_CHANGED)
    current = selection_of(grant)
    new = _edited(current, data)
    if new == current:
        return GrantRead.of(grant, at)
    await _check_edit(session, grant, current, new, at=at, sea_launch=sea_launch)
    edit = EditSelection(grant.id, grant.version, new)
    if not await reduce_access(session, edit, actor=Actor.of(caller), at=at):
        raise Conflict(
            "the grant changed during the edit; read it again", error=Reason.GRANT_CHANGED
        )
    return GrantRead.of(await reread(session, grant.id), at)


def _require_seller_to_cancel(caller: Caller) -> None:
    if caller.kind == "seller" and not caller.is_seller_main:
        raise Forbidden("only the seller's main account may cancel", error=Reason.NOT_MAIN_ACCOUNT)
    if not caller.is_seller_main:
        # seed 002 FAQ: "only the seller can cancel the authorization".
        raise Forbidden("only the seller can cancel TSP access", error=Reason.SELLER_ONLY)


@audit_refusals("grant.cancelled", "grant")
async def cancel_grant(session: AsyncSession, caller: Caller, grant_id: str) -> GrantCancelled:
    """seed 002: cancelling ends the binding and every active grant between seller and partner."""
    at = now()
    grant = await visible_grant(session, caller, grant_id)
    _require_seller_to_cancel(caller)
    binding = None
    if grant.binding_id is not None:
        binding = await repository.lock_binding(session, grant.binding_id)
    if grant.status == GrantStatus.CANCELLED or binding is None or binding.status != "active":
        raise Conflict("the binding is already cancelled", error=Reason.GRANT_NOT_ACTIVE)
    cancel = cancel_binding(binding.id, reason=Reason.SELLER_CANCELLED)
    ended = await reduce_access(session, cancel, actor=Actor.of(caller), at=at)
    return GrantCancelled(
        cancelled=sorted(ended), grant=GrantRead.of(await reread(session, grant.id), at)
    )


@audit_refusals("grant.deactivated", "grant")
async def deactivate_grant(
    session: AsyncSession, caller: Caller, grant_id: str, reason: DeactivationReason
) -> GrantRead:
    """DESIGN §2: the platform deactivates a grant (service invalid, partner suspended, ...)."""
    at = now()
    grant = await visible_grant(session, caller, grant_id)
    require_operator(caller)
    refuse(check_active(grant.status, grant.expires_at, at), Conflict)
    end = end_grant(grant.id, GrantStatus.DEACTIVATED, reason, version=grant.version)
    if not await reduce_access(session, end, actor=Actor.of(caller), at=at):
        raise Conflict(
            "the grant changed during the request; read it again", error=Reason.GRANT_CHANGED
        )
    return GrantRead.of(await reread(session, grant.id), at)
