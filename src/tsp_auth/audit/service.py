"""Recording audit events, and reading them back (`GET /v1/audit-events`, docs/operations.md).

Successes are written in the request's own transaction, so an event exists if and only if
its change does. Refusals roll the request back, so the error handler writes them afterwards
in a transaction of their own (``record_denial``).

Never put a token, code or secret in ``detail``: the trail is readable and exportable by
sellers and partners. ``_scrub`` drops keys that look like one, as a second line of defence.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit import repository
from tsp_auth.audit.committer import GroupCommitter, committers, drain
from tsp_auth.audit.repository import AuditRow
from tsp_auth.audit.schemas import CSV_COLUMNS, AuditEventPage, AuditEventRead, AuditQuery
from tsp_auth.clock import now
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import Forbidden
from tsp_auth.kit.request_id import current_request_id
from tsp_auth.models.audit import AuditEvent
from tsp_auth.models.base import new_id
from tsp_auth.policy import Reason

log = logging.getLogger("tsp_auth.audit")
_SECRET_WORDS = ("token", "secret", "code", "password", "verifier", "assertion", "cookie")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted and on whose authority (``on_behalf_of``)."""

    account_id: str | None
    kind: str = "account"  # account | client | system
    on_behalf_of: str | None = None

    @classmethod
    def of(cls, caller: Caller) -> Actor:
        # A seller's account acts for its seller, a partner's for its partner, an operator for
        # the platform. A partner member acting *for a seller* (TSP access) names the seller.
        behalf = caller.seller_id if caller.kind == "seller" else caller.partner_id
        return cls(account_id=caller.account_id, on_behalf_of=behalf)

    def note(self, action: str, **fields: Any) -> AuditNote:
        return AuditNote(
            action=action,
            actor_id=self.account_id,
            actor_type=self.kind,
            on_behalf_of=self.on_behalf_of,
            **fields,
        )


SYSTEM = Actor(account_id=None, kind="system")


def _scrub(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if not _looks_secret(k)}


@lru_cache(maxsize=1024)
def _looks_secret(key: str) -> bool:
    """Whether a detail key names a secret. Keys are our code's own few words (never a value),
    so each is worked out once: the check runs for every event, several words per key."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _event_row(note: AuditNote, outcome: str, reason: str | None) -> AuditRow:
    return AuditRow(
        id=new_id("aud"),
        occurred_at=now(),
        action=note.action,
        outcome=outcome,
        reason=reason,
        actor_id=note.actor_id,
        actor_type=note.actor_type,
        on_behalf_of=note.on_behalf_of,
        partner_id=note.partner_id,
        seller_id=note.seller_id,
        grant_id=note.grant_id,
        request_id=current_request_id(),
        detail=_scrub(note.detail),
    )


def _event(note: AuditNote, outcome: str, reason: str | None) -> AuditEvent:
    return AuditEvent(**repository.row_values(_event_row(note, outcome, reason)))


def record_event(session: AsyncSession, note: AuditNote) -> None:
    """Add a success event to the request's unit of work (written at its commit)."""
    session.add(_event(note, "success", None))


def success_row(note: AuditNote) -> AuditRow:
    """The row of a success event, for a repository that writes it with its change in one
    statement (login: the login token's row and its event)."""
    return _event_row(note, "success", None)


Sessions = async_sessionmaker[AsyncSession]
# One group committer per app (per database), made on first use.
_LONE_EVENTS = committers(repository.insert_events)


def lone_event_committer(sessionmaker: Sessions) -> GroupCommitter[AuditRow]:
    """The group committer of the lone events written through ``sessionmaker``."""
    return _LONE_EVENTS.of(sessionmaker)


async def record_event_alone(sessionmaker: Sessions, note: AuditNote) -> None:
    """Write a success event that is the request's only change, committed before this returns
    (a token minted from client credentials, an allowed Creator IM action). Concurrent calls
    are group-committed: one multi-row INSERT per batch (audit.committer). Raises, like the
    request's own commit would, if its batch cannot be written: the caller must not answer
    success."""
    await lone_event_committer(sessionmaker).submit(_event_row(note, "success", None))


async def drain_lone_events(sessionmaker: Sessions) -> None:
    """Shutdown: wait until every queued lone event is written, and every other row an app's
    group committers hold (login tokens with their events)."""
    await drain(sessionmaker)


async def record_denial(
    sessionmaker: async_sessionmaker[AsyncSession], note: AuditNote, reason: str
) -> None:
    """Write a refusal in its own transaction: the request's own was rolled back."""
    try:
        async with sessionmaker() as session:
            session.add(_event(note, "denied", reason))
            await session.commit()
    except Exception as exc:  # the refusal itself must still reach the caller
        log.warning("audit denial not recorded: %s", type(exc).__name__)


# Reading the trail ---------------------------------------------------------------------------

EXPORT_CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _require_reader(caller: Caller) -> None:
    # Members see only the grants assigned to them (DESIGN §2); the partner-wide trail is not.
    if caller.kind == "partner" and not caller.is_partner_admin:
        raise Forbidden(
            "only a partner admin reads the audit trail", error=Reason.PARTNER_ADMIN_REQUIRED
        )


def _filters(caller: Caller, query: AuditQuery) -> list[ColumnElement[bool]]:
    where = [repository.visible_to(caller)]
    if query.action is not None:
        where.append(AuditEvent.action == query.action)
    if query.outcome is not None:
        where.append(AuditEvent.outcome == query.outcome)
    if query.grant_id is not None:
        where.append(AuditEvent.grant_id == query.grant_id)
    if query.since is not None:
        where.append(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        where.append(AuditEvent.occurred_at < query.until)
    return where


async def list_events(session: AsyncSession, caller: Caller, query: AuditQuery) -> AuditEventPage:
    """One page of the events the caller may read, in (occurred_at, id) order."""
    _require_reader(caller)
    where = _filters(caller, query)
    shown, cursor = await repository.page(session, where, query)
    return AuditEventPage(
        items=[AuditEventRead.model_validate(e) for e in shown], next_cursor=cursor
    )


def check_export(caller: Caller) -> None:
    """Refuse before the download starts: a stream cannot turn into an error any more."""
    _require_reader(caller)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        text = json.dumps(value, sort_keys=True)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_cell(v) for v in values])
    return buffer.getvalue()


async def export_csv(
    sessionmaker: async_sessionmaker[AsyncSession], caller: Caller, query: AuditQuery
) -> AsyncIterator[str]:
    """Every matching event as CSV (header first), read in chunks of short transactions.

    ``limit`` and ``cursor`` do not apply. Events are fixed once written, and ``until``
    defaults to the start of the export, so the chunks read one consistent set.
    """
    if query.until is None:
        query = query.model_copy(update={"until": now()})
    where = _filters(caller, query)
    yield _csv_line(CSV_COLUMNS)
    # Chunks larger than an API page: built without the page-size bound.
    chunk = query.model_construct(**{**query.model_dump(), "limit": EXPORT_CHUNK, "cursor": None})
    while True:
        async with sessionmaker() as session:
            rows, cursor = await repository.page(session, where, chunk)
        for event in rows:
            yield _csv_line([getattr(event, column) for column in CSV_COLUMNS])
        if cursor is None:
            return
        chunk = chunk.model_copy(update={"cursor": cursor})
