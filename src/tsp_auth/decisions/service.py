"""The decision API: "may this console session do action X on shop Y?" (DESIGN §3).

The hot path of every console request, so: one indexed query (session by token hash, joined to
its grant and the service's validity) run on the driver outside any unit of work
(``db.direct``), then pure policy. No key ring, no identity lookup, no write — except for
Creator IM, in a transaction of its own: an allowed ``creator_im.*`` action is recorded in
the audit trail with the member as actor and the seller as ``on_behalf_of``, because
creators see the seller's identity (seed 000: "creators will not perceive the difference
between TSP and seller identity") and only the trail keeps who really wrote.

Denials are counted (``tsp_auth_decisions_total{outcome,reason}``), not audited one by one: every
console request asks, so a row per denial would bury the trail in noise and put a write on the
hot path. Denials that matter to a seller are refused logins and redemptions, audited there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.service import record_event_alone
from tsp_auth.clock import now
from tsp_auth.decisions.rules import decide
from tsp_auth.decisions.schemas import DecisionRead, DecisionRequest
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.live.session_state import LiveSession, live_session
from tsp_auth.observability.metrics import DECISION_LATENCY, DECISIONS
from tsp_auth.policy import Reason
from tsp_auth.tsp_access.schemas import Actor
from tsp_auth.tsp_access.tokens import hash_token

CREATOR_IM = "creator_im."
CREATOR_IM_AUTHORIZED = "creator_im.authorized"


async def decide_request(
    sessionmaker: async_sessionmaker[AsyncSession],
    data: DecisionRequest,
    *,
    sea_launch: date | None,
) -> DecisionRead:
    with DECISION_LATENCY.time():
        return await _decide(sessionmaker, data, sea_launch=sea_launch)


async def _decide(
    sessionmaker: async_sessionmaker[AsyncSession],
    data: DecisionRequest,
    *,
    sea_launch: date | None,
) -> DecisionRead:
    at = now()
    console = await live_session(sessionmaker, hash_token(data.token))
    if console is None:
        # The console asks a question; an unknown token is an answer, not an error.
        return answer(False, Reason.INVALID_SESSION, None)
    decision = decide(
        console,
        action=data.action,
        shop_id=data.shop_id,
        at=at,
        sea_launch=sea_launch,
    )
    if decision.allow and data.action.startswith(CREATOR_IM):
        # Committed before the answer: an allowed Creator IM action is never unrecorded.
        await record_event_alone(sessionmaker, creator_im_note(console, data.action))
    return answer(decision.allow, decision.reason, console)


@lru_cache(maxsize=256)
def _count(outcome: str, reason: str) -> Callable[[], None]:
    """The counter of one outcome and reason, looked up once (reasons are a small fixed set)."""
    return DECISIONS.labels(outcome=outcome, reason=reason).inc


def answer(allow: bool, reason: str, console: LiveSession | None) -> DecisionRead:
    _count("allow" if allow else "deny", reason)()
    if console is None:
        return DecisionRead(allow=allow, reason=reason, acting_as=None, actor=None)
    return DecisionRead(
        allow=allow,
        reason=reason,
        acting_as=console.seller_id,
        actor=Actor(sub=console.member_id, partner=console.partner_id),
    )


def creator_im_note(console: LiveSession, action: str) -> AuditNote:
    return AuditNote(
        action=CREATOR_IM_AUTHORIZED,
        actor_id=console.member_id,
        on_behalf_of=console.seller_id,
        partner_id=console.partner_id,
        seller_id=console.seller_id,
        grant_id=console.grant_id,
        detail={"console_action": action, "session_id": console.id},
    )
