"""One session kind per browser profile (seed 000 FAQ Q1, docs/tsp-access.md).

"In the same Chrome profile, you can either use tsp access or the Seller Center sub-account,
which implies that you have to log out if you wish to switch to the other." So a profile holds
one open console session: either one TSP Access session or one seller-account session. Opening
another identity's session on a profile someone still holds is refused (409
``browser_profile_in_use``: log out first); the same account opening a session of the same kind
again (a member switching sellers) replaces its own. A session that can no longer be used
(expired, or its grant moved on) does not hold the profile: it is ended on the way.

The database has the last word: the partial unique index ``uq_console_sessions_live_profile``
allows one row with ``ended_at IS NULL`` per profile, so two processes racing for one profile
cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.db import rows
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import Conflict
from tsp_auth.models import ConsoleSession
from tsp_auth.policy import Reason
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.repository import EndedSession
from tsp_auth.tsp_access.session_kinds import EndReason, SessionKind

_KIND_NAMES: dict[str, str] = {
    SessionKind.TSP_ACCESS: "a TSP Access session",
    SessionKind.SELLER_ACCOUNT: "a Seller Center account",
}


def in_use(holder_kind: str) -> Conflict:
    name = _KIND_NAMES.get(holder_kind, "another session")
    return Conflict(
        f"this browser profile is signed in with {name}; log out there first (one identity "
        "per browser profile)",
        error=Reason.BROWSER_PROFILE_IN_USE,
    )


def ended_note(ended: EndedSession, actor_id: str, reason: str) -> AuditNote:
    return AuditNote(
        action="session.ended",
        actor_id=actor_id,
        on_behalf_of=ended.seller_id,
        partner_id=ended.partner_id,
        seller_id=ended.seller_id,
        grant_id=ended.grant_id,
        detail={"session_id": ended.id, "member_id": ended.member_id, "end_reason": reason},
    )


def _end(session: AsyncSession, ended: list[EndedSession], actor_id: str, reason: str) -> None:
    for one in ended:
        record_event(session, ended_note(one, actor_id, reason))


async def free_profile(
    session: AsyncSession,
    profile: str,
    *,
    kind: str,
    account_id: str,
    at: datetime,
    note: AuditNote,
) -> None:
    """Make room on ``profile`` for a session of ``kind`` by ``account_id``, or refuse."""
    stale = await repository.end_unusable_on_profile(session, profile, at)
    for reason, ended in stale.items():
        _end(session, ended, account_id, reason)
    holder = await repository.open_session_on_profile(session, profile)
    if holder is None:
        return
    if (holder.kind, holder.member_id) != (kind, account_id):
        raise in_use(holder.kind).audited(note)
    replaced = await repository.end_sessions(
        session, ConsoleSession.id == holder.id, at=at, reason=EndReason.REPLACED
    )
    _end(session, replaced, account_id, EndReason.REPLACED)


async def open_on_profile(session: AsyncSession, console: ConsoleSession, note: AuditNote) -> None:
    """Insert the session; a concurrent opening on the same profile that won is a refusal."""
    try:
        await rows.add_in_savepoint(session, console)
    except IntegrityError:
        raise in_use("").audited(note) from None
