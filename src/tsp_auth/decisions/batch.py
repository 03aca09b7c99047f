"""Batch decisions: the questions a console page asks for its menu, in one request.

Each answer is the one ``POST /v1/decisions`` would give for the same token, action and shop
(``service``): the same rule (``rules.decide``) on the same read of the session
(``live_session``, cached and dropped on every process before a cancel answers:
docs/coherence.md), so a cancel that returned is refused by the next batch as by the next
single decision. What a batch saves is the per-request work: one request, one body, one
session read for all its checks; each further check is pure policy.

Auditing is the single decision's, per check: an allowed ``creator_im.*`` check is recorded
(committed before the answer, as ``service`` explains); denials are counted, not audited.
"""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.service import record_event_alone
from tsp_auth.clock import now
from tsp_auth.decisions.batch_schemas import BatchDecisionRead, BatchDecisionRequest
from tsp_auth.decisions.rules import decide
from tsp_auth.decisions.schemas import DecisionRead
from tsp_auth.decisions.service import CREATOR_IM, answer, creator_im_note
from tsp_auth.live.session_state import LiveSession, live_session
from tsp_auth.policy import Decision, Reason
from tsp_auth.tsp_access.tokens import hash_token


async def decide_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    data: BatchDecisionRequest,
    *,
    sea_launch: date | None,
) -> BatchDecisionRead:
    at = now()
    console = await live_session(sessionmaker, hash_token(data.token))
    if console is None:
        # As a single decision: an unknown token is an answer, for every check.
        unknown = [answer(False, Reason.INVALID_SESSION, None) for _ in data.checks]
        return BatchDecisionRead(decisions=unknown)
    decisions = [
        decide(console, action=check.action, shop_id=check.shop_id, at=at, sea_launch=sea_launch)
        for check in data.checks
    ]
    await _record_creator_im(sessionmaker, console, data, decisions)
    return BatchDecisionRead(decisions=_answers(console, decisions))


async def _record_creator_im(
    sessionmaker: async_sessionmaker[AsyncSession],
    console: LiveSession,
    data: BatchDecisionRequest,
    decisions: list[Decision],
) -> None:
    """Every allowed Creator IM check recorded before any answer goes out; submitted together,
    the group committer writes them in one INSERT (audit.committer)."""
    notes = [
        creator_im_note(console, check.action)
        for check, decision in zip(data.checks, decisions, strict=True)
        if decision.allow and check.action.startswith(CREATOR_IM)
    ]
    if notes:
        await asyncio.gather(*(record_event_alone(sessionmaker, note) for note in notes))


def _answers(console: LiveSession, decisions: list[Decision]) -> list[DecisionRead]:
    return [answer(d.allow, d.reason, console) for d in decisions]
