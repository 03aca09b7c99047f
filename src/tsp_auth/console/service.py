"""What the local console does, on the same services as the JSON API: redeem a login token
(``tsp_access.sessions.start_session``, as ``POST /v1/tsp-access/sessions`` does) and ask for a
decision before each action (``decisions.service.decide_request``, as ``POST /v1/decisions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.db.unit_of_work import reading
from tsp_auth.decisions import service as decisions
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.keys.ring import KeyRing
from tsp_auth.live.session_state import live_session
from tsp_auth.policy import Reason
from tsp_auth.registry import repository as registry
from tsp_auth.tsp_access import sessions
from tsp_auth.tsp_access.schemas import SessionCreate, SessionStarted
from tsp_auth.tsp_access.tokens import hash_token

Sessions = async_sessionmaker[AsyncSession]

# The denials after which the console has nothing left to offer: the member logs in again
# from Partner Center (or, when the seller cancelled, asks the seller).
ENDED = frozenset(
    {
        Reason.GRANT_NOT_ACTIVE,
        Reason.GRANT_EXPIRED,
        Reason.GRANT_CHANGED,
        Reason.SERVICE_NOT_VALID,
        Reason.SESSION_ENDED,
        Reason.INVALID_SESSION,
    }
)


@dataclass(frozen=True, slots=True)
class Acting:
    """Who the console shows: the seller acted for, and the member of the partner acting."""

    session_id: str
    seller_id: str
    shop_name: str
    member_name: str
    partner_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision on one console action, with who it was asked for (None: unknown session)."""

    decision: DecisionRead
    acting: Acting | None

    @property
    def ended(self) -> bool:
        return not self.decision.allow and self.decision.reason in ENDED


async def open_console(
    session: AsyncSession, settings: Settings, keyring: KeyRing, token: str, profile: str
) -> SessionStarted:
    """Redeem ``token`` once, on this browser's ``profile`` (seed 000 FAQ Q1)."""
    data = SessionCreate(login_token=token, browser_profile=profile)
    return await sessions.start_session(session, settings, keyring, data)


async def acting(sessionmaker: Sessions, token: str) -> Acting | None:
    """The console session of ``token`` with names to show, or None (unknown token).

    The names are read in a transaction of their own, ended before the decision, which may
    write (Creator IM) on a connection of its own."""
    live = await live_session(sessionmaker, hash_token(token))
    if live is None:
        return None
    async with reading(sessionmaker) as session:
        seller = await registry.get_seller(session, live.seller_id)
        member = await registry.get_account(session, live.member_id)
        partner = await registry.get_partner(session, live.partner_id)
    return Acting(
        session_id=live.id,
        seller_id=live.seller_id,
        shop_name=seller.shop_name if seller else live.seller_id,
        member_name=member.name if member else live.member_id,
        partner_name=partner.name if partner else live.partner_id,
        roles=tuple(sorted(live.roles)),
    )


def opened(acting: Acting | None) -> Outcome:
    """The console's home: no action asked yet, only whether the session is known."""
    if acting is None:
        return Outcome(_unknown_session(), None)
    return Outcome(
        DecisionRead(allow=True, reason=Reason.OK, acting_as=acting.seller_id, actor=None), acting
    )


def _unknown_session() -> DecisionRead:
    return DecisionRead(allow=False, reason=Reason.INVALID_SESSION, acting_as=None, actor=None)


async def ask(sessionmaker: Sessions, settings: Settings, token: str, action: str) -> Outcome:
    """May this console session do ``action`` on its seller's shop now?"""
    who = await acting(sessionmaker, token)
    if who is None:
        return Outcome(_unknown_session(), None)
    request = DecisionRequest(token=token, action=action, shop_id=who.seller_id)
    answer = await decisions.decide_request(
        sessionmaker, request, sea_launch=settings.sea_launch_date
    )
    return Outcome(answer, who)


async def log_out(session: AsyncSession, token: str) -> None:
    await sessions.end_current_session(session, token)
