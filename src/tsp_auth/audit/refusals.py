"""``@audit_refusals``: every refusal a service function raises goes to the audit trail.

The decorator marks each ``AppError`` with ``.audited(note)``; the error handler writes it after
the request's rollback (``record_denial``). The note names the actor and, where the caller may
see it, the subject's seller and partner — so the seller reads refusals of its consents and
grants, and the partner those of its links. A grant the caller may not see (404) is recorded
under the caller's own seller/partner only: nobody learns of another tenant's probe.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit import repository
from tsp_auth.audit.service import Actor
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import AppError, NotFound
from tsp_auth.models.grants import parties

P = ParamSpec("P")
R = TypeVar("R")
Subject = Literal["authorization_request", "grant"]
log = logging.getLogger("tsp_auth.audit")


def audit_refusals(
    action: str, subject: Subject
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """For service functions taking ``session``, ``caller`` and ``request_id`` (subject
    ``authorization_request``) or ``grant_id`` (subject ``grant``)."""

    def decorate(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await fn(*args, **kwargs)
            except AppError as exc:
                if exc.audit is None:
                    arguments = signature.bind(*args, **kwargs).arguments
                    exc.audited(await _note(action, subject, exc, arguments))
                raise

        return run

    return decorate


async def _note(
    action: str, subject: Subject, exc: AppError, arguments: dict[str, Any]
) -> AuditNote:
    session: AsyncSession = arguments["session"]
    caller: Caller = arguments["caller"]
    note = Actor.of(caller).note(action, seller_id=caller.seller_id, partner_id=caller.partner_id)
    try:
        if subject == "authorization_request":
            return await _about_request(session, note, arguments["request_id"])
        if not isinstance(exc, NotFound):
            return await _about_grant(session, note, arguments["grant_id"])
    except SQLAlchemyError as error:  # the refusal must still be recorded, with less detail
        log.warning("audit subject not loaded: %s", type(error).__name__)
    return note


async def _about_request(session: AsyncSession, note: AuditNote, request_id: str) -> AuditNote:
    request = await repository.refused_request(session, request_id)
    if request is None:
        return note
    detail = {"authorization_request_id": request.id, "service_id": request.service_id}
    return replace(note, partner_id=request.partner_id, detail=detail)


async def _about_grant(session: AsyncSession, note: AuditNote, grant_id: str) -> AuditNote:
    grant = await repository.refused_grant(session, grant_id)
    if grant is None:
        return note
    seller_id, partner_id = parties(grant)
    return replace(note, seller_id=seller_id, partner_id=partner_id, grant_id=grant.id)
